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
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from quizapp.decks import Card, Library
from quizapp.policy import rating_for_answer
from quizapp.questions import (
    EXPLAIN_KIND,
    QUESTION_KINDS,
    Choice,
    Feedback,
    Question,
    feedback_from_verdict,
    grade_choice,
    grade_explain,
    grade_numeric,
    grade_order,
    make_question,
)

if TYPE_CHECKING:
    from fsrs import Rating

    from quizapp.mathcheck.checker import Preview, Verdict
    from quizapp.store import Store

DEFAULT_LENGTH = 10


class AnswerChecker(Protocol):
    """What grades typed gradients: ``quizapp.mathcheck.worker.Checker`` in the app, an
    in-process checker in tests. (A line-by-line ``check_steps`` for derivations will join
    ``check`` and ``preview`` here.)"""

    def check(self, drill_id: str, text: str) -> Verdict:
        """The verdict on ``text`` as the answer to the drill; never raises for any text."""
        ...

    def preview(self, drill_id: str, text: str) -> Preview:
        """How ``text`` is read, shown while the learner types; never raises for any text."""
        ...


class AlreadyAnswered(ValueError):
    """A question of a quiz was graded and recorded already; it cannot be answered again."""


@dataclass
class Answer:
    question: Question
    response: str
    feedback: Feedback
    seconds: float
    hinted: bool
    rating: Rating  # what the scheduler was fed (quizapp.policy decides it)


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


# --------------------------------------------------------------------------- the session


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
        checker: AnswerChecker | None = None,
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
        return cls(questions, mode, store, checker, config=config)

    def start(self) -> None:
        """Open the quiz in the store (a no-op without a store or when already started)."""
        if self.store is not None and self.quiz_id is None:
            self.quiz_id = self.store.start_quiz(self.mode, self.config)

    # -- answering
    def grade(self, index: int, response: str | int) -> Feedback:
        """The feedback on ``response`` to question ``index``, changing nothing (so it may run in
        a worker thread). ``response`` is a choice's index, the ticked key points of an
        explanation as "0,2,3", or the typed text."""
        question = self.questions[index]
        if question.kind == EXPLAIN_KIND:
            ticked = {int(t) for t in str(response).split(",") if t.strip().isdigit()}
            return grade_explain(question, sorted(ticked))
        if question.choices:
            return grade_choice(question, int(response))
        text = str(response)
        if not text.strip():
            return Feedback(None, "invalid", "Type an answer first.")
        if question.kind == "ordering":
            return grade_order(question, text)
        if question.kind == "numeric_drill":
            return grade_numeric(question, text)
        if question.kind == "gradient_drill":
            if self.checker is None:
                return Feedback(None, "unchecked", "No checker is available to grade gradients.")
            return feedback_from_verdict(question, self.checker.check(question.item_id, text))
        raise ValueError(f"question kind {question.kind} has no typed answer")

    def record(
        self,
        index: int,
        response: str | int,
        feedback: Feedback,
        *,
        seconds: float,
        hinted: bool = False,
    ) -> Answer:
        """Keep a graded answer and feed the store its rating. A second answer to the same
        question raises ``AlreadyAnswered``; feedback that is not graded raises ValueError."""
        if index in self.answers:
            raise AlreadyAnswered(f"question {index + 1} is answered already")
        if not feedback.graded:
            raise ValueError(f"an answer that was not graded ({feedback.verdict}) is not recorded")
        question = self.questions[index]
        rating = rating_for_answer(
            question.kind,
            correct=bool(feedback.correct),
            seconds=seconds,
            hinted=hinted,
            points=feedback.points,
        )
        answer = Answer(
            question, self._shown(question, response, feedback), feedback, seconds, hinted, rating
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
        self, index: int, response: str | int, *, seconds: float, hinted: bool = False
    ) -> Feedback:
        """Grade the answer to question ``index`` and record it (if graded)."""
        if index in self.answers:
            raise AlreadyAnswered(f"question {index + 1} is answered already")
        feedback = self.grade(index, response)
        if feedback.graded:
            self.record(index, response, feedback, seconds=seconds, hinted=hinted)
        return feedback

    def preview(self, index: int, text: str) -> Preview | None:
        """How the checker reads ``text`` typed for question ``index``: None for a question that
        is not a gradient, or without a checker. (May run in a worker thread.)"""
        question = self.questions[index]
        if question.kind != "gradient_drill" or self.checker is None:
            return None
        return self.checker.preview(question.item_id, text)

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
            checker=self.checker,
        )

    @property
    def answered(self) -> int:
        return len(self.answers)


__all__ = [
    "DEFAULT_LENGTH",
    "EXPLAIN_KIND",
    "QUESTION_KINDS",
    "AlreadyAnswered",
    "Answer",
    "AnswerChecker",
    "Choice",
    "Feedback",
    "Question",
    "Quiz",
    "Results",
    "make_question",
    "pick_items",
]
