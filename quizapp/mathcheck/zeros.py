"""Zeros of an answer's divisors that are not rational: points where the answer has no value.

``singular.undefined_point`` finds a divisor's zeros in exact rational arithmetic; a zero such as
yhat = sqrt(2) (``/(yhat^2 - 2)``), yhat = 2 under a log (``/(log(yhat) - log(2))``) or
z = log(e - 1) (``/(softplus(z) - 1)``) has no such form. ``crossing(c, answer)`` finds them by
the intermediate value theorem, made rigorous with mpmath intervals:

- a divisor (or a factor of it, the base of a power of it, its absolute value: where that is 0,
  so is the divisor) takes both signs at two test points of one case (the labels equal);
- float bisection along the segment between them narrows it to a tiny box;
- in interval arithmetic the part is defined on the whole box (so it is continuous there: every
  log's argument, division's divisor and condition keeps its side across the box), strictly
  positive at one end and strictly negative at the other, so it is 0 inside the box;
- every condition the divisor sits under is decided the same way across the box (the answer
  really divides there), and the derivative has a value on the whole box, off its own switches.

Then the answer has no value at a point of the domain where the derivative has one, and it is
not "correct". The work is bounded by counts (``MAX_PARTS``, ``MAX_PAIRS``, ``STEPS``).
"""

from __future__ import annotations

from typing import Any

from quizapp.mathcheck.nodes import BinOp, Call, Cond, Name, Neg, Node, Pow, constant_value

MAX_PARTS = 24  # divisor parts looked at per answer
MAX_PAIRS = 6  # sign-changing pairs of test points tried per part and case
STEPS = 30  # bisection steps (the box stays wide enough for its ends' signs to be sure)

Path = tuple[tuple[Node, bool], ...]  # the conditions (test, side taken) above a node


def _divisors(answer: Node) -> list[tuple[Node, Path]]:
    """Each divisor of ``answer`` (and base of a negative power) holding a variable, with the
    conditions that lead to it."""
    out: list[tuple[Node, Path]] = []

    def visit(node: Node, path: Path) -> None:
        part: Node | None = None
        if isinstance(node, BinOp) and node.op == "/":
            part = node.right
        elif isinstance(node, Pow):
            k = constant_value(node.exponent)
            if k is not None and k < 0:
                part = node.base
        if part is not None and any(isinstance(n, Name) for n in part.walk()):
            out.append((part, path))
        if isinstance(node, Cond):
            visit(node.test, path)
            visit(node.then, (*path, (node.test, True)))
            visit(node.orelse, (*path, (node.test, False)))
            return
        for child in node.children():
            visit(child, path)

    visit(answer, ())
    return out


def _parts(divisor: Node) -> list[Node]:
    """``divisor`` and the parts of it whose zero makes it 0 (or leaves it without a value):
    factors of a product, the base of a positive power, the operand of a minus, abs and sqrt."""
    out = [divisor]
    node = divisor
    stack = [node]
    while stack:
        node = stack.pop()
        inner: list[Node] = []
        if isinstance(node, BinOp) and node.op == "*":
            inner = [node.left, node.right]
        elif isinstance(node, Pow):
            k = constant_value(node.exponent)
            if k is not None and k > 0:
                inner = [node.base]
        elif isinstance(node, Neg):
            inner = [node.operand]
        elif isinstance(node, Call) and node.func in ("abs", "sqrt"):
            inner = [node.args[0]]
        for part in inner:
            if any(isinstance(n, Name) for n in part.walk()) and part not in out:
                out.append(part)
                stack.append(part)
    return out


def crossing(c: Any, answer: Node) -> str | None:
    """A point of the domain, in words, where a divisor of ``answer`` is 0 (proved as above)
    while the derivative has a value; or None."""
    import numpy as np

    from quizapp.mathcheck.compare import fmt
    from quizapp.mathcheck.domains import CONTINUOUS
    from quizapp.mathcheck.numeric import evaluate
    from quizapp.mathcheck.parser import to_text

    domains = dict(c.problem.domains)
    fixed = [n for n, d in domains.items() if d not in CONTINUOUS]
    moving = [n for n, d in domains.items() if d in CONTINUOUS]
    if not moving:
        return None
    seen: list[Node] = []
    for divisor, path in _divisors(answer):
        for part in _parts(divisor):
            if part in seen or len(seen) >= MAX_PARTS:
                continue
            seen.append(part)
            with np.errstate(all="ignore"):
                values = np.broadcast_to(np.asarray(evaluate(part, c.env), dtype=float), (c.size,))
            for i, j in _pairs(c, values, fixed, moving):
                box = _zero_box(c, part, path, moving, fixed, i, j)
                if box is None:
                    continue
                where = ", ".join(f"{n} = {fmt(box[n])}" for n in c.problem.variables)
                return (
                    f"has no value where {to_text(part)} = 0, which happens in the domain "
                    f"(near {where}), while the derivative has one there"
                )
    return None


