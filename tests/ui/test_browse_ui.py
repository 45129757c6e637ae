"""The card browser in the real app: search as you type, sort, suspend, bury, reset and undo,
the info pane, at 80x24 and 200x50, by keyboard alone."""

from __future__ import annotations

import pytest
from fsrs import Rating
from textual.widgets import Input

from quizapp.ui.screens.browse import BrowseScreen
from quizapp.ui.widgets.card_table import CardTable
from tests.ui.conftest import reopen_store, visible_text, wait_until, workers_done


async def open_browser(pilot) -> BrowseScreen:
    await pilot.press("b")
    screen = pilot.app.screen
    assert isinstance(screen, BrowseScreen)
    await workers_done(pilot.app)
    await pilot.pause()
    assert screen.loaded
    return screen


async def info_of(pilot, screen: BrowseScreen) -> str:
    """The info pane's text once it shows the highlighted card (it is drawn when typing
    pauses)."""
    table = screen.query_one(CardTable)
    for _ in range(2000):
        want = screen.shown[table.cursor_row].card.id if screen.shown else None
        if screen.info_for == want and screen._info_timer is None:
            return info(screen)
        await pilot.pause()
    raise AssertionError(f"the info pane never showed {want}")


def status(screen: BrowseScreen) -> str:
    return " ".join(visible_text(screen.query_one("#browse-status")).split())


