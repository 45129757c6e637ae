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
derivative, so a derivation ends "correct" only when its result is right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from quizapp.mathcheck.parser import Node, ParseError, parse
from quizapp.mathcheck.problem import Problem

if TYPE_CHECKING:
    from quizapp.mathcheck.compare import Judgement

STATUSES = ("follows", "wrong", "follows-from-wrong", "definition", "invalid", "unchecked")
MAX_LINES = 30

# "=" alone (not part of <=, >=, ==, !=).
_EQUALS = re.compile(r"(?<![<>=!])=(?!=)")
# A derivative written as a label: dL/dyhat, ∂L/∂ŷ, dp/dz, d L / d(z) (after normalising).
_DERIVATIVE = re.compile(
    r"(?<![A-Za-z0-9_])d\s*([A-Za-z_][A-Za-z0-9_]*)\s*/\s*d\s*\(?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)?"
)
_IDENTIFIER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


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


def _normalised(text: str) -> str:
    from quizapp.mathcheck.parser import normalise

    try:
        return normalise(text.replace("∂", "d"))[0]
    except ParseError:
        return text


def check_steps(problem: Problem, lines: list[str] | str) -> Derivation:
    """Check a derivation (a list of lines, or text with one step per line). Never raises."""
    from quizapp.mathcheck.calculus import substitute
    from quizapp.mathcheck.judge import judge
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
    try:
        compiled = compile_problem(problem)
    except (ParseError, ValueError) as exc:
        return Derivation(
            problem.id, "unchecked", None, (), f"drill '{problem.id}' is broken ({exc})"
        )

    helpers: dict[str, Node] = {}
    labels: dict[str, str] = {}  # "dL/dp" as typed (normalised) -> the helper's name
    steps: list[Step] = []
    previous: Node | None = None  # the last expression that could be compared
    previous_values: Any = None
    last_expression: Node | None = None
    first_wrong: int | None = None
    tainted: int | None = None  # the wrong expression line later lines are compared with
    names = set(problem.names)
    aliases = dict(problem.aliases)

    def canonical(name: str) -> str:
        return aliases.get(name, name)

    def read(text: str) -> tuple[Node, str]:
        for label, helper in labels.items():
            text = text.replace(label, helper)
        parsed = parse(text, sorted(names | set(helpers)), aliases=aliases or None)
        tree = substitute(parsed.tree, helpers) if helpers else parsed.tree
        return tree, parsed.explicit()

    def define(number: int, text: str, name: str, body: str, truth: Node | None) -> None:
        try:
            tree, shown = read(body)
        except ParseError as exc:
            steps.append(_invalid(number, text, exc))
            return
        message = f"defines {name}"
        if truth is not None:
            verdict: Judgement | _Quick
            if _same(compiled, _values(compiled, tree), _values(compiled, truth)):
                verdict = _FOLLOWS
            else:
                verdict = judge(_against(compiled, truth, friendly=True), tree)
            if verdict.verdict == "correct":
                message = f"{name} is right"
            elif verdict.verdict == "incorrect":
                message = f"{name} is not right: " + _relative(verdict.message, f"the true {name}")
                steps.append(
                    Step(number, text, "wrong", message, f"{name} = {shown}", verdict.mistake)
                )
                nonlocal first_wrong
                if first_wrong is None:
                    first_wrong = number
                helpers[name] = tree
                return
        helpers[name] = tree
        steps.append(Step(number, text, "definition", message, f"{name} = {shown}"))

    for number, raw in numbered:
        text = raw
        parts = _EQUALS.split(_normalised(raw))
        label = _DERIVATIVE.fullmatch(parts[0].strip()) if len(parts) > 1 else None
        if label:
            top, bottom = canonical(label.group(1)), canonical(label.group(2))
            if top == "L" and bottom == problem.wrt:
                parts = parts[1:]  # "dL/dwrt = ...": the expressions are the derivative
            elif len(parts) == 2:
                helper = f"d{top}_d{bottom}"
                labels[parts[0].strip()] = helper
                define(number, text, parts[0].strip(), parts[1], _partial(compiled, top, bottom))
                continue
        # A definition: "u = ..." where u is a new name (or a named quantity spelled out).
        head = _IDENTIFIER.match(parts[0]) if len(parts) == 2 else None
        if head and canonical(head.group(1)) in problem.variables:
            # "yhat = y" would silently compare two variables as two steps of the derivative.
            steps.append(
                Step(
                    number,
                    text,
                    "invalid",
                    f"{head.group(1)} is one of the drill's variables, so it cannot be defined "
                    "here; give a helper a new name (u = y - yhat) or write the derivative",
                )
            )
            continue
        if head:
            name = canonical(head.group(1))
            truth = compiled.quantity_trees.get(name)
            define(number, text, name, parts[1], truth)
            names.add(name)
            continue
        for part in parts:
            try:
                tree, shown = read(part)
            except ParseError as exc:
                steps.append(_invalid(number, text, exc))
                break
            last_expression = tree
            values = _values(compiled, tree)
            reference = compiled.reference_values if previous is None else previous_values
            result: Judgement | _Quick
            if _same(compiled, values, reference):
                result = _FOLLOWS  # the common case, without the judge's diagnosis
            else:
                # A step k times the one before (a sign, a factor 2) is named from the same
                # quick comparison: an unsimplified step may be uncomputable where the judge
                # would look for it.
                result = _scaled(compiled, values, reference) or judge(
                    compiled if previous is None else _against(compiled, previous, friendly=True),
                    tree,
                )
            what = "the derivative" if previous is None else "the line before"
            relative = result.message if previous is None else _relative(result.message)
            if result.verdict == "correct":
                status = "follows" if tainted is None else "follows-from-wrong"
                message = (
                    f"equals {what}"
                    if tainted is None
                    else f"follows from line {tainted}, which was wrong"
                )
                steps.append(Step(number, text, status, message, shown))
                previous, previous_values = tree, values
            elif result.verdict == "incorrect":
                if first_wrong is None:
                    first_wrong = number
                if tainted is None:
                    tainted = number
                    steps.append(
                        Step(
                            number,
                            text,
                            "wrong",
                            (
                                f"is not the derivative: {relative}"
                                if previous is None
                                else f"does not follow from the line before: {relative}"
                            ),
                            shown,
                            result.mistake,
                        )
                    )
                else:
                    steps.append(
                        Step(
                            number,
                            text,
                            "wrong",
                            f"does not follow from {what} either: {relative}",
                            shown,
                            result.mistake,
                        )
                    )
                previous, previous_values = tree, values
            else:
                steps.append(Step(number, text, "unchecked", result.message, shown))
                previous, previous_values = tree, values
    if last_expression is None:
        return Derivation(
            problem.id,
            "invalid",
            first_wrong,
            tuple(steps),
            "no line gives an expression for the derivative",
        )
    # The verdict is the strict judge's, as for a one-line answer. When it disagrees with the
    # quick comparison of the last line (an answer right only inside the friendly box), the
    # last line says so too.
    final = judge(compiled, last_expression)
    last = max(i for i, s in enumerate(steps) if s.status not in ("definition", "invalid"))
    step = steps[last]
    if final.verdict != "correct" and step.status == "follows":
        status = "unchecked" if final.verdict == "unchecked" else "wrong"
        steps[last] = replace(step, status=status, message=final.message, mistake=final.mistake)
        if status == "wrong" and first_wrong is None:
            first_wrong = step.line
    return Derivation(problem.id, final.verdict, first_wrong, tuple(steps), final.message)


