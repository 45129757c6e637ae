"""How an answer becomes a rating for the scheduler: every rule in one place.

The quiz grades an answer (right, wrong, or not gradable), then asks this module which fsrs
rating to record; flashcard study lets the learner rate, and suggests a rating for interview
questions from the key points they covered. The store records whatever rating it is given, and
the screens show the labels and keys defined here.

    rating_for_answer("numeric_drill", correct=True, seconds=20, hinted=False)  # Rating.Easy
"""

from __future__ import annotations

from fsrs import Rating

# The four ratings in the order of their keys: 1 Again, 2 Hard, 3 Good, 4 Easy.
RATING_LABELS: dict[Rating, str] = {
    Rating.Again: "Again",
    Rating.Hard: "Hard",
    Rating.Good: "Good",
    Rating.Easy: "Easy",
}
RATING_KEYS: dict[str, Rating] = {str(int(r)): r for r in RATING_LABELS}

# Seconds a confident learner needs for each kind of question; a right answer within FAST_SHARE
# of it counts as Easy.
EXPECTED_SECONDS: dict[str, float] = {
    "multiple_choice": 20,
    "trap": 25,
    "ordering": 30,
    "numeric_drill": 90,
    "gradient_drill": 120,
    "interview_question": 90,
}
DEFAULT_EXPECTED_SECONDS = 60.0
FAST_SHARE = 0.4

# Share of an interview question's key points that counts an explanation as right, and the
# shares behind each suggested rating.
EXPLAIN_PASS = 0.75
_POINT_SHARES = ((1.0, Rating.Easy), (EXPLAIN_PASS, Rating.Good), (0.5, Rating.Hard))


def is_fast(kind: str, seconds: float) -> bool:
    """Whether ``seconds`` is quick for a question of ``kind``."""
    return seconds <= FAST_SHARE * EXPECTED_SECONDS.get(kind, DEFAULT_EXPECTED_SECONDS)


def rating_for_grade(correct: bool, *, hinted: bool = False, fast: bool = False) -> Rating:
    """Wrong -> Again; right after a hint -> Hard; right -> Good; right and fast -> Easy.

    A hint outweighs speed: right, fast and hinted is Hard.
    """
    if not correct:
        return Rating.Again
    if hinted:
        return Rating.Hard
    return Rating.Easy if fast else Rating.Good


def suggested_rating(ticked: int, total: int) -> Rating:
    """For an interview question: the share of key points covered suggests a rating."""
    if total <= 0:
        return Rating.Good
    share = ticked / total
    for least, rating in _POINT_SHARES:
        if share >= least:
            return rating
    return Rating.Again


def rating_for_answer(
    kind: str,
    *,
    correct: bool,
    seconds: float,
    hinted: bool = False,
    points: tuple[int, int] | None = None,
) -> Rating:
    """The rating a graded quiz answer feeds the scheduler. ``points`` (covered, total) is given
    for a self-assessed explanation, whose rating follows the key points it covered."""
    if points is not None:
        return suggested_rating(*points)
    return rating_for_grade(correct, hinted=hinted, fast=is_fast(kind, seconds))
