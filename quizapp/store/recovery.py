"""Opening the progress file whatever state it is in: create or migrate it, move a damaged file
aside and restore the newest good backup, or fall back to a read-only copy in memory. Each
outcome other than a plain open adds one line to ``notices``; nothing here raises for a bad,
locked or unwritable file. The functions return the connection to use and, when it is not the file
itself, why not; ``Database.open`` wraps it. It imports the store's connection, schema,
values, backups, merge_db and replica only."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from quizapp.store.backups import copy_backup, good_backups, take_backup
from quizapp.store.connection import (
    BUSY,
    DAMAGE,
    IO,
    READ_ONLY,
    classify,
    connect,
    damage_mark,
    explain,
    file_uri,
    transaction,
    unheld,
)
from quizapp.store.schema import (
    FULL_CHECK,
    NO_CHECK,
    QUICK,
    SCHEMA_VERSION,
    has_current_columns,
    inspect_file,
    migrate,
)
from quizapp.store.values import StoreError


def open_connection(
    path: Path,
    bdir: Path,
    notices: list[str],
    busy_timeout: float,
    *,
    recovered: bool = False,
    quick_check: bool = True,
    command: bool = False,
) -> tuple[sqlite3.Connection, str | None]:
    """The connection to use for ``path``, and None when it is the file itself, else why not
    (a failure class from connection.py, or "newer"): then it is a read-only copy in memory.
    Only real damage (SQLite says corrupt or not a database, or quick_check fails) moves a
    file aside; a full disk, a lock, a read-only folder or an I/O error leave it exactly as it
    is and open a copy read-only, saying so (``command``: in a command's words, not the
    app's)."""

    def memory(source: Path | None, why: str, kind: str) -> tuple[sqlite3.Connection, str]:
        return in_memory(notices, busy_timeout, source=source, why=why, command=command), kind

    name = path.name
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        why = f"cannot create the data folder {path.parent} ({explain(exc)})"
        return memory(None, why, classify(exc))
    exists = path.exists()
    if not exists and not recovered:
        missing = _missing_file(path, bdir, busy_timeout)
        if missing is not None:
            notices.append(missing)
            exists = path.exists()
    refused = _unusable(path, exists)
    if refused is not None:
        return memory(*refused)
    mark = damage_mark(path)
    # An earlier run found damage the quick check misses: check the whole file this time.
    check = FULL_CHECK if mark.exists() else (QUICK if quick_check else NO_CHECK)
    try:
        verdict, version, why = (
            inspect_file(path, busy_timeout, check=check) if exists else ("new", 0, "")
        )
    except (OSError, sqlite3.Error) as exc:
        kind = classify(exc, path.parent)
        if kind == BUSY:
            return memory(path, f"{name} is locked by another program", BUSY)
        return memory(path, f"cannot open {path} ({explain(exc, path.parent)})", kind)

    if verdict == "empty" and not recovered and good_backups(bdir):
        # We always write the schema in the same transaction that creates the file, so an
        # empty file next to good backups has lost its contents.
        verdict, why = "damaged", "the file is empty"
    if verdict != "damaged":
        mark.unlink(missing_ok=True)
    if verdict in ("damaged", "foreign"):
        if recovered:
            return memory(None, f"{name} is still unreadable after recovery ({why})", DAMAGE)
        return _recover(path, bdir, notices, busy_timeout, why, command)
    if verdict == "newer":
        notices.append(
            f"{name} was written by a newer quizapp (schema {version}, this one reads "
            f"{SCHEMA_VERSION}): left untouched; studying read-only; upgrade quizapp"
        )
        return in_memory(notices, busy_timeout, source=path, why=None), "newer"

    try:
        conn = connect(path, busy_timeout) if exists else connect_private(path, busy_timeout)
    except (OSError, sqlite3.Error) as exc:
        return memory(
            path, f"cannot open {path} ({explain(exc, path.parent)})", classify(exc, path.parent)
        )
    try:
        conn.execute("PRAGMA synchronous=FULL")
        if verdict == "ok" and version < SCHEMA_VERSION:
            try:
                taken = take_backup(conn, bdir, f"pre-migration-v{version}")
            except StoreError as exc:
                conn.close()
                return memory(
                    path, f"cannot back up before upgrading {name}: {exc.message}", exc.kind or IO
                )
            migrate(conn)
            # The rebuilt tables leave their old pages free: give them back, once.
            with contextlib.suppress(sqlite3.Error):
                conn.execute("VACUUM")
            notices.append(
                f"{name} upgraded from schema {version} to {SCHEMA_VERSION} "
                f"(backup first: {taken.name})"
            )
        elif verdict in ("empty", "new"):
            migrate(conn)
        # After any migration, so a failed one leaves the file byte for byte as it was.
        conn.execute("PRAGMA journal_mode=WAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        kind = classify(exc, path.parent)
        if kind == BUSY:
            return memory(path, f"{name} is locked by another program", BUSY)
        return memory(path, f"cannot write {path} ({explain(exc, path.parent)})", kind)
    except Exception as exc:  # a migration that fails leaves the file as it was
        conn.close()
        return memory(path, f"cannot upgrade {name} ({type(exc).__name__}: {exc})", IO)
    return conn, None


def _unusable(path: Path, exists: bool) -> tuple[Path | None, str, str] | None:
    """(source, why, failure class) when the file or its folder cannot be used as it is: not
    writable, a -wal/-shm that cannot be written, or a folder in its place; None when it can."""
    for where in (path, path.parent) if exists else (path.parent,):
        if not os.access(where, os.W_OK):
            return path if exists else None, f"{where} is not writable", READ_ONLY
    for suffix in ("-wal", "-shm"):
        # SQLite maps the -shm into memory: one it cannot write (read-only, or immutable after
        # a 'chattr +i') ends in SIGBUS or a vague error later, so it is said here, plainly.
        extra = Path(f"{path}{suffix}")
        if exists and extra.exists() and not os.access(extra, os.W_OK):
            why = (
                f"{extra} cannot be written (read-only or immutable: see 'ls -l' and 'lsattr'; "
                "it must be writable while quizapp runs)"
            )
            return None, why, READ_ONLY
    if exists and path.is_dir():
        return None, f"{path} is a folder, not a progress file", IO
    return None


# A command's notice when it works on a copy: "<why>: nothing is saved this run (...)".
NOT_SAVED = ": nothing is saved this run"


def not_saved_reason(notice: str) -> str | None:
    """The reason a command's notice gives for working on a copy (``in_memory``), else None."""
    why, found, _ = notice.partition(NOT_SAVED)
    return why if found else None


def in_memory(
    notices: list[str],
    busy_timeout: float,
    *,
    source: Path | None,
    why: str | None,
    command: bool = False,
) -> sqlite3.Connection:
    """A database in memory, holding a copy of ``source`` when it can be read and used; the
    notice says ``why`` (``command``: a command's words; it ends, keeping nothing pending)."""
    mem = connect(":memory:", busy_timeout)
    copied = source is not None and copy_into(source, mem, busy_timeout) and _usable(mem)
    if not copied:
        mem.close()
        mem = empty_in_memory(busy_timeout)
    if why is not None and command:
        kept = "your progress as last saved is read" if copied else "no progress could be read"
        notices.append(f"{why}{NOT_SAVED} ({kept})")
    elif why is not None:
        kept = "your progress so far is shown" if copied else "progress starts empty"
        notices.append(
            f"{why}: studying without saving ({kept}); your answers are kept and saved as soon "
            "as the file can be written"
        )
    return mem


def _recover(
    path: Path, bdir: Path, notices: list[str], busy_timeout: float, why: str, command: bool
) -> tuple[sqlite3.Connection, str | None]:
    """Move the damaged file (and its -wal/-shm) aside, never deleting it, put the newest good
    backup in its place and open that."""
    name = path.name
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{name}.damaged-{stamp}-{n}")
    try:
        # The -wal/-shm keep their suffixes so the moved pair still opens together.
        for suffix in ("-wal", "-shm", "-journal"):
            extra = Path(f"{path}{suffix}")
            if extra.exists():
                extra.rename(Path(f"{aside}{suffix}"))
        path.rename(aside)
        damage_mark(path).unlink(missing_ok=True)
    except OSError as exc:
        cannot = f"{name} is damaged ({why}) and cannot be moved aside ({explain(exc)})"
        return in_memory(notices, busy_timeout, source=None, why=cannot, command=command), DAMAGE
    good = good_backups(bdir, now=datetime.now(UTC))
    if good:
        chosen = good[0]
        try:
            dest = connect(path, busy_timeout)
            try:
                copy_backup(chosen.path, dest, busy_timeout)
            finally:
                dest.close()
            restored = f"restored backup {chosen.path.name}"
        except sqlite3.Error as exc:
            with contextlib.suppress(OSError):
                path.unlink()
            restored = f"could not restore a backup ({exc}); starting with empty progress"
    else:
        restored = "no good backup found; starting with empty progress"
    restored += salvage(aside, path, busy_timeout)
    notices.append(f"{name} was damaged ({why}): moved to {aside.name}; {restored}")
    return open_connection(path, bdir, notices, busy_timeout, recovered=True, command=command)


def salvage(damaged: Path, path: Path, busy_timeout: float) -> str:
    """Merge what can still be read of the ``damaged`` file (its reviews, cram answers, settings,
    ticks and flags before the first unreadable page, often in its WAL) into the file at
    ``path`` (the backup restored in its place, or a new file): the answers given since that
    backup are not lost with the damaged pages. Returns what to add to the notice."""
    from quizapp.store import merge_db, replica  # (not needed for the first frame)

    try:
        dest = connect(path, busy_timeout) if path.exists() else connect_private(path, busy_timeout)
    except (OSError, sqlite3.Error):
        return ""
    try:
        if dest.execute("PRAGMA user_version").fetchone()[0] == 0:
            migrate(dest)  # no backup: a new file to hold what is salvaged
        source = connect(file_uri(damaged, "mode=ro"), busy_timeout, uri=True)
        try:
            if source.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                return ""
            merge = merge_db.plan(source, dest)
        finally:
            source.close()
        if merge.empty or dest.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return ""
        transaction(
            dest,
            lambda c: replica.write_merge(c, merge.reviews, merge.cram, merge.registers, None),
        )
    except (sqlite3.Error, OSError, ValueError, StoreError):
        return ""
    finally:
        dest.close()
    return f"; still readable in the damaged file and merged back: {merge.describe()}"


def _missing_file(path: Path, bdir: Path, busy_timeout: float) -> str | None:
    """No progress file but good backups beside it: the file was lost (deleted by hand, a sync
    tool, a folder restored without it). Put the newest good backup in its place and say so;
    None (start empty) when there is no backup. A -wal/-shm left without their file is moved
    aside first: SQLite would replay an old WAL into the new file."""
    good = good_backups(bdir, now=datetime.now(UTC))
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for suffix in ("-wal", "-shm"):
        stray = Path(f"{path}{suffix}")
        if stray.exists():
            with contextlib.suppress(OSError):
                stray.rename(path.with_name(f"{path.name}.orphan-{stamp}{suffix}"))
    if not good:
        return None
    chosen = good[0]
    try:
        dest = connect_private(path, busy_timeout)
        try:
            copy_backup(chosen.path, dest, busy_timeout)
        finally:
            dest.close()
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        return (
            f"{path.name} is missing and backup {chosen.path.name} could not be restored "
            f"({explain(exc)}); starting with empty progress"
        )
    when = chosen.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        f"{path.name} was missing: restored the newest good backup {chosen.path.name} (taken "
        f"{when}); to start afresh instead, move the backups folder away"
    )


def connect_private(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """A connection that creates the file at ``path``, readable by its owner only (SQLite
    gives the -wal and -shm it makes later the same mode). A chmod, not a Python open: another
    connection of this process may still hold a deleted file of the same name."""
    conn = connect(path, busy_timeout)
    try:
        conn.execute("PRAGMA user_version").fetchone()  # the file exists from here
        os.chmod(path, 0o600)
    except (OSError, sqlite3.Error):
        conn.close()
        raise
    return conn


# Marks a stand-in database (``PRAGMA application_id``): the learner's progress could not be
# read at all, so a command that reads it must not report it as empty.
STAND_IN_ID = 0x51554531


def empty_in_memory(busy_timeout: float) -> sqlite3.Connection:
    """A database in memory with this version's tables and no progress (a stand-in)."""
    mem = connect(":memory:", busy_timeout)
    migrate(mem)
    mem.execute(f"PRAGMA application_id = {STAND_IN_ID}")
    return mem


def _usable(mem: sqlite3.Connection) -> bool:
    """Whether this version can read a copied database, upgrading an older one in place."""
    version = mem.execute("PRAGMA user_version").fetchone()[0]
    try:
        if version > SCHEMA_VERSION:
            return has_current_columns(mem)
        if version < SCHEMA_VERSION:
            migrate(mem)
    except Exception:  # unreadable or not upgradable: start empty instead
        return False
    return True


def copy_into(source: Path, dest: sqlite3.Connection, busy_timeout: float) -> bool:
    """Copy a database file into ``dest`` without writing next to it; False if unreadable.

    Read-only first; when that fails (a full disk cannot hold the -shm a WAL read needs, or the
    folder is read-only), a private copy of the file and its WAL in the temporary folder, so the
    newest reviews (still in the WAL) are shown too; the WAL-less immutable read is the last
    resort. The private copy is never made while this process holds a connection to the file
    (a Python read of it would drop that connection's locks)."""
    if _copy_from(file_uri(source, "mode=ro"), dest, busy_timeout):
        return True
    wal = Path(f"{source}-wal")
    # (No connection to the file may be made by another thread between the check and the copy.)
    with unheld(source) as free:
        if free and wal.exists():
            with contextlib.suppress(OSError), tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / source.name
                shutil.copyfile(source, copy)
                shutil.copyfile(wal, Path(f"{copy}-wal"))
                if _copy_from(file_uri(copy, "mode=rw"), dest, busy_timeout):
                    return True
    return _copy_from(file_uri(source, "immutable=1"), dest, busy_timeout)


def _copy_from(uri: str, dest: sqlite3.Connection, busy_timeout: float) -> bool:
    try:
        src = connect(uri, busy_timeout, uri=True)
        try:
            if src.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                return False
            src.backup(dest)
        finally:
            src.close()
        return True
    except sqlite3.Error:
        return False
