"""Issue 26 at 80x24 (and 200x50): what a learner sees on a small terminal stays in reach by
keyboard, and nothing scrolls away on its own."""

from __future__ import annotations

import pytest
from textual.screen import Screen
from textual.widgets import Button

from quizapp.ui.screens.drills import DrillsScreen
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


def _squeezed(text: str) -> str:
    return " ".join(text.split())


def _options_on_screen(app, card) -> list[str]:
    """The options of ``card`` whose opening words are not on the terminal."""
    rows = [_squeezed(row) for row in screen_rows(app)]  # drawn once for every option
    return [o.text for o in card.options if not any(_squeezed(o.text)[:30] in row for row in rows)]


# One test per deck (xdist runs them side by side): every loss-curve card of the deck.
@pytest.mark.slow
@pytest.mark.parametrize("deck", ["beyond", "frontier"])
async def test_at_80x24_a_loss_curve_question_reads_from_its_top_and_the_keys_reach_its_options(
    make_app, shipped, deck
) -> None:
    """Every loss-curve card: the question opens at its top (the set-up, the plot), the status
    line says there is more below, and down / j / page down each bring every option into view
    with the plot's axis still on screen; page up goes back to the top, more below again."""
    from quizapp.ui.screens.quiz import QuizRunScreen

    cards = [card for card in shipped.of_kind("loss_curve") if card.deck == deck]
    assert cards
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for card in cards:
            screen = QuizRunScreen(app.new_quiz(item_ids=[card.id], seed=3))
            await app.push_screen(screen)
            await wait_until(pilot, lambda s=screen: s.view is not None, what="the question")
            for key in ("down", "j", "pagedown"):
                await wait_until(
                    pilot, lambda s=screen: s.more_below, what=f"'more below' for {card.id}"
                )
                assert on_screen(app, "READ THE LOSS CURVE"), (card.id, screen_rows(app))
                assert on_screen(app, _squeezed(card.question)[:40]), card.id
                assert on_screen(app, "↓ PgDn for more")
                assert _options_on_screen(app, card), card.id  # below the fold, as said
                await pilot.press(key)
                await pilot.pause()
                assert not _options_on_screen(app, card), (card.id, key, screen_rows(app))
                assert on_screen(app, card.xlabel or "epoch"), (card.id, key)  # plot in view
                await pilot.press("pageup")
                await pilot.pause()
                assert on_screen(app, "READ THE LOSS CURVE"), (card.id, key)
            app.pop_screen()
            await pilot.pause()


def test_the_loss_curve_cards_are_in_the_decks_tested_above(shipped) -> None:
    assert {card.deck for card in shipped.of_kind("loss_curve")} == {"beyond", "frontier"}


async def test_at_80x24_answering_a_loss_curve_question_shows_the_verdict_and_arrows_scroll(
    make_app, shipped
) -> None:
    """A letter answers: the verdict comes into view, and the arrows scroll the question."""
    from quizapp.ui.screens.quiz import QuizRunScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        card = shipped.cards["curve-overfitting"]
        screen = QuizRunScreen(app.new_quiz(item_ids=[card.id], seed=3))
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.view is not None, what="the question")
        right = next(i for i, c in enumerate(screen.view.question.choices) if c.correct)
        await pilot.press("abcdef"[right])
        await wait_until(pilot, lambda: on_screen(app, "✓"), what="the verdict on screen")
        area = screen.query_one("#question-area")
        before = area.scroll_y
        await pilot.press("k", "up")
        await pilot.pause()
        assert area.scroll_y < before
        await pilot.press("pageup", "pageup", "pageup")
        await pilot.pause()
        assert on_screen(app, "READ THE LOSS CURVE")


@pytest.mark.slow
@pytest.mark.parametrize("deck", ["beyond", "frontier"])
async def test_at_200x50_a_loss_curve_question_shows_whole(make_app, shipped, deck) -> None:
    from quizapp.ui.screens.quiz import QuizRunScreen
    from quizapp.ui.widgets.loss_curve import HEIGHT

    cards = [card for card in shipped.of_kind("loss_curve") if card.deck == deck]
    assert cards
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        for card in cards:
            screen = QuizRunScreen(app.new_quiz(item_ids=[card.id], seed=3))
            await app.push_screen(screen)
            await wait_until(pilot, lambda s=screen: s.view is not None, what="the question")
            await pilot.pause()
            assert on_screen(app, "READ THE LOSS CURVE")
            assert not _options_on_screen(app, card), (card.id, screen_rows(app))
            assert not on_screen(app, "more below")
            # The full-size plot: its rows, from the top frame to the axis label.
            rows = screen_rows(app)
            top = next(i for i, r in enumerate(rows) if "┌" in r)
            label = next(i for i in range(top, len(rows)) if (card.xlabel or "epoch") in rows[i])
            assert label - top + 1 == HEIGHT, card.id
            app.pop_screen()
            await pilot.pause()


