"""FSRS fitted to a learner: a synthetic learner whose memory differs from FSRS's defaults.

The learner forgets new material much faster than the default parameters assume. Their reviews
are scheduled the way the app would (default parameters, retention 0.9); recall at each review is
drawn from their true memory model. A fit on three quarters of the cards must predict the held-back
quarter better (lower log-loss) than the defaults do.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import fsrs
import pytest

from quizapp.fit import (
    DEFAULT_PARAMETERS,
    MIN_REVIEWS,
    FitError,
    FitResult,
    LoggedReview,
    fit,
    log_loss,
    progress_line,
    training_items,
    usable_reviews,
)

START = datetime(2026, 1, 1, 18, tzinfo=UTC)


def _true_parameters() -> list[float]:
    params = list(DEFAULT_PARAMETERS)
    for i in range(4):
        params[i] *= 0.25  # first memories last a quarter as long
    params[20] = 0.5  # and fade along a different curve
    return params


def _synthetic_log(n_cards: int, seed: int, days: int = 120) -> list[LoggedReview]:
    rng = random.Random(seed)
    plain = {"enable_fuzzing": False, "learning_steps": (), "relearning_steps": ()}
    truth = fsrs.Scheduler(parameters=_true_parameters(), **plain)
    app = fsrs.Scheduler(**plain)
    log: list[LoggedReview] = []
    for c in range(n_cards):
        at = START + timedelta(days=rng.randrange(30))
        true_card, app_card = fsrs.Card(due=at), fsrs.Card(due=at)
        while at < START + timedelta(days=days):
            if true_card.last_review is None:
                recalled = rng.random() < 0.7
            else:
                recalled = rng.random() < truth.get_card_retrievability(true_card, at)
            rating = (
                rng.choice([fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Good, fsrs.Rating.Easy])
                if recalled
                else fsrs.Rating.Again
            )
            true_card, _ = truth.review_card(true_card, rating, at)
            app_card, _ = app.review_card(app_card, rating, at)
            log.append(LoggedReview(f"card-{c}", at, int(rating)))
            at = max(app_card.due, at + timedelta(days=1))
    return log


def test_fitted_parameters_predict_held_back_reviews_better_than_the_defaults() -> None:
    log = _synthetic_log(300, seed=7)
    train = [r for r in log if int(r.item_id.split("-")[1]) % 4]
    held = [r for r in log if int(r.item_id.split("-")[1]) % 4 == 0]
    result = fit(train, tz=UTC)
    assert result.reviews >= MIN_REVIEWS
    assert result.parameters != DEFAULT_PARAMETERS
    items = training_items(held, UTC)
    assert len(items) > 100
    default = log_loss(DEFAULT_PARAMETERS, items)
    fitted = log_loss(result.parameters, items)
    assert fitted < default, (fitted, default)
    # And on the history it was fitted on, the result says so itself.
    assert result.log_loss_fitted < result.log_loss_default
    assert result.improvement > 0


def test_too_few_reviews_says_how_far_off_a_fit_is() -> None:
    log = _synthetic_log(10, seed=1, days=40)
    usable = usable_reviews(log, UTC)
    assert 0 < usable < MIN_REVIEWS
    with pytest.raises(FitError) as info:
        fit(log, tz=UTC)
    assert f"{usable} of about {MIN_REVIEWS} reviews" in info.value.message
    assert f"{usable} of about {MIN_REVIEWS} reviews before your own" in progress_line(usable, None)
    # ... and says which reviews count (the first day's do not: 56 reviews may count as 0).
    assert "only a card's reviews after its first day count" in progress_line(usable, None)


def test_same_day_repeats_are_not_training_items() -> None:
    """Learning steps on one day say nothing about forgetting over days."""
    at = START
    log = [LoggedReview("a", at + timedelta(minutes=m), 3) for m in (0, 1, 10)]
    assert training_items(log, UTC) == []
    log.append(LoggedReview("a", at + timedelta(days=3), 3))
    assert len(training_items(log, UTC)) == 1


def test_a_stored_fit_round_trips_and_a_damaged_one_is_refused() -> None:
    result = FitResult(tuple(DEFAULT_PARAMETERS), 500, 0.4, 0.35, START)
    assert FitResult.from_json(result.to_json()) == result
    assert "fitted to you on 2026-01-01 from 500 reviews" in progress_line(500, result)
    with pytest.raises(FitError):
        FitResult.from_json({**result.to_json(), "parameters": [1.0, 2.0]})
    with pytest.raises(FitError):
        FitResult.from_json({"reviews": 3})
