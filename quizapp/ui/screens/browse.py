"""Browse: every card of every deck in one table, as Anki's browser.

Type to search (words, ``tag:``, ``kind:``, ``deck:``, ``due:N``, ``is:new``, ``is:due``,
``is:suspended``, ``is:buried``, ``is:weak``; ``-`` negates), sort by any column, and see the
highlighted card's preview and history in the info pane. Actions on the highlighted card:
suspend / unsuspend, bury until tomorrow, reset its progress (undoable), open its YAML in
``$EDITOR`` at its line. The rows are read in a thread worker after the first frame; each
keystroke filters the rows already read (``quizapp.browse``, shared with ``quizapp cards``) and
the table (``CardTable``) draws only the rows on screen, so a redraw costs the same for 40 rows
or 4,000.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rich.console import Group
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

from quizapp.browse import (
    COLUMNS,
    RATING_WORDS,
    QueryError,
    Row,
    filter_rows,
    history,
    interval_text,
    load_rows,
    parse_query,
    sort_rows,
    status,
    unknown_name,
    when,
)
from quizapp.clock import local_day_start
from quizapp.store import StoreError
from quizapp.store.flags import ResetUndo
from quizapp.ui.screens.base import QuizScreen, styles
from quizapp.ui.widgets.card_table import CardTable, Column
from quizapp.ui.widgets.quiet_footer import QuietFooter
from quizapp.ui.widgets.title_bar import TitleBar
from quizapp.wording import counted

SORTABLE = tuple(COLUMNS)
# The columns the table shows, in order (the "card" column takes what width is left).
SHOWN = ("card", "kind", "deck", "due", "stability", "difficulty", "reviews", "lapses", "last")
NARROW = ("card", "kind", "due", "stability", "reviews", "lapses")
CARD_TITLE = 36  # the card column's width beside the card pane, when there is room
INFO_MIN = 64  # the card pane's least width beside the table


class BrowseScreen(QuizScreen):
    """``now`` fixes the clock (tests); None means the current time."""

    # The screen's stylesheet as default CSS, not CSS_PATH: Textual answers a new CSS_PATH by
    # parsing every stylesheet of the app again and restyling every screen (a tenth of a second
    # before the first frame); default CSS is parsed alone, as a widget's is.
    DEFAULT_CSS = styles("browse").read_text(encoding="utf-8")
    AUTO_FOCUS = "#browse-table"

    BINDINGS = [
        # A priority binding, with the focus moved at once: keys typed (or pasted) in one burst
        # right after "/" reach the search box, never the table's own keys (b would bury).
        Binding("slash", "focus_search", "Search", key_display="/", priority=True),
        Binding("o", "sort_next", "Sort"),
        Binding("O", "sort_reverse", "Reverse", show=False),
        Binding("s", "suspend", "Suspend"),
        Binding("b", "bury", "Bury"),
        Binding("x", "reset", "Reset"),
        Binding("u", "undo_reset", "Undo reset", show=False),
        # For deck authors: in help (?), not the footer, where at 80 columns it cut "? Help".
        Binding("e", "edit", "Edit", show=False),
        Binding("escape", "back", "Back"),
    ]

    @dataclass
    class Loaded(Message):
        """The worker's rows, or why there are none."""

        rows: list[Row]
        error: str | None = None

    def __init__(self, *, query: str = "", now: datetime | None = None) -> None:
        super().__init__()
        self.fixed_now = now
        self.initial_query = query
        self.rows: list[Row] = []
        self.shown: list[Row] = []
        self.sort_column = "due"
        self.sort_reverse = False
        self.loaded = False
        self.undo_stack: list[ResetUndo] = []
        self.query_problem: str | None = None
        self._columns: tuple[str, ...] = SHOWN
        self._layout: tuple[object, ...] | None = None
        self._info_timer: Timer | None = None
        # The card the info pane shows (None: none); tests wait for it.
        self.info_for: str | None = None
        self._info_row: Row | None = None  # the row the pane was drawn from

    @property
    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Input(
            value=self.initial_query,
            placeholder="search: words, tag:, kind:, deck:, due:7, is:new/due/suspended/weak",
            id="browse-search",
        )
        yield Static(id="browse-status")
        with Horizontal(id="browse-body"):
            yield CardTable(id="browse-table")
            with VerticalScroll(id="browse-info-scroll"):
                yield Static(id="browse-info")
        yield QuietFooter()

    def on_mount(self) -> None:
        self.title = "Browse"
        self._apply_width(self.size.width or self.app.size.width)
        self.query_one("#browse-status", Static).update(Text("Reading your cards…", "dim"))
        self.load()

    def on_resize(self) -> None:
        self._apply_width(self.size.width)

    def _apply_width(self, width: int) -> None:
        wide = width >= 140
        self.set_class(wide, "-wide")
        columns = SHOWN if width >= 100 else NARROW
        table = self.query_one(CardTable)
        if columns != self._columns or not table.columns:
            self._columns = columns
            if self.loaded:
                self._refill(keep=self._current_id())
            else:  # the header shows in the first frame, the rows when they are read
                self._layout = (columns, self.sort_column, self.sort_reverse)
                table.set_columns(self._header())
        # Beside the card pane, the table takes the room its columns and a readable title need
        # (at 200 columns a title of 36 characters, not 16), leaving the pane at least INFO_MIN.
        if wide:
            fixed = sum(c.width + 2 for c in self._header() if c.width is not None)
            want = fixed + CARD_TITLE + 2 + 2  # the title column, its padding, the margins
            # (the table's margins and the pane's border: 4 cells between the two widths)
            table.styles.width = max(min(want, width - INFO_MIN - 4), width * 55 // 100)
        else:
            table.styles.width = None  # the stylesheet's: the whole width

    # ------------------------------------------------------------------ loading

    def on_store_changed(self) -> None:
        """Another process (a 'quizapp suspend', a sync, a browser tab) committed: read the
        rows again, keeping the search, the sort and the highlighted card."""
        self.load()

    @work(thread=True, exclusive=True, group="browse")
    def load(self) -> None:
        try:
            rows = load_rows(self.app.store, self.app.library, now=self.now)
        except StoreError as exc:
            self.post_message(self.Loaded([], exc.message))
            return
        self.post_message(self.Loaded(rows))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        table = self.query_one(CardTable)

        if message.error:
            self.query_one("#browse-status", Static).update(
                Text(f"Could not read your progress: {message.error}", "bold red")
            )
            return
        keep = self._current_id()
        self.rows = message.rows
        self.loaded = True
        self._refill(keep=keep)
        if not self.query_one(Input).has_focus:
            table.focus()

    # ------------------------------------------------------------------ the table

    def _current_id(self) -> str | None:
        table = self.query_one(CardTable)
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row].card.id

    def _cells(self, row: Row) -> list[Text | str]:
        now = self.now
        values: dict[str, Text | str] = {
            "card": Text(row.card.title, overflow="ellipsis", no_wrap=True),
            "kind": row.card.label or row.card.kind,
            "deck": row.card.deck,
            "tags": ", ".join(row.card.tags),
            "due": Text(status(row) or when(row.due, now), style=self._due_style(row)),
            "stability": f"{row.stability:.1f}" if row.stability is not None else "—",
            "difficulty": f"{row.difficulty:.1f}" if row.difficulty is not None else "—",
            "reviews": str(row.reviews),
            "lapses": str(row.lapses),
            "last": row.last or "—",
        }
        return [values[c] for c in self._columns]

    def _due_style(self, row: Row) -> str:
        if row.suspended or row.buried:
            return "yellow"
        if row.due is not None and row.due <= self.now:
            return "bold"
        return "dim" if not row.scheduled else ""

    def _refill(self, *, keep: str | None = None) -> None:
        """Filter and sort the rows for the search box, redraw the table, keep the cursor on
        ``keep`` when it is still shown."""
        table = self.query_one(CardTable)
        text = self.query_one(Input).value
        try:
            terms = parse_query(text)
            matched = filter_rows(self.rows, terms, now=self.now)
            self.query_problem = None if matched else unknown_name(terms, self.rows)
        except QueryError as exc:
            self.query_problem = str(exc)
            matched = self.shown if self.shown else self.rows
        shown = sort_rows(matched, self.sort_column, reverse=self.sort_reverse)
        layout = (self._columns, self.sort_column, self.sort_reverse)
        if layout == self._layout and shown == self.shown and table.row_count == len(shown):
            self._status()  # the same rows (typing within a word): nothing to redraw
            return
        self.shown = shown
        if layout != self._layout:
            self._layout = layout
            table.set_columns(self._header())
        index = next((i for i, r in enumerate(shown) if r.card.id == keep), 0)
        table.set_rows(len(shown), lambda i: self._cells(shown[i]), cursor=index)
        self._status()
        self._info_later()

    def _header(self) -> list[Column]:
        """The shown columns, fixed widths but the card's title (it takes what is left), the
        sorted one marked."""
        fixed = {"kind": 14, "deck": 8, "due": 10, "stability": 6, "difficulty": 6,
                 "reviews": 5, "lapses": 6, "last": 16, "tags": 20}  # fmt: skip
        columns = []
        for column in self._columns:
            header = COLUMNS[column][0]
            if column == self.sort_column:
                header += " ▼" if self.sort_reverse else " ▲"
            width = fixed.get(column)
            # Room for the header and its sort arrow, whichever column is sorted.
            width = None if width is None else max(width, len(COLUMNS[column][0]) + 2)
            columns.append(Column(column, header, width))
        return columns

    def _info_later(self) -> None:
        """Draw the info pane once typing pauses (its history and preview cost more than the
        table): each keystroke restarts a short timer."""
        if self._info_timer is not None:
            self._info_timer.stop()
        self._info_timer = self.set_timer(0.08, self._show_info)

    def _status(self) -> None:
        shown, total = len(self.shown), len(self.rows)
        suspended = sum(1 for r in self.rows if r.suspended)
        buried = sum(1 for r in self.rows if r.buried and not r.suspended)
        text = Text()
        if self.query_problem:
            text.append(f"{self.query_problem}  ", style="bold red")
        text.append(f"{shown} of {total} cards", style="bold")
        if suspended or buried:
            text.append(f" · {suspended} suspended, {buried} buried (not studied)", style="yellow")
        text.append(f" · sorted by {COLUMNS[self.sort_column][0].lower()}", style="dim")
        # One line, its height fixed in the stylesheet: no layout pass on each keystroke.
        self.query_one("#browse-status", Static).update(text, layout=False)

    @on(Input.Changed, "#browse-search")
    def _search(self) -> None:
        if self.loaded:
            self._refill(keep=self._current_id())

    @on(Input.Submitted, "#browse-search")
    def _search_done(self) -> None:
        self.query_one(CardTable).focus()

    @on(CardTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._info_later()

    @on(CardTable.HeaderSelected)
    def _header_clicked(self, event: CardTable.HeaderSelected) -> None:
        column = event.column_key
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self._refill(keep=self._current_id())

    # ------------------------------------------------------------------ the info pane

    def _selected(self) -> Row | None:
        table = self.query_one(CardTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def _show_info(self) -> None:
        self._info_timer = None
        info = self.query_one("#browse-info", Static)
        row = self._selected()
        self.info_for = row.card.id if row is not None else None
        if row is not None and row is self._info_row:
            return  # the same card, read the same time (rows are read again on any change)
        self._info_row = row
        if row is None:
            info.update(Text("No card matches this search." if self.loaded else "", "dim"))
            return
        card = row.card
        now = self.now
        head = Text()
        head.append(card.title, style="bold")
        head.append(f"\n{card.label or card.kind} · deck {card.deck} · {card.id}", style="dim")
        head.append(f"\ntags: {', '.join(card.tags)}", style="dim")
        if card.source:
            head.append(f"\n{card.source}:{card.line}", style="dim")
        state = Text()
        if row.suspended:
            state.append("Suspended: not studied until you unsuspend it (s).\n", style="yellow")
        elif row.buried:
            state.append("Buried until tomorrow (b again to unbury).\n", style="yellow")
        if row.scheduled:
            state.append(
                f"Due {when(row.due, now)} · stability {row.stability or 0:.1f} d · "
                f"difficulty {row.difficulty or 0:.1f} · {counted(row.reviews, 'review')} · "
                f"{counted(row.lapses, 'lapse')}"
            )
        else:
            state.append("New: never studied" + (" since its reset" if row.reviews else ""))
        parts: list[object] = [head, Text(""), state, Text("")]
        try:
            entries = history(self.app.store, card.id)
        except StoreError as exc:
            entries = []
            parts.append(Text(f"History unavailable: {exc.message}", "red"))
        hist = Text("History", style="bold")
        if not entries:
            hist.append("\n  no answers yet", style="dim")
        for e in entries[-12:]:
            hist.append(
                f"\n  {e.at.astimezone().strftime('%Y-%m-%d %H:%M')}  "
                f"{RATING_WORDS.get(e.rating, '?'):<5} {interval_text(e.interval):>5}  {e.how}"
            )
        if len(entries) > 12:
            hist.append(f"\n  (and {len(entries) - 12} earlier: quizapp card {card.id})", "dim")
        parts += [hist, Text(""), Text("Preview", style="bold")]
        try:
            # Imported when first needed: the card view brings the plotting library, which the
            # browser's first frame can do without.
            from quizapp.ui.widgets.card_view import back, front

            parts += [front(card), Text(""), back(card)]
        except Exception:  # a preview must never take the browser down
            parts.append(Text(card.title))
        info.update(Group(*parts))  # type: ignore[arg-type]

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_search" and isinstance(self.focused, Input):
            return False  # in the box, "/" is a character: the key goes on to the box
        return super().check_action(action, parameters)

    def action_focus_search(self) -> None:
        self.set_focus(self.query_one(Input))

    def action_back(self) -> None:
        search = self.query_one(Input)
        if search.has_focus:
            self.query_one(CardTable).focus()
            return
        self.app.pop_screen()

    def action_sort_next(self) -> None:
        columns = [c for c in SORTABLE if c in self._columns]
        i = columns.index(self.sort_column) if self.sort_column in columns else -1
        self.sort_column, self.sort_reverse = columns[(i + 1) % len(columns)], False
        self._refill(keep=self._current_id())

    def action_sort_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._refill(keep=self._current_id())

    def _act(self, what: str, fn: object) -> bool:
        try:
            fn()  # type: ignore[operator]
        except StoreError as exc:
            self.notify(f"Could not {what}: {exc.message}", severity="error")
            return False
        return True

    def action_suspend(self) -> None:
        row = self._selected()
        if row is None:
            return
        on = not row.suspended
        if self._act("suspend", lambda: self.app.store.set_suspended([row.card.id], on)):
            self.notify(
                f"{'Suspended' if on else 'Unsuspended'}: {row.card.title}"
                + (" (left out of study, cram and plan)" if on else "")
            )
            self.load()

    def action_bury(self) -> None:
        row = self._selected()
        if row is None:
            return
        if row.buried:
            ok = self._act("unbury", lambda: self.app.store.bury([row.card.id], None))
            message = f"Unburied: {row.card.title}"
        else:
            until = local_day_start(self.now + timedelta(days=1))
            ok = self._act("bury", lambda: self.app.store.bury([row.card.id], until))
            message = f"Buried until tomorrow: {row.card.title}"
        if ok:
            self.notify(message)
            self.load()

    def action_reset(self) -> None:
        row = self._selected()
        if row is None:
            return
        if not row.scheduled:
            self.notify(f"{row.card.title}: no progress to reset (it is new)")
            return
        undo: list[ResetUndo] = []
        if self._act("reset", lambda: undo.append(self.app.store.reset_progress(row.card.id))):
            self.undo_stack.append(undo[0])
            self.notify(f"Reset: {row.card.title} is new again. u undoes it.")
            self.load()

    def action_undo_reset(self) -> None:
        if not self.undo_stack:
            self.notify("Nothing to undo.")
            return
        undo = self.undo_stack.pop()
        done: list[bool] = []
        if self._act("undo the reset", lambda: done.append(self.app.store.undo_reset(undo))):
            if done[0]:
                self.notify("Reset undone: the schedule is back.")
            else:
                self.notify("Not undone: the card was studied since its reset.", severity="warning")
            self.load()

    def action_edit(self) -> None:
        row = self._selected()
        if row is None or not row.card.source:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            self.notify(
                f"Set $EDITOR to open cards; this one is {row.card.source}:{row.card.line}",
                severity="warning",
            )
            return
        try:
            words = shlex.split(editor)
        except ValueError as exc:  # EDITOR="vim 'x": it crashed the app with a traceback
            self.notify(f"Cannot read $EDITOR ({editor}): {exc}", severity="error")
            return
        command = [*words, f"+{row.card.line}", row.card.source]
        failed: Exception | None = None
        try:
            with self.app.suspend():
                try:
                    subprocess.run(command, check=False)
                except OSError as exc:
                    # Caught inside: an error leaving suspend() skips Textual's resume, and a
                    # missing editor left a blank terminal that echoed every key.
                    failed = exc
        except SuspendNotSupported:  # the browser: it said "... App.suspend is not supported"
            self.notify(
                f"Cannot open {editor} from the browser (it has no terminal to lend): the card "
                f"is {row.card.source}:{row.card.line}; edit it there, then restart quizapp.",
                severity="warning",
            )
            return
        except Exception as exc:
            failed = exc
        if isinstance(failed, FileNotFoundError):
            self.notify(
                f"Could not start {editor}: no such program; set $EDITOR to an editor you have "
                f"(the card is {row.card.source}:{row.card.line})",
                severity="error",
            )
            return
        if failed is not None:
            self.notify(f"Could not open {editor}: {failed}", severity="error")
            return
        self.notify("Edited: restart quizapp (or run 'quizapp validate') to load the changes.")
