"""The top-level areas of the app: one list used by the home menu, the palette and help."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from quizapp.ui.app import QuizApp


@dataclass(frozen=True)
class Area:
    name: str
    title: str
    key: str
    description: str
    short: str  # for narrow terminals (the home menu at 80 columns): at most 20 characters


AREAS: tuple[Area, ...] = (
    Area("study", "Study", "s", "due cards, then new ones", "due, then new cards"),
    Area("traps", "Traps", "t", "spot what is wrong", "spot what is wrong"),
    Area("quiz", "Quiz", "z", "mixed questions, scored", "mixed, scored"),
    Area("mock", "Mock interview", "m", "15 timed minutes on your weak spots", "timed, weak spots"),
    Area("drills", "Drills", "d", "compute losses, derive gradients", "compute and derive"),
    Area("checklist", "Checklist", "c", "what to master, with evidence", "what to master"),
    Area("plan", "Plan", "p", "readiness and each day to the interview", "to interview day"),
    Area("cheatsheet", "Cheat sheet", "h", "formulas and comparisons", "formulas, tables"),
    Area("curves", "Loss curves", "v", "losses and gradients, plotted", "losses plotted"),
    Area("stats", "Stats", "i", "reviews, retention, accuracy", "your progress"),
    Area("settings", "Settings", "o", "retention, interview date", "goal, interview date"),
)

AREA_BY_NAME = {a.name: a for a in AREAS}


def make(name: str, app: QuizApp, **options: Any) -> Screen[Any] | None:
    """Build the screen for an area. Imports are local so start-up loads only the home screen."""
    if name == "study":
        from quizapp.ui.screens.study import StudyScreen

        return StudyScreen(**options)
    if name == "traps":
        from quizapp.ui.screens.study import StudyScreen

        return StudyScreen.traps(app)
    if name == "quiz":
        from quizapp.ui.screens.quiz import QuizSetupScreen

        return QuizSetupScreen()
    if name == "mock":
        from quizapp.ui.screens.mock import MockInterviewScreen

        return MockInterviewScreen.start(app, **options)
    if name == "drills":
        from quizapp.ui.screens.drills import DrillsScreen

        return DrillsScreen()
    if name == "checklist":
        from quizapp.ui.screens.checklist import ChecklistScreen

        return ChecklistScreen()
    if name == "plan":
        from quizapp.ui.screens.plan import PlanScreen

        return PlanScreen(**options)
    if name == "cram":
        from quizapp.ui.screens.cram import CramScreen

        return CramScreen(**options)
    if name == "cheatsheet":
        from quizapp.ui.screens.cheatsheet import CheatSheetScreen

        return CheatSheetScreen(**options)
    if name == "curves":
        from quizapp.ui.screens.curves import LossCurvesScreen

        return LossCurvesScreen(**options)
    if name == "stats":
        from quizapp.ui.screens.stats import StatsScreen

        return StatsScreen(**options)
    if name == "settings":
        from quizapp.ui.screens.settings import SettingsScreen

        return SettingsScreen()
    if name == "help":
        from quizapp.ui.screens.help import HelpScreen

        return HelpScreen()
    app.notify(f"{AREA_BY_NAME[name].title} arrives with the practice update.", timeout=4)
    return None
