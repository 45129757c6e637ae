"""Quizzes: a real mix of questions from a fixture deck (real cards, copied from the shipped decks
so that editing those does not change these tests), graded and recorded one by one."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.content import load_library
from quizapp.decks import Library
from quizapp.decks.kinds import quiz_kinds
from quizapp.decks.models import MultipleChoice, Ordering, Trap
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.inprocess import Preview, Verdict, check_answer, preview_answer
from quizapp.quiz import (
    DEFAULT_LENGTH,
    AlreadyAnswered,
    AnswerChecker,
    Quiz,
)
from quizapp.store import Store

DECK = Path(__file__).resolve().parent.parent / "fixtures" / "quiz"


@pytest.fixture(scope="module")
def library() -> Library:
    loaded = load_library([DECK], include_user_decks=False)
    assert not loaded.errors
    return loaded


def askable(library: Library) -> int:
    return len(library.of_kind(*quiz_kinds()))


class InProcessChecker:
    """The checker protocol without a worker process: sympy runs in this process."""

    def __init__(self, library: Library) -> None:
        self.library = library

    def check(self, drill_id: str, text: str) -> Verdict:
        return check_answer(problem_of(self.library.cards[drill_id]), text)

    def preview(self, drill_id: str, text: str) -> Preview:
        return preview_answer(problem_of(self.library.cards[drill_id]), text)


def in_process_checker(library: Library) -> AnswerChecker:
    return InProcessChecker(library)


def first(quiz: Quiz, kind: str) -> int:
    return next(i for i, q in enumerate(quiz.questions) if q.kind == kind)


def test_a_default_quiz_mixes_every_kind(library: Library) -> None:
    quiz = Quiz.build(library, seed=7)
    kinds = Counter(q.kind for q in quiz.questions)
    assert askable(library) >= DEFAULT_LENGTH
    assert len(quiz.questions) == DEFAULT_LENGTH
    assert set(kinds) == set(quiz_kinds())
    assert max(kinds.values()) - min(kinds.values()) <= 1  # an even mix


def test_filters_by_tag_and_kind(library: Library) -> None:
    quiz = Quiz.build(library, n=6, tags=["outliers"], kinds=["multiple_choice", "trap"], seed=1)
    assert quiz.questions
    for q in quiz.questions:
        assert q.kind in ("multiple_choice", "trap") and "outliers" in q.tags


def test_the_same_seed_gives_the_same_quiz(library: Library) -> None:
    a, b = Quiz.build(library, seed=42), Quiz.build(library, seed=42)
    assert [(q.item_id, q.choices, q.steps, q.seed) for q in a.questions] == [
        (q.item_id, q.choices, q.steps, q.seed) for q in b.questions
    ]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 25))
def test_every_question_is_well_formed(library: Library, seed: int, n: int) -> None:
    quiz = Quiz.build(library, n=n, seed=seed)
    asked = min(n, askable(library))
    assert len(quiz.questions) == asked
    assert len({q.item_id for q in quiz.questions}) == asked  # no repeats
    for q in quiz.questions:
        if q.choices:
            assert sum(c.correct for c in q.choices) == 1
            assert len({c.text for c in q.choices}) == len(q.choices)
        if isinstance(q.card, Ordering):
            assert sorted(q.steps) == sorted(q.card.steps) and q.steps != q.card.steps
        if q.kind == "numeric_drill":
            assert q.drill is not None and q.drill.seed == q.seed


def test_multiple_choice_feedback_explains_both_options(library: Library) -> None:
    quiz = Quiz.build(library, kinds=["multiple_choice"], n=1, seed=3)
    q = quiz.questions[0]
    assert isinstance(q.card, MultipleChoice)
    right = next(i for i, c in enumerate(q.choices) if c.correct)
    wrong = next(i for i, c in enumerate(q.choices) if not c.correct)
    bad = quiz.grade(0, wrong)
    assert bad.correct is False
    assert q.choices[wrong].why in " ".join(bad.details)
    assert q.choices[right].why in " ".join(bad.details)
    assert quiz.grade(0, right).correct is True


def test_spot_the_error_offers_the_traps_own_correction(library: Library) -> None:
    quiz = Quiz.build(library, kinds=["trap"], n=9, seed=5)
    assert quiz.questions
    for q in quiz.questions:
        assert isinstance(q.card, Trap)
        (right,) = [c for c in q.choices if c.correct]
        assert right.text == q.card.correct
        assert q.card.claim in q.prompt


def test_ordering_is_typed_as_step_numbers(library: Library) -> None:
    quiz = Quiz.build(library, kinds=["ordering"], n=1, seed=11)
    q = quiz.questions[0]
    assert isinstance(q.card, Ordering)
    order = " ".join(str(q.steps.index(step) + 1) for step in q.card.steps)
    assert quiz.answer(0, "1 1", seconds=3).verdict == "invalid"
    assert quiz.answers == {}  # an unreadable answer is not recorded
    backwards = " ".join(reversed(order.split()))
    assert quiz.grade(0, backwards).correct is False
    assert quiz.answer(0, order, seconds=3).correct is True


def test_numeric_and_gradient_answers_are_graded_with_named_mistakes(library: Library) -> None:
    quiz = Quiz.build(
        library,
        item_ids=["num-mse", "grad-bce-logit"],
        seed=2,
        checker=in_process_checker(library),
    )
    drill = quiz.questions[0].drill
    assert drill is not None
    assert quiz.answer(0, repr(drill.answer), seconds=30).correct is True
    flipped = quiz.grade(1, "y - sigmoid(z)")
    assert flipped.correct is False and flipped.mistake == "sign"
    assert any("Derivation" in d for d in flipped.details)
    assert quiz.answer(1, "sigmoid(z) - y", seconds=30).correct is True


def test_answers_are_recorded_as_they_are_given_and_feed_the_scheduler(
    library: Library, quizapp_home
) -> None:
    store = Store.open()
    quiz = Quiz.build(library, kinds=["multiple_choice"], n=3, seed=9, store=store)
    for i, q in enumerate(quiz.questions):
        right = next(j for j, c in enumerate(q.choices) if c.correct)
        quiz.answer(i, right if i else (right + 1) % len(q.choices), seconds=30)
    # Ended early or not, everything answered is already in the file.
    again = Store.open()
    (session,) = again.quiz_sessions()
    assert (session.answered, session.correct) == (3, 2)
    first_review = again.reviews(quiz.questions[0].item_id)[0]
    assert int(first_review.rating) == 1  # wrong -> Again
    assert {int(again.reviews(q.item_id)[0].rating) for q in quiz.questions[1:]} == {3}
    results = quiz.finish()
    assert (results.right, results.total) == (2, 3)
    assert [q.item_id for q in results.missed] == [quiz.questions[0].item_id]
    retry = quiz.retry_missed(library)
    assert [q.item_id for q in retry.questions] == [quiz.questions[0].item_id]


def test_explain_questions_are_self_assessed_by_key_points(library: Library, quizapp_home) -> None:
    store = Store.open()
    quiz = Quiz.build(library, item_ids=["iq-what-is-loss"], store=store, mode="mock")
    q = quiz.questions[0]
    assert q.answer == "points" and not q.typed
    all_points = ",".join(str(i) for i in range(len(q.steps)))
    assert quiz.answer(0, all_points, seconds=60).correct is True
    assert int(Store.open().reviews("iq-what-is-loss")[0].rating) == 4  # every point: Easy
    half = quiz.grade(0, "0")
    assert half.correct is False and any(q.steps[-1] in d for d in half.details)


def test_a_question_is_recorded_once(library: Library, quizapp_home) -> None:
    store = Store.open()
    quiz = Quiz.build(library, kinds=["multiple_choice"], n=1, seed=3, store=store)
    q = quiz.questions[0]
    wrong = next(i for i, c in enumerate(q.choices) if not c.correct)
    right = next(i for i, c in enumerate(q.choices) if c.correct)
    assert quiz.answer(0, wrong, seconds=5).correct is False
    with pytest.raises(AlreadyAnswered, match="question 1 is answered already"):
        quiz.answer(0, right, seconds=5)
    with pytest.raises(AlreadyAnswered):
        quiz.record(0, right, quiz.grade(0, right), seconds=5)
    assert [int(r.rating) for r in Store.open().reviews(q.item_id)] == [1]  # the first only
    assert quiz.results().right == 0


def test_grading_changes_nothing_and_a_preview_needs_a_gradient(
    library: Library, quizapp_home
) -> None:
    store = Store.open()
    quiz = Quiz.build(
        library,
        item_ids=["mc-outliers-huber", "grad-bce-logit"],
        store=store,
        checker=in_process_checker(library),
    )
    assert quiz.grade(1, "sigmoid(z) - y").correct is True
    assert quiz.answers == {} and store.reviews() == []
    assert quiz.preview(0, "x") is None
    preview = quiz.preview(1, "sigmoid(z) - y")
    assert preview is not None and preview.ok


def test_results_group_the_score_by_tag(library: Library) -> None:
    quiz = Quiz.build(library, kinds=["multiple_choice"], n=4, seed=21)
    assert len(quiz.questions) >= 2
    for i, q in enumerate(quiz.questions):
        quiz.answer(i, next(j for j, c in enumerate(q.choices) if c.correct), seconds=5)
    results = quiz.results()
    assert results.score == 1.0 and results.missed == ()
    assert results.by_tag
    for tag, (right, asked) in results.by_tag.items():
        assert right == asked == sum(tag in q.tags for q in quiz.questions)
