"""Checks beyond field types that need nothing but the card itself: a table, card kind -> check.

Each check returns every problem it finds as (field, message). ``quizapp.content.CHECKS`` adds
the checks that need the formula parser or the drills; loading runs that table.
"""

from __future__ import annotations

from collections.abc import Callable

from quizapp.decks.models import (
    CURVE_PANELS,
    Card,
    Formula,
    InterviewQuestion,
    MultipleChoice,
    Ordering,
    Pitch,
)

Problems = list[tuple[str, str]]


def check_formula_curve(card: Card) -> Problems:
    assert isinstance(card, Formula)
    if card.curve is not None and card.curve not in CURVE_PANELS:
        panels = ", ".join(CURVE_PANELS)
        return [("curve", f"'{card.curve}' is not a curve panel; use one of {panels}")]
    return []


def check_interview_question(card: Card) -> Problems:
    assert isinstance(card, InterviewQuestion)
    if not 3 <= len(card.points) <= 6:
        return [("points", f"has {len(card.points)} key points; give 3 to 6")]
    return []


MAX_OPTIONS = 6  # a multiple-choice card's options: chosen with the keys a to f


def check_multiple_choice(card: Card) -> Problems:
    assert isinstance(card, MultipleChoice)
    texts = [o.text for o in card.options]
    problems: Problems = []
    if len(texts) < 2:
        problems.append(("options", "needs at least 2 options"))
    if len(texts) > MAX_OPTIONS:  # one key each, a to f
        problems.append(("options", f"has {len(texts)} options; give at most {MAX_OPTIONS}"))
    if len(set(texts)) != len(texts):
        problems.append(("options", "two options have the same text"))
    if card.answer not in texts:
        problems.append(("answer", f"'{card.answer}' is not one of the options"))
    return problems


def check_ordering(card: Card) -> Problems:
    assert isinstance(card, Ordering)
    problems: Problems = []
    if len(card.steps) < 3:
        problems.append(("steps", "needs at least 3 steps"))
    if len(set(card.steps)) != len(card.steps):
        problems.append(("steps", "two steps have the same text"))
    return problems


def check_pitch(card: Card) -> Problems:
    assert isinstance(card, Pitch)
    if card.length not in ("30s", "2min"):
        return [("length", f"'{card.length}' must be 30s or 2min")]
    return []


CHECKS: dict[str, Callable[[Card], Problems]] = {
    Formula.kind: check_formula_curve,
    InterviewQuestion.kind: check_interview_question,
    MultipleChoice.kind: check_multiple_choice,
    Ordering.kind: check_ordering,
    Pitch.kind: check_pitch,
}
