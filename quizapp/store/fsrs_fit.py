"""FSRS parameters fitted to the learner's own reviews: the stored fit, what keeping one would
make of the cards, and keeping or forgetting one (every card derived again). Functions over the
``Database``, importing the store's ops, srs and settings_io only."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import fsrs

from quizapp.store import ops, settings_io, srs
from quizapp.store.srs import FIT_KEY

if TYPE_CHECKING:
    from quizapp.store.database import Database


def stored(db: Database) -> dict[str, Any] | None:
    """The stored fit (``quizapp.fit.FitResult.to_json()``), or None when there is none."""
    row = db.read(
        lambda c: c.execute("SELECT value FROM settings WHERE key = ?", (FIT_KEY,)).fetchone()
    )
    if row is None:
        return None
    try:
        data = json.loads(row[0])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def cards_with(db: Database, parameters: tuple[float, ...]) -> dict[str, fsrs.Card]:
    """Every reviewed item's card as this database would derive it with ``parameters`` (and
    the desired retention in use): what keeping a fit would make of them. Changes nothing."""
    scheduler = srs.make_scheduler(settings_io.current(db).desired_retention, parameters)
    states, _ = db.read(lambda c: ops.derive(c, scheduler))
    return {s.item_id: s.card for s in states}


def save(db: Database, fit: dict[str, Any] | None) -> None:
    """Keep a fit; None forgets it and the default parameters are used again. Every card is
    derived again from its log with the parameters now in use, in the same transaction (a
    card's state is a pure function of its log and the parameters, so a machine that merges
    the fit computes the same)."""
    settings_io.put_values(db, {FIT_KEY: fit}, recompute=True)
