"""The verdict of one expression against the derivative: "correct" only with a proof.

``decide(c, tree)`` runs the fast float judge (``judge.py``) first, then:

- the judge found a difference: it stands as "incorrect" when a point where it differs is
  confirmed in high precision (``exact.py``); a float-only difference (rounding) is not a
  counterexample, so the answer goes on to the proof;
- otherwise sympy must prove the answer equal to the derivative (``prove.py``): proved is
  "correct" with the proof; a difference that is a known non-zero value on a whole case is
  "incorrect" with that point; neither is "unchecked" with the reason, never "correct";
- the proof holds wherever both sides have a value, so an answer that divides by zero at a
  point of the domain where the derivative has a value (``(p - y)*z/z`` at z = 0, off the
  derivative's own switches) is "incorrect" with that point (``singular.py``), never "correct";
  where such a zero is not rational (a divisor 4*y + exp(y) changes sign between test points)
  it is "unchecked", never "correct".
"""

from __future__ import annotations

from fractions import Fraction

from quizapp.mathcheck.compare import Judgement
from quizapp.mathcheck.nodes import Node
from quizapp.mathcheck.problem import Compiled
from quizapp.mathcheck.prove import Proof


def expanded(c: Compiled, tree: Node) -> Node:
    """``tree`` with the drill's named quantities replaced by their definitions."""
    from quizapp.mathcheck.calculus import substitute

    return substitute(tree, c.quantity_trees) if c.quantity_trees else tree


def decide(c: Compiled, tree: Node) -> tuple[Judgement, Proof | None]:
    """The judgement of ``tree`` against ``c``'s reference, and the proof when there is one."""
    import numpy as np

    from quizapp.mathcheck.counts import count_hole, count_witness
    from quizapp.mathcheck.exact import confirmed_point, differs_at
    from quizapp.mathcheck.judge import judge
    from quizapp.mathcheck.numeric import evaluate
    from quizapp.mathcheck.prove import prove
    from quizapp.mathcheck.singular import undefined_point
    from quizapp.mathcheck.zeros import crossing

    c.cache["witnesses"] = []
    result = judge(c, tree)
    plain = expanded(c, tree)
    if result.verdict == "incorrect":
        if any(differs_at(plain, c.reference_expanded, p) for p in c.cache["witnesses"]):
            return result, None
        with np.errstate(all="ignore"):
            values = evaluate(tree, c.env)
        if confirmed_point(c, plain, values) is not None:
            return result, None
    proof = prove(c.problem.domains, plain, c.reference_expanded)
    if proof.witness is None:
        hole = undefined_point(c.problem.domains, plain, c.reference_expanded)
        if hole is not None:
            return Judgement("incorrect", _undefined_at(c, *hole), points=result.points), None
    if proof.proved:
        gap = crossing(c, plain)  # a zero of a divisor that is not rational
        if gap is not None:
            return Judgement("unchecked", gap, points=result.points), None
        count = count_hole(c, plain)  # a zero at a whole count beyond the test points
        if isinstance(count, str):
            return Judgement("unchecked", f"your answer {count}", points=result.points), None
        if count is not None:
            return Judgement("incorrect", _undefined_at(c, *count), points=result.points), None
        return Judgement("correct", proof.summary(), points=result.points), proof
    if proof.witness is not None:
        return Judgement("incorrect", _counterexample(c, proof)), proof
    beyond = count_witness(c, plain)  # a switch on a count beyond the test points
    if beyond is not None:
        return Judgement("incorrect", beyond), proof
    if result.verdict == "unchecked":
        return result, proof
    if result.verdict == "incorrect":
        why = (
            "differs from the derivative only where floating-point rounding decides, and "
            f"could not be proved equal to it: {proof.reason}"
        )
    else:
        why = (
            f"agrees with the derivative at {result.points} test points, but could not be "
            f"proved equal to it: {proof.reason}"
        )
    return Judgement("unchecked", why, points=result.points), proof


def _counterexample(c: Compiled, proof: Proof) -> str:
    from quizapp.mathcheck.compare import fmt

    point = proof.witness or {}
    where = ", ".join(f"{name} = {fmt(point[name])}" for name in c.problem.variables)
    answer, reference = proof.witness_values
    return (
        f"not equal to the derivative: at {where} your answer is {answer} but the derivative "
        f"is {reference} (computed exactly)"
    )


def _exact_text(x: Fraction) -> str:
    """A rational point as typed: 0.123456 or 1/3, never rounded."""
    q = x.denominator
    while q % 2 == 0:
        q //= 2
    while q % 5 == 0:
        q //= 5
    if q != 1:
        return str(x)
    from decimal import Decimal

    return format(Decimal(x.numerator) / Decimal(x.denominator), "f")


def _undefined_at(c: Compiled, point: dict[str, Fraction], derivative: float) -> str:
    from quizapp.mathcheck.compare import fmt

    where = ", ".join(f"{name} = {_exact_text(point[name])}" for name in c.problem.variables)
    return (
        f"not equal to the derivative: at {where} your answer is undefined: a division by zero "
        f"but the derivative is {fmt(derivative)} (computed exactly)"
    )


__all__ = ["decide", "expanded"]
