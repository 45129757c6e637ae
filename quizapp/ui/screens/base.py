"""A base screen with typed access to the app's services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from quizapp.ui.app import QuizApp


class QuizScreen(Screen[Any]):
    @property
    def quiz(self) -> QuizApp:
        return cast("QuizApp", self.app)
