"""What happens when the progress file stops taking writes, as functions over the ``Database``:
carry on in memory, keep the pending journal, retry, write back a deleted file, notice a
replaced one, the full check after the app's first frame, and the replay of an earlier run's
journal. It imports the store's lower modules (connection, recovery, schema, ops, pending,
backups, settings_io), never database.py at run time."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from quizapp.store import backups, ops, pending, settings_io
from quizapp.store.connection import (
    DAMAGE,
    classify,
    connect,
    explain,
    file_uri,
    mark_damaged,
    transaction,
)
from quizapp.store.recovery import STAND_IN_ID, connect_private, copy_into, empty_in_memory
from quizapp.store.schema import FULL_CHECK, QUICK, SCHEMA_VERSION, damage_found, inspect_file
from quizapp.store.values import StoreError

if TYPE_CHECKING:
    from quizapp.store.database import Database


def replay_sidecar(db: Database) -> None:
    """Actions left unsaved by an earlier run: saved now, or (not saving this run either)
    shown from memory and kept pending. Each good entry is saved once (reviews by their
    uuid); an entry that cannot be used is reported and kept aside in
    ``progress.db.pending.rejected``, never blocking the others."""
    entries, bad = pending.read(db.path)
    if (not entries and not bad) or db.problem == "newer":
        return
    with db.lock:
        if not db.read_only:
            _save_replayed(db, entries, bad)
        elif db.journal is not None:
            with contextlib.suppress(sqlite3.Error):
                transaction(db.conn, lambda c: ops.replay(db, c, entries))
            db.journal.entries = list(entries)
            settings_io.reload(db)


def _save_replayed(db: Database, entries: list[dict[str, Any]], bad: list[bytes]) -> None:
    name = pending.sidecar(db.path).name
    rejected: list[dict[str, Any]] = []
    try:
        transaction(db.conn, lambda c: ops.replay(db, c, entries, rejected))
    except sqlite3.Error as exc:
        # (Kept there by an earlier run, or by the app open on this file right now: either
        # saves them once the file can be written.)
        db.notice(
            f"{len(entries)} unsaved action{'' if len(entries) == 1 else 's'} in {name} could "
            f"not be saved yet ({explain(exc)}); {'it is' if len(entries) == 1 else 'they are'} "
            "kept there and saved once the file can be written"
        )
        return
    bad += [json.dumps(e, sort_keys=True, default=str).encode() for e in rejected]
    kept = pending.keep_rejected(db.path, bad) if bad else None
    if not bad or kept is not None:  # never lose a line: else the sidecar stays
        pending.sidecar(db.path).unlink(missing_ok=True)
    saved = len(entries) - len(rejected)
    db.saved_actions += [e for e in entries if e not in rejected]
    if saved:
        db.dirty = True  # a change like any other: the session backup has it
        settings_io.reload(db)
        done = f"{saved} action{'' if saved == 1 else 's'}"  # ("saved 1 actions ...")
        db.notice(f"saved {done} an earlier run could not save (from {name})")
    if bad:
        where = kept.name if kept is not None else name
        db.notice(
            f"{len(bad)} line{'' if len(bad) == 1 else 's'} of {name} could not be used (damaged "
            "or from another "
            f"version): kept in {where}; the rest were saved"
        )


def fall_back(db: Database, exc: BaseException, kind: str) -> None:
    """Stop saving: carry on in memory with a copy of the progress so far."""
    mem = connect(":memory:", db.busy_timeout)
    kept = "your progress so far is shown"
    if kind == DAMAGE:
        mark_damaged(db.path, explain(exc))
    try:
        if kind == DAMAGE:
            raise sqlite3.DatabaseError("damaged")  # its pages cannot be trusted
        db.conn.backup(mem)
    except sqlite3.Error:
        mem.close()
        mem = connect(":memory:", db.busy_timeout)
        # Closed first: a copy made while it is open must not read the file with Python.
        with contextlib.suppress(sqlite3.Error):
            db.conn.close()
        if not copy_into(db.path, mem, db.busy_timeout) or (kind == DAMAGE and _still_damaged(mem)):
            mem.close()
            mem = empty_in_memory(db.busy_timeout)
            kept = "progress cannot be read: the screens show none"
    with contextlib.suppress(sqlite3.Error):
        db.conn.close()
    db.conn = mem
    db.conn.execute("PRAGMA foreign_keys=ON")
    db.read_only = True
    db.problem = kind
    db.generation += 1
    db.last_try = time.monotonic()
    if db.journal is None:
        db.journal = pending.PendingJournal(db.path)
    side = db.journal.file.name
    if kind == DAMAGE:
        db.notice(
            f"{db.path.name} was damaged while open ({explain(exc)}): NOT SAVING ({kept}); "
            f"every answer from now on is kept in {side} and saved when you restart quizapp, "
            "which recovers the file from a backup"
        )
    else:
        db.notice(
            f"cannot save to {db.path} ({explain(exc)}): NOT SAVING ({kept}); every answer "
            f"is kept in {side} and saved as soon as the file can be written again"
        )


def check_file(db: Database) -> None:
    """Whether the progress file is still the one this database writes (the app asks every
    second). Deleted (by hand, a cleaner, the whole data folder): written back at once from
    this connection, which still holds everything, with a notice. Replaced by another file:
    this session's progress is kept as a backup and merged into the new file, and saving goes
    on into it (adopt.py); when that file cannot be taken over, saving stops (answers pending
    until it can). A notice says which. Never raises, never waits for a thread
    that is using the database (the next call looks again)."""
    if not db.lock.acquire(blocking=False):
        return
    try:
        if db.read_only or db.identity is None:
            return
        now = db.file_identity()
        if now is None and not db.path.exists():
            _write_back(db)
            return
        if now != db.identity:
            why = "was replaced by another file while quizapp was open"
        else:
            db.wal_seen = _inode(f"{db.path}-wal")
            found = _overwritten_in_place(db)
            if found is None:
                return
            why = f"was overwritten while quizapp was open ({found})"
        from quizapp.store import adopt  # (the merge's modules: not needed for the first frame)

        kept = ""
        session = None
        unreadable = False  # this connection cannot read the file either
        try:
            session = backups.backup(db, "orphaned")
            kept = f" (this session is also kept as backup {session.name})"
        except StoreError as exc:
            unreadable = exc.kind == DAMAGE
        if session is not None:
            if now != db.identity:
                _set_aside_old_wal(db)
            done = adopt.take_over(db, session)
            if done is not None:
                db.notice(f"{db.path.name} {why}: {done}; nothing lost, saving goes on{kept}")
                return
        elif now == db.identity and unreadable:
            # Overwritten where this connection cannot read it either (its pages were in the
            # file, not in its cache): recovered as a start would, from the newest backup, and
            # this session's saved actions written into it again (those the backup holds
            # already change nothing).
            done = adopt.take_over(db, None)
            if done is not None:
                db.notice(f"{db.path.name} {why}: {done}; {_save_again(db)}")
                return
        fall_back(db, OSError(f"{db.path.name} {why}{kept}"), "io")
    finally:
        db.lock.release()


def _save_again(db: Database) -> str:
    """Write this session's saved actions into the file recovered in place of the one that was
    overwritten; what that says (for the notice)."""
    entries = list(db.saved_actions)
    if not entries:
        return "nothing was saved in it this session before that; saving goes on"
    rejected: list[dict[str, Any]] = []
    try:
        transaction(db.conn, lambda c: ops.replay(db, c, entries, rejected))
    except sqlite3.Error as exc:  # (just opened and written: hardly ever)
        fall_back(db, exc, classify(exc, db.path.parent))
        with contextlib.suppress(sqlite3.Error):  # shown from memory meanwhile
            transaction(db.conn, lambda c: ops.replay(db, c, entries))
        for entry in entries:
            db.keep_pending(entry)
        return (
            f"this session's {len(entries)} saved actions are kept in "
            f"{pending.sidecar(db.path).name} until it can be written"
        )
    db.dirty = True
    settings_io.reload(db)
    saved = len(entries) - len(rejected)
    again = f"{saved} saved action{' was' if saved == 1 else 's were'}"
    return f"this session's {again} written into it again; saving goes on"


def _inode(path: str) -> int | None:
    try:
        return os.stat(path).st_ino  # a stat, never an open
    except OSError:
        return None


def _set_aside_old_wal(db: Database) -> None:
    """A file moved over the open one lands beside the -wal/-shm of the file it replaced: SQLite
    would read that WAL's pages into it (a mix of two files, which reads as damaged). When the
    -wal there is still the one this connection used, it and the -shm are renamed aside first
    (this connection keeps using them through its descriptors; the session is in a backup)."""
    if db.wal_seen is None or _inode(f"{db.path}-wal") != db.wal_seen:
        return
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.rename(
                f"{db.path}{suffix}", db.path.with_name(f"{db.path.name}.orphan-{stamp}{suffix}")
            )


def _overwritten_in_place(db: Database) -> str | None:
    """Why the file at the same place (same inode) no longer holds a progress file, else None:
    bytes written over it (``cp other.db progress.db``, ``: > progress.db``, a truncation).
    SQLite writes the file itself only when it checkpoints, so the file is read again (through
    a second, read-only connection, as SQLite sees it with its WAL) only when its size or times
    changed since the last look; this connection's page cache would hide the damage."""
    try:
        st = os.stat(db.path)  # a stat, never an open: this process holds the file
    except OSError:
        return None
    seen = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    before, db.main_seen = db.main_seen, seen
    if before is None or before == seen:
        return None
    try:
        verdict, _version, why = inspect_file(db.path, min(db.busy_timeout, 0.2), check=QUICK)
    except (OSError, sqlite3.Error):
        return None  # locked or unreadable for now: not a verdict on its bytes
    if verdict == "damaged":
        return why
    if verdict in ("foreign", "empty"):
        return "it is not a quizapp progress file any more"
    # A good progress file, but is it still this one? (``cp older.db progress.db``, another
    # learner's file.) Its marks as SQLite reads it afresh, twice (a commit of another process
    # in between changes them), against this connection's, whose cache a commit would renew.
    try:
        fresh = _marks_in_file(db)
        mine = _marks(db.conn)
        if fresh != mine and fresh == _marks_in_file(db):
            return "another progress file was copied over it"
    except sqlite3.DatabaseError as exc:
        if classify(exc) == DAMAGE:
            return explain(exc)
    except (OSError, sqlite3.Error):
        pass
    return None


