"""The ``Store`` class: one object per open progress file, serialising reads and writes with a
lock and keeping each user action in one short transaction. Failures are classified once, in
``_read``/``_write``: in the app a write the file refuses moves the store to memory and keeps the
action in the pending journal (pending.py) until saving works again; in a command it raises
``StoreError`` with the class, so the command exits with that class's code. Opening is in
recovery.py, reads in queries.py, backups in backups.py, the tables in schema.py."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import uuid as uuidlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import fsrs

from quizapp.store import flags, ops, pending
from quizapp.store.backups import (
    _session_backup_due,
)
from quizapp.store.connection import (
    BUSY,
    BUSY_TIMEOUT,
    DAMAGE,
    _transaction,
    _why,
    classify,
)
from quizapp.store.planning import _Planning
from quizapp.store.queries import _Queries
from quizapp.store.recovery import (
    _in_memory,
    _open,
    mark_damaged,
)
from quizapp.store.saving import _Saving
from quizapp.store.schema import (
    _REVIEW_COLUMNS,
    _review,
)
from quizapp.store.settings_io import _SettingsIO
from quizapp.store.values import QuizSession, Review, StoreError, _ts, _utc

T = TypeVar("T")

# How often the app tries the file again while it is not saving.
RETRY_SAVING_EVERY = 5.0


# The mixins' stand-ins for one another's methods raise NotImplementedError, so each real method's
# mixin comes before the mixins that only declare it (_SettingsIO before _Queries and _Planning).
class Store(_Saving, _SettingsIO, _Queries, _Planning):
    """The progress store. Make one with ``Store.open()``; use it from one process or thread at
    a time per instance (calls are serialised with a lock, so UI worker threads are fine)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        backups_dir: Path,
        read_only: bool,
        notices: list[str],
        busy_timeout: float,
        strict: bool = False,
        problem: str | None = None,
    ) -> None:
        self._conn = conn
        self.path = path
        self.backups_dir = backups_dir
        self.read_only = read_only
        self.notices = notices
        self.strict = strict
        # The class of failure that stopped saving (connection.DAMAGE, FULL, ...; "newer" for a
        # file of a newer quizapp), None while saving.
        self.problem = problem
        self.on_notice: Callable[[str], None] | None = None
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        # (review uuid, the item's cards row before it) for this session's reviews, newest last.
        self._undo: list[tuple[str, tuple[Any, ...] | None]] = []
        self._dirty = False
        self._writes = 0
        self._generation = 0
        self._batch_depth = 0
        self._notices_seen = 0
        self._app_lock: int | None = None
        self._outside_seen: tuple[int, int] | None = None  # see changed_elsewhere
        self.retry_every = RETRY_SAVING_EVERY
        self._last_try = 0.0
        self._journal: pending.PendingJournal | None = None
        self._identity = self._file_identity() if not read_only else None
        if read_only and not strict and problem not in (None, "newer"):
            self._journal = pending.PendingJournal(path)
        # The session backup is due 30 minutes after the session started or the last backup.
        self._last_backup = datetime.now(UTC)
        self._use_settings(self._load_settings())

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        backups_dir: Path | None = None,
        busy_timeout: float = BUSY_TIMEOUT,
        strict: bool = False,
        quick_check: bool = True,
    ) -> Store:
        """Open (creating, checking, migrating or recovering) the progress file. Never raises
        for a bad, locked or unwritable file: see the ``quizapp.store`` docstring for each
        outcome. ``strict`` (commands): a write the file refuses raises StoreError instead of
        being kept pending. ``quick_check=False`` leaves the full check to ``verify()`` (the app
        runs it after its first frame).

        ``backups_dir`` defaults to ``backups/`` beside the file.
        """
        from quizapp import paths

        path = Path(path) if path is not None else paths.db_path()
        bdir = Path(backups_dir) if backups_dir is not None else path.parent / "backups"
        notices: list[str] = []
        try:
            conn, problem = _open(path, bdir, notices, busy_timeout, quick_check=quick_check)
        except Exception as exc:  # the last guard: studying must never fail to start
            why = f"cannot open {path} ({exc})"
            conn, problem = _in_memory(notices, busy_timeout, source=None, why=why), "io"
        read_only = problem is not None
        if not read_only:
            conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        store = cls(
            conn,
            path,
            backups_dir=bdir,
            read_only=read_only,
            notices=notices,
            busy_timeout=busy_timeout,
            strict=strict,
            problem=problem,
        )
        store._replay_sidecar()
        return store

    # ---------------------------------------------------------------- plumbing

    def _notice(self, message: str) -> None:
        self.notices.append(message)
        if self.on_notice is not None:
            self.on_notice(message)

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                return fn(self._conn)
            except sqlite3.DatabaseError as exc:
                kind = classify(exc)
                if self.strict or self.read_only:
                    if kind == DAMAGE and not self.read_only:
                        mark_damaged(self.path, _why(exc))  # the next open checks it whole
                    raise StoreError(f"cannot read {self.path.name}: {_why(exc)}", kind) from None
                # The app: the file went bad under it (overwritten, unreadable, locked away).
                self._fall_back(exc, kind)
                return fn(self._conn)

    def _write(
        self,
        fn: Callable[[sqlite3.Connection], T],
        journal: Callable[[T], dict[str, Any]] | None = None,
    ) -> T:
        """Run ``fn`` in one short transaction. In the app a write the file refuses (full,
        read-only, locked too long, I/O error, damaged) moves the store to memory, where it is
        retried, and ``journal(result)`` goes into the pending journal; in a command it raises
        StoreError with the failure's class. A StoreError raised by ``fn`` passes through."""
        with self._lock:
            if self._batch_depth:
                return fn(self._conn)
            if self.read_only and self._journal is not None:
                self._maybe_resume()
            try:
                result = _transaction(self._conn, fn)
            except sqlite3.IntegrityError:
                raise
            except sqlite3.DatabaseError as exc:
                kind = classify(exc, self.path.parent)
                if self.read_only:
                    raise StoreError(
                        f"cannot record this: {_why(exc, self.path.parent)}", kind
                    ) from None
                if self.strict:
                    if kind == DAMAGE:
                        mark_damaged(self.path, _why(exc))
                    raise StoreError(
                        f"not saved: {self.path} {_why(exc, self.path.parent)}"
                        + ("; try again in a moment" if kind == BUSY else ""),
                        kind,
                    ) from None
                self._fall_back(exc, kind)
                result = _transaction(self._conn, fn)
            if self.read_only and self._journal is not None and journal is not None:
                on_disk = self._journal.on_disk
                self._journal.add(journal(result))
                if on_disk and not self._journal.on_disk:
                    self._notice(
                        f"cannot write {self._journal.file.name} either ({self._journal.problem})"
                        ": unsaved answers are kept in memory only; keep quizapp open until "
                        "saving works again"
                    )
            self._after_write()
            return result

    def _after_write(self) -> None:
        self._dirty = True
        self._writes += 1
        if self.read_only or self._batch_depth:
            return
        if _session_backup_due(self._last_backup):
            self._session_backup()

    @property
    def version(self) -> tuple[int, int, int]:
        """Changes whenever the data may have changed (here or in another process): cache keys."""
        with self._lock:
            try:
                other = self._conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                other = -1
            return (self._generation, self._writes, other)

    def changed_elsewhere(self) -> bool:
        """True once per batch of commits another process (or connection) made to the file
        since the last call: ``PRAGMA data_version``, a read of a counter in shared memory, cheap
        enough for the app to ask every second. Never raises, never waits: False while not
        saving, or while another thread is using the store (the next call will tell)."""
        if not self._lock.acquire(blocking=False):
            return False
        try:
            if self.read_only or self._conn is None:
                return False
            try:
                seen = (self._generation, self._conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return False
            before, self._outside_seen = self._outside_seen, seen
            return before is not None and seen != before
        finally:
            self._lock.release()

    def new_notices(self) -> list[str]:
        """Notices added since the last call (e.g. a disk that filled up mid-session)."""
        new = self.notices[self._notices_seen :]
        self._notices_seen = len(self.notices)
        return new

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes into one transaction (imports, benchmarks). All or nothing."""
        with self._lock:
            if self._batch_depth == 0:
                try:
                    self._conn.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as exc:  # a held lock, a read-only or vanished file
                    raise self._save_error(exc) from None
            self._batch_depth += 1
            try:
                yield
            except BaseException:
                self._batch_depth -= 1
                if self._batch_depth == 0:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise
            self._batch_depth -= 1
            if self._batch_depth == 0:
                try:
                    self._conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                    raise self._save_error(exc) from None
                self._after_write()

    def _save_error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(
            f"cannot save to {self.path.name}: {_why(exc, self.path.parent)}",
            classify(exc, self.path.parent),
        )

    def close(self) -> None:
        """Take the session backup when anything changed, then close. Safe to call twice."""
        with self._lock:
            if self._conn is None:
                return
            if self.read_only and self._journal is not None and len(self._journal):
                self.retry_saving()
            if self._dirty and not self.read_only and self._backup_due_at_close():
                self._session_backup()
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None  # type: ignore[assignment]
            if self._app_lock is not None:
                with contextlib.suppress(OSError):
                    os.close(self._app_lock)
                self._app_lock = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- reviews

    def record_review(
        self,
        item_id: str,
        rating: fsrs.Rating | int,
        *,
        kind: str | None,
        duration_ms: int | None = None,
        answer: str | None = None,
        verdict: str | None = None,
        seed: int | None = None,
        now: datetime | None = None,
    ) -> Review:
        """Review an item with fsrs and save the review and the new state in one transaction.

        ``kind`` is the item's kind (a card kind such as ``trap``, or a drill kind), stored so
        stats per kind survive the card being removed. ``answer``/``verdict`` are what the learner
        typed and how it was judged; ``seed`` the drill's seed (a 64-bit int). The returned
        review's ``due`` is when the item comes back. In the app this never loses the review:
        when the file cannot be written it is kept pending (see ``_write``).
        """
        rating = fsrs.Rating(int(rating))
        at = _utc(now)
        uid = str(uuidlib.uuid4())
        entry = {"op": "review", "uuid": uid, "item_id": item_id, "rating": int(rating),
                 "kind": kind, "at": _ts(at), "duration_ms": duration_ms, "answer": answer,
                 "verdict": verdict, "seed": seed}  # fmt: skip
        review, before = self._write(
            lambda c: ops.review_in(
                self._scheduler,
                c,
                item_id,
                rating,
                kind,
                at,
                duration_ms,
                answer,
                verdict,
                seed,
                None,
                uid,
            ),
            lambda _r: entry,
        )
        self._undo.append((uid, before))
        return review

    # ---------------------------------------------------------------- the card browser

    def card_flags(self) -> dict[str, flags.CardFlags]:
        """Suspended, buried and reset cards (every other card has no flags)."""
        return flags.card_flags(self)

    def hidden_ids(self, now: datetime | None = None) -> set[str]:
        """Cards suspended or buried at ``now``: study, cram, plan and readiness leave them out."""
        return flags.hidden_ids(self, _utc(now))

    def set_suspended(self, item_ids: list[str], suspended: bool = True) -> None:
        flags.set_suspended(self, item_ids, suspended)

    def bury(self, item_ids: list[str], until: datetime | None) -> None:
        """Bury the cards until ``until`` (None unburies them)."""
        flags.bury(self, item_ids, until)

    def reset_progress(self, item_id: str, *, now: datetime | None = None) -> flags.ResetUndo:
        """Make the card new again (its reviews stay in the log); ``undo_reset`` takes it back."""
        return flags.reset_progress(self, item_id, now=now)

    def undo_reset(self, undo: flags.ResetUndo) -> bool:
        return flags.undo_reset(self, undo)

    def review_summaries(self, item_ids: list[str] | None = None) -> dict[str, flags.ItemSummary]:
        return flags.summaries(self, item_ids)

    def undo_last_review(self) -> Review | None:
        """Undo the newest review this session recorded itself (found by its uuid, so a review
        another process or a restore put under the same id is never touched): delete it (and its
        quiz answer) and put the item's scheduling state back exactly as it was. None when there
        is nothing to undo, or when the item was reviewed elsewhere since."""
        undone: list[tuple[str, tuple[Any, ...] | None]] = []

        def write(conn: sqlite3.Connection) -> Review | None:
            while self._undo:
                uid, before = self._undo[-1]
                row = conn.execute(
                    f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE uuid = ?", (uid,)
                ).fetchone()
                if row is None:  # gone (e.g. a restore replaced the file)
                    self._undo.pop()
                    continue
                review = _review(row)
                if not ops.undo_in(conn, review.item_id, uid, before, self._scheduler):
                    return None
                undone.append((uid, before))
                return review
            return None

        def journal(_r: Review | None) -> dict[str, Any]:
            uid, before = undone[-1]
            return {"op": "undo", "uuid": uid, "before": list(before) if before else None}

        review = self._write(write, None)
        if review is not None:
            self._undo.pop()
            uid = undone[-1][0]
            if self.read_only and self._journal is not None:
                # A review still pending is simply dropped; a saved one is undone on replay.
                if any(e.get("uuid") == uid for e in self._journal.entries):
                    self._journal.drop(lambda e: e.get("uuid") == uid)
                else:
                    self._journal.add(journal(review))
        return review

    # ---------------------------------------------------------------- checklist

    def set_ticked(self, number: int, ticked: bool, now: datetime | None = None) -> None:
        """Tick (with the time) or untick revision-checklist item ``number``."""
        at = _ts(_utc(now) if now is not None else self.now())
        self._write(
            lambda c: ops.tick_in(c, number, ticked, at, self.machine),
            lambda stamp: {"op": "tick", "number": number, "ticked": ticked, "at": at,
                           "stamp": stamp},
        )  # fmt: skip

    # ---------------------------------------------------------------- quizzes

    def start_quiz(self, mode: str, config: dict[str, Any], now: datetime | None = None) -> int:
        """Start a quiz session; ``config`` (JSON-serialisable) records how it was set up."""
        text = json.dumps(config, sort_keys=True, default=str)
        at = _ts(_utc(now))
        return self._write(
            lambda c: ops.start_quiz_in(c, mode, text, at),
            lambda ref: {"op": "start_quiz", "ref": ref, "mode": mode, "config": text, "at": at},
        )

    def record_quiz_answer(
        self,
        quiz_id: int,
        item_id: str,
        *,
        correct: bool,
        rating: fsrs.Rating | int,
        answer: str | None = None,
        verdict: str | None = None,
        duration_ms: int | None = None,
        kind: str | None = None,
        seed: int | None = None,
        now: datetime | None = None,
    ) -> Review:
        """Save a quiz answer and, in the same transaction, a review of the item with ``rating``
        (which ``quizapp.policy`` decides) so the scheduler is fed. Pass the item's ``kind`` so
        stats per kind are right (default: the quiz's mode). Undo removes both.
        """
        chosen = fsrs.Rating(int(rating))
        at = _utc(now)
        uid = str(uuidlib.uuid4())
        entry = {"op": "quiz_answer", "uuid": uid, "quiz": quiz_id, "item_id": item_id,
                 "correct": correct, "answer": answer, "verdict": verdict,
                 "duration_ms": duration_ms, "kind": kind, "rating": int(chosen),
                 "seed": seed, "at": _ts(at)}  # fmt: skip

        def write(conn: sqlite3.Connection) -> tuple[Review, tuple[Any, ...] | None]:
            return ops.quiz_answer_in(self, conn, entry, quiz_id)

        review, before = self._write(write, lambda _r: entry)
        self._undo.append((uid, before))
        return review

    def finish_quiz(self, quiz_id: int, now: datetime | None = None) -> QuizSession:
        at = _ts(_utc(now))
        self._write(
            lambda c: ops.finish_quiz_in(c, quiz_id, at),
            lambda _r: {"op": "finish_quiz", "quiz": quiz_id, "at": at},
        )
        for session in self.quiz_sessions():
            if session.id == quiz_id:
                return session
        if self.read_only:  # a stand-in that never saw the quiz: kept pending, not an error
            when = _utc(now)
            return QuizSession(quiz_id, "", {}, when, when, 0, 0)
        raise StoreError(f"quiz {quiz_id} does not exist")
