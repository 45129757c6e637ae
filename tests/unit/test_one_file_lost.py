"""A progress file lost, deleted under the open app, or surrounded by odd backups: recovered or
said, never silently empty; the learner's files private."""

from __future__ import annotations

import json
import os
import shutil
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from quizapp.cli import main
from quizapp.store import Store
from quizapp.store.backups import app_is_open, list_backups, rotate
from tests.helpers import run_quizapp


def _reviews(store: Store, n: int, prefix: str = "card") -> None:
    for i in range(n):
        store.record_review(f"{prefix}-{i}", fsrs.Rating.Good, kind="faq")


def test_a_missing_file_next_to_good_backups_is_restored_and_said(
    quizapp_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = quizapp_home / "progress.db"
    with Store.open(path) as store:
        _reviews(store, 5)
        store.backup("manual")
    for p in quizapp_home.glob("progress.db*"):
        p.unlink()
    assert main(["stats", "--json"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["reviews_total"] == 5
    lines = out.err.strip().splitlines()
    assert len(lines) == 1 and "progress.db was missing: restored" in lines[0]
    assert main(["stats", "--json"]) == 0  # and only once
    assert capsys.readouterr().err == ""


def test_no_backups_and_no_file_starts_empty_quietly(
    quizapp_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["reviews_total"] == 0


def test_the_data_folder_deleted_under_an_open_store_is_written_back(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path = folder / "progress.db"
    store = Store.open(path)
    store.hold_app_lock()  # as the app does
    heard: list[str] = []
    store.on_notice = heard.append
    _reviews(store, 4)
    shutil.rmtree(folder)  # only names are removed: no file is opened
    store.check_file()
    assert heard and "was deleted while quizapp was open: written back" in heard[0]
    assert app_is_open(store.path)  # the new lock file is held: "quizapp restore" refuses
    _reviews(store, 2, "after")
    assert not store.read_only
    with Store.open(path) as other:  # another process sees it all, in the file
        assert len(other.reviews()) == 6
    store.close()
    with Store.open(path) as again:
        assert len(again.reviews()) == 6 and not again.notices


def test_a_file_replaced_under_an_open_store_gets_this_session_and_saving_goes_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.db"
    store = Store.open(path)
    heard: list[str] = []
    store.on_notice = heard.append
    _reviews(store, 3)
    for p in tmp_path.glob("progress.db*"):
        p.unlink()
    Store.open(path).close()  # another process made a new, empty one meanwhile
    store.check_file()
    assert not store.read_only and "replaced by another file" in heard[0]
    assert "3 reviews missing from it were merged into it" in heard[0]
    assert "kept as backup" in heard[0]
    orphaned = [b for b in list_backups(tmp_path / "backups") if b.reason == "orphaned"]
    assert len(orphaned) == 1
    store.record_review("later", fsrs.Rating.Good, kind="faq")
    store.close()
    with Store.open(path) as again:
        assert sorted(r.item_id for r in again.reviews()) == [
            *(f"card-{i}" for i in range(3)),
            "later",
        ]
    with Store.open(orphaned[0].path) as old:
        assert len(old.reviews()) == 3


def test_backups_dated_in_the_future_never_push_out_real_ones(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    bdir = tmp_path / "backups"
    with Store.open(path) as store:
        _reviews(store, 2)
        taken = store.backup("manual")
    future = datetime.now(UTC) + timedelta(days=400)
    for i in range(12):  # a clock that was a year ahead once
        stamp = (future + timedelta(minutes=i)).strftime("%Y%m%dT%H%M%S.%f")
        shutil.copyfile(taken, bdir / f"progress-{stamp}Z-session.db")
    with Store.open(path) as store:
        _reviews(store, 1, "more")
        newest = store.backup("manual")
        again = store.backup("manual")
    names = {b.path for b in list_backups(bdir)}
    assert {taken, newest, again} <= names  # each real backup kept
    assert len(names) == 15  # the future ones kept too, not deleted
    rotate(bdir, datetime.now(UTC))
    assert {taken, newest, again} <= {b.path for b in list_backups(bdir)}
    for p in tmp_path.glob("progress.db*"):
        p.unlink()
    with Store.open(path) as store:  # recovery picks the newest real one
        assert again.name in store.notices[0]
        assert len(store.reviews()) == 3
    shown = run_quizapp("backup", "--list", env={"QUIZAPP_HOME": str(tmp_path)})
    assert shown.stdout.count("dated in the future") == 12


def test_backup_list_shows_only_backup_files(tmp_path: Path) -> None:
    with Store.open(tmp_path / "progress.db") as store:
        real = store.backup("manual")
    bdir = tmp_path / "backups"
    (bdir / "progress-20260101T000000.000000Z-manual.db").mkdir()  # a folder
    (bdir / "progress-20260102T000000.000000Z-manual.db").symlink_to(real)
    (bdir / "progress-20261399T000000.000000Z-manual.db").write_text("month 13")
    (bdir / "notes.txt").write_text("mine")
    shown = run_quizapp("backup", "--list", env={"QUIZAPP_HOME": str(tmp_path)})
    assert shown.returncode == 0, shown.stderr
    listed = [ln for ln in shown.stdout.splitlines() if ln.startswith("  progress-")]
    assert len(listed) == 1 and real.name in listed[0]


def test_a_killed_backups_leftovers_go_at_the_next_backup(tmp_path: Path) -> None:
    with Store.open(tmp_path / "progress.db") as store:
        store.backup("manual")
        bdir = tmp_path / "backups"
        dead = 2**22 + 12345  # above pid_max's default: no such process
        left = [bdir / f"progress-20260101T000000.000000Z-manual.{dead}.tmp"]
        left.append(Path(f"{left[0]}-journal"))
        for p in left:
            p.write_bytes(b"half")
        mine = bdir / f"progress-20260101T000000.000000Z-manual.{os.getpid()}.tmp"
        mine.write_bytes(b"in progress")  # a live process's: left alone
        store.backup("manual")
    assert not any(p.exists() for p in left) and mine.exists()


def test_the_learners_files_are_private(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "quizapp"
    env = {"QUIZAPP_HOME": str(home)}
    assert run_quizapp("checklist", "tick", "1", env=env).returncode == 0
    assert run_quizapp("backup", env=env).returncode == 0
    assert run_quizapp("export", "-o", str(home / "mine.json"), env=env).returncode == 0
    for p in [home, *home.rglob("*")]:
        if "cache" in p.parts:
            continue
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600), (p, oct(mode))


RESTORE = """
import sys
from pathlib import Path
from quizapp.store import Store
store = Store.open(Path(sys.argv[1]), strict=True)
print("open", flush=True)
store.restore(Path(sys.argv[2]))
store.close()
"""


@pytest.mark.slow
def test_a_restore_killed_at_any_moment_never_lowers_the_review_id_mark(tmp_path: Path) -> None:
    import random
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        _reviews(store, 3)
        old = store.backup("manual")
        _reviews(store, 40, "later")
    rng = random.Random(7)
    for _ in range(6):
        proc = subprocess.Popen(
            [sys.executable, "-c", RESTORE, str(path), str(old)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None and proc.stdout.readline() == "open\n"
        time.sleep(rng.uniform(0, 0.05))  # a kill at a random moment of the restore
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        conn = sqlite3.connect(path)
        try:
            seq = conn.execute("SELECT seq FROM sqlite_sequence WHERE name='reviews'").fetchone()
            assert seq[0] >= 43
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            conn.close()


def test_export_never_writes_over_the_progress_file(
    quizapp_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(quizapp_home / "progress.db") as store:
        _reviews(store, 2)
    for name in ("progress.db", "progress.db-wal"):
        assert main(["export", "-o", str(quizapp_home / name)]) == 2
        assert "is your progress file itself" in capsys.readouterr().err
    with Store.open(quizapp_home / "progress.db") as store:
        assert len(store.reviews()) == 2