async def test_a_mock_interview_and_study_reach_a_loss_curves_options_by_keyboard(
    make_app, shipped
) -> None:
    from quizapp.ui.screens.mock import MockInterviewScreen
    from quizapp.ui.screens.study import StudyScreen

    card = shipped.cards["curve-divergence-nan"]  # the tallest: a caption under the plot
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        mock = MockInterviewScreen(app.new_quiz(item_ids=[card.id], seed=3))
        await app.push_screen(mock)
        await wait_until(pilot, lambda: mock.more_below, what="'more below' in the mock")
        assert on_screen(app, "Mock interview") and on_screen(app, "↓ PgDn for more")
        await pilot.press("pagedown")
        await pilot.pause()
        assert not _options_on_screen(app, card), screen_rows(app)
        app.pop_screen()
        await pilot.pause()
        study = StudyScreen(ids=[card.id])
        await app.push_screen(study)
        await wait_until(pilot, lambda: study.more_below, what="'more below' in study")
        assert on_screen(app, "Study · 1 of 1 · ↓ PgDn for more")
        assert _options_on_screen(app, card)
        for _ in range(6):
            await pilot.press("down")
        await pilot.pause()
        assert not _options_on_screen(app, card), screen_rows(app)
        await wait_until(pilot, lambda: not study.more_below, what="the note gone at the end")


async def test_at_80_columns_the_study_header_and_the_suggested_rating_read_whole(
    make_app, shipped
) -> None:
    """The suggestion used to end the study header, cut at 80 columns ("… suggested Again (a
    to"); it sits on the tick list's border now, whole, and the header fits or ends in "…"."""
    from quizapp.decks.models import InterviewQuestion
    from quizapp.ui.screens.study import StudyScreen

    question = max(shipped.of_kind(InterviewQuestion.kind), key=lambda c: len(c.points))
    tag = max(question.tags, key=len)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        study = StudyScreen(ids=[question.id], tag=tag, deck=question.deck)
        await app.push_screen(study)
        await pilot.press("space")  # the answer side: the key points to tick
        await wait_until(pilot, lambda: study.revealed, what="the answer side")
        await pilot.press("space")  # tick the first point
        total = len(question.points)
        said = f"1 of {total} key points · suggested Again (a to accept)"
        await wait_until(pilot, lambda: on_screen(app, said), what="the suggestion, whole")
        header = screen_rows(app)[1].rstrip()
        assert header.startswith("  Study  ·  1 of 1")
        assert header.endswith("…") or header.endswith(f"deck {question.deck}"), header
        await pilot.press("a")  # accepts what it says: Again
        await wait_until(pilot, lambda: study.session.summary.reviewed == 1, what="the rating")


async def test_the_drills_list_counts_a_drill_done_as_soon_as_the_learner_is_back(
    make_app,
) -> None:
    """The "· N done" count used to stay stale until the list was opened again."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        drills = app.screen.query_one("#drill-list")
        await wait_until(pilot, lambda: drills.highlighted is not None, what="the list")
        first = drills.get_option_at_index(drills.highlighted)
        title = app.library.cards[first.id].title
        assert on_screen(app, title) and not on_screen(app, f"{title} · 1 done")
        await pilot.press("enter")  # open it, answer (wrongly), come back
        await wait_until(pilot, lambda: getattr(app.screen, "view", None), what="the drill")
        await pilot.press("1", "0", "0", "0", "enter")
        await wait_until(pilot, lambda: app.screen.view.feedback is not None, what="graded")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, DrillsScreen), what="the list again")
        await wait_until(
            pilot, lambda: on_screen(app, f"{title} · 1 done"), what="the count, fresh"
        )
        assert drills.get_option_at_index(drills.highlighted).id == first.id  # same place


async def test_at_80_columns_a_long_drill_title_ends_in_an_ellipsis_before_its_count(
    make_app, shipped
) -> None:
    cards = [*shipped.of_kind("numeric_drill"), *shipped.of_kind("gradient_drill")]
    longest = max(cards, key=lambda c: len(c.title))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(10):  # ten answers, through the real checker, recorded in the store
            quiz = app.new_quiz(item_ids=[longest.id], seed=1, mode="drill")
            quiz.answer(0, "0", seconds=5)
        await pilot.press("d")
        drills = app.screen.query_one("#drill-list")
        await wait_until(pilot, lambda: drills.highlighted is not None, what="the list")
        drills.highlighted = drills.get_option_index(longest.id)
        await pilot.pause()
        row = next((r for r in screen_rows(app) if longest.title[:30] in r), None)
        assert row is not None, screen_rows(app)
        squeezed = " ".join(row.split())
        assert "… · 10 done" in squeezed, row  # the title cut, its count on the same line
        # No count pushed onto a line of its own.
        assert not any(" ".join(r.split()).lstrip("▊ ").startswith("·") for r in screen_rows(app))
