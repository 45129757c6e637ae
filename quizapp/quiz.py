"""Practice quizzes: pick a mixed set of questions, grade each answer the moment it is given,
feed every grade to the scheduler, and sum up the results.

Question kinds: multiple choice, "spot the error" traps (the right correction among plausible
ones), ordering, numeric "compute this loss" drills and typed gradient derivations. Gradients are
graded by an ``AnswerChecker`` passed in (the warm worker in the app, an in-process one in
tests), so this module never imports sympy.

An answer goes through two steps: ``Quiz.grade`` turns the response into ``Feedback`` and touches
nothing (the UI runs it in a worker thread, since a gradient check can take a second), then
``Quiz.record`` keeps the answer and feeds the store the rating ``quizapp.policy`` gives it.
``Quiz.answer`` does both. Each question is recorded at most once. The questions themselves and
the grading of each kind are in ``quizapp.questions``.

A gradient may be answered in one line (checked as a final answer) or as a derivation, one step
per line (checked line by line; the verdict is still the strict judge's on the last line). Its
hint ladder (``Quiz.hint``) is kept here too, so the rating a hinted answer earns does not
depend on the screen that showed the hints.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from quizapp.decks import Card, Library
from quizapp.decks.kinds import asked, quiz_kinds
from quizapp.policy import HINT_LEVELS, MAX_HINT_LEVEL, credit_for, hint_cost, rating_for_answer
from quizapp.questions import Choice, Feedback, Question, grade, line_too_long, make_question

if TYPE_CHECKING:
    from fsrs import Rating

    from quizapp.mathcheck.inprocess import Preview, Verdict
    from quizapp.mathcheck.steps import Derivation
    from quizapp.store import Store

DEFAULT_LENGTH = 10


class AnswerChecker(Protocol):
    """What grades typed gradients: ``quizapp.mathcheck.warm_worker.Checker`` in the app, an
    in-process checker in tests."""

    def check(self, drill_id: str, text: str) -> Verdict:
        """The verdict on ``text`` as the answer to the drill; never raises for any text."""
        ...

    def check_steps(self, drill_id: str, lines: list[str]) -> Derivation:
        """A derivation checked line by line (``quizapp.mathcheck.steps``); never raises."""
        ...

    def preview(self, drill_id: str, text: str) -> Preview:
        """How ``text`` is read, shown while the learner types; never raises for any text."""
        ...


class AlreadyAnswered(ValueError):
    """A question of a quiz was graded and recorded already; it cannot be answered again."""


@dataclass(frozen=True)
class Hint:
    """One rung of a gradient drill's hint ladder as shown: ``level`` (1-based) of ``of``,
    what it is (``name``, from ``quizapp.policy.HINT_LEVELS``), its lines, and what it costs."""

    level: int
    of: int
    name: str
    lines: tuple[str, ...]
    cost: str

    @property
    def remaining(self) -> int:
        return self.of - self.level


def hint_ladder(question: Question) -> tuple[tuple[str, ...], ...]:
    """The hint levels of a gradient drill, in order (empty for other questions): the idea (the
    author's first hint, else the rule of the reference derivation's first line), the first step
    (in words, as typed when the derivation's first line only defines a helper, with the
    author's further hints), and the full reference derivation as typed."""
    card = question.card
    if question.answer != "math":
        return ()
    hints = tuple(getattr(card, "hints", ()) or ())
    prose = tuple(getattr(card, "steps", ()) or ())
    derivation = tuple(getattr(card, "derivation", ()) or ())
    idea = hints[0] if hints else (prose[0] if prose else "Use the chain rule, one factor a line.")
    first: list[str] = []
    if prose:
        first.append(prose[0] if hints or len(prose) < 2 else prose[1])
    if derivation and _helper_first(card, derivation[0]):
        # Only a helper: a first line that is an expression for the derivative would hand over
        # the answer at the price of a Hard (hinge: "dL/ds = -y if 1 - y*s > 0 else 0").
        first.append(f"As typed: {derivation[0]}")
    first += hints[1:]
    full = derivation or prose or (str(getattr(card, "reference", "")),)
    return ((idea,), tuple(first) or full[:1], full)


def _helper_first(card: Card, line: str) -> bool:
    from quizapp.mathcheck.steps import only_defines_a_helper

    return only_defines_a_helper(
        line,
        str(getattr(card, "wrt", "")),
        aliases=dict(getattr(card, "aliases", None) or {}),
        quantities=dict(getattr(card, "quantities", None) or {}),
        loss=str(getattr(card, "loss", "")),
    )


@dataclass
class Answer:
    question: Question
    response: str
    feedback: Feedback
    seconds: float
    hint_level: int  # the highest rung of the hint ladder seen (0: no hint)
    rating: Rating  # what the scheduler was fed (quizapp.policy decides it)
    credit: float = 0.0  # the share of a point it earns in the score (quizapp.policy.credit_for)


def points_text(points: float) -> str:
    """A score with half points as "½": 2 -> "2", 2.5 -> "2½", 0.5 -> "½"."""
    whole, half = int(points), points - int(points) >= 0.5
    if not half:
        return str(whole)
    return f"{whole}½" if whole else "½"


@dataclass(frozen=True)
class Results:
    right: int
    total: int
    by_tag: dict[str, tuple[float, int]]  # tag -> (points, asked): ½ for a named slip too
    by_kind: dict[str, tuple[int, int]]
    missed: tuple[Question, ...]
    # Wrong answers that earn half a point (a gradient with a named slip; quizapp.policy).
    partial: int = 0

    @property
    def points(self) -> float:
        return self.right + 0.5 * self.partial

    @property
    def score(self) -> float:
        return self.points / self.total if self.total else 0.0

    def describe(self) -> str:
        text = f"{points_text(self.points)} of {self.total} right ({self.score:.0%})"
        if self.partial:
            text += f"; ½ for {self.partial} with a named slip"
        return text


def pick_items(
    library: Library,
    *,
    n: int = DEFAULT_LENGTH,
    tags: Iterable[str] = (),
    kinds: Iterable[str] | None = None,
    rng: random.Random,
    weight: Callable[[Card], float] | None = None,
) -> list[Card]:
    """Up to ``n`` cards, mixing the kinds evenly (round robin), filtered by tags (any) and kinds.

    ``kinds`` defaults to those the quiz's filter offers; ``weight`` (higher = more likely) lets a
    caller favour weak or due items.
    """
    kinds = tuple(quiz_kinds()) if kinds is None else tuple(kinds)
    askable = asked()
    wanted_tags = set(tags)
    pools: dict[str, list[Card]] = defaultdict(list)
    for card in library.cards.values():
        if card.kind not in kinds or card.kind not in askable:
            continue
        if wanted_tags and not wanted_tags & set(card.tags):
            continue
        pools[card.kind].append(card)
    for pool in pools.values():
        if weight is None:
            rng.shuffle(pool)
        else:
            # Weighted order without replacement (Efraimidis-Spirakis keys).
            pool.sort(key=lambda c: rng.random() ** (1.0 / max(weight(c), 1e-6)), reverse=True)
    order = list(pools)
    rng.shuffle(order)
    picked: list[Card] = []
    while len(picked) < n and any(pools.values()):
        for kind in order:
            if pools[kind] and len(picked) < n:
                picked.append(pools[kind].pop(0))
    rng.shuffle(picked)
    return picked


_EQUALS = re.compile(r"(?<![<>=!])=(?!=)")
_DEFINITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


def expression_on_line(lines: Sequence[str], row: int) -> str:
    """The last expression on ``lines[row]``, with the helpers defined on the lines above it
    (``u = y - yhat``) written out in brackets: what a preview of that line can read."""
    helpers: dict[str, str] = {}

    def spelled(expression: str) -> str:
        # One pass, as the checker substitutes: a helper's body keeps the names it was defined
        # with, even one defined again later.
        if not helpers:
            return expression
        names = "|".join(sorted(map(re.escape, helpers), key=len, reverse=True))
        pattern = rf"(?<![A-Za-z0-9_])({names})(?![A-Za-z0-9_(])"
        return re.sub(pattern, lambda m: helpers[m.group(1)], expression)

    for line in lines[:row]:
        parts = _EQUALS.split(line)
        head = _DEFINITION.match(parts[0]) if len(parts) == 2 else None
        if head and parts[1].strip():
            helpers[head.group(1)] = f"({spelled(parts[1].strip())})"
    current = lines[row] if 0 <= row < len(lines) else ""
    return spelled(_EQUALS.split(current)[-1].strip())


# --------------------------------------------------------------------------- the session


RETRY_HINT_COST = "a right answer counts as Again anyway (a retry after the answer was shown)"


@dataclass
class Quiz:
    """A quiz in progress (the store keeps it as a quiz session). Answers are graded and, with a
    store, recorded one at a time, so a session ended early keeps everything answered so far."""

    questions: list[Question]
    mode: str = "quiz"
    store: Store | None = None
    checker: AnswerChecker | None = None
    answers: dict[int, Answer] = field(default_factory=dict)
    quiz_id: int | None = None
    config: dict[str, Any] = field(default_factory=dict)
    # question index -> the highest rung of its hint ladder shown so far
    hint_levels: dict[int, int] = field(default_factory=dict)
    # indices of questions asked again after a miss showed their answer (quizapp.policy: a
    # right answer to one is Again)
    retries: set[int] = field(default_factory=set)

    @classmethod
    def build(
        cls,
        library: Library,
        *,
        n: int = DEFAULT_LENGTH,
        tags: Iterable[str] = (),
        kinds: Iterable[str] | None = None,
        seed: int | None = None,
        item_ids: Sequence[str] | None = None,
        weight: Callable[[Card], float] | None = None,
        mode: str = "quiz",
        store: Store | None = None,
        checker: AnswerChecker | None = None,
        deck: str | None = None,
    ) -> Quiz:
        rng = random.Random(seed)
        tags, kinds = tuple(tags), tuple(quiz_kinds()) if kinds is None else tuple(kinds)
        if item_ids is not None:
            cards = [library.cards[i] for i in item_ids if i in library.cards]
        else:
            # ``deck`` narrows the questions to one deck; traps still borrow from every deck.
            cards = pick_items(
                library.only_deck(deck), n=n, tags=tags, kinds=kinds, rng=rng, weight=weight
            )
        questions = [make_question(c, rng, library) for c in cards]
        config = {"n": n, "tags": list(tags), "kinds": list(kinds), "seed": seed}
        if item_ids is not None:
            config["items"] = list(item_ids)
        return cls(questions, mode, store, checker, config=config)

    def start(self) -> None:
        """Open the quiz in the store (a no-op without a store or when already started)."""
        if self.store is not None and self.quiz_id is None:
            self.quiz_id = self.store.start_quiz(self.mode, self.config)

    # -- answering
    def grade(self, index: int, response: str | int) -> Feedback:
        """The feedback on ``response`` to question ``index``, changing nothing (so it may run in
        a worker thread). ``response`` is a choice's index, the ticked key points of an
        explanation as "0,2,3", or the typed text. A gradient typed in several lines is a
        derivation, checked line by line."""
        return grade(self.questions[index], str(response), self.checker)

    def record(
        self,
        index: int,
        response: str | int,
        feedback: Feedback,
        *,
        seconds: float,
        hint_level: int | None = None,
    ) -> Answer:
        """Keep a graded answer and feed the store its rating. ``hint_level`` defaults to the
        rungs of the hint ladder shown with ``hint``. A second answer to the same question raises
        ``AlreadyAnswered``; feedback that is not graded raises ValueError."""
        if index in self.answers:
            raise AlreadyAnswered(f"question {index + 1} is answered already")
        if not feedback.graded:
            raise ValueError(f"an answer that was not graded ({feedback.verdict}) is not recorded")
        question = self.questions[index]
        level = self.hint_levels.get(index, 0) if hint_level is None else hint_level
        rating = rating_for_answer(
            question.kind,
            correct=bool(feedback.correct),
            seconds=seconds,
            hint_level=level,
            points=feedback.points,
            retry=index in self.retries,
        )
        answer = Answer(
            question,
            self._shown(question, response, feedback),
            feedback,
            seconds,
            level,
            rating,
            credit_for(question.kind, bool(feedback.correct), feedback.mistake),
        )
        self.answers[index] = answer
        if self.store is not None:
            self.start()
            assert self.quiz_id is not None
            self.store.record_quiz_answer(
                self.quiz_id,
                question.item_id,
                correct=bool(feedback.correct),
                rating=rating,
                answer=answer.response[:500],
                verdict=feedback.verdict,
                duration_ms=int(seconds * 1000),
                kind=question.kind,
                seed=question.seed,
            )
        return answer

    def answer(
        self, index: int, response: str | int, *, seconds: float, hint_level: int | None = None
    ) -> Feedback:
        """Grade the answer to question ``index`` and record it (if graded)."""
        if index in self.answers:
            raise AlreadyAnswered(f"question {index + 1} is answered already")
        feedback = self.grade(index, response)
        if feedback.graded:
            self.record(index, response, feedback, seconds=seconds, hint_level=hint_level)
        return feedback

    def hint(self, index: int) -> Hint | None:
        """Show the next rung of question ``index``'s hint ladder (None when there is none left,
        the question has none, or it is answered). The rung shown caps the rating a right answer
        earns (``quizapp.policy``)."""
        ladder = hint_ladder(self.questions[index])
        level = self.hint_levels.get(index, 0)
        if index in self.answers or not ladder or level >= len(ladder):
            return None
        level += 1
        self.hint_levels[index] = level
        return self.hint_shown(index, level)

    def hint_shown(self, index: int, level: int) -> Hint:
        """Rung ``level`` of question ``index``'s ladder, as ``hint`` returned it."""
        ladder = hint_ladder(self.questions[index])
        name = HINT_LEVELS[min(level, MAX_HINT_LEVEL) - 1]
        # A retry is Again when right whatever the hints (quizapp.policy): say that, not "Hard".
        cost = RETRY_HINT_COST if index in self.retries else hint_cost(level)
        return Hint(level, len(ladder), name, ladder[level - 1], cost)

    def preview(self, index: int, text: str) -> Preview | None:
        """How the checker reads ``text`` typed for question ``index``: None for a question that
        is not a gradient, or without a checker. (May run in a worker thread.)"""
        question = self.questions[index]
        if question.answer != "math" or self.checker is None:
            return None
        return self.checker.preview(question.item_id, text)

    def preview_line(self, index: int, text: str, row: int) -> tuple[str, Preview | None]:
        """How the checker reads line ``row`` (0-based) of a derivation typed for question
        ``index``: (what is previewed, the preview). A definition or a chain previews its last
        expression; helpers defined on earlier lines (``u = y - yhat``) are spelled out, since the
        checker knows only the drill's own names. (May run in a worker thread.)"""
        lines = text.splitlines()  # as the editor and the check split it
        expression = expression_on_line(lines, row)
        if not expression.strip():
            return expression, None
        if self.questions[index].answer == "math" and self.checker is not None:
            several = sum(1 for line in lines if line.strip()) > 1
            current = lines[row] if 0 <= row < len(lines) else ""
            # The check's limit and words (line_too_long), counted on the line as typed.
            too_long = line_too_long(current, row + 1 if several else None)
            if too_long or line_too_long(expression):
                from quizapp.mathcheck.inprocess import Preview

                # A short line whose helpers, written out, make it too long for the preview
                # (not for the check, which reads the helpers as names): not a count of its own.
                error = too_long or "too long to preview once its helpers are written out"
                return expression, Preview(ok=False, error=error)
        return expression, self.preview(index, expression)

    @staticmethod
    def _shown(question: Question, response: str | int, feedback: Feedback) -> str:
        """The answer as the session keeps it: the chosen text, or the points covered."""
        if feedback.points is not None:
            covered, total = feedback.points
            return f"{covered} of {total} key points"
        if question.choices:
            return question.choices[int(response)].text
        return str(response)

    def finish(self) -> Results:
        if self.store is not None and self.quiz_id is not None:
            self.store.finish_quiz(self.quiz_id)
        return self.results()

    # -- results
    def results(self) -> Results:
        by_tag: dict[str, list[float]] = defaultdict(lambda: [0, 0])
        by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        missed: list[Question] = []
        partial = 0
        for answer in self.answers.values():
            partial += 0.0 < answer.credit < 1.0
            ok = bool(answer.feedback.correct)
            for tag in answer.question.tags:
                by_tag[tag][0] += answer.credit  # the score's points: ½ counts here too
                by_tag[tag][1] += 1
            by_kind[answer.question.kind][0] += ok
            by_kind[answer.question.kind][1] += 1
            if not ok:
                missed.append(answer.question)
        right = sum(1 for a in self.answers.values() if a.feedback.correct)
        return Results(
            right=right,
            total=len(self.answers),
            by_tag={t: (r, int(n)) for t, (r, n) in sorted(by_tag.items())},
            by_kind={k: (r, n) for k, (r, n) in by_kind.items()},
            missed=tuple(missed),
            partial=partial,
        )

    def retry_missed(self, library: Library, *, seed: int | None = None) -> Quiz:
        """A new session over the missed items (numeric drills get fresh numbers). Each is a
        retry: their answers were shown, so a right answer is rated Again (quizapp.policy)."""
        ids = [q.item_id for q in self.results().missed]
        again = Quiz.build(
            library, item_ids=ids, seed=seed, mode=self.mode, store=self.store, checker=self.checker
        )
        again.retries = set(range(len(again.questions)))
        return again

    def ask_again(self, index: int) -> int:
        """Question ``index`` again after a miss showed its answer (a drill's retry: the same
        numbers or derivation); the new question's index."""
        self.questions.append(self.questions[index])
        again = len(self.questions) - 1
        self.retries.add(again)
        return again

    @property
    def answered(self) -> int:
        return len(self.answers)


__all__ = [
    "DEFAULT_LENGTH",
    "AlreadyAnswered",
    "Answer",
    "AnswerChecker",
    "Choice",
    "Feedback",
    "Hint",
    "Question",
    "Quiz",
    "Results",
    "hint_ladder",
    "make_question",
    "pick_items",
    "points_text",
]
