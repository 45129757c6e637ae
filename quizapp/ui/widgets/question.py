"""One quiz question, any kind: the prompt, the way to answer it, and the feedback.

The view grades through ``Quiz.grade`` and keeps the answer with ``Quiz.record``; gradients (which
go to the checker process) are typed in a multi-line editor (one line: a final answer; several: a
derivation checked line by line), graded in a thread worker and previewed live line by line, so
the UI never waits. Worker results come back as messages; the question's ``stage`` (answering,
checking, answered) is reactive and drives what is shown."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, OptionList, SelectionList, Static, TextArea
from textual.widgets.option_list import Option

from quizapp.decks.kinds import handler, register
from quizapp.decks.models import (
    GradientDrill,
    InterviewQuestion,
    LossCurve,
    MultipleChoice,
    NumericDrill,
    Ordering,
    Trap,
)
from quizapp.policy import RATING_LABELS, RETRY_NOTE
from quizapp.quiz import Feedback, Hint, Question, Quiz
from quizapp.ui.widgets.card_view import HeaderLine
from quizapp.ui.widgets.derivation import CHECK_KEYS, DerivationEditor, answer_help, hint_renderable
from quizapp.ui.widgets.feedback import LETTERS, drill_table, feedback_renderable
from quizapp.ui.widgets.loss_curve import CurvePicture

if TYPE_CHECKING:
    from quizapp.mathcheck.inprocess import Preview


def show_whole(widget: Widget) -> None:
    """Scroll the question around ``widget`` so all of it shows (its top, if it is taller than
    the screen). Worked out from the regions on screen: Textual's scroll_visible stops a row or
    two short here (the question's padding, the widget's margin), leaving the last rows under
    the footer (a message under the answer box at 80x24 was out of view)."""
    area = next((a for a in widget.ancestors if isinstance(a, ScrollableContainer)), None)
    if area is None or not widget.region:
        return
    window, mine = area.scrollable_content_region, widget.region
    below = mine.bottom - window.bottom
    above = window.y - mine.y
    if mine.height > window.height or above > 0:
        area.scroll_relative(y=-above, animate=False, immediate=True)
    elif below > 0:
        area.scroll_relative(y=below, animate=False, immediate=True)


def _choice_prompt(letter: str, text: str) -> Table:
    """An option's letter and its text, a wrapped line starting under the text (it started
    under the letter, so the options' letters were hard to pick out at 80 columns)."""
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(letter, text)
    return grid


