"""Ready on interview day: predicted recall on the interview morning, and a day-by-day plan to it.

Two questions, answered from the store's FSRS states and the library:

* **Readiness** (``readiness``): for every studiable item, the predicted probability of recalling
  it on the interview morning (FSRS retrievability at that moment). A never-seen item counts as 0
  (not ready). A practice item (multiple choice, ordering, drills) counts by its recent results
  too: its readiness is the lower of its FSRS recall and the share of its last
  ``RECENT_RESULTS`` answers that were right. Summarised overall, per deck, per tag and per
  checklist item, with the items below the target.

* **The plan** (``make_plan``): what to do each day from today to the interview so that, in the
  FSRS model, every item's recall on the morning is at or above the target. It simulates a learner
  who does the plan and answers "Good" each time, with the learner's own FSRS parameters:

  - reviews: the items FSRS brings back that day, plus the items whose recall would otherwise fall
    below the target before the morning ("advance": reviewed on the day their recall reaches the
    target, not on a later FSRS due date), plus, on the last day, every item still below target;
  - new: every unseen item is introduced early enough to be reviewed a few times before the
    morning; when the learner's new-cards-per-day setting is too low for that, the plan raises it
    and says so;
  - the plan says plainly when the daily load it needs is beyond ``MAX_DAILY_LOAD``.

After the interview date there is no plan: scheduling is plain FSRS again.

Everything here is pure given its inputs (``PlanInputs``); ``gather`` reads them from a store and
a library. Times are aware datetimes; days are the learner's local days.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import fsrs

from quizapp.clock import local_day_start
from quizapp.decks.kinds import kind_of, names
from quizapp.readiness import (
    PRACTICE_KINDS,
    RECENT_RESULTS,
    Group,
    PlanInputs,
    PlanItem,
    Readiness,
    _scheduler,
    interview_morning,
    item_readiness,
    readiness,
    recall_at,
)
from quizapp.settings import INTERVIEW_HORIZON_DAYS
from quizapp.wording import counted

if TYPE_CHECKING:
    from quizapp.decks import Library
    from quizapp.store import Store

# When the simulated learner studies on a future day (local time).
STUDY_TIME = time(18, 0)
# More items than this in one day (reviews plus new) is not a plan a person can follow.
MAX_DAILY_LOAD = 400
# At most this many simulated reviews of one item on one day (learning steps repeat the same day).
MAX_SAME_DAY_REVIEWS = 4

# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Day:
    """One day of the plan: how many reviews, how many new cards (flashcards: what Study
    introduces, within the new-card limit) and how many new quiz questions and drills (met in
    quizzes, the mock and drills; they use up no new-card limit)."""

    date: date
    reviews: int
    new: int
    new_practice: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "reviews": self.reviews,
            "new": self.new,
            "new_practice": self.new_practice,
        }


@dataclass(frozen=True)
class Plan:
    """The plan to the interview morning, and what the model predicts if it is followed.

    ``new_per_day`` is the pace of new cards the plan uses (``raised`` when it is above the
    learner's setting; today it is less the cards already started today, as in Study);
    ``reachable`` is False when the plan needs more than ``MAX_DAILY_LOAD``
    items on some day or when some item cannot reach the target any more (``message`` says which);
    ``predicted`` is the readiness on the morning after following the plan; ``cram`` is how many
    items are below target now and worth a cram session today (the last two days only);
    ``today_reviews`` and ``today_new`` are today's items (``advance`` those of the reviews that
    FSRS alone would bring back only after the morning).
    """

    interview_date: date
    days_left: int
    target: float
    readiness: Readiness
    days: tuple[Day, ...]
    new_per_day: int
    raised: bool
    predicted: Readiness
    reachable: bool
    message: str
    cram: int
    advance: tuple[str, ...]
    today_reviews: tuple[str, ...] = ()
    today_new: tuple[str, ...] = ()

    @property
    def today(self) -> Day:
        return self.days[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "interview_date": self.interview_date.isoformat(),
            "days_left": self.days_left,
            "target": self.target,
            "readiness": self.readiness.to_json(),
            "below_target": list(self.readiness.below),
            "per_day": [d.to_json() for d in self.days],
            "today": {
                "reviews": self.today.reviews,
                "new": self.today.new,
                "new_practice": self.today.new_practice,
                "cram": self.cram,
            },
            "new_per_day": self.new_per_day,
            "new_per_day_raised": self.raised,
            "reachable": self.reachable,
            "predicted_ready": round(self.predicted.overall.ready, 4),
            "predicted_below": len(self.predicted.below),
            "message": self.message,
        }


def _local_day(at: datetime, tz: Any) -> date:
    return at.astimezone(tz).date()


def _day_end(day: date, tz: Any) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz).astimezone(UTC)


def _study_moment(day: date, now: datetime, tz: Any) -> datetime:
    """When the simulated learner studies on ``day``: now on today, else the evening."""
    if day == _local_day(now, tz):
        return now
    return datetime.combine(day, STUDY_TIME, tzinfo=tz).astimezone(UTC)


def intro_days(days_left: int) -> int:
    """How many of the days left may introduce new items: the last few only review them."""
    if days_left <= 1:
        return max(days_left, 1)
    reserve = 1 if days_left <= 4 else 2 if days_left <= 10 else 3
    return days_left - reserve


def _study_days(today: date, days_left: int) -> list[date]:
    """Today up to the day before the interview (the interview day itself is a row too, for a
    last look before the morning when the interview is today). A date beyond the settings'
    horizon (stored by an older version, or merged from one) is planned for the horizon only:
    day by day to 9999-12-31 took minutes."""
    planned = min(days_left, INTERVIEW_HORIZON_DAYS)
    return [today + timedelta(days=k) for k in range(max(planned, 1))]


def make_plan(inputs: PlanInputs, *, max_daily_load: int = MAX_DAILY_LOAD) -> Plan | None:
    """The plan from today to the interview, or None without an interview date still ahead."""
    if inputs.interview_date is None:
        return None
    now = inputs.now.astimezone(UTC)
    tz = inputs.now.astimezone().tzinfo
    today = _local_day(now, tz)
    if inputs.interview_date < today:
        return None
    interview = inputs.interview_date
    kinds = {item.id: item.kind for item in inputs.items}
    morning = interview_morning(interview, tz)
    target = inputs.target
    current = readiness(inputs)
    days_left = (inputs.interview_date - today).days
    study_days = _study_days(today, days_left)
    planned = len(study_days)
    # New cards (flashcards) come from Study, within the new-card limit; new quiz questions and
    # drills from practice, at a pace of their own that uses up no limit.
    unseen = [item.id for item in inputs.items if item.id not in inputs.states]
    studied = set(names(study=True))
    cards_first = [i for i in unseen if kinds[i] in studied]
    practice_first = [i for i in unseen if kinds[i] not in studied]
    pace = math.ceil(len(cards_first) / intro_days(days_left)) if cards_first else 0
    new_per_day = max(pace, min(inputs.new_per_day, len(cards_first)))
    raised = pace > inputs.new_per_day
    practice_pace = math.ceil(len(practice_first) / intro_days(days_left)) if practice_first else 0

    scheduler = _scheduler(inputs.parameters, target)
    cards: dict[str, fsrs.Card] = {i: replace_card(c) for i, c in inputs.states.items()}
    queue_new, queue_practice = list(cards_first), list(practice_first)
    rows: list[Day] = []
    advance_today: list[str] = []
    today_reviews: list[str] = []
    today_new: list[str] = []
    last_study_day = study_days[-1]

    def learn(item_id: str) -> None:
        # What the daily pass needs of a card, worked out once per change of the card.
        card = cards[item_id]
        weak = recall_at(scheduler, card, morning) < target
        day = _target_day(scheduler, card, target, tz) if weak else interview
        facts[item_id] = (card.due, weak, day)

    facts: dict[str, tuple[datetime, bool, date]] = {}
    for item_id in cards:
        learn(item_id)
    for day in study_days:
        at = _study_moment(day, now, tz)
        end = min(_day_end(day, tz), morning) if day == inputs.interview_date else _day_end(day, tz)
        last = day == last_study_day
        chosen: list[str] = []
        for item_id, (due, weak, target_day) in facts.items():
            if due <= end:
                chosen.append(item_id)
            elif weak and (last or target_day <= day):
                chosen.append(item_id)
                if day == today:
                    advance_today.append(item_id)
        fresh: list[str] = []
        practice: list[str] = []
        if day < inputs.interview_date or days_left == 0:
            # Today: the cards already started today count against the day's limit (Study's
            # "New today" says the same).
            n = max(0, new_per_day - inputs.new_today) if day == today else new_per_day
            fresh, queue_new[:n] = queue_new[:n], []
            practice, queue_practice[:practice_pace] = queue_practice[:practice_pace], []
        if day == today:
            today_reviews, today_new = chosen, fresh + practice
        for item_id in chosen:
            _simulate_day(scheduler, cards, item_id, at, end)
            learn(item_id)
        for item_id in fresh + practice:
            cards[item_id] = fsrs.Card(card_id=_stable_id(item_id), due=at)
            _simulate_day(scheduler, cards, item_id, at, end)
            learn(item_id)
        rows.append(Day(day, len(chosen), len(fresh), len(practice)))
    if days_left > 0:
        rows.append(Day(inputs.interview_date, 0, 0))

    predicted_inputs = replace(
        inputs,
        states=cards,
        recent={i: (True,) * RECENT_RESULTS for i in cards},  # the plan assumes right answers
    )
    predicted = readiness(predicted_inputs, at=morning)
    heaviest = max((d.reviews + d.new + d.new_practice for d in rows), default=0)
    cram = len(current.below) if days_left <= 1 else 0
    reachable = True
    if queue_new or queue_practice:
        reachable = False
        late = len(queue_new) + len(queue_practice)
        message = f"out of reach: {counted(late, 'new item')} cannot be introduced in time"
    elif predicted.below:
        reachable = False
        message = (
            f"out of reach: {counted(len(predicted.below), 'item stays', 'items stay')} below "
            f"{target:.0%} on the morning even with the plan; cram them"
        )
    elif heaviest > max_daily_load:
        reachable = False
        message = (
            f"out of reach at a sane pace: the plan needs up to {heaviest} items on one day "
            f"(more than {max_daily_load}); start now and cram the rest"
        )
    elif raised:
        message = (
            f"new cards per day raised from {inputs.new_per_day} to {new_per_day} so that every "
            f"card is seen a few times before {inputs.interview_date.isoformat()}"
        )
    else:
        message = "on track: follow the plan and every card reaches the target by the morning"
    if planned < days_left:
        message += f" (planned for the next {planned} days only: the interview is further away)"
    return Plan(
        interview_date=inputs.interview_date,
        days_left=days_left,
        target=target,
        readiness=current,
        days=tuple(rows),
        new_per_day=new_per_day,
        raised=raised,
        predicted=predicted,
        reachable=reachable,
        message=message,
        cram=cram,
        advance=tuple(advance_today),
        today_reviews=tuple(today_reviews),
        today_new=tuple(today_new),
    )


def guide_for_today(plan: Plan | None, new_per_day: int) -> Any:
    """What today's study queue takes from ``plan`` (``quizapp.scheduling.Guide``), or None
    without a plan: the raised pace of new cards and the reviews pulled forward."""
    from quizapp.scheduling import Guide

    if plan is None:
        return None
    return Guide(
        day=plan.today.date,
        new_per_day=plan.new_per_day if plan.raised else new_per_day,
        advance=frozenset(plan.advance),
    )


def replace_card(card: fsrs.Card) -> fsrs.Card:
    """A copy of an fsrs card (the simulation must not change the caller's)."""
    return fsrs.Card.from_dict(card.to_dict())


def _stable_id(item_id: str) -> int:
    import zlib

    return zlib.crc32(item_id.encode())


def _target_day(scheduler: fsrs.Scheduler, card: fsrs.Card, target: float, tz: Any) -> date:
    """The local day on which the card's recall falls to ``target`` (FSRS's interval for it)."""
    assert card.last_review is not None and card.stability is not None
    days = _interval_days(scheduler, card.stability, target)
    return _local_day(card.last_review + timedelta(days=days), tz)


def _interval_days(scheduler: fsrs.Scheduler, stability: float, retention: float) -> float:
    """Days until recall falls from 1 to ``retention`` for an item of this stability."""
    decay = -scheduler.parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    return float(stability / factor * (retention ** (1 / decay) - 1))


def _simulate_day(
    scheduler: fsrs.Scheduler,
    cards: dict[str, fsrs.Card],
    item_id: str,
    at: datetime,
    end: datetime,
) -> int:
    """Review ``item_id`` as "Good" at ``at`` and again while learning steps bring it back
    before ``end``; return how many reviews that took."""
    card = cards[item_id]
    count = 0
    moment = at
    while count < MAX_SAME_DAY_REVIEWS:
        card, _log = scheduler.review_card(card, fsrs.Rating.Good, moment)
        count += 1
        if card.due >= end or card.state == fsrs.State.Review:
            break
        moment = max(card.due, moment + timedelta(seconds=1))
    cards[item_id] = card
    return count


# --------------------------------------------------------------------------- a new fit


@dataclass(frozen=True)
class FitChange:
    """What fitted parameters change in the predictions: readiness on the morning and the
    recall now of the items already seen (the retention FSRS predicts), before and after."""

    before: Readiness
    after: Readiness
    recall_now_before: float | None
    recall_now_after: float | None

    def lines(self) -> list[str]:
        """Two lines for the learner, e.g. "Recall now of the 40 cards you have seen: ..."."""
        out: list[str] = []
        if self.recall_now_before is not None and self.recall_now_after is not None:
            out.append(
                f"Predicted recall now of the cards you have seen: {self.recall_now_before:.0%}"
                f" -> {self.recall_now_after:.0%}"
            )
        b, a = self.before, self.after
        out.append(
            f"Ready on the morning: {b.overall.ready:.0%} -> {a.overall.ready:.0%} "
            f"({len(b.below)} -> {len(a.below)} below target)"
        )
        return out

    def to_json(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "recall_now_before": r(self.recall_now_before),
            "recall_now_after": r(self.recall_now_after),
            "ready_before": r(self.before.overall.ready),
            "ready_after": r(self.after.overall.ready),
            "below_before": len(self.before.below),
            "below_after": len(self.after.below),
        }


def fit_change(
    inputs: PlanInputs,
    parameters: tuple[float, ...],
    memory: Mapping[str, tuple[float, float]] | None = None,
    cards: Mapping[str, fsrs.Card] | None = None,
) -> FitChange:
    """Readiness and recall now as the inputs stand and with ``parameters``, whose memory
    states (stability, difficulty per item, ``quizapp.fit.memory_states``) replace the stored
    ones where given; ``cards`` (``quizapp.fit.replayed_cards``: what the store derives once the
    fit is kept, due dates included) replace them whole."""
    states = dict(inputs.states)
    for item_id, (stability, difficulty) in (memory or {}).items():
        if item_id in states:
            card = replace_card(states[item_id])
            card.stability, card.difficulty = stability, difficulty
            states[item_id] = card
    for item_id, card in (cards or {}).items():
        if item_id in states:
            states[item_id] = card
    fitted = replace(inputs, parameters=tuple(parameters), states=states)

    def recall_now(which: PlanInputs) -> float | None:
        if not which.states:
            return None
        scheduler = _scheduler(which.parameters, which.target)
        values = [recall_at(scheduler, card, which.now) for card in which.states.values()]
        return sum(values) / len(values)

    return FitChange(
        before=readiness(inputs),
        after=readiness(fitted),
        recall_now_before=recall_now(inputs),
        recall_now_after=recall_now(fitted),
    )


# --------------------------------------------------------------------------- from a store


def new_cards_today(store: Store, library: Library, now: datetime) -> int:
    """Flashcards first seen today (local day of ``now``): what today's new-card limit has used
    (quiz questions and drills use none of it)."""
    started = store.first_reviewed_ids_since(local_day_start(now))
    cards = library.cards
    return sum(1 for i in started if i in cards and kind_of(cards[i]).study)


def gather(store: Store, library: Library, *, now: datetime | None = None) -> PlanInputs:
    """Read the plan's inputs from a store and a library."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    settings = store.settings
    hidden = store.hidden_ids(now)  # suspended or buried in the card browser
    items = tuple(
        PlanItem(card.id, card.kind, card.deck, tuple(card.tags))
        for card in library.cards.values()
        if kind_of(card).readiness and card.id not in hidden
    )
    known = {item.id for item in items}
    states = {i: s.card for i, s in store.card_states().items() if i in known}
    recent: dict[str, list[bool]] = {}
    practice = [item.id for item in items if item.kind in PRACTICE_KINDS and item.id in states]
    for item_id in practice:
        reviews = store.reviews(item_id)
        recent[item_id] = [r.correct for r in reviews[-RECENT_RESULTS:]]
    checklist = tuple((c.number, c.text, tuple(c.links)) for c in library.checklist)
    target = getattr(settings, "interview_target", None) or settings.desired_retention
    return PlanInputs(
        items=items,
        states=states,
        now=now,
        interview_date=settings.interview_date,
        target=float(target),
        new_per_day=settings.new_per_day,
        new_today=new_cards_today(store, library, now),
        parameters=tuple(store.scheduler.parameters),
        recent={k: tuple(v) for k, v in recent.items()},
        checklist=checklist,
        hidden=sum(1 for i in hidden if i in library.cards),
    )


__all__ = [
    "MAX_DAILY_LOAD",
    "PRACTICE_KINDS",
    "Day",
    "FitChange",
    "Group",
    "Plan",
    "PlanInputs",
    "PlanItem",
    "Readiness",
    "fit_change",
    "gather",
    "interview_morning",
    "item_readiness",
    "make_plan",
    "readiness",
    "recall_at",
]