def _marks(conn: sqlite3.Connection) -> tuple[Any, ...]:
    """What only grows or changes with each change to a progress file: the reviews' id
    high-water mark and count, the newest register stamp, the cram answers' count."""
    return tuple(
        conn.execute(
            "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'reviews'),"
            " (SELECT count(*) FROM reviews), (SELECT max(stamp) FROM registers),"
            " (SELECT count(*) FROM cram_reviews)"
        ).fetchone()
    )


def _marks_in_file(db: Database) -> tuple[Any, ...]:
    conn = connect(file_uri(db.path, "mode=ro"), min(db.busy_timeout, 0.2), uri=True)
    try:
        return _marks(conn)
    finally:
        conn.close()


def _write_back(db: Database) -> None:
    """Put the deleted progress file back from the open connection (and folder, 0700)."""
    try:
        db.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        new = connect_private(db.path, db.busy_timeout)
        try:
            db.conn.backup(new)
            new.execute("PRAGMA journal_mode=WAL")
            new.execute("PRAGMA synchronous=FULL")
            new.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error:
            new.close()
            raise
    except (OSError, sqlite3.Error) as exc:
        fall_back(db, exc, classify(exc))
        return
    with contextlib.suppress(sqlite3.Error):
        db.conn.close()
    db.conn = new
    db.generation += 1
    db.identity = db.file_identity()
    if db.app_lock is not None:  # its lock file went with the folder: take a new one
        with contextlib.suppress(OSError):
            os.close(db.app_lock)
        db.app_lock = None
        backups.hold_app_lock(db)
    db.notice(
        f"{db.path} was deleted while quizapp was open: written back from this session, "
        "nothing lost (the backups folder starts again with the next backup)"
    )


