"""`quizapp sync` leaves this machine's file alone when it already holds exactly this store's
progress, and writes it again after any change: whatever a learner did between two syncs (or
did not do), the file in the shared folder is what ``export`` says right then."""

from __future__ import annotations

import io
import json
import os
import re
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.settings import Settings
from quizapp.store import Store

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)


@pytest.fixture(autouse=True, scope="module")
def _small_chunks() -> Any:
    """The reviews are read a chunk at a time (``LOGGED_CHUNK``); chunks of 2 here, so every
    test's file is read across chunk boundaries (the file holds each review once, in order)."""
    from quizapp.store import progress_export

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(progress_export, "LOGGED_CHUNK", 2)
        yield


ITEMS = ["faq-a", "faq-b", "trap-c"]


def _sync(home: Path, folder: Path) -> str:
    os.environ["QUIZAPP_HOME"] = str(home)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["sync", str(folder)])
    assert code == 0, err.getvalue()
    return out.getvalue()


def _without_time(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "exported_at"}


def _as_synced(export: dict[str, Any]) -> dict[str, Any]:
    """An export as a sync file holds it: its reviews in the order they were stored (row id),
    without the state before and due after that a replay derives."""
    derived = ("state_before", "due")
    reviews = sorted(export["reviews"], key=lambda r: r["id"])
    return {
        **export,
        "reviews": [{k: v for k, v in r.items() if k not in derived} for r in reviews],
    }


def _act(store: Store, action: str, n: int) -> None:
    """One thing a learner does between syncs (``n`` picks the card, rating, value)."""
    item, at = ITEMS[n % len(ITEMS)], T0 + timedelta(hours=n + 1)
    if action == "review":
        store.record_review(item, n % 4 + 1, kind="faq", now=at)
    elif action == "undo":
        store.undo_last_review()
    elif action == "tick":
        store.set_ticked(n % 3 + 1, bool(n % 2), now=at)
    elif action == "setting":
        store.save_settings(Settings(new_per_day=5 + n % 3, desired_retention=0.85 + n % 2 / 20))
    elif action == "suspend":
        store.set_suspended([item], bool(n % 2))
    elif action == "bury":
        store.bury([item], at + timedelta(days=1))
    elif action == "reset":
        store.reset_progress(item, now=at)
    elif action == "quiz":
        quiz = store.start_quiz("quiz", {"n": n}, now=at)
        store.record_quiz_answer(quiz, item, correct=bool(n % 2), rating=3, now=at)
        store.finish_quiz(quiz, now=at)
    elif action == "cram":
        store.record_cram(item, n % 4 + 1, now=at)


ACTIONS = ["nothing", "review", "undo", "tick", "setting", "suspend", "bury", "reset", "quiz",
           "cram"]  # fmt: skip


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 50)), min_size=1, max_size=6))
def test_the_file_always_holds_what_export_says_and_is_written_only_after_a_change(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int]]
) -> None:
    root = tmp_path_factory.mktemp("own")
    home, shared = root / "home", root / "Sync"
    home.mkdir()
    shared.mkdir()
    with Store.open(home / "progress.db") as store:
        store.record_review("faq-a", 3, kind="faq", now=T0)
        me = store.machine
    own = shared / f"{me}.json"
    assert "wrote 1 review to" in _sync(home, shared)
    try:
        with Store.open(home / "progress.db") as store:
            for action, n in steps:
                before, old_bytes = own.stat(), own.read_bytes()
                _act(store, action, n)
                out = _sync(home, shared)
                exported = _without_time(store.export())
                on_disk = _without_time(json.loads(own.read_text(encoding="utf-8")))
                assert on_disk == _as_synced(json.loads(json.dumps(exported)))
                after = own.stat()
                unchanged = (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
                assert unchanged == ("already holds" in out)
                if action == "nothing":
                    assert unchanged
                if action != "undo":
                    # The reviews written before are kept byte for byte, the new ones after.
                    kept = old_bytes[: old_bytes.index(b"\n  ],\n")]
                    assert own.read_bytes().startswith(kept)
    finally:
        os.environ.pop("QUIZAPP_HOME", None)


def _home_with_file(tmp_path: Path) -> tuple[Path, Path, Path]:
    home, shared = tmp_path / "home", tmp_path / "Sync"
    home.mkdir()
    shared.mkdir()
    with Store.open(home / "progress.db") as store:
        for day in range(3):
            store.record_review("faq-a", 3, kind="faq", now=T0 + timedelta(days=day))
        own = shared / f"{store.machine}.json"
    return home, shared, own


def test_a_file_changed_in_place_at_the_same_size_and_time_is_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path / "home"))
    home, shared, own = _home_with_file(tmp_path)
    _sync(home, shared)
    assert "already holds your 3 reviews" in _sync(home, shared)
    good = own.read_bytes()
    info = own.stat()
    # Another tool flips one digit of a review's time: same size, same modification time.
    at = re.search(rb'"reviewed_at": ?"2026-10-0', good).end()  # type: ignore[union-attr]
    bad = good[:at] + (b"9" if good[at : at + 1] != b"9" else b"8") + good[at + 1 :]
    own.write_bytes(bad)
    os.utime(own, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert "wrote 3 reviews" in _sync(home, shared)
    assert _without_time(json.loads(own.read_bytes())) == _without_time(json.loads(good))


def test_a_deleted_or_replaced_file_is_written_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path / "home"))
    home, shared, own = _home_with_file(tmp_path)
    _sync(home, shared)
    own.unlink()
    assert "wrote 3 reviews" in _sync(home, shared)
    assert len(json.loads(own.read_text())["reviews"]) == 3
    target = tmp_path / "elsewhere.json"
    target.write_text(own.read_text())
    own.unlink()
    own.symlink_to(target)  # a link planted in its place is replaced, never followed
    assert "wrote 3 reviews" in _sync(home, shared)
    assert not own.is_symlink() and target.read_text() != ""


