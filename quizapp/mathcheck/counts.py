"""Whole counts beyond the test points (they are sampled 1 to 1000 only).

- ``count_hole``: a divisor that is 0 at a whole count the exact rational search cannot see
  (``/(log(N) - log(5000))``, ``/(sqrt(N) - 100)``): the count is found by a sign change along
  the count (others at simple values), narrowed to two neighbouring counts, and the divisor
  shown exactly 0 there (sympy, exact numbers); a count where it surely is not 0 on either side
  has no zero; one that cannot be told is "unchecked".
- ``count_witness``: where the answer switches on a count beyond the test points
  (``... if N < 100000 else 0``, ``step(N - 5000)``), the counts at the switch and beside it
  are tried, and a point where the answer and the derivative surely differ (high-precision
  intervals) is a counterexample.

Counts are searched up to ``MAX_COUNT``; the work is bounded by counts of evaluations.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

from quizapp.mathcheck.nodes import Name, Node

MAX_COUNT = 2**48
MAX_PARTS = 16


def _counts(c: Any) -> list[str]:
    return [n for n, d in c.problem.domains if d == "count"]


def _bases(c: Any) -> list[dict[str, Fraction]]:
    """A few simple points of the domain (the counts there are replaced)."""
    from quizapp.mathcheck.singular import _VALUES

    return [
        {
            name: _VALUES[d][(k + 3 * j) % len(_VALUES[d])]
            for j, (name, d) in enumerate(c.problem.domains)
        }
        for k in (0, 1, 2)
    ]


def _uses(node: Node, name: str) -> bool:
    return any(isinstance(n, Name) and n.name == name for n in node.walk())


def _float(node: Node, point: dict[str, Fraction]) -> float | None:
    from quizapp.mathcheck.numeric import evaluate_scalar

    try:
        x = evaluate_scalar(node, {k: float(v) for k, v in point.items()})
    except Exception:  # any failure: nothing to say here
        return None
    return x if abs(x) < float("inf") else None  # NaN and infinities too


def _bracket(node: Node, point: dict[str, Fraction], name: str) -> tuple[int, int] | None:
    """Neighbouring counts (a, a + 1) where ``node`` changes sign or is 0 (floats), searched
    from 1 up to MAX_COUNT by doubling, then by bisection."""
    grid = [*range(1, 17)]
    while grid[-1] < MAX_COUNT:
        grid.append(grid[-1] * 2)
    values = [(n, _float(node, point | {name: Fraction(n)})) for n in grid]
    for (a, fa), (b, fb) in itertools.pairwise(values):
        if fa is None or fb is None:
            continue
        if fa == 0:
            return a, a + 1
        if (fa > 0) != (fb > 0) or fb == 0:
            while b - a > 1:
                m = (a + b) // 2
                fm = _float(node, point | {name: Fraction(m)})
                if fm is None:
                    return None
                if (fm > 0) == (fa > 0) and fm != 0:
                    a = m
                else:
                    b = m
            return a, b
    return None


def _exactly_zero(node: Node, point: dict[str, Fraction]) -> bool | None:
    """True when ``node`` is exactly 0 at the rational ``point``, False when surely not (an
    interval apart from 0), None when that cannot be told."""
    from quizapp.mathcheck import exact

    iv = exact._iv()
    env = {k: iv.mpf(v.numerator) / iv.mpf(v.denominator) for k, v in point.items()}
    try:
        x = exact.evaluate(node, env)
        if x.a > 0 or x.b < 0:
            return False
    except Exception:  # undefined or undecided: look exactly
        pass
    try:
        import sympy as sp

        from quizapp.mathcheck.symbolic import to_sympy

        expr = to_sympy(node)
        values = {s: sp.Rational(point[s.name].numerator, point[s.name].denominator)
                  for s in expr.free_symbols if s.name in point}  # fmt: skip
        if sp.count_ops(expr) > 80:
            return None
        value = sp.simplify(sp.expand_log(expr.xreplace(values), force=True))
        return True if value == 0 else None
    except Exception:  # sympy refusing an input: cannot tell
        return None


def count_hole(c: Any, answer: Node) -> tuple[dict[str, Fraction], float] | str | None:
    """A point (with the derivative's value there) where a divisor of ``answer`` is exactly 0
    at a whole count; or, in words, a count where it may be 0 but that cannot be told; or
    None."""
    from quizapp.mathcheck import exact
    from quizapp.mathcheck.parser import to_text
    from quizapp.mathcheck.singular import _derivative_there
    from quizapp.mathcheck.zeros import _divisors, _parts

    counts = _counts(c)
    if not counts:
        return None
    base = _bases(c)[0]
    tried = 0
    for divisor, path in _divisors(answer):
        for part in _parts(divisor):
            for name in counts:
                if not _uses(part, name) or tried >= MAX_PARTS:
                    continue
                tried += 1
                found = _bracket(part, base, name)
                if found is None:
                    continue
                for n in found:
                    point = base | {name: Fraction(n)}
                    zero = _exactly_zero(part, point)
                    if zero is False:
                        continue
                    value = _derivative_there(c.reference_expanded, point)
                    if value is None:
                        continue
                    iv = exact._iv()
                    env = {k: iv.mpf(v.numerator) / iv.mpf(v.denominator) for k, v in point.items()}
                    try:
                        taken = all(exact._truth(t, env) == side for t, side in path)
                    except Exception:
                        taken = False  # the branch cannot be told: not this point
                    if zero is True and taken:
                        return point, float(value.mid)
                    if zero is None:
                        return (
                            f"may have no value where {to_text(part)} = 0, near {name} = {n}, "
                            "which could not be told exactly"
                        )
    return None


def count_witness(c: Any, answer: Node) -> str | None:
    """A counterexample at a whole count beyond the test points, where ``answer`` switches on a
    count: in words; or None."""
    from quizapp.mathcheck import exact
    from quizapp.mathcheck.compare import fmt
    from quizapp.mathcheck.singular import _switch_arguments

    counts = _counts(c)
    if not counts:
        return None
    bases = _bases(c)
    iv = exact._iv()
    tried = 0
    for arg in _switch_arguments(answer):
        for name in counts:
            if not _uses(arg, name) or tried >= MAX_PARTS:
                continue
            tried += 1
            found = _bracket(arg, bases[0], name)
            if found is None:
                continue
            a, b = found
            for base, n in itertools.product(bases, (a - 1, a, b, b + 1, 2 * b)):
                if n < 1:
                    continue
                point = base | {name: Fraction(n)}
                env = {k: iv.mpf(v.numerator) / iv.mpf(v.denominator) for k, v in point.items()}
                try:
                    mine = exact.evaluate(answer, env)
                    truth = exact.evaluate(c.reference_expanded, env)
                except Exception:  # undefined or undecided there: not a counterexample
                    continue
                gap = mine - truth
                if gap.a > 0 or gap.b < 0:
                    where = ", ".join(f"{k} = {point[k]}" for k in c.problem.variables)
                    return (
                        f"not equal to the derivative: at {where} your answer is "
                        f"{fmt(float(mine.mid))} but the derivative is {fmt(float(truth.mid))} "
                        "(computed exactly)"
                    )
    return None


__all__ = ["MAX_COUNT", "count_hole", "count_witness"]
