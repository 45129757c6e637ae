"""How a graded answer is shown: the verdict, the marks of a checked derivation, every option of
a multiple choice explained, the right order as step numbers; and a numeric drill's table."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from quizapp.quiz import Feedback, Question
from quizapp.ui.widgets.derivation import derivation_renderable

LETTERS = "abcdefgh"


def feedback_renderable(
    feedback: Feedback,
    *,
    rating: str = "",
    question: Question | None = None,
    chosen: int | None = None,
    proof_open: bool = False,
) -> RenderableType:
    """``question`` and ``chosen`` (a choice's index) let multiple choice explain every option
    and ordering give the right order as step numbers; a proved gradient shows one line that
    says how to see its proof, or (``proof_open``) the proof itself."""
    styles = {"correct": "bold green", "incorrect": "bold red"}
    mark = {"correct": "✓ ", "incorrect": "✗ "}.get(feedback.verdict, "• ")
    head = Text(mark + feedback.headline, style=styles.get(feedback.verdict, "bold yellow"))
    if rating:
        head.append(f"   (scheduled as {rating})", style="dim")
    lines: list[RenderableType] = [head]
    if feedback.proof:
        lines += [*proof_renderables(feedback.proof, proof_open), Text("")]
    if feedback.derivation is not None and feedback.derivation.steps:
        lines += [derivation_renderable(feedback.derivation), Text("")]
    if question is not None and question.choices and chosen is not None and feedback.graded:
        lines.append(choices_review(question, chosen))
        return Group(*lines)
    if question is not None and question.answer == "order" and feedback.graded:
        lines.append(Text.assemble(("As step numbers:  ", "bold"), order_numbers(question)))
    for detail in feedback.details:
        if detail.endswith(":") and len(detail) < 40:
            lines.append(Text(detail, style="bold"))
        else:
            lines.append(Text(detail))
    return Group(*lines)


PROOF_KEY = "p"


def proof_renderables(proof: tuple[str, ...], open_: bool) -> list[RenderableType]:
    """The proof of a correct gradient: folded, one line saying how to open it; open, each
    line of ``Verdict.proof`` (the derivative's canonical form, what each case reduces to,
    every region proved) with its label in bold."""
    if not open_:
        return [
            Text.assemble(
                ("▸ ", "bold"),
                ("The proof: ", "bold"),
                (f"press {PROOF_KEY} to see the canonical forms and regions", "dim"),
            )
        ]
    out: list[RenderableType] = [
        Text.assemble(("▾ ", "bold"), ("The proof", "bold"), (f"  ({PROOF_KEY} folds it)", "dim"))
    ]
    for line in proof:
        label, sep, rest = line.partition(": ")
        text = Text("  ")
        if sep:
            text.append(label + sep, style="bold cyan")
            text.append(rest)
        else:
            text.append(line)
        out.append(text)
    return out


def _without_verdict(why: str) -> str:
    """An option's explanation without a leading "Right." (the headline already says it)."""
    for lead in ("Right.", "Correct.", "Wrong.", "Right:", "Correct:"):
        if why.startswith(lead):
            return why[len(lead) :].lstrip()
    return why


def choices_review(question: Question, chosen: int) -> RenderableType:
    """Every option with its explanation (the README promises one for every option), the right
    one and the learner's pick marked."""
    # Two columns, so an option or explanation longer than a line wraps under its own text,
    # not back at the marks (at 80 columns "reference; raise β ..." started under "✓ a").
    grid = Table.grid()
    grid.add_column(width=len("✓ a  "), no_wrap=True)
    grid.add_column(ratio=1)
    for i, choice in enumerate(question.choices):
        mark, style = ("✓", "bold green") if choice.correct else ("✗", "red")
        head = Text(choice.text, style="bold" if choice.correct or i == chosen else "")
        if i == chosen:
            head.append("   ← your answer", style="bold cyan")
        grid.add_row(Text(f"{mark} {LETTERS[i]}", style=style), head)
        grid.add_row("", Text(_without_verdict(choice.why), style="dim"))
    return grid


def order_numbers(question: Question) -> str:
    """The right order as the learner types it: the shown step numbers, e.g. "3 2 4 1 5"."""
    right = tuple(getattr(question.card, "steps", ()))
    shown = list(question.steps)
    return " ".join(str(shown.index(step) + 1) for step in right if step in shown)


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
