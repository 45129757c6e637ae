"""Cram answers (the ``cram_reviews`` table): logged, never scheduled, so the FSRS schedule after
the interview stays sound. Functions over the ``Database``, importing the store's ops and
values only."""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import fsrs

from quizapp.store import ops
from quizapp.store.values import as_utc, parse_time, time_text

if TYPE_CHECKING:
    from quizapp.store.database import Database


@dataclass(frozen=True)
class CramReview:
    """One answer of a cram session: logged, never scheduled."""

    uuid: str
    item_id: str
    rating: fsrs.Rating
    reviewed_at: datetime
    duration_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "item_id": self.item_id,
            "rating": self.rating.name.lower(),
            "reviewed_at": self.reviewed_at.isoformat(),
            "duration_ms": self.duration_ms,
        }


def record(
    db: Database,
    item_id: str,
    rating: fsrs.Rating | int,
    *,
    duration_ms: int | None = None,
    now: datetime | None = None,
) -> CramReview:
    """Log a cram answer. The item's FSRS state, its due date and its review history are left
    exactly as they were. Saved like any action (kept pending when the file refuses)."""
    review = CramReview(
        str(uuidlib.uuid4()), item_id, fsrs.Rating(int(rating)), as_utc(now), duration_ms
    )
    entry = {"op": "cram", "uuid": review.uuid, "item_id": item_id,
             "rating": int(review.rating), "at": time_text(review.reviewed_at),
             "duration_ms": duration_ms}  # fmt: skip
    db.write(lambda c: ops.cram_in(c, entry), lambda _r: entry)
    return review


def reviews(db: Database, item_id: str | None = None) -> list[CramReview]:
    """Cram answers, oldest first (of one item with ``item_id``)."""
    sql = "SELECT uuid, item_id, rating, reviewed_at, duration_ms FROM cram_reviews"
    args: tuple[Any, ...] = ()
    if item_id is not None:
        sql += " WHERE item_id = ?"
        args = (item_id,)
    rows = db.read(lambda c: c.execute(sql + " ORDER BY id", args).fetchall())
    return [
        CramReview(u, i, fsrs.Rating(r), parse_time(at), d)  # type: ignore[arg-type]
        for u, i, r, at, d in rows
    ]
