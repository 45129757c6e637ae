"""The cheat sheet and formula browser: the one-page sheet, the loss comparison table, every
formula card and the elevator pitch, filtered by tag and search words."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Input, Select, Static, TabbedContent, TabPane

from quizapp.decks import Card
from quizapp.decks.models import CheatSheetRow, Formula, Pitch
from quizapp.ui.screens.base import TAB, QuizScreen, styles
from quizapp.ui.widgets.card_view import back
from quizapp.ui.widgets.title_bar import TitleBar

ALL_TAGS = "__all__"

# Tab id -> title; keys 1-4 open them in this order.
TABS = {
    "sheet": "One-page sheet",
    "comparison": "Loss comparison",
    "formulas": "Formulas",
    "pitch": "Elevator pitch",
}


def matches(card: Card, words: list[str], tag: str | None) -> bool:
    if tag and tag not in card.tags:
        return False
    haystack = card.search_text().lower()
    return all(w in haystack for w in words)


class CheatSheetScreen(QuizScreen):
    CSS_PATH = styles("cheatsheet")

    BINDINGS = [
        Binding("slash", "search", "Search every tab", key_display="/"),
        Binding("right_square_bracket", "next_tab(1)", "Next tab", key_display="]", group=TAB),
        Binding("left_square_bracket", "next_tab(-1)", "Previous tab", key_display="[", group=TAB),
        *(
            Binding(str(i), f"show_tab('{tab}')", title, show=False)
            for i, (tab, title) in enumerate(TABS.items(), start=1)
        ),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, *, tab: str = "sheet") -> None:
        super().__init__()
        self.initial_tab = tab

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="filters"):
            yield Input(placeholder="Search (/): e.g. outliers, softmax, δ", id="search")
            yield Select(
                [("All tags", ALL_TAGS), *((t, t) for t in self.app.library.tags)],
                value=ALL_TAGS,
                allow_blank=False,
                id="tag",
            )
        with TabbedContent(initial=self.initial_tab, id="sheets"):
            with TabPane(TABS["sheet"], id="sheet"), VerticalScroll():
                yield Static(id="sheet-table")
            with TabPane(TABS["comparison"], id="comparison"), VerticalScroll():
                yield Static(id="comparison-table")
            with TabPane(TABS["formulas"], id="formulas"), VerticalScroll():
                yield Static(id="formula-cards")
            with TabPane(TABS["pitch"], id="pitch"), VerticalScroll():
                yield Static(id="pitch-text")
        yield Footer()

    def on_mount(self) -> None:
        self.render_all()
        self.query_one("#sheets Tabs").focus()

    # -- filters
    def filters(self) -> tuple[list[str], str | None]:
        words = self.query_one("#search", Input).value.lower().split()
        tag = self.query_one("#tag", Select).value
        return words, (None if tag in (ALL_TAGS, Select.BLANK) else str(tag))

    def on_input_changed(self, event: Input.Changed) -> None:
        self.render_all()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.render_all()

    def on_resize(self) -> None:
        self.render_all()  # the comparison's layout depends on the width

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_next_tab(self, step: int) -> None:
        tabs = list(TABS)
        sheets = self.query_one("#sheets", TabbedContent)
        sheets.active = tabs[(tabs.index(sheets.active or tabs[0]) + step) % len(tabs)]

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#sheets", TabbedContent).active = tab

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if self.focused is search:
            # esc leaves the box (clearing it): /, [ and ] are keys again, not typed text.
            search.value = ""
            self.query_one("#sheets Tabs").focus()
            return
        self.dismiss()

    # -- tables
    def render_all(self) -> None:
        words, tag = self.filters()
        lib = self.app.library
        rows = [c for c in lib.of_kind(CheatSheetRow.kind) if matches(c, words, tag)]
        formulas = [c for c in lib.of_kind(Formula.kind) if matches(c, words, tag)]
        pitches = [c for c in lib.of_kind(Pitch.kind) if matches(c, words, tag)]
        self.query_one("#sheet-table", Static).update(sheet_table(rows))
        self.query_one("#comparison-table", Static).update(
            comparison_table(formulas, self.size.width or self.app.size.width)
        )
        self.query_one("#formula-cards", Static).update(formula_cards(formulas))
        self.query_one("#pitch-text", Static).update(pitch_text(pitches))
        # A search covers every tab: each tab says how many matches it holds, and when the open
        # tab has none the first tab that has some opens.
        found = {
            "sheet": len(rows),
            "comparison": len(formulas),
            "formulas": len(formulas),
            "pitch": len(pitches),
        }
        sheets = self.query_one("#sheets", TabbedContent)
        filtering = bool(words or tag)
        for tab, title in TABS.items():
            sheets.get_tab(tab).label = f"{title} ({found[tab]})" if filtering else title
        if filtering and not found.get(sheets.active, 0):
            first = next((t for t in TABS if found[t]), None)
            if first is not None:
                sheets.active = first


def _empty(what: str) -> Text:
    return Text(f"No {what} match the search and tag.", style="dim")


def sheet_table(rows: list[Card]) -> RenderableType:
    cards = sorted((r for r in rows if isinstance(r, CheatSheetRow)), key=lambda r: r.order)
    if not cards:
        return _empty("cheat-sheet rows")
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=False, header_style="bold")
    table.add_column("Concept", style="bold cyan", ratio=1)
    table.add_column("Rule", ratio=3)
    for row in cards:
        table.add_row(Text(row.concept), Text(row.rule))
    return table


# Below this width six columns squeeze words into slivers ("Regres…"): one block per loss.
WIDE_COMPARISON = 140


def comparison_table(formulas: list[Card], width: int = WIDE_COMPARISON) -> RenderableType:
    cards = [f for f in formulas if isinstance(f, Formula)]
    if not cards:
        return _empty("losses")
    if width < WIDE_COMPARISON:
        blocks: list[RenderableType] = []
        for f in cards:
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="bold", no_wrap=True)
            grid.add_column()
            grid.add_row("Formula", Text(f.unicode))
            grid.add_row("Task", Text(f.task))
            grid.add_row("Output", Text(f.activation))
            grid.add_row("Pros", Text("; ".join(f.pros), style="green"))
            grid.add_row("Cons", Text("; ".join(f.cons), style="red"))
            blocks += [Text(f.name, style="bold cyan"), grid, Text("")]
        return Group(*blocks)
    table = Table(box=box.SIMPLE_HEAD, expand=True, show_lines=True, header_style="bold")
    table.add_column("Loss", style="bold cyan", ratio=2)
    table.add_column("Formula", ratio=3)
    table.add_column("Task", ratio=2)
    table.add_column("Output", ratio=2)
    table.add_column("Pros", ratio=3, style="green")
    table.add_column("Cons", ratio=3, style="red")
    for f in cards:
        table.add_row(
            *(Text(t) for t in (f.name, f.unicode, f.task, f.activation)),
            Text("; ".join(f.pros)),
            Text("; ".join(f.cons)),
        )
    return table


def formula_cards(formulas: list[Card]) -> RenderableType:
    cards = [f for f in formulas if isinstance(f, Formula)]
    if not cards:
        return _empty("formulas")
    parts: list[RenderableType] = []
    for f in cards:
        parts += [Text(f.name, style="bold reverse"), back(f), Text("")]
    return Group(*parts)


def pitch_text(pitches: list[Card]) -> RenderableType:
    cards = [p for p in pitches if isinstance(p, Pitch)]
    if not cards:
        return _empty("pitch points")
    parts: list[RenderableType] = []
    several = len({p.deck for p in cards}) > 1  # then each pitch says which deck it sums up
    for p in sorted(cards, key=lambda p: p.length != "30s"):
        title = f"{p.title} · {p.deck} deck" if several and p.deck else p.title
        parts += [Text(title, style="bold"), back(p), Text("")]
    return Group(*parts)
