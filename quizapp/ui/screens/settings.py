"""Settings: desired retention, interview date, new cards per day, theme."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Select, Static

from quizapp.settings import (
    NEW_PER_DAY_RANGE,
    RETENTION_RANGE,
    SettingsError,
    parse_settings,
)
from quizapp.ui.screens.base import QuizScreen, styles
from quizapp.ui.widgets.title_bar import TitleBar


class SettingsScreen(QuizScreen):
    CSS_PATH = styles("settings")

    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Back"),
    ]

    _shown: dict[str, str]

    def shown_values(self) -> dict[str, str]:
        """The text each field shows for the stored settings."""
        settings = self.app.store.settings
        return {
            "retention": f"{settings.desired_retention:g}",
            "interview-date": settings.interview_date.isoformat()
            if settings.interview_date
            else "",
            "new-per-day": str(settings.new_per_day),
        }

    def on_store_changed(self) -> None:
        """Another process saved settings: show them in every field the learner has not
        edited here (an edit in progress is never overwritten)."""
        before, self._shown = self._shown, self.shown_values()
        for key, text in self._shown.items():
            field = self.query_one(f"#{key}", Input)
            if field.value == before[key] and text != before[key]:
                field.value = text

    def __init__(self, *, focus: str | None = None) -> None:
        """``focus``: the id of the field to start in (the Plan's "Set date" starts in the
        interview date); the first field otherwise."""
        super().__init__()
        self.start_in = focus
        self.theme_before: str | None = None

    def on_mount(self) -> None:
        self.theme_before = self.app.theme
        if self.start_in:
            self.query_one(f"#{self.start_in}", Input).focus()

    def compose(self) -> ComposeResult:
        settings = self.app.store.settings
        self._shown = self.shown_values()
        yield TitleBar()
        with Vertical(id="settings-box", classes="panel") as box:
            box.border_title = "Settings"
            with Grid(id="settings-grid"):
                # The ranges come from the one parser the CLI uses too.
                low, high = RETENTION_RANGE
                yield Label(f"Desired retention ({low:.2f}-{high:.2f})")
                yield Input(f"{settings.desired_retention:g}", id="retention")
                yield Label("Interview date (YYYY-MM-DD, empty for none)")
                yield Input(
                    settings.interview_date.isoformat() if settings.interview_date else "",
                    placeholder="e.g. 2026-12-20",
                    id="interview-date",
                )
                yield Label("New cards per day ({}-{})".format(*NEW_PER_DAY_RANGE))
                yield Input(str(settings.new_per_day), id="new-per-day")
                yield Label("Theme")
                yield Select(
                    [(name, name) for name in sorted(self.app.available_themes)],
                    value=self.app.theme,
                    allow_blank=False,
                    id="theme",
                )
            yield Static(id="settings-error")
            with Horizontal(id="settings-actions"):
                yield Button("Save (ctrl+s)", id="save", variant="primary")
                yield Button("Cancel (esc)", id="cancel")
        yield Footer()

    def on_input_changed(self, event: Input.Changed) -> None:
        # An error about the old text no longer applies once the learner edits.
        self.query_one("#settings-error", Static).update("")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "theme" and isinstance(event.value, str):
            self.app.theme = event.value  # previews at once; the app remembers the choice

    def action_save(self) -> None:
        error = self.query_one("#settings-error", Static)
        try:
            settings = parse_settings(
                self.app.store.settings,
                retention=self.query_one("#retention", Input).value,
                interview_date=self.query_one("#interview-date", Input).value,
                new_per_day=self.query_one("#new-per-day", Input).value,
            )
        except SettingsError as exc:
            error.update(f"[b red]{exc.message}[/]")
            return
        self.app.store.save_settings(settings)
        self.notify("Settings saved.", timeout=2)
        self.dismiss()

    def action_cancel(self) -> None:
        """Leave without saving: a theme only previewed here is put back (Cancel kept the last
        theme the list showed, and saved it)."""
        if self.theme_before is not None and self.app.theme != self.theme_before:
            self.app.theme = self.theme_before
        self.dismiss()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()
