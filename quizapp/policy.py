"""How an answer becomes a rating for the scheduler: every rule in one place.

The quiz grades an answer (right, wrong, or not gradable), then asks this module which fsrs
rating to record; flashcard study lets the learner rate, and suggests a rating for interview
questions from the key points they covered. The store records whatever rating it is given, and
the screens show the labels and keys defined here.

    rating_for_answer("numeric_drill", correct=True, seconds=20, hint_level=0)  # Rating.Easy
    rating_for_answer("numeric_drill", correct=True, seconds=20, retry=True)  # Rating.Again

It also says what a gradient drill's hint ladder costs and which wrong answers earn half a point
in a quiz's score.
"""

from __future__ import annotations

from fsrs import Rating

from quizapp.decks.kinds import DEFAULT_EXPECTED_SECONDS, REGISTRY

# The four ratings in the order of their keys: 1 Again, 2 Hard, 3 Good, 4 Easy.
RATING_LABELS: dict[Rating, str] = {
    Rating.Again: "Again",
    Rating.Hard: "Hard",
    Rating.Good: "Good",
    Rating.Easy: "Easy",
}
RATING_KEYS: dict[str, Rating] = {str(int(r)): r for r in RATING_LABELS}

# A right answer within FAST_SHARE of the seconds a confident learner needs for its kind
# (``quizapp.decks.kinds``) counts as Easy.
FAST_SHARE = 0.4

# Share of an interview question's key points that counts an explanation as right, and the
# shares behind each suggested rating.
EXPLAIN_PASS = 0.75
_POINT_SHARES = ((1.0, Rating.Easy), (EXPLAIN_PASS, Rating.Good), (0.5, Rating.Hard))


def is_fast(kind: str, seconds: float) -> bool:
    """Whether ``seconds`` is quick for a question of ``kind``."""
    found = REGISTRY.get(kind)
    return seconds <= FAST_SHARE * (found.seconds if found else DEFAULT_EXPECTED_SECONDS)


# The hint ladder of a gradient drill: each press of the hint key shows the next level, and the
# highest level seen caps the rating a right answer earns. Level 0 is "no hint".
HINT_LEVELS: tuple[str, ...] = ("the idea", "the first step", "the full derivation")
MAX_HINT_LEVEL = len(HINT_LEVELS)
# The best rating a right answer earns after each level: a learner who needed the idea or the
# first step still got there (Hard); one who read the whole derivation only copied it (Again).
_HINT_CAPS: dict[int, Rating] = {1: Rating.Hard, 2: Rating.Hard, 3: Rating.Again}


def hint_cost(level: int) -> str:
    """What seeing hint ``level`` does to a right answer, in the words the hint line shows."""
    cap = _HINT_CAPS[max(1, min(level, MAX_HINT_LEVEL))]
    return f"a right answer now counts as {RATING_LABELS[cap]}"


def rating_for_grade(
    correct: bool, *, hint_level: int = 0, fast: bool = False, retry: bool = False
) -> Rating:
    """Wrong -> Again; right -> Good; right and fast -> Easy; a hint caps a right answer: after
    the idea or the first step it is Hard, after the full derivation Again. A ``retry`` (the
    same question again after a miss, whose feedback showed the answer or its working) is rated
    as a right answer after the full derivation: Again, however fast.

    A hint outweighs speed: right, fast and hinted is Hard. A wrong answer is Again whatever
    partial credit it earns in the quiz score (``credit_for``): the scheduler must bring the card
    back soon either way.
    """
    if not correct or retry:
        return Rating.Again
    if hint_level > 0:
        return _HINT_CAPS[min(hint_level, MAX_HINT_LEVEL)]
    return Rating.Easy if fast else Rating.Good


# The named slips that leave a gradient's method right (the checker's ids, quizapp.mathcheck
# .mistakes): a flipped sign, a lost or extra factor 2 or other factor, a chain-rule factor
# lost or doubled, the 1/N of a mean lost or taken twice, two terms swapped, and a derivative
# right on one branch (or one label value) only. A conceptual mistake (the loss itself, the
# wrong variable, a drill author's named misconception) earns nothing.
PARTIAL_CREDIT_MISTAKES = frozenset(
    {
        "sign",
        "factor-2-missing",
        "factor-2-extra",
        "factor-missing",
        "chain-rule",
        "chain-rule-extra",
        "mean-missing",
        "mean-extra",
        "swapped",
        "partial",
    }
)
PARTIAL_CREDIT = 0.5

# The same slips when a drill's author named them under their own id (the checker reports the
# author's id when the author's answer matches): a sign slip is a sign slip whoever names it.
# Each answer under these ids is exactly that multiple of the derivative
# (tests/unit/test_slip_credit.py proves it for every shipped drill).
AUTHOR_SLIPS = {"sign-flipped": "sign", "half-dropped": "factor-2-extra"}


def credit_for(kind: str, correct: bool, mistake: str | None) -> float:
    """The share of a point an answer earns in a quiz's score: 1 right, ½ for a gradient (a kind
    with ``partial_credit``) judged wrong with one of ``PARTIAL_CREDIT_MISTAKES`` named, else 0.
    (The rating stays Again.)"""
    if correct:
        return 1.0
    found = REGISTRY.get(kind)
    mistake = AUTHOR_SLIPS.get(mistake, mistake) if mistake is not None else None
    if found is not None and found.partial_credit and mistake in PARTIAL_CREDIT_MISTAKES:
        return PARTIAL_CREDIT
    return 0.0


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
    hint_level: int = 0,
    points: tuple[int, int] | None = None,
    retry: bool = False,
) -> Rating:
    """The rating a graded quiz answer feeds the scheduler. ``hint_level`` is the highest level
    of the hint ladder seen (0: none). ``points`` (covered, total) is given for a self-assessed
    explanation, whose rating follows the key points it covered. ``retry``: the question is
    asked again after a miss showed its answer (a drill's retry, a quiz's "retry the missed"),
    so a right answer is Again."""
    if retry:
        return Rating.Again
    if points is not None:
        return suggested_rating(*points)
    return rating_for_grade(correct, hint_level=hint_level, fast=is_fast(kind, seconds))


RETRY_NOTE = "a retry after the answer was shown"
