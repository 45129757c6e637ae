"""Home dashboard: what is due, checklist progress, streak, days to the interview, ways in."""

from __future__ import annotations

from datetime import date

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from quizapp.stats import DUE_WORDS, due_counts, today_figures
from quizapp.ui.screens.areas import AREAS
from quizapp.ui.screens.base import QuizScreen
from quizapp.ui.widgets.menu import Menu
from quizapp.ui.widgets.title_bar import TitleBar


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


class HomeScreen(QuizScreen):
    BINDINGS = [Binding(a.key, f"open('{a.name}')", a.title, show=False) for a in AREAS]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(id="home"):
            today = Static(id="today", classes="panel")
            today.border_title = "Today"
            today.tooltip = "\n".join(
                f"{label}: {meaning}" for label, meaning in DUE_WORDS.values()
            )
            yield today
            with Vertical(id="menu-panel", classes="panel") as panel:
                panel.border_title = "Go to"
                panel.border_subtitle = "key or enter · ctrl+p: any card · ?: keys"
                yield Menu(
                    [
                        (
                            a.name,
                            _menu_prompt(a.key, a.title, a.description),
                            _menu_prompt(a.key, a.title, a.short),
                        )
                        for a in AREAS
                    ],
                    id="menu",
                )
        yield Footer()

    def on_resize(self) -> None:
        # Today keeps 30 columns up to 120; wider terminals give it more (to 60), so its lines
        # do not wrap beside a mostly empty menu.
        width = self.size.width
        self.query_one("#today").styles.width = 30 if width <= 120 else min(60, width * 3 // 10)

    def on_screen_resume(self) -> None:
        # Also sent when the screen first shows, so this is the only refresh needed. The plan
        # (readiness, the queue's guide) follows from a worker started once this frame is
        # painted: a thread started now would share the interpreter with the first frame.
        self.refresh_dashboard()
        self.call_after_refresh(self.app.refresh_plan)

    def on_store_changed(self) -> None:
        self.refresh_dashboard()  # and again once the app's plan (readiness) is worked out

    def refresh_dashboard(self) -> None:
        app = self.app
        due = due_counts(app.queue())
        stats = today_figures(app.store)
        # Only the ticks are needed here; the evidence (recall per card) is for the checklist.
        numbers = {item.number for item in app.library.checklist}
        total = len(numbers)
        done = len(numbers & set(app.store.ticks()))

        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column(justify="right")
        for key, value in (("cards", due.cards), ("practice", due.practice), ("new", due.new)):
            style = "bold yellow" if value and key != "new" else ""
            table.add_row(DUE_WORDS[key][0], Text(str(value), style=style))
        streak = stats.streak_days
        table.add_row("Streak", f"{streak} day{'s' if streak != 1 else ''}")
        table.add_row("Reviews today", str(stats.reviews_today))
        checklist = Text.assemble(("Checklist ", "bold"), f"{done} of {total} ticked")

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
        parts: list[RenderableType] = [
            table,
            Text(""),
            checklist,
            progress_bar(done, total),
            Text(""),
            line,
        ]
        if interview is not None and app.readiness_line:
            parts.append(Text(app.readiness_line, style="bold"))
        hidden = len(app.store.hidden_ids() & set(app.library.cards))
        if hidden:
            parts.append(Text(f"{hidden} suspended or buried: not counted (b: Browse)", "dim"))
        # One widget for the whole panel: fewer widgets, a quicker first frame.
        self.query_one("#today", Static).update(Group(*parts))

    def on_menu_selected(self, event: Menu.Selected) -> None:
        self.app.open_area(event.name)

    def action_open(self, name: str) -> None:
        self.app.open_area(name)
