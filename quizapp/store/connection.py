"""SQLite connections at the lowest level: connecting, file URIs, and the one place where a
failure is classified (damage, full, read-only, busy, I/O) and given a one-line reason."""

from __future__ import annotations

import contextlib
import errno
import sqlite3
import urllib.parse
from collections.abc import Callable
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


def classify(exc: BaseException) -> str:
    """The class of a failed store operation: DAMAGE, FULL, READ_ONLY, BUSY or IO."""
    if isinstance(exc, OSError):
        return _ERRNO_CLASSES.get(exc.errno or 0, IO)
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _SQLITE_CLASSES:
        return _SQLITE_CLASSES[code & 0xFF]
    # Errors raised without a code (older SQLite, the sqlite3 module itself): by their text.
    low = str(exc).lower()
    if "malformed" in low or "not a database" in low or "corrupt" in low:
        return DAMAGE
    if "full" in low:
        return FULL
    if "readonly" in low or "read-only" in low:
        return READ_ONLY
    if "locked" in low or "busy" in low:
        return BUSY
    return IO


def _why(exc: BaseException) -> str:
    """A short reason for a failed file operation."""
    kind = classify(exc)
    if kind == FULL:
        return "the disk is full"
    if kind == READ_ONLY:
        return "the file cannot be written"
    if kind == BUSY:
        return "locked by another program"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _connect(target: str | Path, busy_timeout: float, *, uri: bool = False) -> sqlite3.Connection:
    # Autocommit mode: every transaction is an explicit BEGIN IMMEDIATE ... COMMIT.
    # check_same_thread off because the UI may call from worker threads; Store serialises with
    # a lock.
    return sqlite3.connect(
        str(target),
        timeout=busy_timeout,
        isolation_level=None,
        check_same_thread=False,
        uri=uri,
    )


def _uri(path: Path, query: str) -> str:
    return f"file:{urllib.parse.quote(str(path.absolute()))}?{query}"


def _transaction(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
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