class ChoiceList(OptionList):
    """A question's options. On a short terminal the question scrolls (a loss curve's plot
    pushes its options below the fold at 80x24), so the keys keep the options in reach: moving
    the highlight (down/up, j/k, home/end) brings the options into view, and page down/up
    scroll the whole question instead of jumping the highlight."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_question(1)", "Page down", show=False),
        Binding("pageup", "page_question(-1)", "Page up", show=False),
    ]

    def _question_area(self) -> ScrollableContainer | None:
        for ancestor in self.ancestors:
            if isinstance(ancestor, ScrollableContainer):
                return ancestor
        return None

    def _in_view(self) -> None:
        """Scroll the question so the whole list shows (its top, if it is taller than the
        screen)."""
        show_whole(self)

    def action_cursor_down(self) -> None:
        super().action_cursor_down()
        self._in_view()

    def action_cursor_up(self) -> None:
        super().action_cursor_up()
        self._in_view()

    def action_first(self) -> None:
        super().action_first()
        self._in_view()

    def action_last(self) -> None:
        super().action_last()
        self._in_view()

    def action_page_question(self, pages: int) -> None:
        area = self._question_area()
        if area is not None:
            (area.scroll_page_down if pages > 0 else area.scroll_page_up)(animate=False)


class QuestionView(Vertical):
    """Shows ``quiz.questions[index]``; posts ``Answered`` once the answer is graded.

    ``stage`` is "answering", "checking" (a gradient in the checker) or "answered"; it and the
    other reactives below decide which parts are shown (``_sync``: a "-shown" class on each
    part, which the CSS turns into display)."""

    # The class goes on each part, not on the view: a class on the view restyles every widget
    # in it (some 60 ms a change on a busy machine), a class on a Static only that Static.
    DEFAULT_CSS = """
    QuestionView .q-hint, QuestionView .q-feedback, QuestionView .q-preview,
    QuestionView .q-points, QuestionView .q-hint-keys {
        display: none;
    }
    QuestionView .q-hint.-shown, QuestionView .q-feedback.-shown, QuestionView .q-preview.-shown,
    QuestionView .q-points.-shown, QuestionView .q-hint-keys.-shown {
        display: block;
    }
    """

    BINDINGS = [Binding(CHECK_KEYS, "check", "Check", key_display="ctrl+s")]

    stage: reactive[str] = reactive("answering")
    told = reactive(False)  # an ungraded message (e.g. a line that cannot be read) is shown
    previewing = reactive(False)
    hint_level = reactive(0)
    points_shown = reactive(False)

    class Answered(Message):
        def __init__(self, view: QuestionView, feedback: Feedback) -> None:
            super().__init__()
            self.view = view
            self.feedback = feedback

    class Graded(Message):
        """A gradient graded in the worker thread (recorded on the UI thread when it arrives)."""

        bubble = False

        def __init__(self, response: str, feedback: Feedback, seconds: float) -> None:
            super().__init__()
            self.response = response
            self.feedback = feedback
            self.seconds = seconds

    class PreviewReady(Message):
        """How one line of the editor reads, worked out in the worker thread."""

        bubble = False

        def __init__(self, text: str, row: int, expression: str, preview: Preview | None) -> None:
            super().__init__()
            self.text = text
            self.row = row
            self.expression = expression
            self.preview = preview

    class Previewed(Message):
        """Posted after each preview is drawn (the latency benchmark listens for it)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(
        self,
        quiz: Quiz,
        index: int,
        *,
        position: str = "",
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="question")
        self.quiz = quiz
        self.index = index
        self.question = quiz.questions[index]
        self.position = position
        self.shown_at = time.monotonic()
        self.hints: list[Hint] = []
        self.feedback: Feedback | None = None
        self.chosen: int | None = None  # the option picked (multiple choice)
        self.proof_open = False  # a proved gradient's proof unfolded (p)
        self._rating = ""
        self._preview_row = -1
        self._preview_running = False
        self._several_lines = False
        self._preview_pending = False

    # -- layout
    def compose(self) -> ComposeResult:
        q = self.question
        yield Static(self._header(), classes="q-header")
        yield Static(self._prompt(), classes="q-prompt")
        if q.choices:
            yield ChoiceList(
                *(
                    Option(_choice_prompt(LETTERS[i], c.text), id=str(i))
                    for i, c in enumerate(q.choices)
                ),
                classes="q-choices",
            )
        elif q.answer == "points":
            yield Static(
                Text("Answer out loud, as in the interview. Then press enter and tick the key "
                     "points you covered.", style="dim"),
                classes="q-help",
            )  # fmt: skip
            yield SelectionList[int](classes="q-points")
        elif q.answer == "math":
            yield DerivationEditor(placeholder=self._placeholder(), classes="q-answer")
            yield Static(classes="q-preview")
            yield Static(answer_help(1), classes="q-help q-hint-keys")
        else:
            yield Input(placeholder=self._placeholder(), classes="q-answer")
            yield Static(Text("enter: check", style="dim"), classes="q-help")
        yield Static(classes="q-hint")
        yield Static(classes="q-feedback")

    def on_mount(self) -> None:
        self.shown_at = time.monotonic()
        self.focus_answer()

    def focus_answer(self) -> None:
        for selector in (".q-choices", ".q-answer", ".q-points"):
            found = self.query(selector)
            if found and (selector != ".q-points" or self.points_shown):
                # The options take the keys but the question is read from its top: on a short
                # terminal the first key that moves in them brings them into view (ChoiceList).
                found.first().focus(scroll_visible=selector != ".q-choices")
                return
        self.focus()

    # -- the stage and what it shows
    def watch_stage(self, stage: str) -> None:
        if stage != "answering":
            self.told = False
        for editor in self.query(DerivationEditor):
            # No edits while the text is being checked or once answered; set without the
            # watcher, whose restyle of the editor would cost more than the check itself.
            editor.set_reactive(DerivationEditor.read_only, stage != "answering")
        if stage == "answered":
            for widget in self.query(".q-answer, .q-choices, .q-points"):
                widget.disabled = True
        self._sync()

    def watch_told(self) -> None:
        self._sync()

    def watch_previewing(self) -> None:
        self._sync()

    def watch_hint_level(self) -> None:
        self._sync()

    def watch_points_shown(self) -> None:
        self._sync()

    def _sync(self) -> None:
        """Show each part the state calls for."""
        answering = self.stage == "answering"
        shown = {
            "q-feedback": not answering or self.told,
            "q-preview": answering and self.previewing,
            "q-hint": self.hint_level > 0,
            "q-points": self.points_shown,
            "q-hint-keys": answering,
        }
        for child in self.children:
            for name, show in shown.items():
                if child.has_class(name):
                    child.set_class(show, "-shown")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "check":
            return self.question.answer == "math" and self.stage == "answering"
        return True

    def _header(self) -> HeaderLine:
        q = self.question
        text = Text()
        text.append(f" {q.label.upper()} ", style="bold reverse")
        if self.position:
            text.append(f"  {self.position}", style="bold")
        return HeaderLine(text, q.tags)

    def _prompt(self) -> RenderableType:
        q = self.question
        extra: list[RenderableType] = handler(q.kind, "prompt")(q)
        return Group(Text(q.prompt, style="bold"), *extra)

    def _placeholder(self) -> str:
        return self.question.placeholder

    # -- answering
    @on(OptionList.OptionSelected, ".q-choices")
    def _choice(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.stage == "answering" and event.option.id is not None:
            self.grade(int(event.option.id))

    @on(Input.Submitted, ".q-answer")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self.stage == "answering":
            self.grade(event.value)

    @on(DerivationEditor.CheckRequested)
    def _enter_on_empty_line(self, event: DerivationEditor.CheckRequested) -> None:
        event.stop()
        self.action_check()

    def action_check(self) -> None:
        """Check the gradient typed (one line: a final answer; several: a derivation)."""
        if self.question.answer != "math" or self.stage != "answering":
            return  # a second press while checking does nothing
        text = self.query_one(DerivationEditor).text
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines:
            self._tell(Feedback(None, "invalid", "Type an answer first: your derivative, or a "
                                "derivation with one step a line."))  # fmt: skip
            return
        self.stage = "checking"
        what = "Checking…" if len(lines) == 1 else f"Checking {len(lines)} lines…"
        self._show(Feedback(None, "checking", what))
        self._grade_in_thread(text, time.monotonic() - self.shown_at)

    def submit_explain(self) -> None:
        """Explain questions: first enter shows the key points, the second grades the ticks."""
        points = self.query_one(".q-points", SelectionList)
        if not self.points_shown:
            from quizapp.ui.widgets.card_view import key_points

            steps = self.question.steps
            points.add_options([(f"{i + 1}. {p}", i) for i, p in enumerate(steps)])
            self.points_shown = True
            points.focus()
            points.highlighted = 0  # so the first space ticks the first point
            # Each point in full above the tick list (which has one line per point).
            self.query_one(".q-help", Static).update(
                Group(
                    key_points(steps),
                    Text(""),
                    Text("Space ticks a point you covered; enter when done.", style="dim"),
                )
            )
            return
        self.grade(",".join(str(i) for i in points.selected))

    def grade(self, response: str | int) -> None:
        """Grade an answer now (choices, ordering, numbers, explain ticks)."""
        seconds = time.monotonic() - self.shown_at
        if self.question.choices:
            self.chosen = int(response)
        self._finish(response, self.quiz.grade(self.index, response), seconds)

    @work(thread=True, exclusive=True, group="grade")
    def _grade_in_thread(self, text: str, seconds: float) -> None:
        feedback = self.quiz.grade(self.index, text)  # the slow part, off the UI thread
        # A message, not a call: it is dropped if the learner has left the question meanwhile.
        self.post_message(self.Graded(text, feedback, seconds))

    @on(Graded)
    def _graded(self, event: Graded) -> None:
        self._finish(event.response, event.feedback, event.seconds)

    def _finish(self, response: str | int, feedback: Feedback, seconds: float) -> None:
        """Show the feedback; a graded answer is recorded (here, on the UI thread)."""
        if not feedback.graded:
            self.stage = "answering"
            self._tell(feedback)
            return
        if self.index in self.quiz.answers:
            return  # recorded already (the core refuses a second answer)
        answer = self.quiz.record(self.index, response, feedback, seconds=seconds)
        self.feedback = feedback
        rating = RATING_LABELS[answer.rating]
        if self.index in self.quiz.retries:
            rating += f": {RETRY_NOTE}"
        self._show(feedback, rating=rating)
        self.stage = "answered"
        self.post_message(self.Answered(self, feedback))

    def _tell(self, feedback: Feedback) -> None:
        """A message that grades nothing (the learner may answer again)."""
        self._show(feedback)
        self.told = True
        # On a short terminal it may sit below the answer box: bring it into view.
        self.call_after_refresh(show_whole, self.query_one(".q-feedback"))

    def on_resize(self) -> None:
        # A message's place settles a layout later when it makes the question overflow: the
        # scrollbar that appears narrows the text, which wraps onto more rows. Keep it in view.
        if self.told and self.stage == "answering":
            self.call_after_refresh(show_whole, self.query_one(".q-feedback"))

    def toggle_proof(self) -> None:
        """Unfold (or fold) the proof under a correct gradient's verdict."""
        if self.feedback is None or not self.feedback.proof:
            return
        self.proof_open = not self.proof_open
        self._show(self.feedback, rating=self._rating)
        self.call_after_refresh(show_whole, self.query_one(".q-feedback"))

    def _show(self, feedback: Feedback, *, rating: str = "") -> None:
        panel = self.query_one(".q-feedback", Static)
        self._rating = rating
        panel.update(
            feedback_renderable(
                feedback,
                rating=rating,
                question=self.question,
                chosen=self.chosen,
                proof_open=self.proof_open,
            )
        )
        panel.set_class(feedback.verdict == "correct", "-correct")
        panel.set_class(feedback.verdict == "incorrect", "-incorrect")

    # -- hints (gradient drills): a ladder, one rung a press
    def show_hint(self) -> Hint | None:
        """Show the next rung of the hint ladder (None when there is none to show)."""
        if self.stage != "answering":
            return None
        hint = self.quiz.hint(self.index)
        if hint is None:
            return None
        self.hints.append(hint)
        panel = self.query_one(".q-hint", Static)
        panel.update(hint_renderable(self.hints))
        self.hint_level = hint.level
        self.call_after_refresh(show_whole, panel)
        return hint

    # -- live preview (gradient drills): the line the cursor is on
    @on(Input.Changed, ".q-answer")
    def _retyped(self, event: Input.Changed) -> None:
        event.stop()
        self.told = False  # a message about the previous text no longer applies

    @on(TextArea.Changed, ".q-answer")
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self.stage == "answering":
            # A message about the previous text (e.g. "type an answer first") no longer applies.
            self.told = False
        # The key line says how one line is read until there are two (updated only then: an
        # update lays the screen out again, too slow for every key).
        several = event.text_area.document.line_count > 1
        if several != self._several_lines:
            self._several_lines = several
            self.query_one(".q-hint-keys", Static).update(answer_help(2 if several else 1))
        self._preview_row = -1
        self._refresh_preview()

    @on(TextArea.SelectionChanged, ".q-answer")
    def _moved(self, event: TextArea.SelectionChanged) -> None:
        event.stop()
        if self.query_one(DerivationEditor).current_line != self._preview_row:
            self._refresh_preview()

    def _refresh_preview(self) -> None:
        editor = self.query_one(DerivationEditor)
        row = editor.current_line
        self._preview_row = row
        if self.quiz.checker is None or self.stage != "answering":
            return
        if not editor.document.get_line(row).strip():
            self.previewing = False
            return
        # One preview at a time: keys that come faster than previews (a held key, a typed-in
        # wall of text, a busy machine) are previewed once, when the running one is back.
        if self._preview_running:
            self._preview_pending = True
            return
        self._preview_running = True
        self._preview(editor.text, row)

    @work(thread=True, exclusive=True, group="preview")
    def _preview(self, text: str, row: int) -> None:
        expression, preview = self.quiz.preview_line(self.index, text, row)
        # Posted even without a preview: it says the next one may start.
        self.post_message(self.PreviewReady(text, row, expression, preview))

    @on(PreviewReady)
    def _show_preview(self, event: PreviewReady) -> None:
        self._preview_running = False
        if self._preview_pending:
            self._preview_pending = False
            self._refresh_preview()
        editor = self.query_one(DerivationEditor)
        stale = editor.text != event.text or editor.current_line != event.row
        if event.preview is None or stale or self.stage != "answering":
            return
        target = self.query_one(".q-preview", Static)
        preview = event.preview
        several = editor.document.line_count > 1
        if preview.ok:
            body = Text()
            where = f"line {event.row + 1} " if several else ""
            body.append(f"{where}interpreted as\n", style="dim")
            body.append(preview.render())
            target.update(body)
        else:
            where = f"line {event.row + 1}: " if several else ""
            target.update(Text(where + (preview.error or ""), style="red"))
        target.set_class(not preview.ok, "-error")
        self.previewing = True
        self.post_message(self.Previewed(event.text))


# --------------------------------------------------------------------------- each kind's prompt
# What a question shows under its prompt, by kind (``quizapp.decks.kinds``).


@register(MultipleChoice.kind, "prompt")
@register(Trap.kind, "prompt")
@register(InterviewQuestion.kind, "prompt")
def _prompt_only(q: Question) -> list[RenderableType]:
    return []  # the choices or the key points are widgets of their own


@register(Ordering.kind, "prompt")
def _ordering_prompt(q: Question) -> list[RenderableType]:
    steps = Text()
    for i, step in enumerate(q.steps, 1):
        steps.append(f"{i}. ", style="bold cyan")
        steps.append(step + ("\n" if i < len(q.steps) else ""))
    return [Text(""), steps]


@register(NumericDrill.kind, "prompt")
def _numeric_prompt(q: Question) -> list[RenderableType]:
    if q.drill is None:
        return []
    return [
        Text(""),
        drill_table(q),
        Text(""),
        Text.assemble(("Formula  ", "bold"), q.drill.formula),
        Text(f"Tolerance: {q.drill.tolerance_text}", style="dim"),
    ]


@register(LossCurve.kind, "prompt")
def _loss_curve_prompt(q: Question) -> list[RenderableType]:
    assert isinstance(q.card, LossCurve)
    return [Text(""), CurvePicture(q.card)]


@register(GradientDrill.kind, "prompt")
def _gradient_prompt(q: Question) -> list[RenderableType]:
    card = q.card
    assert isinstance(card, GradientDrill)
    parts: list[RenderableType] = [Text(""), Text.assemble(("Loss  ", "bold"), card.loss)]
    names = ", ".join(f"{k}: {v}" for k, v in card.variables.items())
    parts.append(Text(f"Variables  {names}", style="dim"))
    quantities = card.quantities or {}
    if quantities:
        named = ", ".join(f"{k} = {v}" for k, v in quantities.items())
        parts.append(Text(f"You may use  {named}", style="dim"))
    return parts
