"""Decks in the app under Pilot: study one deck from the command palette, and a quiz narrowed to
one deck from the quiz setup screen."""

from __future__ import annotations

from textual.widgets import Select

from quizapp.ui.screens.quiz import QuizRunScreen, QuizSetupScreen
from quizapp.ui.screens.study import StudyScreen
from tests.ui.conftest import SIZE, visible_text


async def test_the_palette_studies_one_deck(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Study deck: beyond")
        await pilot.pause(0.5)  # the palette searches in a worker
        await pilot.press("enter")
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, StudyScreen):
                break
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert screen.session is not None and screen.session.current is not None
        assert screen.session.current.deck == "beyond"
        assert "deck beyond" in visible_text(screen.query_one("#study-status"))
        await pilot.press("space", "3")
        await pilot.pause()
        assert screen.session.current is None or screen.session.current.deck == "beyond"


async def test_the_quiz_setup_narrows_to_one_deck(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("z")
        await pilot.pause()
        assert isinstance(app.screen, QuizSetupScreen)
        app.screen.query_one("#quiz-deck", Select).value = "beyond"
        await pilot.pause()
        app.screen.action_start()
        await pilot.pause()
        assert isinstance(app.screen, QuizRunScreen)
        assert {q.card.deck for q in app.screen.session.questions} == {"beyond"}