@dataclass(frozen=True)
class _Quick:
    verdict: str
    message: str = ""
    mistake: str | None = None


_FOLLOWS = _Quick("correct")


def _values(compiled: Any, tree: Node) -> Any:
    import numpy as np

    from quizapp.mathcheck.numeric import evaluate

    return np.broadcast_to(evaluate(tree, compiled.env), (compiled.size,))


def _same(compiled: Any, a: Any, b: Any) -> bool:
    """Whether two lines agree at the friendly test points where the second is defined (the
    quick comparison of consecutive steps; the final line still meets the strict judge)."""
    import numpy as np

    from quizapp.mathcheck.compare import close
    from quizapp.mathcheck.domains import FRIENDLY
    from quizapp.mathcheck.numeric import median
    from quizapp.mathcheck.problem import MIN_POINTS

    mask = compiled.mask & (compiled.layout.region == FRIENDLY) & np.isfinite(b)
    # An unsimplified step (1/(1 - q) with q rounded to 1) can be uncomputable at a few points
    # where the maths is fine: those are skipped, a few only.
    computable = mask & np.isfinite(a)
    if int(computable.sum()) < max(MIN_POINTS, 0.8 * int(mask.sum())):
        return False
    mask = computable
    x, y = a[mask], b[mask]
    scale = median(np.abs(y)) + 1e-300
    return bool(close(x, y, rtol=1e-9, scale=scale).all())


