"""Check a whole derivation line by line: the first wrong step, named, and what follows from it.

A derivation is a list of lines. Each line is one of:

- an expression for the quantity asked for (the derivative), e.g. ``2*(yhat - y)``;
- a definition of a helper, ``name = expression`` (``u = y - yhat``), that later lines may use;
- a chain ``A = B = C`` of expressions for the derivative (each part is a step of its own);
- any of these behind a label for the derivative, ``dL/dyhat = ...`` or ``∂L/∂ŷ = ...``.

Every expression is checked with the same case-aware numeric judge as a final answer: the first
against the true derivative, each later one against the expression before it. The first line
that does not follow is *wrong* (with the named slip that turns the line before into it, where
one matches); a later line that follows from the wrong one is *follows-from-wrong* (error carried
forward: only one step was wrong). A line that cannot be read is *invalid*; one the judge cannot
decide is *unchecked* and is compared with nothing after it.

The verdict of the whole derivation is the verdict of its last expression against the true
derivative, so a derivation ends "correct" only when its result is right; a derivation whose
last line cannot be read is *invalid* (its result is that line). A right result is not enough:
a wrong step makes the derivation *incorrect*, an unchecked one *unchecked* (``last_right`` then
says the last line alone is right). A step without a value where the line before has one is
wrong (``stepcompare``). ``dL/dwrt`` on the right of a later line is the last expression given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from quizapp.mathcheck.parser import Node, ParseError, parse, to_text
from quizapp.mathcheck.problem import Problem
from quizapp.mathcheck.stepcompare import (
    Quick,
    compare,
    partial,
    relative,
    reserved,
    scaled,
    values_at,
)
from quizapp.mathcheck.steplabels import (
    DERIVATIVE,
    EQUALS,
    IDENTIFIER,
    has_head,
    normalised,
    only_defines_a_helper,
)

STATUSES = ("follows", "wrong", "follows-from-wrong", "definition", "invalid", "unchecked")
MAX_LINES = 30


@dataclass(frozen=True)
class Step:
    """One line of a derivation as checked. ``line`` is 1-based in the text given; ``status``
    is one of ``STATUSES``; ``mistake`` names the slip of a wrong line when one matched."""

    line: int
    text: str
    status: str
    message: str
    interpreted: str | None = None
    mistake: str | None = None
    column: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "text": self.text,
            "interpreted": self.interpreted,
            "status": self.status,
            "message": self.message,
        }


@dataclass(frozen=True)
class Derivation:
    """The checked derivation: ``verdict`` is that of the last expression against the true
    derivative (``invalid`` when no line holds an expression); ``first_wrong`` is the 1-based
    line of the first wrong step, or None."""

    drill: str
    verdict: str
    first_wrong: int | None
    steps: tuple[Step, ...] = field(default_factory=tuple)
    message: str = ""
    proof: tuple[str, ...] = ()  # for "correct": the last expression's proof (Verdict.proof)
    last_right: bool = False  # the last expression alone is the derivative (proved)

    def to_json(self) -> dict[str, Any]:
        return {
            "drill": self.drill,
            "verdict": self.verdict,
            "first_wrong": self.first_wrong,
            "steps": [s.to_json() for s in self.steps],
        }


def split_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line number, text) of every non-blank line."""
    return [(i, line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def check_steps(problem: Problem, lines: list[str] | str) -> Derivation:
    """Check a derivation (a list of lines, or text with one step per line). Never raises."""
    from quizapp.mathcheck.problem import compile_problem

    numbered = (
        split_lines(lines)
        if isinstance(lines, str)
        else [(i, t) for i, t in enumerate(lines, 1) if t.strip()]
    )
    if not numbered:
        return Derivation(problem.id, "invalid", None, (), "the derivation is empty")
    if len(numbered) > MAX_LINES:
        return Derivation(
            problem.id, "invalid", None, (), f"at most {MAX_LINES} lines, got {len(numbered)}"
        )
    if len(numbered) == 1 and not has_head(numbered[0][1]):
        return _one_line(problem, *numbered[0])  # exactly the verdict of the same answer
    try:
        compiled = compile_problem(problem)
    except (ParseError, ValueError) as exc:
        return Derivation(
            problem.id, "unchecked", None, (), f"drill '{problem.id}' is broken ({exc})"
        )
    return _Walk(problem, compiled).run(numbered)


_STATUS_OF = {"correct": "follows", "incorrect": "wrong", "invalid": "invalid"}


def _one_line(problem: Problem, number: int, text: str) -> Derivation:
    from quizapp.mathcheck.inprocess import check_answer

    verdict = check_answer(problem, text)
    status = _STATUS_OF.get(verdict.verdict, "unchecked")
    step = Step(
        number,
        text,
        status,
        verdict.message,
        verdict.interpreted,
        verdict.mistake,
        verdict.column,
    )
    first_wrong = number if status == "wrong" else None
    if verdict.verdict == "invalid":
        message = "no line gives an expression for the derivative"
        return Derivation(problem.id, "invalid", None, (step,), message)
    return Derivation(
        problem.id,
        verdict.verdict,
        first_wrong,
        (step,),
        verdict.message,
        verdict.proof,
        verdict.verdict == "correct",
    )


# A helper substituted into a line may make it at most this large (u2 = u1 + u1, ... doubles
# it at every line): beyond, the line is not checked (the same every run, unlike a clock).
MAX_NODES = 2000


class _Walk:
    """The state of one derivation as it is read line by line."""

    def __init__(self, problem: Problem, compiled: Any) -> None:
        self.problem = problem
        self.compiled = compiled
        self.helpers: dict[str, Node] = {}
        self.labels: dict[tuple[str, str], str] = {}  # (top, bottom) of dtop/dbottom -> helper
        self.steps: list[Step] = []
        self.previous: Node | None = None  # the last expression that could be compared
        self.last_expression: Node | None = None
        self.first_wrong: int | None = None
        self.tainted: int | None = None  # the wrong expression line later lines follow
        self.names = set(problem.names)
        self.aliases = dict(problem.aliases)
        self.decided: dict[str, tuple[Any, Any]] = {}

    def canonical(self, name: str) -> str:
        return self.aliases.get(name, name)

    def run(self, numbered: list[tuple[int, str]]) -> Derivation:
        for number, raw in numbered:
            self.line(number, raw)
        return self.verdict()

    # -- reading

    def read(self, text: str) -> tuple[Node, str]:
        """The expression with the labels and helpers in it replaced (raises ParseError)."""
        from quizapp.mathcheck.calculus import substitute
        from quizapp.mathcheck.inprocess import _undefined_constant

        def label(match: re.Match[str]) -> str:
            key = (self.canonical(match.group(1)), self.canonical(match.group(2)))
            if key not in self.labels and self.previous is not None and self.asks_for(*key):
                # dL/dwrt used after a line gave it: that line's expression (a wrong one
                # carries its slip forward, as any later line would).
                name = f"d{key[0]}_d{key[1]}"
                self.helpers[name] = self.previous
                self.names.add(name)
                return name
            return self.labels.get(key, match.group(0))

        if self.labels or self.previous is not None:
            plain = normalised(text)
            if DERIVATIVE.search(plain):
                text = DERIVATIVE.sub(label, plain)
        parsed = parse(text, sorted(self.names), aliases=self.aliases or None)
        undefined = _undefined_constant(parsed)
        if undefined:
            raise undefined
        tree = substitute(parsed.tree, self.helpers) if self.helpers else parsed.tree
        if sum(1 for _ in tree.walk()) > MAX_NODES:
            raise ParseError(
                f"too large once its helpers are written out (over {MAX_NODES} parts); "
                "simplify a helper before using it several times"
            )
        return tree, parsed.explicit()

    # -- one line

    def line(self, number: int, raw: str) -> None:
        parts = EQUALS.split(normalised(raw))
        if len(parts) > 1 and not parts[0].strip():
            parts = parts[1:]  # "= ...": the chain of the line before goes on, as on paper
        label = DERIVATIVE.fullmatch(parts[0].strip()) if len(parts) > 1 else None
        if label:
            top, bottom = self.canonical(label.group(1)), self.canonical(label.group(2))
            if self.asks_for(top, bottom):
                parts = parts[1:]  # "dL/dwrt = ...": the expressions are the derivative
            elif len(parts) == 2:
                helper = f"d{top}_d{bottom}"
                truth = partial(self.compiled, top, bottom)
                if self.define(number, raw, helper, parts[1], truth, shown=parts[0].strip()):
                    self.labels[(top, bottom)] = helper
                return
        head = IDENTIFIER.match(parts[0]) if len(parts) == 2 else None
        if head and self.canonical(head.group(1)) in self.problem.variables:
            # "yhat = y" would silently compare two variables as two steps of the derivative.
            self.steps.append(
                Step(
                    number,
                    raw,
                    "invalid",
                    f"{head.group(1)} is one of the drill's variables, so it cannot be defined "
                    "here; give a helper a new name (u = y - yhat) or write the derivative",
                )
            )
            return
        if head and reserved(head.group(1)):
            # "exp = 0" would make a later "p - y + exp(z)" read as p - y + 0*z: a line that
            # says one thing and is checked as another.
            self.steps.append(
                Step(
                    number,
                    raw,
                    "invalid",
                    f"{head.group(1)} is a function or keyword of the answer syntax, so it "
                    "cannot be a helper's name; give the helper another name (u = ...)",
                )
            )
            return
        if head:
            name = self.canonical(head.group(1))
            truth = self.compiled.quantity_trees.get(name)
            self.define(number, raw, name, parts[1], truth)
            return
        for part in parts:
            if not self.expression(number, raw, part):
                break

    def asks_for(self, top: str, bottom: str) -> bool:
        """dL/dwrt, or d(q)/dwrt where the drill's loss is the quantity q (dp/dz for sigmoid)."""
        if bottom != self.problem.wrt:
            return False
        if top == "L":
            return True
        tree = self.compiled.quantity_trees.get(top)
        return tree is not None and to_text(tree) == to_text(self.compiled.loss_expanded)

    def define(
        self,
        number: int,
        text: str,
        name: str,
        body: str,
        truth: Node | None,
        shown: str | None = None,
    ) -> bool:
        """A helper; True when it could be read (and so may be used later)."""
        shown = shown or name
        try:
            tree, explicit = self.read(body)
        except ParseError as exc:
            self.steps.append(_invalid(number, text, exc))
            return False
        interpreted = f"{shown} = {explicit}"
        self.helpers[name] = tree
        self.names.add(name)
        if truth is None:
            self.steps.append(Step(number, text, "definition", f"defines {shown}", interpreted))
            return True
        result = self.compare(truth, tree)
        if result.verdict == "incorrect":
            message = f"{shown} is not right: " + relative(result.message, f"the true {shown}")
            self.steps.append(Step(number, text, "wrong", message, interpreted, result.mistake))
            if self.first_wrong is None:
                self.first_wrong = number
        elif result.verdict == "correct":
            self.steps.append(Step(number, text, "definition", f"{shown} is right", interpreted))
        else:
            message = f"defines {shown} ({relative(result.message, f'the true {shown}')})"
            self.steps.append(Step(number, text, "definition", message, interpreted))
        return True

    def expression(self, number: int, text: str, part: str) -> bool:
        """One expression for the derivative; False when it could not be read."""
        try:
            tree, shown = self.read(part)
        except ParseError as exc:
            self.steps.append(_invalid(number, text, exc))
            return False
        self.last_expression = tree
        previous = self.previous
        first = previous is None
        result = self.against_reference(tree) if previous is None else self.compare(previous, tree)
        if first and result.verdict == "incorrect":
            # A multiple of the derivative (a sign, a factor 2) is named as between two lines.
            c = self.compiled
            quick = scaled(c, values_at(c, tree), c.reference_values)
            result = quick or result
        what = "the derivative" if first else "the line before"
        said = result.message if first else relative(result.message)
        if result.verdict == "correct":
            tainted = self.tainted
            status = "follows" if tainted is None else "follows-from-wrong"
            message = (
                f"equals {what}"
                if tainted is None
                else f"follows from line {tainted}, which was wrong"
            )
            self.steps.append(Step(number, text, status, message, shown))
        elif result.verdict == "incorrect":
            if self.first_wrong is None:
                self.first_wrong = number
            if self.tainted is None:
                self.tainted = number
                message = (
                    f"is not the derivative: {said}"
                    if first
                    else f"does not follow from the line before: {said}"
                )
            else:
                message = f"does not follow from {what} either: {said}"
            self.steps.append(Step(number, text, "wrong", message, shown, result.mistake))
        else:
            self.steps.append(Step(number, text, "unchecked", result.message, shown))
        self.previous = tree
        return True

    # -- comparing

    def against_reference(self, tree: Node) -> Any:
        """The full verdict of ``tree`` as an answer (kept for the final verdict)."""
        from quizapp.mathcheck.certify import decide

        key = to_text(tree)
        if key not in self.decided:
            self.decided[key] = decide(self.compiled, tree)
        return self.decided[key][0]

    def compare(self, reference: Node, tree: Node) -> Quick:
        """Is ``tree`` equal to ``reference`` (an earlier line)? See ``stepcompare.compare``."""
        return compare(self.compiled, reference, tree)

    def verdict(self) -> Derivation:
        if self.last_expression is None:
            return Derivation(
                self.problem.id,
                "invalid",
                self.first_wrong,
                tuple(self.steps),
                "no line gives an expression for the derivative",
            )
        tail = self.steps[-1]
        if tail.status == "invalid":
            # The derivation's result is its last line: an earlier line that could be read is
            # not the answer when the last one could not be.
            return Derivation(
                self.problem.id,
                "invalid",
                self.first_wrong,
                tuple(self.steps),
                f"the last line (line {tail.line}) could not be read; fix it or delete it",
            )
        # The verdict is that of the last expression as an answer; when that disagrees with
        # the step-by-step comparison of the last line, the last line says so too.
        final = self.against_reference(self.last_expression)
        proof = self.decided[to_text(self.last_expression)][1]
        last = max(i for i, s in enumerate(self.steps) if s.status not in ("definition", "invalid"))
        step = self.steps[last]
        first_wrong = self.first_wrong
        if final.verdict != "correct" and step.status == "follows":
            status = "unchecked" if final.verdict == "unchecked" else "wrong"
            self.steps[last] = replace(
                step, status=status, message=final.message, mistake=final.mistake
            )
            if status == "wrong" and first_wrong is None:
                first_wrong = step.line
        if final.verdict == "correct":
            # The last line is the derivative, but a derivation is right only when every step
            # is: a wrong (or unchecked) step between right lines is not passed over.
            broken = self.broken_step(first_wrong)
            if broken is not None:
                verdict, message = broken
                return Derivation(
                    self.problem.id, verdict, first_wrong, tuple(self.steps), message, (), True
                )
        shown = proof.detail() if proof is not None and final.verdict == "correct" else ()
        return Derivation(
            self.problem.id,
            final.verdict,
            first_wrong,
            tuple(self.steps),
            final.message,
            shown,
            final.verdict == "correct",
        )

    def broken_step(self, first_wrong: int | None) -> tuple[str, str] | None:
        """("incorrect", why) when a step is wrong, ("unchecked", why) when one could not be
        checked; None when every step follows (definitions and unread lines aside)."""
        if first_wrong is not None:
            step = next(s for s in self.steps if s.line == first_wrong and s.status == "wrong")
            return "incorrect", (
                f"line {step.line} {step.message.rstrip('.')}; the last line is the derivative, "
                "but a derivation is right only when every step is"
            )
        unchecked = next((s for s in self.steps if s.status == "unchecked"), None)
        if unchecked is None:
            return None
        return "unchecked", (
            f"line {unchecked.line} could not be checked ({unchecked.message.rstrip('.')}); the "
            "last line is the derivative, but a derivation is right only when every step is"
        )


def _invalid(number: int, text: str, exc: ParseError) -> Step:
    return Step(number, text, "invalid", exc.describe(), column=exc.column)


__all__ = [
    "MAX_LINES",
    "STATUSES",
    "Derivation",
    "Step",
    "check_steps",
    "only_defines_a_helper",
    "split_lines",
]
