"""The checker's ``Problem`` for a gradient-drill card. The card is plain data (it imports nothing
of the checker); this is the one place that turns it into what the checker grades against."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quizapp.decks.models import GradientDrill
from quizapp.mathcheck.problem import Pattern, Problem

if TYPE_CHECKING:
    from quizapp.decks.library import Library


def problem_of(card: GradientDrill) -> Problem:
    """The drill as a ``Problem`` for the checker."""
    return Problem(
        id=card.id,
        wrt=card.wrt,
        loss=card.loss,
        reference=card.reference,
        domains=tuple(card.domains.items()),
        quantities=tuple((card.quantities or {}).items()),
        aliases=tuple((card.aliases or {}).items()),
        patterns=tuple(Pattern(m.id, m.answer, m.name, m.hint) for m in (card.mistakes or ())),
    )


def gradient_problems(library: Library) -> list[Problem]:
    """A ``Problem`` for every gradient drill of ``library``, in file order."""
    return [problem_of(c) for c in library.cards.values() if isinstance(c, GradientDrill)]
