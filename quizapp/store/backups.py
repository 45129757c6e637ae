"""Backups in ``<data dir>/backups/``: taken with SQLite's backup API into a temporary file
and renamed into place, checked, listed newest first and rotated.

Retention (``RETENTION`` says it in words for ``quizapp backup --list``): by count, the newest 10
plus the newest of each day for 30 days (by age); pre-migration backups always, and the newest 10
pre-restore backups, which do not take the place of the learner's own history; then by total
size, the oldest of the rest go first once the folder passes 500 MB. A backup's name (its UTC
time and reason) never changes, so a name given to ``quizapp restore`` always means one file.

The database's own backups (the session backup, ``backup``, ``restore``) and the app lock that
keeps ``restore`` out while the app is open are functions over the ``Database`` at the end. It
imports the store's connection, schema, values and ops, never database.py at run time."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time as _time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from quizapp.store import ops, settings_io
from quizapp.store.connection import (
    DAMAGE,
    classify,
    connect,
    explain,
    file_uri,
    mark_damaged,
    transaction,
)
from quizapp.store.schema import SCHEMA_VERSION, damage_found, inspect_file, migrate
from quizapp.store.values import Backup, StoreError

if TYPE_CHECKING:
    from quizapp.store.database import Database

BACKUP_EVERY = timedelta(minutes=30)
# A command (not the app) takes its session backup only when the newest backup is older than
# this, so a handful of commands cannot push the learner's real history out of the rotation.
COMMAND_BACKUP_EVERY = timedelta(minutes=5)
KEEP_RECENT_BACKUPS = 10
KEEP_DAILY_BACKUPS_DAYS = 30
KEEP_PRE_RESTORE_BACKUPS = 10
KEEP_TOTAL_BYTES = 500 * 1024 * 1024
RETENTION = (
    f"kept: the newest {KEEP_RECENT_BACKUPS}, one a day for {KEEP_DAILY_BACKUPS_DAYS} days, "
    f"every pre-migration and the newest {KEEP_PRE_RESTORE_BACKUPS} pre-restore backups; "
    f"beyond {KEEP_TOTAL_BYTES // 1024**2} MB in all the oldest go first"
)
_BACKUP_NAME = re.compile(r"^progress-(\d{8}T\d{6}\.\d{6})Z-([a-z0-9-]+)\.db$")


def session_backup_due(last_backup: datetime) -> bool:
    """True once ``BACKUP_EVERY`` has passed since ``last_backup`` (or the session's start)."""
    return datetime.now(UTC) - last_backup >= BACKUP_EVERY


def take_backup(conn: sqlite3.Connection, bdir: Path, reason: str) -> Path:
    if not re.fullmatch(r"[a-z0-9-]+", reason):
        raise ValueError(f"backup reason {reason!r}: use lower-case letters, digits, dashes")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
    target = bdir / f"progress-{stamp}Z-{reason}.db"
    # The pid in the name lets a later process clean the leftovers of a killed one at once.
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        bdir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # VACUUM INTO needs a new file
        # VACUUM INTO: one pass, and a compact copy (no free pages) that is a consistent
        # snapshot even while another quizapp writes.
        conn.execute("VACUUM INTO ?", (str(tmp),))
        dest = sqlite3.connect(tmp)
        try:
            # A standalone file: no -wal/-shm appear next to it when it is read later.
            dest.execute("PRAGMA journal_mode=DELETE")
            # Never a damaged file under a backup's name: the copy is checked whole (VACUUM
            # INTO rebuilds the indexes, but copies a scrambled row as it is).
            damage = damage_found(dest, full=True, indexes=False)
        finally:
            dest.close()
        if damage:
            raise sqlite3.DatabaseError(f"database disk image is malformed ({damage})")
        os.chmod(tmp, 0o600)  # the learner's progress: readable by its owner only
        with open(tmp, "rb") as fh:  # a finished copy nobody holds a connection to
            os.fsync(fh.fileno())
        os.replace(tmp, target)  # never a half-written file under a backup's name
    except (OSError, sqlite3.Error) as exc:
        for leftover in (tmp, Path(f"{tmp}-journal"), Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        if classify(exc) == DAMAGE:
            raise StoreError(
                f"not backed up: the progress file is damaged ({explain(exc)}); the next start of "
                "quizapp moves it aside and restores the newest good backup",
                DAMAGE,
            ) from None
        raise StoreError(
            f"cannot write a backup in {bdir}: {explain(exc)}", classify(exc)
        ) from None
    return target


def copy_backup(path: Path, dest: sqlite3.Connection, busy_timeout: float) -> None:
    """Copy the backup at ``path`` over ``dest``, opening the backup read-only."""
    src = connect(file_uri(path, "mode=ro"), busy_timeout, uri=True)
    try:
        src.backup(dest)
    finally:
        src.close()


def list_backups(bdir: Path) -> list[Backup]:
    """Backups in ``bdir``, newest first."""
    out = []
    try:
        entries = list(bdir.iterdir())
    except OSError:
        return []
    for path in entries:
        m = _BACKUP_NAME.match(path.name)
        if not m:
            continue
        try:
            taken = datetime.strptime(m.group(1), "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
            st = path.lstat()
        except (ValueError, OSError):  # not a real time (a month 13), or gone meanwhile
            continue
        if stat.S_ISREG(st.st_mode):  # never a folder or a symlink named like a backup
            out.append(Backup(path, taken, m.group(2), st.st_size))
    return sorted(out, key=lambda b: b.taken_at, reverse=True)


# A backup stamped later than this from now was taken while the clock was wrong: it says nothing
# about which backup is newest, so neither the rotation nor recovery counts it.
FUTURE_SLACK = timedelta(hours=1)


def is_future(backup: Backup, now: datetime | None = None) -> bool:
    return backup.taken_at > (now or datetime.now(UTC)) + FUTURE_SLACK


def good_backups(bdir: Path, now: datetime | None = None) -> list[Backup]:
    """Backups recovery may restore, newest first: readable, and not dated in the future."""
    return [b for b in list_backups(bdir) if not is_future(b, now) and check_backup(b.path) is None]


def rotate(bdir: Path, now: datetime, protect: set[Path] | frozenset[Path] = frozenset()) -> None:
    """Delete backups the retention rules no longer keep, never one in ``protect`` (the backup
    just taken, a restore's source), and leftovers of killed backups."""
    backups = list_backups(bdir)
    # Dated in the future (a wrong clock): kept, shown as such, never "the newest".
    future = {b.path for b in backups if is_future(b, now)}
    backups = [b for b in backups if b.path not in future]
    own = [b for b in backups if not b.reason.startswith("pre-")]
    keep = {b.path for b in own[:KEEP_RECENT_BACKUPS]} | set(protect)
    keep |= {b.path for b in backups if b.reason.startswith("pre-migration")}
    keep |= {
        b.path for b in [b for b in backups if b.reason == "pre-restore"][:KEEP_PRE_RESTORE_BACKUPS]
    }
    seen_days: set[date] = set()
    for b in own:  # newest first, so the first of each day is that day's newest
        day = b.taken_at.astimezone().date()
        if now - b.taken_at <= timedelta(days=KEEP_DAILY_BACKUPS_DAYS) and day not in seen_days:
            seen_days.add(day)
            keep.add(b.path)
    kept = [b for b in backups if b.path in keep]
    total = sum(b.size for b in kept)
    # By size: the oldest kept ones go first, but never the newest three nor a protected one.
    for b in reversed(kept[3:]):
        if total <= KEEP_TOTAL_BYTES:
            break
        if b.path not in protect and not b.reason.startswith("pre-migration"):
            keep.discard(b.path)
            total -= b.size
    for b in backups:
        if b.path not in keep:
            with contextlib.suppress(OSError):
                b.path.unlink()
    _clean_leftovers(bdir)


def _clean_leftovers(bdir: Path) -> None:
    """Half-written copies left by a killed process, with their -journal/-wal/-shm; recent ones
    may be another quizapp's backup in progress, so only those older than an hour."""
    for tmp in [*bdir.glob("progress-*.tmp"), *bdir.glob("progress-*.tmp-*")]:
        with contextlib.suppress(OSError):
            if not _owner_alive(tmp) or _time.time() - tmp.stat().st_mtime > 3600:
                tmp.unlink()
    # A sidecar whose backup is complete (renamed into place) or gone belongs to nobody.
    for extra in bdir.glob("progress-*.db-*"):
        with contextlib.suppress(OSError):
            if _time.time() - extra.stat().st_mtime > 3600:
                extra.unlink()


def _owner_alive(tmp: Path) -> bool:
    """Whether the process that is writing ``tmp`` (its pid is in the name) still runs; True
    when the name holds no pid (the age rule decides)."""
    m = re.search(r"\.(\d+)\.tmp", tmp.name)
    if not m:
        return True
    try:
        os.kill(int(m.group(1)), 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def check_backup(path: Path) -> str | None:
    """None when ``path`` is a readable quizapp database this version can use, else why not."""
    if not path.is_file():
        return "no such backup file"
    try:
        verdict, version, why = inspect_file(path, 1.0)
    except (OSError, sqlite3.Error) as exc:
        return f"not a readable database ({exc})"
    if verdict == "ok":
        return None
    if verdict == "newer":
        return f"written by a newer quizapp (schema {version})"
    if verdict == "empty":
        return "an empty database, not a quizapp backup"
    return why


# --------------------------------------------------------------------------- the database's


def session_backup(db: Database) -> None:
    """The backup during and after a session: a failure is a notice, never an error."""
    try:
        backup(db, "session")
    except StoreError as exc:
        db.notice(f"session backup failed: {exc.message}")
        db.last_backup = datetime.now(UTC)  # do not retry on every review


def backup_due_at_close(db: Database) -> bool:
    if not db.strict:
        return True
    newest = list_backups(db.backups_dir)
    return not newest or datetime.now(UTC) - newest[0].taken_at >= COMMAND_BACKUP_EVERY


def backup(db: Database, reason: str = "manual") -> Path:
    """Copy the database into the backups folder (atomically) and rotate old backups.
    ``reason`` (lower-case, digits, dashes) ends the file name. Raises StoreError."""
    with db.lock:
        if db.read_only:
            raise StoreError(
                f"{db.path.name} is not being saved this run; nothing to back up",
                db.problem if db.problem != "newer" else None,
            )
        try:
            target = take_backup(db.conn, db.backups_dir, reason)
        except StoreError as exc:
            _failed(db, exc)
            raise
        return _taken(db, target)


def _failed(db: Database, exc: StoreError) -> None:
    if exc.kind == DAMAGE:
        mark_damaged(db.path, exc.message)  # the next open checks it whole


def _taken(db: Database, target: Path) -> Path:
    db.last_backup = datetime.now(UTC)
    db.dirty = False
    rotate(db.backups_dir, db.last_backup, protect={target})
    return target


EARLY_BYTES = 4 * 1024 * 1024  # a file this large is backed up early, by another process


class EarlyBackup:
    """A backup another process is taking (``quizapp.store.backup_worker``) while this one
    reads and checks a large file to merge: the copy and its check (0.4 s for 100k reviews)
    then cost no time. ``finish`` waits for it and returns what ``backup`` returns, or raises
    what it raises (a worker that could not run at all: the backup is taken here); ``cancel``
    stops it and removes what it made (nothing to merge after all)."""

    def __init__(self, db: Database, reason: str, proc: subprocess.Popen[bytes]) -> None:
        self.db, self.reason, self.proc = db, reason, proc

    def _result(self) -> dict[str, object] | None:
        out, _ = self.proc.communicate()
        with contextlib.suppress(ValueError):
            result = json.loads(out)
            if isinstance(result, dict):
                return result
        return None

    def finish(self) -> Path:
        result = self._result()
        if result is not None and isinstance(result.get("path"), str):
            with self.db.lock:
                return _taken(self.db, Path(str(result["path"])))
        if result is not None and isinstance(result.get("error"), str):
            kind = result.get("kind")
            exc = StoreError(str(result["error"]), kind if isinstance(kind, str) else None)
            _failed(self.db, exc)
            raise exc
        return backup(self.db, self.reason)  # the worker died before saying: take it here

    def cancel(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.kill()
        result = self._result()  # (a worker killed mid-copy leaves a temporary file, named
        # with its pid: the next backup removes it, as any killed process's)
        if result is not None and isinstance(result.get("path"), str):
            with contextlib.suppress(OSError):
                Path(str(result["path"])).unlink()


class PendingBackup:
    """The backup a merge takes before its first change (``take``), started early in another
    process once a large file is being read (``start``; see ``EarlyBackup``), and dropped when
    the ``with`` block ends without a change."""

    def __init__(self, db: Database, reason: str) -> None:
        self.db, self.reason = db, reason
        self.early: EarlyBackup | None = None
        self.started = self.taken = False

    def start(self) -> None:
        if not (self.started or self.taken):
            self.started = True
            self.early = start_backup(self.db, self.reason)

    def take(self) -> Path:
        self.taken = True
        early, self.early = self.early, None
        return early.finish() if early is not None else backup(self.db, self.reason)

    def __enter__(self) -> PendingBackup:
        return self

    def __exit__(self, *exc: object) -> None:
        early, self.early = self.early, None
        if early is not None:
            early.cancel()


def worker_command(path: Path, folder: Path, reason: str, busy_timeout: float) -> list[str]:
    """The command of a backup in another process (``quizapp.store.backup_worker``)."""
    return [sys.executable, "-m", "quizapp.store.backup_worker", str(path), str(folder), reason,
            str(busy_timeout)]  # fmt: skip


def start_backup(db: Database, reason: str) -> EarlyBackup | None:
    """Start a backup in another process when the database is large enough for that to pay
    (None: take it with ``backup`` when it is needed, as for a file that cannot be saved)."""
    if db.read_only:
        return None
    try:
        if os.stat(db.path).st_size < EARLY_BYTES:  # a stat, never an open
            return None
        proc = subprocess.Popen(
            worker_command(db.path, db.backups_dir, reason, db.busy_timeout),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    except (OSError, ValueError):
        return None
    return EarlyBackup(db, reason, proc)


def restore(db: Database, path: Path) -> Path:
    """Replace all progress with the backup at ``path``, after backing up the current state
    (the ``pre-restore`` backup, whose path is returned). The source is never deleted and the
    pre-restore backup is kept by the rotation. Refuses (StoreError, kind ``app-open``) while
    the app has the file open in another process, and when ``path`` is not a good quizapp
    backup or the database is not saving this run."""
    path = Path(path)
    problem = check_backup(path)
    if problem:
        raise StoreError(f"{path}: {problem}; nothing was changed")
    with db.lock:
        if db.read_only:
            raise StoreError(
                f"{db.path.name} is not being saved this run; cannot restore",
                db.problem if db.problem != "newer" else None,
            )
        if db.app_lock is None and app_is_open(db.path):
            raise StoreError(
                "quizapp is open on this progress file: close it first, then restore "
                "(nothing was changed)",
                "app-open",
            )
        target = take_backup(db.conn, db.backups_dir, "pre-restore")
        db.last_backup = datetime.now(UTC)
        # Never the source nor the backup just taken: the restore needs both.
        rotate(db.backups_dir, db.last_backup, protect={target, path})
        try:
            _replace_with(db, path)
        except sqlite3.Error as exc:
            raise StoreError(
                f"restore from {path.name} failed ({explain(exc)}); your progress before it is "
                f"in {target.name}",
                classify(exc),
            ) from None
        db.generation += 1
        db.undo.clear()
        db.dirty = False
        settings_io.reload(db)
    return target


def _replace_with(db: Database, path: Path) -> None:
    """Copy the backup at ``path`` over the open file, keeping the higher AUTOINCREMENT mark:
    ids handed out here stay handed out. The backup is made ready in memory (upgraded, the
    mark raised) and copied over the file in one step: a kill at any moment leaves the old file
    or the new one whole, never the new one with a lower mark."""
    high = db.conn.execute(
        "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'reviews'"
    ).fetchone()[0]
    ready = connect(":memory:", db.busy_timeout)
    try:
        copy_backup(path, ready, db.busy_timeout)
        if ready.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            migrate(ready)
        transaction(ready, lambda c: ops.raise_review_ids(c, high))
        ready.backup(db.conn)
    finally:
        ready.close()
    db.conn.execute("PRAGMA journal_mode=WAL")


def _lock_file(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


def hold_app_lock(db: Database) -> None:
    """Mark the file as open in the app (a shared lock on ``progress.db.lock``, released by
    the OS even on kill -9), so ``restore`` in another process refuses until it closes."""
    with contextlib.suppress(OSError):
        fd = os.open(_lock_file(db.path), os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        db.app_lock = fd


def app_is_open(path: Path) -> bool:
    """Whether an app (in any process) holds the lock of the progress file at ``path``."""
    try:
        fd = os.open(_lock_file(path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing releases the lock
    return False
