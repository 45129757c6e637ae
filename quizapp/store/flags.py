"""The card browser's writes and reads: suspend, bury, reset progress (undoable), and a summary
of each card's review log. Functions over a ``Store``; ``Store`` exposes them as methods.

A write here is one short transaction like any other action, journaled while the file cannot be
written (``ops.replay`` applies the ``flags`` and ``reset`` entries), so nothing is lost."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from quizapp.store.schema import _CARD_COLUMNS, _CARD_MARKS
from quizapp.store.values import _dt, _ts, _utc

if TYPE_CHECKING:
    from quizapp.store.core import Store


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


def flags_in(
    conn: sqlite3.Connection,
    item_ids: list[str],
    *,
    suspended: bool | None = None,
    buried_until: str | bool | None = False,
) -> None:
    """Set ``suspended`` (None: unchanged) and ``buried_until`` (False: unchanged; None: not
    buried) on each item."""
    for item_id in item_ids:
        conn.execute("INSERT OR IGNORE INTO card_flags (item_id) VALUES (?)", (item_id,))
        if suspended is not None:
            conn.execute(
                "UPDATE card_flags SET suspended = ? WHERE item_id = ?", (int(suspended), item_id)
            )
        if buried_until is not False:
            conn.execute(
                "UPDATE card_flags SET buried_until = ? WHERE item_id = ?", (buried_until, item_id)
            )


def reset_in(conn: sqlite3.Connection, item_id: str, at: str) -> ResetUndo:
    """Forget the item's schedule (it is new again from ``at``); its reviews stay in the log."""
    row = conn.execute(
        f"SELECT {_CARD_COLUMNS} FROM cards WHERE item_id = ?", (item_id,)
    ).fetchone()
    old = conn.execute("SELECT reset_at FROM card_flags WHERE item_id = ?", (item_id,)).fetchone()
    conn.execute("INSERT OR IGNORE INTO card_flags (item_id) VALUES (?)", (item_id,))
    conn.execute("UPDATE card_flags SET reset_at = ? WHERE item_id = ?", (at, item_id))
    conn.execute("DELETE FROM cards WHERE item_id = ?", (item_id,))
    return ResetUndo(item_id, tuple(row) if row else None, old[0] if old else None)


def undo_reset_in(conn: sqlite3.Connection, undo: ResetUndo) -> bool:
    """Put the item's schedule back as it was before the reset; False when it was reviewed
    since (then the newer schedule stays)."""
    if conn.execute("SELECT 1 FROM cards WHERE item_id = ?", (undo.item_id,)).fetchone():
        return False
    if undo.card_row is not None:
        conn.execute(f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES ({_CARD_MARKS})", undo.card_row)
    conn.execute(
        "UPDATE card_flags SET reset_at = ? WHERE item_id = ?", (undo.reset_at, undo.item_id)
    )
    return True


# ------------------------------------------------------------------ the Store's actions


def set_suspended(store: Store, item_ids: list[str], suspended: bool) -> None:
    ids = list(dict.fromkeys(item_ids))
    store._write(
        lambda c: flags_in(c, ids, suspended=suspended),
        lambda _r: {"op": "flags", "ids": ids, "suspended": suspended},
    )


def bury(store: Store, item_ids: list[str], until: datetime | None) -> None:
    """Bury the items until ``until`` (None: unbury)."""
    ids = list(dict.fromkeys(item_ids))
    stamp = _ts(_utc(until)) if until is not None else None
    store._write(
        lambda c: flags_in(c, ids, buried_until=stamp),
        lambda _r: {"op": "flags", "ids": ids, "buried_until": stamp},
    )


def reset_progress(store: Store, item_id: str, *, now: datetime | None = None) -> ResetUndo:
    at = _ts(_utc(now))
    return store._write(
        lambda c: reset_in(c, item_id, at),
        lambda _r: {"op": "reset", "item_id": item_id, "at": at},
    )


def undo_reset(store: Store, undo: ResetUndo) -> bool:
    return store._write(
        lambda c: undo_reset_in(c, undo),
        lambda _r: {
            "op": "undo_reset",
            "item_id": undo.item_id,
            "row": list(undo.card_row) if undo.card_row else None,
            "reset_at": undo.reset_at,
        },
    )


def card_flags(store: Store) -> dict[str, CardFlags]:
    rows = store._read(
        lambda c: c.execute(
            "SELECT item_id, suspended, buried_until, reset_at FROM card_flags"
        ).fetchall()
    )
    return {
        item_id: CardFlags(bool(suspended), _dt(buried), _dt(reset))
        for item_id, suspended, buried, reset in rows
    }


def hidden_ids(store: Store, now: datetime) -> set[str]:
    """The items suspended or buried at ``now``."""
    stamp = _ts(_utc(now))
    return store._read(
        lambda c: {
            r[0]
            for r in c.execute(
                "SELECT item_id FROM card_flags WHERE suspended = 1 OR buried_until > ?",
                (stamp,),
            )
        }
    )


def summaries(store: Store, item_ids: list[str] | None = None) -> dict[str, ItemSummary]:
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
            out[item_id] = ItemSummary(int(n), int(wrong or 0), rating, _dt(at), verdict)
        return out

    return store._read(read)


def replay_entry(conn: sqlite3.Connection, e: dict[str, Any]) -> None:
    """Apply a journaled ``flags``, ``reset`` or ``undo_reset`` entry (``ops.replay``)."""
    op = e["op"]
    if op == "flags":
        ids = [str(i) for i in e["ids"]]
        suspended = e.get("suspended")
        flags_in(
            conn,
            ids,
            suspended=bool(suspended) if suspended is not None else None,
            buried_until=e.get("buried_until", False),
        )
    elif op == "reset":
        reset_in(conn, str(e["item_id"]), str(e["at"]))
    elif op == "undo_reset":
        row = tuple(e["row"]) if e.get("row") else None
        undo_reset_in(conn, ResetUndo(str(e["item_id"]), row, e.get("reset_at")))
