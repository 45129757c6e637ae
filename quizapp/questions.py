"""Quiz questions: a card turned into a question (choices and steps shuffled for this session),
and the grading of each kind of answer into ``Feedback``. Grading changes nothing; the session
in ``quizapp.quiz`` records the answers.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from quizapp.decks import Card, Library
from quizapp.decks.kinds import Answer, handler, kind, register
from quizapp.decks.models import (
    GradientDrill,
    InterviewQuestion,
    LossCurve,
    MultipleChoice,
    NumericDrill,
    Ordering,
    Trap,
)
from quizapp.policy import EXPLAIN_PASS

if TYPE_CHECKING:
    from quizapp.drills.numeric import Drill
    from quizapp.mathcheck.inprocess import Verdict
    from quizapp.mathcheck.steps import Derivation
    from quizapp.quiz import AnswerChecker


@dataclass(frozen=True)
class Choice:
    text: str
    why: str
    correct: bool


@dataclass(frozen=True)
class Question:
    """One question as asked: choices and steps are already shuffled for this session."""

    item_id: str
    kind: str
    prompt: str
    tags: tuple[str, ...]
    card: Card
    choices: tuple[Choice, ...] = ()
    steps: tuple[str, ...] = ()  # ordering: the steps in the order shown
    drill: Drill | None = None  # numeric drills: the generated problem
    seed: int | None = None

    @property
    def label(self) -> str:
        return kind(self.kind).question or self.card.label

    @property
    def answer(self) -> Answer | None:
        """How it is answered (``quizapp.decks.kinds.Answer``): a choice, typed text, ..."""
        return kind(self.kind).answer

    @property
    def typed(self) -> bool:
        """True when the learner types the answer (ordering, numeric, gradient, a blank)."""
        return self.answer not in ("choice", "points")

    @property
    def placeholder(self) -> str:
        return kind(self.kind).placeholder


@dataclass(frozen=True)
class Feedback:
    """The grade of one answer. ``correct`` is None when it could not be graded (invalid text,
    or the checker could not decide): then nothing is recorded and the learner may try again."""

    correct: bool | None
    verdict: str  # correct | incorrect | invalid | unchecked
    headline: str
    details: tuple[str, ...] = ()
    mistake: str | None = None
    # An explanation's key points: (covered, total). Its rating follows them, not the time.
    points: tuple[int, int] | None = None
    # A gradient answered in several lines: each line as checked (the marks beside each line).
    derivation: Derivation | None = None
    # A gradient proved correct: the proof's lines (canonical forms, regions), shown on demand.
    proof: tuple[str, ...] = ()

    @property
    def graded(self) -> bool:
        return self.correct is not None


# --------------------------------------------------------------------------- building questions


def make_question(card: Card, rng: random.Random, library: Library) -> Question:
    """Turn a card into a question, shuffling what needs shuffling with ``rng``."""
    if kind(card.kind).question is None:
        raise ValueError(f"card '{card.id}' of kind {card.kind} cannot be asked in a quiz")
    built: Question = handler(card.kind, "question")(card, rng, library)
    return built


@register(MultipleChoice.kind, "question")
@register(LossCurve.kind, "question")
def _choice_question(card: MultipleChoice, rng: random.Random, library: Library) -> Question:
    choices = [Choice(o.text, o.why, o.text == card.answer) for o in card.options]
    rng.shuffle(choices)
    return Question(card.id, card.kind, card.question, card.tags, card, tuple(choices))


@register(Trap.kind, "question")
def _trap_question(card: Trap, rng: random.Random, library: Library) -> Question:
    choices = _trap_choices(card, rng, library)
    return Question(card.id, card.kind, _trap_prompt(card), card.tags, card, choices)


@register(Ordering.kind, "question")
def _ordering_question(card: Ordering, rng: random.Random, library: Library) -> Question:
    steps = list(card.steps)
    while len(steps) > 1 and steps == list(card.steps):
        rng.shuffle(steps)
    return Question(card.id, card.kind, card.question, card.tags, card, steps=tuple(steps))


@register(NumericDrill.kind, "question")
def _numeric_question(card: NumericDrill, rng: random.Random, library: Library) -> Question:
    from quizapp.drills.numeric import make_drill

    seed = rng.randrange(1, 1_000_000)
    drill = make_drill(card, seed)
    return Question(card.id, card.kind, drill.prompt, card.tags, card, drill=drill, seed=seed)


@register(InterviewQuestion.kind, "question")
def _explain_question(card: InterviewQuestion, rng: random.Random, library: Library) -> Question:
    return Question(card.id, card.kind, card.question, card.tags, card, steps=card.points)


@register(GradientDrill.kind, "question")
def _gradient_question(card: GradientDrill, rng: random.Random, library: Library) -> Question:
    return Question(card.id, card.kind, card.statement, card.tags, card)


def _trap_prompt(trap: Trap) -> str:
    return f"“{trap.claim}” What is the right answer to this claim?"


def _trap_choices(trap: Trap, rng: random.Random, library: Library) -> tuple[Choice, ...]:
    """The trap's correct view and wrong replies to the same claim: the trap's own distractors
    when it declares them (each wrong about THIS claim, with why), padded with its misconception.
    Without distractors: the misconception and two true statements that answer other traps."""
    if trap.distractors:
        choices = [Choice(trap.correct, trap.why, True)]
        choices += [Choice(d.text, d.why, False) for d in trap.distractors[:3]]
        if len(choices) < 4:
            choices.append(Choice(trap.wrong, "That is the misconception itself, restated.", False))
        rng.shuffle(choices)
        return tuple(choices)
    others = [t for t in library.of_kind(Trap.kind) if t.id != trap.id and isinstance(t, Trap)]
    rng.shuffle(others)
    choices = [
        Choice(trap.correct, trap.why, True),
        Choice(trap.wrong, "That is the misconception itself, restated.", False),
    ]
    for other in others[:2]:
        choices.append(
            Choice(
                other.correct,
                f"True, but it answers a different trap: “{other.claim}”",
                False,
            )
        )
    rng.shuffle(choices)
    return tuple(choices)


# --------------------------------------------------------------------------- grading


def grade(question: Question, response: str, checker: AnswerChecker | None = None) -> Feedback:
    """Grade ``response`` as its kind does: a choice's index, step numbers, a number, the ticked
    key points as "0,2,3", a blank's text, or a gradient (``checker`` grades those). Changes
    nothing, so it may run in a worker thread."""
    if question.typed and not response.strip():
        return Feedback(None, "invalid", "Type an answer first.")
    graded: Feedback = handler(question.kind, "grade")(question, response, checker)
    return graded


@register(MultipleChoice.kind, "grade")
@register(LossCurve.kind, "grade")
@register(Trap.kind, "grade")
def _grade_chosen(question: Question, response: str, checker: AnswerChecker | None) -> Feedback:
    return grade_choice(question, int(response))


@register(Ordering.kind, "grade")
def _grade_ordering(question: Question, response: str, checker: AnswerChecker | None) -> Feedback:
    return grade_order(question, response)


@register(NumericDrill.kind, "grade")
def _grade_number(question: Question, response: str, checker: AnswerChecker | None) -> Feedback:
    return grade_numeric(question, response)


@register(InterviewQuestion.kind, "grade")
def _grade_ticks(question: Question, response: str, checker: AnswerChecker | None) -> Feedback:
    ticked = {int(t) for t in response.split(",") if t.strip().isdigit()}
    return grade_explain(question, sorted(ticked))


def line_too_long(line: str, row: int | None = None) -> str | None:
    """The one length limit on a typed line of a gradient, said the same way by the live
    preview and by the check: its characters, spaces at its ends not counted, at most the
    checker's MAX_LENGTH. ``row`` (1-based) names the line of a derivation."""
    from quizapp.mathcheck.lexer import MAX_LENGTH

    count = len(line.strip())
    if count <= MAX_LENGTH:
        return None
    where = f"line {row}: " if row is not None else ""
    return f"{where}answer too long: {count} characters (at most {MAX_LENGTH})"


