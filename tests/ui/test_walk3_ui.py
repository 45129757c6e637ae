"""What the fifth newcomer walkthrough (walker3) found in the app, at the sizes it was seen."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, TextArea

from quizapp.settings import Settings
from quizapp.ui.screens.settings import SettingsScreen
from tests.ui.conftest import browser_with_rows, reopen_store, visible_text, wait_until
from tests.ui.screen_text import on_screen, screen_rows


@pytest.mark.parametrize("field", ["retention", "interview-date", "new-per-day"])
async def test_a_huge_paste_in_a_setting_is_refused_in_one_line_and_save_stays_in_view(
    make_app, field
) -> None:
    """At 80x24, 3000 digits pasted into a setting and ctrl+s: the error repeated all of them,
    nine rows of 9s filled the panel and pushed Save and Cancel out of view."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, SettingsScreen), what="Settings")
        box = app.screen.query_one(f"#{field}", Input)
        box.focus()
        box.value = ""
        await pilot.pause()
        app.post_message(events.Paste("9" * 3000))  # as the terminal delivers a paste
        await wait_until(pilot, lambda: len(box.value) == 3000, what="the pasted text")
        await pilot.press("ctrl+s")
        error = app.screen.query_one("#settings-error")
        await wait_until(pilot, lambda: visible_text(error).strip(), what="the error")
        rows = screen_rows(app)
        assert sum("999999" in row for row in rows) <= 2, rows  # the box and the one-line error
        assert on_screen(app, "Save (ctrl+s)") and on_screen(app, "Cancel (esc)"), rows
        assert isinstance(app.screen, SettingsScreen)
    assert reopen_store().settings == Settings()  # nothing was saved


async def test_the_report_of_a_mock_ended_by_esc_esc_does_not_ask_for_another_esc(
    make_app,
) -> None:
    """esc esc ended the interview, but "Press esc again to end the interview now." stayed up
    over the report for three seconds; the esc it asked for left the report unread."""
    from quizapp.ui.screens.mock import MockInterviewScreen, MockReportScreen

    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("m")
        await wait_until(
            pilot, lambda: getattr(app.screen, "view", None) is not None, what="the interview"
        )
        assert isinstance(app.screen, MockInterviewScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: on_screen(app, "Press esc again"), what="the notice")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MockReportScreen), what="report")
        await wait_until(pilot, lambda: on_screen(app, "Mock interview report"), what="report")
        assert not on_screen(app, "Press esc again"), screen_rows(app)


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("c", "Tick / untick"),
        ("v", "Huber δ −"),
        ("i", "Deck filter"),
        ("p", "Fit FSRS to you"),
    ],
    ids=["checklist", "curves", "stats", "plan"],
)
async def test_help_opened_on_a_screen_shows_that_screens_keys_in_view(
    make_app, key, shown
) -> None:
    """? on the Checklist at 80x24 showed the areas and Study's keys; "space Tick / untick" was
    three pages down. The keys of the screen help was opened on now come first."""
    from quizapp.ui.screens.help import HelpScreen
    from quizapp.ui.screens.home import HomeScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await wait_until(pilot, lambda: not isinstance(app.screen, HomeScreen), what="the area")
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await wait_until(pilot, lambda: on_screen(app, shown), what=f"{shown!r} in view")
        assert on_screen(app, "On this screen ("), screen_rows(app)


async def test_e_in_browse_where_no_terminal_can_be_lent_names_the_card_file(
    make_app, monkeypatch, notices
) -> None:
    """In `quizapp serve` (a browser tab), Browse's e said "Could not open vi: App.suspend is not
    supported in this environment." Pilot's driver cannot lend its terminal either, as the
    browser's cannot: the real path, no stub."""

    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "vi")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await browser_with_rows(pilot)
        card = screen.shown[0].card
        await pilot.press("e")
        await wait_until(pilot, lambda: notices, what="the notice")
        (said,) = notices
        assert "App.suspend" not in said
        assert "from the browser" in said and f"{card.source}:{card.line}" in said
        assert app.is_running and app.screen is screen


@pytest.mark.parametrize(("leave", "kept"), [("escape", False), ("ctrl+s", True)])
async def test_a_theme_previewed_in_settings_is_kept_only_when_saved(make_app, leave, kept) -> None:
    """A theme picked from the list previews at once; Cancel (esc) kept it, and saved it, as if
    the learner had pressed Save."""
    from textual.widgets import Select

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        before = app.theme
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(app.screen, SettingsScreen), what="Settings")
        settings = app.screen
        select = settings.query_one("#theme", Select)
        select.focus()
        await pilot.press("enter", "down", "enter")  # open the list, the next theme, choose it
        await wait_until(pilot, lambda: app.theme != before, what="the preview")
        chosen = app.theme
        await pilot.press(leave)
        await wait_until(pilot, lambda: app.screen is not settings, what="Settings to close")
        assert app.theme == (chosen if kept else before)
    assert (reopen_store().settings.theme or "textual-dark") == (chosen if kept else before)