def info(screen: BrowseScreen) -> str:
    return " ".join(visible_text(screen.query_one("#browse-info")).split())


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_search_as_you_type_narrows_the_table(make_app, shipped, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_browser(pilot)
        table = screen.query_one(CardTable)
        assert table.row_count == len(shipped.cards)
        assert f"{len(shipped.cards)} of {len(shipped.cards)} cards" in status(screen)
        await pilot.press("slash", *"kind:trap")
        traps = sum(1 for c in shipped.cards.values() if c.kind == "trap")
        assert table.row_count == traps
        assert f"{traps} of {len(shipped.cards)} cards" in status(screen)
        await pilot.press("enter")  # back to the table
        assert table.has_focus
        await pilot.press("down")
        assert screen.shown[table.cursor_row].card.title in await info_of(pilot, screen)


async def test_keys_typed_in_one_burst_after_slash_all_reach_the_search_box(make_app) -> None:
    """A paste (or tmux send-keys) posts every key before the app handles the first: none of
    them may reach the table ("b" would bury the highlighted card)."""
    from textual import events

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        first = screen.shown[0].card.id
        for ch in "/is:new b/x":
            app.post_message(events.Key("slash" if ch == "/" else ch, ch))
        search = screen.query_one(Input)
        for _ in range(2000):
            if search.value == "is:new b/x":
                break
            await pilot.pause()
        assert search.value == "is:new b/x" and search.has_focus
        flags = reopen_store().card_flags().get(first)
        assert flags is None or flags.buried_until is None


async def test_a_typo_in_a_filter_is_named_and_keeps_the_last_rows(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("slash", *"is:wea")
        assert "unknown 'is:wea'" in status(screen)
        await pilot.press("k")
        assert "unknown" not in status(screen)
        assert all(r.weak for r in screen.shown)


async def test_suspend_from_the_browser_leaves_study(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("slash", *"kind:trap trap-mse-everywhere", "enter")
        assert [r.card.id for r in screen.shown] == ["trap-mse-everywhere"]
        await pilot.press("s")
        await workers_done(app)
        await pilot.pause()
        assert screen.shown[0].suspended
        assert "1 suspended" in status(screen)
        assert reopen_store().hidden_ids() == {"trap-mse-everywhere"}
        queue = app.queue()
        assert "trap-mse-everywhere" not in queue.next(limit=500)


async def test_sorting_by_key_and_reverse(make_app) -> None:
    app = make_app()
    with reopen_store() as store:
        for _ in range(3):
            store.record_review("faq-mse-for-classification", Rating.Again, kind="faq")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_browser(pilot)
        while screen.sort_column != "reviews":
            await pilot.press("o")
        assert screen.shown[-1].card.id == "faq-mse-for-classification"
        await pilot.press("O")  # most reviews first
        assert screen.sort_reverse
        assert screen.shown[0].card.id == "faq-mse-for-classification"
        assert screen.shown[0].reviews == 3
        assert "Revs ▼" in str(screen.query_one(CardTable).columns["reviews"].label)


async def test_reset_is_undoable_and_history_stays(make_app) -> None:
    app = make_app()
    with reopen_store() as store:
        store.record_review("trap-mse-everywhere", Rating.Easy, kind="trap")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("slash", *"kind:trap trap-mse-everywhere", "enter")
        shown = await info_of(pilot, screen)
        assert "Easy" in shown and "1 review · 0 lapses" in shown  # one review, not "1 reviews"
        await pilot.press("x")
        await workers_done(app)
        await pilot.pause()
        assert not screen.shown[0].scheduled
        assert reopen_store().card_state("trap-mse-everywhere") is None
        assert "Easy" in await info_of(pilot, screen)  # the history is kept
        await pilot.press("u")
        await workers_done(app)
        await pilot.pause()
        assert screen.shown[0].scheduled
        assert reopen_store().card_state("trap-mse-everywhere") is not None


async def test_escape_leaves_the_search_box_then_the_browser(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("slash")
        assert screen.query_one(Input).has_focus
        await pilot.press("escape")
        assert screen.query_one(CardTable).has_focus and app.screen is screen
        await pilot.press("escape")
        assert app.screen is not screen


async def test_a_card_suspended_from_the_shell_shows_in_the_open_browser(make_app) -> None:
    from tests.helpers import run_quizapp

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browser(pilot)
        await pilot.press("slash", *"kind:trap trap-mse-everywhere", "enter")
        assert not screen.shown[0].suspended
        done = run_quizapp("suspend", "trap-mse-everywhere")
        assert done.returncode == 0, done.stderr
        for _ in range(3000):  # the app notices the commit (PRAGMA data_version) and reloads
            if screen.shown and screen.shown[0].suspended:
                break
            await pilot.pause()
        assert screen.shown[0].suspended
        assert "1 suspended" in status(screen)


def drawn(table: CardTable) -> list[str]:
    """The table's lines as it draws them on screen, the header first."""
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_the_last_row_is_reached_by_keyboard_and_drawn(make_app, shipped, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_browser(pilot)
        table = screen.query_one(CardTable)
        assert len(shipped.cards) > 300  # the browser only draws the rows on screen
        await pilot.press("pagedown")
        page = table.cursor_row
        assert 5 < page < len(shipped.cards) - 1
        assert screen.shown[page].card.title[:12] in "\n".join(drawn(table))
        await pilot.press("end")
        last = screen.shown[-1]
        assert table.cursor_row == len(shipped.cards) - 1
        lines = drawn(table)
        assert last.card.title[:12] in lines[-1]  # the last row is drawn at the bottom
        assert "Card" in lines[0]  # under the header, which stays
        assert last.card.title in await info_of(pilot, screen)
        await pilot.press("up")
        assert screen.shown[-2].card.title in await info_of(pilot, screen)
        await pilot.press("home")
        assert table.cursor_row == 0
        assert screen.shown[0].card.title[:12] in drawn(table)[1]


async def test_a_sort_redraws_the_rows_on_screen(make_app) -> None:
    app = make_app()
    with reopen_store() as store:
        for _ in range(4):
            store.record_review("trap-mse-everywhere", Rating.Again, kind="trap")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_browser(pilot)
        table = screen.query_one(CardTable)
        await pilot.press("end")  # the cursor's card stays highlighted through a sort
        kept = screen.shown[-1].card.id
        while screen.sort_column != "reviews":
            await pilot.press("o")
        await pilot.press("O")  # most reviews first
        assert screen.shown[0].card.id == "trap-mse-everywhere"
        assert screen.shown[table.cursor_row].card.id == kept  # still highlighted, on screen
        assert screen.shown[table.cursor_row].card.title[:12] in "\n".join(drawn(table))
        await pilot.press("home")
        header, first = drawn(table)[:2]
        assert "Revs ▼" in header
        assert screen.shown[0].card.title[:12] in first and " 4 " in first


async def test_clicking_a_header_sorts_by_it_and_again_reverses(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_browser(pilot)
        table = screen.query_one(CardTable)
        x = drawn(table)[0].index("Revs")
        await pilot.click(CardTable, offset=(x, 0))
        assert (screen.sort_column, screen.sort_reverse) == ("reviews", False)
        assert "Revs ▲" in drawn(table)[0]
        await pilot.click(CardTable, offset=(x, 0))
        assert (screen.sort_column, screen.sort_reverse) == ("reviews", True)
        reviews = [r.reviews for r in screen.shown]
        assert reviews == sorted(reviews, reverse=True)
        await pilot.click(CardTable, offset=(x, 3))  # a row: the cursor goes there
        assert table.cursor_row == 2
        assert screen.shown[2].card.title in await info_of(pilot, screen)


@pytest.mark.parametrize("size", [(200, 50), (170, 40), (140, 40)])
async def test_beside_the_card_pane_titles_get_room_when_there_is_some(
    make_app, shipped, size
) -> None:
    """At 200 columns every column shows and a title of 36 characters with it (it was cut at
    16 while the card pane took 90 columns); the pane keeps at least its least width."""
    from quizapp.ui.screens.browse import CARD_TITLE, INFO_MIN

    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_browser(pilot)
        table = screen.query_one(CardTable)
        pane = screen.query_one("#browse-info-scroll")
        await wait_until(
            pilot, lambda: table.size.width and pane.size.width, what="the browser laid out"
        )
        widths = table._widths(table.scrollable_content_region.width)
        # (outer widths: the pane's padding and border, the table's margins included)
        before = size[0] - size[0] * 55 // 100 - 4  # the pane's width when the table took 55%
        assert pane.outer_size.width >= min(INFO_MIN, before)
        assert table.outer_size.width >= size[0] * 55 // 100
        if size[0] >= 200:
            assert widths[0] >= CARD_TITLE and table.virtual_size.width <= table.size.width
            long = next(c for c in shipped.cards.values() if len(c.title) > 30)
            await pilot.press("slash", *long.id)
            await pilot.press("enter")
            await pilot.pause()
            row = screen.shown[0]
            assert row.card.id == long.id
            assert long.title[:30] in table.render_line(1).text
