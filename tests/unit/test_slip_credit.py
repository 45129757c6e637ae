"""A slip a drill's author named under their own id ("sign-flipped") earns the same half point
in a quiz's score as the slip the checker names ("sign"): the learner sees "the sign is
flipped" either way, and the README promises ½ for it."""

from __future__ import annotations

import dataclasses

import pytest

from quizapp.decks import Library
from quizapp.decks.models import GradientDrill
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.inprocess import check_answer
from quizapp.policy import AUTHOR_SLIPS
from quizapp.quiz import Quiz
from tests.shipped import shipped_library
from tests.unit.test_quiz import InProcessChecker

# What each built-in slip makes of the derivative D.
SCALED = {"sign": "-({})", "factor-2-extra": "2*({})"}


@pytest.fixture(scope="module")
def shipped() -> Library:
    library = shipped_library()
    assert not library.errors
    return library


def author_slips(library: Library) -> list[tuple[str, str, str]]:
    """(drill id, the author's mistake id, its answer) for every shipped author-named slip."""
    found = []
    for card in library.cards.values():
        if isinstance(card, GradientDrill):
            for mistake in card.mistakes or ():
                if mistake.id in AUTHOR_SLIPS:
                    found.append((card.id, mistake.id, mistake.answer))
    return found


def test_the_shipped_decks_name_sign_slips_under_their_own_id(shipped: Library) -> None:
    ids = {mistake for _, mistake, _ in author_slips(shipped)}
    assert "sign-flipped" in ids  # else this file tests nothing


def test_each_author_named_slip_is_exactly_that_slip(shipped: Library) -> None:
    """The checker proves each such answer equals -D (or 2D): the half point is deserved."""
    for drill_id, mistake, answer in author_slips(shipped):
        problem = problem_of(shipped.cards[drill_id])
        scaled = SCALED[AUTHOR_SLIPS[mistake]].format(problem.reference)
        verdict = check_answer(dataclasses.replace(problem, reference=scaled), answer)
        assert verdict.verdict == "correct", (drill_id, mistake, verdict.message)


def test_an_author_named_slip_earns_half_a_point_in_the_quiz(shipped: Library) -> None:
    slips = author_slips(shipped)
    ids = [drill_id for drill_id, _, _ in slips]
    quiz = Quiz.build(shipped, item_ids=ids, seed=1, checker=InProcessChecker(shipped))
    answers = {drill_id: answer for drill_id, _, answer in slips}
    for index, question in enumerate(quiz.questions):
        feedback = quiz.answer(index, answers[question.item_id], seconds=30)
        assert feedback.correct is False  # still wrong, still Again
    results = quiz.results()
    assert results.right == 0 and results.partial == len(quiz.questions) == len(set(ids))
    assert results.describe().startswith(f"{len(ids) // 2}{'½' if len(ids) % 2 else ''} of")
