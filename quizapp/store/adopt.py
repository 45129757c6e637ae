"""Taking over a progress file that replaced the open one while the app was open (an older copy
or another file moved over it, a sync tool's rename, another quizapp process that found the
file damaged and restored a backup in its place): this session's progress, from the backup
just taken of it, is merged into the file that is there now as another machine's would be
(each review and cram answer once, by its uuid; each setting, tick and card flag by its latest
change), so nothing studied before the replacement is lost, and saving goes on into that file.
It imports the store's connection, recovery, replica, backups and values modules only."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from quizapp.store import replica
from quizapp.store.backups import take_backup
from quizapp.store.connection import connect, file_uri, transaction
from quizapp.store.recovery import open_connection
from quizapp.store.values import StoreError, parse_time

if TYPE_CHECKING:
    from quizapp.store.database import Database


@dataclass(frozen=True)
class _Review:
    """A review of the session's copy, as ``replica`` merges it (a ``NewReview``)."""

    uuid: str
    item_id: str
    kind: str | None
    rating: int
    at: str
    reviewed_at: datetime
    duration_ms: int | None
    answer: str | None
    verdict: str | None
    seed: int | None


@dataclass(frozen=True)
class _Cram:
    uuid: str
    item_id: str
    rating: int
    reviewed_at: datetime
    duration_ms: int | None


@dataclass(frozen=True)
class _Register:
    key: str
    value: Any
    stamp: str


@dataclass
class _Merge:
    reviews: list[_Review]
    cram: list[_Cram]
    registers: list[_Register]

    @property
    def empty(self) -> bool:
        return not (self.reviews or self.cram or self.registers)

    def describe(self) -> str:
        parts = [
            f"{n} {what}{'' if n == 1 else 's'}"
            for n, what in (
                (len(self.reviews), "review"),
                (len(self.cram), "cram answer"),
                (len(self.registers), "setting, tick or card flag change"),
            )
            if n
        ]
        return ", ".join(parts)


def _order(stamp: str, value: Any) -> tuple[str, str]:
    return stamp, json.dumps(value, sort_keys=True)


def _plan(source: sqlite3.Connection, target: sqlite3.Connection) -> _Merge:
    """What of ``source`` (the session's copy) ``target`` (the file there now) lacks."""
    known = {
        uuid: (item, at, rating)
        for uuid, item, at, rating in target.execute(
            "SELECT uuid, item_id, reviewed_at, rating FROM reviews"
        )
    }
    keys = set(known.values())
    reviews = []
    for row in source.execute(
        "SELECT uuid, item_id, kind, rating, reviewed_at, duration_ms, answer, verdict, seed "
        "FROM reviews ORDER BY reviewed_at, id"
    ):
        uuid, item, kind, rating, at = row[:5]
        if uuid in known or (item, at, rating) in keys:
            continue
        when = parse_time(at)
        assert when is not None
        reviews.append(_Review(uuid, item, kind, rating, at, when, *row[5:]))
    have = {u for (u,) in target.execute("SELECT uuid FROM cram_reviews")}
    cram = []
    for uuid, item, rating, at, ms in source.execute(
        "SELECT uuid, item_id, rating, reviewed_at, duration_ms FROM cram_reviews"
    ):
        when = parse_time(at)
        if uuid not in have and when is not None:
            cram.append(_Cram(uuid, item, rating, when, ms))
    local = replica.registers_in(target)
    registers = [
        _Register(key, value, stamp)
        for key, (stamp, value) in sorted(replica.registers_in(source).items())
        if key not in local or _order(stamp, value) > _order(*local[key])
    ]
    return _Merge(reviews, cram, registers)


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
        merge = _Merge([], [], [])
        if session is not None:
            source = connect(file_uri(session, "mode=ro"), db.busy_timeout, uri=True)
            try:
                merge = _plan(source, conn)
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