def test_the_pre_sync_backup_is_taken_only_when_a_merge_changes_something(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path / "home"))
    home, shared, _own = _home_with_file(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    with Store.open(other / "progress.db") as store:
        store.record_review("faq-b", 3, kind="faq", now=T0)
    _sync(other, shared)

    def pre_sync() -> list[str]:
        return sorted(p.name for p in (home / "backups").glob("*pre-sync*"))

    assert "added 1 of the 1 review in" in _sync(home, shared)
    assert len(pre_sync()) == 1
    taken = pre_sync()
    assert "merged 0 new reviews" in _sync(home, shared)
    assert pre_sync() == taken


def test_a_sync_encodes_only_the_reviews_stored_since_its_last_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A day's study on a long history: the file keeps the reviews it holds, byte for byte, and
    only the day's are read and encoded; an undo of a review it holds, or a record written by
    an older layout, has it written whole."""
    from quizapp.store import progress_export, replica

    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path / "home"))
    home, shared, own = _home_with_file(tmp_path)
    encoded: list[int] = []
    real = progress_export.logged_reviews

    def counted(db: Any, after_id: int = 0, sep: str = ",") -> tuple[str, int, int]:
        text, n, last = real(db, after_id, sep)
        encoded.append(n)
        return text, n, last

    monkeypatch.setattr(progress_export, "logged_reviews", counted)
    assert "wrote 3 reviews" in _sync(home, shared)
    assert encoded == [3]
    with Store.open(home / "progress.db") as store:
        store.record_review("faq-b", 3, kind="faq", now=T0 + timedelta(days=5))
        store.record_review("faq-c", 1, kind="faq", now=T0 + timedelta(days=5, hours=1))
        exported = store.export()
        before = own.read_bytes()
        assert "wrote 5 reviews" in _sync(home, shared)
        assert encoded == [3, 2]
        after = own.read_bytes()
        assert after.startswith(before[: before.index(b"\n  ],\n")])
        assert _without_time(json.loads(after)) == _as_synced(_without_time(exported))

        store.undo_last_review()  # the newest review, which the file holds: written whole
        exported = store.export()
        assert "wrote 4 reviews" in _sync(home, shared)
        assert encoded == [3, 2, 4]
        assert _without_time(json.loads(own.read_bytes())) == _as_synced(_without_time(exported))

    with Store.open(home / "progress.db") as store:
        store.record_review("faq-c", 3, kind="faq", now=T0 + timedelta(days=6))
        key = str(own.absolute())
        last = replica.last_written(store.db, key)
        assert last is not None and last.layout is not None
        replica.record_written(store.db, key, replica.Written(last.digest, "", last.reviews))
    assert "wrote 5 reviews" in _sync(home, shared)
    assert encoded == [3, 2, 4, 5]


def test_a_store_that_recorded_its_file_before_it_grew_writes_it_whole_once_then_adds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A progress file whose record of the sync file is from before files grew (no byte or row
    id of its reviews): the file is written whole once, then grows."""
    import sqlite3

    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path / "home"))
    home, shared, own = _home_with_file(tmp_path)
    _sync(home, shared)
    db = home / "progress.db"
    with sqlite3.connect(db) as conn:  # the table as an older quizapp made it
        (digest, fingerprint, reviews) = conn.execute(
            "SELECT digest, fingerprint, reviews FROM sync_written"
        ).fetchone()
        conn.execute("DROP TABLE sync_written")
        conn.execute(
            "CREATE TABLE sync_written (path TEXT PRIMARY KEY, digest TEXT NOT NULL, "
            "fingerprint TEXT NOT NULL, reviews INTEGER NOT NULL)"
        )
        conn.execute(
            "INSERT INTO sync_written VALUES (?, ?, ?, ?)",
            (str(own.absolute()), digest, fingerprint, reviews),
        )
    conn.close()
    assert "already holds your 3 reviews" in _sync(home, shared)  # nothing changed: kept
    with Store.open(db) as store:
        store.record_review("faq-b", 3, kind="faq", now=T0 + timedelta(days=4))
    assert "wrote 4 reviews" in _sync(home, shared)
    with Store.open(db) as store:
        store.record_review("faq-b", 3, kind="faq", now=T0 + timedelta(days=5))
        before = own.read_bytes()
        assert "wrote 5 reviews" in _sync(home, shared)
        after = own.read_bytes()
        assert after.startswith(before[: before.index(b"\n  ],\n")])
        assert _without_time(json.loads(after)) == _as_synced(_without_time(store.export()))
