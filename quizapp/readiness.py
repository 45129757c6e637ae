"""Readiness for the interview morning: the predicted recall of every studiable item then.

For every studiable item, the predicted probability of recalling it on the interview morning (FSRS
retrievability at that moment). A never-seen item counts as 0 (not ready). A practice item
(multiple choice, ordering, drills) counts by its recent results too: its readiness is the lower
of its FSRS recall and the share of its last ``RECENT_RESULTS`` answers that were right.
Summarised overall, per deck, per tag and per checklist item, with the items below the target.
``quizapp.plan`` builds the day-by-day plan on top of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import fsrs

from quizapp.checklist import INTERVIEW_TIME, recall_moment
from quizapp.decks.kinds import kinds
from quizapp.scheduling import DEFAULT_PARAMETERS, make_scheduler

# Kinds whose readiness also counts their recent answers: the graded ones, not self-rated.
PRACTICE_KINDS = frozenset(k.name for k in kinds() if k.practice)
RECENT_RESULTS = 3


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class PlanItem:
    """One studiable item: its id, kind, deck and tags."""

    id: str
    kind: str
    deck: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanInputs:
    """Everything the plan needs, read once (``gather``) so the rest is pure and testable.

    ``states`` maps item id to its fsrs card (items absent are new); ``recent`` maps a practice
    item to its latest results, newest last (True = right); ``checklist`` is ((number, text,
    linked ids), ...); ``parameters`` are the FSRS weights to predict with.
    """

    items: tuple[PlanItem, ...]
    states: Mapping[str, fsrs.Card]
    now: datetime
    interview_date: date | None
    target: float
    new_per_day: int
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    new_today: int = 0  # flashcards first seen today: today's new-card limit used so far
    recent: Mapping[str, Sequence[bool]] = field(default_factory=dict)
    checklist: tuple[tuple[int, str, tuple[str, ...]], ...] = ()
    # Cards suspended or buried in the browser: left out of ``items`` (the plan says how many).
    hidden: int = 0


def interview_morning(interview_date: date, tz: Any = None) -> datetime:
    """09:00 local time on the interview day, as UTC."""
    tzinfo = tz if tz is not None else datetime.now().astimezone().tzinfo
    return datetime.combine(interview_date, INTERVIEW_TIME, tzinfo=tzinfo).astimezone(UTC)


# --------------------------------------------------------------------------- readiness


@dataclass(frozen=True)
class Group:
    """Readiness of a group of items: the mean predicted recall and how many are below target."""

    name: str
    items: int
    ready: float
    below: int

    def to_json(self) -> dict[str, Any]:
        return {"items": self.items, "ready": round(self.ready, 4), "below": self.below}


@dataclass(frozen=True)
class Readiness:
    """Predicted recall on the morning per item, and its summaries.

    ``at`` is the moment predicted for (the interview morning, or now without a date);
    ``recall`` maps every studiable item id to a value in [0, 1]; ``below`` lists the ids below
    ``target``, weakest first.
    """

    at: datetime
    target: float
    recall: Mapping[str, float]
    overall: Group
    by_deck: tuple[Group, ...]
    by_tag: tuple[Group, ...]
    by_checklist: tuple[Group, ...]
    below: tuple[str, ...]
    unseen: int

    def summary(self) -> str:
        """One line for home: "Ready: 71% · 38 cards below target"."""
        n = len(self.below)
        return f"Ready: {self.overall.ready:.0%} · {n} card{'s' if n != 1 else ''} below target"

    def to_json(self) -> dict[str, Any]:
        return {
            "overall": round(self.overall.ready, 4),
            "by_deck": {g.name: g.to_json() for g in self.by_deck},
            "by_tag": {g.name: g.to_json() for g in self.by_tag},
            "by_checklist": {g.name: g.to_json() for g in self.by_checklist},
        }


def _scheduler(parameters: Sequence[float], retention: float) -> fsrs.Scheduler:
    return make_scheduler(retention, parameters)


def recall_at(scheduler: fsrs.Scheduler, card: fsrs.Card | None, at: datetime) -> float:
    """FSRS retrievability of ``card`` at ``at``; 0 for a new (never reviewed) card."""
    if card is None or card.last_review is None:
        return 0.0
    if at <= card.last_review:
        return 1.0
    return float(scheduler.get_card_retrievability(card, at))


def item_readiness(
    item: PlanItem,
    card: fsrs.Card | None,
    scheduler: fsrs.Scheduler,
    at: datetime,
    recent: Sequence[bool] = (),
) -> float:
    """The item's readiness at ``at``: FSRS recall, capped by recent results for practice."""
    value = recall_at(scheduler, card, at)
    if item.kind in PRACTICE_KINDS and recent:
        last = list(recent)[-RECENT_RESULTS:]
        value = min(value, sum(last) / len(last))
    return value


def _group(name: str, ids: Iterable[str], recall: Mapping[str, float], target: float) -> Group:
    values = [recall[i] for i in ids if i in recall]
    if not values:
        return Group(name, 0, 0.0, 0)
    below = sum(1 for v in values if v < target)
    return Group(name, len(values), sum(values) / len(values), below)


def readiness(inputs: PlanInputs, at: datetime | None = None) -> Readiness:
    """Readiness of every item at ``at`` (default: the interview morning, or now)."""
    if at is None:
        at = recall_moment(inputs.interview_date, inputs.now)
    scheduler = _scheduler(inputs.parameters, inputs.target)
    recall = {
        item.id: item_readiness(
            item, inputs.states.get(item.id), scheduler, at, inputs.recent.get(item.id, ())
        )
        for item in inputs.items
    }
    target = inputs.target
    decks: dict[str, list[str]] = {}
    tags: dict[str, list[str]] = {}
    for item in inputs.items:
        decks.setdefault(item.deck, []).append(item.id)
        for tag in item.tags:
            tags.setdefault(tag, []).append(item.id)
    below = sorted((i for i, v in recall.items() if v < target), key=lambda i: (recall[i], i))
    return Readiness(
        at=at,
        target=target,
        recall=recall,
        overall=_group("overall", recall, recall, target),
        by_deck=tuple(_group(d, ids, recall, target) for d, ids in sorted(decks.items())),
        by_tag=tuple(_group(t, ids, recall, target) for t, ids in sorted(tags.items())),
        by_checklist=tuple(
            _group(str(number), links, recall, target) for number, _text, links in inputs.checklist
        ),
        below=tuple(below),
        unseen=sum(1 for item in inputs.items if item.id not in inputs.states),
    )