def _pairs(c: Any, values: Any, fixed: list[str], moving: list[str]) -> list[tuple[int, int]]:
    """Pairs of test points of one case where ``values`` has opposite signs, nearest first."""
    import numpy as np

    usable = c.mask & np.isfinite(values)
    keys = None
    if fixed:
        keys = np.stack([np.broadcast_to(c.env[n], (c.size,)) for n in fixed], axis=1)
    where = np.stack([np.broadcast_to(c.env[n], (c.size,)).astype(float) for n in moving], axis=1)
    positive = np.flatnonzero(usable & (values > 0))
    negative = np.flatnonzero(usable & (values < 0))
    if not len(positive) or not len(negative):
        return []
    positive, negative = positive[:128], negative[:128]
    distance = np.sum((where[positive][:, None, :] - where[negative][None, :, :]) ** 2, axis=2)
    if keys is not None:
        same = np.all(keys[positive][:, None, :] == keys[negative][None, :, :], axis=2)
        distance = np.where(same, distance, np.inf)
    order = np.argsort(distance, axis=None)[:MAX_PAIRS]
    out = []
    for flat in order.tolist():
        a, b = divmod(flat, len(negative))
        if np.isfinite(distance[a, b]):
            out.append((int(positive[a]), int(negative[b])))
    return out


def _zero_box(
    c: Any, part: Node, path: Path, moving: list[str], fixed: list[str], i: int, j: int
) -> dict[str, float] | None:
    """The middle of a box where ``part`` is surely 0 and the answer divides by it while the
    derivative has a value, found between test points i (part > 0) and j (part < 0); or None."""
    from quizapp.mathcheck.numeric import evaluate_scalar

    a = {n: float(c.env[n][i]) for n in moving}
    b = {n: float(c.env[n][j]) for n in moving}
    base = {n: float(c.env[n][i]) for n in fixed}

    def at(t: float) -> dict[str, float]:
        return base | {n: a[n] + t * (b[n] - a[n]) for n in moving}

    def value(t: float) -> float | None:
        try:
            x = evaluate_scalar(part, at(t))
        except Exception:  # any failure: no zero found here
            return None
        return x if abs(x) < float("inf") else None  # NaN and infinities fail too

    low, high = 0.0, 1.0
    for _ in range(STEPS):
        mid = (low + high) / 2
        x = value(mid)
        if x is None:
            return None
        if x == 0:  # (nearly) on the zero: a box around it
            low, high = (low + mid) / 2, (mid + high) / 2
            break
        if x > 0:
            low = mid
        else:
            high = mid
    return _certified(c, part, path, at(low), at(high))


def _certified(
    c: Any, part: Node, path: Path, p: dict[str, float], q: dict[str, float]
) -> dict[str, float] | None:
    from quizapp.mathcheck import exact
    from quizapp.mathcheck.singular import _switch_arguments

    iv = exact._iv()
    domains = dict(c.problem.domains)
    box: dict[str, Any] = {}
    for name in p:
        lo, hi = min(p[name], q[name]), max(p[name], q[name])
        if domains.get(name) in ("positive", "prob") and lo <= 0:
            return None
        if domains.get(name) == "prob" and hi >= 1:
            return None
        box[name] = iv.mpf([lo, hi])
    try:
        ends = [exact.evaluate(part, {n: iv.mpf(v) for n, v in end.items()}) for end in (p, q)]
        if not (ends[0].a > 0 and ends[1].b < 0):
            return None
        exact.evaluate(part, box)  # defined, hence continuous, on the whole box
        for test, side in path:
            if exact._truth(test, box) != side:
                return None
        for arg in _switch_arguments(c.reference_expanded):
            x = exact.evaluate(arg, box)
            if x.a <= 0 <= x.b:
                return None
        exact.evaluate(c.reference_expanded, box)
    except Exception:  # undefined, undecided, or mpmath refusing: not proved
        return None
    return {n: (p[n] + q[n]) / 2 for n in p}


__all__ = ["crossing"]