def maybe_resume(db: Database) -> None:
    """Try the file again when ``retry_every`` seconds have passed since the last try."""
    if db.problem in (DAMAGE, "newer") or time.monotonic() - db.last_try < db.retry_every:
        return
    retry_saving(db)


def retry_saving(db: Database) -> bool:
    """While not saving, try the file again: write every pending action and go back to it.
    True when saving (again). Never raises; the app calls it on a timer."""
    with db.lock:
        if not db.read_only:
            return True
        if db.journal is None or db.problem in (DAMAGE, "newer"):
            return False
        db.last_try = time.monotonic()
        entries = list(db.journal.entries)
        conn = None
        try:
            if not db.path.is_file() or not os.access(db.path.parent, os.W_OK):
                return False
            conn = connect(db.path, min(db.busy_timeout, 0.2))
            if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                conn.close()
                return False
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            transaction(conn, lambda c: ops.replay(db, c, entries))
        except (sqlite3.Error, OSError):
            if conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            return False
        with contextlib.suppress(sqlite3.Error):
            db.conn.close()
        db.conn = conn
        db.read_only = False
        db.problem = None
        db.generation += 1
        db.identity = db.file_identity()
        db.journal.clear()
        db.saved_actions += entries
        settings_io.reload(db)
        n, name = len(entries), db.path.name
        db.notice(
            f"saving again: {n} unsaved action{'s were' if n != 1 else ' was'} written to {name}"
            if n
            else f"saving again to {name} (nothing was waiting to be saved)"
        )
        return True