@pytest.mark.parametrize(
    ("typed", "said"),
    [("deck:frontiers", "no deck 'frontiers'"), ("tag:regresion", "did you mean tag:regression?")],
)
async def test_browse_says_when_a_search_names_no_deck_or_tag(make_app, typed, said) -> None:
    """Browse showed "0 of 394 cards" for deck:frontiers (a typo), as for a search with no
    match, where kind:trapp says what the kinds are."""

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await browser_with_rows(pilot)
        await pilot.press("slash", *typed)
        await wait_until(pilot, lambda: not screen.shown, what="no rows")
        await wait_until(pilot, lambda: on_screen(app, said), what=repr(said))


@pytest.mark.parametrize("key", ["v", "h"], ids=["curves", "cheatsheet"])
async def test_the_footer_of_a_tabbed_screen_shows_back_and_help_at_80_columns(
    make_app, key
) -> None:
    """At 80x24 the Loss curves footer read "g Loss / gradient  + Huber δ +  - Huber δ −
    ] Next tab  [ Previous": esc Back and ? Help were cut off. Paired keys now share one
    entry, as on the cheat sheet."""
    from quizapp.ui.screens.home import HomeScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await wait_until(pilot, lambda: not isinstance(app.screen, HomeScreen), what="the area")
        await wait_until(pilot, lambda: on_screen(app, "] [ Tab"), what="the footer")
        footer = screen_rows(app)[-1]
        assert "esc Back" in footer and "? Help" in footer, footer
        before = app.screen.query_one("TabbedContent").active  # type: ignore[attr-defined]
        await pilot.press("right_square_bracket")
        await wait_until(
            pilot,
            lambda: app.screen.query_one("TabbedContent").active != before,  # type: ignore[attr-defined]
            what="the next tab",
        )


async def test_the_plan_footer_shows_help_at_80_columns_and_r_still_refreshes(
    make_app, monkeypatch
) -> None:
    """At 80x24 the Plan's footer ended at "r Refresh  esc Back": "? Help" was cut off. Refresh
    (the plan is worked out again on every change anyway) is now only in help."""
    from quizapp.ui.screens.plan import PlanScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, PlanScreen), what="the Plan")
        await wait_until(pilot, lambda: on_screen(app, "esc Back"), what="the footer")
        footer = screen_rows(app)[-1]
        assert "f Fit FSRS to you" in footer and "? Help" in footer, footer
        screen = app.screen
        loads: list[object] = []
        real = screen.load
        monkeypatch.setattr(screen, "load", lambda: loads.append(real()))
        await pilot.press("r")
        await wait_until(pilot, lambda: loads, what="r to work the plan out again")


@pytest.mark.parametrize("key", list("szmdcprhvbi"))
async def test_every_areas_footer_ends_with_help_at_80_columns(make_app, key) -> None:
    """At 80x24 the footers of Loss curves, Plan and Browse ran past the palette key: "? Help"
    (and on Loss curves "esc Back") were cut off or gone. Every area whose keys are not typed
    into a box shows both."""
    from quizapp.ui.screens.home import HomeScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(key)
        await wait_until(pilot, lambda: not isinstance(app.screen, HomeScreen), what="the area")
        await wait_until(pilot, lambda: "esc" in screen_rows(app)[-1], what="the footer")
        footer = screen_rows(app)[-1].split("▏")[0]
        if isinstance(app.focused, Input | TextArea):
            return  # ? is typed into the box (a mock interview may open on a typed answer)
        assert footer.rstrip().endswith("? Help"), footer


async def test_the_palette_counts_one_flashcard_in_the_singular(make_app, shipped) -> None:
    """ctrl+p "Study tag: multi-task" said "1 flashcards tagged multi-task"."""
    from quizapp.decks.kinds import names
    from tests.ui.conftest import palette_search

    study = names(study=True)
    tag = next(t for t in shipped.tags if sum(c.kind in study for c in shipped.with_tag(t)) == 1)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        top = await palette_search(pilot, f"Study tag: {tag}")
        assert f"Study tag: {tag}" in top
        assert on_screen(app, f"1 flashcard tagged {tag}"), screen_rows(app)
