"""Render a card's question side and answer side, each kind the way it teaches best."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from quizapp.decks import Card
from quizapp.decks.models import (
    CheatSheetRow,
    ChecklistItem,
    Concept,
    Faq,
    Formula,
    InterviewQuestion,
    LossCurve,
    MultipleChoice,
    Ordering,
    Pitch,
    SelfCheck,
    Trap,
)
from quizapp.ui.widgets.loss_curve import curve_renderable


def card_header(card: Card) -> Text:
    label = "Think about it" if isinstance(card, SelfCheck) and card.think else card.label
    text = Text()
    text.append(f" {label.upper()} ", style="bold reverse")
    text.append(f"  {' · '.join(card.tags)}", style="dim")
    # No section reference: the study notes the sections number do not ship, so a learner could
    # not follow it.
    return text


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
    """The question side."""
    parts: list[RenderableType] = []
    if isinstance(card, Trap):
        parts.append(Text(f"“{card.claim}”", style="bold italic"))
        parts.append(
            Text("What is wrong with this claim? Answer in your head, then reveal.", style="dim")
        )
    elif isinstance(card, Formula):
        parts.append(Text(card.name, style="bold"))
        parts.append(
            Text(
                "Write the formula. Which task is it for, and which output activation pairs "
                "with it?",
                style="dim",
            )
        )
    elif isinstance(card, InterviewQuestion):
        parts.append(Text(card.question, style="bold"))
        parts.append(
            Text("Answer out loud as in an interview, then reveal the key points.", style="dim")
        )
    elif isinstance(card, Faq | Concept | SelfCheck):
        parts.append(Text(card.question, style="bold"))
    elif isinstance(card, MultipleChoice):
        parts.append(Text(card.question, style="bold"))
        if isinstance(card, LossCurve):
            parts.append(curve_renderable(card))
        parts.append(_bullets(tuple(o.text for o in card.options), "•", "dim"))
    elif isinstance(card, Ordering):
        parts.append(Text(card.question, style="bold"))
        parts.append(Text("Recall the steps in order.", style="dim"))
    elif isinstance(card, ChecklistItem):
        parts.append(Text(card.title, style="bold"))
        parts.append(Text("Can you do this from memory?", style="dim"))
    elif isinstance(card, CheatSheetRow):
        parts.append(Text(card.concept, style="bold"))
        parts.append(Text("State the rule in one line.", style="dim"))
    elif isinstance(card, Pitch):
        parts.append(Text(card.title, style="bold"))
        parts.append(Text("Give the pitch out loud, then compare the key points.", style="dim"))
    else:  # a kind added later renders by its title
        parts.append(Text(card.title, style="bold"))
    return Group(*_spaced(parts))


def back(card: Card) -> RenderableType:
    """The answer side (shown under the question)."""
    parts: list[RenderableType] = []
    if isinstance(card, Trap):
        parts.append(_para("✗ Wrong", card.wrong, "bold red"))
        parts.append(_para("✓ Correct", card.correct, "bold green"))
        parts.append(_para("Why", card.why))
        parts.append(_para("Example", card.example, "bold dim"))
    elif isinstance(card, Formula):
        parts.append(Padding(Text(card.unicode, style="bold"), (0, 2)))
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
    elif isinstance(card, Faq):
        parts.append(Text(card.answer))
        if card.example:
            parts.append(_para("Example", card.example, "bold dim"))
        if card.tip:
            parts.append(_para("Interview tip", card.tip, "bold yellow"))
    elif isinstance(card, Concept):
        parts.append(Text(card.answer))
        if card.example:
            parts.append(_para("Example", card.example, "bold dim"))
    elif isinstance(card, SelfCheck):
        parts.append(Text(card.answer))
    elif isinstance(card, InterviewQuestion):
        # In full here: the tick list below has one line per point (SelectionList cannot wrap).
        parts.append(key_points(card.points))
        parts.append(Text("Tick the ones you covered (space, arrows):", style="dim"))
    elif isinstance(card, MultipleChoice):
        for option in card.options:
            right = option.text == card.answer
            mark, style = ("✓", "bold green") if right else ("✗", "red")
            parts.append(_para(f"{mark} {option.text}", option.why, style))
    elif isinstance(card, Ordering):
        steps = Text()
        for i, step in enumerate(card.steps, 1):
            steps.append(f"{i}. ", style="bold")
            steps.append(step + ("\n" if i < len(card.steps) else ""))
        parts.append(steps)
        if card.explanation:
            parts.append(Text(card.explanation, style="dim"))
    elif isinstance(card, ChecklistItem):
        parts.append(Text(f"Practise it with {len(card.links)} linked cards.", style="dim"))
    elif isinstance(card, CheatSheetRow):
        parts.append(Text(card.rule))
    elif isinstance(card, Pitch):
        parts.append(_bullets(card.points, "•", "bold"))
    return Group(*_spaced(parts))


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
                parts += [Text(""), Text.assemble(("You wrote  ", "bold cyan"), self.take)]
            parts += [Text(""), Text("─" * 40, style="dim"), Text(""), sourced(card, back(card))]
        self.update(Group(*parts))

    def show_text(self, text: RenderableType) -> None:
        """Something other than a card (the end of a session)."""
        self.card = None
        self.update(text)
