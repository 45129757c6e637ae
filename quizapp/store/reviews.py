"""The review log: recording a review (fsrs schedules the item in the same transaction), undoing
this session's newest one, and the reads over the log (by item, by day, totals, retention).
Functions over the ``Database``; it imports the store's ops, rows and values only."""

from __future__ import annotations

import sqlite3
import uuid as uuidlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import fsrs

from quizapp.store import ops
from quizapp.store.rows import REVIEW_COLUMNS, review_of
from quizapp.store.values import Review, ReviewTotal, as_utc, time_text

if TYPE_CHECKING:
    from quizapp.store.database import Database


def record(
    db: Database,
    item_id: str,
    rating: fsrs.Rating | int,
    *,
    kind: str | None,
    duration_ms: int | None = None,
    answer: str | None = None,
    verdict: str | None = None,
    seed: int | None = None,
    now: datetime | None = None,
) -> Review:
    """Review an item with fsrs and save the review and the new state in one transaction (see
    ``Store.record_review``); kept pending when the file cannot be written."""
    rating = fsrs.Rating(int(rating))
    at = as_utc(now)
    uid = str(uuidlib.uuid4())
    entry = {"op": "review", "uuid": uid, "item_id": item_id, "rating": int(rating),
             "kind": kind, "at": time_text(at), "duration_ms": duration_ms, "answer": answer,
             "verdict": verdict, "seed": seed}  # fmt: skip
    review, before = db.write(
        lambda c: ops.review_in(
            db.scheduler,
            c,
            item_id,
            rating,
            kind,
            at,
            duration_ms,
            answer,
            verdict,
            seed,
            None,
            uid,
        ),
        lambda _r: entry,
    )
    db.undo.append((uid, before))
    return review


def undo_last(db: Database) -> Review | None:
    """Undo the newest review this session recorded itself (found by its uuid, so a review
    another process or a restore put under the same id is never touched): delete it (and its
    quiz answer) and put the item's scheduling state back exactly as it was. None when there
    is nothing to undo, or when the item was reviewed elsewhere since."""
    undone: list[tuple[str, tuple[Any, ...] | None]] = []

    def write(conn: sqlite3.Connection) -> Review | None:
        while db.undo:
            uid, before = db.undo[-1]
            row = conn.execute(
                f"SELECT {REVIEW_COLUMNS} FROM reviews WHERE uuid = ?", (uid,)
            ).fetchone()
            if row is None:  # gone (e.g. a restore replaced the file)
                db.undo.pop()
                continue
            review = review_of(row)
            if not ops.undo_in(conn, review.item_id, uid, before, db.scheduler):
                return None
            undone.append((uid, before))
            return review
        return None

    review = db.write(write, None)
    if review is not None:
        db.undo.pop()
        uid, before = undone[-1]
        entry = {"op": "undo", "uuid": uid, "before": list(before) if before else None}
        if db.read_only and db.journal is not None:
            # A review still pending is simply dropped; a saved one is undone on replay.
            if any(e.get("uuid") == uid for e in db.journal.entries):
                db.journal.drop(lambda e: e.get("uuid") == uid)
            else:
                db.journal.add(entry)
        elif not db.read_only:
            db.saved_actions.append(entry)
    return review


def reviews(
    db: Database, item_id: str | None = None, *, since: datetime | None = None
) -> list[Review]:
    """Reviews, oldest first; of one item and/or from ``since`` on."""
    where, args = [], []
    if item_id is not None:
        where.append("item_id = ?")
        args.append(item_id)
    if since is not None:
        where.append("reviewed_at >= ?")
        args.append(time_text(as_utc(since)))
    sql = f"SELECT {REVIEW_COLUMNS} FROM reviews"
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = db.read(lambda c: c.execute(sql + " ORDER BY id", args).fetchall())
    return [review_of(r) for r in rows]


def count(
    db: Database, *, since: datetime | None = None, item_ids: Iterable[str] | None = None
) -> int:
    """How many reviews (from ``since`` on, of ``item_ids`` only when given)."""
    where, args = _where(since, item_ids)
    sql = "SELECT COUNT(*) FROM reviews" + (f" WHERE {where}" if where else "")
    return int(db.read(lambda c: c.execute(sql, args).fetchone()[0]))


def totals(db: Database, item_ids: Iterable[str] | None = None) -> list[ReviewTotal]:
    """Answers and right answers per (item, kind), of every item or of ``item_ids``. A right
    answer rated Again (given only after the answer was shown: a retry, the full derivation as a
    hint; ``quizapp.policy``) counts neither way: it is not knowing it, nor a new miss."""
    sql = (
        "SELECT item_id, kind, COUNT(*) - COALESCE(SUM(rating = 1 AND verdict = 'correct'), 0),"
        " SUM(rating > 1) FROM reviews"
    )
    args: list[str] = []
    if item_ids is not None:
        args = sorted(set(item_ids))
        sql += f" WHERE item_id IN ({', '.join('?' * len(args))})"
    rows = db.read(lambda c: c.execute(sql + " GROUP BY item_id, kind", args).fetchall())
    return [ReviewTotal(*r) for r in rows]


def per_day(
    db: Database, *, since: datetime | None = None, item_ids: Iterable[str] | None = None
) -> dict[date, int]:
    """Reviews per local calendar day (of ``item_ids`` only when given)."""
    where, args = _where(since, item_ids)
    sql = "SELECT date(reviewed_at, 'localtime') AS d, COUNT(*) FROM reviews"
    sql += f" WHERE {where}" if where else ""
    rows = db.read(lambda c: c.execute(sql + " GROUP BY d", args).fetchall())
    return {date.fromisoformat(d): n for d, n in rows}


def any_between(db: Database, start: datetime, end: datetime) -> bool:
    """Whether any review falls in [start, end): one seek in the time index."""
    return db.read(
        lambda c: (
            c.execute(
                "SELECT 1 FROM reviews WHERE reviewed_at >= ? AND reviewed_at < ? LIMIT 1",
                (time_text(as_utc(start)), time_text(as_utc(end))),
            ).fetchone()
            is not None
        )
    )


def state_outcomes(
    db: Database, *, since: datetime | None = None, item_ids: Iterable[str] | None = None
) -> tuple[int, int]:
    """(reviews of items in the Review state, how many of them were remembered): the data
    behind true retention (of ``item_ids`` only when given)."""
    where, args = _where(since, item_ids)
    sql = "SELECT COUNT(*), COALESCE(SUM(rating > 1), 0) FROM reviews WHERE state_before = 2"
    sql += f" AND {where}" if where else ""
    return db.read(lambda c: tuple(c.execute(sql, args).fetchone()))


def _where(since: datetime | None, item_ids: Iterable[str] | None) -> tuple[str, list[str]]:
    """A WHERE clause (without the word) and its arguments: reviews from ``since`` on, of
    ``item_ids`` when given (one deck's items)."""
    parts: list[str] = []
    args: list[str] = []
    if since is not None:
        parts.append("reviewed_at >= ?")
        args.append(time_text(as_utc(since)))
    if item_ids is not None:
        ids = sorted(set(item_ids))
        parts.append(f"item_id IN ({', '.join('?' * len(ids))})" if ids else "0")
        args += ids
    return " AND ".join(parts), args
