"""The prover's sympy forms (``prove.py``): the canonical form two equal expressions share, a
proof that an expression is 0, and what is known of an expression's sign in the domain."""

from __future__ import annotations

from typing import Any

from quizapp.mathcheck.regions import _linear_sign, _switches
from quizapp.mathcheck.witness import MAX_DEGREE
from quizapp.mathcheck.witness import tame as _tame

SIMPLIFY_OPS = 60


def _sp() -> Any:
    import sympy

    return sympy


def canonical(expr: Any) -> Any:
    """A form in which two equal expressions of the drills' kind differ by 0 after cancel."""
    sp = _sp()
    if not expr.has(sp.exp, sp.log, sp.tanh) and all(p.exp.is_Number for p in expr.atoms(sp.Pow)):
        return sp.cancel(expr)  # a rational function already
    expr = sp.expand_log(expr)
    if expr.has(sp.tanh):
        expr = expr.rewrite(sp.exp)
    generators: dict[Any, Any] = {}

    def as_powers(base: Any, arg: Any) -> Any:
        result = sp.Integer(1)
        for term in sp.Add.make_args(sp.expand(arg)):
            coeff, rest = term.as_coeff_Mul()
            if rest == 1:
                result *= sp.exp(coeff) if base is None else base**coeff
                continue
            if not (abs(coeff.p) <= MAX_DEGREE and coeff.q <= MAX_DEGREE):
                rest, coeff = coeff * rest, sp.Integer(1)  # exp(10^6*u): opaque, not a power
            key = (base, rest)
            if key not in generators:
                generators[key] = sp.Dummy(f"G{len(generators)}", positive=True)
            result *= generators[key] ** coeff
        return result

    expr = expr.replace(lambda e: isinstance(e, sp.exp), lambda e: as_powers(None, e.args[0]))
    expr = expr.replace(
        lambda e: isinstance(e, sp.Pow) and not e.exp.is_Number,
        lambda e: as_powers(e.base, e.exp),
    )
    return sp.cancel(sp.together(expr))


def is_zero(expr: Any) -> bool:
    """True only when ``expr`` is shown to be identically 0 (within the operation budget)."""
    sp = _sp()
    if expr == 0:
        return True
    if canonical(expr) == 0:
        return True
    if sp.count_ops(expr) <= SIMPLIFY_OPS and _tame(expr):
        return bool(sp.simplify(expr) == 0)
    return False


def _positive(expr: Any, probs: dict[Any, Any]) -> bool | None:
    """True when expr > 0 in the domain, False when expr <= 0 everywhere, None if not known."""
    sp = _sp()
    linear = _linear_sign(expr, probs)
    if linear is not None:
        return linear
    if probs:
        expr = expr.xreplace(probs)
    factored = sp.factor(expr) if sp.count_ops(expr) < 40 and _tame(expr) else expr
    for form in (expr, sp.together(expr), factored):
        if form.is_positive:
            return True
        if form.is_nonpositive:
            return False
    return None


def nonzero_almost_everywhere(arg: Any) -> bool:
    sp = _sp()
    if arg.is_nonzero:
        return True
    if isinstance(arg, sp.Abs | sp.sign):
        return nonzero_almost_everywhere(arg.args[0])
    if isinstance(arg, sp.Mul):
        return all(nonzero_almost_everywhere(f) for f in arg.args)
    if isinstance(arg, sp.Pow):
        return nonzero_almost_everywhere(arg.base)
    if _switches(arg):
        return False
    return bool(arg.free_symbols) and canonical(arg) != 0


positive = _positive

__all__ = ["SIMPLIFY_OPS", "canonical", "is_zero", "nonzero_almost_everywhere", "positive"]
