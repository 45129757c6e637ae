"""quizapp.policy: the one place that turns an answer into a scheduler rating."""

from __future__ import annotations

from fsrs import Rating
from hypothesis import given
from hypothesis import strategies as st

from quizapp.decks.kinds import asked, kinds
from quizapp.policy import (
    RATING_KEYS,
    RATING_LABELS,
    is_fast,
    rating_for_answer,
    rating_for_grade,
    suggested_rating,
)


def test_grades_map_to_ratings() -> None:
    assert rating_for_grade(False) == Rating.Again
    assert rating_for_grade(False, hint_level=1, fast=True) == Rating.Again
    assert rating_for_grade(True, hint_level=1) == Rating.Hard
    assert rating_for_grade(True, hint_level=1, fast=True) == Rating.Hard  # a hint outweighs speed
    assert rating_for_grade(True) == Rating.Good
    assert rating_for_grade(True, fast=True) == Rating.Easy


def test_keys_and_labels_cover_the_four_ratings_in_order() -> None:
    assert list(RATING_KEYS) == ["1", "2", "3", "4"]
    assert [RATING_LABELS[r] for r in RATING_KEYS.values()] == ["Again", "Hard", "Good", "Easy"]


def test_a_quick_right_answer_is_easy_and_a_slow_one_good() -> None:
    for kind in kinds():
        quick = rating_for_answer(kind.name, correct=True, seconds=0.1 * kind.seconds)
        slow = rating_for_answer(kind.name, correct=True, seconds=kind.seconds)
        assert (quick, slow) == (Rating.Easy, Rating.Good), kind


@given(st.sampled_from(asked()), st.floats(0, 1000), st.floats(0, 1000))
def test_answering_faster_is_never_slower(kind: str, a: float, b: float) -> None:
    assert not (is_fast(kind, max(a, b)) and not is_fast(kind, min(a, b)))


@given(st.integers(0, 12), st.integers(1, 12))
def test_covering_more_key_points_never_lowers_the_rating(ticked: int, total: int) -> None:
    ticked = min(ticked, total)
    assert suggested_rating(ticked, total) <= suggested_rating(total, total) == Rating.Easy
    if ticked < total:
        assert suggested_rating(ticked, total) <= suggested_rating(ticked + 1, total)


def test_an_explanation_is_rated_by_its_points_not_its_speed() -> None:
    rating = rating_for_answer("interview_question", correct=True, seconds=1, points=(3, 4))
    assert rating == suggested_rating(3, 4) == Rating.Good


@given(
    st.sampled_from(sorted(k.name for k in kinds())),
    st.booleans(),
    st.floats(0, 1000),
    st.integers(0, 3),
    st.none() | st.tuples(st.integers(0, 5), st.integers(1, 5)),
)
def test_a_retry_after_the_answer_was_shown_is_again_however_it_goes(
    kind: str, correct: bool, seconds: float, hints: int, points: tuple[int, int] | None
) -> None:
    """Copying the answer just shown is not knowing it: like a right answer after the full
    derivation, a retry is Again, whatever its speed, hints or key points."""
    retried = rating_for_answer(
        kind, correct=correct, seconds=seconds, hint_level=hints, points=points, retry=True
    )
    assert retried == Rating.Again == rating_for_grade(True, hint_level=3)
    assert rating_for_grade(correct, hint_level=hints, fast=True, retry=True) == Rating.Again
