"""`quizapp export --anki FILE --with-progress`, checked with the real Anki backend (the `anki`
package): the package imported into a fresh collection with "Import any learning progress",
each reviewed card has the learner's FSRS memory state, type, queue, due day, interval, reps
and lapses; a card never reviewed stays new; Anki then answers it from that state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.interop.anki_schedule import _days_until, anki_schedule
from quizapp.store import CardState, Store
from tests.unit.progress_decks import use_faq_deck

anki_collection = pytest.importorskip(
    "anki.collection", reason="the anki package is not installed (pip install anki)"
)

CARDS = ["faq-review", "faq-relearn", "faq-learning", "faq-new"]


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_faq_deck(tmp_path, monkeypatch, CARDS)


def study(now: datetime) -> dict[str, CardState]:
    """Reviews as a learner makes them, over the last weeks; the states they lead to."""
    with Store.open() as store:
        for days, rating in ((30, 3), (26, 3), (14, 3)):
            store.record_review("faq-review", rating, kind="faq", now=now - timedelta(days=days))
        for days, rating in ((20, 3), (16, 3), (1, 1)):
            store.record_review("faq-relearn", rating, kind="faq", now=now - timedelta(days=days))
        store.record_review("faq-learning", 1, kind="faq", now=now - timedelta(minutes=3))
        return store.card_states()


def import_into_anki(apkg: Path, folder: Path) -> Any:
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    folder.mkdir()
    col = anki_collection.Collection(str(folder / "collection.anki2"))
    options = ImportAnkiPackageOptions(with_scheduling=True)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options))
    return col


def cards_by_id(col: Any) -> dict[str, Any]:
    out = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        out[card.note()["Card id"]] = card
    return out


def test_anki_continues_from_the_exported_fsrs_state(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    states = study(now)
    target = tmp_path / "progress.apkg"
    assert main(["export", "--anki", str(target), "--with-progress"]) == 0
    out = capsys.readouterr().out
    assert "3 of them with your schedule" in out and "Import any learning progress" in out

    col = import_into_anki(target, tmp_path / "anki")
    try:
        cards = cards_by_id(col)
        today = col.sched.today
        report = {}
        for item in ("faq-review", "faq-relearn", "faq-learning"):
            state, card = states[item], cards[item]
            memory = card.memory_state
            assert memory is not None, item
            assert memory.stability == pytest.approx(state.card.stability, abs=1e-3)
            assert memory.difficulty == pytest.approx(state.card.difficulty, abs=1e-3)
            assert card.type == int(state.card.state)
            assert card.reps == state.reps and card.lapses == state.lapses
            assert card.last_review_time == int(state.card.last_review.timestamp())
            report[item] = {
                "quizapp": (state.card.state.name, round(state.card.stability, 3),
                            round(state.card.difficulty, 3), state.due.isoformat()),
                "anki": (card.type, card.queue, card.due, card.ivl,
                         round(memory.stability, 3), round(memory.difficulty, 3)),
            }  # fmt: skip
        review = cards["faq-review"]
        due_days = _days_until(states["faq-review"].due, now)
        assert (review.queue, review.due - today) == (2, due_days)
        assert review.ivl == max(
            1, round((states["faq-review"].due - states["faq-review"].card.last_review).days)
        )
        relearn = cards["faq-relearn"]
        assert relearn.type == 3 and relearn.lapses == 1
        # A learning step minutes away: due at that time, in seconds.
        learning = cards["faq-learning"]
        assert learning.queue == 1
        assert learning.due == int(states["faq-learning"].due.timestamp())
        fresh = cards["faq-new"]
        assert (fresh.type, fresh.queue, fresh.memory_state) == (0, 0, None)
        print(json.dumps(report, indent=1))
    finally:
        col.close()


def test_without_progress_every_card_is_new_and_with_it_alone_is_a_usage_error(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    study(datetime.now(UTC))
    target = tmp_path / "plain.apkg"
    assert main(["export", "--anki", str(target)]) == 0
    col = import_into_anki(target, tmp_path / "anki")
    try:
        assert {(c.type, c.queue) for c in cards_by_id(col).values()} == {(0, 0)}
    finally:
        col.close()
    capsys.readouterr()
    assert main(["export", "--with-progress"]) == 2
    err = capsys.readouterr().err
    assert "--with-progress goes with --anki" in err and err.count("\n") == 1


@settings(max_examples=60, deadline=None)
@given(
    stability=st.floats(0.01, 3000),
    difficulty=st.floats(1, 10),
    ahead=st.floats(-40, 400),
    state=st.sampled_from([fsrs.State.Review, fsrs.State.Relearning, fsrs.State.Learning]),
)
def test_the_fields_anki_reads_are_consistent_for_any_state(
    stability: float, difficulty: float, ahead: float, state: fsrs.State
) -> None:
    now = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
    last = now - timedelta(days=2)
    due = now + timedelta(days=ahead)
    card = fsrs.Card(
        card_id=0, state=state, step=0 if state != fsrs.State.Review else None,
        stability=stability, difficulty=difficulty, due=due, last_review=last,
    )  # fmt: skip
    fields = anki_schedule(
        CardState("x", card, 4, 1, last), today=100, now=now, retention=0.9, decay=0.15
    )
    assert fields is not None
    data = json.loads(fields.data)
    assert data["s"] == pytest.approx(stability, abs=1e-4)
    assert data["d"] == pytest.approx(difficulty, abs=1e-4)
    assert fields.type == int(state) and fields.reps == 4 and fields.lapses == 1
    if fields.queue == 1:  # intraday learning: a time, within a day
        assert abs(fields.due - due.timestamp()) < 1 and ahead < 1
    else:  # a day number, as many days from today as the due date is
        assert fields.due - 100 == _days_until(due, now)
        assert fields.queue == (2 if state == fsrs.State.Review else 3)
    assert fields.ivl >= (1 if state != fsrs.State.Learning else 0)


def test_cards_suspended_or_buried_here_are_suspended_or_buried_in_anki(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    states = study(now)
    with Store.open() as store:
        store.set_suspended(["faq-review", "faq-new"])  # one with a schedule, one new
        store.bury(["faq-relearn"], now + timedelta(hours=20))
    target = tmp_path / "flags.apkg"
    assert main(["export", "--anki", str(target), "--with-progress"]) == 0
    col = import_into_anki(target, tmp_path / "anki")
    try:
        cards = cards_by_id(col)
        by_search = {
            what: sorted(col.get_card(c).note()["Card id"] for c in col.find_cards(f"is:{what}"))
            for what in ("suspended", "buried")
        }
        assert by_search == {"suspended": ["faq-new", "faq-review"], "buried": ["faq-relearn"]}
        # Suspended, it keeps its schedule for when it is unsuspended.
        review = cards["faq-review"]
        assert review.type == 2 and review.memory_state is not None
        assert review.memory_state.stability == pytest.approx(
            states["faq-review"].card.stability, abs=1e-3
        )
        assert (cards["faq-new"].type, cards["faq-new"].memory_state) == (0, None)
        col.sched.unsuspend_cards([review.id])
        assert col.get_card(review.id).queue == 2  # back in review, where it was
        # Anki's study never shows the suspended or buried ones.
        col.decks.select(cards["faq-new"].did)
        shown = set()
        while (card := col.sched.getCard()) is not None and card.id not in shown:
            shown.add(card.id)
            col.sched.answerCard(card, 3)
        names = {col.get_card(c).note()["Card id"] for c in shown}
        assert not names & {"faq-new", "faq-relearn"}
    finally:
        col.close()
