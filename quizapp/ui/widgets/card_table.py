"""A table that draws only the rows on screen (Textual's Line API, as its Log and DataTable do).

The card browser shows every card (hundreds of rows) and redraws on each keystroke of its
search. Textual's DataTable measures every cell of every row it is given and keeps its own copy
of them, which costs tens of milliseconds per redraw; this table keeps no copy: it is given the
row count and a function that makes one row's cells, and asks for the rows on screen only.

Columns have fixed widths, except one (``width=None``) that takes what the widget's width leaves
(at least ``min_width``), so nothing is measured. A cell is a str or a one-style Text (its
spans are not drawn), cut to its width with an ellipsis. Line 0 is the header (clicking a
header posts ``HeaderSelected``); the cursor is a highlighted row (``RowHighlighted`` when it
moves).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cell = Text | str


def _fit(text: str, width: int) -> str:
    """``text`` on one line in exactly ``width`` cells: cut with an ellipsis, or padded."""
    text = text.replace("\n", " ")
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    return set_cell_size(text, width - 1) + "…"


CellsFor = Callable[[int], Sequence[Cell]]


@dataclass(frozen=True)
class Column:
    """A column: its key (what ``HeaderSelected`` names), header label and width (None: the
    flexible column)."""

    key: str
    label: str
    width: int | None = None
    min_width: int = 16


class CardTable(ScrollView, can_focus=True):
    """Rows drawn on demand: ``set_rows(count, cells_for)``; a row cursor moved by the keys
    below or a click."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First", show=False),
        Binding("end,ctrl+end", "last", "Last", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "card-table--header",
        "card-table--cursor",
        "card-table--even-row",
    }

    DEFAULT_CSS = """
    CardTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus {
            background-tint: $foreground 5%;
            & > .card-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .card-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:dark > .card-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .card-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .card-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    class RowHighlighted(Message):
        """The cursor moved to ``cursor_row``."""

        def __init__(self, table: CardTable, cursor_row: int) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row

        @property
        def control(self) -> CardTable:
            return self.table

    class HeaderSelected(Message):
        """A column's header was clicked."""

        def __init__(self, table: CardTable, column_key: str, column_index: int) -> None:
            super().__init__()
            self.table = table
            self.column_key = column_key
            self.column_index = column_index

        @property
        def control(self) -> CardTable:
            return self.table

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._columns: list[Column] = []
        self._count = 0
        self._cells_for: CellsFor = lambda _i: ()
        self._cursor = 0
        self._strips: dict[tuple[int, bool, int, bool], Strip] = {}

    # ------------------------------------------------------------------ what it shows

    @property
    def columns(self) -> dict[str, Column]:
        return {c.key: c for c in self._columns}

    @property
    def row_count(self) -> int:
        return self._count

    @property
    def cursor_row(self) -> int:
        """The highlighted row (0 when there are none)."""
        return self._cursor

    def set_columns(self, columns: Sequence[Column]) -> None:
        self._columns = list(columns)
        self._changed()

    def set_rows(self, count: int, cells_for: CellsFor, *, cursor: int = 0) -> None:
        """Show ``count`` rows, row i's cells being ``cells_for(i)`` (asked when drawn), the
        cursor on row ``cursor`` (scrolled into view)."""
        self._count = count
        self._cells_for = cells_for
        self._cursor = max(0, min(cursor, count - 1))
        self._changed()
        self.call_after_refresh(self._scroll_to_cursor)
        self._scroll_to_cursor()

    def move_cursor(self, row: int) -> None:
        """Move the cursor to ``row`` (clamped), scroll it into view, post RowHighlighted."""
        row = max(0, min(row, self._count - 1))
        if row == self._cursor or self._count == 0:
            self._scroll_to_cursor()
            return
        old, self._cursor = self._cursor, row
        # Only the two rows change (the cached strips are keyed by "is the cursor row").
        self.refresh_line(old + 1)
        self.refresh_line(row + 1)
        self._scroll_to_cursor()
        self.post_message(self.RowHighlighted(self, row))

    def _changed(self) -> None:
        self._strips.clear()
        self.virtual_size = Size(self._total_width(0), self._count + 1)
        self.refresh()

    # ------------------------------------------------------------------ geometry

    def _widths(self, available: int) -> list[int]:
        fixed = sum(c.width + 2 for c in self._columns if c.width is not None)
        return [
            c.width if c.width is not None else max(c.min_width, available - fixed - 2)
            for c in self._columns
        ]

    def _total_width(self, available: int) -> int:
        return sum(w + 2 for w in self._widths(available))

    @property
    def _page(self) -> int:
        """How many rows fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + self._page:
            self.scroll_to(y=self._cursor - self._page + 1, animate=False, force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self._strips.clear()
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def on_focus(self, _event: events.Focus) -> None:
        self._strips.clear()
        self.refresh()

    def on_blur(self, _event: events.Blur) -> None:
        self._strips.clear()
        self.refresh()

    # ------------------------------------------------------------------ drawing

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        index = -1 if y == 0 else y - 1 + scroll_y
        base = self.rich_style
        if index >= self._count:
            return Strip.blank(width, base)
        key = (index, index == self._cursor, width, self.has_focus)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._draw(index, width, base)
            if len(self._strips) > 512:
                self._strips.clear()
            self._strips[key] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _draw(self, index: int, width: int, base: Style) -> Strip:
        """One line as segments, cell by cell (no Rich layout: a cell is one line of text
        with one style, cut to its column's width with an ellipsis)."""
        widths = self._widths(width)
        if index < 0:
            cells: Sequence[Cell] = [c.label for c in self._columns]
            style = base + self.get_component_rich_style("card-table--header")
        else:
            cells = self._cells_for(index)
            style = base
            if index % 2 == 1:
                style += self.get_component_rich_style("card-table--even-row")
        on_top = (
            self.get_component_rich_style("card-table--cursor")
            if index == self._cursor and index >= 0
            else None
        )
        segments: list[Segment] = []
        for cell, cell_width in zip(cells, widths, strict=False):
            if isinstance(cell, Text):  # its own style counts, not its spans
                own = Style.parse(cell.style) if isinstance(cell.style, str) else cell.style
                text, cell_style = cell.plain, style + own
            else:
                text, cell_style = cell, style
            if on_top is not None:
                cell_style += on_top
            segments.append(Segment(f" {_fit(text, cell_width)} ", cell_style))
        total = sum(w + 2 for w in widths)
        line_style = style + on_top if on_top is not None else style
        return Strip(segments, total).extend_cell_length(width, line_style)

    # ------------------------------------------------------------------ keys and mouse

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self._count - 1)

    def _column_at(self, x: int) -> int | None:
        left = 0
        for i, w in enumerate(self._widths(self.scrollable_content_region.width)):
            if left <= x < left + w + 2:
                return i
            left += w + 2
        return None

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        event.stop()
        if offset.y == 0:
            column = self._column_at(offset.x + round(self.scroll_x))
            if column is not None:
                self.post_message(self.HeaderSelected(self, self._columns[column].key, column))
            return
        row = offset.y - 1 + round(self.scroll_y)
        if row < self._count:
            self.move_cursor(row)
