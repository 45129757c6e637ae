"""The one table of card kinds: for each kind what it is for (its role), where it is used (study,
cram, readiness, quizzes, the Anki export), how long a confident answer takes, and the handlers
that render, ask, grade and export it. The UI and the core dispatch through this table instead of
testing a card's class or spelling a kind's name.

A kind's name and label live on its model (``quizapp.decks.models``); everything else about it
lives here. Handlers are registered by the module that implements a slot (``SLOT_HOMES``), or by
the kind's own ``plugin`` module; ``handler`` imports that module on first need, so a kind can be
added in one model, one row here and one plugin module (see the ``cloze`` row and
``quizapp.cloze``). ``tests/unit/test_kinds.py`` checks every kind has every handler it needs.

This module imports nothing above ``quizapp.decks`` (the handler modules are named, not imported).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from quizapp.decks.models import (
    Card,
    CheatSheetRow,
    ChecklistItem,
    Cloze,
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

# flashcard: self-rated in study; graded: answered and graded (a choice, an order, a blank);
# practice: a drill worked afresh each time (new numbers, a typed derivation); reference: read.
Role = Literal["flashcard", "graded", "practice", "reference"]
# How a question of the kind is answered: pick a choice, type step numbers, type a number, type
# math checked by the gradient checker (one line or a derivation), tick key points, type a word.
Answer = Literal["choice", "order", "number", "math", "points", "text"]
# The handler slots, and the module that registers the built-in kinds' handlers for each.
Slot = Literal["front", "back", "prompt", "question", "grade", "anki", "check"]
SLOT_HOMES: dict[str, str] = {
    "front": "quizapp.ui.widgets.card_view",  # the question side of a card (rich renderable)
    "back": "quizapp.ui.widgets.card_view",  # the answer side
    "prompt": "quizapp.ui.widgets.question",  # what a quiz question shows under its prompt
    "question": "quizapp.questions",  # card -> Question (shuffled for the session)
    "grade": "quizapp.questions",  # (Question, response text, checker) -> Feedback
    "anki": "quizapp.interop.anki",  # the kind's Anki note type
    # Card -> [(field, problem)]: checks beyond field types. The built-in kinds' checks are the
    # table quizapp.content.CHECKS; a plugin kind registers its own (the loader runs it).
    "check": "quizapp.content",
}
# What an answer takes when the kind declares none.
DEFAULT_EXPECTED_SECONDS = 60.0


@dataclass(frozen=True)
class Kind:
    """One card kind. ``question`` is the label a question of the kind shows when asked (None:
    never asked); ``quiz`` says whether the quiz's kind filter offers it (an interview question
    is asked only in mock interviews, as "Explain")."""

    model: type[Card]
    role: Role
    study: bool = False  # served as a flashcard in study sessions
    cram: bool = False  # shown (question, then answer) in a cram session
    readiness: bool = True  # scheduled by FSRS and counted in readiness for the interview
    question: str | None = None
    quiz: bool = False
    answer: Answer | None = None
    placeholder: str = ""  # the answer box's placeholder, for typed answers
    anki: bool = True  # exported as an Anki note
    seconds: float = DEFAULT_EXPECTED_SECONDS  # what a confident right answer takes
    partial_credit: bool = False  # a wrong answer with a named slip earns half a point
    plugin: str | None = None  # the module that registers this kind's handlers

    @property
    def name(self) -> str:
        return self.model.kind

    @property
    def label(self) -> str:
        return self.model.label

    @property
    def practice(self) -> bool:
        """Graded by a result (not self-rated): readiness also counts its recent answers."""
        return self.role in ("graded", "practice")

    def slots(self) -> tuple[Slot, ...]:
        """The handlers this kind must have."""
        needed: list[Slot] = ["front", "back"]
        if self.question is not None:
            needed += ["prompt", "question", "grade"]
        if self.anki:
            needed.append("anki")
        if self.plugin:
            needed.append("check")
        return tuple(needed)


_TYPED_MATH = "your derivative, e.g. 3*x^2 + exp(x)/N, or a derivation: a step a line"

REGISTRY: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(Trap, "flashcard", study=True, cram=True, question="Spot the error", quiz=True,
             answer="choice", seconds=25),
        Kind(Faq, "flashcard", study=True, cram=True),
        Kind(Formula, "flashcard", study=True, cram=True),
        Kind(Concept, "flashcard", study=True, cram=True),
        Kind(SelfCheck, "flashcard", study=True, cram=True),
        Kind(InterviewQuestion, "flashcard", study=True, cram=True, question="Explain",
             answer="points", seconds=90),
        Kind(MultipleChoice, "graded", cram=True, question="Multiple choice", quiz=True,
             answer="choice", seconds=20),
        Kind(LossCurve, "graded", cram=True, question="Read the loss curve", quiz=True,
             answer="choice", anki=False, seconds=30),
        Kind(Ordering, "graded", cram=True, question="Ordering", quiz=True, answer="order",
             placeholder="the step numbers in the right order, separated by spaces", seconds=30),
        Kind(Cloze, "graded", study=True, cram=True, question="Fill the blank", quiz=True,
             answer="text", placeholder="what goes in the blank", seconds=30,
             plugin="quizapp.cloze"),
        Kind(NumericDrill, "practice", question="Compute the loss", quiz=True, answer="number",
             placeholder="a number, a fraction or an expression such as -ln(0.9)", anki=False,
             seconds=90),
        Kind(GradientDrill, "practice", question="Derive the gradient", quiz=True, answer="math",
             placeholder=_TYPED_MATH, seconds=120, partial_credit=True),
        Kind(ChecklistItem, "reference", readiness=False, anki=False),
        Kind(CheatSheetRow, "reference", readiness=False),
        # Read on the cheat sheet; rated only when opened as a card (the palette, a checklist).
        Kind(Pitch, "reference"),
    )
}  # fmt: skip

# Every model by its kind name: what the loader builds each YAML card as.
MODELS: dict[str, type[Card]] = {name: k.model for name, k in REGISTRY.items()}


def kind(name: str) -> Kind:
    """The kind called ``name`` (KeyError for a name no deck can hold)."""
    return REGISTRY[name]


def kind_of(card: Card) -> Kind:
    return REGISTRY[card.kind]


def names(**wanted: Any) -> tuple[str, ...]:
    """The kinds whose fields have these values, in table order: ``names(study=True)``."""
    return tuple(
        name for name, k in REGISTRY.items() if all(getattr(k, f) == v for f, v in wanted.items())
    )


def asked() -> tuple[str, ...]:
    """Every kind a quiz or mock interview can ask."""
    return tuple(name for name, k in REGISTRY.items() if k.question is not None)


def quiz_kinds() -> dict[str, str]:
    """The kinds the quiz's filter offers, each with its label."""
    return {name: k.question for name, k in REGISTRY.items() if k.quiz and k.question}


