"""The plan to interview day, tried the way a learner lives it: a fake clock, one day at a time.

The simulated learner does what the plan says for today (its reviews and its new items), answering
"Good", with the same kind of scheduler the store uses (desired retention 0.9, fuzzing on), then
sleeps until tomorrow evening. On the interview morning every item's predicted recall must be at
or above the target.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.plan import (
    PlanInputs,
    PlanItem,
    interview_morning,
    make_plan,
    readiness,
    recall_at,
)

START = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)


def _items(n: int) -> tuple[PlanItem, ...]:
    kinds = ("concept", "trap", "formula", "multiple_choice")
    return tuple(
        PlanItem(f"card-{i}", kinds[i % len(kinds)], "loss" if i % 3 else "beyond", (f"t{i % 5}",))
        for i in range(n)
    )


def _review(scheduler: fsrs.Scheduler, card: fsrs.Card, at: datetime) -> fsrs.Card:
    """One study of a card at ``at``: Good, repeated while learning steps bring it back."""
    end = at + timedelta(hours=2)
    for _ in range(4):
        card, _ = scheduler.review_card(card, fsrs.Rating.Good, at)
        if card.state == fsrs.State.Review or card.due >= end:
            break
        at = card.due
    return card


def _live(
    n_items: int,
    horizon: int,
    *,
    skip: frozenset[int] = frozenset(),
    target: float = 0.9,
    new_per_day: int = 20,
) -> tuple[PlanInputs, list[bool]]:
    """Follow the plan for ``horizon`` days (skipping the day numbers in ``skip``); return the
    final inputs and, for each day studied, whether the plan said the target was reachable."""
    scheduler = fsrs.Scheduler(desired_retention=0.9)  # fuzzing on, like the store's
    items = _items(n_items)
    interview = (START + timedelta(days=horizon)).date()
    states: dict[str, fsrs.Card] = {}
    reachable: list[bool] = []
    for k in range(horizon):
        now = START + timedelta(days=k)
        if k in skip:
            continue
        plan = make_plan(
            PlanInputs(items, states, now, interview, target, new_per_day),
        )
        assert plan is not None
        reachable.append(plan.reachable)
        for item_id in plan.today_reviews:
            states[item_id] = _review(scheduler, states[item_id], now)
        for item_id in plan.today_new:
            assert item_id not in states
            states[item_id] = _review(scheduler, fsrs.Card(due=now), now)
    final = PlanInputs(items, states, START + timedelta(days=horizon), interview, target, 20)
    return final, reachable


@pytest.mark.parametrize("horizon", [14, 60])
def test_a_learner_who_follows_the_plan_reaches_the_target_on_every_card(horizon: int) -> None:
    final, reachable = _live(120, horizon)
    assert reachable and all(reachable)
    morning = interview_morning(final.interview_date)  # type: ignore[arg-type]
    ready = readiness(final, at=morning)
    assert len(ready.recall) == 120
    weakest = min(ready.recall.values())
    assert weakest >= 0.9, f"weakest card on the morning: {weakest:.3f} ({ready.below[:3]})"
    assert ready.below == ()


def test_a_learner_who_skips_days_gets_a_plan_that_recovers() -> None:
    final, reachable = _live(80, 14, skip=frozenset({2, 3, 4, 5, 9}))
    assert all(reachable)
    ready = readiness(final, at=interview_morning(final.interview_date))  # type: ignore[arg-type]
    assert ready.below == ()


def test_a_plan_out_of_reach_says_so_plainly() -> None:
    """Nine hundred unseen cards the evening before: no sane day holds them all."""
    now = START
    items = _items(900)
    plan = make_plan(PlanInputs(items, {}, now, (now + timedelta(days=1)).date(), 0.9, 20))
    assert plan is not None
    assert not plan.reachable
    assert plan.message.startswith("out of reach")
    assert "900" in plan.message or "items on one day" in plan.message


def test_new_cards_per_day_rises_when_the_date_is_close_and_says_so() -> None:
    items = _items(100)
    plan = make_plan(PlanInputs(items, {}, START, (START + timedelta(days=5)).date(), 0.9, 10))
    assert plan is not None
    assert plan.raised and plan.new_per_day > 10
    assert "raised from 10" in plan.message
    # Every unseen card is introduced before the last days, which only review.
    assert sum(d.new + d.new_practice for d in plan.days) == 100
    assert plan.days[-2].new == 0


def test_one_row_per_day_from_today_to_the_interview() -> None:
    items = _items(10)
    interview = (START + timedelta(days=9)).date()
    plan = make_plan(PlanInputs(items, {}, START, interview, 0.9, 20))
    assert plan is not None
    assert [d.date for d in plan.days] == [START.date() + timedelta(days=k) for k in range(10)]
    assert plan.days_left == 9


def test_no_plan_without_a_date_or_after_it() -> None:
    items = _items(5)
    assert make_plan(PlanInputs(items, {}, START, None, 0.9, 20)) is None
    yesterday = (START - timedelta(days=1)).date()
    assert make_plan(PlanInputs(items, {}, START, yesterday, 0.9, 20)) is None


def test_reviews_due_after_the_interview_but_weak_on_the_morning_are_advanced() -> None:
    """A card learnt yesterday under a 0.7 retention, so FSRS brings it back only after the
    interview, but below a 0.9 interview target on the morning: the plan pulls it forward."""
    scheduler = fsrs.Scheduler(desired_retention=0.7, enable_fuzzing=False)
    card = _review(scheduler, fsrs.Card(due=START), START - timedelta(days=1))
    assert card.last_review is not None and card.last_review < START
    assert card.due > START + timedelta(days=3)
    items = (PlanItem("c", "concept", "loss"),)
    interview = (START + timedelta(days=3)).date()
    inputs = PlanInputs(items, {"c": card}, START, interview, 0.9, 20)
    before = recall_at(fsrs.Scheduler(enable_fuzzing=False), card, interview_morning(interview))
    assert before < 0.9
    plan = make_plan(inputs)
    assert plan is not None
    assert sum(d.reviews for d in plan.days) >= 1
    assert plan.predicted.below == ()


def test_never_seen_cards_count_as_not_ready_and_practice_counts_by_recent_results() -> None:
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    fresh = _review(scheduler, fsrs.Card(due=START), START)
    items = (
        PlanItem("seen", "concept", "loss", ("a",)),
        PlanItem("quiz", "multiple_choice", "loss", ("a",)),
        PlanItem("never", "concept", "loss", ("b",)),
    )
    inputs = PlanInputs(
        items,
        {"seen": fresh, "quiz": fresh},
        START,
        (START + timedelta(days=1)).date(),
        0.9,
        20,
        recent={"quiz": (True, False, False)},
    )
    ready = readiness(inputs)
    assert ready.recall["never"] == 0.0
    assert ready.recall["quiz"] == pytest.approx(1 / 3)
    assert ready.recall["seen"] > 0.9
    assert ready.below == ("never", "quiz")
    assert ready.unseen == 1
    tags = {g.name: g for g in ready.by_tag}
    assert tags["b"].below == 1 and tags["a"].below == 1
    assert "2 cards below target" in ready.summary()


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(0, 60),
    horizon=st.integers(0, 30),
    new_per_day=st.integers(0, 50),
    hour=st.integers(0, 23),
)
def test_any_plan_introduces_every_card_once_and_never_on_the_last_day(
    n: int, horizon: int, new_per_day: int, hour: int
) -> None:
    now = datetime(2026, 3, 2, hour, 30, tzinfo=UTC)
    interview: date = (now + timedelta(days=horizon)).date()
    plan = make_plan(PlanInputs(_items(n), {}, now, interview, 0.9, new_per_day))
    assert plan is not None
    assert sum(d.new + d.new_practice for d in plan.days) == n
    assert len(plan.today_new) == plan.days[0].new + plan.days[0].new_practice
    if horizon >= 1:
        assert plan.days[-1].new == plan.days[-1].new_practice == 0
        assert plan.days[-1].date == interview
