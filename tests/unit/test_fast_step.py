"""The fast FSRS step (srs.FastStep, which every review application and replay uses) agrees
with py-fsrs's own ``Scheduler.review_card`` on every field, for random review sequences and
random parameters and retentions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fsrs
from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.store import srs
from quizapp.store.values import time_text

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

# gaps between reviews: same instant, seconds, minutes, hours (same day), days, long breaks
gaps = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 3599).map(lambda s: timedelta(seconds=s)),
    st.integers(1, 23 * 60).map(lambda m: timedelta(minutes=m)),
    st.integers(1, 3 * 86400).map(lambda s: timedelta(seconds=s)),
    st.integers(1, 800).map(lambda d: timedelta(days=d, microseconds=d * 7)),
)
sequences = st.lists(st.tuples(st.sampled_from(list(fsrs.Rating)), gaps), min_size=1, max_size=40)


@st.composite
def parameter_sets(draw: st.DrawFn) -> tuple[float, ...] | None:
    """None (the defaults) or each default scaled by 0.5-1.5, kept within fsrs's bounds."""
    if draw(st.booleans()):
        return None
    factors = draw(st.lists(st.floats(0.5, 1.5), min_size=21, max_size=21))
    return tuple(
        min(max(p * f, lo), hi)
        for p, f, lo, hi in zip(
            srs.DEFAULT_PARAMETERS,
            factors,
            LOWER_BOUNDS_PARAMETERS,
            UPPER_BOUNDS_PARAMETERS,
            strict=True,
        )
    )


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return a == b or abs(a - b) <= 1e-12 * abs(b)


@settings(max_examples=300, deadline=None)
@given(parameter_sets(), st.floats(0.7, 0.97), sequences)
def test_the_fast_step_agrees_with_fsrs_review_card(
    params: tuple[float, ...] | None,
    retention: float,
    reviews: list[tuple[fsrs.Rating, timedelta]],
) -> None:
    scheduler = srs.make_scheduler(retention, params)
    step = srs.fast_step(scheduler)
    card = fsrs.Card(card_id=0, due=T0)
    fields: srs.Fields | None = None
    at = T0
    for rating, gap in reviews:
        at += gap
        card, _ = scheduler.review_card(card, rating, at)
        fields = step(fields, int(rating), at)
        state, n, stability, difficulty, due, last = fields
        assert (state, n, due, last) == (int(card.state), card.step, card.due, card.last_review)
        assert _same(stability, card.stability) and _same(difficulty, card.difficulty)


@settings(max_examples=100, deadline=None)
@given(parameter_sets(), st.floats(0.7, 0.97), sequences)
def test_apply_review_keeps_fsrs_cards_and_counts_lapses(
    params: tuple[float, ...] | None,
    retention: float,
    reviews: list[tuple[fsrs.Rating, timedelta]],
) -> None:
    scheduler = srs.make_scheduler(retention, params)
    card = fsrs.Card(card_id=0, due=T0)
    state = None
    at, lapses = T0, 0
    for rating, gap in reviews:
        at += gap
        lapses += rating == fsrs.Rating.Again and card.state == fsrs.State.Review
        card, _ = scheduler.review_card(card, rating, at)
        state, _before = srs.apply_review(scheduler, state, "x", rating, at)
        assert state.card.to_dict() | {"card_id": 0} == card.to_dict() | {"card_id": 0}
    assert state is not None and (state.reps, state.lapses) == (len(reviews), lapses)


@settings(max_examples=200, deadline=None)
@given(st.floats(0.7, 0.97), sequences, st.booleans(), st.booleans())
def test_a_replayed_log_gives_each_review_the_due_time_one_by_one_gives(
    retention: float,
    sequence: list[tuple[fsrs.Rating, timedelta]],
    whole_seconds: bool,
    parsed_given: bool,
) -> None:
    """``replay_log`` (every merge and migration) writes each review's due time as the store's
    text, the same as applying the reviews one by one and writing each due time with
    ``time_text``: also when the time of day is carried over from the review's own text."""
    scheduler = srs.make_scheduler(retention)
    times, at = [], T0.replace(microsecond=0 if whole_seconds else 123)
    for _, gap in sequence:
        at += gap
        times.append(at)
    ratings = [r for r, _ in sequence]
    log = [(r, t, None) for r, t in zip(ratings, times, strict=True)]
    _, expected = srs.replay_item(scheduler, "focal", log)
    rows = [
        (
            None,
            "focal",
            int(r),
            time_text(t),
            None,
            None,
            None,
            f"u-{i:03d}",
            t if parsed_given else None,
        )
        for i, (r, t) in enumerate(zip(ratings, times, strict=True))
    ]
    fresh: dict[str, tuple[int | None, str]] = {}
    srs.replay_log(scheduler, rows, {}, fresh)
    assert [fresh[f"u-{i:03d}"] for i in range(len(rows))] == [
        (before, time_text(due)) for before, due in expected
    ]