def kinds() -> Iterator[Kind]:
    return iter(REGISTRY.values())


# --------------------------------------------------------------------------- handlers

_HANDLERS: dict[tuple[str, str], Any] = {}


def register(name: str, slot: Slot) -> Callable[[Any], Any]:
    """A decorator: ``@register(Trap.kind, "front")`` makes the function that slot's handler."""
    if name not in REGISTRY:
        raise KeyError(f"no card kind '{name}' in the registry")

    def add(fn: Any) -> Any:
        _HANDLERS[(name, slot)] = fn
        return fn

    return add


def handler(name: str, slot: Slot) -> Any:
    """The handler of ``slot`` for kind ``name``, importing the module that registers it on first
    need. A kind without it is an error, never a silent fallback."""
    found = _HANDLERS.get((name, slot))
    if found is None:
        k = REGISTRY[name]
        importlib.import_module(k.plugin or SLOT_HOMES[slot])
        found = _HANDLERS.get((name, slot))
        if found is None:
            raise LookupError(f"card kind '{name}' has no '{slot}' handler")
    return found


def missing_handlers() -> list[tuple[str, str]]:
    """Every (kind, slot) a kind needs and has no handler for (imports every handler module)."""
    missing: list[tuple[str, str]] = []
    for k in REGISTRY.values():
        for slot in k.slots():
            try:
                handler(k.name, slot)
            except LookupError:
                missing.append((k.name, slot))
    return missing
