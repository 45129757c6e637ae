"""Spaced repetition on top of the progress store, with the ``fsrs`` package doing the maths.

* ``StudyQueue`` picks what to study next from a ``quizapp.decks.Library``: cards due now
  (earliest first, learning steps included), then new cards up to the new-cards-per-day limit,
  then learning cards coming due within ``LEARN_AHEAD`` (so a session does not stall for the last
  minute of a learning step). Items not in the library (removed cards) keep their history in the
  store but never enter the queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import fsrs

from quizapp.clock import local_day_start
from quizapp.decks.kinds import kind_of
from quizapp.due_words import LEARN_AHEAD

# The one FSRS scheduler and the one way to apply a review live with the store (which derives
# every card from its log with them); re-exported here for the rest of the app.
from quizapp.store.srs import DEFAULT_PARAMETERS, apply_review, make_scheduler, replay_item

if TYPE_CHECKING:
    from quizapp.decks import Card, Library
    from quizapp.store import CardState, Store


def format_interval(delta: timedelta) -> str:
    """A short label for a rating button: ``<1m``, ``10m``, ``3h``, ``4d``, ``2.5mo``, ``1.2y``."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"


@dataclass(frozen=True)
class QueueCounts:
    """``due``: review cards due now; ``new``: new cards available today (within the daily
    limit); ``learning``: cards in (re)learning steps due now or within ``LEARN_AHEAD``."""

    due: int
    new: int
    learning: int

    @property
    def total(self) -> int:
        return self.due + self.new + self.learning


def _round_robin(groups: list[list[Card]]) -> list[Card]:
    out: list[Card] = []
    for i in range(max((len(g) for g in groups), default=0)):
        out += [g[i] for g in groups if i < len(g)]
    return out


def interleave(cards: Iterable[Card]) -> list[Card]:
    """Cards taken in turn from each kind, and within a kind in turn from each section (lowest
    first); the order within one kind and section is kept."""
    by_kind: dict[str, dict[int, list[Card]]] = {}
    for card in cards:
        # Cards beyond the notes (no section) come after the notes' sections of their kind.
        section = card.section if card.section is not None else 99
        by_kind.setdefault(card.kind, {}).setdefault(section, []).append(card)
    return _round_robin([_round_robin([s[n] for n in sorted(s)]) for s in by_kind.values()])


@dataclass(frozen=True)
class Guide:
    """What the plan to the interview (``quizapp.plan``) asks of today's queue: a faster pace of
    new cards when the date is close, and the reviews to pull forward ("advance") because FSRS
    alone would bring them back only after the interview morning, with recall below target."""

    day: date
    new_per_day: int
    advance: frozenset[str] = frozenset()


