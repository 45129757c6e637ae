"""Home's footer (one line of text, not Textual's Footer): the same keys, and a click on one
presses it; the menu, its own panel: a click on a row opens it, on the border nothing."""

from __future__ import annotations

from collections.abc import Callable

from textual.command import CommandPalette

from quizapp.ui.app import QuizApp
from quizapp.ui.screens.help import HelpScreen
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.widgets.key_line import KeyLine
from quizapp.ui.widgets.menu import Menu
from tests.ui.conftest import SIZE, wait_until


def _line(app: QuizApp) -> tuple[KeyLine, str]:
    footer = app.screen.query_one(KeyLine)
    return footer, "".join(strip.text for strip in footer.render_lines(footer.region.reset_offset))


async def test_a_click_on_a_key_of_homes_footer_presses_it(
    make_app: Callable[[], QuizApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        footer, text = _line(app)
        assert footer.region.y == SIZE[1] - 1  # the bottom line
        assert text.startswith(" ? Help ") and text.rstrip().endswith("▏^p palette")
        await pilot.click(KeyLine, offset=(text.index("Help"), 0))
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        await pilot.click(KeyLine, offset=(text.index("palette"), 0))
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")
        await pilot.click(KeyLine, offset=(SIZE[0] // 2, 0))  # between the keys: nothing
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


async def test_a_click_on_the_menus_border_opens_nothing_and_on_a_row_opens_it(
    make_app: Callable[[], QuizApp],
) -> None:
    from quizapp.ui.screens.areas import AREAS

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        menu = app.screen.query_one(Menu)
        top, left = menu.gutter.top, menu.gutter.left
        assert top == 1 and left > 1  # the border, then the padding
        await pilot.click(Menu, offset=(left + 2, 0))  # the top border
        await pilot.click(Menu, offset=(1, top + 1))  # the padding beside the second row
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        await pilot.click(Menu, offset=(left + 2, top + 2))  # the third row
        await wait_until(pilot, lambda: not isinstance(app.screen, HomeScreen), what="an area")
        assert isinstance(app.screen, AREAS[2].screen_class())


def _background_of(footer: KeyLine, word: str) -> set[object]:
    """The background colours of the cells drawing ``word`` on the footer."""
    strip = footer.render_lines(footer.region.reset_offset)[0]
    out, x = set(), 0
    start = "".join(s.text for s in strip).index(word)
    for segment in strip:
        if x < start + len(word) and start < x + len(segment.text) and segment.style:
            out.add(segment.style.bgcolor)
        x += len(segment.text)
    return out


async def test_the_key_under_the_mouse_is_highlighted_as_on_textuals_footer(
    make_app: Callable[[], QuizApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        footer, text = _line(app)
        plain_help = _background_of(footer, "Help")
        plain_palette = _background_of(footer, "palette")
        await pilot.hover(KeyLine, offset=(text.index("Help"), 0))
        await wait_until(pilot, lambda: _background_of(footer, "Help") != plain_help, what="lit")
        assert _background_of(footer, "palette") == plain_palette  # only the key under it
        await pilot.hover(KeyLine, offset=(text.index("palette"), 0))
        await wait_until(pilot, lambda: _background_of(footer, "Help") == plain_help, what="unlit")
        assert _background_of(footer, "palette") != plain_palette
        await pilot.hover(Menu)  # the mouse leaves the footer: nothing is lit
        await wait_until(
            pilot, lambda: _background_of(footer, "palette") == plain_palette, what="unlit"
        )
