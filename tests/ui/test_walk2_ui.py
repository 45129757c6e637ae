"""What the fourth newcomer walkthrough (walker2) found in the app, at the sizes it was seen."""

from __future__ import annotations

import pytest

from quizapp.ui.screens.quiz import QuizRunScreen
from tests.ui.conftest import wait_until
from tests.ui.screen_text import on_screen, screen_rows


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_typed_answer_that_cannot_be_read_is_said_in_view(make_app, size) -> None:
    """At 80x24 an ordering question fills the screen: "1 1 1 1 1" enter put "Type each step
    number 1-5 once" below the answer box, out of view, and the learner saw nothing happen."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        quiz = app.new_quiz(item_ids=["order-production-loss-choice"], seed=1)
        await app.push_screen(QuizRunScreen(quiz))
        await wait_until(pilot, lambda: app.screen.view is not None, what="the question")
        await pilot.press(*"1 1 1 1 1", "enter")
        said = "Type each step number 1-5 once"
        await wait_until(pilot, lambda: on_screen(app, said), what=f"{said!r} in view")
        assert on_screen(app, "1 1 1 1 1"), screen_rows(app)  # the answer box stays in view too
