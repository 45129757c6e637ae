"""A base screen with typed access to the app's services."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import getters
from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from quizapp.ui.app import QuizApp


STYLES = Path(__file__).resolve().parent.parent / "styles"


# "] [ Tab" in the footer: the previous / next tab keys of the cheat sheet and the loss curves.
TAB = Binding.Group("Tab")


def styles(name: str) -> Path:
    """A screen's own stylesheet in quizapp/ui/styles/ (loaded the first time it shows)."""
    return STYLES / f"{name}.tcss"


def _quiz_app() -> type[QuizApp]:
    # Called as QuizScreen is defined (when this module is first imported); app.py imports no
    # screen at module level, so this makes no import loop.
    from quizapp.ui.app import QuizApp

    return QuizApp


class QuizScreen(Screen[Any]):
    # `self.app` typed as this app, so screens reach its services (library, store, queue) by name.
    app = getters.app(_quiz_app)

    def may_leave(self, what: str) -> bool:
        """Whether this screen may be closed for ``what`` ("open Stats", "quit"); one that may
        not says why and how to end it first."""
        return True

    def on_store_changed(self) -> None:
        """Another process (a 'quizapp' command, a sync, a browser tab) committed to the
        progress file: show what it changed. Screens that show progress override this."""