def _scaled(compiled: Any, a: Any, b: Any) -> _Quick | None:
    """A wrong step that is a simple multiple (-1, ±2, ±1/2) of the one it is compared with."""
    from quizapp.mathcheck.mistakes import _describe_constant

    for k in (-1.0, 2.0, -2.0, 0.5, -0.5):
        if _same(compiled, a, k * b):
            mistake, message = _describe_constant(k)
            return _Quick("incorrect", message, mistake)
    return None


def _relative(message: str, to: str = "the line before") -> str:
    """A judge message about "the derivative" reworded for another reference."""
    return message.replace("the derivative", to).replace("your answer", "this line")


def _partial(compiled: Any, top: str, bottom: str) -> Node | None:
    """The true value of d(top)/d(bottom) where the drill defines both, else None: dL/dq for a
    named quantity q, dq/dx for a quantity and a variable, dL/dx for a variable."""
    from quizapp.mathcheck.calculus import depends_on, diff, substitute

    quantities = compiled.quantity_trees
    variables = compiled.problem.variables
    try:
        if top == "L" and bottom in quantities and not depends_on(compiled.loss, bottom):
            return None  # the drill writes its loss without that quantity: nothing to compare
        if top == "L" and (bottom in quantities or bottom in variables):
            tree = diff(compiled.loss if bottom in quantities else compiled.loss_expanded, bottom)
        elif top in quantities and bottom in variables:
            tree = diff(quantities[top], bottom)
        else:
            return None
    except (ValueError, TypeError):
        return None
    return substitute(tree, quantities) if quantities else tree


def _invalid(number: int, text: str, exc: ParseError) -> Step:
    return Step(number, text, "invalid", exc.describe(), column=exc.column)


def _against(compiled: Any, tree: Node, *, friendly: bool = False) -> Any:
    """``compiled`` with ``tree`` in place of the reference (points where it is undefined or on
    a kink of its own are dropped, as for the reference). With ``friendly``, only the points of
    the friendly box count: an intermediate line is often an unsimplified form that loses all
    its digits to cancellation at extreme values, where the step is still right."""
    import numpy as np

    from quizapp.mathcheck.domains import FRIENDLY
    from quizapp.mathcheck.numeric import evaluate
    from quizapp.mathcheck.problem import far_from_kinks

    n = compiled.size
    kinks: list[np.ndarray] = []
    values = np.broadcast_to(evaluate(tree, compiled.env, kinks), (n,)).copy()
    mask = compiled.mask & np.isfinite(values) & far_from_kinks(kinks, n)
    if friendly:
        mask &= compiled.layout.region == FRIENDLY
    return replace(
        compiled,
        reference=tree,
        reference_expanded=tree,
        reference_values=values,
        mask=mask,
        cache={},
    )


__all__ = ["MAX_LINES", "STATUSES", "Derivation", "Step", "check_steps", "split_lines"]
