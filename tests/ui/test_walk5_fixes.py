"""What the seventh newcomer walkthrough (walker5) found in the app, as the learner sees it."""

from __future__ import annotations

import pytest

from quizapp.ui.screens.study import StudyScreen
from tests.ui.conftest import wait_until
from tests.ui.screen_text import screen_rows


async def test_a_long_tag_line_stays_on_the_badges_row_at_80_columns(make_app, shipped) -> None:
    """At 80x24 a trap's answer side (its scroll bar taking two columns) wrapped its tags:
    "TRAP regression · classification · gradients · probabilistic ·" and "interview" alone on
    the next row. The tags that do not fit are counted instead ("+1 tag")."""
    card = max(
        (c for c in shipped.cards.values() if c.kind == "trap"),
        key=lambda c: len(" · ".join(c.tags)),
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(StudyScreen(ids=[card.id], title="One card"))
        await wait_until(pilot, lambda: isinstance(app.screen, StudyScreen), what="study")
        for side in ("question", "answer"):
            if side == "answer":
                await pilot.press("space")
                await wait_until(pilot, lambda: app.screen.revealed, what="the answer side")
            await pilot.pause()
            rows = screen_rows(app)
            at = next(i for i, row in enumerate(rows) if f" {card.header.upper()} " in row)
            badge_row = rows[at].split(card.header.upper(), 1)[1]
            words = [w.strip() for w in badge_row.split("·")]
            shown = [w for w in words if w in card.tags]
            hidden = len(card.tags) - len(shown)
            assert shown == list(card.tags[: len(shown)]), rows[at]  # whole tags, in order
            if hidden:
                assert words[-1] == f"+{hidden} tag{'s' if hidden > 1 else ''}", rows[at]
            assert rows[at + 1].strip() == "", f"{side}: a wrapped tag line: {rows[at + 1]!r}"
            assert not any(rows[at + 1].strip() == tag for tag in card.tags)


async def test_a_loss_curves_preview_in_browse_fits_the_info_pane_at_200_columns(make_app) -> None:
    """At 200x50 Browse's info pane (beside the table) previewed a loss-curve card with a plot
    64 columns wide in a pane narrower than that: each row of the plot wrapped ("──────┐" and
    "│" alone on the rows under the frame). The plot is drawn as wide as the pane."""
    from tests.ui.test_browse_ui import info_of, open_browser

    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("slash", *"kind:loss_curve", "enter")
        text = await info_of(pilot, screen)
        assert "Preview" in text
        await pilot.pause()
        rows = screen_rows(app)
        tops = [row for row in rows if "┌" in row]
        bottoms = [row for row in rows if "└" in row]
        assert tops and bottoms, "no plot in the info pane"
        assert all("┐" in row for row in tops), tops
        assert all("┘" in row for row in bottoms), bottoms
        # No row holds a bare piece of the frame, left over from a wrapped row.
        pane = [row.rsplit("│", 1)[-1].strip() for row in rows if row.count("│") >= 1]
        assert "│" not in pane and "┐" not in pane and "┘" not in pane


async def test_the_plan_uses_a_wide_terminal_for_the_checklist_items(make_app, shipped) -> None:
    """At 200x50 the plan stopped at 120 columns: checklist items were cut ("8. Take apart
    "minimise the valid…") beside 80 empty columns. Now the readiness panel takes the room
    the day table does not need; at 80x24 both panels still show their columns."""
    from datetime import date, timedelta

    from quizapp.ui.screens.plan import PlanScreen
    from tests.ui.screen_text import on_screen

    items = [f"{item.number}. {item.text}" for item in shipped.checklist]
    fits = [text for text in items if len(text) <= 100]
    assert fits, "no item short enough: the test lost its point"
    for size in ((200, 50), (80, 24)):
        app = make_app()
        store = app.store
        store.save_settings(store.settings.__class__(interview_date=date.today() + timedelta(9)))
        async with app.run_test(size=size) as pilot:
            await pilot.press("p")

            def loaded(app=app) -> bool:  # type: ignore[no-untyped-def]
                screen = app.screen
                return isinstance(screen, PlanScreen) and not screen.query_one("#plan-body").loading

            await wait_until(pilot, loaded, what="the plan's numbers")
            await pilot.pause()
            rows = screen_rows(app)
            assert any("today" in row and "▇" in row for row in rows), rows  # the day table
            if size == (200, 50):
                cut = [text for text in fits if not on_screen(app, text)]
                assert not cut, f"cut at 200 columns: {cut}"
                assert any("Decks" in row for row in rows)


async def test_a_number_typed_on_the_quiz_setup_is_the_number_of_questions(make_app) -> None:
    """The quiz's set-up opens with Start focused: typing "3" (the obvious thing, the box
    reads "Questions 10") did nothing, and enter started ten questions. Now the digits go to
    the box, enter starts that many; tab back into the box still selects it to type over."""
    from textual.widgets import Input

    from quizapp.ui.screens.quiz import QuizRunScreen, QuizSetupScreen
    from tests.ui.screen_text import on_screen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("z")
        await wait_until(pilot, lambda: isinstance(app.screen, QuizSetupScreen), what="set-up")
        setup = app.screen
        count = setup.query_one("#count", Input)
        await pilot.press("1", "2")
        await wait_until(pilot, lambda: count.value == "12", what="12 in the box")
        await pilot.press("tab", "shift+tab")  # away and back: the box is selected whole
        await wait_until(pilot, lambda: app.focused is count, what="the box focused again")
        await pilot.press("3")
        await wait_until(pilot, lambda: count.value == "3", what="3 typed over 12")
        await pilot.pause()
        assert on_screen(app, "Questions 3")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, QuizRunScreen), what="the quiz")
        await wait_until(pilot, lambda: on_screen(app, "1 of 3"), what="question 1 of 3")


