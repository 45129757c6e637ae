"""Helpers for tests that drive the installed `quizapp` command as a learner would. Every child
inherits the open guard's environment (tests/conftest.py, tests/open_guard.py): a command that
opens its own progress file with a Python file API fails the test that ran it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

BIN = Path(sys.executable).parent


def quizapp_command() -> str:
    """The installed console script next to this interpreter."""
    path = BIN / "quizapp"
    assert path.exists(), f"quizapp is not installed in {BIN}; run 'make install-test'"
    return str(path)


def run_quizapp(
    *args: str,
    input: str | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [quizapp_command(), *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
    )


# Another program (a plain sqlite3 connection, not quizapp) holding a progress file's lock:
# "write" holds the write lock (BEGIN IMMEDIATE, readers still read), "exclusive" locks readers
# out too.
LOCK_HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive":
    conn.execute("PRAGMA locking_mode=EXCLUSIVE")
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("INSERT INTO settings VALUES ('held', '1')")
else:
    conn.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(60)
"""


def hold_lock(path: Path, how: str = "write") -> subprocess.Popen[str]:
    """Start a process that holds ``path``'s lock (see LOCK_HOLDER) and return once it does;
    kill it to let go."""
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(path), how], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    return proc


@contextlib.contextmanager
def held_lock(path: Path, how: str = "write") -> Iterator[subprocess.Popen[str]]:
    """``hold_lock`` for the length of a ``with`` block (the holder is killed at its end, or
    earlier by the block itself)."""
    proc = hold_lock(path, how)
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


# Garbage over every page of a database file but the first, as a faulty disk or another program
# might: written by another process, because this one may hold a connection to the file (see
# tests/open_guard.py: a Python open here would drop that connection's locks).
_OVERWRITE_PAGES = """
import os, sys
path, start = sys.argv[1], int(sys.argv[2])
size = os.stat(path).st_size
with open(path, "r+b") as fh:
    fh.seek(start)
    fh.write(os.urandom(size - start))
"""


def overwrite_pages(path: Path, start: int = 4096) -> None:
    """Random bytes over ``path`` from byte ``start`` to its end, from another process."""
    subprocess.run([sys.executable, "-c", _OVERWRITE_PAGES, str(path), str(start)], check=True)


def read_terminal(leader: int) -> str:
    """Everything a command wrote to the pseudo-terminal whose leader end is ``leader``, until
    it ended (the read fails with EIO once the other end is closed), with "\\r\\n" as "\\n"."""
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the command has ended and closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks).decode().replace("\r\n", "\n")
