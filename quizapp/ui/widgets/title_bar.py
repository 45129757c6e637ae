"""A one-line title bar: the app's title and subtitle (e.g. a read-only warning).

Textual's Header is three widgets and a clock slot; this is one line of text, which matters on
the way to the first frame. A click opens the command palette, as the Header's icon does."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.widget import Widget

# The icon (a click on it, or anywhere on the bar, opens the command palette): "≡", a menu, which
# every common monospace font draws (it is in WGL4: Consolas, Courier New, Menlo, DejaVu Sans
# Mono, Liberation Mono), so it shows in a browser's terminal too (the old "⭘" did not).
ICON = "≡"


class TitleBar(Widget):
    def on_mount(self) -> None:
        self.watch(self.app, "title", self._changed, init=False)
        self.watch(self.app, "sub_title", self._changed, init=False)

    def _changed(self) -> None:
        self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f" {ICON} ", style="bold")
        text.append(self.app.title, style="bold")
        if self.app.sub_title:
            text.append(f" — {self.app.sub_title}", style="dim")
        return text

    def on_click(self, event: events.Click) -> None:
        self.app.action_command_palette()
