"""Content errors found at start-up, listed with file:line, instead of a crash."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from quizapp.decks import ContentError
from quizapp.ui.screens.base import styles


class ContentErrorsScreen(ModalScreen[None]):
    CSS_PATH = styles("modals")
    BINDINGS = [
        Binding("escape,enter", "dismiss", "Continue"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, errors: Sequence[ContentError]) -> None:
        super().__init__()
        self.errors = list(errors)

    def compose(self) -> ComposeResult:
        n = len(self.errors)
        with Vertical(id="errors-box") as box:
            box.border_title = f"{n} problem{'s' if n != 1 else ''} in the decks"
            yield Static(
                Text(
                    "These cards were skipped; everything else works. Fix the files, then run "
                    "'quizapp validate' to check them.",
                    style="dim",
                )
            )
            with VerticalScroll(id="errors-list"):
                for error in self.errors:
                    yield Static(Text(str(error)), classes="error-line")
            with Horizontal(id="errors-actions"):
                yield Button("Continue (enter)", id="continue", variant="primary")
                yield Button("Quit (q)", id="quit")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "quit":
            self.app.exit()
        else:
            self.dismiss()
