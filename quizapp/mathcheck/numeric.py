"""Evaluate a parsed expression with numbers: scalars for typed numeric answers, numpy arrays for
checking equivalence at many random points at once.

Only the node types of ``quizapp.mathcheck.parser`` are understood, so nothing a learner types can
do more than arithmetic. Undefined results (log of a negative, 0/0) come back as NaN, never as an
exception, when evaluating arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

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
    ParseError,
    Pow,
)
from quizapp.mathcheck.parser import parse

ArrayLike = float | np.ndarray

# Functions whose argument is a kink (non-differentiable point or jump) when it equals 0.
KINK_FUNCTIONS = frozenset({"abs", "sign", "step", "max", "min", "clip"})


def _sigmoid(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    # exp of a negative magnitude never overflows.
    ex = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + ex), ex / (1.0 + ex))


_UNARY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
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


class Trace:
    """What an evaluation met on the way, for the judge.

    ``kinks``: every place the expression changes form (the argument of abs/sign/step, the
    difference inside max/min/clip, each side of a comparison) that depends on a name, as ``Kink``
    records; ``kinks_off(discrete)`` leaves out those whose argument depends only on discrete
    names: a condition on a label or a count selects a case, it is never a kink.
    ``issues``: per kind ("sqrt", "log", "log0", "div0", "pow", "overflow"), where an operation
    had no finite value, so a verdict can say why.
    """

    def __init__(self) -> None:
        self.kinks: list[Kink] = []
        self.issues: dict[str, list[np.ndarray]] = {}

    def issue(self, kind: str, where: ArrayLike) -> None:
        where = np.asarray(where, dtype=bool)
        if where.any():
            self.issues.setdefault(kind, []).append(where)

    def kinks_off(self, discrete: frozenset[str]) -> list[Kink]:
        """The kinks that depend on some name outside ``discrete``."""
        return [k for k in self.kinks if not k.names <= discrete]

    def where(self, kind: str, n: int) -> np.ndarray:
        """True at the points where an issue of ``kind`` happened."""
        out = np.zeros(n, dtype=bool)
        for part in self.issues.get(kind, ()):
            out |= np.broadcast_to(part, (n,))
        return out


@dataclass(frozen=True)
class Kink:
    node: Node  # the argument (or comparison) whose sign change is the kink, for messages
    values: np.ndarray  # signed distance to the kink at every point
    expr: Node  # an expression for that signed distance
    names: frozenset[str]  # the names it depends on
    equality: bool = False  # an == or != comparison


class _Recorder:
    """Collects kinks into a plain list of arrays (``kinks=``) and/or a ``Trace``."""

    def __init__(self, plain: list[np.ndarray] | None, trace: Trace | None) -> None:
        self.plain = plain
        self.trace = trace

    def kink(
        self, node: Node, values: ArrayLike, expr: Node | None = None, equality: bool = False
    ) -> None:
        array = np.asarray(values, dtype=float)
        if self.plain is not None:
            self.plain.append(array)
        if self.trace is not None:
            names = frozenset(n.name for n in node.walk() if isinstance(n, Name))
            if names:
                self.trace.kinks.append(Kink(node, array, expr or node, names, equality))

    def issue(self, kind: str, where: ArrayLike) -> None:
        if self.trace is not None:
            self.trace.issue(kind, where)


def evaluate(
    node: Node,
    env: Mapping[str, ArrayLike],
    kinks: list[np.ndarray] | None = None,
    trace: Trace | None = None,
) -> np.ndarray:
    """Evaluate ``node`` with numpy broadcasting over the arrays in ``env``.

    When ``kinks`` is a list, the signed distance to every kink (the argument of abs/sign/step,
    the difference inside max/min/clip, each side of a comparison) is appended to it, so a caller
    can skip points that sit on or near a kink. ``trace`` collects the same with the expression
    each comes from, and where an operation was undefined or overflowed.
    """
    rec = _Recorder(kinks, trace) if kinks is not None or trace is not None else None
    with np.errstate(all="ignore"):
        return np.asarray(_eval(node, env, rec), dtype=float)


def _overflowed(result: ArrayLike, *inputs: ArrayLike) -> np.ndarray:
    infinite = np.isinf(result)
    if not infinite.any():  # the usual case, and the cheap one
        return infinite
    for x in inputs:
        infinite = infinite & np.isfinite(x)
    return infinite


def _eval(node: Node, env: Mapping[str, ArrayLike], rec: _Recorder | None) -> ArrayLike:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Name):
        try:
            return env[node.name]
        except KeyError:
            raise ValueError(f"no value for '{node.name}'") from None
    if isinstance(node, Neg):
        return -_eval(node.operand, env, rec)
    if isinstance(node, BinOp):
        return _eval_binop(node, env, rec)
    if isinstance(node, Pow):
        base = np.asarray(_eval(node.base, env, rec), dtype=float)
        exponent = _eval(node.exponent, env, rec)
        out = np.power(base, exponent)
        if rec is not None:
            fractional = np.asarray(exponent) != np.round(exponent)
            rec.issue("pow", (base < 0) & fractional)
            rec.issue("div0", (base == 0) & (np.asarray(exponent) < 0))
            rec.issue("overflow", _overflowed(out, base, exponent) & (base != 0))
        return out
    if isinstance(node, Call):
        return _eval_call(node, env, rec)
    if isinstance(node, Cond):
        test = _truth(node.test, env, rec)
        return np.where(test, _eval(node.then, env, rec), _eval(node.orelse, env, rec))
    raise ValueError(f"'{type(node).__name__}' is not a value")


def _eval_binop(node: BinOp, env: Mapping[str, ArrayLike], rec: _Recorder | None) -> ArrayLike:
    a = _eval(node.left, env, rec)
    b = _eval(node.right, env, rec)
    if node.op == "+":
        out = a + b
    elif node.op == "-":
        out = a - b
    elif node.op == "*":
        out = np.multiply(a, b)
    else:
        b = np.asarray(b, dtype=float)
        out = np.divide(a, b)
        if rec is not None:
            rec.issue("div0", (b == 0) & np.isfinite(a))
            rec.issue("overflow", _overflowed(out, a, b) & (b != 0))
            return out
    if rec is not None:
        rec.issue("overflow", _overflowed(out, a, b))
    return out


def _eval_call(node: Call, env: Mapping[str, ArrayLike], rec: _Recorder | None) -> ArrayLike:
    args = [_eval(a, env, rec) for a in node.args]
    if rec is not None and node.func in KINK_FUNCTIONS:
        first = node.args[0]
        if node.func in ("abs", "sign", "step"):
            rec.kink(first, args[0])
        else:
            for other, value in zip(node.args[1:], args[1:], strict=True):
                rec.kink(node, np.subtract(args[0], value), BinOp("-", first, other))
    if node.func in _UNARY:
        x = np.asarray(args[0], dtype=float)
        out = _UNARY[node.func](x)
        if rec is not None:
            if node.func == "sqrt":
                rec.issue("sqrt", x < 0)
            elif node.func in ("log", "log10", "log2"):
                rec.issue("log", x < 0)
                rec.issue("log0", x == 0)
            elif node.func == "exp":
                rec.issue("overflow", _overflowed(out, x))
        return out
    if node.func == "max":
        return np.maximum(args[0], args[1])
    if node.func == "min":
        return np.minimum(args[0], args[1])
    if node.func == "clip":
        return np.minimum(np.maximum(args[0], args[1]), args[2])
    raise ValueError(f"unknown function {node.func}")  # pragma: no cover


_COMPARE = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}


def _truth(node: Node, env: Mapping[str, ArrayLike], rec: _Recorder | None) -> ArrayLike:
    if isinstance(node, Compare):
        values = [_eval(o, env, rec) for o in node.operands]
        result: ArrayLike = True
        for i, (op, a, b) in enumerate(zip(node.ops, values, values[1:], strict=False)):
            if rec is not None:
                pair = Compare((op,), (node.operands[i], node.operands[i + 1]))
                distance = BinOp("-", node.operands[i], node.operands[i + 1])
                rec.kink(pair, np.subtract(a, b), distance, equality=op in ("==", "!="))
            result = np.logical_and(result, _COMPARE[op](a, b))
        return result
    if isinstance(node, BoolOp):
        parts = [_truth(o, env, rec) for o in node.operands]
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


_EPS = float(np.finfo(float).eps)


def rounding_bound(node: Node, env: Mapping[str, ArrayLike]) -> np.ndarray:
    """A first-order bound on the rounding error of evaluating ``node`` in floating point.

    Two right answers can differ by far more than a unit in the last place where one of them
    subtracts large, nearly equal terms (w*p - w at p = 1 - 1e-9). The judge skips a point
    where this bound says the answer's value there is mostly rounding; an answer that does that
    at many points is not checked, so huge terms that cancel cannot buy a looser tolerance.
    The names' values count as exact: both sides of a comparison use the same stored inputs.
    """
    with np.errstate(all="ignore"):
        return np.asarray(_bound(node, env)[1], dtype=float)


def _bound(node: Node, env: Mapping[str, ArrayLike]) -> tuple[ArrayLike, ArrayLike]:
    """(value, error bound) of ``node``."""
    if isinstance(node, Num):
        return node.value, (0.0 if node.is_integer else _EPS * abs(node.value))
    if isinstance(node, Name):
        return env[node.name], 0.0
    if isinstance(node, Neg):
        v, e = _bound(node.operand, env)
        return -v, e
    if isinstance(node, BinOp):
        a, ea = _bound(node.left, env)
        b, eb = _bound(node.right, env)
        if node.op in "+-":
            out = a + b if node.op == "+" else a - b
            return out, ea + eb + _EPS * np.abs(out)
        if node.op == "*":
            out = np.multiply(a, b)
            return out, np.abs(a) * eb + np.abs(b) * ea + _EPS * np.abs(out)
        out = np.divide(a, np.asarray(b, dtype=float))
        return out, (ea + np.abs(out) * eb) / np.abs(b) + _EPS * np.abs(out)
    if isinstance(node, Pow):
        a, ea = _bound(node.base, env)
        b, eb = _bound(node.exponent, env)
        out = np.power(np.asarray(a, dtype=float), b)
        rate = np.abs(out) * (np.abs(np.divide(b, a)) * ea + np.abs(np.log(np.abs(a))) * eb)
        return out, np.where(ea == 0, 0.0, rate) + _EPS * np.abs(out)
    if isinstance(node, Call):
        parts = [_bound(arg, env) for arg in node.args]
        values = [np.asarray(v, dtype=float) for v, _ in parts]
        errors = [e for _, e in parts]
        f = node.func
        if f == "max":
            return np.maximum(values[0], values[1]), np.maximum(errors[0], errors[1])
        if f == "min":
            return np.minimum(values[0], values[1]), np.maximum(errors[0], errors[1])
        if f == "clip":
            out = np.minimum(np.maximum(values[0], values[1]), values[2])
            return out, np.maximum(np.maximum(errors[0], errors[1]), errors[2])
        x, ex = values[0], errors[0]
        out = _UNARY[f](x)
        slope: ArrayLike
        if f in ("sign", "step"):
            return out, 0.0
        if f == "abs":
            slope = 1.0
        elif f == "exp":
            slope = np.abs(out)
        elif f in ("log", "log10", "log2"):
            slope = 1.0 / np.abs(x)
        elif f == "sqrt":
            slope = 0.5 / np.abs(out)
        elif f == "sigmoid":
            slope = out * (1.0 - out)
        elif f == "softplus":
            slope = _sigmoid(x)
        else:  # tanh
            slope = 1.0 - out * out
        return out, slope * ex + _EPS * np.abs(out)
    if isinstance(node, Cond):
        test = _truth(node.test, env, None)
        then, et = _bound(node.then, env)
        other, eo = _bound(node.orelse, env)
        return np.where(test, then, other), np.where(test, et, eo)
    raise ValueError(f"'{type(node).__name__}' is not a value")


def median(values: ArrayLike) -> float:
    """``np.median`` of the values, computed the same way (NaN anywhere gives NaN; an even count
    gives the mean of the middle two) but without ``np.median``'s first-call import of
    ``numpy.ma``, which cost ~40 ms of a one-shot check."""
    a = np.sort(np.asarray(values, dtype=float).ravel())  # NaN sorts last
    n = a.size
    if n == 0 or np.isnan(a[-1]):
        return math.nan
    mid = n // 2
    if n % 2:
        return float(a[mid])
    with np.errstate(over="ignore", invalid="ignore"):  # inf, as numpy gives, but no warning
        return float((a[mid - 1] + a[mid]) / 2)
