"""The checker's syntax tree: the ``Node`` types the safe parser builds, ``Parsed`` (a tree plus
how it was read), ``ParseError`` and ``to_text``, the explicit one-line rendering.

Every other mathcheck module (evaluation, calculus, sympy conversion) works on these types only;
none of them needs the parser itself.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction


class ParseError(ValueError):
    """Bad learner input. ``message`` is one line; ``column`` is 1-based in the original text."""

    def __init__(self, message: str, column: int | None = None) -> None:
        self.message = message
        self.column = column
        super().__init__(self.describe())

    def describe(self) -> str:
        if self.column is None:
            return self.message
        return f"column {self.column}: {self.message}"


# --------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Node:
    pos: int = field(default=0, compare=False, kw_only=True)

    def children(self) -> tuple[Node, ...]:
        return ()

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children():
            yield from child.walk()


@dataclass(frozen=True)
class Num(Node):
    value: float
    text: str

    @property
    def is_integer(self) -> bool:
        return self.value == int(self.value) and not any(c in self.text for c in ".eE")


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Neg(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True)
class BinOp(Node):
    op: str  # one of + - * /
    left: Node
    right: Node
    # A "*" the learner did not type (2y, 2(x+1), y(1-p)): how it was written, not what it means.
    implicit: bool = field(default=False, compare=False)

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class Pow(Node):
    base: Node
    exponent: Node

    def children(self) -> tuple[Node, ...]:
        return (self.base, self.exponent)


@dataclass(frozen=True)
class Call(Node):
    func: str  # canonical name from FUNCTIONS (aliases resolved)
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


@dataclass(frozen=True)
class Compare(Node):
    ops: tuple[str, ...]
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


@dataclass(frozen=True)
class BoolOp(Node):
    op: str  # "and" | "or" | "not"
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


@dataclass(frozen=True)
class Cond(Node):
    test: Node
    then: Node
    orelse: Node

    def children(self) -> tuple[Node, ...]:
        return (self.test, self.then, self.orelse)


@dataclass(frozen=True)
class Parsed:
    """A parsed expression plus what the learner should know about how it was read."""

    tree: Node
    source: str
    normalised: str
    notes: tuple[str, ...] = ()
    # For each character of ``normalised``, its index in ``source`` (to point at a node).
    origin: tuple[int, ...] = field(default=(), repr=False, compare=False)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(n.name for n in self.tree.walk() if isinstance(n, Name))

    def column(self, node: Node) -> int:
        """The 1-based column in ``source`` where ``node`` starts."""
        if 0 <= node.pos < len(self.origin):
            return self.origin[node.pos] + 1
        return 1

    def explicit(self) -> str:
        """The expression with every operator spelled out (implicit '*' shown)."""
        return to_text(self.tree)


_PRECEDENCE = {"Cond": 0, "or": 1, "and": 2, "not": 3, "Compare": 4, "+": 5, "-": 5,
               "*": 6, "/": 6, "Neg": 7, "Pow": 8, "atom": 9}  # fmt: skip


def _prec(node: Node) -> int:
    if isinstance(node, Cond):
        return _PRECEDENCE["Cond"]
    if isinstance(node, BoolOp):
        return _PRECEDENCE[node.op]
    if isinstance(node, Compare):
        return _PRECEDENCE["Compare"]
    if isinstance(node, BinOp):
        return _PRECEDENCE[node.op]
    if isinstance(node, Neg):
        return _PRECEDENCE["Neg"]
    if isinstance(node, Pow):
        return _PRECEDENCE["Pow"]
    return _PRECEDENCE["atom"]


def to_text(node: Node) -> str:
    """Render an AST as explicit ASCII math (every '*' shown), fully re-parseable."""

    def wrap(child: Node, min_prec: int) -> str:
        s = to_text(child)
        return f"({s})" if _prec(child) < min_prec else s

    if isinstance(node, Num):
        return node.text
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Neg):
        return "-" + wrap(node.operand, _PRECEDENCE["Neg"])
    if isinstance(node, BinOp):
        p = _PRECEDENCE[node.op]
        right_min = p + 1 if node.op in "-/" else p
        sep = node.op if node.op in "*/" else f" {node.op} "
        return f"{wrap(node.left, p)}{sep}{wrap(node.right, right_min)}"
    if isinstance(node, Pow):
        base = wrap(node.base, _PRECEDENCE["Pow"] + 1)
        return f"{base}^{wrap(node.exponent, _PRECEDENCE['Neg'])}"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(to_text(a) for a in node.args)})"
    if isinstance(node, Compare):
        parts = [wrap(node.operands[0], 5)]
        for op, operand in zip(node.ops, node.operands[1:], strict=True):
            parts.append(f"{op} {wrap(operand, 5)}")
        return " ".join(parts)
    if isinstance(node, BoolOp):
        if node.op == "not":
            return "not " + wrap(node.operands[0], _PRECEDENCE["not"])
        p = _PRECEDENCE[node.op]
        return f" {node.op} ".join(wrap(o, p + 1) for o in node.operands)
    if isinstance(node, Cond):
        return f"{wrap(node.then, 1)} if {to_text(node.test)} else {wrap(node.orelse, 0)}"
    raise TypeError(f"unknown node {type(node).__name__}")  # pragma: no cover


# --------------------------------------------------------------------------- constants


def strip_neg(node: Node) -> Node:
    """``node`` without its leading minus signs."""
    while isinstance(node, Neg):
        node = node.operand
    return node


def is_condition(node: Node) -> bool:
    """A test (a comparison or and/or/not), not a value."""
    return isinstance(node, Compare | BoolOp)


def is_constant(node: Node) -> bool:
    """No declared name anywhere in ``node``."""
    return not any(isinstance(n, Name) for n in node.walk())


def constant_value(node: Node, max_exponent: float = math.inf) -> float | None:
    """The value of a tree without names (a constant exponent, say), in plain Python so the
    parser never needs numpy; None when it has no finite real value or an exponent exceeds
    ``max_exponent``."""
    try:
        value = _constant(node, max_exponent)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        return None
    return value if math.isfinite(value) else None


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    ex = math.exp(x)
    return ex / (1.0 + ex)


# Same meaning as quizapp.mathcheck.numeric's numpy versions (tested to agree).
_SCALAR: dict[str, object] = {
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "sqrt": math.sqrt,
    "abs": abs,
    "sign": lambda x: float((x > 0) - (x < 0)),
    "sigmoid": _sigmoid,
    "softplus": lambda x: max(x, 0.0) + math.log1p(math.exp(-abs(x))),
    "tanh": math.tanh,
    "step": lambda x: 1.0 if x > 0 else (0.5 if x == 0 else 0.0),
    "max": max,
    "min": min,
    "clip": lambda x, lo, hi: min(max(x, lo), hi),
}
# The comparisons a condition may use, on plain or exact numbers.
COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _constant(node: Node, max_exponent: float) -> float:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        return -_constant(node.operand, max_exponent)
    if isinstance(node, BinOp):
        a, b = _constant(node.left, max_exponent), _constant(node.right, max_exponent)
        return {"+": a + b, "-": a - b, "*": a * b}[node.op] if node.op != "/" else a / b
    if isinstance(node, Pow):
        base, exponent = _constant(node.base, max_exponent), _constant(node.exponent, max_exponent)
        if abs(exponent) > max_exponent:
            raise OverflowError
        value = base**exponent
        if isinstance(value, complex):
            raise ValueError("no real value")
        return float(value)
    if isinstance(node, Call):
        args = [_constant(a, max_exponent) for a in node.args]
        return float(_SCALAR[node.func](*args))  # type: ignore[operator]
    if isinstance(node, Cond):
        chosen = node.then if _truth(node.test, max_exponent) else node.orelse
        return _constant(chosen, max_exponent)
    raise TypeError(type(node).__name__)


def _truth(node: Node, max_exponent: float) -> bool:
    if isinstance(node, Compare):
        values = [_constant(o, max_exponent) for o in node.operands]
        return all(
            COMPARE[op](a, b) for op, a, b in zip(node.ops, values, values[1:], strict=False)
        )
    if isinstance(node, BoolOp):
        parts = [_truth(o, max_exponent) for o in node.operands]
        if node.op == "not":
            return not parts[0]
        return all(parts) if node.op == "and" else any(parts)
    raise TypeError(type(node).__name__)


# The piecewise functions, worked out exactly on rational values (the exact prover and the
# search for a divisor's zeros share them).
SWITCHES = frozenset({"abs", "sign", "step", "max", "min", "clip"})


def exact_switch(func: str, values: list[Fraction]) -> Fraction:
    """``func`` (one of SWITCHES) of exact arguments; step(0) is 1/2, as the checker reads it."""
    x = values[0]
    if func == "abs":
        return abs(x)
    if func == "sign":
        return Fraction((x > 0) - (x < 0))
    if func == "step":
        return Fraction(1) if x > 0 else Fraction(1, 2) if x == 0 else Fraction(0)
    if func == "max":
        return max(values)
    if func == "min":
        return min(values)
    if func == "clip":
        return min(max(x, values[1]), values[2])
    raise ValueError(f"{func} is not a switch")