@register(GradientDrill.kind, "grade")
def grade_gradient(question: Question, text: str, checker: AnswerChecker | None) -> Feedback:
    """A gradient typed in one line (a final answer) or several (a derivation, checked line by
    line)."""
    if checker is None:
        return Feedback(None, "unchecked", "No checker is available to grade gradients.")
    typed = text.splitlines()
    lines = [line for line in typed if line.strip()]
    several = len(lines) > 1
    for row, line in enumerate(typed, 1):
        too_long = line_too_long(line, row if several else None)
        if too_long:
            return Feedback(None, "invalid", too_long)
    if several:  # each line without the spaces around it, as the preview reads it
        stripped = [line.strip() for line in lines]
        return feedback_from_derivation(question, checker.check_steps(question.item_id, stripped))
    # One line (blank lines and the spaces around it dropped, as the preview reads it): exactly
    # the check of a final answer.
    line = lines[0].strip() if lines else text
    return feedback_from_verdict(question, checker.check(question.item_id, line))


def grade_choice(question: Question, index: int) -> Feedback:
    chosen = question.choices[index]
    right = next(c for c in question.choices if c.correct)
    if chosen.correct:
        return Feedback(True, "correct", "Right.", (chosen.why,))
    return Feedback(
        False,
        "incorrect",
        "Not this one.",
        (f"You chose: {chosen.text}", f"Why not: {chosen.why}", f"Right answer: {right.text}",
         f"Why: {right.why}"),
    )  # fmt: skip


