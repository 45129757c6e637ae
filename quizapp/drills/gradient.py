"""The check that loading runs on each gradient-drill card: its names line up, and the checker
can grade against it (the reference is defined on its domains, every mistake pattern parses),
and its worked derivation, when it has one, checks clean line by line."""

from __future__ import annotations

from quizapp.decks.models import Card, GradientDrill


def check_gradient_drill(card: Card) -> list[tuple[str, str]]:
    """Problems with a gradient drill beyond field types, as (field, message)."""
    assert isinstance(card, GradientDrill)
    if list(card.domains) != list(card.variables):
        return [("domains", "must list the same variables, in the same order, as 'variables'")]
    from quizapp.mathcheck.cards import problem_of
    from quizapp.mathcheck.problem import problem_errors

    problem = problem_of(card)
    errors = problem_errors(problem)
    if errors or not card.derivation:
        return errors
    from quizapp.mathcheck.steps import check_steps

    checked = check_steps(problem, list(card.derivation))
    for step in checked.steps:
        if step.status not in ("follows", "definition"):
            return [("derivation", f"step {step.line} ({step.text!r}): {step.message}")]
    if checked.verdict != "correct":
        return [("derivation", f"does not end at the derivative: {checked.message}")]
    return []
