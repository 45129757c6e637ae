"""A flashcard study session: which card is up, how long the learner looked at it, ratings,
undo, and the end-of-session summary. Plain Python over ``StudyQueue`` so the UI stays thin and
tests can drive a whole session without a terminal."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from fsrs import Rating

from quizapp.decks import Card, Library
from quizapp.decks.kinds import names
from quizapp.decks.models import InterviewQuestion
from quizapp.policy import RATING_LABELS
from quizapp.scheduling import StudyQueue, format_interval


@dataclass
class Summary:
    reviewed: int = 0
    by_rating: Counter[Rating] = field(default_factory=Counter)
    seconds: float = 0.0
    next_due: datetime | None = None

    def describe(self) -> str:
        if not self.reviewed:
            return "No cards reviewed."
        parts = ", ".join(
            f"{RATING_LABELS[r]} {self.by_rating[r]}" for r in RATING_LABELS if self.by_rating[r]
        )
        minutes = self.seconds / 60
        took = f"{minutes:.1f} min" if minutes >= 1 else f"{self.seconds:.0f} s"
        plural = "s" if self.reviewed != 1 else ""
        return f"{self.reviewed} card{plural} reviewed in {took}: {parts}."


class StudySession:
    """Serve cards one at a time, due first, and record each rating as it is given.

    With ``ids`` the session walks exactly those cards (a focused drill, a checklist item's
    cards, one card picked from the palette); otherwise it asks the queue for what is due.
    """

    def __init__(
        self,
        queue: StudyQueue,
        library: Library,
        *,
        ids: Sequence[str] | None = None,
        tag: str | None = None,
        kinds: Sequence[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
        deck: str | None = None,
    ) -> None:
        self.queue = queue
        self.library = library
        self.tag = tag
        self.deck = deck
        self.kinds = names(study=True) if kinds is None else tuple(kinds)
        self.clock = clock
        self._fixed: list[str] | None = [i for i in ids if i in library.cards] if ids else None
        self._done: list[str] = []
        self._history: list[tuple[str, Rating, float]] = []
        self.current: Card | None = None
        self._shown_at = clock()
        self._started = clock()
        self.summary = Summary()

    @property
    def total(self) -> int | None:
        """Cards in a fixed session (None when the queue decides)."""
        return len(self._fixed) if self._fixed is not None else None

    @property
    def position(self) -> int:
        return len(self._done) + (1 if self.current else 0)

    def advance(self) -> Card | None:
        """Move to the next card (or None when the session is over)."""
        card_id: str | None
        if self._fixed is not None:
            remaining = [i for i in self._fixed if i not in self._done]
            card_id = remaining[0] if remaining else None
        else:
            found = self.queue.next(
                deck=self.deck, tag=self.tag, kinds=self.kinds, limit=1, exclude=()
            )
            card_id = found[0] if found else None
        self.current = self.library.cards.get(card_id) if card_id else None
        self._shown_at = self.clock()
        return self.current

    def intervals(self) -> dict[Rating, str]:
        """The next interval each rating would give the current card, formatted for buttons."""
        if self.current is None:
            return {}
        return {r: format_interval(d) for r, d in self.queue.preview(self.current.id).items()}

    def rate(self, rating: Rating) -> datetime:
        """Record the rating for the current card now (nothing is held back until the end) and
        move on. If recording raises (a StoreError), nothing moves on and the card stays."""
        assert self.current is not None, "no card to rate"
        elapsed = self.clock() - self._shown_at
        card_id = self.current.id
        when = self._record(card_id, rating, elapsed)
        self._done.append(card_id)
        self.summary.reviewed += 1
        self.summary.by_rating[rating] += 1
        self.summary.seconds += elapsed
        self.advance()
        return when

    def _record(self, card_id: str, rating: Rating, elapsed: float) -> datetime:
        """Feed the rating to the scheduler; returns when the card is due next."""
        due = self.queue.rate(card_id, rating, duration_ms=int(elapsed * 1000))
        self._history.append((card_id, rating, elapsed))
        self.summary.next_due = (
            due if self.summary.next_due is None else min(self.summary.next_due, due)
        )
        return due

    def undo(self) -> Card | None:
        """Take back the last rating; that card becomes current again, question side up."""
        if not self._history:
            return None
        undone = self.queue.undo()
        card_id, rating, elapsed = self._history.pop()
        if undone is not None and undone != card_id:  # pragma: no cover - a store from elsewhere
            return None
        self._done.remove(card_id)
        self.summary.reviewed -= 1
        self.summary.by_rating[rating] -= 1
        self.summary.seconds -= elapsed
        self.current = self.library.cards.get(card_id)
        self._shown_at = self.clock()
        return self.current

    @property
    def can_undo(self) -> bool:
        return bool(self._history)

    @staticmethod
    def key_points(card: Card) -> tuple[str, ...]:
        return card.points if isinstance(card, InterviewQuestion) else ()
