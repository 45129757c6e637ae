"""Faults a learner's progress must survive: a killed process, damaged or foreign files, a newer
schema, another quizapp holding the file, a data folder that cannot be written, a full disk."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import fsrs
import pytest

from quizapp.store import Store, StoreError
from tests.helpers import hold_lock

WRITER = r"""
import sys
from pathlib import Path
from quizapp.store import Store

store = Store.open(Path(sys.argv[1]))
assert not store.read_only, store.notices
prefix = sys.argv[2] if len(sys.argv) > 2 else "w"
count = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
for i in range(count):
    review = store.record_review(
        f"card-{i % 37}", 1 + i % 4, kind="faq", answer=f"{prefix} {i}", duration_ms=i
    )
    # Written only once committed, as one write() of a whole line.
    sys.stdout.write(f"{review.id} {review.answer}\n")
    sys.stdout.flush()
store.close()
"""


def _writer(path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def _consistent(store: Store) -> None:
    """Each review and its card state were saved together: counts agree for every item."""
    per_item: dict[str, int] = {}
    for review in store.reviews():
        per_item[review.item_id] = per_item.get(review.item_id, 0) + 1
    states = store.card_states()
    assert set(states) == set(per_item)
    assert all(states[i].reps == n for i, n in per_item.items())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
@pytest.mark.parametrize("kill_after", [0, 3, 140, 420, 777])
def test_sigkill_at_a_random_point_loses_no_committed_review(
    tmp_path: Path, kill_after: int
) -> None:
    path = tmp_path / "progress.db"
    rng = random.Random(kill_after)
    proc = _writer(path)
    assert proc.stdout is not None
    committed: list[str] = []
    while len(committed) < kill_after:
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "writer ended early"
        committed.append(line.strip())
    # Then a random extra moment, so the kill lands anywhere in the next transaction.
    time.sleep(rng.uniform(0, 0.004))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Read the rest through the same buffered reader readline() used: communicate() would read
    # the raw pipe and skip lines already in this reader's buffer (the old flaky under-count).
    rest = proc.stdout.read()
    committed += [line.strip() for line in rest.splitlines(keepends=True) if line.endswith("\n")]
    assert proc.returncode == -signal.SIGKILL
    assert len(committed) < 1000  # it really was killed before the end

    assert _integrity(path) == "ok"
    with Store.open(path) as store:
        assert store.notices == [] and not store.read_only
        saved = {f"{r.id} {r.answer}" for r in store.reviews()}
        assert set(committed) <= saved
        assert len(saved) <= len(committed) + 1  # at most the one in flight also made it
        _consistent(store)


@pytest.mark.slow
def test_two_quizapps_writing_at_once_both_keep_every_review(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    Store.open(path).close()  # created first, as a running app would have
    procs = [_writer(path, name, "150") for name in ("left", "right")]
    outputs = [p.communicate(timeout=60) for p in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    with Store.open(path) as store:
        answers = [r.answer or "" for r in store.reviews()]
        assert sum(a.startswith("left ") for a in answers) == 150
        assert sum(a.startswith("right ") for a in answers) == 150
        _consistent(store)
    assert _integrity(path) == "ok"


def test_a_write_blocked_by_another_program_is_kept_pending_not_lost_nor_a_hang(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.record_review("a", fsrs.Rating.Good, kind="faq")
    holder = hold_lock(path, "write")
    try:
        strict = Store.open(path, busy_timeout=0.2, strict=True)  # what a command does
        with pytest.raises(StoreError, match="locked by another program") as err:
            strict.record_review("b", fsrs.Rating.Good, kind="faq")
        assert "\n" not in err.value.message and err.value.kind == "busy"
        strict.close()
        store = Store.open(path, busy_timeout=0.2)  # the app
        assert not store.read_only  # reading works beside a writer
        assert [r.item_id for r in store.reviews()] == ["a"]
        store.record_review("b", fsrs.Rating.Good, kind="faq")
        assert store.read_only and store.unsaved == 1
        assert "locked by another program" in store.new_notices()[-1]
    finally:
        holder.kill()
        holder.wait()
    store.retry_every = 0
    store.record_review("c", fsrs.Rating.Good, kind="faq")  # saving works again: both saved
    assert not store.read_only and store.unsaved == 0
    store.close()
    with Store.open(path) as store:
        assert [r.item_id for r in store.reviews()] == ["a", "b", "c"]


def test_a_batch_blocked_by_another_program_says_so_in_one_line_and_keeps_nothing(
    tmp_path: Path,
) -> None:
    """Imports and merges group their writes in ``store.batch()``: a held lock must give the
    same one-line StoreError as a single write, not SQLite's own exception."""
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.record_review("a", fsrs.Rating.Good, kind="faq")
    holder = hold_lock(path, "write")
    try:
        strict = Store.open(path, busy_timeout=0.2, strict=True)
        with (
            pytest.raises(StoreError, match="locked by another program") as err,
            strict.batch(),
        ):
            strict.record_review("b", fsrs.Rating.Good, kind="faq")
        assert "\n" not in err.value.message and err.value.kind == "busy"
        strict.close()
    finally:
        holder.kill()
        holder.wait()
    with Store.open(path) as store:
        assert [r.item_id for r in store.reviews()] == ["a"]


