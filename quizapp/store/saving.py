"""The Store's saving machinery, a mixin so core.py keeps the actions: what happens when the
file stops taking writes (carry on in memory, keep a pending journal, retry, report), the
full check after the app's first frame, the app lock that keeps ``restore`` out while the app
is open, and backups and restores."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizapp.store import ops, pending
from quizapp.store.backups import (
    _check_backup,
    _copy_backup,
    _list_backups,
    _rotate,
    _take_backup,
)
from quizapp.store.connection import DAMAGE, _connect, _transaction, _why, classify
from quizapp.store.recovery import STAND_IN_ID, _copy_into, _empty_in_memory, mark_damaged
from quizapp.store.schema import SCHEMA_VERSION, _migrate
from quizapp.store.values import Backup, StoreError

if TYPE_CHECKING:
    from quizapp.settings import Settings

# A command (not the app) takes its session backup only when the newest backup is older than
# this, so a handful of commands cannot push the learner's real history out of the rotation.
COMMAND_BACKUP_EVERY = timedelta(minutes=5)


class _Saving:
    """Needs the Store's connection, lock, path and notices (see core.Store.__init__)."""

    _conn: sqlite3.Connection
    _lock: threading.RLock
    _busy_timeout: float
    _generation: int
    _journal: pending.PendingJournal | None
    _last_try: float
    _last_backup: datetime
    _dirty: bool
    _undo: list[tuple[str, tuple[Any, ...] | None]]
    _app_lock: int | None
    _identity: tuple[int, int] | None
    path: Path
    backups_dir: Path
    read_only: bool
    strict: bool
    problem: str | None
    retry_every: float
    _notice: Callable[[str], None]
    _load_settings: Callable[[], Settings]
    _use_settings: Callable[[Settings], None]

    def _replay_sidecar(self) -> None:
        """Actions left unsaved by an earlier run: saved now, or (not saving this run either)
        shown from memory and kept pending. Each good entry is saved once (reviews by their
        uuid); an entry that cannot be used is reported and kept aside in
        ``progress.db.pending.rejected``, never blocking the others."""
        entries, bad = pending.read(self.path)
        if (not entries and not bad) or self.problem == "newer":
            return
        name = pending.sidecar(self.path).name
        with self._lock:
            if not self.read_only:
                rejected: list[dict[str, Any]] = []
                try:
                    _transaction(self._conn, lambda c: ops.replay(self, c, entries, rejected))
                except sqlite3.Error as exc:
                    self._notice(
                        f"{len(entries)} unsaved actions from an earlier run are still in "
                        f"{name} ({_why(exc)}); they are tried again at the next start"
                    )
                    return
                bad += [json.dumps(e, sort_keys=True, default=str).encode() for e in rejected]
                kept = pending.keep_rejected(self.path, bad) if bad else None
                if not bad or kept is not None:  # never lose a line: else the sidecar stays
                    pending.sidecar(self.path).unlink(missing_ok=True)
                saved = len(entries) - len(rejected)
                if saved:
                    self._dirty = True  # a change like any other: the session backup has it
                    self._use_settings(self._load_settings())
                    self._notice(
                        f"saved {saved} actions an earlier run could not save (from {name})"
                    )
                if bad:
                    where = kept.name if kept is not None else name
                    self._notice(
                        f"{len(bad)} lines of {name} could not be used (damaged or from another "
                        f"version): kept in {where}; the rest were saved"
                    )
            elif self._journal is not None:
                with contextlib.suppress(sqlite3.Error):
                    _transaction(self._conn, lambda c: ops.replay(self, c, entries))
                self._journal.entries = list(entries)
                self._use_settings(self._load_settings())

    def _fall_back(self, exc: BaseException, kind: str) -> None:
        """Stop saving: carry on in memory with a copy of the progress so far."""
        mem = _connect(":memory:", self._busy_timeout)
        kept = "your progress so far is shown"
        if kind == DAMAGE:
            mark_damaged(self.path, _why(exc))
        try:
            if kind == DAMAGE:
                raise sqlite3.DatabaseError("damaged")  # its pages cannot be trusted
            self._conn.backup(mem)
        except sqlite3.Error:
            mem.close()
            mem = _connect(":memory:", self._busy_timeout)
            # Closed first: a copy made while it is open must not read the file with Python.
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            if not _copy_into(self.path, mem, self._busy_timeout) or (
                kind == DAMAGE and _still_damaged(mem)
            ):
                mem.close()
                mem = _empty_in_memory(self._busy_timeout)
                kept = "progress cannot be read: the screens show none"
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        self._conn = mem
        self._conn.execute("PRAGMA foreign_keys=ON")
        self.read_only = True
        self.problem = kind
        self._generation += 1
        self._last_try = time.monotonic()
        if self._journal is None:
            self._journal = pending.PendingJournal(self.path)
        side = self._journal.file.name
        if kind == DAMAGE:
            self._notice(
                f"{self.path.name} was damaged while open ({_why(exc)}): NOT SAVING ({kept}); "
                f"every answer from now on is kept in {side} and saved when you restart quizapp, "
                "which recovers the file from a backup"
            )
        else:
            self._notice(
                f"cannot save to {self.path} ({_why(exc)}): NOT SAVING ({kept}); every answer "
                f"is kept in {side} and saved as soon as the file can be written again"
            )

    def _file_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)  # a stat, never an open: this process holds the file
        except OSError:
            return None
        return (st.st_dev, st.st_ino)

    def check_file(self) -> None:
        """Whether the progress file is still the one this store writes (the app asks every
        second). Deleted (by hand, a cleaner, the whole data folder): written back at once from
        this connection, which still holds everything, with a notice. Replaced by another file:
        this session's progress is kept as a backup, saving goes on into the new file (answers
        pending until it can), and a notice says so. Never raises, never waits for a thread
        that is using the store (the next call looks again)."""
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self.read_only or self._identity is None:
                return
            now = self._file_identity()
            if now == self._identity:
                return
            if now is None and not self.path.exists():
                self._write_back()
                return
            why = "was replaced by another file while quizapp was open"
            kept = ""
            with contextlib.suppress(StoreError):
                kept = f"; this session's progress is kept as backup {self.backup('orphaned').name}"
            self._fall_back(OSError(f"{self.path.name} {why}{kept}"), "io")
        finally:
            self._lock.release()

    def _write_back(self) -> None:
        """Put the deleted progress file back from the open connection (and folder, 0700)."""
        from quizapp.store.recovery import _connect_private

        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            new = _connect_private(self.path, self._busy_timeout)
            try:
                self._conn.backup(new)
                new.execute("PRAGMA journal_mode=WAL")
                new.execute("PRAGMA synchronous=FULL")
                new.execute("PRAGMA foreign_keys=ON")
            except sqlite3.Error:
                new.close()
                raise
        except (OSError, sqlite3.Error) as exc:
            self._fall_back(exc, classify(exc))
            return
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        self._conn = new
        self._generation += 1
        self._identity = self._file_identity()
        if self._app_lock is not None:  # its lock file went with the folder: take a new one
            with contextlib.suppress(OSError):
                os.close(self._app_lock)
            self._app_lock = None
            self.hold_app_lock()
        self._notice(
            f"{self.path} was deleted while quizapp was open: written back from this session, "
            "nothing lost (the backups folder starts again with the next backup)"
        )

    def _maybe_resume(self) -> None:
        if (
            self.problem in (DAMAGE, "newer")
            or time.monotonic() - self._last_try < self.retry_every
        ):
            return
        self.retry_saving()

    def retry_saving(self) -> bool:
        """While not saving, try the file again: write every pending action and go back to it.
        True when saving (again). Never raises; the app calls it on a timer."""
        with self._lock:
            if not self.read_only:
                return True
            if self._journal is None or self.problem in (DAMAGE, "newer"):
                return False
            self._last_try = time.monotonic()
            entries = list(self._journal.entries)
            conn = None
            try:
                if not self.path.is_file() or not os.access(self.path.parent, os.W_OK):
                    return False
                conn = _connect(self.path, min(self._busy_timeout, 0.2))
                if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                    conn.close()
                    return False
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
                _transaction(conn, lambda c: ops.replay(self, c, entries))
            except (sqlite3.Error, OSError):
                if conn is not None:
                    with contextlib.suppress(sqlite3.Error):
                        conn.close()
                return False
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = conn
            self.read_only = False
            self.problem = None
            self._generation += 1
            self._identity = self._file_identity()
            self._journal.clear()
            self._use_settings(self._load_settings())
            self._notice(
                f"saving again: {len(entries)} unsaved actions were written to {self.path.name}"
            )
            return True

    @property
    def unreadable(self) -> bool:
        """True when no progress could be read at all (the screens show a stand-in)."""
        with self._lock:
            try:
                app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
            except sqlite3.Error:
                return True
            return bool(app_id == STAND_IN_ID)

    @property
    def unsaved_in_memory_only(self) -> int:
        """How many pending actions exist only in memory (the sidecar could not be written):
        lost when the process ends, so the app says so on the way out."""
        journal = self._journal
        return len(journal) if journal is not None and not journal.on_disk else 0

    @property
    def unsaved(self) -> int:
        """How many actions are waiting in the pending journal."""
        return len(self._journal) if self._journal is not None else 0

    def _session_backup(self) -> None:
        """The backup during and after a session: a failure is a notice, never an error."""
        try:
            self.backup("session")
        except StoreError as exc:
            self._notice(f"session backup failed: {exc.message}")
            self._last_backup = datetime.now(UTC)  # do not retry on every review

    def verify(self) -> bool:
        """The full check the app runs in a worker after its first frame (its cost grows with
        the file): integrity_check and every text read back, through a second, read-only SQLite
        connection (never a Python read of the file, which would drop this process's locks on
        it), so the screens keep reading meanwhile. On damage: stop saving with a notice (the
        next start recovers the file); the learner's answers from then on are kept pending.
        True when the file is fine."""
        from quizapp.store.schema import FULL_CHECK, _inspect_file

        if self.read_only:
            return True
        try:
            verdict, _version, why = _inspect_file(self.path, self._busy_timeout, check=FULL_CHECK)
        except (OSError, sqlite3.Error):
            return True  # not a verdict on the bytes (locked, I/O): the next start checks again
        if verdict != "damaged":
            return True
        with self._lock:
            if not self.read_only:
                self._fall_back(sqlite3.DatabaseError(why), DAMAGE)
        return False

    def hold_app_lock(self) -> None:
        """Mark the file as open in the app (a shared lock on ``progress.db.lock``, released by
        the OS even on kill -9), so ``restore`` in another process refuses until it closes."""
        with contextlib.suppress(OSError):
            lock = self.path.with_name(self.path.name + ".lock")
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            self._app_lock = fd

    def _app_is_open(self) -> bool:
        try:
            fd = os.open(
                self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600
            )
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)  # closing releases the lock
        return False

    def _backup_due_at_close(self) -> bool:
        if not self.strict:
            return True
        newest = _list_backups(self.backups_dir)
        return not newest or datetime.now(UTC) - newest[0].taken_at >= COMMAND_BACKUP_EVERY

    def backup(self, reason: str = "manual") -> Path:
        """Copy the database into the backups folder (atomically) and rotate old backups.
        ``reason`` (lower-case, digits, dashes) ends the file name. Raises StoreError."""
        with self._lock:
            if self.read_only:
                raise StoreError(
                    f"{self.path.name} is not being saved this run; nothing to back up",
                    self.problem if self.problem != "newer" else None,
                )
            try:
                target = _take_backup(self._conn, self.backups_dir, reason)
            except StoreError as exc:
                if exc.kind == DAMAGE:
                    mark_damaged(self.path, exc.message)  # the next open checks it whole
                raise
            self._last_backup = datetime.now(UTC)
            self._dirty = False
            _rotate(self.backups_dir, self._last_backup, protect={target})
            return target

    def list_backups(self) -> list[Backup]:
        """Backups in the backups folder, newest first."""
        return _list_backups(self.backups_dir)

    def restore(self, path: Path) -> Path:
        """Replace all progress with the backup at ``path``, after backing up the current state
        (the ``pre-restore`` backup, whose path is returned). The source is never deleted and
        the pre-restore backup is kept by the rotation. Refuses (StoreError, kind ``app-open``)
        while the app has the file open in another process, and when ``path`` is not a good
        quizapp backup or the store is not saving this run."""
        path = Path(path)
        problem = _check_backup(path)
        if problem:
            raise StoreError(f"{path}: {problem}; nothing was changed")
        with self._lock:
            if self.read_only:
                raise StoreError(
                    f"{self.path.name} is not being saved this run; cannot restore",
                    self.problem if self.problem != "newer" else None,
                )
            if self._app_lock is None and self._app_is_open():
                raise StoreError(
                    "quizapp is open on this progress file: close it first, then restore "
                    "(nothing was changed)",
                    "app-open",
                )
            target = _take_backup(self._conn, self.backups_dir, "pre-restore")
            self._last_backup = datetime.now(UTC)
            # Never the source nor the backup just taken: the restore needs both.
            _rotate(self.backups_dir, self._last_backup, protect={target, path})
            try:
                # Ids handed out here stay handed out: keep the higher AUTOINCREMENT mark.
                # The backup is made ready in memory (upgraded, the mark raised) and copied over
                # the file in one step: a kill at any moment leaves the old file or the new one
                # whole, never the new one with a lower mark.
                high = self._conn.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'reviews'"
                ).fetchone()[0]
                ready = _connect(":memory:", self._busy_timeout)
                try:
                    _copy_backup(path, ready, self._busy_timeout)
                    if ready.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                        _migrate(ready)
                    _transaction(ready, lambda c: ops.raise_review_ids(c, high))
                    ready.backup(self._conn)
                finally:
                    ready.close()
                self._conn.execute("PRAGMA journal_mode=WAL")
            except sqlite3.Error as exc:
                raise StoreError(
                    f"restore from {path.name} failed ({_why(exc)}); your progress before it is "
                    f"in {target.name}",
                    classify(exc),
                ) from None
            self._generation += 1
            self._undo.clear()
            self._dirty = False
            self._use_settings(self._load_settings())
        return target


def _still_damaged(mem: sqlite3.Connection) -> bool:
    """Whether a copy of a damaged file still holds what made it unreadable (text that does not
    decode passes SQLite's own checks and is copied as it is): then the screens show none."""
    from quizapp.store.schema import damage_found

    try:
        return damage_found(mem, full=True) is not None
    except sqlite3.Error:
        return True
