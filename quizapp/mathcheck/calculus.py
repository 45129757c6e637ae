"""Calculus and rewriting on the parser's AST, with no sympy.

The checker derives its "named mistakes" from each drill's loss and reference: the derivative with
respect to the wrong variable, the derivative with respect to a named quantity (the chain rule
forgotten), the loss with log base 10, a term or a factor dropped, two names swapped. All of that
is done here on the small immutable AST, so it costs microseconds and never imports sympy. The
trees built here are internal (never shown to the learner as typed), so the parser's limits do not
apply to them; ``numeric.evaluate`` evaluates them like any parsed tree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

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

# --------------------------------------------------------------------------- building blocks


def num(value: float) -> Num:
    """A number node with a text that re-parses to the same value."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        return Num(float(value), str(int(value)))
    return Num(float(value), repr(float(value)))


def _literal(value: float) -> Node:
    # The parser's numbers are never negative; a minus sign is a Neg node.
    return Neg(num(-value)) if value < 0 else num(value)


ZERO = num(0)
ONE = num(1)


def _value(node: Node) -> float | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg) and isinstance(node.operand, Num):
        return -node.operand.value
    return None


def neg(a: Node) -> Node:
    v = _value(a)
    if v is not None:
        return num(-v) if v <= 0 else Neg(num(v))
    if isinstance(a, Neg):
        return a.operand
    return Neg(a)


def add(a: Node, b: Node) -> Node:
    va, vb = _value(a), _value(b)
    if va is not None and vb is not None:
        return _literal(va + vb)
    if va == 0:
        return b
    if vb == 0:
        return a
    if isinstance(b, Neg):
        return BinOp("-", a, b.operand)
    return BinOp("+", a, b)


def sub(a: Node, b: Node) -> Node:
    va, vb = _value(a), _value(b)
    if va is not None and vb is not None:
        return _literal(va - vb)
    if vb == 0:
        return a
    if va == 0:
        return neg(b)
    return BinOp("-", a, b)


def mul(a: Node, b: Node) -> Node:
    va, vb = _value(a), _value(b)
    if va is not None and vb is not None:
        return _literal(va * vb)
    if va == 0 or vb == 0:
        return ZERO
    if va == 1:
        return b
    if vb == 1:
        return a
    if va == -1:
        return neg(b)
    if vb == -1:
        return neg(a)
    return BinOp("*", a, b)


def div(a: Node, b: Node) -> Node:
    va, vb = _value(a), _value(b)
    if va == 0:
        return ZERO
    if vb == 1:
        return a
    return BinOp("/", a, b)


def power(base: Node, exponent: Node) -> Node:
    ve = _value(exponent)
    if ve == 0:
        return ONE
    if ve == 1:
        return base
    return Pow(base, exponent)


def call(func: str, *args: Node) -> Node:
    return Call(func, tuple(args))


# --------------------------------------------------------------------------- queries and rewrites


def names_in(node: Node) -> frozenset[str]:
    return frozenset(n.name for n in node.walk() if isinstance(n, Name))


def depends_on(node: Node, name: str) -> bool:
    return any(isinstance(n, Name) and n.name == name for n in node.walk())


def transform(node: Node, fn: Callable[[Node], Node | None]) -> Node:
    """Rebuild ``node`` bottom-up-free: ``fn`` may replace a node (return a node) or pass (None)."""
    replaced = fn(node)
    if replaced is not None:
        return replaced
    if isinstance(node, Neg):
        return Neg(transform(node.operand, fn), pos=node.pos)
    if isinstance(node, BinOp):
        return BinOp(
            node.op,
            transform(node.left, fn),
            transform(node.right, fn),
            implicit=node.implicit,
            pos=node.pos,
        )
    if isinstance(node, Pow):
        return Pow(transform(node.base, fn), transform(node.exponent, fn), pos=node.pos)
    if isinstance(node, Call):
        return Call(node.func, tuple(transform(a, fn) for a in node.args), pos=node.pos)
    if isinstance(node, Compare):
        return Compare(node.ops, tuple(transform(o, fn) for o in node.operands), pos=node.pos)
    if isinstance(node, BoolOp):
        return BoolOp(node.op, tuple(transform(o, fn) for o in node.operands), pos=node.pos)
    if isinstance(node, Cond):
        return Cond(
            transform(node.test, fn),
            transform(node.then, fn),
            transform(node.orelse, fn),
            pos=node.pos,
        )
    return node


def substitute(node: Node, mapping: Mapping[str, Node]) -> Node:
    """Replace names by trees (all at once, so a swap ``{a: b, b: a}`` works)."""
    return transform(node, lambda n: mapping.get(n.name) if isinstance(n, Name) else None)


def rename_function(node: Node, old: str, new: str) -> Node:
    def fn(n: Node) -> Node | None:
        if isinstance(n, Call) and n.func == old:
            return Call(new, tuple(rename_function(a, old, new) for a in n.args), pos=n.pos)
        return None

    return transform(node, fn)


