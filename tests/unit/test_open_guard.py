"""The open guard (tests/open_guard.py) catches what it is there for, and only that."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from quizapp.store import Store
from tests.open_guard import expect_violation


def test_reading_the_file_of_an_open_store_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.set_ticked(1, True)
        with expect_violation() as seen:
            path.read_bytes()
        assert len(seen) == 1 and "progress.db" in seen[0]
        with expect_violation() as seen:
            os.close(os.open(f"{path}-wal", os.O_RDONLY))
            shutil.copyfile(f"{path}-shm", tmp_path / "copy")
        assert len(seen) == 2


def test_a_plain_sqlite_connection_counts_and_a_closed_one_does_not(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(f"file:{path}?mode=rwc", uri=True)
    conn.execute("CREATE TABLE t (x)")
    with expect_violation() as seen, open(path, "rb") as fh:
        fh.read(16)
    assert len(seen) == 1
    conn.close()
    with expect_violation() as seen:
        path.read_bytes()  # nobody holds it now: fine
        (tmp_path / "unrelated.txt").write_text("x")
    assert seen == []


def test_a_file_read_before_the_first_connection_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    Store.open(path).close()
    with expect_violation() as seen:
        header = path.read_bytes()[:16]
        with Store.open(path) as store:
            store.set_ticked(2, True)
    assert header == b"SQLite format 3\x00" and seen == []
