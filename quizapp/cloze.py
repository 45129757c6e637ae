"""The cloze kind: a sentence or formula with one blank the learner fills.

Everything about the kind beyond its model (``quizapp.decks.models.Cloze``) and its row in the
table of kinds is here, registered with ``quizapp.decks.kinds``: how its card sides and quiz
prompt are drawn, how a question is built and graded, what ``quizapp validate`` checks, and its
Anki note. How a blank is graded depends on the answer:

- math (the card declares ``variables`` with their domains): the typed expression is read by the
  checker's safe parser and must agree with the answer at points sampled from those domains, as
  the gradient checker compares a derivative;
- a number (the answer reads as one, e.g. ``0.5`` or ``ln(2)``): the typed value must be within
  the numeric drills' tolerance;
- text: equal to the answer or one of ``accept`` once case, spaces and punctuation are ignored.

No typed text is ever run: the parser builds a tree from a closed grammar, numpy evaluates it.
"""

from __future__ import annotations

import html
import random
import re
import unicodedata
import zlib
from typing import TYPE_CHECKING, Literal

from rich.console import RenderableType
from rich.text import Text

from quizapp.decks.kinds import register
from quizapp.decks.models import BLANK, Card, Cloze
from quizapp.questions import Feedback, Question

if TYPE_CHECKING:
    import numpy as np

    from quizapp.decks import Library
    from quizapp.interop.anki import Layout
    from quizapp.quiz import AnswerChecker

Mode = Literal["math", "number", "text"]
# Sample points per check of a math blank, and how many must be defined to decide.
POINTS = 64
MIN_POINTS = 8
SHOWN_BLANK = "_____"


def mode_of(card: Cloze) -> Mode:
    """How the card's blank is graded (see the module docstring)."""
    if card.variables:
        return "math"
    from quizapp.mathcheck.numeric import evaluate_number
    from quizapp.mathcheck.parser import ParseError

    try:
        evaluate_number(card.answer)
    except ParseError:
        return "text"
    return "number"