def terms(node: Node) -> list[Node]:
    """The terms of a top-level sum, each with its sign folded in (a - b -> [a, -b])."""
    if isinstance(node, BinOp) and node.op in "+-":
        right = terms(node.right)
        if node.op == "-":
            right = [neg(t) for t in right]
        return terms(node.left) + right
    if isinstance(node, Neg):
        inner = terms(node.operand)
        if len(inner) > 1:
            return [neg(t) for t in inner]
    return [node]


def factors(node: Node) -> list[tuple[Node, int]]:
    """The factors of a top-level product as (factor, +1 numerator | -1 denominator)."""
    if isinstance(node, Neg):
        return [(num(-1), 1), *factors(node.operand)]
    if isinstance(node, BinOp) and node.op in "*/":
        right = factors(node.right)
        if node.op == "/":
            right = [(f, -s) for f, s in right]
        return factors(node.left) + right
    return [(node, 1)]


def sum_of(parts: list[Node]) -> Node:
    out: Node = ZERO
    for p in parts:
        out = add(out, p)
    return out


# --------------------------------------------------------------------------- derivative


def diff(node: Node, var: str) -> Node:
    """The derivative of ``node`` with respect to the name ``var``.

    Non-smooth functions get their derivative almost everywhere (abs -> sign, step and sign -> 0,
    max/min/clip and conditionals -> the derivative of the active branch); the checker never
    compares values at their kinks. A power whose exponent varies is differentiated where its
    base is positive, the only place it is a real function.
    """
    if not depends_on(node, var):
        return ZERO
    if isinstance(node, Name):
        return ONE
    if isinstance(node, Neg):
        return neg(diff(node.operand, var))
    if isinstance(node, BinOp):
        a, b = node.left, node.right
        da, db = diff(a, var), diff(b, var)
        if node.op == "+":
            return add(da, db)
        if node.op == "-":
            return sub(da, db)
        if node.op == "*":
            return add(mul(da, b), mul(a, db))
        return sub(div(da, b), div(mul(a, db), power(b, num(2))))
    if isinstance(node, Pow):
        u, v = node.base, node.exponent
        du = diff(u, var)
        through_base = mul(mul(v, power(u, sub(v, ONE))), du)
        if not depends_on(v, var):
            return _unless_zero(du, through_base)
        dv = diff(v, var)
        # Where the exponent is locally constant (dv == 0) its term is 0, even for a negative
        # base whose log is NaN: x^max(x, 2) is x^2 for x < 2.
        # And where u^v is 0 (0^x, x > 0) it is 0 too: u^v vanishes faster than log(u) grows.
        through_exponent = _unless_zero(dv, _unless_zero(node, mul(mul(node, call("log", u)), dv)))
        if not depends_on(u, var):
            return through_exponent
        return add(_unless_zero(du, through_base), through_exponent)
    if isinstance(node, Call):
        return _diff_call(node, var)
    if isinstance(node, Cond):
        return Cond(node.test, diff(node.then, var), diff(node.orelse, var))
    raise ValueError(f"cannot differentiate {type(node).__name__}")


def _unless_zero(factor: Node, term: Node) -> Node:
    """``term``, but 0 wherever ``factor`` (a factor of it) is 0, so 0 * inf cannot make NaN:
    d/dx (x - x)^0.5 is 0, not 0 * 0.5 * 0^-0.5."""
    if _value(factor) is not None or _value(term) == 0:
        return term
    return Cond(Compare(("==",), (factor, ZERO)), ZERO, term)


def _diff_call(node: Call, var: str) -> Node:
    f = node.func
    args = node.args
    if f in ("max", "min"):
        a, b = args
        op = ">=" if f == "max" else "<="
        return Cond(Compare((op,), (a, b)), diff(a, var), diff(b, var))
    if f == "clip":
        x, lo, hi = args
        inner = Cond(Compare((">",), (x, hi)), diff(hi, var), diff(x, var))
        return Cond(Compare(("<",), (x, lo)), diff(lo, var), inner)
    (u,) = args
    du = diff(u, var)
    # Guarded so that an inner derivative of 0 wins over an infinite outer one:
    # d/dx sqrt(max(x, 0)) is 0 for x < 0, not 0 * inf.
    return _unless_zero(du, _chain(node, u, du))


def _chain(node: Call, u: Node, du: Node) -> Node:
    f = node.func
    outer: Node
    if f == "exp":
        outer = node
    elif f == "log":
        return div(du, u)
    elif f == "log10":
        return div(du, mul(u, call("log", num(10))))
    elif f == "log2":
        return div(du, mul(u, call("log", num(2))))
    elif f == "sqrt":
        return div(du, mul(num(2), node))
    elif f == "abs":
        outer = call("sign", u)
    elif f in ("sign", "step"):
        return ZERO
    elif f == "sigmoid":
        outer = mul(node, sub(ONE, node))
    elif f == "softplus":
        outer = call("sigmoid", u)
    elif f == "tanh":
        outer = sub(ONE, power(node, num(2)))
    else:  # pragma: no cover - every allowed function is listed above
        raise ValueError(f"cannot differentiate {f}")
    return mul(outer, du)
