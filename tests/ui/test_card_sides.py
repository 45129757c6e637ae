"""The side of the card a learner sees drives the rest of the study screen: on the question side
the reveal button (and, on a trap, the box for their take) and the key to show the answer; on the
answer side the rating buttons with their intervals (and an interview question's key points)."""

from __future__ import annotations

from quizapp.decks.models import InterviewQuestion
from quizapp.ui.screens.study import StudyScreen
from quizapp.ui.widgets.card_view import CardView
from tests.ui.conftest import SIZE, reopen_store, visible_text


def shown(screen, selector: str) -> bool:
    return all(w.display for w in screen.query(selector)) and bool(screen.query(selector))


def footer_keys(app) -> set[str]:
    return {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}


async def test_each_side_shows_its_own_buttons_and_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        for _round in range(2):  # a second card, after a rating, starts on its question side
            trap = screen.session.current
            assert trap is not None and not screen.revealed
            assert shown(screen, "#reveal") and shown(screen, "#take")
            # The take box is empty and has focus, ready for the learner's words.
            assert screen.query_one("#take").value == "" and screen.focused.id == "take"
            assert not any(b.display for b in screen.query(".rate"))
            assert "rate(3)" not in footer_keys(app)
            card = " ".join(visible_text(screen.query_one(CardView)).split())
            assert " ".join(trap.correct.split()) not in card
            await pilot.press(*"my take", "enter")
            await pilot.pause()
            assert screen.revealed
            assert not shown(screen, "#reveal") and not shown(screen, "#take")
            assert shown(screen, ".rate")
            assert "rate(3)" in footer_keys(app) and "reveal" not in footer_keys(app)
            card = " ".join(visible_text(screen.query_one(CardView)).split())
            assert "You wrote my take" in card and " ".join(trap.correct.split()) in card
            await pilot.press("3")
            await pilot.pause()
            assert screen.session.current is not None and screen.session.current.id != trap.id


async def test_undo_turns_the_card_back_to_its_question_side(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "space", "3")
        await pilot.pause()
        screen = app.screen
        assert "reveal" in footer_keys(app) and "rate(3)" not in footer_keys(app)
        await pilot.press("space")
        assert screen.revealed and shown(screen, ".rate")
        assert "rate(3)" in footer_keys(app) and "reveal" not in footer_keys(app)
        await pilot.press("u")
        await pilot.pause()
        assert not screen.revealed and shown(screen, "#reveal")
        assert "reveal" in footer_keys(app) and "undo" not in footer_keys(app)
        assert not any(b.display for b in screen.query(".rate"))
        assert "─" * 40 not in visible_text(screen.query_one(CardView))
        assert reopen_store().reviews() == []


async def test_an_interview_question_shows_its_key_points_on_the_answer_side(
    make_app, shipped
) -> None:
    question = shipped.of_kind("interview_question")[0]
    assert isinstance(question, InterviewQuestion)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(StudyScreen(ids=[question.id]))
        await pilot.pause()
        screen = app.screen
        assert not shown(screen, "#points")
        await pilot.press("space")
        await pilot.pause()
        assert shown(screen, "#points") and screen.focused is screen.query_one("#points")
        await pilot.press("space", "a")  # tick the first point, accept the suggested rating
        await pilot.pause()
        assert len(reopen_store().reviews(question.id)) == 1
        assert not shown(screen, "#points")  # the session's summary
