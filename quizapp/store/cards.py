"""Each item's scheduling state (the ``cards`` table): one item's, every item's, the items due,
and the new items seen since a moment. Reads only (reviews.py and ops.py write the states);
functions over the ``Database``, importing the store's rows and values only."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import fsrs

from quizapp.store.rows import CARD_COLUMNS, card_state_of
from quizapp.store.values import CardState, as_utc, parse_time, time_text

if TYPE_CHECKING:
    from quizapp.store.database import Database


def state(db: Database, item_id: str) -> CardState | None:
    """The item's scheduling state, or None when it has never been reviewed."""
    row = db.read(
        lambda c: c.execute(
            f"SELECT {CARD_COLUMNS} FROM cards WHERE item_id = ?", (item_id,)
        ).fetchone()
    )
    return card_state_of(row) if row else None


def states(db: Database) -> dict[str, CardState]:
    rows = db.read(lambda c: c.execute(f"SELECT {CARD_COLUMNS} FROM cards").fetchall())
    return {r[0]: card_state_of(r) for r in rows}


def reviewed_ids(db: Database) -> set[str]:
    """Ids of every item that has a scheduling state (was ever reviewed)."""
    return db.read(lambda c: {r[0] for r in c.execute("SELECT item_id FROM cards")})


def iter_due(db: Database, before: datetime) -> Iterator[tuple[str, fsrs.State, datetime]]:
    """(item id, state, due) of items due at or before ``before``, earliest first, read lazily
    in small chunks (the lock is not held between them, so stopping early is fine). When the
    database switches files meanwhile (saving stopped or resumed), it reads on from the new one
    without repeating an item."""
    stamp = time_text(as_utc(before))
    seen: set[str] = set()
    while True:
        generation = db.generation
        cursor = db.read(
            lambda c: c.execute(
                "SELECT item_id, state, due FROM cards WHERE due <= ? ORDER BY due", (stamp,)
            )
        )
        size = 16  # the queue usually needs only the first few

        def fetch(conn: sqlite3.Connection, n: int, cur: sqlite3.Cursor) -> list[Any] | None:
            # None: the database switched connections (a read that failed here moves it to
            # memory, and the retry gets the new one): the cursor's connection is gone.
            return cur.fetchmany(n) if cur.connection is conn else None

        while True:
            with db.lock:
                if db.generation != generation:
                    break  # the cursor's connection is gone: query the new one
                rows = db.read(lambda c, n=size, cur=cursor: fetch(c, n, cur))  # type: ignore[misc]
            if rows is None:
                break
            if not rows:
                return
            for item_id, card_state, due in rows:
                if item_id not in seen:
                    seen.add(item_id)
                    yield item_id, fsrs.State(card_state), parse_time(due)  # type: ignore[misc]
            size = min(size * 4, 1024)


def first_reviewed_since(db: Database, since: datetime) -> int:
    """How many items had their first review at or after ``since`` (new cards seen)."""
    return int(
        db.read(
            lambda c: c.execute(
                "SELECT COUNT(*) FROM cards WHERE first_review >= ?", (time_text(as_utc(since)),)
            ).fetchone()[0]
        )
    )


def first_reviewed_ids_since(db: Database, since: datetime) -> set[str]:
    """The items whose first review was at or after ``since``."""
    return db.read(
        lambda c: {
            row[0]
            for row in c.execute(
                "SELECT item_id FROM cards WHERE first_review >= ?", (time_text(as_utc(since)),)
            )
        }
    )
