"""Issue 26 at 80x24 (and 200x50): what a learner sees on a small terminal stays in reach by
keyboard, and nothing scrolls away on its own."""

from __future__ import annotations

import pytest
from textual.screen import Screen
from textual.widgets import Button

from quizapp.ui.screens.quiz import QuizSetupScreen
from tests.ui.conftest import wait_until
from tests.ui.screen_text import on_screen, screen_rows


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_the_quiz_setup_keeps_its_top_once_the_start_button_has_focus(
    make_app, monkeypatch, size
) -> None:
    """Focusing Start scrolls it into view after a refresh (Textual's focus does so through a
    later callback, which asks ``can_view_entire``); the set-up used to be taller than 80x24, so
    that callback scrolled the title bar and the Questions field away a moment after it opened."""
    checked: list[object] = []
    real = Screen.can_view_entire

    def spy(self, widget):
        checked.append(widget)
        return real(self, widget)

    monkeypatch.setattr(Screen, "can_view_entire", spy)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("z")
        screen = app.screen
        assert isinstance(screen, QuizSetupScreen)
        start = screen.query_one("#start", Button)
        await wait_until(pilot, lambda: start in checked, what="the focus scroll of Start")
        await pilot.pause()
        rows = screen_rows(app)
        assert "quizapp" in rows[0], rows[:2]
        for words in ("New quiz", "Questions 10", "Tag All tags", "Deck All decks",
                      "Derive the gradient", "Start (enter)"):  # fmt: skip
            assert on_screen(app, words), (words, rows)
        assert app.focused is start
        await pilot.press("enter")  # enter still starts with the defaults
        await wait_until(
            pilot, lambda: type(app.screen).__name__ == "QuizRunScreen", what="the quiz"
        )


async def test_a_terminal_shorter_than_the_setup_scrolls_the_form_not_the_title(
    make_app,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 16)) as pilot:
        await pilot.press("z")
        start = app.screen.query_one("#start", Button)
        await wait_until(pilot, lambda: start.region.height > 0, what="Start laid out")
        await pilot.pause()
        assert "quizapp" in screen_rows(app)[0]
        assert on_screen(app, "Start (enter)")  # the focused button is in view
        count = app.screen.query_one("#count")
        for _ in range(3):  # tab on to the first field, Questions: it comes back into view
            if app.focused is count:
                break
            await pilot.press("tab")
        assert app.focused is count
        await pilot.pause()
        assert "quizapp" in screen_rows(app)[0]
        assert on_screen(app, "Questions 10"), screen_rows(app)
