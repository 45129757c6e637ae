"""Cram without damage: the items below the interview target, weakest first, whatever their due
dates, answered and logged apart from the schedule.

A cram answer goes to ``Store.record_cram`` only: the item's FSRS state (due date, stability,
difficulty) and the review log that FSRS and the fit read stay exactly as they were, so the
schedule after the interview is still sound. Readiness (``quizapp.readiness``) is an FSRS
prediction from that state and that log, so a cram session does not move it; the next regular
reviews do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fsrs import Rating

from quizapp.decks import Card, Library
from quizapp.decks.kinds import kind_of
from quizapp.readiness import Readiness
from quizapp.scheduling import StudyQueue
from quizapp.store import CramReview
from quizapp.study import StudySession


@dataclass(frozen=True)
class CramList:
    """What a cram session walks: ``ids`` below target (weakest first) of the kinds it shows,
    and ``other`` the items below target it leaves to Drills."""

    ids: tuple[str, ...]
    other: int


def cram_list(ready: Readiness, library: Library) -> CramList:
    """The items of ``ready`` below its target that a cram session can show, weakest first: the
    kinds flipped like a card (``Kind.cram``); drills draw fresh numbers each time and are
    practised in Drills."""
    ids: list[str] = []
    other = 0
    for item_id in ready.below:  # already weakest first
        card = library.cards.get(item_id)
        if card is None:
            continue
        if kind_of(card).cram:
            ids.append(item_id)
        else:
            other += 1
    return CramList(tuple(ids), other)


class CramSession(StudySession):
    """A fixed walk over ``ids`` whose answers go to ``record`` (``Store.record_cram``) and
    nowhere else: no interval preview, no scheduling, no undo through the review log."""

    def __init__(
        self,
        queue: StudyQueue,
        library: Library,
        ids: Sequence[str],
        *,
        record: Callable[..., CramReview],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(queue, library, ids=list(ids), kinds=(), clock=clock)
        if self._fixed is None:  # an empty list: nothing to cram (not "whatever is due")
            self._fixed = []
        self._log = record
        self.remembered = 0

    def intervals(self) -> dict[Rating, str]:
        return {}  # a cram answer schedules nothing

    def _record(self, card_id: str, rating: Rating, elapsed: float) -> datetime:
        """Log the answer as a cram review (``rate`` does the rest) and return when. ``record``
        may raise StoreError: then nothing moves on and the card stays, so no answer is lost
        silently."""
        review = self._log(card_id, rating, duration_ms=int(elapsed * 1000))
        if rating != Rating.Again:
            self.remembered += 1
        return review.reviewed_at

    def undo(self) -> Card | None:
        return None  # cram answers are a log, not state: nothing to take back

    @property
    def can_undo(self) -> bool:
        return False


__all__ = ["CramList", "CramSession", "cram_list"]
