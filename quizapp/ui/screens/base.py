"""A base screen with typed access to the app's services."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from quizapp.ui.app import QuizApp


STYLES = Path(__file__).resolve().parent.parent / "styles"


def styles(name: str) -> Path:
    """A screen's own stylesheet in quizapp/ui/styles/ (loaded the first time it shows)."""
    return STYLES / f"{name}.tcss"


class QuizScreen(Screen[Any]):
    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)
