"""Render a card's question side and answer side, each kind the way it teaches best."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from quizapp.decks import Card
from quizapp.decks.kinds import handler, register
from quizapp.decks.models import (
    CheatSheetRow,
    ChecklistItem,
    Concept,
    Faq,
    Formula,
    GradientDrill,
    InterviewQuestion,
    LossCurve,
    MultipleChoice,
    NumericDrill,
    Ordering,
    Pitch,
    SelfCheck,
    Trap,
)


class HeaderLine:
    """A card's kind badge and its tags on one row, whatever the width: the tags that do not
    fit are counted ("+2 tags"), never wrapped to a second row under the badge (at 80 columns a
    trap's five tags wrapped once its answer's scroll bar took two columns)."""

    def __init__(self, head: Text, tags: Sequence[str]) -> None:
        self.head = head
        self.tags = list(tags)

    def fitted(self, width: int) -> Text:
        """The row for this many columns."""
        for shown in range(len(self.tags), -1, -1):
            text = self.head.copy()
            words = " · ".join(self.tags[:shown])
            hidden = len(self.tags) - shown
            more = f"+{hidden} tag{'s' if hidden > 1 else ''}" if hidden else ""
            tail = " · ".join(w for w in (words, more) if w)
            if tail:
                text.append(f"  {tail}", style="dim")
            if text.cell_len <= width or not shown:
                text.no_wrap, text.overflow = True, "ellipsis"
                return text
        raise AssertionError("unreachable")  # pragma: no cover

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.fitted(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.fitted(options.max_width))


def card_header(card: Card) -> HeaderLine:
    head = Text()
    head.append(f" {card.header.upper()} ", style="bold reverse")
    # No section reference: the study notes the sections number do not ship, so a learner could
    # not follow it.
    return HeaderLine(head, card.tags)


def _para(title: str, body: str, style: str = "bold") -> Text:
    text = Text()
    text.append(f"{title}\n", style=style)
    text.append(body)
    return text


def _bullets(items: tuple[str, ...], mark: str, style: str) -> Text:
    text = Text()
    for i, item in enumerate(items):
        if i:
            text.append("\n")
        text.append(f" {mark} ", style=style)
        text.append(item)
    return text


def key_points(points: tuple[str, ...]) -> Text:
    """Numbered key points, each in full (wrapped)."""
    text = Text()
    for i, point in enumerate(points, 1):
        if i > 1:
            text.append("\n")
        text.append(f"{i}. ", style="bold cyan")
        text.append(point)
    return text


def front(card: Card) -> RenderableType:
    """The question side, as the card's kind draws it (``quizapp.decks.kinds``)."""
    return Group(*_spaced(list(handler(card.kind, "front")(card))))


def back(card: Card) -> RenderableType:
    """The answer side (shown under the question)."""
    return Group(*_spaced(list(handler(card.kind, "back")(card))))


# --------------------------------------------------------------------------- each kind's sides
# Each handler returns the parts of one side, spaced by a blank line when shown.

Parts = list[RenderableType]


def _asked(title: str, instruction: str) -> Parts:
    return [Text(title, style="bold"), Text(instruction, style="dim")]


@register(Trap.kind, "front")
def _trap_front(card: Trap) -> Parts:
    return [
        Text(f"“{card.claim}”", style="bold italic"),
        Text("What is wrong with this claim? Answer in your head, then reveal.", style="dim"),
    ]


@register(Trap.kind, "back")
def _trap_back(card: Trap) -> Parts:
    return [
        _para("✗ Wrong", card.wrong, "bold red"),
        _para("✓ Correct", card.correct, "bold green"),
        _para("Why", card.why),
        _para("Example", card.example, "bold dim"),
    ]


@register(Formula.kind, "front")
def _formula_front(card: Formula) -> Parts:
    return _asked(
        card.name,
        "Write the formula. Which task is it for, and which output activation pairs with it?",
    )


@register(Formula.kind, "back")
def _formula_back(card: Formula) -> Parts:
    parts: Parts = [Padding(Text(card.unicode, style="bold"), (0, 2))]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    for name, meaning in card.variables.items():
        table.add_row(Text(name), Text(meaning))
    parts.append(Group(Text("where", style="dim"), table))
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    facts.add_row("Task", Text(card.task))
    facts.add_row("Output", Text(card.activation))
    facts.add_row("Typed as", Text(card.ascii, style="italic"))
    parts.append(facts)
    parts.append(_bullets(card.pros, "+", "bold green"))
    parts.append(_bullets(card.cons, "−", "bold red"))
    if card.note:
        parts.append(Text(card.note, style="dim"))
    return parts


@register(InterviewQuestion.kind, "front")
def _interview_front(card: InterviewQuestion) -> Parts:
    return _asked(card.question, "Answer out loud as in an interview, then reveal the key points.")


@register(InterviewQuestion.kind, "back")
def _interview_back(card: InterviewQuestion) -> Parts:
    # In full here: the tick list below has one line per point (SelectionList cannot wrap).
    return [
        key_points(card.points),
        Text("Tick the ones you covered (space, arrows):", style="dim"),
    ]


@register(Faq.kind, "front")
@register(Concept.kind, "front")
@register(SelfCheck.kind, "front")
def _question_front(card: Faq | Concept | SelfCheck) -> Parts:
    return [Text(card.question, style="bold")]


@register(Faq.kind, "back")
def _faq_back(card: Faq) -> Parts:
    parts: Parts = [Text(card.answer)]
    if card.example:
        parts.append(_para("Example", card.example, "bold dim"))
    if card.tip:
        parts.append(_para("Interview tip", card.tip, "bold yellow"))
    return parts


