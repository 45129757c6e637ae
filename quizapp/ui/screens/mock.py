"""Mock interview: a timed mixed session that favours weak topics and due items, with "explain"
questions, ending in a report of what to revise."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from quizapp.mock import DEFAULT_MINUTES, MockReport, build_mock, mock_report
from quizapp.quiz import Quiz
from quizapp.stats import compute_stats
from quizapp.ui.screens.base import QuizScreen, styles
from quizapp.ui.screens.quiz import QuestionRunner
from quizapp.ui.widgets.title_bar import TitleBar

# Seconds a second esc has to end a mock interview; the notice asking for it stays up as long.
ESCAPE_WINDOW = 3.0

if TYPE_CHECKING:
    from quizapp.ui.app import QuizApp


class MockInterviewScreen(QuestionRunner):
    BINDINGS = [Binding("escape", "end", "End the interview")]

    def __init__(self, quiz: Quiz, *, minutes: float = DEFAULT_MINUTES) -> None:
        super().__init__(quiz)
        self.seconds = minutes * 60
        self.started_wall = datetime.now(UTC)
        self.started = time.monotonic()
        self.ended = False
        self.escape_at = -1e9

    @classmethod
    def start(cls, app: QuizApp, *, minutes: float = DEFAULT_MINUTES) -> MockInterviewScreen:
        stats = compute_stats(app.store, app.library)
        due = set(app.queue().next(limit=10_000))
        quiz = build_mock(
            app.library,
            stats=stats,
            due=due,
            seed=random.randrange(10**6),
            store=app.store,
            checker=app.checker(),
        )
        return cls(quiz, minutes=minutes)

    async def on_mount(self) -> None:
        await super().on_mount()
        self.set_interval(1.0, self.tick)

    def title_text(self) -> str:
        left = max(0, self.seconds - (time.monotonic() - self.started))
        return f"Mock interview  ·  {int(left // 60):02d}:{int(left % 60):02d} left"

    def position_text(self) -> str:
        return f"question {self.index + 1}"

    def tick(self) -> None:
        if self.ended:
            return
        if time.monotonic() - self.started >= self.seconds:
            self.action_end()
            self.notify("Time is up.", timeout=3)
        else:
            self.update_status()

    def may_leave(self, what: str) -> bool:
        # The palette (another area, a card) or q left an interview under way at once, without
        # the second esc that ending it asks for, and without its report.
        if self.ended:
            return True
        self.notify(
            f"A mock interview is under way: press esc twice to end it and see its report, "
            f"then {what}." + (" ctrl+q quits at once." if what == "quit" else ""),
            timeout=5,
            markup=False,
        )
        return False

    def action_end(self) -> None:
        if self.ended:
            return
        timed_out = time.monotonic() - self.started >= self.seconds
        if not timed_out and time.monotonic() - self.escape_at > ESCAPE_WINDOW:
            # An interview is not ended by one stray key; the notice stays up exactly as long
            # as a second esc ends it.
            self.escape_at = time.monotonic()
            self.notify("Press esc again to end the interview now.", timeout=ESCAPE_WINDOW)
            return
        self.ended = True
        # "Press esc again to end the interview now." stayed over the report, and a third esc
        # (as it seemed to ask) left the report unread.
        self.app.clear_notifications()
        self.session.finish()
        view = self.view
        # A question still open when the interview ends (the time ran out, or esc esc) counts in
        # the report (not "nothing missed").
        open_question = [view.question.card] if view and view.feedback is None else []
        report = mock_report(
            self.session,
            self.app.library,
            started=self.started_wall,
            ended=datetime.now(UTC),
            unanswered=open_question,
            timed_out=timed_out,
        )
        self.app.switch_screen(MockReportScreen(report))


class MockReportScreen(QuizScreen):
    CSS_PATH = styles("practice")

    BINDINGS = [
        Binding("p", "practise", "Practise the missed"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, report: MockReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="results"):
            yield Static(self.body(), id="report-body")
        yield Footer()

    def body(self) -> Group:
        r = self.report
        parts = [Text("Mock interview report", style="bold"), Text("")]
        parts += [Text(line) for line in r.lines()]
        if r.revise or r.unanswered:
            revise = Text("\nRevise these\n", style="bold")
            for card in [*r.revise, *r.unanswered]:
                revise.append(f" • {card.label}: ", style="dim")
                revise.append(f"{card.title}\n")
            parts.append(revise)
        if r.checklist:
            check = Text("Checklist items to shore up\n", style="bold")
            for title in r.checklist:
                check.append(f" • {title}\n")
            parts.append(check)
        if r.answered:
            parts.append(Text("Every answer was saved and scheduled.", style="dim"))
        return Group(*parts)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return bool(self.report.revise or self.report.unanswered) if action == "practise" else True

    def action_practise(self) -> None:
        from quizapp.ui.screens.quiz import QuizRunScreen

        ids = [c.id for c in [*self.report.revise, *self.report.unanswered]]
        self.app.switch_screen(QuizRunScreen(self.app.new_quiz(item_ids=ids, mode="quiz")))
