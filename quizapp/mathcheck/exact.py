"""The checker's tree evaluated in high precision (mpmath, which ships with sympy), to confirm a
counterexample the float judge found: a float-only disagreement (rounding, an underflow) is not
a counterexample.

``confirmed_point(c, answer, values)`` returns the first sample point where the answer and the
derivative surely differ: their intervals (mpmath ``iv`` at ``DIGITS`` digits) are apart; or None.
"""

from __future__ import annotations

from typing import Any

from quizapp.mathcheck.nodes import (
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

DIGITS = 60
MAX_POINTS = 24


class _Undefined(Exception):
    """The expression has no real value at the point."""


class _Unknown(Exception):
    """The interval is too wide to tell (a condition or a sign straddles its switch)."""


def _iv() -> Any:
    import mpmath

    iv = mpmath.iv
    iv.dps = DIGITS
    return iv


def evaluate(node: Node, env: dict[str, Any]) -> Any:
    """An interval (mpmath ``iv``) that surely holds the value of ``node`` at ``env``; raises
    ``_Undefined`` where it has no real value, ``_Unknown`` where the interval cannot tell."""
    iv = _iv()
    if isinstance(node, Num):
        return iv.mpf(node.text)
    if isinstance(node, Name):
        if node.name not in env:
            raise _Unknown
        return env[node.name]
    if isinstance(node, Neg):
        return -evaluate(node.operand, env)
    if isinstance(node, BinOp):
        a, b = evaluate(node.left, env), evaluate(node.right, env)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return a * b
        if b.a == 0 and b.b == 0:
            raise _Undefined
        if b.a <= 0 <= b.b:
            raise _Unknown
        return a / b
    if isinstance(node, Pow):
        return _power(evaluate(node.base, env), node.exponent, env)
    if isinstance(node, Call):
        return _call(node.func, [evaluate(a, env) for a in node.args])
    if isinstance(node, Cond):
        return evaluate(node.then if _truth(node.test, env) else node.orelse, env)
    raise _Unknown


def _power(base: Any, exponent_node: Node, env: dict[str, Any]) -> Any:
    exponent = evaluate(exponent_node, env)
    if isinstance(exponent_node, Num) and exponent_node.is_integer:
        k = int(exponent_node.value)
        if k < 0 and base.a <= 0 <= base.b:
            raise _Undefined if base.a == base.b == 0 else _Unknown
        return base**k
    if base.b < 0:
        raise _Undefined
    if base.a <= 0:
        if base.a == base.b == 0 and exponent.a > 0:
            return base
        raise _Unknown
    return base**exponent


def _sign(x: Any) -> int:
    if x.a > 0:
        return 1
    if x.b < 0:
        return -1
    if x.a == 0 and x.b == 0:
        return 0
    raise _Unknown


def _call(func: str, args: list[Any]) -> Any:
    iv = _iv()
    x = args[0]
    if func in ("log", "log10", "log2", "sqrt"):
        if x.b < 0 or (x.b == 0 and func != "sqrt"):
            raise _Undefined
        if x.a < 0 or (x.a == 0 and func != "sqrt"):
            raise _Unknown
        if func == "sqrt":
            return iv.sqrt(x)
        scale = {"log": 1, "log10": iv.log(10), "log2": iv.log(2)}[func]
        return iv.log(x) / scale
    if func == "exp":
        return iv.exp(x)
    if func == "sigmoid":
        return 1 / (1 + iv.exp(-x))
    if func == "softplus":
        return iv.log(1 + iv.exp(x))
    if func == "tanh":
        return 1 - 2 / (iv.exp(2 * x) + 1)
    if func == "abs":
        side = _sign(x) if not (x.a <= 0 <= x.b) else 0
        if side:
            return x * side
        return iv.mpf([0, max(-x.a, x.b)])
    if func == "sign":
        return iv.mpf(_sign(x))
    if func == "step":
        return iv.mpf({1: 1, -1: 0, 0: 0.5}[_sign(x)])
    if func in ("max", "min", "clip"):
        if func == "clip":
            return _extreme(min, [_extreme(max, [x, args[1]]), args[2]])
        return _extreme(max if func == "max" else min, args)
    raise _Unknown


def _extreme(pick: Any, args: list[Any]) -> Any:
    return _iv().mpf([pick(a.a for a in args), pick(a.b for a in args)])


def _truth(node: Node, env: dict[str, Any]) -> bool:
    if isinstance(node, Compare):
        values = [evaluate(o, env) for o in node.operands]
        return all(_holds(op, a, b) for op, a, b in zip(node.ops, values, values[1:], strict=False))
    if isinstance(node, BoolOp):
        parts = [_truth(o, env) for o in node.operands]
        if node.op == "not":
            return not parts[0]
        return all(parts) if node.op == "and" else any(parts)
    raise _Unknown


def _holds(op: str, a: Any, b: Any) -> bool:
    side = _sign(a - b)
    return {
        "<": side < 0,
        "<=": side <= 0,
        ">": side > 0,
        ">=": side >= 0,
        "==": side == 0,
        "!=": side != 0,
    }[op]


def differs_at(answer: Node, reference: Node, point: dict[str, float]) -> bool | None:
    """True when the two surely differ at ``point`` (their intervals in high precision are
    apart), or the answer has no value there nor right beside it where the derivative has one;
    None when that cannot be said (rounding even at DIGITS digits, or the answer misses only
    this very point: log(a^x)/log(a) at a = 1)."""
    iv = _iv()
    env = {name: iv.mpf(value) for name, value in point.items()}
    r = _value(reference, env)
    if r is None:
        return None
    try:
        a = evaluate(answer, env)
    except _Undefined:
        beside = {name: v * (1 + iv.mpf("1e-9")) + iv.mpf("1e-12") for name, v in env.items()}
        near = _value(answer, beside, undefined=True)
        return True if near == "undefined" and _value(reference, beside) is not None else None
    except (_Unknown, ValueError, ZeroDivisionError, OverflowError):
        return None
    gap = a - r
    return bool(gap.a > 0 or gap.b < 0)


def _value(node: Node, env: dict[str, Any], undefined: bool = False) -> Any:
    try:
        return evaluate(node, env)
    except _Undefined:
        return "undefined" if undefined else None
    except (_Unknown, ValueError, ZeroDivisionError, OverflowError):
        return None


def confirmed_point(c: Any, answer: Node, values: Any) -> dict[str, float] | None:
    """A sample point where the float answer disagrees with the derivative and the difference
    is real in high precision; the friendliest points first, at most ``MAX_POINTS`` tried."""
    import numpy as np

    from quizapp.mathcheck.domains import PROBE

    values = np.broadcast_to(values, (c.size,))
    reference = c.reference_values
    usable = (c.mask | (c.layout.region == PROBE)) & np.isfinite(reference)
    with np.errstate(all="ignore"):
        gap = np.abs(values - reference) / np.maximum(np.abs(reference), 1e-300)
    bad = usable & ~(values == reference)
    gap = np.where(np.isfinite(gap), gap, np.inf)
    if not bad.any():
        return None
    # The largest relative differences first (a rounding artefact is small), friendly first.
    order = np.lexsort((c.layout.region, -gap))
    picked = [int(i) for i in order if bad[i]][:MAX_POINTS]
    names = list(c.problem.variables)
    for i in picked:
        point = {name: float(c.env[name][i]) for name in names}
        if differs_at(answer, c.reference_expanded, point):
            return point
    return None


__all__ = ["confirmed_point", "differs_at", "evaluate"]