@register(Concept.kind, "back")
def _concept_back(card: Concept) -> Parts:
    parts: Parts = [Text(card.answer)]
    if card.example:
        parts.append(_para("Example", card.example, "bold dim"))
    return parts


@register(SelfCheck.kind, "back")
def _self_check_back(card: SelfCheck) -> Parts:
    return [Text(card.answer)]


@register(MultipleChoice.kind, "front")
def _choice_front(card: MultipleChoice) -> Parts:
    return [
        Text(card.question, style="bold"),
        _bullets(tuple(o.text for o in card.options), "•", "dim"),
    ]


@register(LossCurve.kind, "front")
def _loss_curve_front(card: LossCurve) -> Parts:
    question, options = _choice_front(card)
    # Imported here: the plotting library costs a tenth of a second, and only these cards need it.
    from quizapp.ui.widgets.loss_curve import CurvePicture

    return [question, CurvePicture(card), options]  # the plot the options are about


@register(MultipleChoice.kind, "back")
@register(LossCurve.kind, "back")
def _choice_back(card: MultipleChoice) -> Parts:
    parts: Parts = []
    for option in card.options:
        right = option.text == card.answer
        mark, style = ("✓", "bold green") if right else ("✗", "red")
        parts.append(_para(f"{mark} {option.text}", option.why, style))
    return parts


@register(Ordering.kind, "front")
def _ordering_front(card: Ordering) -> Parts:
    return _asked(card.question, "Recall the steps in order.")


@register(Ordering.kind, "back")
def _ordering_back(card: Ordering) -> Parts:
    steps = Text()
    for i, step in enumerate(card.steps, 1):
        steps.append(f"{i}. ", style="bold")
        steps.append(step + ("\n" if i < len(card.steps) else ""))
    parts: Parts = [steps]
    if card.explanation:
        parts.append(Text(card.explanation, style="dim"))
    return parts


@register(ChecklistItem.kind, "front")
def _checklist_front(card: ChecklistItem) -> Parts:
    return _asked(card.title, "Can you do this from memory?")


@register(ChecklistItem.kind, "back")
def _checklist_back(card: ChecklistItem) -> Parts:
    return [Text(f"Practise it with {len(card.links)} linked cards.", style="dim")]


@register(CheatSheetRow.kind, "front")
def _cheat_sheet_front(card: CheatSheetRow) -> Parts:
    return _asked(card.concept, "State the rule in one line.")


@register(CheatSheetRow.kind, "back")
def _cheat_sheet_back(card: CheatSheetRow) -> Parts:
    return [Text(card.rule)]


@register(Pitch.kind, "front")
def _pitch_front(card: Pitch) -> Parts:
    return _asked(card.title, "Give the pitch out loud, then compare the key points.")


@register(Pitch.kind, "back")
def _pitch_back(card: Pitch) -> Parts:
    return [_bullets(card.points, "•", "bold")]


@register(NumericDrill.kind, "front")
@register(GradientDrill.kind, "front")
def _drill_front(card: NumericDrill | GradientDrill) -> Parts:
    # Drills are worked in Drills and quizzes; opened as a card (the palette) they show this.
    return [Text(card.title, style="bold")]


@register(NumericDrill.kind, "back")
def _numeric_back(card: NumericDrill) -> Parts:
    return [Text.assemble(("Formula  ", "bold"), card.formula)]


@register(GradientDrill.kind, "back")
def _gradient_back(card: GradientDrill) -> Parts:
    return [Text.assemble(("Answer  ", "bold"), card.reference), _bullets(card.steps, "•", "")]


def sourced(card: Card, answer: RenderableType) -> RenderableType:
    """The answer side with, under it, where the card's facts come from (its ``cite``)."""
    if not card.cite:
        return answer
    return Group(answer, Text(""), Text(f"Source: {card.cite}", style="dim italic"))


def _spaced(parts: list[RenderableType]) -> list[RenderableType]:
    out: list[RenderableType] = []
    for i, part in enumerate(parts):
        if i:
            out.append(Text(""))
        out.append(part)
    return out


TAKE_SHOWN = 400  # characters of the learner's take shown above the answer


def _shown(take: str) -> tuple[str | tuple[str, str], ...]:
    """The take as shown: a long paste is cut short, so the answer stays near the top."""
    if len(take) <= TAKE_SHOWN:
        return (take,)
    return take[:TAKE_SHOWN].rstrip() + "…", (
        f"  ({len(take):,} characters; the first {TAKE_SHOWN} shown)",
        "dim",
    )


class CardView(Static):
    """One card: its question side, and under it the answer side while ``revealed``."""

    revealed: reactive[bool] = reactive(False, init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.card: Card | None = None
        # What the learner typed before revealing, shown just above the answer.
        self.take = ""

    def show(self, card: Card) -> None:
        """A new card, question side up."""
        self.card, self.take = card, ""
        self.set_reactive(CardView.revealed, False)
        self.draw()

    def watch_revealed(self) -> None:
        self.draw()

    def draw(self) -> None:
        card = self.card
        if card is None:
            return
        parts: list[RenderableType] = [card_header(card), Text(""), front(card)]
        if self.revealed:
            if self.take:
                parts += [Text(""), Text.assemble(("You wrote  ", "bold cyan"), *_shown(self.take))]
            parts += [Text(""), Text("─" * 40, style="dim"), Text(""), sourced(card, back(card))]
        self.update(Group(*parts))

    def show_text(self, text: RenderableType) -> None:
        """Something other than a card (the end of a session)."""
        self.card = None
        self.update(text)
