"""Pilot fixtures: the real app over the real shipped decks and a real SQLite file."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerState

from quizapp.decks import Library
from quizapp.mathcheck.cards import gradient_problems
from quizapp.mathcheck.warm_worker import Checker
from quizapp.store import Store
from quizapp.ui.app import QuizApp

if TYPE_CHECKING:
    from quizapp.ui.screens.browse import BrowseScreen

SIZE = (100, 30)


@pytest.fixture(scope="session")
def shipped(shipped_and_cache: tuple[Library, Path]) -> Library:
    """The shipped decks, loaded once per test process (tests/shipped.py)."""
    library, _cache = shipped_and_cache
    return library


class _SharedChecker(Checker):
    """The real gradient checker, its worker process kept warm for every app of this test
    process over the shipped decks: an app's exit (``close``) leaves the worker running for the
    next app; the session ends it. (Each app starting its own worker cost a process and its
    warm-up, ~1 s of CPU, in every test that opens a quiz or a drill.)"""

    def close(self) -> None:
        pass

    def shut_down(self) -> None:
        super().close()


@pytest.fixture(scope="session")
def shared_checker(shipped: Library) -> Iterator[Checker]:
    checker = _SharedChecker(gradient_problems(shipped))
    yield checker
    checker.shut_down()


@pytest.fixture
def make_app(
    shipped: Library,
    quizapp_home: Path,
    shared_checker: Checker,
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[..., QuizApp]:
    """A factory: each call opens the store in this test's data folder, as a restart would.
    An app over the shipped decks checks gradients with this process's warm checker."""
    real = Checker.from_library

    def from_library(library: Library, **options: object) -> Checker:
        if library is shipped and not options:
            return shared_checker
        return real(library, **options)

    monkeypatch.setattr(Checker, "from_library", from_library)

    def make(library: Library | None = None, **kwargs: object) -> QuizApp:
        lib = library or shipped
        return QuizApp(lib, Store.open(), content_errors=lib.errors, **kwargs)  # type: ignore[arg-type]

    return make


def reopen_store() -> Store:
    """The progress file as the next run of the app would see it."""
    return Store.open()


def visible_text(widget: object) -> str:
    """The plain text a Static-based widget shows (Rich renderables rendered at its width)."""
    import io

    from rich.console import Console
    from rich.text import Text

    content = widget.content  # type: ignore[attr-defined]
    if isinstance(content, str):
        content = Text.from_markup(content)
    width = max(widget.size.width, 40)  # type: ignore[attr-defined]
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(content)
    return console.export_text()


# A failure bound, not a wait: a condition still false this long after it should have come true
# is a bug, whatever the load on the machine.
WAIT_LIMIT = 30.0


async def workers_done(app: App[object]) -> None:
    """Wait until every worker the app has started is finished. A worker cancelled because a
    newer one of its exclusive group replaced it (home's figures after a commit elsewhere) is
    finished too; a worker that failed still fails the test."""
    while running := [
        w for w in app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)
    ]:
        for outcome in await asyncio.gather(*(w.wait() for w in running), return_exceptions=True):
            if isinstance(outcome, BaseException) and not isinstance(outcome, WorkerCancelled):
                raise outcome


async def wait_until(
    pilot: Pilot[object], condition: Callable[[], object], *, what: str, limit: float = WAIT_LIMIT
) -> None:
    """Let the app run (``pilot.pause()``: until it is idle) until ``condition()`` is true;
    fail saying ``what`` was awaited if it is not within ``limit`` seconds."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {limit:.0f} s for {what}")
        await pilot.pause()


async def browser_with_rows(pilot: Pilot[object]) -> BrowseScreen:
    """Browse opened from Home (b), once its rows are read: the screen."""
    from quizapp.ui.screens.browse import BrowseScreen

    await pilot.press("b")
    screen = pilot.app.screen
    assert isinstance(screen, BrowseScreen)
    await wait_until(pilot, lambda: screen.shown, what="the rows")
    return screen


async def home_figures_shown(pilot: Pilot[object]) -> None:
    """Home's figures (and, on a cold start, the decks) come from a worker after the first
    frame: wait until the Today panel shows them, worked out with the app's current plan."""
    from quizapp.ui.screens.home import HomeScreen

    app = pilot.app
    assert isinstance(app, QuizApp)

    def shown() -> bool:
        screen = app.screen
        figures = screen.figures if isinstance(screen, HomeScreen) else None
        return figures is not None and figures.guide is app.guide

    await wait_until(pilot, shown, what="home's figures")


@pytest.fixture
def notices(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A spy on ``App.notify``: every message the app raised as a toast, in order (the toasts
    themselves stay real)."""
    seen: list[str] = []
    real = App.notify

    def spy(self: App[object], message: str, *args: object, **kwargs: object) -> None:
        seen.append(str(message))
        real(self, message, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "notify", spy)
    return seen


async def palette_search(pilot: Pilot[object], text: str) -> str:
    """Open the command palette, search for ``text`` and wait for the search to finish; the
    prompt of the hit on top ("" when nothing matched)."""
    from textual.command import CommandInput, CommandList, CommandPalette

    app = pilot.app
    await pilot.press("ctrl+p")
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    palette = app.screen
    hits = palette.query_one(CommandList)
    # The palette lists the hits of nothing first, then searches for ``text`` in a worker and
    # puts in new hits (in batches) as it goes: done once new hits are in and no search runs.
    await wait_until(pilot, lambda: palette.has_class("-ready"), what="the palette's first list")
    # (The old options are kept alive here, so no new one can take an old one's id.)
    before = [hits.get_option_at_index(i) for i in range(hits.option_count)]
    palette.query_one(CommandInput).value = text

    def searched() -> bool:
        old = {id(option) for option in before}
        shown = {id(hits.get_option_at_index(i)) for i in range(hits.option_count)}
        searching = any(w.node is palette and not w.is_finished for w in app.workers)
        return bool(shown) and not shown & old and not searching

    await wait_until(pilot, searched, what=f"the search for {text!r}")
    top = hits.highlighted_option
    return str(top.prompt) if top is not None else ""