def normalised(text: str) -> str:
    """Text as compared: compatibility forms folded, lower case, punctuation and spaces dropped
    to single spaces ("Log-likelihood!" and "log likelihood" are the same)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


def _as_question(text: str) -> str:
    return BLANK.sub(SHOWN_BLANK, text, count=1)


# --------------------------------------------------------------------------- grading


def _sample_env(card: Cloze) -> dict[str, np.ndarray]:
    import numpy as np

    from quizapp.mathcheck.domains import sample

    rng = np.random.default_rng(zlib.crc32(card.id.encode()))
    return {name: sample(domain, POINTS, rng) for name, domain in (card.variables or {}).items()}


def _values(card: Cloze, text: str) -> np.ndarray:
    """``text`` (an expression over the card's variables) at the card's sample points; raises
    ``ParseError`` with a one-line message when it cannot be read."""
    from quizapp.mathcheck.numeric import evaluate
    from quizapp.mathcheck.parser import parse

    parsed = parse(text, tuple(card.variables or ()))
    return evaluate(parsed.tree, _sample_env(card))


def agrees(card: Cloze, text: str) -> bool | None:
    """Whether the expression ``text`` equals the card's answer wherever the answer is defined
    (None: too few such points to tell). Raises ``ParseError`` for text that cannot be read."""
    import numpy as np

    from quizapp.mathcheck.compare import close

    reference = np.broadcast_to(_values(card, card.answer), (POINTS,))
    typed = np.broadcast_to(_values(card, text), (POINTS,))
    defined = np.isfinite(reference)
    if int(defined.sum()) < MIN_POINTS:
        return None
    return bool(close(typed[defined], reference[defined]).all())


def slip(card: Cloze, text: str) -> str | None:
    """What a wrong math blank got wrong when it is a plain slip of the answer: its sign flipped,
    or the answer times a constant (a lost or doubled factor); None otherwise. Raises
    ``ParseError`` for text that cannot be read."""
    import numpy as np

    from quizapp.mathcheck.compare import close

    reference = np.broadcast_to(_values(card, card.answer), (POINTS,))
    typed = np.broadcast_to(_values(card, text), (POINTS,))
    defined = np.isfinite(reference) & np.isfinite(typed) & (np.abs(reference) > 1e-9)
    if int(defined.sum()) < MIN_POINTS:
        return None
    reference, typed = reference[defined], typed[defined]
    if close(typed, -reference).all():
        return "the sign is flipped"
    with np.errstate(all="ignore"):
        ratio = typed / reference
    factor = float(np.median(ratio))
    if abs(factor) > 1e-9 and close(ratio, np.full_like(ratio, factor)).all():
        for name, value in (("2", 2.0), ("1/2", 0.5), ("-2", -2.0), ("-1/2", -0.5)):
            if abs(factor - value) <= 1e-6 * abs(value):
                return f"it is {name} times the answer (a factor lost or doubled)"
        return f"it is {factor:.4g} times the answer (a constant factor is off)"
    return None


def _right(card: Cloze, text: str) -> bool | None:
    """The verdict on a typed blank; raises ``ParseError`` when math or a number is unreadable."""
    mode = mode_of(card)
    if mode == "math":
        return agrees(card, text)
    if mode == "number":
        from quizapp.drills.numeric import ABS_TOL, REL_TOL
        from quizapp.mathcheck.numeric import evaluate_number

        value, target = evaluate_number(text), evaluate_number(card.answer)
        return abs(value - target) <= max(REL_TOL * abs(target), ABS_TOL)
    wanted = {normalised(a) for a in (card.answer, *(card.accept or ()))}
    return normalised(text) in wanted


@register(Cloze.kind, "grade")
def grade_blank(question: Question, response: str, checker: AnswerChecker | None) -> Feedback:
    from quizapp.mathcheck.parser import ParseError

    card = question.card
    assert isinstance(card, Cloze)
    try:
        right = _right(card, response)
    except ParseError as exc:
        what = "an expression" if mode_of(card) == "math" else "a number"
        return Feedback(None, "invalid", f"Type {what} in the blank: {exc.describe()}")
    details = [card.filled()]
    if card.explanation:
        details.append(card.explanation)
    if right is None:
        return Feedback(None, "unchecked", "Not checked: the answer has no value to compare.")
    if right:
        return Feedback(True, "correct", "Right.", tuple(details))
    named = slip(card, response) if mode_of(card) == "math" else None
    headline = (
        f"Not quite: {named}; the blank is {card.answer}."
        if named
        else (f"Not quite: the blank is {card.answer}.")
    )
    return Feedback(False, "incorrect", headline, tuple(details))


@register(Cloze.kind, "question")
def cloze_question(card: Cloze, rng: random.Random, library: Library) -> Question:
    return Question(card.id, card.kind, _as_question(card.text), card.tags, card)


# --------------------------------------------------------------------------- drawing


@register(Cloze.kind, "front")
def cloze_front(card: Cloze) -> list[RenderableType]:
    return [
        Text(_as_question(card.text), style="bold"),
        Text("Fill the blank in your head, then reveal.", style="dim"),
    ]


@register(Cloze.kind, "back")
def cloze_back(card: Cloze) -> list[RenderableType]:
    before, after = [*BLANK.split(card.text, maxsplit=1), ""][:2]
    filled = Text.assemble(before, (card.answer, "bold green"), after)
    parts: list[RenderableType] = [filled]
    if card.explanation:
        parts.append(Text(card.explanation, style="dim"))
    return parts


@register(Cloze.kind, "prompt")
def cloze_prompt(question: Question) -> list[RenderableType]:
    card = question.card
    assert isinstance(card, Cloze)
    if card.variables:
        names = list(card.variables)
        first, last = names[0], names[-1]
        # The example uses this blank's own names, so it is something the blank accepts.
        example = f"2*{first}^2 - exp({first})" if first == last else f"{first}*(1 - {last})"
        return [Text(f"Type it as math in {', '.join(names)}, e.g. {example}", style="dim")]
    return []


# --------------------------------------------------------------------------- validate and Anki


@register(Cloze.kind, "check")
def check_cloze(card: Card) -> list[tuple[str, str]]:
    """One blank; known domains; a math answer (and each accepted spelling) that parses and has
    a value; a text answer with words left once normalised."""
    from quizapp.mathcheck.domains import DOMAINS
    from quizapp.mathcheck.parser import ParseError

    assert isinstance(card, Cloze)
    problems: list[tuple[str, str]] = []
    blanks = len(BLANK.findall(card.text))
    if blanks != 1:
        problems.append(("text", f"has {blanks} blanks (___); a cloze card has exactly one"))
    bad = {n: d for n, d in (card.variables or {}).items() if d not in DOMAINS}
    for name, domain in bad.items():
        problems.append(("variables", f"'{name}': unknown domain '{domain}'; use one of "
                         f"{', '.join(DOMAINS)}"))  # fmt: skip
    if bad or problems:
        return problems
    if mode_of(card) == "text":
        if not normalised(card.answer):
            problems.append(("answer", "has no letters or digits to compare"))
        return problems
    for field, text in [("answer", card.answer), *(("accept", a) for a in card.accept or ())]:
        try:
            right = _right(card, text)
        except ParseError as exc:
            problems.append((field, f"'{text}' does not parse: {exc.describe()}"))
            continue
        if right is None:
            problems.append((field, f"'{text}' has no value at the sampled points"))
        elif not right:
            problems.append((field, f"'{text}' does not equal the answer '{card.answer}'"))
    return problems


def _html(text: str | None) -> str:
    return html.escape(text or "", quote=False).replace("\n", "<br>")


def _fill(card: Cloze) -> tuple[str, ...]:
    return (
        _html(_as_question(card.text)),
        _html(card.answer),
        _html(card.filled()),
        _html(card.explanation),
    )


def _note_type() -> Layout:
    from quizapp.interop.anki import Layout

    fields = ("Text", "Answer", "Filled", "Explanation")
    return Layout(Cloze.kind, "Fill the blank", fields, 1, _fill)


register(Cloze.kind, "anki")(_note_type())
