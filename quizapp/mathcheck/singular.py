"""Points where an answer has no value but the derivative has one: a division by zero.

The prover shows an answer equal to the derivative *wherever both have a value*: a divisor only
has to be non-zero almost everywhere. So ``(p - y)*z/z`` reduces to ``p - y``, yet at z = 0 it
is 0/0 while the derivative is 1/2 - y; ``2*(yhat^2 - y^2)/(yhat + y)`` has no value on the line
yhat = -y. Such an answer does not equal the derivative on the drill's whole domain, so it is not
"correct". Where the derivative itself switches (sign(e) at e = 0 in MAE) it has no one right
value, and an answer without a value there (abs(e)/e) is not held against it.

``undefined_point(domains, answer, reference)`` looks for such a point in exact rational
arithmetic: every divisor of the answer (and the base of a negative power) is evaluated at a
few simple values of the drill's variables, and solved for each continuous or count variable
where it is linear or quadratic in it with rational roots (whole ones for a count). A point is
kept only when the divisor is exactly 0 there, the answer (evaluated exactly along the branches
it takes) divides by zero, the point lies in every variable's domain, and the derivative has a
value there, off its own switches (mpmath intervals). The work is bounded by counts
(``MAX_EVALUATIONS``, ``MAX_POINTS``), never a clock. A zero that is not rational (yhat^2 = 2)
is not found here; ``zeros.crossing`` looks for those.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

from quizapp.mathcheck.nodes import (
    COMPARE,
    SWITCHES,
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
    constant_value,
    exact_switch,
)

# Simple values tried for each variable, by domain (all exact binary fractions).
_VALUES: dict[str, tuple[Fraction, ...]] = {
    "real": tuple(Fraction(v) for v in ("0", "1/2", "-1/2", "1", "-1", "2", "-2", "3/2")),
    "positive": tuple(Fraction(v) for v in ("1", "1/2", "2", "3/2", "1/4")),
    "prob": tuple(Fraction(v) for v in ("1/2", "1/4", "3/4")),
    "count": tuple(Fraction(v) for v in ("1", "2", "3", "4")),
    "binary": (Fraction(0), Fraction(1)),
    "sign": (Fraction(-1), Fraction(1)),
}
_SOLVED = ("real", "positive", "prob", "count")  # the domains a divisor is solved in
MAX_POINTS = 600  # candidate points evaluated per answer
MAX_EVALUATIONS = 400  # evaluations of a divisor while looking for its zeros
MAX_BITS = 4096  # the largest power this evaluator computes exactly (numerator bits)


class Undefined(Exception):
    """The expression has no real value at the point (a division by zero ...)."""


class NotRational(Exception):
    """The value is not a rational number this evaluator can give exactly."""


def rational_value(node: Node, env: dict[str, Fraction]) -> Fraction:
    """The exact value of ``node`` at the rational point ``env``; raises ``Undefined`` where it
    has no real value (whatever else the expression holds) and ``NotRational`` where this
    evaluator cannot tell."""
    if isinstance(node, Num):
        try:
            return Fraction(node.text)
        except (ValueError, ZeroDivisionError):
            raise NotRational from None
    if isinstance(node, Name):
        if node.name not in env:
            raise NotRational
        return env[node.name]
    if isinstance(node, Neg):
        return -rational_value(node.operand, env)
    if isinstance(node, BinOp):
        if node.op == "/":
            divisor = rational_value(node.right, env)  # first: 0 there is undefined anyway
            if divisor == 0:
                raise Undefined
            return rational_value(node.left, env) / divisor
        a, b = _both(node.left, node.right, env)
        return a + b if node.op == "+" else a - b if node.op == "-" else a * b
    if isinstance(node, Pow):
        return _power(node, env)
    if isinstance(node, Call):
        return _call(node, env)
    if isinstance(node, Cond):
        return rational_value(node.then if _truth(node.test, env) else node.orelse, env)
    raise NotRational


def _both(left: Node, right: Node, env: dict[str, Fraction]) -> tuple[Fraction, Fraction]:
    """Both operands; an undefined one makes the whole undefined even if the other is not
    rational (exp(z)*(z/z) at z = 0)."""
    values: list[Fraction] = []
    unknown = False
    for side in (left, right):
        try:
            values.append(rational_value(side, env))
        except NotRational:
            unknown = True
    if unknown:
        raise NotRational
    return values[0], values[1]


def _power(node: Pow, env: dict[str, Fraction]) -> Fraction:
    exponent = rational_value(node.exponent, env)
    base = rational_value(node.base, env)
    if exponent.denominator == 1:
        if base == 0 and exponent < 0:
            raise Undefined
        size = max(base.numerator.bit_length(), base.denominator.bit_length())
        if abs(exponent) * size > MAX_BITS:
            raise NotRational  # ((x^12)^12)^12...: millions of digits, and no zero to find
        return base ** int(exponent)
    if base < 0 or (base == 0 and exponent < 0):
        raise Undefined
    if base == 0:
        return Fraction(0)
    raise NotRational


def _call(node: Call, env: dict[str, Fraction]) -> Fraction:
    args = [rational_value(a, env) for a in node.args]
    x = args[0]
    func = node.func
    if func in SWITCHES:
        return exact_switch(func, args)
    if func in ("log", "log10", "log2"):
        if x <= 0:
            raise Undefined
        if x == 1:
            return Fraction(0)
        raise NotRational
    if func == "sqrt":
        if x < 0:
            raise Undefined
        return _exact_sqrt(x)
    if x == 0 and func in ("exp", "sigmoid", "tanh"):
        return {"exp": Fraction(1), "sigmoid": Fraction(1, 2), "tanh": Fraction(0)}[func]
    raise NotRational


def _exact_sqrt(x: Fraction) -> Fraction:
    import math

    top, bottom = math.isqrt(x.numerator), math.isqrt(x.denominator)
    if top * top == x.numerator and bottom * bottom == x.denominator:
        return Fraction(top, bottom)
    raise NotRational


def _truth(node: Node, env: dict[str, Fraction]) -> bool:
    if isinstance(node, Compare):
        values = [rational_value(o, env) for o in node.operands]
        pairs = zip(node.ops, values, values[1:], strict=False)
        return all(COMPARE[op](a, b) for op, a, b in pairs)
    if isinstance(node, BoolOp):
        parts = [_truth(o, env) for o in node.operands]
        if node.op == "not":
            return not parts[0]
        return all(parts) if node.op == "and" else any(parts)
    raise NotRational


# --------------------------------------------------------------------------- the search


def divisors(tree: Node) -> list[Node]:
    """Every divisor of ``tree`` that holds a variable, and every base of a negative power."""
    out: list[Node] = []
    for node in tree.walk():
        if isinstance(node, BinOp) and node.op == "/":
            part = node.right
        elif isinstance(node, Pow):
            exponent = constant_value(node.exponent)
            if exponent is None or exponent >= 0:
                continue
            part = node.base
        else:
            continue
        if any(isinstance(n, Name) for n in part.walk()) and part not in out:
            out.append(part)
    return out


def _in_domain(value: Fraction, domain: str) -> bool:
    if domain == "positive":
        return value > 0
    if domain == "prob":
        return 0 < value < 1
    if domain == "count":
        return value.denominator == 1 and value >= 1
    if domain in ("binary", "sign"):
        return value in _VALUES[domain]
    return True


def _roots(f: list[Fraction]) -> list[Fraction]:
    """Rational roots of the polynomial of degree <= 2 through f(0), f(1), f(2), f(3), when
    those four values lie on one (else none)."""
    d1 = [f[i + 1] - f[i] for i in range(3)]
    d2 = [d1[i + 1] - d1[i] for i in range(2)]
    if d2[1] != d2[0]:
        return []
    a = d2[0] / 2
    b = d1[0] - a  # f(t) = a t^2 + b t + c
    c = f[0]
    if a == 0:
        return [-c / b] if b != 0 else []
    disc = b * b - 4 * a * c
    if disc < 0:
        return []
    try:
        root = _exact_sqrt(disc)
    except NotRational:
        return []
    return [(-b - root) / (2 * a), (-b + root) / (2 * a)]


def _candidates(divisor: Node, domains: dict[str, str]) -> list[dict[str, Fraction]]:
    """Points in the domain where ``divisor`` is exactly 0."""
    names = [n for n in domains if any(isinstance(x, Name) and x.name == n for x in divisor.walk())]
    base = {name: _VALUES[d][0] for name, d in domains.items()}
    # Each grid point costs 1 evaluation and 4 per continuous variable solved for.
    cost = 1 + 4 * sum(domains[n] in _SOLVED for n in names)
    per = 1
    while per < 8 and (per + 1) ** len(names) * cost <= MAX_EVALUATIONS:
        per += 1
    grid = itertools.product(*[_VALUES[domains[n]][:per] for n in names])
    out: list[dict[str, Fraction]] = []
    for values in grid:
        point = base | dict(zip(names, values, strict=True))
        tries = [point]
        for name in names:
            if domains[name] not in _SOLVED:
                continue
            try:
                f = [rational_value(divisor, point | {name: Fraction(t)}) for t in range(4)]
            except (NotRational, Undefined):
                continue
            tries += [point | {name: r} for r in _roots(f) if _in_domain(r, domains[name])]
        for candidate in tries:
            try:
                if rational_value(divisor, candidate) == 0:
                    out.append(candidate)
            except (NotRational, Undefined):
                continue
    return out


def _switch_arguments(tree: Node) -> list[Node]:
    """Where ``tree`` switches: the argument of abs/sign/step, a - b of max/min/clip and of
    each comparison."""
    out: list[Node] = []
    for node in tree.walk():
        if isinstance(node, Call) and node.func in ("abs", "sign", "step"):
            out.append(node.args[0])
        elif isinstance(node, Call) and node.func in ("max", "min", "clip"):
            x = node.args[0]
            out.extend(BinOp("-", x, other) for other in node.args[1:])
            if node.func == "clip":
                out.append(BinOp("-", node.args[1], node.args[2]))
        elif isinstance(node, Compare):
            ops = node.operands
            out.extend(BinOp("-", a, b) for a, b in itertools.pairwise(ops))
    return out


def _derivative_there(reference: Node, point: dict[str, Fraction]) -> Any:
    """The derivative's value (an mpmath interval) at ``point``, or None where it has none or
    sits on (or cannot be told apart from) one of its own switches."""
    from quizapp.mathcheck import exact

    iv = exact._iv()
    env = {name: iv.mpf(v.numerator) / iv.mpf(v.denominator) for name, v in point.items()}
    try:
        for arg in _switch_arguments(reference):
            x = exact.evaluate(arg, env)
            if x.a <= 0 <= x.b:
                return None
        return exact.evaluate(reference, env)
    except Exception:  # exact's _Undefined/_Unknown, or mpmath refusing an input
        return None


def undefined_point(
    domains: tuple[tuple[str, str], ...], answer: Node, reference: Node
) -> tuple[dict[str, Fraction], float] | None:
    """A point of the domain where ``answer`` divides by zero but ``reference`` (the
    derivative, quantities substituted in both) has a value off its own switches: the point
    and the derivative's value there; or None."""
    divs = divisors(answer)
    if not divs:
        return None
    where = dict(domains)
    seen: set[tuple[Fraction, ...]] = set()
    for divisor in divs:
        for point in _candidates(divisor, where):
            key = tuple(point[n] for n in where)
            if key in seen:
                continue
            seen.add(key)
            if len(seen) > MAX_POINTS:
                return None
            try:
                rational_value(answer, point)
                continue  # the answer has a value here (the divisor is in a branch not taken)
            except Undefined:
                pass
            except NotRational:
                continue
            value = _derivative_there(reference, point)
            if value is not None:
                return point, float(value.mid)
    return None


__all__ = [
    "NotRational",
    "Undefined",
    "divisors",
    "rational_value",
    "undefined_point",
]
