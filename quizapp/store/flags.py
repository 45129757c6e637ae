"""The card browser's writes and reads: suspend, bury, reset progress (undoable), and a summary
of each card's review log. Functions over the ``Database`` (``Store`` exposes them as
methods), importing the store's ops, rows and values only.

A write here is one short transaction like any other action, journaled while the file cannot be
written (``ops.replay`` applies the ``flags`` and ``reset`` entries), so nothing is lost. Each
flag is a replicated register (``suspend:<id>``, ``bury:<id>``, ``reset:<id>``, stamped like the
settings), so it travels with export, import and sync; a reset is a moment from which the card's
state is derived (``ops.derive`` skips the reviews before it), so every machine agrees."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from quizapp.store import ops
from quizapp.store.rows import CARD_COLUMNS
from quizapp.store.values import as_utc, parse_time, time_text

if TYPE_CHECKING:
    from quizapp.store.database import Database


@dataclass(frozen=True)
class CardFlags:
    """A card's flags: suspended until unsuspended, buried until ``buried_until``."""

    suspended: bool = False
    buried_until: datetime | None = None
    reset_at: datetime | None = None

    def buried(self, now: datetime) -> bool:
        return self.buried_until is not None and self.buried_until > now

    def hidden(self, now: datetime) -> bool:
        """True when study, cram, plan and readiness leave the card out at ``now``."""
        return self.suspended or self.buried(now)


@dataclass(frozen=True)
class ItemSummary:
    """What the review log says of one item: reviews, wrong answers and the newest review."""

    reviews: int
    wrong: int
    last_rating: int | None
    last_at: datetime | None
    last_verdict: str | None


@dataclass(frozen=True)
class ResetUndo:
    """What ``reset_progress`` changed, for ``undo_reset``."""

    item_id: str
    card_row: tuple[Any, ...] | None
    reset_at: str | None  # the reset time before this reset


# ------------------------------------------------------------------ the SQL (shared with replay)

# The replicated registers a flag is (see quizapp.interop.merge): key prefix -> card_flags column.
REGISTERS = {"suspend": "suspended", "bury": "buried_until", "reset": "reset_at"}


def put_flag(conn: sqlite3.Connection, kind: str, item_id: str, value: Any, stamp: str) -> None:
    """Set register ``kind:item_id`` (kind in REGISTERS) to ``value`` with ``stamp``: for
    ``suspend`` True or None, for ``bury`` and ``reset`` a stored time or None."""
    column = REGISTERS[kind]
    if kind == "suspend":
        value = int(bool(value))
    conn.execute("INSERT OR IGNORE INTO card_flags (item_id) VALUES (?)", (item_id,))
    conn.execute(f"UPDATE card_flags SET {column} = ? WHERE item_id = ?", (value, item_id))
    conn.execute(
        "INSERT OR REPLACE INTO registers (key, stamp) VALUES (?, ?)", (f"{kind}:{item_id}", stamp)
    )


def flag_values(conn: sqlite3.Connection) -> dict[str, Any]:
    """Register key -> value of every flag held here (None: off)."""
    out: dict[str, Any] = {}
    for item_id, suspended, buried, reset in conn.execute(
        "SELECT item_id, suspended, buried_until, reset_at FROM card_flags"
    ):
        out[f"suspend:{item_id}"] = True if suspended else None
        out[f"bury:{item_id}"] = buried
        out[f"reset:{item_id}"] = reset
    return out


def flags_in(
    conn: sqlite3.Connection,
    item_ids: list[str],
    kind: str,
    value: Any,
    *,
    machine: str,
    now: datetime,
    stamps: dict[str, str] | None = None,
) -> dict[str, str]:
    """Set flag ``kind`` of each item to ``value``; returns each register's stamp (``stamps``,
    when replaying a journal, else new ones)."""
    out: dict[str, str] = {}
    for item_id in item_ids:
        key = f"{kind}:{item_id}"
        stamp = (stamps or {}).get(key) or ops.stamp_in(conn, machine, now)
        put_flag(conn, kind, item_id, value, stamp)
        out[key] = stamp
    return out


def reset_in(
    conn: sqlite3.Connection,
    item_id: str,
    at: str | None,
    *,
    machine: str,
    now: datetime,
    stamp: str | None = None,
) -> ResetUndo:
    """Reset the item's progress from ``at`` (None: take a reset back): its state is derived
    from its reviews after that moment only (none: it is new again); the reviews stay."""
    old = conn.execute("SELECT reset_at FROM card_flags WHERE item_id = ?", (item_id,)).fetchone()
    row = conn.execute(f"SELECT {CARD_COLUMNS} FROM cards WHERE item_id = ?", (item_id,)).fetchone()
    put_flag(conn, "reset", item_id, at, stamp or ops.stamp_in(conn, machine, now))
    ops.recompute(conn, ops.scheduler_in(conn), [item_id])
    return ResetUndo(item_id, tuple(row) if row else None, old[0] if old else None)


