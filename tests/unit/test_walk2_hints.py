"""The hint ladder's second rung ("the first step", which leaves a right answer Hard) never hands
over the answer: in 14 shipped drills it showed, as typed, a first derivation line that already
was the asked derivative (grad-hinge: "As typed: dL/ds = -y if 1 - y*s > 0 else 0"), and
copying it earned Hard instead of the Again a full derivation costs. Checked with the real
derivation checker over the real shipped decks."""

from __future__ import annotations

from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.steps import check_steps
from quizapp.quiz import Quiz
from tests.shipped import shipped_library

AS_TYPED = "As typed: "


def test_the_first_step_shows_as_typed_only_a_helper_never_the_derivative() -> None:
    library = shipped_library()
    drills = [d for d in library.of_kind("gradient_drill") if d.derivation]
    assert drills
    quiz = Quiz.build(library, item_ids=[d.id for d in drills], seed=1)
    helpers_first = 0
    for index, question in enumerate(quiz.questions):
        card = question.card
        problem = problem_of(card)
        quiz.hint(index)
        first_step = quiz.hint(index)
        assert first_step is not None and first_step.level == 2, question.item_id
        typed = [line[len(AS_TYPED) :] for line in first_step.lines if line.startswith(AS_TYPED)]
        for line in typed:
            read = check_steps(problem, [line])
            assert [s.status for s in read.steps] == ["definition"], (question.item_id, line)
        for line in first_step.lines:  # nor does any line in words read as the answer
            read = check_steps(problem, [line.removeprefix(AS_TYPED)])
            assert read.verdict != "correct", (question.item_id, line)
        # A first line that only defines a helper (e = y - yhat) is still given as typed.
        opening = check_steps(problem, [card.derivation[0]])
        if [s.status for s in opening.steps] == ["definition"]:
            helpers_first += 1
            assert typed == [card.derivation[0]], question.item_id
        else:
            assert typed == [], question.item_id
    assert 0 < helpers_first < len(drills)  # both kinds of first line are shipped
