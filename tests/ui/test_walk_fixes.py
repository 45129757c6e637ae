"""What the third newcomer walkthrough found in the app, pinned as the learner sees it."""

from __future__ import annotations

import re

from quizapp.decks.models import Cloze
from quizapp.ui.screens.quiz import QuizRunScreen
from tests.ui.conftest import SIZE, reopen_store, visible_text, wait_until


async def test_a_math_blanks_example_is_one_the_blank_accepts(make_app, shipped) -> None:
    """The hint under a math blank ("Type it as math in z, y, e.g. ...") once showed
    (1 - y)*log(1 - p) on every card, whose p the blank of sigmoid(z) - y refuses; typed as
    shown, each card's example is read and graded (right or wrong), never refused."""
    ids = [c.id for c in shipped.cards.values() if isinstance(c, Cloze) and c.variables]
    assert ids
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        quiz = app.new_quiz(item_ids=ids, seed=1, mode="quiz")
        app.push_screen(QuizRunScreen(quiz))
        for index in range(len(ids)):
            shown = lambda i=index: getattr(app.screen.view, "index", None) == i  # noqa: E731
            await wait_until(pilot, shown, what=f"question {index + 1}")
            view = app.screen.view
            prompt = " ".join(visible_text(view.query_one(".q-prompt")).split())
            names = ", ".join(shipped.cards[view.question.item_id].variables)
            found = re.search(rf"Type it as math in {re.escape(names)}, e\.g\. (.+)$", prompt)
            assert found, prompt
            await pilot.press(*found.group(1), "enter")
            panel = view.query_one(".q-feedback")
            await wait_until(pilot, lambda p=panel: p.has_class("-shown"), what="the feedback")
            feedback = " ".join(visible_text(panel).split())
            assert feedback.startswith(("✓", "✗")), (view.question.item_id, feedback)
            await pilot.press("n")


async def test_a_chosen_cards_summary_promises_no_key_that_does_nothing(make_app) -> None:
    """One card opened from the palette: its summary once said "Press s to keep going" while
    s did nothing there."""
    from quizapp.ui.screens.study import StudyScreen
    from quizapp.ui.widgets.card_view import CardView

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(StudyScreen(ids=["cloze-huber-large-residuals"], title="One card"))
        await wait_until(pilot, lambda: isinstance(app.screen, StudyScreen), what="study")
        screen = app.screen
        await pilot.press("space", "3")
        await wait_until(pilot, lambda: screen.has_class("finished"), what="the summary")
        summary = " ".join(visible_text(screen.query_one(CardView)).split())
        assert "Still waiting:" in summary and "Press s" not in summary
        assert "Study (s on Home) has them." in summary
        await pilot.press("s")  # nothing here: the summary stays
        await pilot.pause()
        assert app.screen is screen and screen.has_class("finished")


def test_a_derivation_names_follow_on_lines_only_when_there_are_some(shipped) -> None:
    """Lines 3 and 4 both wrong (4 does not follow from 3): the verdict once said "lines marked
    ↳ follow from it correctly" with no line marked ↳."""
    import io

    from rich.console import Console

    from quizapp.mathcheck.cards import problem_of
    from quizapp.mathcheck.steps import check_steps
    from quizapp.ui.widgets.derivation import derivation_renderable

    def shown(lines: list[str]) -> str:
        derivation = check_steps(problem_of(shipped.cards["grad-bce-logit"]), lines)
        console = Console(width=100, file=io.StringIO(), color_system=None, record=True)
        console.print(derivation_renderable(derivation))
        return console.export_text()

    start = ["dL/dp = (p - y)/(p*(1 - p))", "dL/dp*p*(1 - p)"]
    both_wrong = shown([*start, "y - p", "p - y"])
    assert "The first wrong step is line 3." in both_wrong and "↳ 4" not in both_wrong
    assert "lines marked ↳ follow" not in both_wrong
    follow_on = shown([*start, "y - p", "2*(y - p)/2"])
    assert "↳ 4" in follow_on and "lines marked ↳ follow from it correctly" in follow_on


