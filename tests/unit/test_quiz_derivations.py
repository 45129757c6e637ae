"""Gradients answered as derivations in a quiz: the hint ladder and the rating it leaves in the
store, half points for a named slip, and a one-line answer graded exactly as a final answer."""

from __future__ import annotations

import pytest
from fsrs import Rating
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from quizapp.content import load_library
from quizapp.decks import Library
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.steps import Derivation, check_steps
from quizapp.mock import mock_report
from quizapp.policy import (
    MAX_HINT_LEVEL,
    PARTIAL_CREDIT_MISTAKES,
    credit_for,
    rating_for_answer,
    rating_for_grade,
)
from quizapp.questions import feedback_from_verdict
from quizapp.quiz import Quiz, expression_on_line, hint_ladder, points_text
from quizapp.store import Store
from tests.shipped import shipped_library
from tests.unit.test_quiz import DECK, InProcessChecker


class StepsChecker(InProcessChecker):
    """The in-process checker with the line-by-line check too."""

    def check_steps(self, drill_id: str, lines: list[str]) -> Derivation:
        return check_steps(problem_of(self.library.cards[drill_id]), lines)


@pytest.fixture(scope="module")
def library() -> Library:
    loaded = load_library([DECK], include_user_decks=False)
    assert not loaded.errors
    return loaded


def quiz_of(library: Library, *ids: str, store: Store | None = None) -> Quiz:
    return Quiz.build(library, item_ids=list(ids), seed=1, store=store,
                      checker=StepsChecker(library))  # fmt: skip


# A sign slip at line 3 of 4; line 4 follows from it.
SLIPPED = ["e = y - yhat", "dL/de = 2*e", "dL/dyhat = 2*e", "2*(y - yhat)"]
RIGHT = ["e = y - yhat", "dL/de = 2*e", "dL/dyhat = 2*e*(-1)", "2*(yhat - y)"]


def test_each_hint_level_lowers_the_rating_the_store_records(library: Library) -> None:
    ratings = []
    for level in range(MAX_HINT_LEVEL + 1):
        store = Store.open()
        quiz = quiz_of(library, "grad-mse", store=store)
        shown = [quiz.hint(0) for _ in range(level)]
        assert [h.level for h in shown if h] == list(range(1, level + 1))
        # Slow, so that no hint would be Good (not Easy): only the hints lower it.
        quiz.answer(0, "2*(yhat - y)", seconds=1000)
        ratings.append(Store.open().reviews("grad-mse")[-1].rating)
    assert ratings == [Rating.Good, Rating.Hard, Rating.Hard, Rating.Again]
    assert ratings == sorted(ratings, reverse=True)


def test_the_hint_ladder_says_what_is_left_and_what_it_costs(library: Library) -> None:
    quiz = quiz_of(library, "grad-mse")
    first = quiz.hint(0)
    assert first is not None and (first.level, first.of, first.remaining) == (1, 3, 2)
    assert first.name == "the idea" and "Hard" in first.cost
    assert quiz.hint(0) is not None
    last = quiz.hint(0)
    assert last is not None and last.remaining == 0 and "Again" in last.cost
    assert quiz.hint(0) is None  # nothing beyond the full derivation
    quiz.answer(0, "2*(yhat - y)", seconds=1)
    assert quiz.answers[0].rating == Rating.Again and quiz.answers[0].hint_level == 3


def test_every_shipped_gradient_drill_has_three_rungs_ending_in_its_derivation() -> None:
    shipped = shipped_library()
    drills = shipped.of_kind("gradient_drill")
    assert drills
    quiz = Quiz.build(shipped, item_ids=[d.id for d in drills], seed=1)
    for question in quiz.questions:
        idea, first, full = hint_ladder(question)
        assert idea[0].strip() and first and all(line.strip() for line in first)
        assert full == tuple(question.card.derivation), question.item_id


def test_a_named_slip_earns_half_a_point_and_still_is_again(library: Library) -> None:
    store = Store.open()
    quiz = quiz_of(library, "grad-mse", "grad-bce-logit", store=store)
    mse = next(i for i, q in enumerate(quiz.questions) if q.item_id == "grad-mse")
    feedback = quiz.answer(mse, "\n".join(SLIPPED), seconds=30)
    assert feedback.correct is False and feedback.mistake == "sign"
    assert feedback.derivation is not None and feedback.derivation.first_wrong == 3
    quiz.answer(1 - mse, "p - y", seconds=30)
    results = quiz.results()
    assert (results.right, results.partial, results.total) == (1, 1, 2)
    assert results.score == pytest.approx(0.75)
    assert results.describe().startswith("1½ of 2 right (75%)")
    assert results.missed == (quiz.questions[mse],)  # half a point is still a miss to revise
    assert Store.open().reviews("grad-mse")[-1].rating == Rating.Again


def test_a_conceptual_mistake_earns_nothing(library: Library) -> None:
    quiz = quiz_of(library, "grad-mse")
    feedback = quiz.answer(0, "2*yhat", seconds=30)  # the drill's own "dropped-target"
    assert feedback.mistake == "dropped-target"
    assert quiz.results().score == 0.0 and quiz.results().partial == 0


