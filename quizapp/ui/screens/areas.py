"""The top-level areas of the app, in one table.

The home menu (its rows and keys), the help screen (its list of areas, their keys, and a section of
keys per area), the command palette ("Open ...") and `QuizApp.open_area` are all generated from
`AREAS`; a new area is one line here and appears in every one of them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from textual.screen import Screen

    from quizapp.ui.app import QuizApp


class Area(NamedTuple):  # (a frozen dataclass costs start-up ~4M instructions more)
    name: str
    title: str
    key: str  # on the home screen and the help screen
    description: str
    short: str  # for narrow terminals (the home menu at 80 columns): at most 20 characters
    # "module:Class" in quizapp.ui.screens: the screen the area opens. A string, so that start-up
    # imports only the home screen and each area's module loads when it is first opened.
    screen: str
    # A classmethod of that class that builds it, called as (app, **options); "" means the class
    # itself is called with **options.
    build: str = ""
    # Screens reached from this area ("module:Class") whose keys help lists with it.
    more: tuple[str, ...] = ()

    def screen_class(self) -> type[Screen[Any]]:
        return _load(self.screen)

    def help_screens(self) -> tuple[type[Screen[Any]], ...]:
        """The screens whose keys the help screen lists under this area."""
        return tuple(_load(ref) for ref in (self.screen, *self.more))

    def open(self, app: QuizApp, **options: Any) -> Screen[Any]:
        """A new screen for this area (``options`` as the palette gives them, e.g. a tag)."""
        cls = self.screen_class()
        if self.build:
            screen: Screen[Any] = getattr(cls, self.build)(app, **options)
            return screen
        return cls(**options)


def _load(ref: str) -> type[Screen[Any]]:
    module, _, name = ref.partition(":")
    cls: type[Screen[Any]] = getattr(importlib.import_module(f"quizapp.ui.screens.{module}"), name)
    return cls


# fmt: off
AREAS: tuple[Area, ...] = (
    Area("study", "Study", "s", "due cards, then new ones", "due, then new cards", "study:StudyScreen"),  # noqa: E501
    Area("traps", "Traps", "t", "spot what is wrong", "spot what is wrong", "study:StudyScreen", build="traps"),  # noqa: E501
    Area("quiz", "Quiz", "z", "mixed questions, scored", "mixed, scored", "quiz:QuizSetupScreen", more=("quiz:QuizRunScreen", "quiz:QuizResultsScreen")),  # noqa: E501
    Area("mock", "Mock interview", "m", "15 timed minutes on your weak spots", "timed, weak spots", "mock:MockInterviewScreen", build="start", more=("mock:MockReportScreen",)),  # noqa: E501
    Area("drills", "Drills", "d", "compute losses, derive gradients", "compute and derive", "drills:DrillsScreen", more=("drills:DrillRunScreen",)),  # noqa: E501
    Area("checklist", "Checklist", "c", "what to master, with evidence", "what to master", "checklist:ChecklistScreen"),  # noqa: E501
    Area("plan", "Plan", "p", "readiness and each day to the interview", "to interview day", "plan:PlanScreen"),  # noqa: E501
    Area("cram", "Cram", "r", "cards below target, schedule untouched", "below target", "cram:CramScreen"),  # noqa: E501
    Area("cheatsheet", "Cheat sheet", "h", "formulas and comparisons", "formulas, tables", "cheatsheet:CheatSheetScreen"),  # noqa: E501
    Area("curves", "Loss curves", "v", "losses and gradients, plotted", "losses plotted", "curves:LossCurvesScreen"),  # noqa: E501
    Area("browse", "Browse", "b", "every card: search, suspend, reset", "search all cards", "browse:BrowseScreen"),  # noqa: E501
    Area("stats", "Stats", "i", "reviews, retention, accuracy", "your progress", "stats:StatsScreen"),  # noqa: E501
    Area("settings", "Settings", "o", "retention, interview date", "goal, interview date", "settings:SettingsScreen"),  # noqa: E501
)
# fmt: on

AREA_BY_NAME = {a.name: a for a in AREAS}