async def test_help_on_study_says_one_thing_per_key_and_where_area_keys_work(make_app) -> None:
    """`?` in Study listed "q Back" for the screen and "q Quit" under Everywhere, and titled
    the areas "Go to (these keys, on home or here)": z pressed in Study did nothing. Each key
    now means one thing on the help of the screen it was opened on, and every key the
    Everywhere section lists does what it says there."""
    from quizapp.ui.screens.help import HelpScreen
    from tests.ui.conftest import visible_text

    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, StudyScreen), what="study")
        study = app.screen
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        texts = [visible_text(w) for w in app.screen.query("Static")]
        help_text = "\n".join(texts)
        everywhere = help_text.split("Everywhere", 1)[1].split("\n\n", 1)[0]
        listed = {line.split()[0] for line in everywhere.strip().splitlines() if line.strip()}
        assert listed, everywhere
        assert "q" in study.active_bindings  # Study's own q (back): the case in point
        for key in listed:
            active = study.active_bindings.get(key)
            if active is not None:
                # Listed as the app's key: on this screen it must do what the app's does.
                assert active.node is app, (key, active.binding.description)
        title = next(t for t in texts if "Go to" in t).splitlines()[0]
        assert "on home or here" not in title and "help" in title
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is study, what="back in study")
        await pilot.press("z")  # the area keys are home's (and help's), not Study's
        await pilot.pause()
        assert app.screen is study