async def test_the_palette_opens_a_drill_to_be_answered_not_self_rated(make_app) -> None:
    """ctrl+p to a gradient drill once opened a flashcard showing only its name, rated 1-4
    without answering; now it opens the drill: the statement, a box, the checker's verdict."""
    from quizapp.ui.screens.drills import DrillRunScreen, DrillsScreen
    from tests.ui.conftest import palette_search

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        top = await palette_search(pilot, "Bradley-Terry reward loss gradient chosen")
        assert top.startswith("Gradient drill: Bradley–Terry")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DrillRunScreen), what="the drill")
        view = app.screen.view
        assert "Find ∂L/∂r_w" in " ".join(visible_text(view.query_one(".q-prompt")).split())
        await pilot.press(*"-sigmoid(rl - rw)", "ctrl+s")
        await wait_until(pilot, lambda: view.feedback is not None, what="the verdict")
        assert visible_text(view.query_one(".q-feedback")).lstrip().startswith("✓ Correct")
        await pilot.press("escape")  # back to the list of drills, then home
        await wait_until(pilot, lambda: isinstance(app.screen, DrillsScreen), what="the list")


async def test_the_palette_asks_a_multiple_choice_card_as_a_question(make_app) -> None:
    from quizapp.ui.screens.quiz import QuizRunScreen
    from tests.ui.conftest import palette_search

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        top = await palette_search(pilot, "nll_loss raw logits compute")
        assert top.startswith("Multiple choice:")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, QuizRunScreen), what="the quiz")
        assert [q.kind for q in app.screen.session.questions] == ["multiple_choice"]


async def test_a_hint_on_a_retry_says_the_retry_is_again_anyway(make_app) -> None:
    """Drills: a miss, r, ctrl+t: the hint line once said "a right answer now counts as Hard",
    but a right retry is Again whatever the hints."""
    from quizapp.ui.screens.drills import DrillRunScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(DrillRunScreen.for_item(app, "grad-bce-logit"))
        await wait_until(
            pilot, lambda: getattr(app.screen, "view", None) is not None, what="the drill"
        )
        screen = app.screen
        view = screen.view
        await pilot.press(*"y - p", "ctrl+s")
        await wait_until(pilot, lambda: view.feedback is not None, what="the verdict")
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.view not in (None, view), what="the retry")
        await pilot.press("ctrl+t")
        hint = screen.view.query_one(".q-hint")
        await wait_until(pilot, lambda: "Hint 1" in visible_text(hint), what="the hint")
        shown = " ".join(visible_text(hint).split())
        assert "counts as Again anyway" in shown and "Hard" not in shown


async def test_a_mock_ended_early_lists_the_question_left_open(make_app) -> None:
    """esc esc with a question on screen once reported "Nothing missed: well done"."""
    from quizapp.ui.screens.mock import MockInterviewScreen, MockReportScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await wait_until(
            pilot, lambda: getattr(app.screen, "view", None) is not None, what="the interview"
        )
        screen = app.screen
        assert isinstance(screen, MockInterviewScreen)
        open_card = screen.view.question.card
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MockReportScreen), what="report")
        body = " ".join(visible_text(app.screen.query_one("#report-body")).split())
        assert "Nothing missed" not in body
        assert "1 question open when you ended the interview" in body
        assert open_card.title[:30] in body


async def test_the_palette_opens_a_checklist_item_on_the_checklist(make_app, shipped) -> None:
    """It once opened as a flashcard to rate 1-4 (a schedule for a checklist item)."""
    from quizapp.ui.screens.checklist import ChecklistScreen
    from tests.ui.conftest import palette_search

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        top = await palette_search(pilot, "Read a training and validation loss curve")
        assert top.startswith("Checklist: 12.")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChecklistScreen), what="checklist")
        evidence = app.screen.query_one("#evidence")
        await wait_until(
            pilot, lambda: "12. Read a training" in visible_text(evidence), what="item 12"
        )
        await pilot.press("space")  # ticks item 12
        await wait_until(pilot, lambda: "Ticked" in visible_text(evidence), what="the tick")
    store = reopen_store()
    assert list(store.ticks()) == [12]
    assert store.reviews("checklist-beyond-curves") == []
