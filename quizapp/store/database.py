"""The one database object: an open progress file's connection, the lock that serialises its
reads and writes, one short transaction per action, the pending journal while the file refuses
writes, and the session's state (settings read, undo stack, backups due). It imports only the
store's lower modules (values, connection, recovery, backups, saving, settings_io, pending).

Failures are classified once, in ``read``/``write``: in the app a write the file refuses moves
the database to memory and keeps the action in the pending journal (saving.py) until saving
works again; in a command (``strict``) it raises ``StoreError`` with the class, so the command
exits with that class's code. Opening is in recovery.py, the concepts' reads and writes are
functions over this object in the store's other modules."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from quizapp.store import backups, pending, saving, settings_io
from quizapp.store.connection import BUSY, BUSY_TIMEOUT, DAMAGE, classify, explain, mark_damaged
from quizapp.store.connection import transaction as run_transaction
from quizapp.store.identity import machine_id
from quizapp.store.recovery import in_memory, open_connection
from quizapp.store.values import StoreError

if TYPE_CHECKING:
    import fsrs

    from quizapp.settings import Settings

T = TypeVar("T")

# How often the app tries the file again while it is not saving.
RETRY_SAVING_EVERY = 5.0


class Database:
    """An open progress file. Make one with ``Database.open()``; calls are serialised with
    ``lock``, so UI worker threads may share it. The store's modules read and change its
    attributes; everything else goes through ``quizapp.store.Store``."""

    # The wall clock the register stamps read (tests give a machine a skewed clock).
    clock: Callable[[], datetime] | None = None

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
        self.conn = conn
        self.path = path
        self.backups_dir = backups_dir
        self.read_only = read_only
        self.notices = notices
        self.strict = strict
        # The class of failure that stopped saving (connection.DAMAGE, FULL, ...; "newer" for a
        # file of a newer quizapp), None while saving.
        self.problem = problem
        self.on_notice: Callable[[str], None] | None = None
        self.busy_timeout = busy_timeout
        self.lock = threading.RLock()
        # (review uuid, the item's cards row before it) for this session's reviews, newest last.
        self.undo: list[tuple[str, tuple[Any, ...] | None]] = []
        self.dirty = False  # changed since the last backup
        self.writes = 0
        self.generation = 0  # bumped whenever ``conn`` is another connection
        self.batch_depth = 0
        self.notices_seen = 0
        self.app_lock: int | None = None  # see backups.hold_app_lock
        self.outside_seen: tuple[int, int] | None = None  # see changed_elsewhere
        self.retry_every = RETRY_SAVING_EVERY
        self.last_try = 0.0
        self.journal: pending.PendingJournal | None = None
        # Every action this session saved into the file, as pending-journal entries, oldest
        # first: written again (each once: reviews by uuid) into a file that had to be
        # recovered from a backup while open (saving.check_file), so nothing since it is lost.
        self.saved_actions: list[dict[str, Any]] = []
        self.identity = self.file_identity() if not read_only else None
        # The file's (size, mtime, ctime) at the last look: see saving.check_file.
        self.main_seen: tuple[int, int, int] | None = None
        self.wal_seen: int | None = None  # the -wal's inode while this is the file
        with contextlib.suppress(OSError):
            st = os.stat(path)  # a stat, never an open
            self.main_seen = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        self.machine_cache: str | None = None
        if read_only and not strict and problem not in (None, "newer"):
            self.journal = pending.PendingJournal(path)
        # The session backup is due 30 minutes after the session started or the last backup.
        self.last_backup = datetime.now(UTC)
        # The settings last read and the scheduler they make (settings_io keeps them current).
        self.settings: Settings
        self.settings_seen = -1
        self.scheduler: fsrs.Scheduler
        settings_io.reload(self)
        if not read_only:  # (the first read made the -wal)
            with contextlib.suppress(OSError):
                self.wal_seen = os.stat(f"{path}-wal").st_ino

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        backups_dir: Path | None = None,
        busy_timeout: float = BUSY_TIMEOUT,
        strict: bool = False,
        quick_check: bool = True,
    ) -> Database:
        """Open (creating, checking, migrating or recovering) the progress file; see
        ``Store.open``. Never raises for a bad, locked or unwritable file."""
        from quizapp import paths

        path = Path(path) if path is not None else paths.db_path()
        bdir = Path(backups_dir) if backups_dir is not None else path.parent / "backups"
        notices: list[str] = []
        try:
            conn, problem = open_connection(
                path, bdir, notices, busy_timeout, quick_check=quick_check, command=strict
            )
        except Exception as exc:  # the last guard: studying must never fail to start
            why = f"cannot open {path} ({exc})"
            conn = in_memory(notices, busy_timeout, source=None, why=why, command=strict)
            problem = "io"
        read_only = problem is not None
        if not read_only:
            conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        db = cls(
            conn,
            path,
            backups_dir=bdir,
            read_only=read_only,
            notices=notices,
            busy_timeout=busy_timeout,
            strict=strict,
            problem=problem,
        )
        saving.replay_sidecar(db)
        return db

    # ---------------------------------------------------------------- who and when

    @property
    def machine(self) -> str:
        """This data folder's machine id (quizapp.store.identity): what stamps its changes."""
        if self.machine_cache is None:
            self.machine_cache = machine_id(self.path.parent, self.notice)
        return self.machine_cache

    def now(self) -> datetime:
        """This machine's clock (``clock`` when set)."""
        return (self.clock() if self.clock else datetime.now(UTC)).astimezone(UTC)

    def notice(self, message: str) -> None:
        """Tell the learner something about their progress file (``on_notice`` at once)."""
        self.notices.append(message)
        if self.on_notice is not None:
            self.on_notice(message)

    def new_notices(self) -> list[str]:
        """Notices added since the last call (e.g. a disk that filled up mid-session)."""
        new = self.notices[self.notices_seen :]
        self.notices_seen = len(self.notices)
        return new

    def file_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)  # a stat, never an open: this process holds the file
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def reload_settings(self) -> None:
        """Read the settings (and the scheduler they make) again, e.g. after a merge."""
        with self.lock:
            settings_io.reload(self)

    # ---------------------------------------------------------------- reads and writes

    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run the read ``fn`` on the connection; a failure is classified (see the module)."""
        with self.lock:
            try:
                return fn(self.conn)
            except sqlite3.DatabaseError as exc:
                kind = classify(exc)
                if self.strict or self.read_only:
                    if kind == DAMAGE and not self.read_only:
                        mark_damaged(self.path, explain(exc))  # the next open checks it whole
                    raise StoreError(
                        f"cannot read {self.path.name}: {explain(exc)}", kind
                    ) from None
                # The app: the file went bad under it (overwritten, unreadable, locked away).
                saving.fall_back(self, exc, kind)
                return fn(self.conn)

    def write(
        self,
        fn: Callable[[sqlite3.Connection], T],
        journal: Callable[[T], dict[str, Any]] | None = None,
    ) -> T:
        """Run ``fn`` in one short transaction. In the app a write the file refuses (full,
        read-only, locked too long, I/O error, damaged) moves the database to memory, where it
        is retried, and ``journal(result)`` goes into the pending journal; in a command it
        raises StoreError with the failure's class. A StoreError raised by ``fn`` passes
        through."""
        with self.lock:
            if self.batch_depth:
                return fn(self.conn)
            if self.read_only and self.journal is not None:
                saving.maybe_resume(self)
            try:
                result = run_transaction(self.conn, fn)
            except sqlite3.IntegrityError:
                raise
            except sqlite3.DatabaseError as exc:
                self.refused(exc)
                result = run_transaction(self.conn, fn)
            if self.read_only and self.journal is not None and journal is not None:
                self.keep_pending(journal(result))
            elif not self.read_only and journal is not None:
                self.saved_actions.append(journal(result))
            self.after_write()
            return result

    def refused(self, exc: sqlite3.DatabaseError) -> None:
        """A write the file refused: raise StoreError (read-only, a command), or carry on in
        memory (the app)."""
        kind = classify(exc, self.path.parent)
        if self.read_only:
            raise StoreError(
                f"cannot record this: {explain(exc, self.path.parent)}", kind
            ) from None
        if self.strict:
            if kind == DAMAGE:
                mark_damaged(self.path, explain(exc))
            raise StoreError(
                f"not saved: {self.path}: {explain(exc, self.path.parent)}"
                + ("; try again in a moment" if kind == BUSY else ""),
                kind,
            ) from None
        saving.fall_back(self, exc, kind)

    def keep_pending(self, entry: dict[str, Any]) -> None:
        """Add an action to the pending journal, saying so once the sidecar cannot take it."""
        assert self.journal is not None
        on_disk = self.journal.on_disk
        self.journal.add(entry)
        if on_disk and not self.journal.on_disk:
            self.notice(
                f"cannot write {self.journal.file.name} either ({self.journal.problem})"
                ": unsaved answers are kept in memory only; keep quizapp open until "
                "saving works again"
            )

    def after_write(self) -> None:
        self.dirty = True
        self.writes += 1
        if self.read_only or self.batch_depth:
            return
        if backups.session_backup_due(self.last_backup):
            backups.session_backup(self)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes into one transaction (imports, benchmarks). All or nothing."""
        with self.lock:
            if self.batch_depth == 0:
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                except sqlite3.Error as exc:  # a held lock, a read-only or vanished file
                    raise self.save_error(exc) from None
            self.batch_depth += 1
            try:
                yield
            except BaseException:
                self.batch_depth -= 1
                if self.batch_depth == 0:
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                raise
            self.batch_depth -= 1
            if self.batch_depth == 0:
                try:
                    self.conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    with contextlib.suppress(sqlite3.Error):
                        self.conn.execute("ROLLBACK")
                    raise self.save_error(exc) from None
                self.after_write()

    def save_error(self, exc: sqlite3.Error) -> StoreError:
        return StoreError(
            f"cannot save to {self.path.name}: {explain(exc, self.path.parent)}",
            classify(exc, self.path.parent),
        )

    # ---------------------------------------------------------------- change and closing

    @property
    def version(self) -> tuple[int, int, int]:
        """Changes whenever the data may have changed (here or in another process): cache keys."""
        with self.lock:
            try:
                other = self.conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                other = -1
            return (self.generation, self.writes, other)

    def changed_elsewhere(self) -> bool:
        """True once per batch of commits another process (or connection) made to the file
        since the last call: ``PRAGMA data_version``, a read of a counter in shared memory, cheap
        enough for the app to ask every second. Never raises, never waits: False while not
        saving, or while another thread is using the database (the next call will tell)."""
        if not self.lock.acquire(blocking=False):
            return False
        try:
            if self.read_only or self.conn is None:
                return False
            try:
                seen = (self.generation, self.conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return False
            before, self.outside_seen = self.outside_seen, seen
            return before is not None and seen != before
        finally:
            self.lock.release()

    def close(self) -> None:
        """Take the session backup when anything changed, then close. Safe to call twice."""
        with self.lock:
            if self.conn is None:
                return
            if self.read_only and self.journal is not None and len(self.journal):
                saving.retry_saving(self)
            if self.dirty and not self.read_only and backups.backup_due_at_close(self):
                backups.session_backup(self)
            with contextlib.suppress(sqlite3.Error):
                self.conn.close()
            self.conn = None  # type: ignore[assignment]
            if self.app_lock is not None:
                with contextlib.suppress(OSError):
                    os.close(self.app_lock)
                self.app_lock = None
