"""The one FSRS scheduler and the one way to apply a review to a card state.

Every part of quizapp that schedules or predicts (the rating buttons' previews, the store's
reviews, undo, merges and migrations, readiness, the plan, cram's readiness, the fit) builds its
scheduler with ``make_scheduler`` from the learner's desired retention and fitted parameters, and
applies reviews with ``apply_review`` (a test fails if ``fsrs.Scheduler(`` appears anywhere else).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import fsrs

from quizapp.store.values import CardState


@functools.lru_cache(maxsize=32)
def _build(retention: float, parameters: tuple[float, ...] | None) -> fsrs.Scheduler:
    if parameters is None:
        return fsrs.Scheduler(desired_retention=retention, enable_fuzzing=False)
    return fsrs.Scheduler(parameters=parameters, desired_retention=retention, enable_fuzzing=False)


def make_scheduler(
    retention: float = 0.9, parameters: Sequence[float] | None = None
) -> fsrs.Scheduler:
    """The FSRS scheduler for a desired retention and (fitted) parameters: the only place one
    is built. No fuzzing: a card's state is a pure function of its review log, the retention and
    the parameters, so every machine computes the same state from the same merged log, and the
    rating buttons show exactly the interval the store then schedules. Raises ValueError for
    parameters fsrs cannot use."""
    params = None if parameters is None else tuple(float(p) for p in parameters)
    return _build(float(retention), params)


DEFAULT_PARAMETERS: tuple[float, ...] = tuple(make_scheduler().parameters)


def apply_review(
    scheduler: fsrs.Scheduler,
    state: CardState | None,
    item_id: str,
    rating: fsrs.Rating,
    at: datetime,
    duration_ms: int | None = None,
) -> tuple[CardState, int | None]:
    """One review applied to an item's state (None: new): the new state and the fsrs state
    before it (None: it was new). The lapse rule lives here: an Again given in the Review state
    is a lapse."""
    if state is None:
        card, reps, lapses, first, before = fsrs.Card(card_id=0, due=at), 0, 0, at, None
    else:
        card, reps, lapses, first = state.card, state.reps, state.lapses, state.first_review
        before = int(card.state)
    new_card, _ = scheduler.review_card(card, rating, at, duration_ms)
    if rating == fsrs.Rating.Again and before == fsrs.State.Review:
        lapses += 1
    return CardState(item_id, new_card, reps + 1, lapses, first), before


def replay_item(
    scheduler: fsrs.Scheduler,
    item_id: str,
    reviews: Iterable[tuple[fsrs.Rating, datetime, int | None]],
) -> tuple[CardState | None, list[tuple[int | None, datetime]]]:
    """An item's state from its whole log (rating, when, duration; in log order: time, then
    uuid), and each review's state before and due after. None for an empty log."""
    state: CardState | None = None
    derived: list[tuple[int | None, datetime]] = []
    for rating, at, duration in reviews:
        state, before = apply_review(scheduler, state, item_id, rating, at, duration)
        derived.append((before, state.card.due))
    return state, derived


FIT_KEY = "fsrs_fit"  # the settings key of the fitted parameters (quizapp.fit.FitResult)


def fitted_parameters(data: dict[str, Any] | None) -> tuple[float, ...] | None:
    """The parameters of a stored fit when they are usable by fsrs, else None."""
    if not data:
        return None
    try:
        params = tuple(float(x) for x in data["parameters"])
        make_scheduler(parameters=params)
    except (KeyError, TypeError, ValueError):
        return None
    return params
