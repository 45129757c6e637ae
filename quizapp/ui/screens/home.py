"""Home dashboard: what is due, checklist progress, streak, days to the interview, ways in."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from quizapp.due_words import DUE_WORDS
from quizapp.store import StoreError
from quizapp.ui.screens.areas import AREAS
from quizapp.ui.screens.base import QuizScreen
from quizapp.ui.widgets.key_line import KeyLine
from quizapp.ui.widgets.menu import Menu
from quizapp.ui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from quizapp.stats import HomeFigures

# What the Today panel shows for a figure not worked out yet (the first frame draws the panel
# at its full height, so nothing moves when the figures arrive).
PENDING = "…"


def _menu_prompt(key: str, title: str, description: str) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {key} ", style="bold reverse")
    text.append(f"  {title:<16}", style="bold")
    text.append(description, style="dim")
    return text


def progress_bar(done: int, total: int, width: int = 20) -> Text:
    """A one-line bar with the share done (cheaper than a ProgressBar widget tree)."""
    share = done / total if total else 0.0
    filled = round(share * width)
    text = Text()
    text.append("━" * filled, style="bold green")
    text.append("━" * (width - filled), style="dim")
    text.append(f" {share:4.0%}")
    return text


def _aligned(rows: list[tuple[str, Text]]) -> list[Text]:
    """Bold labels and right-aligned values in two columns, two spaces apart."""
    left = max(len(label) for label, _ in rows)
    right = max(value.cell_len for _, value in rows)
    return [
        Text.assemble((label.ljust(left + 2), "bold"), " " * (right - value.cell_len), value)
        for label, value in rows
    ]


class HomeScreen(QuizScreen):
    BINDINGS = [Binding(a.key, f"open('{a.name}')", a.title, show=False) for a in AREAS]

    # The figures shown; None until the first worker's result (the panel shows PENDING).
    figures: HomeFigures | None = None

    class FiguresReady(Message):
        """The figures were worked out (a plain class: a dataclass costs start-up time)."""

        def __init__(self, figures: HomeFigures) -> None:
            super().__init__()
            self.figures = figures

    def compose(self) -> ComposeResult:
        yield TitleBar()
        # The two panels side by side: the screen's own layout (no container around them).
        today = Static(id="today", classes="panel")
        today.border_title = "Today"
        today.tooltip = "\n".join(f"{label}: {meaning}" for label, meaning in DUE_WORDS.values())
        yield today
        # The menu is its own panel (one widget less on the way to the first frame).
        menu = Menu(
            [
                (
                    a.name,
                    _menu_prompt(a.key, a.title, a.description),
                    _menu_prompt(a.key, a.title, a.short),
                )
                for a in AREAS
            ],
            id="menu",
            classes="panel",
        )
        menu.border_title = "Go to"
        menu.border_subtitle = "key or enter · ctrl+p: any card · ?: keys"
        yield menu
        yield KeyLine()

    def on_resize(self) -> None:
        # Today keeps 30 columns up to 120; wider terminals give it more (to 60), so its lines
        # do not wrap beside a mostly empty menu.
        # Up to 120 the stylesheet's 30 stands: no inline width, so the first frame is laid out
        # once, not again for a width it already has.
        width = self.size.width
        styles = self.query_one("#today").styles
        if width > 120:
            styles.width = min(60, width * 3 // 10)
        elif styles.inline.has_rule("width"):
            styles.width = None

    def on_screen_resume(self) -> None:
        # Also sent when the screen first shows, so this is the only refresh needed. The
        # figures (and the decks, on a cold start) and the plan (readiness, the queue's guide)
        # come from workers started once this frame is painted: a thread started now would
        # share the interpreter with the first frame.
        self.draw_dashboard()
        self.call_after_refresh(self._after_frame)

    def _after_frame(self) -> None:
        self.load_figures()
        self.app.refresh_plan()

    def on_store_changed(self) -> None:
        self.refresh_dashboard()  # and again once the app's plan (readiness) is worked out

    def refresh_dashboard(self) -> None:
        """Show what is known now and work the figures out again (in a worker)."""
        self.draw_dashboard()
        self.load_figures()

    @work(thread=True, exclusive=True, group="home")
    def load_figures(self) -> None:
        from quizapp.stats import home_figures

        app = self.app
        try:  # app.library loads the decks if no one has yet
            figures = home_figures(app.store, app.library, app.guide)
        except StoreError:
            return  # the store has told the learner (title bar, notice); keep what is shown
        if not get_current_worker().is_cancelled:
            self.post_message(self.FiguresReady(figures))

    def on_home_screen_figures_ready(self, message: FiguresReady) -> None:
        self.figures = message.figures
        with contextlib.suppress(NoMatches):  # figures landing as the app closes: nothing to show
            self.draw_dashboard()

    def draw_dashboard(self) -> None:
        app = self.app
        figures = self.figures

        def figure(value: int | None, style: str = "") -> Text:
            if value is None:
                return Text(PENDING, style="dim")
            return Text(str(value), style=style if value else "")

        due = None if figures is None else figures.due
        counts = (None,) * 3 if due is None else (due.cards, due.practice, due.new)
        rows: list[tuple[str, Text]] = [
            (DUE_WORDS[key][0], figure(value, "" if key == "new" else "bold yellow"))
            for key, value in zip(("cards", "practice", "new"), counts, strict=True)
        ]
        if figures is None:
            rows += [("Streak", figure(None)), ("Reviews today", figure(None))]
            checklist = Text.assemble(("Checklist ", "bold"), (PENDING, "dim"))
            bar = Text(PENDING, style="dim")
        else:
            streak = figures.today.streak_days
            rows += [
                ("Streak", Text(f"{streak} day{'s' if streak != 1 else ''}")),
                ("Reviews today", Text(str(figures.today.reviews_today))),
            ]
            done, total = figures.ticked, figures.checklist
            checklist = Text.assemble(("Checklist ", "bold"), f"{done} of {total} ticked")
            bar = progress_bar(done, total)

        interview = app.store.settings.interview_date
        if interview is None:
            line = Text("No interview date set (o: Settings)", style="dim")
        else:
            days = (interview - date.today()).days
            if days > 0:
                line = Text.assemble(
                    ("Interview ", "bold"), f"in {days} day{'s' if days != 1 else ''}"
                )
            elif days == 0:
                line = Text("Interview today. Good luck!", style="bold green")
            else:
                line = Text(f"Interview date {interview} has passed", style="dim")
        parts = [*_aligned(rows), Text(""), checklist, bar, Text(""), line]
        if interview is not None and app.readiness_line:
            parts.append(Text(app.readiness_line, style="bold"))
        if figures is not None and figures.hidden:
            parts.append(
                Text(f"{figures.hidden} suspended or buried: not counted (b: Browse)", "dim")
            )
        # One widget for the whole panel, and lines of text, not a table: a quicker first frame.
        # (A Group keeps Rich's wrapping: a wrapped line drops its trailing space.)
        self.query_one("#today", Static).update(Group(*parts))

    def on_menu_selected(self, event: Menu.Selected) -> None:
        self.app.open_area(event.name)

    def action_open(self, name: str) -> None:
        self.app.open_area(name)
