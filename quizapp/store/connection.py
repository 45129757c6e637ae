"""SQLite connections at the lowest level: connecting, file URIs, telling a lock from other
failures, and one-line reasons for them."""

from __future__ import annotations

import contextlib
import sqlite3
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

BUSY_TIMEOUT = 2.0  # seconds a write waits for another quizapp before giving up

T = TypeVar("T")


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _why(exc: BaseException) -> str:
    """A short reason for a failed file operation."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    text = str(exc)
    low = text.lower()
    if "full" in low:
        return "the disk is full"
    if "readonly" in low or "read-only" in low:
        return "the file cannot be written"
    return text


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
