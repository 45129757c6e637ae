"""A named-series loss-curve card of the third deck under Pilot at 80x24: the quiz question
draws every series with its legend and the metric's right-hand axis, and the right diagnosis is
accepted and recorded."""

from __future__ import annotations

from quizapp.ui.screens.quiz import QuizRunScreen
from quizapp.ui.widgets.question import QuestionView
from tests.ui.conftest import SIZE, reopen_store, visible_text


async def test_dpo_rewards_are_drawn_with_a_metric_axis_and_graded(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(QuizRunScreen(app.new_quiz(item_ids=["fcurve-dpo-rewards"], seed=3)))
        await pilot.pause()  # no fixed time: lets the pushed screen mount
        view = app.screen.query_one(QuestionView)
        prompt = visible_text(view.query_one(".q-prompt"))
        for word in ("chosen", "rejected", "margin", "accuracy", "reward"):
            assert word in prompt, word
        assert "├" in prompt  # the right-hand axis carries ticks
        assert sum("\u2800" < ch <= "\u28ff" for ch in prompt) > 60  # the curves themselves
        right = next(i for i, c in enumerate(view.question.choices) if c.correct)
        await pilot.press("abcdef"[right])
        await pilot.pause()
        assert "✓" in visible_text(view.query_one(".q-feedback"))
    assert [r.verdict for r in reopen_store().reviews("fcurve-dpo-rewards")] == ["correct"]
