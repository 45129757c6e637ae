"""The parser's AST as a sympy expression: for the "interpreted as" preview, an optional
symbolic equality check, and simplified feedback.

sympy is imported inside these functions only, so importing ``quizapp.mathcheck`` stays cheap;
the checker's worker process imports it in the background while it already serves checks.
Nothing here ever sees learner text: only trees the safe parser produced.

Two conversions:

- ``display=True`` keeps the structure the learner typed (sympy's ``evaluate=False``; the
  printer's ``order='none'``), names functions as typed (σ, clip, step, max) and shows
  ``yhat`` as ŷ, ``eps`` as ε, ``p_k`` as pₖ, ``z1`` as z₁.
- ``display=False`` builds an exact, evaluated expression (decimals as rationals, sigmoid as
  1/(1 + e^(−x)), clip as Min/Max, conditionals as Piecewise) for ``cancel``/``expand``/
  ``simplify``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from quizapp.mathcheck.parser import (
    BinOp,
    BoolOp,
    Call,
    Compare,
    Cond,
    Name,
    Neg,
    Node,
    Num,
    Pow,
)

DISPLAY_NAMES = {"yhat": "ŷ", "eps": "ε", "lam": "λ"}
# Functions shown under the name the learner typed (sympy has none, or prints it differently).
_DISPLAY_FUNCTIONS = {
    "sigmoid": "σ",
    "softplus": "softplus",
    "log10": "log10",
    "log2": "log2",
    "max": "max",
    "min": "min",
    "clip": "clip",
    "step": "step",
}


def _sympy() -> Any:
    import sympy

    return sympy


@lru_cache(maxsize=256)
def _symbol(name: str, display: bool) -> Any:
    sp = _sympy()
    if display:
        return sp.Symbol(DISPLAY_NAMES.get(name, name))
    return sp.Symbol(name, real=True)


def _display_number(node: Num) -> Any:
    sp = _sympy()
    if node.is_integer:
        return sp.Integer(int(node.value))
    mantissa = node.text.lower().split("e")[0].replace(".", "").lstrip("0")
    return sp.Float(node.text, max(1, len(mantissa)))


def to_sympy(node: Node, *, display: bool = False) -> Any:
    """Convert a parsed tree; with ``display`` keep it exactly as typed (unevaluated)."""
    sp = _sympy()
    ev = not display

    def go(n: Node) -> Any:
        if isinstance(n, Num):
            if display:
                return _display_number(n)
            return sp.Integer(int(n.value)) if n.is_integer else sp.Rational(n.text)
        if isinstance(n, Name):
            return _symbol(n.name, display)
        if isinstance(n, Neg):
            if display and isinstance(n.operand, Num):
                return -_display_number(n.operand)
            return sp.Mul(-1, go(n.operand), evaluate=ev)
        if isinstance(n, BinOp):
            a, b = go(n.left), go(n.right)
            if n.op == "+":
                return sp.Add(a, b, evaluate=ev)
            if n.op == "-":
                return sp.Add(a, sp.Mul(-1, b, evaluate=ev), evaluate=ev)
            if n.op == "*":
                return sp.Mul(a, b, evaluate=ev)
            inverse = sp.Pow(b, -1, evaluate=ev)
            if display and a == 1:
                return inverse  # "1/N", not "1*1/N"
            return sp.Mul(a, inverse, evaluate=ev)
        if isinstance(n, Pow):
            return sp.Pow(go(n.base), go(n.exponent), evaluate=ev)
        if isinstance(n, Call):
            return _call(n.func, [go(a) for a in n.args], display)
        if isinstance(n, Cond):
            return sp.Piecewise((go(n.then), go(n.test)), (go(n.orelse), True), evaluate=ev)
        if isinstance(n, Compare):
            parts = []
            values = [go(o) for o in n.operands]
            for op, a, b in zip(n.ops, values, values[1:], strict=False):
                parts.append(_RELATIONS[op](a, b, evaluate=ev))
            return parts[0] if len(parts) == 1 else sp.And(*parts, evaluate=ev)
        if isinstance(n, BoolOp):
            args = [go(o) for o in n.operands]
            if n.op == "not":
                return sp.Not(args[0], evaluate=ev)
            return (sp.And if n.op == "and" else sp.Or)(*args, evaluate=ev)
        raise TypeError(f"unknown node {type(n).__name__}")  # pragma: no cover

    return go(node)


def _relation(name: str) -> Any:
    def make(a: Any, b: Any, evaluate: bool) -> Any:
        return getattr(_sympy(), name)(a, b, evaluate=evaluate)

    return make


_RELATIONS = {
    "<": _relation("StrictLessThan"),
    "<=": _relation("LessThan"),
    ">": _relation("StrictGreaterThan"),
    ">=": _relation("GreaterThan"),
    "==": _relation("Eq"),
    "!=": _relation("Ne"),
}


def _call(func: str, args: list[Any], display: bool) -> Any:
    sp = _sympy()
    if display:
        if func in _DISPLAY_FUNCTIONS:
            return sp.Function(_DISPLAY_FUNCTIONS[func])(*args)
        builtin = {"exp": sp.exp, "log": sp.log, "abs": sp.Abs, "sign": sp.sign, "tanh": sp.tanh}
        if func == "sqrt":
            return sp.Pow(args[0], sp.Rational(1, 2), evaluate=False)
        return builtin[func](*args, evaluate=False)
    x = args[0]
    if func == "sigmoid":
        return 1 / (1 + sp.exp(-x))
    if func == "softplus":
        return sp.log(1 + sp.exp(x))
    if func == "log10":
        return sp.log(x) / sp.log(10)
    if func == "log2":
        return sp.log(x) / sp.log(2)
    if func == "step":
        return sp.Heaviside(x, sp.Rational(1, 2))
    if func == "clip":
        return sp.Min(sp.Max(args[0], args[1]), args[2])
    table = {
        "exp": sp.exp,
        "log": sp.log,
        "sqrt": sp.sqrt,
        "abs": sp.Abs,
        "sign": sp.sign,
        "tanh": sp.tanh,
        "max": sp.Max,
        "min": sp.Min,
    }
    return table[func](*args)


def pretty(node: Node) -> str:
    """A Unicode, possibly multi-line, rendering of the tree as the learner typed it."""
    sp = _sympy()
    return sp.pretty(to_sympy(node, display=True), use_unicode=True, order="none")


def symbolically_equal(a: Node, b: Node) -> bool:
    """True when ``cancel(expand(a - b))`` is 0. False means "not shown", never "different"."""
    sp = _sympy()
    difference = to_sympy(a) - to_sympy(b)
    return bool(sp.cancel(sp.expand(difference)) == 0)


def simplified(node: Node) -> str:
    """``simplify`` of the tree, pretty-printed. Slow on big input: call under a deadline."""
    sp = _sympy()
    expr = sp.simplify(to_sympy(node))
    # Show ŷ and ε as in the preview.
    expr = expr.subs({_symbol(k, False): sp.Symbol(v) for k, v in DISPLAY_NAMES.items()})
    return sp.pretty(expr, use_unicode=True)
