"""The revision checklist's ticks: tick or untick an item (a replicated register, stamped) and
read them. Functions over the ``Database``, importing the store's ops and values only."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from quizapp.store import ops
from quizapp.store.values import as_utc, parse_time, time_text

if TYPE_CHECKING:
    from quizapp.store.database import Database


def set_ticked(db: Database, number: int, ticked: bool, now: datetime | None = None) -> None:
    """Tick (with the time) or untick revision-checklist item ``number``."""
    at = time_text(as_utc(now) if now is not None else db.now())
    db.write(
        lambda c: ops.tick_in(c, number, ticked, at, db.machine),
        lambda stamp: {"op": "tick", "number": number, "ticked": ticked, "at": at,
                       "stamp": stamp},
    )  # fmt: skip


def ticks(db: Database) -> dict[int, datetime]:
    """Checklist item number -> when it was ticked."""
    rows = db.read(lambda c: c.execute("SELECT number, ticked_at FROM checklist_ticks").fetchall())
    return {n: parse_time(t) for n, t in rows}  # type: ignore[misc]
