"""Comparing the lines of a derivation (``steps.py``): one line against the line before (proved
equal, shown wrong at a confirmed point, or neither), a wrong line named as a simple multiple of
the one before, and the true value of a partial derivative the drill defines (dL/dp, dp/dz)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from quizapp.mathcheck.parser import Node


@dataclass(frozen=True)
class Quick:
    verdict: str
    message: str = ""
    mistake: str | None = None


FOLLOWS = Quick("correct")


def values_at(compiled: Any, tree: Node) -> Any:
    import numpy as np

    from quizapp.mathcheck.numeric import evaluate

    return np.broadcast_to(evaluate(tree, compiled.env), (compiled.size,))


def same(compiled: Any, a: Any, b: Any) -> bool:
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


def scaled(compiled: Any, a: Any, b: Any) -> Quick | None:
    """A wrong step that is a simple multiple (-1, ±2, ±1/2) of the one it is compared with."""
    import numpy as np

    from quizapp.mathcheck.mistakes import _describe_constant

    for k in (-1.0, 2.0, -2.0, 0.5, -0.5):
        with np.errstate(all="ignore"):  # k * b overflows to inf: not that multiple
            multiple = k * b
        if same(compiled, a, multiple):
            mistake, message = _describe_constant(k)
            return Quick("incorrect", message, mistake)
    return None


def relative(message: str, to: str = "the line before") -> str:
    """A judge message about "the derivative" reworded for another reference."""
    return message.replace("the derivative", to).replace("your answer", "this line")


def partial(compiled: Any, top: str, bottom: str) -> Node | None:
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


def reserved(name: str) -> bool:
    """Whether ``name`` is a function (exp, sigma ...) or a keyword (if, and ...) of the syntax."""
    from quizapp.mathcheck.parser import FUNCTION_ALIASES, FUNCTIONS, KEYWORDS

    return name in FUNCTIONS or name in FUNCTION_ALIASES or name in KEYWORDS


def against(compiled: Any, tree: Node, *, friendly: bool = False) -> Any:
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


def compare(c: Any, reference: Node, tree: Node) -> Quick:
    """Is ``tree`` equal to ``reference`` (an earlier line of a derivation checked against the
    compiled drill ``c``)? Proved, shown wrong at a point
    that is confirmed in high precision, or neither ("unchecked")."""
    from quizapp.mathcheck.certify import expanded
    from quizapp.mathcheck.exact import confirmed_point
    from quizapp.mathcheck.judge import judge
    from quizapp.mathcheck.prove import prove

    values, before = values_at(c, tree), values_at(c, reference)
    if not same(c, values, before):
        other = against(c, reference, friendly=True)
        other = replace(other, reference_expanded=expanded(c, reference))
        if confirmed_point(other, expanded(c, tree), values) is not None:
            quick = scaled(c, values, before)
            if quick is not None:
                return quick
            verdict = judge(other, tree)
            if verdict.verdict == "incorrect":
                return Quick("incorrect", verdict.message, verdict.mistake)
    proof = prove(c.problem.domains, expanded(c, tree), expanded(c, reference))
    if proof.proved:
        return _hole(c, reference, tree) or FOLLOWS
    if proof.witness is not None:
        # An exact point where the two differ (found and confirmed by the prover's witness
        # search): wrong, named as a simple multiple where it is one.
        point = ", ".join(f"{k} = {v:g}" for k, v in proof.witness.items())
        here, there = proof.witness_values
        return scaled(c, values, before) or Quick(
            "incorrect", f"at {point} this line is {here} but the line before is {there}"
        )
    return Quick("unchecked", f"not checked: could not be proved equal to it ({proof.reason})")


def _hole(c: Any, reference: Node, tree: Node) -> Quick | None:
    """A line proved equal to the line before wherever both have a value is still wrong where
    it has none and the line before has one (``(p - y)*(z - 1)/(z - 1)`` after ``p - y``): as
    for a final answer (``certify.decide``), "incorrect" at an exact point, or "unchecked" at
    an irrational zero of a divisor."""
    from quizapp.mathcheck.certify import _undefined_at, expanded
    from quizapp.mathcheck.singular import undefined_point
    from quizapp.mathcheck.zeros import crossing

    before, plain = expanded(c, reference), expanded(c, tree)
    hole = undefined_point(c.problem.domains, plain, before)
    if hole is not None:
        return Quick("incorrect", _undefined_at(c, *hole))
    other = replace(against(c, reference), reference_expanded=before)
    gap = crossing(other, plain)
    if gap is not None:
        return Quick("unchecked", f"not checked: this line {relative(gap)}")
    return None


__all__ = [
    "FOLLOWS",
    "Quick",
    "against",
    "compare",
    "partial",
    "relative",
    "reserved",
    "same",
    "scaled",
    "values_at",
]