def test_a_file_locked_exclusively_opens_in_memory_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.record_review("a", fsrs.Rating.Good, kind="faq")
    holder = hold_lock(path, "exclusive")
    try:
        store = Store.open(path, busy_timeout=0.2)
        assert store.read_only
        (notice,) = store.notices
        assert "locked by another program" in notice and "studying without saving" in notice
        store.record_review("b", fsrs.Rating.Good, kind="faq")  # studying still works
        assert store.unsaved == 1
    finally:
        holder.kill()
        holder.wait()
    store.close()  # the lock is gone: the pending review is saved on the way out
    with Store.open(path) as store:
        assert [r.item_id for r in store.reviews()] == ["a", "b"]


# --------------------------------------------------------------------------- damaged files


def _store_with_backup(path: Path, n: int = 3) -> None:
    with Store.open(path) as store, store.batch():
        for i in range(n):
            store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq", answer=str(i))
    # closing took the session backup


def _only(pattern: str, folder: Path) -> Path:
    (found,) = [
        p for p in folder.iterdir() if p.name.startswith(pattern) and "-" not in p.name[-4:]
    ]
    return found


def test_a_garbage_file_is_moved_aside_with_its_wal_and_the_newest_backup_restored(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.db"
    _store_with_backup(path)
    garbage = random.Random(1).randbytes(20_000)
    path.write_bytes(garbage)
    Path(f"{path}-wal").write_bytes(b"stale wal")
    with Store.open(path) as store:
        (notice,) = store.notices
        assert [r.answer for r in store.reviews()] == ["0", "1", "2"]
        assert not store.read_only
    moved = _only("progress.db.damaged-", tmp_path)
    assert f"moved to {moved.name}" in notice and "restored backup progress-" in notice
    assert moved.read_bytes() == garbage  # never deleted, never changed
    assert Path(f"{moved}-wal").read_bytes() == b"stale wal"


def test_a_garbage_file_without_backups_starts_empty_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    path.write_bytes(b"\x00garbage" * 1000)
    with Store.open(path) as store:
        (notice,) = store.notices
        assert "no good backup found; starting with empty progress" in notice
        assert store.reviews() == [] and not store.read_only
        store.record_review("a", fsrs.Rating.Good, kind="faq")
    assert _only("progress.db.damaged-", tmp_path).read_bytes() == b"\x00garbage" * 1000
    with Store.open(path) as store:
        assert store.notices == [] and len(store.reviews()) == 1


def test_a_truncated_file_is_recovered_from_the_backup(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    _store_with_backup(path, n=1500)
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.truncate(size // 2)
    with Store.open(path) as store:
        (notice,) = store.notices
        assert "was damaged" in notice and "restored backup" in notice
        assert len(store.reviews()) == 1500
        _consistent(store)


def test_an_emptied_file_next_to_good_backups_is_recovered(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    _store_with_backup(path)
    path.write_bytes(b"")
    with Store.open(path) as store:
        assert "the file is empty" in store.notices[0]
        assert len(store.reviews()) == 3


def test_a_bad_backup_is_skipped_for_an_older_good_one(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    _store_with_backup(path)
    with Store.open(path) as store:
        store.record_review("later", fsrs.Rating.Good, kind="faq")
        newest = store.backup("manual")
    newest.write_bytes(b"broken backup")
    path.write_bytes(b"broken db")
    with Store.open(path) as store:
        assert newest.name not in store.notices[0]
        assert {r.item_id for r in store.reviews()} >= {"card-0", "card-1", "card-2"}


def test_a_file_from_a_newer_quizapp_is_left_untouched_and_read_only(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    _store_with_backup(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.execute("ALTER TABLE reviews ADD COLUMN mood TEXT")  # a newer version adds things
    conn.commit()
    conn.close()
    before = _digest(path)
    with Store.open(path) as store:
        assert store.read_only
        (notice,) = store.notices
        assert "newer quizapp (schema 99" in notice and "left untouched" in notice
        assert len(store.reviews()) == 3  # its progress is still shown
        store.record_review("x", fsrs.Rating.Good, kind="faq")
    assert _digest(path) == before


def test_a_newer_file_this_version_cannot_read_starts_empty_but_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE progress_v9 (blob BLOB)")
    conn.execute("PRAGMA user_version = 9")
    conn.commit()
    conn.close()
    before = _digest(path)
    with Store.open(path) as store:
        assert store.read_only and store.reviews() == []
        assert "schema 9" in store.notices[0]
    assert _digest(path) == before


def test_an_sqlite_file_of_another_program_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (name TEXT)")
    conn.execute("INSERT INTO photos VALUES ('cat.jpg')")
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        (notice,) = store.notices
        assert "not a quizapp progress file" in notice
        assert not store.read_only
    moved = _only("progress.db.damaged-", tmp_path)
    conn = sqlite3.connect(moved)
    assert conn.execute("SELECT name FROM photos").fetchall() == [("cat.jpg",)]
    conn.close()


# --------------------------------------------------------------------------- cannot write


def test_a_data_folder_that_cannot_be_created_still_lets_you_study(tmp_path: Path) -> None:
    # chmod does not stop root (tests may run as root), so the data folder is made impossible
    # instead: its parent is a regular file.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    store = Store.open(blocker / "quizapp" / "progress.db")
    assert store.read_only
    (notice,) = store.notices
    assert "cannot create the data folder" in notice and "studying without saving" in notice
    store.record_review("a", fsrs.Rating.Good, kind="faq")
    assert [r.item_id for r in store.reviews()] == ["a"]
    with pytest.raises(StoreError):
        store.backup()
    store.close()
    assert blocker.read_text() == "a file where a folder should be"


def test_a_folder_the_os_reports_unwritable_shows_progress_and_saves_when_it_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Root passes every permission check, so the OS's answer is simulated here; the real
    # chmod version below runs when the tests do not run as root.
    path = tmp_path / "progress.db"
    _store_with_backup(path)
    before = _digest(path)
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if mode == os.W_OK else real_access(p, mode)
    )
    with Store.open(path) as store:
        assert store.read_only
        (notice,) = store.notices
        assert "is not writable" in notice and "your progress so far is shown" in notice
        assert len(store.reviews()) == 3
        assert _digest(path) == before  # opening changed nothing
        store.record_review("new", fsrs.Rating.Good, kind="faq")
        assert store.unsaved == 1
    monkeypatch.undo()
    # Root can in fact write, so closing saved the pending review rather than dropping it.
    with Store.open(path) as store:
        assert [r.item_id for r in store.reviews()][-1] == "new"
    assert [p.name for p in tmp_path.iterdir() if "damaged" in p.name] == []


def test_a_writable_file_in_a_folder_the_os_reports_unwritable_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # SQLite needs the folder too (for the -wal and -shm files), so the file alone is not enough.
    path = tmp_path / "progress.db"
    _store_with_backup(path)
    before = _digest(path)
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode: False if mode == os.W_OK and Path(p) == tmp_path else real_access(p, mode),
    )
    with Store.open(path) as store:
        assert store.read_only
        (notice,) = store.notices
        assert notice.startswith(f"{tmp_path} is not writable")
        assert "your progress so far is shown" in notice
        assert len(store.reviews()) == 3
    monkeypatch.undo()
    assert _digest(path) == before


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores chmod")
def test_a_read_only_data_folder_shows_progress_and_saves_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "progress.db"
    _store_with_backup(path)
    for p in home.iterdir():
        if p.is_file():
            p.chmod(0o444)
    home.chmod(0o555)
    try:
        with Store.open(path) as store:
            assert store.read_only and "not writable" in store.notices[0]
            assert len(store.reviews()) == 3
            store.record_review("new", fsrs.Rating.Good, kind="faq")
    finally:
        home.chmod(0o755)
    with Store.open(path) as store:
        assert len(store.reviews()) == 3


def test_a_disk_that_fills_up_mid_session_keeps_you_studying_and_loses_nothing_saved(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.db"
    store = Store.open(path)
    store.record_review("early", fsrs.Rating.Good, kind="faq")
    # Simulate a full disk: cap the file at its current size, so the next page it needs is
    # refused with SQLITE_FULL exactly as a full disk would.
    pages = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
    store.db.conn.execute(f"PRAGMA max_page_count = {pages}")
    big = "x" * 5000
    for i in range(20):
        store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq", answer=big)
        if store.read_only:
            break
    assert store.read_only, "the cap never filled up"
    notices = store.new_notices()
    assert len(notices) == 1 and "disk is full" in notices[0]
    in_memory = len(store.reviews())
    assert in_memory == i + 2  # the review that hit the full disk is not lost for the session
    store.close()
    assert _integrity(path) == "ok"
    with Store.open(path) as store:
        saved = [r.item_id for r in store.reviews()]
    # Closing found the file writable again (a new connection has no cap): nothing was lost.
    assert saved[0] == "early" and len(saved) == in_memory
