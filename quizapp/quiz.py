"""Practice quizzes: pick a mixed set of questions, grade each answer the moment it is given,
feed every grade to the scheduler, and sum up the results.

Question kinds: multiple choice, "spot the error" traps (the right correction among plausible
ones), ordering, numeric "compute this loss" drills and typed gradient derivations. Gradients are
graded by a checker passed in (the warm worker in the app, an in-process one in tests), so this
module never imports sympy and the UI can run the slow part in a thread.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quizapp.decks import Card, Library
from quizapp.decks.models import InterviewQuestion, MultipleChoice, NumericDrill, Ordering, Trap
from quizapp.scheduling import rating_for_grade

if TYPE_CHECKING:
    from quizapp.drills.numeric import Drill
    from quizapp.mathcheck.checker import Verdict
    from quizapp.store import Store

# The kinds a quiz can ask, and the names the quiz screen's filter shows.
QUESTION_KINDS: dict[str, str] = {
    "multiple_choice": "Multiple choice",
    "trap": "Spot the error",
    "ordering": "Ordering",
    "numeric_drill": "Compute the loss",
    "gradient_drill": "Derive the gradient",
}
# Mock interviews also ask "explain" questions: answer out loud, then tick the key points hit.
EXPLAIN_KIND = "interview_question"
# Share of key points that counts an explanation as right.
EXPLAIN_PASS = 0.75

# Seconds a confident learner needs; answering right within FAST_SHARE of it counts as Easy.
EXPECTED_SECONDS = {
    "multiple_choice": 20,
    "trap": 25,
    "ordering": 30,
    "numeric_drill": 90,
    "gradient_drill": 120,
    EXPLAIN_KIND: 90,
}
FAST_SHARE = 0.4
DEFAULT_LENGTH = 10

GradientCheck = Callable[[str, str], "Verdict"]


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
        if self.kind == EXPLAIN_KIND:
            return "Explain"
        return QUESTION_KINDS.get(self.kind, self.card.label)

    @property
    def typed(self) -> bool:
        """True when the learner types the answer (ordering, numeric, gradient)."""
        return not self.choices and self.kind != EXPLAIN_KIND


@dataclass(frozen=True)
class Feedback:
    """The grade of one answer. ``correct`` is None when it could not be graded (invalid text,
    or the checker could not decide): then nothing is recorded and the learner may try again."""

    correct: bool | None
    verdict: str  # correct | incorrect | invalid | unchecked
    headline: str
    details: tuple[str, ...] = ()
    mistake: str | None = None

    @property
    def graded(self) -> bool:
        return self.correct is not None


@dataclass
class Answer:
    question: Question
    response: str
    feedback: Feedback
    seconds: float
    hinted: bool = False
    rating: int | None = None  # a rating decided by the learner (explain questions)


@dataclass(frozen=True)
class Results:
    right: int
    total: int
    by_tag: dict[str, tuple[int, int]]  # tag -> (right, asked)
    by_kind: dict[str, tuple[int, int]]
    missed: tuple[Question, ...]

    @property
    def score(self) -> float:
        return self.right / self.total if self.total else 0.0

    def describe(self) -> str:
        return f"{self.right} of {self.total} right ({self.score:.0%})"


# --------------------------------------------------------------------------- building questions


def make_question(card: Card, rng: random.Random, library: Library) -> Question:
    """Turn a card into a question, shuffling what needs shuffling with ``rng``."""
    if isinstance(card, MultipleChoice):
        choices = [Choice(o.text, o.why, o.text == card.answer) for o in card.options]
        rng.shuffle(choices)
        return Question(card.id, card.kind, card.question, card.tags, card, tuple(choices))
    if isinstance(card, Trap):
        return Question(
            card.id,
            card.kind,
            _trap_prompt(card),
            card.tags,
            card,
            _trap_choices(card, rng, library),
        )
    if isinstance(card, Ordering):
        steps = list(card.steps)
        while len(steps) > 1 and steps == list(card.steps):
            rng.shuffle(steps)
        return Question(card.id, card.kind, card.question, card.tags, card, steps=tuple(steps))
    if isinstance(card, NumericDrill):
        from quizapp.drills.numeric import make_drill

        seed = rng.randrange(1, 1_000_000)
        drill = make_drill(card, seed)
        return Question(card.id, card.kind, drill.prompt, card.tags, card, drill=drill, seed=seed)
    if isinstance(card, InterviewQuestion):
        return Question(card.id, card.kind, card.question, card.tags, card, steps=card.points)
    if card.kind == "gradient_drill":
        return Question(card.id, card.kind, card.statement, card.tags, card)  # type: ignore[attr-defined]
    raise ValueError(f"card '{card.id}' of kind {card.kind} cannot be asked in a quiz")


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
    others = [t for t in library.of_kind("trap") if t.id != trap.id and isinstance(t, Trap)]
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


def pick_items(
    library: Library,
    *,
    n: int = DEFAULT_LENGTH,
    tags: Iterable[str] = (),
    kinds: Iterable[str] = tuple(QUESTION_KINDS),
    rng: random.Random,
    weight: Callable[[Card], float] | None = None,
) -> list[Card]:
    """Up to ``n`` cards, mixing the kinds evenly (round robin), filtered by tags (any) and kinds.

    ``weight`` (higher = more likely) lets a caller favour weak or due items.
    """
    wanted_tags = set(tags)
    pools: dict[str, list[Card]] = defaultdict(list)
    for card in library.cards.values():
        if card.kind not in kinds or card.kind not in (*QUESTION_KINDS, EXPLAIN_KIND):
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


# --------------------------------------------------------------------------- grading


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


def grade_order(question: Question, text: str) -> Feedback:
    """``text`` lists the shown step numbers in the order the learner puts them, e.g. "3 1 2"."""
    n = len(question.steps)
    numbers = [int(t) for t in _ORDER_TOKEN.findall(text)]
    if len(numbers) == 1 and len(text.strip()) == n and n <= 9:
        numbers = [int(c) for c in text.strip()]  # "312" means 3 1 2
    if sorted(numbers) != list(range(1, n + 1)):
        return Feedback(
            None,
            "invalid",
            f"Type each step number 1-{n} once, in order, e.g. "
            f"{' '.join(str(i) for i in range(n, 0, -1))}",
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
        f"{misplaced} of {n} steps are out of place. The right order:",
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
    return Feedback(share >= EXPLAIN_PASS, verdict, headline, details)


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
        )
    return Feedback(None, verdict.verdict, verdict.message, tuple(details))


# --------------------------------------------------------------------------- the session


@dataclass
class Quiz:
    """A quiz in progress (the store keeps it as a quiz session). Answers are graded and, with a
    store, recorded one at a time, so a session ended early keeps everything answered so far."""

    questions: list[Question]
    mode: str = "quiz"
    store: Store | None = None
    check_gradient: GradientCheck | None = None
    answers: dict[int, Answer] = field(default_factory=dict)
    quiz_id: int | None = None
    config: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        library: Library,
        *,
        n: int = DEFAULT_LENGTH,
        tags: Iterable[str] = (),
        kinds: Iterable[str] = tuple(QUESTION_KINDS),
        seed: int | None = None,
        item_ids: Sequence[str] | None = None,
        weight: Callable[[Card], float] | None = None,
        mode: str = "quiz",
        store: Store | None = None,
        check_gradient: GradientCheck | None = None,
    ) -> Quiz:
        rng = random.Random(seed)
        tags, kinds = tuple(tags), tuple(kinds)
        if item_ids is not None:
            cards = [library.cards[i] for i in item_ids if i in library.cards]
        else:
            cards = pick_items(library, n=n, tags=tags, kinds=kinds, rng=rng, weight=weight)
        questions = [make_question(c, rng, library) for c in cards]
        config = {"n": n, "tags": list(tags), "kinds": list(kinds), "seed": seed}
        if item_ids is not None:
            config["items"] = list(item_ids)
        return cls(questions, mode, store, check_gradient, config=config)

    def start(self) -> None:
        """Open the quiz in the store (a no-op without a store or when already started)."""
        if self.store is not None and self.quiz_id is None:
            self.quiz_id = self.store.start_quiz(self.mode, self.config)

    # -- answering
    def answer(
        self, index: int, response: str | int, *, seconds: float, hinted: bool = False
    ) -> Feedback:
        """Grade the answer to question ``index`` and record it (if graded)."""
        question = self.questions[index]
        rating: int | None = None
        if question.kind == EXPLAIN_KIND:
            from quizapp.study import suggested_rating

            ticked = {int(t) for t in str(response).split(",") if t.strip().isdigit()}
            feedback = grade_explain(question, sorted(ticked))
            shown = f"{len(ticked)} of {len(question.steps)} key points"
            rating = int(suggested_rating(len(ticked), len(question.steps)))
        elif question.choices:
            choice = int(response)
            feedback = grade_choice(question, choice)
            shown = question.choices[choice].text
        else:
            shown = str(response)
            feedback = self._grade_typed(question, shown)
        if feedback.graded:
            self._record(index, Answer(question, shown, feedback, seconds, hinted, rating))
        return feedback

    def _grade_typed(self, question: Question, text: str) -> Feedback:
        if not text.strip():
            return Feedback(None, "invalid", "Type an answer first.")
        if question.kind == "ordering":
            return grade_order(question, text)
        if question.kind == "numeric_drill":
            return grade_numeric(question, text)
        if question.kind == "gradient_drill":
            if self.check_gradient is None:
                return Feedback(None, "unchecked", "No checker is available to grade gradients.")
            return feedback_from_verdict(question, self.check_gradient(question.item_id, text))
        raise ValueError(f"question kind {question.kind} has no typed answer")

    def _record(self, index: int, answer: Answer) -> None:
        self.answers[index] = answer
        if self.store is None:
            return
        self.start()
        assert self.quiz_id is not None
        q = answer.question
        fast = answer.seconds <= FAST_SHARE * EXPECTED_SECONDS.get(q.kind, 60)
        self.store.record_quiz_answer(
            self.quiz_id,
            q.item_id,
            correct=bool(answer.feedback.correct),
            answer=answer.response[:500],
            verdict=answer.feedback.verdict,
            duration_ms=int(answer.seconds * 1000),
            kind=q.kind,
            hinted=answer.hinted,
            fast=fast,
            seed=q.seed,
            rating=answer.rating,
        )

    def finish(self) -> Results:
        if self.store is not None and self.quiz_id is not None:
            self.store.finish_quiz(self.quiz_id)
        return self.results()

    # -- results
    def results(self) -> Results:
        by_tag: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        missed: list[Question] = []
        for answer in self.answers.values():
            ok = bool(answer.feedback.correct)
            for tag in answer.question.tags:
                by_tag[tag][0] += ok
                by_tag[tag][1] += 1
            by_kind[answer.question.kind][0] += ok
            by_kind[answer.question.kind][1] += 1
            if not ok:
                missed.append(answer.question)
        right = sum(1 for a in self.answers.values() if a.feedback.correct)
        return Results(
            right=right,
            total=len(self.answers),
            by_tag={t: (r, n) for t, (r, n) in sorted(by_tag.items())},
            by_kind={k: (r, n) for k, (r, n) in by_kind.items()},
            missed=tuple(missed),
        )

    def retry_missed(self, library: Library, *, seed: int | None = None) -> Quiz:
        """A new session over the missed items (numeric drills get fresh numbers)."""
        ids = [q.item_id for q in self.results().missed]
        return Quiz.build(
            library,
            item_ids=ids,
            seed=seed,
            mode=self.mode,
            store=self.store,
            check_gradient=self.check_gradient,
        )

    @property
    def answered(self) -> int:
        return len(self.answers)


def rating_preview(feedback: Feedback, seconds: float, kind: str, hinted: bool) -> str:
    """The rating a graded answer will feed the scheduler, for the feedback line."""
    if feedback.correct is None:
        return ""
    fast = seconds <= FAST_SHARE * EXPECTED_SECONDS.get(kind, 60)
    return rating_for_grade(bool(feedback.correct), hinted=hinted, fast=fast).name
