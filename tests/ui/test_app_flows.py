"""The rest of the app's flows: checklist, palette, theme, settings, help, errors, quitting."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from quizapp.content import load_library
from quizapp.decks.kinds import names, quiz_kinds
from quizapp.ui.screens.cheatsheet import CheatSheetScreen
from quizapp.ui.screens.checklist import ChecklistScreen
from quizapp.ui.screens.errors import ContentErrorsScreen
from quizapp.ui.screens.help import HelpScreen
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.screens.settings import SettingsScreen
from quizapp.ui.screens.study import StudyScreen
from tests.ui.conftest import (
    SIZE,
    palette_search,
    reopen_store,
    visible_text,
    wait_until,
    workers_done,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


async def test_a_ticked_checklist_item_is_still_ticked_after_a_restart(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.press("down", "down", "space")  # item 3
        await pilot.pause()
        assert "[x] 3." in visible_text_of_items(app)
    assert set(reopen_store().ticks()) == {3}
    again = make_app()
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        assert "[x] 3." in visible_text_of_items(again)
        total = len(again.library.checklist)  # both decks' items
        assert f"1 of {total} ticked" in visible_text(again.screen.query_one("#checklist-summary"))
        await pilot.press("down", "down", "space")  # untick
        await pilot.pause()
    assert reopen_store().ticks() == {}


def visible_text_of_items(app) -> str:
    items = app.screen.query_one("#items")
    return "\n".join(str(items.get_option_at_index(i).prompt) for i in range(items.option_count))


async def test_checklist_studies_an_items_cards_and_quizzes_its_questions(
    make_app, shipped
) -> None:
    from quizapp.ui.screens.quiz import QuizRunScreen

    item = next(i for i in shipped.checklist if i.number == 3)
    cards = [i for i in item.links if shipped.cards[i].kind in names(study=True)]
    practice = [i for i in item.links if shipped.cards[i].kind in quiz_kinds()]
    assert cards and practice
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "down", "down", "p")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert screen.session.total == len(cards)
        assert screen.session.current.id == cards[0]
        await pilot.press("escape", "z")
        await pilot.pause()
        assert isinstance(app.screen, QuizRunScreen)
        assert [q.item_id for q in app.screen.session.questions] == practice


async def test_the_palette_jumps_to_a_card_by_its_words(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert await palette_search(pilot, "minimize the validation loss")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StudyScreen), what="the card")
        screen = app.screen
        card = screen.session.current
        assert card is not None
        assert "validation" in card.search_text().lower()


async def test_the_palette_starts_a_session_on_a_tag(make_app, shipped) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert "outliers" in await palette_search(pilot, "Study tag: outliers")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StudyScreen), what="the session")
        screen = app.screen
        assert "outliers" in screen.session.current.tags


async def test_the_chosen_theme_is_remembered(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await pilot.pause()
    assert reopen_store().settings.theme == "nord"
    again = make_app()
    async with again.run_test(size=SIZE):
        assert again.theme == "nord"


async def test_settings_refuse_bad_input_with_one_line_and_save_good_input(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("o")
        assert isinstance(app.screen, SettingsScreen)
        retention = app.screen.query_one("#retention")
        retention.value = "1.5"
        await pilot.press("ctrl+s")
        await pilot.pause()
        error = visible_text(app.screen.query_one("#settings-error")).strip()
        assert error == "retention 1.5 must be from 0.70 to 0.99 (e.g. 0.9)"
        assert reopen_store().settings.desired_retention == 0.9
        retention.value = "0.85"
        await pilot.pause()
        # Fixed: the stale error goes as the learner types.
        assert not visible_text(app.screen.query_one("#settings-error")).strip()
        # The labels give the ranges the parser (and the CLI) accept.
        labels = " ".join(str(label.content) for label in app.screen.query("Label"))
        assert "(0.70-0.99)" in labels and "(0-1000)" in labels
        day = date.today() + timedelta(days=12)
        app.screen.query_one("#interview-date").value = day.isoformat()
        app.screen.query_one("#new-per-day").value = "15"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert "in 12 days" in visible_text(app.screen.query_one("#today"))
    saved = reopen_store().settings
    assert (saved.desired_retention, saved.interview_date, saved.new_per_day) == (0.85, day, 15)


async def test_help_lists_the_bindings_of_every_screen(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(visible_text(s) for s in app.screen.query("Static"))
        expected = ("Show answer", "Undo", "Tick / untick", "Study its cards", "Quiz it",
                    "ctrl+p", "Search", "Save", "Hint", "Retry the missed", "Another")  # fmt: skip
        for words in expected:
            assert words in text, words
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_q_quits_on_home_but_types_into_the_search_box(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        assert isinstance(app.screen, CheatSheetScreen)
        await pilot.press("slash", "q", "u", "a")
        assert app.screen.query_one("#search").value == "qua"
        assert app.is_running
        await pilot.press("escape", "escape")  # clear the search, then leave
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_cheat_sheet_filters_by_search_words(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        sheet = app.screen.query_one("#sheet-table")
        full = visible_text(sheet)
        assert "Huber" in full and "Imbalance" in full
        app.screen.query_one("#search").value = "outliers"
        await pilot.pause()
        filtered = visible_text(sheet)
        assert "Outliers (regression)" in filtered and "Imbalance" not in filtered


async def test_a_broken_deck_shows_the_error_screen_and_the_rest_still_works(make_app) -> None:
    library = load_library([FIXTURES / "broken", FIXTURES / "good"], include_user_decks=False)
    app = make_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ContentErrorsScreen)
        lines = [visible_text(s).strip() for s in app.screen.query(".error-line")]
        assert len(lines) == len(library.errors) >= 14
        expected = "04-cards.yaml:2: card 'trap-missing': missing field 'example'"
        assert any(expected in line for line in lines)
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("s")
        assert app.screen.session.current is not None


async def test_a_damaged_progress_file_is_recovered_with_a_notice(
    make_app, quizapp_home, notices
) -> None:
    first = make_app()
    async with first.run_test(size=SIZE) as pilot:
        await pilot.press("s", "space", "3")
        await pilot.pause()
    # The session backup holds that review; now the live file is wrecked.
    (quizapp_home / "progress.db").write_bytes(b"this is not a database" * 100)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: notices, what="the recovery notice")
        assert any("damaged" in n or "restored" in n for n in notices), notices
        assert all("\n" not in n for n in notices)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("s", "space", "3")  # studying goes on
        await pilot.pause()
    assert len(reopen_store().reviews()) == 2  # the restored review plus the new one
    (moved,) = quizapp_home.glob("progress.db.damaged-*")  # moved aside, never deleted
    assert moved.read_bytes().startswith(b"this is not a database")


def test_the_first_frame_needs_neither_sympy_nor_numpy(quizapp_home) -> None:
    """Start-up stays light: the home screen draws without the maths libraries."""
    import subprocess
    import sys

    code = (
        "import asyncio, sys\n"
        "from quizapp.commands.common import library_from_args\n"
        "from quizapp.store import Store\n"
        "from quizapp.ui.app import QuizApp\n"
        "import argparse\n"
        "lib = library_from_args(argparse.Namespace(content=[]), strict=False)\n"
        "async def main():\n"
        "    app = QuizApp(lib, Store.open())\n"
        "    async with app.run_test(size=(100, 30)) as pilot:\n"
        "        await pilot.pause()\n"
        "        print(sorted(m for m in ('sympy', 'numpy', 'yaml') if m in sys.modules))\n"
        "asyncio.run(main())\n"
    )
    # The data folder holds the shipped decks' cache (tests/conftest.py), as after a first start.
    assert (quizapp_home / "cache" / "decks.json").is_file()
    run = [sys.executable, "-c", code]
    out = subprocess.run(run, check=True, capture_output=True, text=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


async def test_the_home_menu_works_with_arrows_and_with_the_mouse(make_app) -> None:
    from quizapp.ui.screens.quiz import QuizSetupScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("down", "enter")  # the second row: Traps
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen) and app.screen.session_title == "Traps"
        await pilot.press("escape")
        await pilot.click("#menu", offset=(4, 3))  # below the border: the third row, Quiz
        await pilot.pause()
        assert isinstance(app.screen, QuizSetupScreen)


async def test_the_title_bar_shows_a_read_only_warning(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.sub_title = "read-only: progress is not being saved"
        await pilot.pause()
        bar = app.screen.query_one("TitleBar")
        assert "read-only" in str(bar.render())


def test_esc_is_labelled_back_on_every_screen() -> None:
    """One rule: esc goes back one step, so no footer promises "Home" (which esc may not be)."""
    from quizapp.ui.screens.help import all_binding_tables

    for title, bindings in all_binding_tables():
        for binding in bindings:
            if "escape" in binding.key.split(","):
                assert binding.description != "Home", title


async def test_esc_goes_back_one_step_from_a_screen_opened_from_another(make_app) -> None:
    from quizapp.ui.screens.checklist import ChecklistScreen
    from quizapp.ui.screens.stats import StatsScreen
    from quizapp.ui.screens.study import StudyScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", "p")  # the checklist's first item: study its cards
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        await pilot.press("escape", "i")
        await workers_done(app)
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)


async def test_cheat_sheet_tabs_switch_by_key_and_search_covers_every_tab(make_app) -> None:
    from textual.widgets import TabbedContent

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h")
        sheets = app.screen.query_one("#sheets", TabbedContent)
        assert sheets.active == "sheet"
        await pilot.press("right_square_bracket")
        assert sheets.active == "comparison"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert sheets.active == "pitch"
        await pilot.press("3")
        assert sheets.active == "formulas"
        await pilot.press("1")
        # A word found only in formulas: the sheet tab has none, so the formulas show, and each
        # tab says how many matches it holds.
        await pilot.press("slash", *"gamma")
        await pilot.pause()
        assert sheets.active in ("comparison", "formulas")
        labels = [str(sheets.get_tab(t).label) for t in ("sheet", "formulas")]
        assert labels[0].endswith("(0)") and not labels[1].endswith("(0)")


async def test_loss_curves_offer_the_huber_keys_on_the_huber_tab_only(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        screen = app.screen
        shown = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "delta(1)" in shown
        before = screen.delta
        await pilot.press("2")  # BCE
        await pilot.pause()
        shown = {b.binding.action for b in screen.active_bindings.values() if b.enabled}
        assert "delta(1)" not in shown
        await pilot.press("plus")
        assert screen.delta == before
        assert "Huber" not in visible_text(screen.query_one("#curves-status"))


async def test_a_plan_worked_out_while_the_app_closes_is_dropped_quietly(make_app) -> None:
    """The plan comes from a worker; when it lands as the app closes (home's widgets, or every
    screen, already gone) the app ends cleanly instead of raising (run_test re-raises)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await workers_done(app)
        await app.screen.query_one("#today").remove()  # home half torn down
        app.post_message(app.PlanReady())
        await pilot.pause()
        assert app.is_running


async def test_esc_in_the_cheat_sheet_search_gives_the_keys_back(make_app) -> None:
    from textual.widgets import TabbedContent

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("h", "slash", *"huber", "escape")
        screen = app.screen
        search = screen.query_one("#search")
        assert search.value == "" and screen.focused is not search
        tabs = screen.query_one("#sheets", TabbedContent)
        before = tabs.active
        await pilot.press("right_square_bracket")  # ] switches the tab, typed nowhere
        assert tabs.active != before and search.value == ""
        await pilot.press("slash", "x")  # / searches again
        assert search.value == "x"
