"""Gradient drills for the checker: the ``Problem`` a ``GradientDrill`` card describes, and the
check that loading runs on each such card."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quizapp.decks.models import Card, GradientDrill

if TYPE_CHECKING:
    from quizapp.decks.library import Library
    from quizapp.mathcheck.problem import Problem


def problem_of(card: GradientDrill) -> Problem:
    """The drill as a ``quizapp.mathcheck.problem.Problem`` for the checker."""
    from quizapp.mathcheck.problem import Pattern, Problem

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


def check_gradient_drill(card: Card) -> list[tuple[str, str]]:
    """Problems with a gradient drill beyond field types, as (field, message)."""
    assert isinstance(card, GradientDrill)
    if list(card.domains) != list(card.variables):
        return [("domains", "must list the same variables, in the same order, as 'variables'")]
    from quizapp.mathcheck.problem import problem_errors

    return problem_errors(problem_of(card))
