"""Help: every key binding, by screen, read from the bindings themselves."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


def _bindings_table(title: str, bindings: list[Binding]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold yellow", no_wrap=True, min_width=10)
    table.add_column()
    table.title = title
    table.title_style = "bold"
    table.title_justify = "left"
    seen: set[str] = set()
    for b in bindings:
        key = b.key_display or b.key
        if key in seen or not b.description:
            continue
        seen.add(key)
        table.add_row(
            Text(key.replace("question_mark", "?").replace("escape", "esc")), Text(b.description)
        )
    return table


def all_binding_tables() -> list[tuple[str, list[Binding]]]:
    """Every screen's bindings, from the classes themselves, so help can never drift."""
    from quizapp.ui.app import QuizApp
    from quizapp.ui.screens.cheatsheet import CheatSheetScreen
    from quizapp.ui.screens.checklist import ChecklistScreen
    from quizapp.ui.screens.curves import LossCurvesScreen
    from quizapp.ui.screens.drills import DrillRunScreen
    from quizapp.ui.screens.home import HomeScreen
    from quizapp.ui.screens.plan import PlanScreen
    from quizapp.ui.screens.quiz import QuestionRunner, QuizResultsScreen, QuizSetupScreen
    from quizapp.ui.screens.settings import SettingsScreen
    from quizapp.ui.screens.stats import StatsScreen
    from quizapp.ui.screens.study import StudyScreen

    def norm(bindings: object) -> list[Binding]:
        out = []
        for b in bindings:  # type: ignore[attr-defined]
            out.append(b if isinstance(b, Binding) else Binding(*b))
        return out

    everywhere = [
        Binding("ctrl+p", "", "Command palette: jump to a card, study a tag, open a screen"),
        Binding("ctrl+q", "", "Quit (progress is saved as you go)"),
        *norm(QuizApp.BINDINGS),
    ]
    return [
        ("Everywhere", everywhere),
        ("Home", norm(HomeScreen.BINDINGS)),
        ("Study and Traps", norm(StudyScreen.BINDINGS)),
        ("Quiz and mock interview", norm(QuestionRunner.BINDINGS)),
        (
            "Quiz set-up and results",
            norm(QuizSetupScreen.BINDINGS) + norm(QuizResultsScreen.BINDINGS),
        ),
        ("Drills", norm(DrillRunScreen.BINDINGS)),
        ("Checklist", norm(ChecklistScreen.BINDINGS)),
        ("Plan and cram", norm(PlanScreen.BINDINGS)),
        ("Loss curves", norm(LossCurvesScreen.BINDINGS)),
        ("Stats", norm(StatsScreen.BINDINGS)),
        ("Cheat sheet", norm(CheatSheetScreen.BINDINGS)),
        ("Settings", norm(SettingsScreen.BINDINGS)),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close help")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc to close"
            for title, bindings in all_binding_tables():
                yield Static(_bindings_table(title, bindings))
                yield Static(Text(""))
            yield Static(counts_table())


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