# ------------------------------------------------------------------ the actions (over the Database)


def _set(db: Database, item_ids: list[str], kind: str, value: Any) -> None:
    ids = list(dict.fromkeys(item_ids))
    now = db.now()
    db.write(
        lambda c: flags_in(c, ids, kind, value, machine=db.machine, now=now),
        lambda stamps: {"op": "flags", "ids": ids, "flag": kind, "value": value, "stamps": stamps},
    )


def set_suspended(db: Database, item_ids: list[str], suspended: bool) -> None:
    _set(db, item_ids, "suspend", True if suspended else None)


def bury(db: Database, item_ids: list[str], until: datetime | None) -> None:
    """Bury the items until ``until`` (None: unbury)."""
    _set(db, item_ids, "bury", time_text(as_utc(until)) if until is not None else None)


def reset_progress(db: Database, item_id: str, *, now: datetime | None = None) -> ResetUndo:
    at = as_utc(now) if now is not None else db.now()
    return _reset(db, item_id, time_text(at), at)


def undo_reset(db: Database, undo: ResetUndo) -> bool:
    """Take the reset back: the schedule is derived from every review again."""
    _reset(db, undo.item_id, undo.reset_at, db.now())
    return True


def _reset(db: Database, item_id: str, at: str | None, now: datetime) -> ResetUndo:
    stamp: list[str] = []

    def write(conn: sqlite3.Connection) -> ResetUndo:
        stamp.append(ops.stamp_in(conn, db.machine, now))
        return reset_in(conn, item_id, at, machine=db.machine, now=now, stamp=stamp[-1])

    return db.write(
        write, lambda _r: {"op": "reset", "item_id": item_id, "at": at, "stamp": stamp[-1]}
    )


def card_flags(db: Database) -> dict[str, CardFlags]:
    rows = db.read(
        lambda c: c.execute(
            "SELECT item_id, suspended, buried_until, reset_at FROM card_flags"
        ).fetchall()
    )
    return {
        item_id: CardFlags(bool(suspended), parse_time(buried), parse_time(reset))
        for item_id, suspended, buried, reset in rows
    }


def hidden_ids(db: Database, now: datetime) -> set[str]:
    """The items suspended or buried at ``now``."""
    stamp = time_text(as_utc(now))
    return db.read(
        lambda c: {
            r[0]
            for r in c.execute(
                "SELECT item_id FROM card_flags WHERE suspended = 1 OR buried_until > ?",
                (stamp,),
            )
        }
    )


def summaries(db: Database, item_ids: list[str] | None = None) -> dict[str, ItemSummary]:
    """Per item: reviews, wrong answers (Again), and the newest review's rating, time and
    verdict; one pass over the log."""

    def read(conn: sqlite3.Connection) -> dict[str, ItemSummary]:
        where, args = "", []
        if item_ids is not None:
            args = sorted(set(item_ids))
            where = f" WHERE item_id IN ({', '.join('?' * len(args))})"
        counts = conn.execute(
            "SELECT item_id, COUNT(*), SUM(rating = 1), MAX(id) FROM reviews"
            + where
            + " GROUP BY item_id",
            args,
        ).fetchall()
        last_ids = [r[3] for r in counts]
        last: dict[int, tuple[Any, ...]] = {}
        for start in range(0, len(last_ids), 500):
            chunk = last_ids[start : start + 500]
            for row in conn.execute(
                "SELECT id, rating, reviewed_at, verdict FROM reviews "
                f"WHERE id IN ({', '.join('?' * len(chunk))})",
                chunk,
            ):
                last[row[0]] = row
        out: dict[str, ItemSummary] = {}
        for item_id, n, wrong, last_id in counts:
            _, rating, at, verdict = last.get(last_id, (None, None, None, None))
            out[item_id] = ItemSummary(int(n), int(wrong or 0), rating, parse_time(at), verdict)
        return out

    return db.read(read)


def replay_entry(db: Any, conn: sqlite3.Connection, e: dict[str, Any]) -> None:
    """Apply a journaled ``flags`` or ``reset`` entry (``ops.replay``) with its own stamps."""
    now = db.now()
    if e["op"] == "flags":
        kind = str(e["flag"])
        if kind not in ("suspend", "bury"):
            raise ValueError(f"unknown flag {kind!r}")
        flags_in(conn, [str(i) for i in e["ids"]], kind, e["value"], machine=db.machine,
                 now=now, stamps=dict(e.get("stamps") or {}))  # fmt: skip
    elif e["op"] == "reset":
        at = e["at"]
        reset_in(conn, str(e["item_id"]), None if at is None else str(at), machine=db.machine,
                 now=now, stamp=e.get("stamp"))  # fmt: skip


ops.EXTRA_REPLAYS.update(flags=replay_entry, reset=replay_entry)
