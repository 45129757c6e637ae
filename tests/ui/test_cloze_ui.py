"""A cloze card as a learner meets it: in study (the blank, then the filled sentence) and in a
quiz (type what goes in the blank, get the verdict, the answer is stored)."""

from __future__ import annotations

from quizapp.ui.screens.quiz import QuizRunScreen
from quizapp.ui.screens.study import StudyScreen
from quizapp.ui.widgets.card_view import CardView
from tests.ui.conftest import SIZE, reopen_store, visible_text

CARD = "cloze-huber-large-residuals"


async def test_studying_a_cloze_card_shows_the_blank_then_the_answer(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(StudyScreen(ids=[CARD], title="Cloze"))
        await pilot.pause()
        shown = " ".join(visible_text(app.screen.query_one(CardView)).split())
        assert "FILL THE BLANK" in shown and "_____" in shown and "linear" not in shown
        await pilot.press("space")
        await pilot.pause()
        shown = " ".join(visible_text(app.screen.query_one(CardView)).split())
        assert "quadratic for small residuals and linear for large ones" in shown
        await pilot.press("3")
        await pilot.pause()
    assert [int(r.rating) for r in reopen_store().reviews(CARD)] == [3]


async def test_a_cloze_question_is_typed_and_graded_in_a_quiz(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        quiz = app.new_quiz(item_ids=["cloze-bce-second-term", CARD], seed=3, mode="quiz")
        app.push_screen(QuizRunScreen(quiz))
        await pilot.pause()
        view = app.screen.view
        first = view.question.item_id
        typed = "(1-y)*log(1-p)" if first == "cloze-bce-second-term" else "Linear!"
        await pilot.press(*typed, "enter")
        await pilot.pause()
        feedback = " ".join(visible_text(view.query_one(".q-feedback")).split())
        assert "✓ Right." in feedback
    assert [r.verdict for r in reopen_store().reviews(first)] == ["correct"]
