"""Evaluate a parsed expression with numbers: scalars for typed numeric answers, numpy arrays for
checking equivalence at many random points at once.

Only the node types of ``quizapp.mathcheck.parser`` are understood, so nothing a learner types can
do more than arithmetic. Undefined results (log of a negative, 0/0) come back as NaN, never as an
exception, when evaluating arrays.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

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
    ParseError,
    Pow,
    parse,
)

ArrayLike = float | np.ndarray

# Functions whose argument is a kink (non-differentiable point or jump) when it equals 0.
KINK_FUNCTIONS = frozenset({"abs", "sign", "step", "max", "min", "clip"})


def _sigmoid(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    # exp of a negative magnitude never overflows.
    ex = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + ex), ex / (1.0 + ex))


_UNARY = {
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "log2": np.log2,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "sign": np.sign,
    "sigmoid": _sigmoid,
    "softplus": lambda x: np.logaddexp(0.0, x),
    "tanh": np.tanh,
    "step": lambda x: np.heaviside(x, 0.5),
}


def evaluate(
    node: Node,
    env: Mapping[str, ArrayLike],
    kinks: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Evaluate ``node`` with numpy broadcasting over the arrays in ``env``.

    When ``kinks`` is a list, the signed distance to every kink (the argument of abs/sign/step,
    the difference inside max/min/clip, each side of a comparison) is appended to it, so a caller
    can skip points that sit on or near a kink.
    """
    with np.errstate(all="ignore"):
        return np.asarray(_eval(node, env, kinks), dtype=float)


def _eval(node: Node, env: Mapping[str, ArrayLike], kinks: list[np.ndarray] | None) -> ArrayLike:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        try:
            return env[node.name]
        except KeyError:
            raise ValueError(f"no value for '{node.name}'") from None
    if isinstance(node, Neg):
        return -_eval(node.operand, env, kinks)
    if isinstance(node, BinOp):
        a = _eval(node.left, env, kinks)
        b = _eval(node.right, env, kinks)
        if node.op == "+":
            return a + b
        if node.op == "-":
            return a - b
        if node.op == "*":
            return np.multiply(a, b)
        return np.divide(a, np.asarray(b, dtype=float))
    if isinstance(node, Pow):
        base = np.asarray(_eval(node.base, env, kinks), dtype=float)
        exponent = _eval(node.exponent, env, kinks)
        return np.power(base, exponent)
    if isinstance(node, Call):
        args = [_eval(a, env, kinks) for a in node.args]
        if kinks is not None and node.func in KINK_FUNCTIONS:
            if node.func in ("abs", "sign", "step"):
                kinks.append(np.asarray(args[0], dtype=float))
            elif node.func in ("max", "min"):
                kinks.append(np.asarray(args[0] - args[1], dtype=float))
            else:
                kinks.append(np.asarray(args[0] - args[1], dtype=float))
                kinks.append(np.asarray(args[0] - args[2], dtype=float))
        if node.func in _UNARY:
            return _UNARY[node.func](np.asarray(args[0], dtype=float))
        if node.func == "max":
            return np.maximum(args[0], args[1])
        if node.func == "min":
            return np.minimum(args[0], args[1])
        if node.func == "clip":
            return np.minimum(np.maximum(args[0], args[1]), args[2])
        raise ValueError(f"unknown function {node.func}")  # pragma: no cover
    if isinstance(node, Cond):
        test = _truth(node.test, env, kinks)
        return np.where(test, _eval(node.then, env, kinks), _eval(node.orelse, env, kinks))
    raise ValueError(f"'{type(node).__name__}' is not a value")


_COMPARE = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def _truth(node: Node, env: Mapping[str, ArrayLike], kinks: list[np.ndarray] | None) -> ArrayLike:
    if isinstance(node, Compare):
        values = [_eval(o, env, kinks) for o in node.operands]
        result: ArrayLike = True
        for op, a, b in zip(node.ops, values, values[1:], strict=False):
            if kinks is not None:
                kinks.append(np.asarray(np.subtract(a, b), dtype=float))
            result = np.logical_and(result, _COMPARE[op](a, b))
        return result
    if isinstance(node, BoolOp):
        parts = [_truth(o, env, kinks) for o in node.operands]
        if node.op == "not":
            return np.logical_not(parts[0])
        combine = np.logical_and if node.op == "and" else np.logical_or
        result = parts[0]
        for p in parts[1:]:
            result = combine(result, p)
        return result
    raise ValueError("expected a condition")


def evaluate_scalar(node: Node, env: Mapping[str, float]) -> float:
    """Evaluate to one Python float; raise ValueError when the result is not a finite number."""
    value = float(evaluate(node, env))
    if math.isnan(value):
        raise ValueError("the expression has no value there (for example log of a negative or 0/0)")
    if math.isinf(value):
        raise ValueError("the expression is infinite (for example 1/0 or log(0))")
    return value


def evaluate_number(text: str) -> float:
    """Parse and evaluate a typed numeric answer such as ``0.25``, ``3/4``, ``1e-3``, ``-ln(0.9)``.

    Raises ``ParseError`` with a one-line message for anything that is not a finite number.
    """
    parsed = parse(text)
    try:
        return evaluate_scalar(parsed.tree, {})
    except ValueError as exc:
        raise ParseError(str(exc)) from None