async def test_a_wrapped_options_second_line_starts_under_its_text(make_app, shipped) -> None:
    """At 80x24 a multiple-choice option that wrapped went on under its letter ("a  Raise the
    learning rate, ... settle" / "sooner, and lower Adam's ε"), so the letters were hard to
    pick out; it now goes on under its own text."""
    from quizapp.ui.screens.quiz import QuizRunScreen

    card = max(
        (c for c in shipped.cards.values() if c.kind == "multiple_choice"),
        key=lambda c: max(len(o.text) for o in c.options),
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        quiz = app.new_quiz(item_ids=[card.id], kinds=["multiple_choice"], n=1, seed=7)
        app.push_screen(QuizRunScreen(quiz))
        await wait_until(pilot, lambda: isinstance(app.screen, QuizRunScreen), what="the quiz")
        await pilot.pause()
        # The options' box: its rows between the left bar and the right edge.
        rows = [row.split("▊", 1)[1].rstrip(" ▎") for row in screen_rows(app) if "▊" in row]
        rows = [row for row in rows if row.strip() and not set(row.strip()) <= set("▔▁")]
        letters = [f"{letter}  " for letter in "abcd"]
        starts = [i for i, row in enumerate(rows) if row.lstrip()[:3] in letters]
        assert len(starts) == len(card.options), rows
        wrapped = 0
        for i, j in zip(starts, [*starts[1:], len(rows)], strict=True):
            text_at = len(rows[i]) - len(rows[i].lstrip()) + 3  # where the option's text starts
            for row in rows[i + 1 : j]:
                assert row[:text_at].strip() == "" and row[text_at] != " ", (rows[i], row)
                wrapped += 1
        assert wrapped, "no option wrapped: the test lost its point"


async def test_cram_says_when_a_long_answer_goes_on_under_the_edge(make_app) -> None:
    """Study's status line says "↓ PgDn for more" when a card's answer goes on below the
    screen's edge (80x24); Cram, the same card view, said nothing."""
    import dataclasses
    from datetime import date, timedelta

    from textual.containers import VerticalScroll

    from quizapp.ui.screens.cram import CramScreen
    from quizapp.ui.widgets.more_below import NOTE
    from tests.ui.conftest import visible_text

    app = make_app()
    store = app.store
    day = date.today() + timedelta(days=9)
    store.save_settings(dataclasses.replace(store.settings, interview_date=day))
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(CramScreen())

        def loaded() -> bool:
            screen = app.screen
            scrolls = screen.query("#card-scroll") if isinstance(screen, CramScreen) else []
            return bool(scrolls) and not scrolls[0].loading

        await wait_until(pilot, loaded, what="the cram list")
        screen = app.screen
        scroll = screen.query_one("#card-scroll", VerticalScroll)
        status = screen.query_one("#study-status")
        for _ in range(30):  # the first card whose answer is taller than the screen
            await pilot.press("space")
            await wait_until(pilot, lambda: screen.revealed, what="the answer")
            await pilot.pause()
            if scroll.max_scroll_y >= 4:
                break
            await pilot.press("3")
        else:
            raise AssertionError("no long answer in 30 cards: the test lost its point")
        await wait_until(pilot, lambda: NOTE in visible_text(status), what="the PgDn note")
        for _ in range(10):  # PgDn to the bottom: nothing more below, no note
            if scroll.scroll_y >= scroll.max_scroll_y:
                break
            await pilot.press("pagedown")
            await pilot.pause()
        await wait_until(pilot, lambda: NOTE not in visible_text(status), what="no note")


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("5 2 4 4", "4 is repeated; 1 and 3 are missing."),
        ("5 2 1 4 9", "9 is not a step; 3 is missing."),
    ],
)
async def test_an_ordering_typed_wrong_says_which_numbers_are_wrong(
    make_app, typed: str, said: str
) -> None:
    """`5 2 4 4` on a five-step ordering question said only "Type each step number 1-5 once,
    in order": the learner had to find the repeated 4 and the missing 1 and 3 alone."""
    from quizapp.ui.screens.quiz import QuizRunScreen
    from tests.ui.screen_text import on_screen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        quiz = app.new_quiz(item_ids=["order-production-loss-choice"], seed=1)
        await app.push_screen(QuizRunScreen(quiz))
        await wait_until(pilot, lambda: app.screen.view is not None, what="the question")
        assert len(quiz.questions[0].steps) == 5
        await pilot.press(*typed, "enter")
        await wait_until(pilot, lambda: on_screen(app, said), what=f"{said!r} in view")
        assert on_screen(app, typed)  # kept in the box, to be corrected


async def test_homes_readiness_lines_fit_the_today_box_at_80_columns(make_app) -> None:
    """With an interview date, home's Today box at 80x24 read "Ready 3% · 353 below" and
    "target" alone on the next row. Each part now has a row of its own."""
    import dataclasses
    from datetime import date, timedelta

    from tests.ui.screen_text import on_screen

    app = make_app()
    store = app.store
    day = date.today() + timedelta(days=12)
    store.save_settings(dataclasses.replace(store.settings, interview_date=day))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.readiness_line is not None, what="readiness")
        await wait_until(pilot, lambda: on_screen(app, "below target"), what="the line")
        rows = screen_rows(app)
        box = [row.split("│")[1].strip() for row in rows if row.count("│") >= 2]
        assert "Interview in 12 days" in box
        assert any(line.startswith("Ready ") and line.endswith("% on the morning") for line in box)
        below = next(line for line in box if line.endswith("below target"))
        assert below.split()[0].isdigit(), box  # the count and its words on one row
        assert "target" not in [line for line in box if line != below]