class StudyQueue:
    """What to study next, for one library and one store.

    ``now`` fixes the clock (tests, previews of a future day); otherwise every call uses the
    current time. It can be changed later by assigning ``queue.now``. Filters: ``deck`` (the
    card's deck name), ``tag``, ``kinds`` (default: every kind scheduled, ``quizapp.decks.kinds``).
    """

    def __init__(
        self,
        store: Store,
        library: Library,
        *,
        now: datetime | None = None,
        guide: Guide | None = None,
    ) -> None:
        self.store = store
        self.library = library
        self._now = now
        self.guide = guide
        self._candidates: dict[tuple[object, ...], tuple[list[str], set[str]]] = {}
        self._seen: set[str] = set()
        self._seen_version: tuple[int, int, int] | None = None
        self._hidden: set[str] = set()
        self._hidden_key: tuple[object, ...] | None = None

    # ---------------------------------------------------------------- clock and filters

    @property
    def now(self) -> datetime:
        return self._now.astimezone(UTC) if self._now is not None else datetime.now(UTC)

    @now.setter
    def now(self, value: datetime | None) -> None:
        self._now = value

    def candidates(
        self,
        *,
        deck: str | None = None,
        tag: str | None = None,
        kinds: Iterable[str] | None = None,
    ) -> list[str]:
        """Ids of the library's studiable items that match the filters, in the notes' order."""
        return self._filter(deck, tag, kinds)[0]

    def _filter(
        self, deck: str | None, tag: str | None, kinds: Iterable[str] | None
    ) -> tuple[list[str], set[str]]:
        kind_set = frozenset(kinds) if kinds is not None else None
        key = (deck, tag, kind_set)
        found = self._candidates.get(key)
        if found is None:

            def wanted(card: Card) -> bool:
                if kind_set is None and not kind_of(card).readiness:
                    return False
                if kind_set is not None and card.kind not in kind_set:
                    return False
                return (deck is None or card.deck == deck) and (tag is None or tag in card.tags)

            # New cards come interleaved across kinds and sections (not twenty concepts from
            # the first sections in a row); file order within one kind and section.
            cards = interleave(c for c in self.library.cards.values() if wanted(c))
            ids = [c.id for c in cards]
            found = self._candidates[key] = (ids, set(ids))
        hidden = self._hidden_ids()
        if hidden and not hidden.isdisjoint(found[1]):  # suspended or buried in the browser
            return [i for i in found[0] if i not in hidden], found[1] - hidden
        return found

    def _hidden_ids(self) -> set[str]:
        """Suspended and buried items (cached per store version and day hour)."""
        key = (self.store.version, self.now.replace(minute=0, second=0, microsecond=0))
        if key != self._hidden_key:
            self._hidden = self.store.hidden_ids(self.now)
            self._hidden_key = key
        return self._hidden

    def _seen_ids(self) -> set[str]:
        version = self.store.version
        if version != self._seen_version:
            self._seen = self.store.reviewed_ids()
            self._seen_version = version
        return self._seen

    def new_left_today(self) -> int:
        """New cards still allowed today: the daily limit minus the flashcards first reviewed
        today (quiz questions and drills use up none of it; the plan counts the same)."""
        cards = self.library.cards
        first = self.store.first_reviewed_ids_since(local_day_start(self.now))
        started = sum(1 for i in first if i in cards and kind_of(cards[i]).study)
        limit = self.store.settings.new_per_day
        guide = self._guide()
        if guide is not None:
            limit = max(limit, guide.new_per_day)  # the plan raises the pace, never lowers it
        return max(0, limit - started)

    def _guide(self) -> Guide | None:
        """The plan's guide when it is about today (a guide from yesterday is stale)."""
        guide = self.guide
        if guide is None or guide.day != self.now.astimezone().date():
            return None
        return guide

    def _advance(self, wanted: set[str]) -> list[str]:
        """The plan's pulled-forward reviews not yet done today, in the guide's order."""
        guide = self._guide()
        if guide is None or not guide.advance:
            return []
        start = local_day_start(self.now)
        out = []
        for item_id in sorted(guide.advance):
            if item_id not in wanted:
                continue
            state = self.store.card_state(item_id)
            last = state.card.last_review if state else None
            if state is not None and (last is None or last < start):
                out.append(item_id)
        return out

    # ---------------------------------------------------------------- the queue

    def counts(
        self,
        *,
        deck: str | None = None,
        tag: str | None = None,
        kinds: Iterable[str] | None = None,
    ) -> QueueCounts:
        now = self.now
        ids, wanted = self._filter(deck, tag, kinds)
        due = learning = 0
        for item_id, state, due_at in self.store.iter_due(now + LEARN_AHEAD):
            if item_id not in wanted:
                continue
            if state != fsrs.State.Review:
                learning += 1
            elif due_at <= now:
                due += 1
        due += len(self._advance(wanted))  # the plan's reviews pulled forward count as due
        seen = self._seen_ids()
        unseen = sum(1 for i in ids if i not in seen)
        return QueueCounts(due=due, new=min(unseen, self.new_left_today()), learning=learning)

    def next(
        self,
        *,
        deck: str | None = None,
        tag: str | None = None,
        kinds: Iterable[str] | None = None,
        limit: int = 1,
        exclude: Iterable[str] = (),
    ) -> list[str]:
        """Up to ``limit`` item ids to study: due now (earliest first), then new (the notes' order,
        within today's limit), then learning cards due within ``LEARN_AHEAD``. ``exclude``
        skips ids (e.g. the card on screen). Empty when there is nothing to study."""
        now = self.now
        ids, wanted = self._filter(deck, tag, kinds)
        skip = set(exclude)
        out: list[str] = []
        for item_id, _state, _due in self.store.iter_due(now):
            if item_id in wanted and item_id not in skip:
                out.append(item_id)
                if len(out) >= limit:
                    return out
        for item_id in self._advance(wanted):
            if item_id not in skip and item_id not in out:
                out.append(item_id)
                if len(out) >= limit:
                    return out
        left = self.new_left_today()
        if left > 0:
            seen = self._seen_ids()
            for item_id in ids:
                if item_id not in seen and item_id not in skip:
                    out.append(item_id)
                    left -= 1
                    if len(out) >= limit or left == 0:
                        break
            if len(out) >= limit:
                return out
        for item_id, state, due_at in self.store.iter_due(now + LEARN_AHEAD):
            if (
                due_at > now
                and state != fsrs.State.Review
                and item_id in wanted
                and item_id not in skip
                and item_id not in out
            ):
                out.append(item_id)
                if len(out) >= limit:
                    break
        return out

    # ---------------------------------------------------------------- one item

    def state(self, item_id: str) -> CardState | None:
        """The item's scheduling state; None when it is new."""
        return self.store.card_state(item_id)

    def preview(self, item_id: str) -> dict[fsrs.Rating, timedelta]:
        """How long until the item comes back for each rating (no fuzz), for rating buttons."""
        self.store.settings  # noqa: B018 - reads settings another process saved since
        scheduler = self.store.scheduler  # the very scheduler the store's review will use
        now = self.now
        state = self.store.card_state(item_id)
        card = state.card if state else fsrs.Card(card_id=0, due=now)
        return {r: scheduler.review_card(card, r, now)[0].due - now for r in fsrs.Rating}

    def rate(
        self,
        item_id: str,
        rating: fsrs.Rating | int,
        *,
        duration_ms: int | None = None,
        answer: str | None = None,
        verdict: str | None = None,
        seed: int | None = None,
    ) -> datetime:
        """Record a review of ``item_id`` now (its kind taken from the library) and return when
        it is due next. Raises ``StoreError`` only if another quizapp holds the file locked."""
        card = self.library.cards.get(item_id)
        current = self._seen_version == self.store.version
        review = self.store.record_review(
            item_id,
            rating,
            kind=card.kind if card else None,
            duration_ms=duration_ms,
            answer=answer,
            verdict=verdict,
            seed=seed,
            now=self.now,
        )
        if current:  # our own write: keep the cache instead of reloading every id
            self._seen.add(item_id)
            self._seen_version = self.store.version
        assert review.due is not None
        return review.due

    def undo(self) -> str | None:
        """Undo the last review of this session; returns the item id to show again, or None."""
        review = self.store.undo_last_review()
        return review.item_id if review else None

    def retrievability(self, item_id: str, at: datetime) -> float | None:
        """Predicted probability of recalling the item at ``at``; None if never reviewed."""
        state = self.store.card_state(item_id)
        if state is None:
            return None
        return retrievability(self.store.scheduler, state, at)


def retrievability(scheduler: fsrs.Scheduler, state: CardState, at: datetime) -> float:
    """fsrs's retrievability of a reviewed item at ``at`` (1.0 before its last review)."""
    return float(scheduler.get_card_retrievability(state.card, at.astimezone(UTC)))


__all__ = [
    "DEFAULT_PARAMETERS",
    "LEARN_AHEAD",
    "Guide",
    "QueueCounts",
    "StudyQueue",
    "apply_review",
    "format_interval",
    "make_scheduler",
    "replay_item",
    "retrievability",
]
