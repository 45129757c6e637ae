"""One registry of areas (quizapp/ui/screens/areas.py): every area is reachable from the home
screen (its key and its menu row), from the help screen (which lists exactly the registry) and from
the command palette, and each opens the screen the registry names."""

from __future__ import annotations

import pytest
from textual.screen import Screen

from quizapp.ui.screens.areas import AREAS
from quizapp.ui.screens.help import HelpScreen, all_binding_tables
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.widgets.menu import Menu
from tests.ui.conftest import SIZE, palette_search, visible_text, wait_until


async def back_home(app, pilot) -> None:
    while len(app.screen_stack) > 1:
        await app.pop_screen()
    await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), what="home")


def opened(app, area) -> bool:
    screen = app.screen
    # Traps is a study session over the trap cards: the same screen as Study, its own title.
    title = getattr(screen, "session_title", area.title)
    # Cram's title says what it is: "Cram — does not change your schedule".
    return isinstance(screen, area.screen_class()) and (
        title in (area.title, "Study") or title.startswith(f"{area.title} —")
    )


def test_the_registry_has_one_key_and_one_name_per_area_and_each_screen_loads() -> None:
    assert AREAS
    keys = [a.key for a in AREAS]
    assert len(set(keys)) == len(keys), keys
    assert len({a.name for a in AREAS}) == len(AREAS)
    # q closes help and quits from home, ? opens help: no area may take them.
    assert not set(keys) & {"q", "question_mark", "escape"}
    for area in AREAS:
        assert len(area.key) == 1 and len(area.short) <= 20, area
        for screen in area.help_screens():
            assert issubclass(screen, Screen), area
        if area.build:
            assert callable(getattr(area.screen_class(), area.build)), area


# One test per area (xdist runs them side by side): its key on home, then its menu row.
@pytest.mark.parametrize("area", AREAS, ids=[a.name for a in AREAS])
async def test_an_area_opens_from_home_by_its_key_and_by_its_menu_row(make_app, area) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        menu = app.screen.query_one(Menu)
        assert [row[0] for row in menu.rows] == [a.name for a in AREAS]
        await pilot.press(area.key)
        await wait_until(pilot, lambda: opened(app, area), what=f"{area.name} by its key")
        await back_home(app, pilot)
        menu = app.screen.query_one(Menu)
        menu.focus()
        menu.highlighted = AREAS.index(area)
        await pilot.press("enter")
        await wait_until(pilot, lambda: opened(app, area), what=f"{area.name} by its menu row")
        await back_home(app, pilot)


def help_keys(app) -> dict[str, str]:
    """What each key does on the help screen, as Textual resolves it."""
    return {key: b.binding.action for key, b in app.screen.active_bindings.items()}


async def test_help_lists_exactly_the_registry_and_each_key_opens_its_area(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = visible_text(app.screen.query_one("#help-areas")).strip().splitlines()
        rows = [line.split(maxsplit=1) for line in lines[1:]]  # under the table's title
        assert [(key, rest.split("  ")[0].strip()) for key, rest in rows] == [
            (a.key, a.title) for a in AREAS
        ]
        for area in AREAS:
            assert area.description in " ".join(lines)
            assert help_keys(app)[area.key] == f"open('{area.name}')"
        # Opening from help goes over home, not over help (every area alike: two of them here).
        for area in (AREAS[-1], AREAS[0]):
            await back_home(app, pilot)
            await pilot.press("question_mark")
            await pilot.press(area.key)
            await wait_until(pilot, lambda a=area: opened(app, a), what=f"{area.name} from help")
            assert len(app.screen_stack) == 2


def test_help_has_one_section_of_keys_per_area() -> None:
    titles = [title for title, _bindings in all_binding_tables()]
    for area in AREAS:
        assert sum(area.title in t.split(" and ") for t in titles) == 1, area.title
    for title, bindings in all_binding_tables():
        assert any(b.description for b in bindings), title


@pytest.mark.parametrize("area", AREAS, ids=[a.name for a in AREAS])
async def test_an_area_is_found_in_the_command_palette_and_opens_from_it(make_app, area) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert f"Open {area.title}" in await palette_search(pilot, f"Open {area.title}")
        await pilot.press("enter")
        await wait_until(pilot, lambda: opened(app, area), what=f"{area.name} from the palette")
        await back_home(app, pilot)


async def test_help_opens_from_the_command_palette(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert "Open Help" in await palette_search(pilot, "Open Help")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
