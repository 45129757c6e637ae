"""Mock interview: a timed mixed session that leans on what the learner is weakest at and what is
due, with "explain" questions, ending in a report of what to revise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from quizapp.decks import Card, Library
from quizapp.decks.kinds import asked
from quizapp.quiz import AnswerChecker, Quiz, points_text
from quizapp.stats import Stats
from quizapp.wording import counted

if TYPE_CHECKING:
    from quizapp.store import Store

DEFAULT_MINUTES = 15
# More questions than fit in the time: the clock ends the session, not the list.
POOL = 40
# A tag answered right less often than this is weak.
WEAK_TAG = 0.7
# Tags that say nothing about a topic (every interview card has "interview").
GENERIC_TAGS = frozenset({"interview", "fundamentals"})


def weight_for(stats: Stats, due: set[str]) -> Callable[[Card], float]:
    """How strongly to favour a card: due items and items in weakly answered tags come first."""

    def weight(card: Card) -> float:
        w = 1.0
        if card.id in due:
            w += 2.0
        rates = [
            a.rate
            for t in card.tags
            if t not in GENERIC_TAGS and (a := stats.accuracy_by_tag.get(t)) and a.rate is not None
        ]
        if rates:
            w += 3.0 * (1.0 - min(rates))
        return w

    return weight


def build_mock(
    library: Library,
    *,
    stats: Stats,
    due: set[str],
    seed: int | None = None,
    store: Store | None = None,
    checker: AnswerChecker | None = None,
) -> Quiz:
    return Quiz.build(
        library,
        n=POOL,
        kinds=asked(),
        seed=seed,
        weight=weight_for(stats, due),
        mode="mock",
        store=store,
        checker=checker,
    )


@dataclass(frozen=True)
class MockReport:
    answered: int
    right: int
    seconds: float
    weak_tags: list[tuple[str, float, int]]  # (tag, points, asked) this session, weakest first
    revise: list[Card]  # the items missed, to look at again
    checklist: list[str]  # checklist items those misses belong to
    unanswered: list[Card] = field(default_factory=list)  # open when the interview ended
    timed_out: bool = True  # it ended when the time ran out (else the learner ended it)
    # Wrong gradients with a named slip: half a point each (quizapp.policy.credit_for).
    partial: int = 0

    @property
    def points(self) -> float:
        return self.right + 0.5 * self.partial

    @property
    def score(self) -> float:
        return self.points / self.answered if self.answered else 0.0

    def lines(self) -> list[str]:
        open_note = (
            [f"{counted(len(self.unanswered), 'question')} open when "
             + ("the time ran out" if self.timed_out else "you ended the interview")
             + ", not answered: "
             # (a title may end in its own full stop: one, not two)
             + "; ".join(c.title for c in self.unanswered).rstrip(".") + "."]
            if self.unanswered
            else []
        )  # fmt: skip
        if not self.answered:
            return ["The interview ended before any answer; nothing was recorded.", *open_note]
        # (under a minute read "2 answered in 0 min")
        took = "under a minute" if self.seconds < 60 else f"{self.seconds / 60:.0f} min"
        half = f", ½ each for {self.partial} with a named slip" if self.partial else ""
        out = [
            f"{self.answered} answered in {took}, {points_text(self.points)} right"
            f" ({self.score:.0%}){half}."
        ]
        if self.weak_tags:
            tags = ", ".join(f"{t} ({points_text(r)}/{n})" for t, r, n in self.weak_tags)
            out.append(f"Weakest topics: {tags}.")
        out += open_note
        if not self.revise and not self.unanswered:
            out.append("Nothing missed: well done. Push on with due cards to keep it fresh.")
        return out


def mock_report(
    quiz: Quiz,
    library: Library,
    *,
    started: datetime,
    ended: datetime,
    unanswered: Sequence[Card] = (),
    timed_out: bool = True,
) -> MockReport:
    """``unanswered``: questions on screen, not answered, when the interview ended (when the
    time ran out, or ``timed_out=False``: when the learner ended it)."""
    results = quiz.results()
    weak = [
        (tag, right, asked)
        for tag, (right, asked) in results.by_tag.items()
        if tag not in GENERIC_TAGS and asked and right / asked < WEAK_TAG
    ]
    weak.sort(key=lambda t: (t[1] / t[2], -t[2]))
    missed_ids = {q.item_id for q in results.missed}
    touched = Counter(
        item.title for item in library.checklist for link in item.links if link in missed_ids
    )
    return MockReport(
        answered=results.total,
        right=results.right,
        seconds=(ended - started).total_seconds(),
        weak_tags=weak[:5],
        revise=[q.card for q in results.missed],
        checklist=[title for title, _ in touched.most_common()],
        unanswered=list(unanswered),
        timed_out=timed_out,
        partial=results.partial,
    )
