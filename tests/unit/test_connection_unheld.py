"""The one place that reads a database file with Python (recovery.copy_into, when the file went
bad under the app) does it only while this process holds no connection to it, and no other
thread can open one in between: closing the copy's descriptor would drop every POSIX lock the
process holds on the file (SQLite's "how to corrupt" list). Real files, real threads."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from quizapp.store.connection import connect, unheld


def _db(tmp_path: Path) -> Path:
    path = tmp_path / "progress.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    return path


def test_unheld_says_whether_a_connection_to_the_file_is_open(tmp_path: Path) -> None:
    path = _db(tmp_path)
    with unheld(path) as free:
        assert free
    conn = connect(path, 1.0)
    with unheld(path) as free:
        assert not free
    other = connect(tmp_path / "other.db", 1.0)  # another file does not count
    conn.close()
    with unheld(path) as free:
        assert free
    other.close()
    conn.close()  # closing twice is harmless and does not count twice
    with unheld(path) as free:
        assert free


def test_no_connection_is_made_while_another_thread_reads_the_file(tmp_path: Path) -> None:
    path = _db(tmp_path)
    inside, done = threading.Event(), threading.Event()
    made: list[sqlite3.Connection] = []
    seen_while_inside: list[bool] = []

    def opener() -> None:
        inside.wait()
        made.append(connect(path, 1.0))
        done.set()

    thread = threading.Thread(target=opener)
    thread.start()
    with unheld(path) as free:
        assert free
        inside.set()
        # The opener may run now; it must wait for this block to end. (A bound for a negative:
        # with the lock it cannot finish in any time; without it, it would finish at once. A
        # busy machine can only make it finish later, never make this fail.)
        thread.join(timeout=0.2)
        seen_while_inside.append(done.is_set())
        with unheld(path) as again:  # (re-entrant in one thread) still nothing held
            assert again
    thread.join()
    assert seen_while_inside == [False] and done.is_set()
    with unheld(path) as free:
        assert not free  # the opener's connection, made after the block
    made[0].close()
