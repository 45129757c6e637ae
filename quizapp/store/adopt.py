"""Taking over a progress file that replaced the open one while the app was open (an older copy
or another file moved over it, a sync tool's rename, another quizapp process that found the
file damaged and restored a backup in its place): this session's progress, from the backup
just taken of it, is merged into the file that is there now as another machine's would be
(each review and cram answer once, by its uuid; each setting, tick and card flag by its latest
change), so nothing studied before the replacement is lost, and saving goes on into that file.
It imports the store's connection, recovery, merge_db, replica, backups and values modules
only."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from quizapp.store import merge_db, replica
from quizapp.store.backups import take_backup
from quizapp.store.connection import connect, file_uri, transaction
from quizapp.store.recovery import open_connection
from quizapp.store.values import StoreError

if TYPE_CHECKING:
    from quizapp.store.database import Database


def take_over(db: Database, session: Path | None) -> str | None:
    """Make the file now at ``db.path`` the database's file, with ``session`` (a backup of what
    the database held; None: nothing of it could be read) merged into it. Returns what was
    done, for the notice; None when that file cannot be taken over (not writable, locked, of a
    newer quizapp...), with nothing changed: the caller stops saving instead."""
    notices: list[str] = []
    conn, problem = open_connection(db.path, db.backups_dir, notices, db.busy_timeout)
    if problem is not None:
        conn.close()
        return None
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        merge = merge_db.Merge([], [], [])
        if session is not None:
            source = connect(file_uri(session, "mode=ro"), db.busy_timeout, uri=True)
            try:
                merge = merge_db.plan(source, conn)
            finally:
                source.close()
        before = ""
        if not merge.empty:
            kept = take_backup(conn, db.backups_dir, "replaced")
            before = f" (the file before the merge is backup {kept.name})"
            transaction(
                conn,
                lambda c: replica.write_merge(c, merge.reviews, merge.cram, merge.registers, None),
            )
    except (sqlite3.Error, OSError, StoreError, ValueError):
        conn.close()
        return None
    old, db.conn = db.conn, conn
    # The old file is not where it was any more: SQLite neither checkpoints into it nor
    # deletes the -wal/-shm by their names on this close.
    with contextlib.suppress(sqlite3.Error):
        old.close()
    db.generation += 1
    db.identity = db.file_identity()
    db.dirty = True
    db.reload_settings()
    # Opening it may have moved a damaged file aside and restored a backup: say where it went.
    moved = "; ".join(n.partition("): ")[2] or n for n in notices)
    if session is None:
        return moved or "it was read again"
    if merge.empty:
        what = "it holds all of this session's progress"
    else:
        what = f"this session's {merge.describe()} missing from it were merged into it{before}"
    return f"{moved}; {what}" if moved else what
