"""Practice quizzes: set up, answer question by question with feedback, see the results."""

from __future__ import annotations

import random
from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Footer,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from quizapp.decks.kinds import quiz_kinds
from quizapp.policy import MAX_HINT_LEVEL as HINT_RUNGS
from quizapp.quiz import DEFAULT_LENGTH, Quiz, Results, points_text
from quizapp.ui.screens.base import QuizScreen, styles
from quizapp.ui.widgets.feedback import LETTERS
from quizapp.ui.widgets.more_below import NOTE as MORE_BELOW
from quizapp.ui.widgets.more_below import follow
from quizapp.ui.widgets.question import QuestionView
from quizapp.ui.widgets.title_bar import TitleBar

ALL_TAGS = "__all__"


class QuizSetupScreen(QuizScreen):
    """How many questions, which tag, which kinds; enter starts with the defaults."""

    CSS_PATH = styles("practice")

    BINDINGS = [
        Binding("ctrl+s", "start", "Start"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        # The form scrolls on its own (a terminal shorter than it), under a title bar that stays;
        # its fields are one line each, so at 80x24 it fits whole and nothing scrolls at all.
        with (
            VerticalScroll(id="setup-scroll", can_focus=False),
            Vertical(id="setup-box", classes="panel") as box,
        ):
            box.border_title = "New quiz"
            with Grid(id="setup-grid"):
                yield Label("Questions")
                yield Input(str(DEFAULT_LENGTH), id="count", type="integer", compact=True)
                yield Label("Tag")
                yield Select(
                    [("All tags", ALL_TAGS), *((t, t) for t in self.app.library.tags)],
                    value=ALL_TAGS,
                    allow_blank=False,
                    id="quiz-tag",
                    compact=True,
                )
                yield Label("Deck")
                yield Select(
                    [("All decks", ALL_TAGS), *((d, d) for d in self.app.library.decks)],
                    value=ALL_TAGS,
                    allow_blank=False,
                    id="quiz-deck",
                    compact=True,
                )
            yield Label("Kinds of question (space toggles)", id="kinds-label")
            yield SelectionList[str](
                *((label, kind, True) for kind, label in quiz_kinds().items()),
                id="kinds",
                compact=True,
            )
            yield Static(id="setup-error")
            with Horizontal(id="setup-actions"):
                yield Button("Start (enter)", id="start", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#start", Button).focus()

    def on_key(self, event: events.Key) -> None:
        """A number typed on the form is the number of questions, whatever has the focus (it
        starts on Start, where typing 5 did nothing at all)."""
        if not (event.character or "").isdigit() or isinstance(self.focused, Input):
            return
        event.stop()
        event.prevent_default()
        count = self.query_one("#count", Input)
        count.select_on_focus = False  # the digit typed is kept, not selected for replacing
        count.value = event.character or ""
        count.focus()
        count.cursor_position = len(count.value)

    @on(events.DescendantBlur, "#count")
    def _select_again(self) -> None:
        self.query_one("#count", Input).select_on_focus = True  # tab back in: type over it

    @on(Input.Changed)
    @on(SelectionList.SelectedChanged)
    def _clear_error(self) -> None:
        # An error about the old choice no longer applies once the learner changes it.
        self.query_one("#setup-error", Static).update("")

    @on(Button.Pressed, "#start")
    @on(Input.Submitted, "#count")
    def action_start(self) -> None:
        error = self.query_one("#setup-error", Static)
        try:
            count = int(self.query_one("#count", Input).value or DEFAULT_LENGTH)
        except ValueError:
            count = 0
        if not 1 <= count <= 50:
            error.update(Text("Questions: give a whole number from 1 to 50.", style="bold red"))
            return
        kinds = list(self.query_one("#kinds", SelectionList).selected)
        if not kinds:
            error.update(Text("Pick at least one kind of question.", style="bold red"))
            return
        tag = self.query_one("#quiz-tag", Select).value
        tags = [] if tag in (ALL_TAGS, Select.BLANK) else [str(tag)]
        deck = self.query_one("#quiz-deck", Select).value
        deck_name = None if deck in (ALL_TAGS, Select.BLANK) else str(deck)
        quiz = self.app.new_quiz(n=count, tags=tags, kinds=kinds, deck=deck_name)
        if not quiz.questions:
            error.update(
                Text("No questions match that tag, deck and those kinds.", style="bold red")
            )
            return
        self.app.switch_screen(QuizRunScreen(quiz))


class QuestionRunner(QuizScreen):
    """Shows a quiz's questions one at a time; subclasses decide how a session ends."""

    CSS_PATH = styles("practice")

    BINDINGS = [
        Binding("enter", "next", "Next", show=False),
        Binding("n", "next", "Next question"),
        Binding("ctrl+t", "hint", "Hint"),
        Binding("enter", "reveal_points", "Key points", show=False),
        Binding("d", "done_points", "Done ticking"),
        Binding("p", "proof", "Proof"),  # a proved gradient's proof, folded or not
        # "a" once per number of options, so the footer names the letters there are (a-d)
        *(
            Binding("a", f"choose(0, {n})", "Choose", key_display="a-" + LETTERS[n - 1])
            for n in range(2, 7)
        ),
        Binding("a", "choose(0)", "Choose", show=False),
        *(Binding(letter, f"choose({i})", show=False) for i, letter in enumerate(LETTERS[1:6], 1)),
        Binding("escape", "end", "End"),
        # The question scrolls (at 80x24 a plot and its options are taller than the screen).
        Binding("pagedown", "scroll_question(1, True)", "Page down", show=False),
        Binding("pageup", "scroll_question(-1, True)", "Page up", show=False),
        Binding("down,j", "scroll_question(2)", "Scroll down", show=False),
        Binding("up,k", "scroll_question(-2)", "Scroll up", show=False),
    ]

    def __init__(self, quiz: Quiz) -> None:
        super().__init__()
        self.session = quiz
        self.index = 0
        self.more_below = False  # the question goes on below the screen's edge
        self._recheck_more: Callable[[], None] = lambda: None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="run-status")
        yield VerticalScroll(id="question-area")
        yield Footer()

    async def on_mount(self) -> None:
        area = self.query_one("#question-area", VerticalScroll)
        self._recheck_more = follow(self, area, self._more_below_changed)
        await self.show_question()

    def on_resize(self) -> None:
        self._recheck_more()

    def _more_below_changed(self, more: bool) -> None:
        self.more_below = more
        self.update_status()

    @property
    def view(self) -> QuestionView | None:
        found = self.query(QuestionView)
        return found.first() if found else None

    def position_text(self) -> str:
        return f"{self.index + 1} of {len(self.session.questions)}"

    async def show_question(self) -> None:
        area = self.query_one("#question-area", VerticalScroll)
        # Wait for the old question to go before the new one comes (keys may arrive fast).
        await area.remove_children()
        view = QuestionView(self.session, self.index, position=self.position_text())
        await area.mount(view)
        area.scroll_home(animate=False)
        self.update_status()
        self.refresh_bindings()

    def update_status(self) -> None:
        # Half points for a gradient with a named slip (quizapp.policy.credit_for).
        right = points_text(sum(a.credit for a in self.session.answers.values()))
        text = Text.assemble(
            (self.title_text(), "bold"),
            f"  ·  {right} of {len(self.session.answers)} right so far",
            no_wrap=True,
            overflow="ellipsis",
        )
        if self.more_below:
            text.append(f"  ·  {MORE_BELOW}", style="bold")
        self.query_one("#run-status", Static).update(text)

    def title_text(self) -> str:
        return "Quiz"

    # -- bindings
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if view is None:
            return action == "end"
        answered = view.feedback is not None
        q = view.question
        if action == "next":
            return answered
        if action == "proof":
            return answered and bool(view.feedback and view.feedback.proof)
        if action == "hint":  # while a rung of the hint ladder is left to show
            return q.answer == "math" and not answered and view.hint_level < HINT_RUNGS
        if action == "choose":
            index, *count = (int(p) for p in parameters)  # type: ignore[call-overload]
            if count and len(q.choices) != count[0]:
                return False  # another "a" binding names these options' letters
            return bool(q.choices) and not answered and index < len(q.choices)
        if action == "scroll_question":  # the answer box and a list keep their own arrows
            return not isinstance(self.focused, Input | TextArea | OptionList)
        if action in ("reveal_points", "done_points"):
            if q.answer != "points" or answered:
                return False
            shown = view.points_shown
            return not shown if action == "reveal_points" else shown
        return True

    def action_scroll_question(self, amount: int, pages: bool = False) -> None:
        area = self.query_one("#question-area", VerticalScroll)
        if pages:
            (area.scroll_page_down if amount > 0 else area.scroll_page_up)(animate=False)
        else:
            area.scroll_relative(y=amount, animate=False)

    def on_question_view_answered(self, event: QuestionView.Answered) -> None:
        self.update_status()
        self.refresh_bindings()
        self.set_focus(None)  # keys now belong to the screen: enter / n go on
        # The verdict's first line in view (a checked derivation can be taller than the screen).
        panel = event.view.query_one(".q-feedback")
        self.call_after_refresh(panel.scroll_visible, animate=False, top=True)

    def action_choose(self, index: int, _count: int = 0) -> None:
        view = self.view
        if view is not None and view.feedback is None:
            view.grade(index)

    def action_proof(self) -> None:
        if self.view is not None:
            self.view.toggle_proof()

    def action_hint(self) -> None:
        view = self.view
        if view is None:
            return
        hint = view.show_hint()
        self.refresh_bindings()  # after the last rung, the key leaves the footer
        if hint is not None:
            more = f"{hint.remaining} more" if hint.remaining else "the last one"
            self.notify(f"Hint {hint.level} of {hint.of} ({more}): {hint.cost}.", timeout=4)
        elif view.hints:
            self.notify("No more hints: that was the full derivation.", timeout=3)

    def action_reveal_points(self) -> None:
        if self.view is not None:
            self.view.submit_explain()
            self.refresh_bindings()

    def action_done_points(self) -> None:
        if self.view is not None:
            self.view.submit_explain()

    async def action_next(self) -> None:
        if self.index + 1 < len(self.session.questions):
            self.index += 1
            await self.show_question()
        else:
            self.action_end()

    def action_end(self) -> None:
        raise NotImplementedError


class QuizRunScreen(QuestionRunner):
    def action_end(self) -> None:
        self.app.switch_screen(QuizResultsScreen(self.session))


class QuizResultsScreen(QuizScreen):
    CSS_PATH = styles("practice")

    BINDINGS = [
        Binding("r", "retry", "Retry the missed"),
        Binding("z", "again", "New quiz"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, quiz: Quiz) -> None:
        super().__init__()
        self.session = quiz
        self.results: Results = quiz.finish()

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="results"):
            yield Static(results_renderable(self.session, self.results), id="results-body")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return bool(self.results.missed)
        return True

    def action_retry(self) -> None:
        retry = self.session.retry_missed(self.app.library, seed=random.randrange(10**6))
        self.app.switch_screen(QuizRunScreen(retry))

    def action_again(self) -> None:
        self.app.switch_screen(QuizSetupScreen())


def results_renderable(quiz: Quiz, results: Results) -> Table:
    outer = Table.grid(padding=(1, 0))
    if not results.total:
        outer.add_row(Text("No questions answered; nothing was recorded.", style="dim"))
        return outer
    style = (
        "bold green"
        if results.score >= 0.8
        else "bold yellow"
        if results.score >= 0.5
        else "bold red"
    )
    outer.add_row(Text(f"Score: {results.describe()}", style=style))
    tags = Table(title="By tag", title_justify="left", title_style="bold", box=None, padding=(0, 2))
    tags.add_column("Tag")
    tags.add_column("Right", justify="right")
    tags.add_column("Share", justify="right")
    for tag, (right, asked) in sorted(results.by_tag.items(), key=lambda kv: kv[1][0] / kv[1][1]):
        share = right / asked
        tags.add_row(
            tag,
            f"{points_text(right)}/{asked}",
            Text(
                f"{share:.0%}",
                style="green" if share >= 0.8 else "red" if share < 0.5 else "yellow",
            ),
        )
    outer.add_row(tags)
    if results.missed:
        missed = Text()
        missed.append("Missed (r retries them, with fresh numbers for drills)\n", style="bold")
        for q in results.missed:
            missed.append(f" • {q.label}: ", style="dim")
            missed.append(f"{q.card.title}\n")
        outer.add_row(missed)
    unasked = len(quiz.questions) - results.total
    if unasked:
        outer.add_row(Text(f"{unasked} not answered (the quiz was ended early).", style="yellow"))
    elif not results.missed:
        outer.add_row(Text("Nothing missed.", style="green"))
    outer.add_row(Text("Every answer has been saved and scheduled for review.", style="dim"))
    return outer
