"""Backups in ``<data dir>/backups/``: taken with SQLite's backup API into a temporary file
and renamed into place, checked, listed newest first and rotated.

Retention (``RETENTION`` says it in words for ``quizapp backup --list``): by count, the newest 10
plus the newest of each day for 30 days (by age); pre-migration backups always, and the newest 10
pre-restore backups, which do not take the place of the learner's own history; then by total
size, the oldest of the rest go first once the folder passes 500 MB. A backup's name (its UTC
time and reason) never changes, so a name given to ``quizapp restore`` always means one file."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
import time as _time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from quizapp.store.connection import DAMAGE, _connect, _uri, _why, classify
from quizapp.store.schema import _inspect_file, damage_found
from quizapp.store.values import Backup, StoreError

BACKUP_EVERY = timedelta(minutes=30)
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


def _session_backup_due(last_backup: datetime) -> bool:
    """True once ``BACKUP_EVERY`` has passed since ``last_backup`` (or the session's start)."""
    return datetime.now(UTC) - last_backup >= BACKUP_EVERY


def _take_backup(conn: sqlite3.Connection, bdir: Path, reason: str) -> Path:
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
                f"not backed up: the progress file is damaged ({_why(exc)}); the next start of "
                "quizapp moves it aside and restores the newest good backup",
                DAMAGE,
            ) from None
        raise StoreError(f"cannot write a backup in {bdir}: {_why(exc)}", classify(exc)) from None
    return target


def _copy_backup(path: Path, dest: sqlite3.Connection, busy_timeout: float) -> None:
    """Copy the backup at ``path`` over ``dest``, opening the backup read-only."""
    src = _connect(_uri(path, "mode=ro"), busy_timeout, uri=True)
    try:
        src.backup(dest)
    finally:
        src.close()


def _list_backups(bdir: Path) -> list[Backup]:
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


def _good_backups(bdir: Path, now: datetime | None = None) -> list[Backup]:
    """Backups recovery may restore, newest first: readable, and not dated in the future."""
    return [
        b for b in _list_backups(bdir) if not is_future(b, now) and _check_backup(b.path) is None
    ]


def _rotate(bdir: Path, now: datetime, protect: set[Path] | frozenset[Path] = frozenset()) -> None:
    """Delete backups the retention rules no longer keep, never one in ``protect`` (the backup
    just taken, a restore's source), and leftovers of killed backups."""
    backups = _list_backups(bdir)
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


def _check_backup(path: Path) -> str | None:
    """None when ``path`` is a readable quizapp database this version can use, else why not."""
    if not path.is_file():
        return "no such backup file"
    try:
        verdict, version, why = _inspect_file(path, 1.0)
    except (OSError, sqlite3.Error) as exc:
        return f"not a readable database ({exc})"
    if verdict == "ok":
        return None
    if verdict == "newer":
        return f"written by a newer quizapp (schema {version})"
    if verdict == "empty":
        return "an empty database, not a quizapp backup"
    return why
