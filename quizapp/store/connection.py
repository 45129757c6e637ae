"""SQLite connections at the lowest level: connecting, file URIs, and the one place where a
failure is classified (damage, full, read-only, busy, I/O) and given a one-line reason, and the
mark a run leaves beside a file it found damaged. It imports only the standard library."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

BUSY_TIMEOUT = 2.0  # seconds a write waits for another program's lock before giving up

T = TypeVar("T")

# The classes of store failure. Only DAMAGE means the file's bytes are bad; it is the only class
# that ever moves a file aside. Everything else leaves the file alone.
DAMAGE = "damage"  # SQLITE_CORRUPT, SQLITE_NOTADB, a failed integrity check
FULL = "full"  # SQLITE_FULL, ENOSPC, EDQUOT
READ_ONLY = "read-only"  # SQLITE_READONLY, SQLITE_PERM, EACCES, EROFS
BUSY = "busy"  # SQLITE_BUSY, SQLITE_LOCKED: a lock held by some program
IO = "io"  # SQLITE_IOERR, SQLITE_CANTOPEN and anything else the OS refused

_SQLITE_CLASSES = {
    11: DAMAGE,  # SQLITE_CORRUPT
    26: DAMAGE,  # SQLITE_NOTADB
    13: FULL,  # SQLITE_FULL
    8: READ_ONLY,  # SQLITE_READONLY
    3: READ_ONLY,  # SQLITE_PERM
    23: READ_ONLY,  # SQLITE_AUTH
    5: BUSY,  # SQLITE_BUSY
    6: BUSY,  # SQLITE_LOCKED
}
_ERRNO_CLASSES = {
    errno.ENOSPC: FULL,
    errno.EDQUOT: FULL,
    errno.EACCES: READ_ONLY,
    errno.EPERM: READ_ONLY,
    errno.EROFS: READ_ONLY,
}


# Below this much free space an "I/O error" is the disk being full: SQLite reports a -shm or
# -wal it cannot create or grow as SQLITE_IOERR, not SQLITE_FULL.
LOW_SPACE = 1024 * 1024


def classify(exc: BaseException, where: Path | None = None) -> str:
    """The class of a failed store operation: DAMAGE, FULL, READ_ONLY, BUSY or IO. ``where``
    (the data folder): an I/O error there while it has almost no free space is FULL."""
    kind = _classify(exc)
    if kind == IO and where is not None and _nearly_full(where):
        return FULL
    return kind


def _nearly_full(where: Path) -> bool:
    try:
        st = os.statvfs(where)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < LOW_SPACE


def _classify(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return _ERRNO_CLASSES.get(exc.errno or 0, IO)
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _SQLITE_CLASSES:
        return _SQLITE_CLASSES[code & 0xFF]
    # Errors raised without a code (older SQLite, the sqlite3 module itself): by their text.
    low = str(exc).lower()
    # "Could not decode to UTF-8 column ...": quizapp only ever stores valid text, so bytes that
    # do not decode were changed on the disk.
    if "malformed" in low or "not a database" in low or "corrupt" in low or "decode" in low:
        return DAMAGE
    if "full" in low:
        return FULL
    if "readonly" in low or "read-only" in low:
        return READ_ONLY
    if "locked" in low or "busy" in low:
        return BUSY
    return IO


def explain(exc: BaseException, where: Path | None = None) -> str:
    """A short reason for a failed file operation."""
    kind = classify(exc, where)
    if kind == FULL:
        return "the disk is full"
    if kind == READ_ONLY:
        return "the file cannot be written"
    if kind == BUSY:
        return "locked by another program"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


# The database files this process holds a connection to (real path -> how many), so the one
# place that may copy a file with Python (recovery._copy_into) knows when it must not: closing
# any descriptor of a file drops every POSIX lock this process holds on it, and the next process
# to close its connection would then delete the WAL under the others.
_HELD: dict[str, int] = {}
# Held while a connection to a file is made and counted, and through ``unheld``'s block: a
# check that no connection is held and the Python read after it cannot be split by another
# thread opening one (the app reads from worker threads).
_HELD_LOCK = threading.RLock()


def _held_key(target: str | Path, uri: bool) -> str | None:
    text = str(target)
    if uri and text.startswith("file:"):
        text = urllib.parse.unquote(text[5:].split("?", 1)[0])
    if text in ("", ":memory:"):
        return None
    return os.path.realpath(text)


class _Connection(sqlite3.Connection):
    """A connection that keeps ``_HELD`` up to date."""

    _held: str | None = None

    def close(self) -> None:
        super().close()  # first: a close that fails leaves the connection open, and counted
        key, self._held = self._held, None
        if key is not None:
            with _HELD_LOCK:
                _HELD[key] -= 1
                if not _HELD[key]:
                    del _HELD[key]


@contextlib.contextmanager
def unheld(path: Path) -> Iterator[bool]:
    """Whether this process holds no quizapp connection to ``path``; and while the block runs,
    no connection to a file is made in this process (another thread's ``connect`` waits), so a
    Python read of ``path`` in the block never overlaps a connection's POSIX locks."""
    with _HELD_LOCK:
        yield _HELD.get(os.path.realpath(path), 0) == 0


def connect(target: str | Path, busy_timeout: float, *, uri: bool = False) -> sqlite3.Connection:
    # Autocommit mode: every transaction is an explicit BEGIN IMMEDIATE ... COMMIT.
    # check_same_thread off because the UI may call from worker threads; Store serialises with
    # a lock.
    key = _held_key(target, uri)
    # A file's connection is made and counted at once, never inside an ``unheld`` block.
    with _HELD_LOCK if key is not None else contextlib.nullcontext():
        conn = sqlite3.connect(
            str(target),
            timeout=busy_timeout,
            isolation_level=None,
            check_same_thread=False,
            uri=uri,
            factory=_Connection,
        )
        if key is not None:
            _HELD[key] = _HELD.get(key, 0) + 1
            conn._held = key
    return conn


def file_uri(path: Path, query: str) -> str:
    return f"file:{urllib.parse.quote(str(path.absolute()))}?{query}"


def transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    """Run ``fn`` in one ``BEGIN IMMEDIATE`` transaction: committed whole, or rolled back."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = fn(conn)
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    return result


def damage_mark(path: Path) -> Path:
    """A note beside the progress file that a run found it damaged (a full check after the
    app's first frame, or text that does not decode): the next open checks the whole file and,
    if the damage is still there, recovers it from a backup."""
    return path.with_name(path.name + ".check-failed")


def mark_damaged(path: Path, why: str) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(damage_mark(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, (why + "\n").encode())
        finally:
            os.close(fd)
