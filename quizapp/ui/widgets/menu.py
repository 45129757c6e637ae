"""The home screen's menu: one widget that draws every row as text.

An OptionList would do, but it is a tree of per-option renders on the way to the first frame;
this keeps the same keys (up/down/j/k/home/end/enter) and mouse (hover, click) for a fraction of
the cost."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class Menu(Widget, can_focus=True):
    COMPONENT_CLASSES = {"menu--highlight"}
    BINDINGS = [
        Binding("up,k", "move(-1)", "Up", show=False),
        Binding("down,j", "move(1)", "Down", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    highlighted: reactive[int] = reactive(0)

    class Selected(Message):
        """A row was chosen (enter or a click); ``name`` is its id."""

        def __init__(self, menu: Menu, name: str) -> None:
            super().__init__()
            self.menu = menu
            self.name = name

    def __init__(
        self,
        rows: Sequence[tuple[str, Text, Text]],
        *,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """``rows``: (name, prompt, short prompt); the short one shows where the prompt would
        not fit, so a description is never cut mid-word."""
        super().__init__(id=id, classes=classes)
        self.rows = list(rows)

    def render(self) -> Text:
        width = max(self.size.width, 1)
        highlight = self.get_component_rich_style("menu--highlight")
        lines = []
        for i, (_name, prompt, short) in enumerate(self.rows):
            line = (prompt if prompt.cell_len <= width else short).copy()
            line.truncate(width, overflow="ellipsis", pad=True)
            if i == self.highlighted and self.has_focus:
                line.stylize(highlight)
            lines.append(line)
        return Text("\n").join(lines)

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self.rows)

    def watch_highlighted(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, step: int) -> None:
        self.highlighted = (self.highlighted + step) % len(self.rows)

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(self.rows) - 1

    def action_select(self) -> None:
        self.post_message(self.Selected(self, self.rows[self.highlighted][0]))

    def _row_at(self, event: events.MouseEvent) -> int | None:
        """The row under the pointer (None over the border, the padding or below the rows)."""
        offset = event.get_content_offset(self)
        if offset is None or not 0 <= offset.y < len(self.rows):
            return None
        return offset.y

    def on_mouse_move(self, event: events.MouseMove) -> None:
        row = self._row_at(event)
        if row is not None:
            self.highlighted = row

    def on_click(self, event: events.Click) -> None:
        row = self._row_at(event)
        if row is not None:
            self.highlighted = row
            self.action_select()
