"""The progress file replaced under the open app (an older copy moved over it, another quizapp
process that found it damaged and restored a backup in its place): what the learner did before
the replacement, after it and in the other process all stays in the file, and the app goes on
saving into it. The files are copied and moved by other processes: this one holds connections."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import fsrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.settings import Settings
from quizapp.store import Store
from quizapp.store.backups import list_backups
from tests.helpers import overwrite_pages, run_quizapp

# A consistent copy of a live progress file, as another program (or the learner) makes one.
_SNAPSHOT = "import sqlite3, sys; sqlite3.connect(sys.argv[1]).backup(sqlite3.connect(sys.argv[2]))"


def _snapshot(path: Path, dest: Path) -> None:
    subprocess.run([sys.executable, "-c", _SNAPSHOT, str(path), str(dest)], check=True)


def _review(store: Store, item: str) -> None:
    store.record_review(item, fsrs.Rating.Good, kind="faq")


def _in_file(path: Path) -> tuple[list[str], set[int], float]:
    with Store.open(path, strict=True) as store:
        items = [r.item_id for r in store.reviews()]
        return items, set(store.ticks()), store.settings.desired_retention


phase = st.lists(st.integers(1, 16), max_size=3, unique=True)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    before=st.integers(0, 4),
    between=st.integers(0, 4),
    after=st.integers(0, 3),
    ticks_before=phase,
    ticks_between=phase,
    retention=st.sampled_from([None, 0.8, 0.93]),
)
def test_an_older_copy_moved_over_the_open_file_loses_nothing_and_saving_goes_on(
    before: int,
    between: int,
    after: int,
    ticks_before: list[int],
    ticks_between: list[int],
    retention: float | None,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.db"
        store = Store.open(path)
        heard: list[str] = []
        store.on_notice = heard.append
        for i in range(before):
            _review(store, f"before-{i}")
        for n in ticks_before:
            store.set_ticked(n, True)
        _snapshot(path, Path(tmp) / "old.db")
        for i in range(between):
            _review(store, f"between-{i}")
        for n in ticks_between:
            store.set_ticked(n, True)
        if retention is not None:
            store.save_settings(Settings(desired_retention=retention))
        subprocess.run(["mv", str(Path(tmp) / "old.db"), str(path)], check=True)
        store.check_file()
        assert heard and "replaced by another file" in heard[-1]
        assert not store.read_only, heard[-1]  # saving goes on, into the file there now
        for i in range(after):
            _review(store, f"after-{i}")
        expected = (
            [f"before-{i}" for i in range(before)]
            + [f"between-{i}" for i in range(between)]
            + [f"after-{i}" for i in range(after)]
        )
        assert sorted(r.item_id for r in store.reviews()) == sorted(expected)  # shown
        store.close()
        items, ticks, kept_retention = _in_file(path)
        assert sorted(items) == sorted(expected)  # each once, in the file
        assert ticks == set(ticks_before) | set(ticks_between)
        assert kept_retention == (retention or Settings().desired_retention)


def test_a_command_that_recovers_the_damaged_file_under_the_app_keeps_the_apps_reviews(
    quizapp_home: Path,
) -> None:
    path = quizapp_home / "progress.db"
    store = Store.open(path)
    heard: list[str] = []
    store.on_notice = heard.append
    for i in range(3):
        _review(store, f"early-{i}")
    store.backup("manual")
    for i in range(300):  # after the backup: in this session only (and its WAL)
        store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq", answer="v" * 200)
    overwrite_pages(path, 0)  # the file's bytes are garbage now (the app's cache hides it)
    tick = run_quizapp("checklist", "tick", "3", env={"QUIZAPP_HOME": str(quizapp_home)})
    assert tick.returncode == 0, tick.stderr
    assert "was damaged" in tick.stderr  # moved aside, and a backup restored in its place
    store.check_file()
    assert not store.read_only and "300 reviews missing from it were merged" in heard[-1]
    _review(store, "later")
    assert 3 in store.ticks()  # the command's tick is shown
    store.close()
    items, ticks, _ = _in_file(path)
    expected = [f"early-{i}" for i in range(3)] + [f"card-{i}" for i in range(300)] + ["later"]
    assert sorted(items) == sorted(expected) and ticks == {3}
    reasons = {b.reason for b in list_backups(quizapp_home / "backups")}
    assert {"orphaned", "replaced"} <= reasons  # the session, and the file before the merge


# Bytes written over the open file in place (same inode), by another process.
_IN_PLACE = {
    "garbage": "head -c 20000 /dev/urandom > {path}",
    "empty": ": > {path}",
    "half": "truncate -s $(( $(stat -c %s {path}) / 2 )) {path}",
    "older copy": "cp {old} {path}",
}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    how=st.sampled_from(sorted(_IN_PLACE)),
    checkpointed=st.booleans(),
    before=st.integers(1, 4),
    between=st.integers(1, 3),
    after=st.integers(0, 2),
)
def test_bytes_written_over_the_open_file_are_noticed_and_every_review_stays(
    how: str, checkpointed: bool, before: int, between: int, after: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "progress.db"
        store = Store.open(path)
        heard: list[str] = []
        store.on_notice = heard.append
        store.backup("manual")
        for i in range(before):
            _review(store, f"before-{i}")
        _snapshot(path, Path(tmp) / "old.db")
        for i in range(between):
            _review(store, f"between-{i}")
        if checkpointed:  # a long session: the reviews are in the file, not the WAL
            store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        command = _IN_PLACE[how].format(path=path, old=Path(tmp) / "old.db")
        subprocess.run(["bash", "-c", command], check=True)
        store.check_file()
        if checkpointed:  # (else the WAL still holds every page the reviews changed)
            assert heard and "was overwritten while quizapp was open" in heard[-1]
        assert not store.read_only
        expected = [f"before-{i}" for i in range(before)] + [f"between-{i}" for i in range(between)]
        seen = run_quizapp("stats", "--json", env={"QUIZAPP_HOME": tmp})
        assert seen.returncode == 0 and seen.stderr == ""  # a good file, nothing to recover
        assert json.loads(seen.stdout)["reviews_total"] == len(expected)
        for i in range(after):
            _review(store, f"after-{i}")
        store.close()
        items, _, _ = _in_file(path)
        assert sorted(items) == sorted(expected + [f"after-{i}" for i in range(after)])


_CHECKPOINT = (
    "import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA wal_checkpoint(TRUNCATE)')"
)


def test_overwritten_where_the_app_cannot_read_it_either_recovers_and_loses_nothing(
    quizapp_home: Path,
) -> None:
    """The file overwritten in place where even the open connection cannot read it: the newest
    backup is restored, and what this session saved since (reviews, an undo, a tick, a
    setting) is written into it again, so nothing is lost and saving goes on."""
    path = quizapp_home / "progress.db"
    store = Store.open(path)
    heard: list[str] = []
    store.on_notice = heard.append
    for i in range(2):
        _review(store, f"backed-up-{i}")
    store.backup("manual")
    for i in range(3):  # only in the file once another process checkpoints it
        _review(store, f"since-{i}")
    _review(store, "undone")
    store.undo_last_review()
    store.set_ticked(7, True)
    store.save_settings(Settings(desired_retention=0.85))
    subprocess.run([sys.executable, "-c", _CHECKPOINT, str(path)], check=True)
    overwrite_pages(path, 0)  # and this connection's cache was dropped by that checkpoint
    store.check_file()
    assert not store.read_only, heard[-1]
    assert "was overwritten while quizapp was open" in heard[-1]
    assert "restored backup" in heard[-1], heard[-1]
    assert "written into it again; saving goes on" in heard[-1], heard[-1]
    _review(store, "later")
    seen = run_quizapp("stats", "--json", env={"QUIZAPP_HOME": str(quizapp_home)})
    assert seen.stderr == "" and json.loads(seen.stdout)["reviews_total"] == 6
    store.close()
    items, ticks, retention = _in_file(path)
    assert sorted(items) == ["backed-up-0", "backed-up-1", "later", "since-0", "since-1",
                             "since-2"]  # fmt: skip
    assert ticks == {7} and retention == 0.85


def test_overwritten_before_anything_was_saved_this_session_says_so(quizapp_home: Path) -> None:
    path = quizapp_home / "progress.db"
    with Store.open(path) as first:
        _review(first, "earlier-session")
        first.backup("manual")
    store = Store.open(path)
    heard: list[str] = []
    store.on_notice = heard.append
    subprocess.run([sys.executable, "-c", _CHECKPOINT, str(path)], check=True)
    overwrite_pages(path, 0)
    store.check_file()
    assert not store.read_only and "nothing was saved in it this session" in heard[-1], heard
    store.close()
    assert _in_file(path)[0] == ["earlier-session"]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mine=st.integers(1, 4), theirs=st.integers(1, 4), checkpointed=st.booleans())
def test_another_learners_file_moved_over_the_open_one_keeps_both(
    mine: int, theirs: int, checkpointed: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "other" / "progress.db"
        with Store.open(other) as store:
            for i in range(theirs):
                _review(store, f"theirs-{i}")
        path = Path(tmp) / "progress.db"
        store = Store.open(path)
        heard: list[str] = []
        store.on_notice = heard.append
        for i in range(mine):
            _review(store, f"mine-{i}")
        if checkpointed:
            store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _snapshot(other, Path(tmp) / "theirs.db")
        subprocess.run(["mv", str(Path(tmp) / "theirs.db"), str(path)], check=True)
        store.check_file()
        assert not store.read_only and "merged into it" in heard[-1], heard[-1]
        store.close()
        items, _, _ = _in_file(path)
        expected = [f"mine-{i}" for i in range(mine)] + [f"theirs-{i}" for i in range(theirs)]
        assert sorted(items) == sorted(expected)
        assert not list(Path(tmp).glob("*damaged*"))  # their file was not taken for damaged
