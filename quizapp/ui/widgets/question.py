"""One quiz question, any kind: the prompt, the way to answer it, and the feedback.

The view grades through ``Quiz.grade`` and keeps the answer with ``Quiz.record``; gradients (which
go to the checker process) are graded in a thread worker and previewed live as the learner types,
so the UI never waits."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from quizapp.decks.models import GradientDrill
from quizapp.policy import RATING_LABELS
from quizapp.quiz import EXPLAIN_KIND, Feedback, Question, Quiz

if TYPE_CHECKING:
    from quizapp.mathcheck.checker import Preview

LETTERS = "abcdefgh"


def feedback_renderable(feedback: Feedback, *, rating: str = "") -> RenderableType:
    styles = {"correct": "bold green", "incorrect": "bold red"}
    mark = {"correct": "✓ ", "incorrect": "✗ "}.get(feedback.verdict, "• ")
    head = Text(mark + feedback.headline, style=styles.get(feedback.verdict, "bold yellow"))
    if rating:
        head.append(f"   (scheduled as {rating})", style="dim")
    lines: list[RenderableType] = [head]
    for detail in feedback.details:
        if detail.endswith(":") and len(detail) < 40:
            lines.append(Text(detail, style="bold"))
        else:
            lines.append(Text(detail))
    return Group(*lines)


def drill_table(question: Question) -> RenderableType:
    drill = question.drill
    assert drill is not None
    table = Table(box=None, header_style="bold cyan", padding=(0, 2))
    for column in drill.columns:
        table.add_column(column, justify="right")
    for row in drill.data():
        table.add_row(*(Text(_cell(v)) for v in row.values()))
    return table


def _cell(value: object) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class QuestionView(Vertical):
    """Shows ``quiz.questions[index]``; posts ``Answered`` once the answer is graded."""

    class Answered(Message):
        def __init__(self, view: QuestionView, feedback: Feedback) -> None:
            super().__init__()
            self.view = view
            self.feedback = feedback

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
        self.hints_used = 0
        self.feedback: Feedback | None = None
        self.busy = False

    # -- layout
    def compose(self) -> ComposeResult:
        q = self.question
        yield Static(self._header(), classes="q-header")
        yield Static(self._prompt(), classes="q-prompt")
        if q.choices:
            yield OptionList(
                *(
                    Option(Text.assemble((f"{LETTERS[i]}  ", "bold"), c.text), id=str(i))
                    for i, c in enumerate(q.choices)
                ),
                classes="q-choices",
            )
        elif q.kind == EXPLAIN_KIND:
            yield Static(
                Text("Answer out loud, as in the interview. Then press enter and tick the key "
                     "points you covered.", style="dim"),
                classes="q-help",
            )  # fmt: skip
            points = SelectionList[int](classes="q-points")
            points.display = False
            yield points
        else:
            yield Input(placeholder=self._placeholder(), classes="q-answer")
            if q.kind == "gradient_drill":
                yield Static(classes="q-preview")
            yield Static(Text(self._answer_help(), style="dim"), classes="q-help")
        yield Static(classes="q-hint")
        yield Static(classes="q-feedback")

    def on_mount(self) -> None:
        self.shown_at = time.monotonic()
        for selector in (".q-hint", ".q-feedback", ".q-preview"):
            for widget in self.query(selector):
                widget.display = False
        self.focus_answer()

    def focus_answer(self) -> None:
        for selector in (".q-choices", ".q-answer", ".q-points"):
            found = self.query(selector)
            if found and found.first().display:
                found.first().focus()
                return
        self.focus()

    def _header(self) -> Text:
        q = self.question
        text = Text()
        text.append(f" {q.label.upper()} ", style="bold reverse")
        if self.position:
            text.append(f"  {self.position}", style="bold")
        text.append(f"  {' · '.join(q.tags)}", style="dim")
        return text

    def _prompt(self) -> RenderableType:
        q = self.question
        parts: list[RenderableType] = [Text(q.prompt, style="bold")]
        if q.kind == "ordering":
            steps = Text()
            for i, step in enumerate(q.steps, 1):
                steps.append(f"{i}. ", style="bold cyan")
                steps.append(step + ("\n" if i < len(q.steps) else ""))
            parts += [Text(""), steps]
        elif q.kind == "numeric_drill" and q.drill is not None:
            parts += [
                Text(""),
                drill_table(q),
                Text(""),
                Text.assemble(("Formula  ", "bold"), q.drill.formula),
                Text(f"Tolerance: {q.drill.tolerance_text}", style="dim"),
            ]
        elif isinstance(q.card, GradientDrill):
            card = q.card
            parts += [Text(""), Text.assemble(("Loss  ", "bold"), card.loss)]
            names = ", ".join(f"{k}: {v}" for k, v in card.variables.items())
            parts.append(Text(f"Variables  {names}", style="dim"))
            quantities = card.quantities or {}
            if quantities:
                named = ", ".join(f"{k} = {v}" for k, v in quantities.items())
                parts.append(Text(f"You may use  {named}", style="dim"))
        return Group(*parts)

    def _placeholder(self) -> str:
        kind = self.question.kind
        if kind == "ordering":
            return "the step numbers in the right order, separated by spaces"
        if kind == "numeric_drill":
            return "a number, a fraction or an expression such as -ln(0.9)"
        return "your derivative, typed like 3*x^2 + exp(x)/N"

    def _answer_help(self) -> str:
        kind = self.question.kind
        if kind == "gradient_drill":
            return "enter: check · ctrl+t: a hint (a right answer then counts as Hard)"
        return "enter: check"

    # -- answering
    @on(OptionList.OptionSelected, ".q-choices")
    def _choice(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.feedback is None and event.option.id is not None:
            self.grade(int(event.option.id))

    @on(Input.Submitted, ".q-answer")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self.feedback is not None or self.busy:
            return
        if self.question.kind == "gradient_drill":
            self.busy = True
            self._show(Feedback(None, "checking", "Checking…"))
            self._grade_in_thread(event.value, time.monotonic() - self.shown_at)
        else:
            self.grade(event.value)

    def submit_explain(self) -> None:
        """Explain questions: first enter shows the key points, the second grades the ticks."""
        points = self.query_one(".q-points", SelectionList)
        if not points.display:
            points.add_options([(p, i) for i, p in enumerate(self.question.steps)])
            points.display = True
            points.focus()
            self.query_one(".q-help", Static).update(
                Text("Space ticks a point you covered; enter when done.", style="dim")
            )
            return
        self.grade(",".join(str(i) for i in points.selected))

    def grade(self, response: str | int) -> None:
        """Grade an answer now (choices, ordering, numbers, explain ticks)."""
        seconds = time.monotonic() - self.shown_at
        self._finish(response, self.quiz.grade(self.index, response), seconds)

    @work(thread=True, exclusive=True, group="grade")
    def _grade_in_thread(self, text: str, seconds: float) -> None:
        feedback = self.quiz.grade(self.index, text)  # the slow part, off the UI thread
        self.app.call_from_thread(self._finish, text, feedback, seconds)

    def _finish(self, response: str | int, feedback: Feedback, seconds: float) -> None:
        """Show the feedback; a graded answer is recorded (here, on the UI thread)."""
        self.busy = False
        rating = ""
        if feedback.graded:
            answer = self.quiz.record(
                self.index, response, feedback, seconds=seconds, hinted=self.hints_used > 0
            )
            rating = RATING_LABELS[answer.rating]
        self._show(feedback, rating=rating)
        if feedback.graded:
            self.feedback = feedback
            for widget in self.query(".q-answer, .q-choices, .q-points"):
                widget.disabled = True
            self.post_message(self.Answered(self, feedback))

    def _show(self, feedback: Feedback, *, rating: str = "") -> None:
        panel = self.query_one(".q-feedback", Static)
        panel.update(feedback_renderable(feedback, rating=rating))
        panel.display = True
        panel.set_class(feedback.verdict == "correct", "-correct")
        panel.set_class(feedback.verdict == "incorrect", "-incorrect")

    # -- hints (gradient drills)
    def show_hint(self) -> bool:
        hints = tuple(getattr(self.question.card, "hints", ()) or ())
        if self.question.kind != "gradient_drill" or not hints or self.feedback is not None:
            return False
        shown = min(self.hints_used + 1, len(hints))
        self.hints_used = shown
        hint = self.query_one(".q-hint", Static)
        hint.update(
            Group(
                *(Text(f"Hint {i + 1}: {h}", style="yellow") for i, h in enumerate(hints[:shown]))
            )
        )
        hint.display = True
        return True

    # -- live preview (gradient drills)
    @on(Input.Changed, ".q-answer")
    def _changed(self, event: Input.Changed) -> None:
        if self.feedback is None and not self.busy:
            # A message about the previous text (e.g. "type an answer first") no longer applies.
            self.query_one(".q-feedback").display = False
        if self.question.kind != "gradient_drill" or self.quiz.checker is None:
            return
        if not event.value.strip():
            self.query_one(".q-preview").display = False
            return
        # The newest keystroke wins: an exclusive worker cancels the preview still running.
        self._preview(event.value)

    @work(thread=True, exclusive=True, group="preview")
    def _preview(self, text: str) -> None:
        preview = self.quiz.preview(self.index, text)
        if preview is None or get_current_worker().is_cancelled:
            return
        self.app.call_from_thread(self._show_preview, text, preview)

    def _show_preview(self, text: str, preview: Preview) -> None:
        box = self.query(".q-answer")
        if not box or box.first(Input).value != text:
            return  # stale: the learner typed on
        target = self.query_one(".q-preview", Static)
        target.display = True
        if preview.ok:
            body = Text()
            body.append("interpreted as\n", style="dim")
            body.append(preview.render())
            target.update(body)
            target.set_class(False, "-error")
        else:
            target.update(Text(preview.error or "", style="red"))
            target.set_class(True, "-error")
        self.post_message(self.Previewed(text))

    class Previewed(Message):
        """Posted after each preview is drawn (the latency benchmark listens for it)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text