_ORDER_TOKEN = re.compile(r"\d+")


def _numbers(values: list[int]) -> str:
    shown = [str(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _order_problem(numbers: list[int], n: int) -> str:
    """What is wrong with an order that is not each of 1..n once ("4 is repeated; 1 and 3
    are missing. "), so the learner need not find it; "" when nothing was typed."""
    if not numbers:
        return ""
    parts = []
    outside = sorted({v for v in numbers if not 1 <= v <= n})
    if outside:
        parts.append(f"{_numbers(outside)} {'is' if len(outside) == 1 else 'are'} not a step")
    twice = sorted({v for v in numbers if 1 <= v <= n and numbers.count(v) > 1})
    if twice:
        parts.append(f"{_numbers(twice)} {'is' if len(twice) == 1 else 'are'} repeated")
    missing = [v for v in range(1, n + 1) if v not in numbers]
    if missing:
        parts.append(f"{_numbers(missing)} {'is' if len(missing) == 1 else 'are'} missing")
    said = "; ".join(parts)
    return f"{said[:1].upper()}{said[1:]}."


def grade_order(question: Question, text: str) -> Feedback:
    """``text`` lists the shown step numbers in the order the learner puts them, e.g. "3 1 2"."""
    n = len(question.steps)
    numbers = [int(t) for t in _ORDER_TOKEN.findall(text)]
    if len(numbers) == 1 and len(text.strip()) == n and n <= 9:
        numbers = [int(c) for c in text.strip()]  # "312" means 3 1 2
    if sorted(numbers) != list(range(1, n + 1)):
        problem = _order_problem(numbers, n)
        return Feedback(
            None,
            "invalid",
            f"Type each step number 1-{n} once, in order, e.g. "
            f"{' '.join(str(i) for i in range(n, 0, -1))}",
            (problem,) if problem else (),
        )
    given = [question.steps[i - 1] for i in numbers]
    card = question.card
    assert isinstance(card, Ordering)
    right_order = list(card.steps)
    correct = given == right_order
    details = [f"{i}. {step}" for i, step in enumerate(right_order, 1)]
    if card.explanation:
        details.append(card.explanation)
    if correct:
        return Feedback(True, "correct", "Right order.", tuple(details))
    misplaced = sum(1 for a, b in zip(given, right_order, strict=True) if a != b)
    return Feedback(
        False,
        "incorrect",
        f"{misplaced} of {n} steps {'is' if misplaced == 1 else 'are'} out of place. "
        "The right order:",
        tuple(details),
    )


def grade_numeric(question: Question, text: str) -> Feedback:
    from quizapp.drills.numeric import grade

    assert question.drill is not None
    result = grade(question.drill, text)
    steps = tuple(question.drill.steps)
    if result.verdict == "invalid":
        return Feedback(None, "invalid", result.message)
    return Feedback(
        result.verdict == "correct",
        result.verdict,
        result.message,
        ("Worked solution:", *steps),
        mistake=result.slip.id if result.slip else None,
    )


def grade_explain(question: Question, ticked: Sequence[int]) -> Feedback:
    """An "explain" answer, self-assessed: the key points the learner says they covered."""
    total = len(question.steps)
    hit = sorted(set(i for i in ticked if 0 <= i < total))
    share = len(hit) / total if total else 0.0
    missed = [p for i, p in enumerate(question.steps) if i not in hit]
    details = tuple(f"Missed: {p}" for p in missed)
    headline = f"You covered {len(hit)} of {total} key points."
    verdict = "correct" if share >= EXPLAIN_PASS else "incorrect"
    return Feedback(share >= EXPLAIN_PASS, verdict, headline, details, points=(len(hit), total))


def feedback_from_verdict(question: Question, verdict: Verdict) -> Feedback:
    """A checker verdict as quiz feedback, with the worked derivation for anything graded."""
    card = question.card
    steps: tuple[str, ...] = tuple(getattr(card, "steps", ()))
    details: list[str] = []
    if verdict.interpreted:
        details.append(f"Read as: {verdict.interpreted}")
    if verdict.hint:
        details.append(f"Hint: {verdict.hint}")
    if verdict.verdict in ("correct", "incorrect"):
        reference = getattr(card, "reference", None)
        if reference and verdict.verdict == "incorrect":
            details.append(f"Answer: {reference}")
        details += ["Derivation:", *steps]
        return Feedback(
            verdict.verdict == "correct",
            verdict.verdict,
            verdict.message,
            tuple(details),
            mistake=verdict.mistake,
            proof=verdict.proof if verdict.verdict == "correct" else (),
        )
    return Feedback(None, verdict.verdict, verdict.message, tuple(details))


def feedback_from_derivation(question: Question, derivation: Derivation) -> Feedback:
    """A derivation checked line by line as quiz feedback. The verdict is the strict judge's on
    its last expression (as for a one-line answer); the mistake is the slip named at the first
    wrong step, or on the last line."""
    card = question.card
    unread = next((s for s in derivation.steps if s.status == "invalid"), None)
    if unread is not None:
        # A typo is not a wrong step: nothing is recorded, and the learner fixes the line.
        return Feedback(
            None,
            "invalid",
            f"Line {unread.line} cannot be read: {unread.message}",
            derivation=derivation,
        )
    details: list[str] = []  # the first wrong step is named beside its line, not again here
    wrong = [s for s in derivation.steps if s.status == "wrong"]
    mistake = next((s.mistake for s in wrong if s.mistake), None)
    if derivation.verdict in ("correct", "incorrect"):
        reference = getattr(card, "reference", None)
        if reference and derivation.verdict == "incorrect":
            details.append(f"Answer: {reference}")
        details += ["Derivation:", *tuple(getattr(card, "steps", ()))]
        correct = derivation.verdict == "correct"
        said = derivation.message.rstrip(".")
        # As a one-line answer's headline: "Incorrect: right except the sign: ..."
        headline = f"{derivation.verdict.capitalize()}: {said}." if said else derivation.verdict
        return Feedback(correct, derivation.verdict, headline, tuple(details), mistake, None,
                        derivation, derivation.proof if correct else ())  # fmt: skip
    headline = derivation.message or "Not checked."
    if derivation.verdict == "invalid" and derivation.message:
        headline = derivation.message[0].upper() + derivation.message[1:] + "."
        details.append("Write one step a line, each the derivative or a helper (u = ...), and "
                       "check again.")  # fmt: skip
    return Feedback(None, derivation.verdict, headline, tuple(details), derivation=derivation)
