"""Pilot fixtures: the real app over the real shipped decks and a real SQLite file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from quizapp.decks import Library
from quizapp.library import load_library
from quizapp.store import Store
from quizapp.ui.app import QuizApp

SIZE = (100, 30)


@pytest.fixture(scope="session")
def shipped() -> Library:
    library = load_library(include_user_decks=False)
    assert not library.errors
    return library


@pytest.fixture
def make_app(shipped: Library, quizapp_home: Path) -> Callable[..., QuizApp]:
    """A factory: each call opens the store in this test's data folder, as a restart would."""

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