def unreadable(db: Database) -> bool:
    """True when no progress could be read at all (the screens show a stand-in)."""
    with db.lock:
        try:
            app_id = db.conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.Error:
            return True
        return bool(app_id == STAND_IN_ID)


def unsaved(db: Database) -> int:
    """How many actions are waiting in the pending journal."""
    return len(db.journal) if db.journal is not None else 0


def unsaved_in_memory_only(db: Database) -> int:
    """How many pending actions exist only in memory (the sidecar could not be written):
    lost when the process ends, so the app says so on the way out."""
    journal = db.journal
    return len(journal) if journal is not None and not journal.on_disk else 0


def verify(db: Database) -> bool:
    """The full check the app runs in a worker after its first frame (its cost grows with the
    file): integrity_check and every text read back, through a second, read-only SQLite
    connection (never a Python read of the file, which would drop this process's locks on it),
    so the screens keep reading meanwhile. On damage: stop saving with a notice (the next start
    recovers the file); the learner's answers from then on are kept pending. True when the
    file is fine."""
    if db.read_only:
        return True
    try:
        verdict, _version, why = inspect_file(db.path, db.busy_timeout, check=FULL_CHECK)
    except (OSError, sqlite3.Error):
        return True  # not a verdict on the bytes (locked, I/O): the next start checks again
    if verdict != "damaged":
        return True
    with db.lock:
        if not db.read_only:
            fall_back(db, sqlite3.DatabaseError(why), DAMAGE)
    return False


def _still_damaged(mem: sqlite3.Connection) -> bool:
    """Whether a copy of a damaged file still holds what made it unreadable (text that does not
    decode passes SQLite's own checks and is copied as it is): then the screens show none."""
    try:
        return damage_found(mem, full=True) is not None
    except sqlite3.Error:
        return True
