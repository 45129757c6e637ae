"""Decks in the app under Pilot: study one deck from the command palette, and a quiz narrowed to
one deck from the quiz setup screen."""

from __future__ import annotations

from textual.widgets import Select

from quizapp.ui.screens.quiz import QuizRunScreen, QuizSetupScreen
from quizapp.ui.screens.study import StudyScreen
from tests.ui.conftest import SIZE, palette_search, visible_text, wait_until


async def test_the_palette_studies_one_deck(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert "beyond" in await palette_search(pilot, "Study deck: beyond")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StudyScreen), what="the session")
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
