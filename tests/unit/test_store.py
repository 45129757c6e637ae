"""The progress store: what a learner saves comes back, undo is exact, backups rotate and restore,
and upgrading from the first schema keeps every row."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import fsrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp import paths
from quizapp.store import FORMAT_VERSION, Settings, Store, StoreError
from quizapp.store.backups import list_backups
from quizapp.store.schema import SCHEMA_V1

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def open_store(tmp: Path) -> Store:
    return Store.open(tmp / "progress.db")


def test_default_location_is_the_data_folder(quizapp_home: Path) -> None:
    with Store.open() as store:
        assert store.path == paths.db_path()
        assert store.notices == []
        assert not store.read_only
    assert (quizapp_home / "progress.db").is_file()


def test_a_review_and_everything_about_it_survives_reopening(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        saved = store.record_review(
            "drill-mse",
            fsrs.Rating.Hard,
            kind="numeric_drill",
            duration_ms=4200,
            answer="-ln(0.9)",
            verdict="close: check the sign",
            seed=12345,
            now=T0,
        )
    with open_store(tmp_path) as store:
        (again,) = store.reviews("drill-mse")
        state = store.card_state("drill-mse")
    assert again == saved
    assert (again.answer, again.verdict, again.seed, again.duration_ms) == (
        "-ln(0.9)",
        "close: check the sign",
        12345,
        4200,
    )
    assert again.state_before is None  # it was new
    assert state is not None and state.due == saved.due and state.reps == 1


ratings = st.lists(st.sampled_from(list(fsrs.Rating)), min_size=1, max_size=12)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ratings=ratings,
    gaps=st.lists(st.integers(0, 30 * 24 * 60), min_size=12, max_size=12),
    k=st.integers(1, 12),
)
def test_undo_puts_back_exactly_the_state_before(
    tmp_path_factory: pytest.TempPathFactory, ratings: list[fsrs.Rating], gaps: list[int], k: int
) -> None:
    store = open_store(tmp_path_factory.mktemp("undo"))
    at = T0
    states = [None]
    for rating, gap in zip(ratings, gaps, strict=False):
        at += timedelta(minutes=gap)
        store.record_review("card-a", rating, kind="faq", now=at)
        states.append(store.card_state("card-a"))
    k = min(k, len(ratings))
    for _ in range(k):
        assert store.undo_last_review() is not None
    assert store.card_state("card-a") == states[len(ratings) - k]
    assert len(store.reviews("card-a")) == len(ratings) - k
    store.close()


def test_undo_is_per_session_and_stops_when_nothing_is_left(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.record_review("a", fsrs.Rating.Good, kind="faq", now=T0)
    with open_store(tmp_path) as store:
        assert store.undo_last_review() is None  # last session's review is not undone
        store.record_review("b", fsrs.Rating.Again, kind="faq", now=T0)
        undone = store.undo_last_review()
        assert undone is not None and undone.item_id == "b"
        assert store.undo_last_review() is None
        assert [r.item_id for r in store.reviews()] == ["a"]


def test_settings_round_trip_and_bad_values_are_refused(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        assert store.settings == Settings()
        wanted = Settings(desired_retention=0.85, interview_date=date(2026, 12, 20), new_per_day=15)
        store.save_settings(wanted)
        assert store.scheduler.desired_retention == 0.85
        with pytest.raises(StoreError, match="retention"):
            store.save_settings(replace(wanted, desired_retention=1.5))
        with pytest.raises(StoreError, match="new cards per day"):
            store.save_settings(replace(wanted, new_per_day=-1))
    with open_store(tmp_path) as store:
        assert store.settings == wanted


def test_a_hand_edited_bad_setting_falls_back_to_its_default_with_a_notice(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.save_settings(Settings(new_per_day=12))
    conn = sqlite3.connect(tmp_path / "progress.db")
    conn.execute("UPDATE settings SET value = '\"lots\"' WHERE key = 'new_per_day'")
    conn.execute("INSERT OR REPLACE INTO settings VALUES ('desired_retention', '0.8')")
    conn.commit()
    conn.close()
    with open_store(tmp_path) as store:
        assert store.settings.new_per_day == 20
        assert store.settings.desired_retention == 0.8
        assert any("new_per_day" in n for n in store.notices)


def test_checklist_ticks_keep_their_time(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.set_ticked(3, True, now=T0)
        store.set_ticked(5, True, now=T0)
        store.set_ticked(3, True, now=T0 + timedelta(days=1))  # already ticked: time kept
        store.set_ticked(5, False)
    with open_store(tmp_path) as store:
        assert store.ticks() == {3: T0}


def test_quiz_answers_are_saved_and_feed_the_scheduler(tmp_path: Path) -> None:
    Again, Hard, Good = fsrs.Rating.Again, fsrs.Rating.Hard, fsrs.Rating.Good
    with open_store(tmp_path) as store:
        quiz = store.start_quiz("mixed", {"questions": 2, "tags": ["regression"]}, now=T0)
        right = store.record_quiz_answer(
            quiz, "mc-a", correct=True, rating=Good, answer="B", kind="multiple_choice", now=T0
        )
        wrong = store.record_quiz_answer(quiz, "mc-b", correct=False, rating=Again, now=T0)
        hard = store.record_quiz_answer(quiz, "mc-c", correct=True, rating=Hard, now=T0)
        easy = store.record_quiz_answer(quiz, "mc-d", correct=True, rating=4, now=T0)
        store.finish_quiz(quiz, now=T0 + timedelta(minutes=5))
        with pytest.raises(StoreError, match="does not exist"):
            store.record_quiz_answer(999, "mc-a", correct=True, rating=Good)
    # The store records the rating it is given (quizapp.policy decides it).
    assert [r.rating for r in (right, wrong, hard, easy)] == [
        fsrs.Rating.Good,
        fsrs.Rating.Again,
        fsrs.Rating.Hard,
        fsrs.Rating.Easy,
    ]
    with open_store(tmp_path) as store:
        (session,) = store.quiz_sessions()
        assert (session.mode, session.config, session.answered, session.correct) == (
            "mixed",
            {"questions": 2, "tags": ["regression"]},
            4,
            3,
        )
        assert session.finished_at == T0 + timedelta(minutes=5)
        assert store.card_state("mc-b") is not None
        kinds = {r.item_id: r.kind for r in store.reviews()}
        assert kinds["mc-a"] == "multiple_choice" and kinds["mc-b"] == "mixed"


def test_undoing_a_quiz_answer_removes_the_answer_too(tmp_path: Path) -> None:
    Good = fsrs.Rating.Good
    with open_store(tmp_path) as store:
        quiz = store.start_quiz("traps", {})
        store.record_quiz_answer(quiz, "trap-a", correct=True, rating=Good)
        store.undo_last_review()
        assert store.quiz_sessions()[0].answered == 0
        assert store.card_state("trap-a") is None


def test_export_holds_all_progress_as_json(tmp_path: Path) -> None:
    Again = fsrs.Rating.Again
    with open_store(tmp_path) as store:
        for i in range(5):
            store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq", answer="ok", now=T0)
        quiz = store.start_quiz("mixed", {"n": 1})
        store.record_quiz_answer(quiz, "mc-a", correct=False, rating=Again, answer="C")
        store.set_ticked(2, True, now=T0)
        store.save_settings(Settings(interview_date=date(2027, 1, 5)))
        data = json.loads(json.dumps(store.export()))
    assert data["schema_version"] == FORMAT_VERSION
    assert len(data["reviews"]) == 6 and len(data["cards"]) == 6
    assert data["quiz_sessions"][0]["answers"][0]["answer"] == "C"
    assert data["checklist_ticks"] == [{"number": 2, "ticked_at": T0.isoformat()}]
    assert data["settings"]["interview_date"] == "2027-01-05"


# --------------------------------------------------------------------------- backups


def test_a_session_with_changes_leaves_a_backup_and_one_without_does_not(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        pass
    assert not (tmp_path / "backups").exists() or not list((tmp_path / "backups").iterdir())
    with open_store(tmp_path) as store:
        store.record_review("a", fsrs.Rating.Good, kind="faq")
    with open_store(tmp_path) as store:
        newest = store.list_backups()[0]
        assert newest.reason == "session"
    backup = sqlite3.connect(newest.path)
    assert backup.execute("SELECT item_id FROM reviews").fetchall() == [("a",)]
    backup.close()


def test_a_long_session_is_backed_up_every_30_minutes_not_on_every_review(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path)
    for i in range(20):
        store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq")
    assert store.list_backups() == []  # a short session: nothing until it ends
    monkeypatch.setattr("quizapp.store.backups.BACKUP_EVERY", timedelta(0))  # "30 minutes later"
    store.record_review("card-x", fsrs.Rating.Good, kind="faq")
    (mid,) = store.list_backups()
    assert mid.reason == "session"
    conn = sqlite3.connect(mid.path)
    assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 21
    conn.close()
    store.close()


def test_a_backups_folder_that_cannot_be_written_costs_a_notice_not_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "backups").write_text("a file where the backups folder should be")
    store = open_store(tmp_path)
    store.record_review("a", fsrs.Rating.Good, kind="faq")
    assert store.new_notices() == []
    monkeypatch.setattr("quizapp.store.backups.BACKUP_EVERY", timedelta(0))  # "30 minutes later"
    store.record_review("b", fsrs.Rating.Good, kind="faq")
    (during,) = store.new_notices()
    assert during.startswith("session backup failed: cannot write a backup in")
    monkeypatch.undo()
    store.record_review("c", fsrs.Rating.Good, kind="faq")
    assert store.new_notices() == []  # not retried on every review
    store.close()  # the end-of-session backup fails too, with a notice instead of an error
    (closing,) = store.new_notices()
    assert closing.startswith("session backup failed:")
    with open_store(tmp_path) as again:
        assert [r.item_id for r in again.reviews()] == ["a", "b", "c"]


def _fake_backup(folder: Path, at: datetime, reason: str = "session") -> Path:
    path = folder / f"progress-{at:%Y%m%dT%H%M%S.%f}Z-{reason}.db"
    path.write_bytes(b"")
    return path


def test_rotation_keeps_the_last_ten_and_one_a_day_for_thirty_days(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    now = datetime.now(UTC)
    local_today = now.astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
    today = [_fake_backup(folder, now - timedelta(seconds=s)) for s in range(1, 16)]
    noon = {d: _fake_backup(folder, local_today - timedelta(days=d)) for d in range(1, 41)}
    morning = {
        d: _fake_backup(folder, local_today - timedelta(days=d, hours=3)) for d in range(1, 41)
    }
    migration = _fake_backup(folder, now - timedelta(days=100), "pre-migration-v1")
    with open_store(tmp_path) as store:
        made = store.backup("manual")
    left = set(folder.iterdir())
    assert made in left and migration in left
    assert set(today[:9]) <= left  # with the new one, the newest ten
    assert not set(today[9:]) & left  # today already keeps its newest
    kept_days = {d for d, p in noon.items() if p in left}
    assert set(range(1, 30)) <= kept_days  # the newest of each of the last 30 days
    assert not kept_days & set(range(31, 41))  # older days go
    assert not set(morning.values()) & left  # a day's older backups go


def test_restore_brings_back_a_backup_after_backing_up_the_present(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        store.record_review("a", fsrs.Rating.Good, kind="faq", now=T0)
        store.save_settings(Settings(new_per_day=7, desired_retention=0.8))
        early = store.backup("manual")
        store.record_review("b", fsrs.Rating.Good, kind="faq", now=T0)
        store.save_settings(Settings(new_per_day=9, desired_retention=0.95))
        before = store.restore(early)
        assert [r.item_id for r in store.reviews()] == ["a"]
        assert store.settings.new_per_day == 7
        assert store.scheduler.desired_retention == 0.8  # intervals follow the restored setting
        assert store.undo_last_review() is None  # undo does not reach across a restore
        store.restore(before)  # and back again
        assert [r.item_id for r in store.reviews()] == ["a", "b"]
        assert store.settings.new_per_day == 9
        assert store.scheduler.desired_retention == 0.95


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"not sqlite at all" * 100)
    with open_store(tmp_path) as store:
        store.record_review("a", fsrs.Rating.Good, kind="faq")
        with pytest.raises(StoreError, match="nothing was changed"):
            store.restore(bad)
        with pytest.raises(StoreError, match="no such backup"):
            store.restore(tmp_path / "missing.db")
        assert len(store.reviews()) == 1


# --------------------------------------------------------------------------- migration

v1_reviews = st.lists(
    st.tuples(
        st.sampled_from(["trap-a", "faq-b", "drill-c", "gone-d"]),
        st.sampled_from([1, 2, 3, 4]),
        st.integers(0, 10**6),
        st.one_of(st.none(), st.integers(0, 60_000)),
    ),
    max_size=40,
)


def _make_v1(path: Path, rows: list[tuple[str, int, int, int | None]]) -> dict:
    """A progress file as the first schema wrote it, with fsrs states computed from ``rows``."""
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V1)
    conn.execute("PRAGMA user_version = 1")
    scheduler = fsrs.Scheduler()
    cards: dict[str, fsrs.Card] = {}
    lapses: dict[str, int] = {}
    at = T0
    logs = []
    for item_id, rating, gap, duration in rows:
        at += timedelta(seconds=gap)
        card = cards.get(item_id) or fsrs.Card(card_id=1, due=at)
        if rating == fsrs.Rating.Again and card.state == fsrs.State.Review:
            lapses[item_id] = lapses.get(item_id, 0) + 1
        cards[item_id], _ = scheduler.review_card(card, fsrs.Rating(rating), at)
        cur = conn.execute(
            "INSERT INTO review_log (item_id, rating, reviewed_at, duration_ms) VALUES (?,?,?,?)",
            (item_id, rating, at.isoformat(), duration),
        )
        logs.append((cur.lastrowid, item_id, rating, at, duration))
    for item_id, card in cards.items():
        conn.execute("INSERT INTO card_state VALUES (?, ?)", (item_id, card.to_json()))
    conn.execute("INSERT INTO ticks VALUES (4, ?)", (T0.isoformat(),))
    conn.executemany(
        "INSERT INTO settings VALUES (?, ?)",
        [("desired_retention", "0.85"), ("interview_date", "2026-12-20"), ("new_per_day", "12")],
    )
    conn.commit()
    conn.close()
    return {"logs": logs, "cards": cards, "lapses": lapses}


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=v1_reviews)
def test_upgrading_from_schema_1_keeps_every_row(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, int, int, int | None]]
) -> None:
    folder = tmp_path_factory.mktemp("v1")
    made = _make_v1(folder / "progress.db", rows)
    with open_store(folder) as store:
        assert not store.read_only
        assert any("upgraded from schema 1" in n for n in store.notices)
        reviews = store.reviews()
        assert [
            (r.id, r.item_id, int(r.rating), r.reviewed_at, r.duration_ms) for r in reviews
        ] == [(i, item, rating, at, d) for i, item, rating, at, d in made["logs"]]
        for item_id, card in made["cards"].items():
            state = store.card_state(item_id)
            assert state is not None
            assert (state.card.state, state.card.step, state.card.stability, state.card.due) == (
                card.state,
                card.step,
                card.stability,
                card.due,
            )
            assert state.reps == sum(1 for r in rows if r[0] == item_id)
            assert state.lapses == made["lapses"].get(item_id, 0)
        assert store.ticks() == {4: T0}
        assert store.settings == Settings(
            desired_retention=0.85, interview_date=date(2026, 12, 20), new_per_day=12
        )
        (pre,) = [b for b in store.list_backups() if b.reason == "pre-migration-v1"]
    kept = sqlite3.connect(pre.path)
    assert kept.execute("PRAGMA user_version").fetchone()[0] == 1
    assert kept.execute("SELECT COUNT(*) FROM review_log").fetchone()[0] == len(rows)
    kept.close()


def test_state_before_of_migrated_reviews_feeds_true_retention(tmp_path: Path) -> None:
    # Good, Good (now in Review), then Again and Good as reviews of a Review-state card.
    rows = [("faq-b", 3, 0, None), ("faq-b", 3, 600, None), ("faq-b", 1, 86400 * 3, None)]
    rows.append(("faq-b", 3, 600, None))
    _make_v1(tmp_path / "progress.db", rows)
    with open_store(tmp_path) as store:
        states = [r.state_before for r in store.reviews()]
        assert states == [None, fsrs.State.Learning, fsrs.State.Review, fsrs.State.Relearning]
        assert store.card_state("faq-b").lapses == 1  # type: ignore[union-attr]
        assert store.review_state_outcomes() == (1, 0)


def test_a_schema_1_file_that_cannot_be_written_is_upgraded_in_memory_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "progress.db"
    _make_v1(path, [("trap-a", 3, 0, None), ("faq-b", 1, 60, 900)])
    before = path.read_bytes()
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode)
    )
    with open_store(tmp_path) as store:
        assert store.read_only
        (notice,) = store.notices
        assert "is not writable" in notice and "your progress so far is shown" in notice
        assert [(r.item_id, int(r.rating)) for r in store.reviews()] == [
            ("trap-a", 3),
            ("faq-b", 1),
        ]
        assert store.settings.new_per_day == 12
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not (tmp_path / "backups").exists()


def test_a_migration_that_fails_leaves_the_file_exactly_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    _make_v1(path, [("trap-a", 3, 0, None), ("faq-b", 1, 60, 900)])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE card_state SET card = '{broken' WHERE item_id = 'faq-b'")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with open_store(tmp_path) as store:
        assert store.read_only
        assert "cannot upgrade progress.db" in store.notices[0]
    assert path.read_bytes() == before  # one transaction: nothing half-upgraded
    (pre,) = list_backups(tmp_path / "backups")
    assert pre.reason == "pre-migration-v1"
