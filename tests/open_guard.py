"""The guard against the one way a process corrupts its own progress file: opening it (or its
-wal, -shm or -journal) with a Python file API while the same process holds an SQLite connection
to it. Closing any descriptor of a file drops every POSIX lock the process holds on it, so the
next process to close its connection believes it is the last, checkpoints and deletes the WAL
under everyone else (SQLite's "How To Corrupt", 2.2).

An audit hook sees every ``sqlite3.connect`` (with the connection object) and every ``open``
event (builtins.open, io.open, os.open, shutil's copies, Path.read_bytes ...). An open of a path
whose database has a live connection in this process is recorded; the autouse fixture in
tests/conftest.py fails the test that caused it. A test that makes a violation on purpose (the
guard's own test) takes it back with ``expect_violation``.

Child processes: tests/conftest.py puts tests/guard_site first on PYTHONPATH (``child_env``), so
every Python process a test starts (the `quizapp` command, `quizapp serve`, a `python -c`)
installs this guard in its ``sitecustomize`` and writes each violation, with its argv and stack,
into the report folder QUIZAPP_TEST_GUARD_DIR; the same fixture fails the test that started it
(``child_violations``), and ``expect_child_violation`` takes them back for the guard's own test.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import threading
import traceback
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

_SUFFIXES = ("-wal", "-shm", "-journal")
GUARD_SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "guard_site")
REPORT_ENV = "QUIZAPP_TEST_GUARD_DIR"


def _db_key(target: object) -> str | None:
    """The absolute real path of the database a ``sqlite3.connect`` argument names, or None for
    an in-memory or temporary database."""
    if isinstance(target, bytes):
        target = os.fsdecode(target)
    if not isinstance(target, str | os.PathLike):
        return None
    text = os.fspath(target)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if text.startswith("file:"):
        parsed = urllib.parse.urlparse(text)
        query = urllib.parse.parse_qs(parsed.query)
        if query.get("mode") == ["memory"]:
            return None
        text = urllib.parse.unquote(parsed.path)
    if text in ("", ":memory:"):
        return None
    return os.path.realpath(text)


def _file_key(target: object) -> str | None:
    """The database a file path belongs to (``x.db-wal`` belongs to ``x.db``), as a real path."""
    if isinstance(target, int):
        return None  # a descriptor already open: its open was seen
    if isinstance(target, bytes):
        target = os.fsdecode(target)
    if not isinstance(target, str | os.PathLike):
        return None
    text = os.fspath(target)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    for suffix in _SUFFIXES:
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    try:
        return os.path.realpath(text)
    except (OSError, ValueError):
        return None


@dataclass
class Guard:
    """The connections this process holds, by database path, and the violations seen."""

    # sqlite3.Connection takes no weak references: the guard holds the connections, and lets go
    # of one as soon as it is closed or nothing but the guard refers to it (it is then closed by
    # the collector, as it would have been without the guard), before looking at any open.
    connections: dict[str, list[sqlite3.Connection]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    pending_connect: threading.local = field(default_factory=threading.local)
    lock: threading.RLock = field(default_factory=threading.RLock)
    active: bool = True
    report_dir: str | None = None  # in a child process: where each violation is written
    # A forked child holds none of its parent's POSIX locks: the parent's connections are kept
    # here (never closed by the child) and no longer count.
    forked_away: list[sqlite3.Connection] = field(default_factory=list)

    def prune(self) -> None:
        with self.lock:
            for key in list(self.connections):
                conns = self.connections[key]
                i = 0
                while i < len(conns):
                    # Two references: the list's and getrefcount's argument.
                    if sys.getrefcount(conns[i]) <= 2 or not _is_open(conns[i]):
                        del conns[i]
                    else:
                        i += 1
                if not conns:
                    del self.connections[key]

    def live(self, key: str) -> bool:
        self.prune()
        return bool(self.connections.get(key))

    def hook(self, event: str, args: tuple[object, ...]) -> None:
        if not self.active:
            return
        if event == "sqlite3.connect":
            self.pending_connect.key = _db_key(args[0]) if args else None
        elif event == "sqlite3.connect/handle":
            key = getattr(self.pending_connect, "key", None)
            self.pending_connect.key = None
            if key is not None and args and isinstance(args[0], sqlite3.Connection):
                self.prune()
                with self.lock:
                    self.connections.setdefault(key, []).append(args[0])
        elif event == "open" and self.connections and args:
            key = _file_key(args[0])
            if key is not None and self.live(key):
                where = "".join(traceback.format_stack(limit=12)[:-1])
                found = (
                    f"{args[0]!r} opened with a Python file API while this process holds an "
                    f"SQLite connection to {key}:\n{where}"
                )
                self.violations.append(found)
                if self.report_dir is not None:
                    self.report(found)

    def report(self, found: str) -> None:
        """Write a violation of this (child) process where the test that started it looks."""
        path = os.path.join(self.report_dir or ".", f"violations-{os.getpid()}.txt")
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"process {os.getpid()} {json.dumps(sys.argv)}: {found}\n\f\n")

    def started(self) -> None:
        """Leave a mark that this (child) process connected with the guard on: its argv."""
        path = os.path.join(self.report_dir or ".", f"guarded-{os.getpid()}.json")
        # Whole or not at all: a child killed (kill -9, as the soak does) between the open and
        # the write must not leave an empty mark for the test to choke on.
        with open(f"{path}.tmp", "w", encoding="utf-8") as fh:
            json.dump(sys.argv, fh)
        os.replace(f"{path}.tmp", path)

    def after_fork(self) -> None:
        with self.lock:
            for conns in self.connections.values():
                self.forked_away.extend(conns)
            self.connections.clear()

    def take(self) -> list[str]:
        found, self.violations[:] = list(self.violations), []
        return found


def _is_open(conn: sqlite3.Connection) -> bool:
    try:
        conn.in_transaction  # noqa: B018 - raises ProgrammingError once closed (any thread)
    except sqlite3.ProgrammingError:
        return False
    return True


GUARD = Guard()
_installed = False


def install() -> Guard:
    """Install the audit hook once per process (audit hooks cannot be removed)."""
    global _installed
    if not _installed:
        sys.addaudithook(GUARD.hook)
        os.register_at_fork(after_in_child=GUARD.after_fork)
        _installed = True
    return GUARD


def child_env(report_dir: str | os.PathLike[str]) -> dict[str, str]:
    """The environment variables that make a child process run with the guard and report into
    ``report_dir`` (PYTHONPATH keeps what it had, after tests/guard_site)."""
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != GUARD_SITE]
    return {"PYTHONPATH": os.pathsep.join([GUARD_SITE, *rest]), REPORT_ENV: os.fspath(report_dir)}


def child_violations(report_dir: str | os.PathLike[str]) -> list[str]:
    """Every violation the children reporting into ``report_dir`` wrote (and forget them)."""
    found: list[str] = []
    folder = os.fspath(report_dir)
    if not os.path.isdir(folder):
        return found
    for name in sorted(os.listdir(folder)):
        if name.startswith("violations-"):
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as fh:
                found += [v.strip() for v in fh.read().split("\n\f\n") if v.strip()]
            os.remove(path)
    return found


def guarded_children(report_dir: str | os.PathLike[str]) -> list[list[str]]:
    """The argv of every child that connected to a database with the guard on."""
    folder = os.fspath(report_dir)
    argvs = []
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.startswith("guarded-") and name.endswith(".json"):
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                argvs.append(json.load(fh))
    return argvs


@contextlib.contextmanager
def expect_violation() -> Iterator[list[str]]:
    """For the guard's own test: the violations made inside the block are handed to the
    caller instead of failing the test."""
    before = len(GUARD.violations)
    seen: list[str] = []
    yield seen
    seen.extend(GUARD.violations[before:])
    del GUARD.violations[before:]


@contextlib.contextmanager
def expect_child_violation() -> Iterator[list[str]]:
    """For the guard's own test: what the children started inside the block reported is handed
    to the caller instead of failing the test."""
    folder = os.environ.get(REPORT_ENV)
    seen: list[str] = []
    yield seen
    if folder:
        seen.extend(child_violations(folder))
