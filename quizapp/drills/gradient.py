"""The check that loading runs on each gradient-drill card: its names line up, and the checker
can grade against it (the reference is defined on its domains, every mistake pattern parses)."""

from __future__ import annotations

from quizapp.decks.models import Card, GradientDrill


def check_gradient_drill(card: Card) -> list[tuple[str, str]]:
    """Problems with a gradient drill beyond field types, as (field, message)."""
    assert isinstance(card, GradientDrill)
    if list(card.domains) != list(card.variables):
        return [("domains", "must list the same variables, in the same order, as 'variables'")]
    from quizapp.mathcheck.cards import problem_of
    from quizapp.mathcheck.problem import problem_errors

    return problem_errors(problem_of(card))