def test_the_mock_report_shows_the_half_point(library: Library) -> None:
    from datetime import UTC, datetime, timedelta

    quiz = quiz_of(library, "grad-mse")
    quiz.answer(0, "2*(y - yhat)", seconds=30)  # one line, a sign slip
    ended = datetime.now(UTC)
    report = mock_report(quiz, library, started=ended - timedelta(minutes=3), ended=ended)
    assert report.score == pytest.approx(0.5)
    assert "½ right (50%)" in report.lines()[0]


def test_a_right_derivation_is_right_and_carries_its_marks(library: Library) -> None:
    quiz = quiz_of(library, "grad-mse")
    feedback = quiz.grade(0, "\n".join(RIGHT))
    assert feedback.correct is True and feedback.derivation is not None
    assert feedback.derivation.first_wrong is None
    assert [s.status for s in feedback.derivation.steps][-1] == "follows"


def test_a_line_that_cannot_be_read_grades_nothing(library: Library) -> None:
    quiz = quiz_of(library, "grad-mse")
    feedback = quiz.grade(0, "e = y - yhat\n2*e*(-1\n2*(yhat - y)")
    assert not feedback.graded and feedback.verdict == "invalid"
    assert feedback.headline.startswith("Line 2 cannot be read")


ONE_LINE_ANSWERS = ["2*(yhat - y)", "2*(y - yhat)", "2*yhat", "yhat - y", "2*(yhat-y", "q", "-2*e"]


@settings(max_examples=25, deadline=None)
@given(
    text=st.sampled_from(ONE_LINE_ANSWERS),
    before=st.sampled_from(["", "\n", "  \n"]),
    after=st.sampled_from(["", "\n", "\n\n  "]),
)
def test_one_line_is_graded_exactly_as_a_final_answer(
    library: Library, text: str, before: str, after: str
) -> None:
    quiz = quiz_of(library, "grad-mse")
    checker = StepsChecker(library)
    expected = feedback_from_verdict(quiz.questions[0], checker.check("grad-mse", text))
    got = quiz.grade(0, before + text + after)
    assert (got.correct, got.verdict, got.headline, got.details, got.mistake) == (
        expected.correct,
        expected.verdict,
        expected.headline,
        expected.details,
        expected.mistake,
    )
    assert got.derivation is None


@given(
    correct=st.booleans(),
    kind=st.sampled_from(["gradient_drill", "numeric_drill", "multiple_choice"]),
    mistake=st.one_of(st.none(), st.sampled_from(sorted(PARTIAL_CREDIT_MISTAKES)), st.text()),
    level=st.integers(0, MAX_HINT_LEVEL),
    seconds=st.floats(0, 1000),
)
def test_credit_and_rating_rules(
    correct: bool, kind: str, mistake: str | None, level: int, seconds: float
) -> None:
    credit = credit_for(kind, correct, mistake)
    assert credit in (0.0, 0.5, 1.0) and (credit == 1.0) == correct
    rating = rating_for_answer(kind, correct=correct, seconds=seconds, hint_level=level)
    if not correct:
        assert rating == Rating.Again  # half a point never changes the schedule
    # More hints never earn more.
    assert rating_for_grade(correct, hint_level=min(level + 1, MAX_HINT_LEVEL)) <= rating_for_grade(
        correct, hint_level=level, fast=True
    )


@given(st.integers(0, 50), st.booleans())
def test_points_text_writes_a_half_as_one_glyph(whole: int, half: bool) -> None:
    text = points_text(whole + 0.5 * half)
    assert text.endswith("½") == half
    assert text.rstrip("½") == (str(whole) if whole or not half else "")


NAMES = st.sampled_from(["u", "q", "g1", "inner"])
BODIES = st.sampled_from(["y - yhat", "2*u", "sigmoid(z)", "q*(1 - q)"])


@given(st.lists(st.tuples(NAMES, BODIES), min_size=1, max_size=4), BODIES, st.booleans())
def test_a_previewed_line_spells_out_the_helpers_above_it(
    helpers: list[tuple[str, str]], last: str, labelled: bool
) -> None:
    import re

    def mentions(name: str, text: str) -> bool:
        return bool(re.search(rf"(?<![A-Za-z0-9_]){name}(?![A-Za-z0-9_(])", text))

    # A helper's body may use only helpers defined above it (else the name there is the
    # drill's own, as in q = q*(1 - q)).
    for i, (_, body) in enumerate(helpers):
        assume(not any(mentions(later, body) for later, _ in helpers[i:]))
    lines = [f"{name} = {body}" for name, body in helpers]
    lines.append(("dL/dyhat = " if labelled else "") + last)
    expression = expression_on_line(lines, len(lines) - 1)
    assert "=" not in expression
    for name, _ in helpers:  # every helper above is written out, so the checker can read it
        assert not mentions(name, expression)
