"""Help: every area and its key, then every key binding by area, read from the registry of areas
and from the bindings themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from quizapp.ui.screens.areas import AREAS
from quizapp.ui.screens.base import styles

if TYPE_CHECKING:
    from quizapp.ui.app import QuizApp


def _bindings_table(title: str, bindings: list[Binding]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold yellow", no_wrap=True, min_width=10)
    table.add_column()
    table.title = title
    table.title_style = "bold"
    table.title_justify = "left"
    seen: set[tuple[str, str]] = set()
    for b in bindings:
        key = b.key_display or b.key
        if (key, b.description) in seen or not b.description:
            continue
        seen.add((key, b.description))
        table.add_row(
            Text(key.replace("question_mark", "?").replace("escape", "esc")), Text(b.description)
        )
    return table


def screen_bindings(owner: type[object]) -> list[Binding]:
    """A screen's (or the app's) keys as Textual merges them: its own, then those it inherits from
    quizapp's classes that it does not rebind (Textual's own, such as tab, are not listed)."""
    out: list[Binding] = []
    seen: set[str] = set()
    for cls in owner.__mro__:
        if "BINDINGS" not in vars(cls) or not cls.__module__.startswith("quizapp."):
            continue
        own = [b if isinstance(b, Binding) else Binding(*b) for b in vars(cls)["BINDINGS"]]
        out += [b for b in own if not set(b.key.split(",")) <= seen]
        seen.update(k for b in own for k in b.key.split(","))
    return out


def all_binding_tables(
    here: type[object] | None = None,
) -> list[tuple[str, list[Binding]]]:
    """The keys of every area, read from the areas' screens themselves, so help can never drift.
    Areas that share their screens (Study and Traps) share a section. The section of the screen
    ``here`` (the one help was opened on) comes first, titled as this screen's keys."""
    from quizapp.ui.app import QuizApp

    everywhere = [
        Binding("ctrl+p", "", "Command palette: jump to a card, study a tag, open a screen"),
        Binding("ctrl+q", "", "Quit (progress is saved as you go)"),
        *screen_bindings(QuizApp),
    ]
    if here is not None:
        # A key this screen binds for itself is not the app's here: in Study, "q Back" above
        # and "q Quit" under Everywhere said two things about one key.
        own = {k for b in screen_bindings(here) for k in b.key.split(",")}
        everywhere = [b for b in everywhere if not set(b.key.split(",")) <= own]
    sections: dict[tuple[type[Screen[Any]], ...], list[str]] = {}
    for area in AREAS:
        sections.setdefault(area.help_screens(), []).append(area.title)
    tables = [("Everywhere", everywhere)]
    for screens, titles in sections.items():
        bindings = [b for screen in screens for b in screen_bindings(screen)]
        if here in screens:
            tables.insert(0, (f"On this screen ({' and '.join(titles)})", bindings))
        else:
            tables.append((" and ".join(titles), bindings))
    return tables


def areas_table() -> Table:
    """Every area with its key: the same keys open it from home and from here."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold yellow", no_wrap=True, min_width=10)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    # "here" read as "on this screen": in Study, z does nothing (it opens Quiz from home or help).
    table.title = "Go to (these keys work on home, and in this help window)"
    table.title_style = "bold"
    table.title_justify = "left"
    for area in AREAS:
        table.add_row(area.key, area.title, area.description)
    return table


class HelpScreen(ModalScreen[None]):
    CSS_PATH = styles("modals")
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close help"),
        # An area's key opens it from here too, as on home.
        *(Binding(a.key, f"open('{a.name}')", a.title, show=False) for a in AREAS),
    ]

    def __init__(self, here: type[object] | None = None) -> None:
        """``here``: the type of the screen help was opened on; its keys come first (on the
        Checklist at 80x24 they were three pages down, below every area and Study's keys)."""
        super().__init__()
        self.here = here

    def compose(self) -> ComposeResult:
        tables = all_binding_tables(self.here)
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc to close · an area's key opens it"
            if tables[0][0] != "Everywhere":
                title, bindings = tables.pop(0)
                # (its own line: a table's title wraps at the table's narrow width)
                yield Static(Text(title, style="bold"), id="help-here-title")
                yield Static(_bindings_table("", bindings), id="help-here")
                yield Static(Text(""))
            yield Static(areas_table(), id="help-areas")
            yield Static(Text(""))
            for title, bindings in tables:
                yield Static(_bindings_table(title, bindings))
                yield Static(Text(""))
            yield Static(counts_table())

    def action_open(self, name: str) -> None:
        cast("QuizApp", self.app).open_area(name)


def counts_table() -> Table:
    """What each count on home, stats and ``quizapp stats`` means (one definition for all)."""
    from quizapp.stats import DUE_WORDS

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True, min_width=10)
    table.add_column()
    table.title = "The counts"
    table.title_style = "bold"
    table.title_justify = "left"
    for label, meaning in DUE_WORDS.values():
        table.add_row(label, meaning)
    return table
