"""Parts of an answer that make no difference at any test point.

Random points can only vouch for what they can see. A term that is too small to change the
answer anywhere the checker looked says nothing about itself: ``exp(-1e6*(yhat - y)^2)`` is a
spike of height 1 so thin that no test point lands on it, ``sigmoid(yhat - 100000)`` and
``(yhat/100000)^20`` switch on only far beyond every tested value, ``exp(-1000)`` or
``0.000001^3`` are not zero but round to nothing. Each would make a wrong derivative pass.

So before an answer is called correct, every part of it (each subexpression and each non-zero
number the learner typed) must change the answer somewhere it was compared: replaced by 0, the
answer must differ at some test point. A part that does not is reported, and the verdict is
"unchecked" with the part named, never "correct". Parts that the reference itself contains
(a clamp such as ``max(var, 1e-6)`` in the drill's own formula) are exempt, and so are parts
that are exactly zero at every test point (``0*exp(z)``, ``yhat - yhat``): they are zero, not
hidden.
"""

from __future__ import annotations

import numpy as np

from quizapp.mathcheck.calculus import transform
from quizapp.mathcheck.compare import RTOL, close, full
from quizapp.mathcheck.nodes import BoolOp, Call, Compare, Name, Node, Num, to_text
from quizapp.mathcheck.numeric import evaluate
from quizapp.mathcheck.problem import Compiled

ZERO, ONE = Num(0.0, "0"), Num(1.0, "1")
# Functions that are never 0 in exact arithmetic: a value of 0 is an underflow, not a zero.
NEVER_ZERO = frozenset({"exp", "sigmoid", "softplus"})
# Beyond these arguments (in absolute value) a function is its limit to within 1e-8: sigmoid and
# tanh are 0, 1 or -1, softplus is 0 or its argument. No point can tell such a part from its
# limit, so an answer whose part is there at every test point cannot be checked.
SATURATES = {"sigmoid": 18.5, "tanh": 9.5, "softplus": 18.5}


def inert_part(
    c: Compiled, answer: Node, values: np.ndarray, mask: np.ndarray, scale: float
) -> str | None:
    """A message naming the first part of ``answer`` that makes no difference at any point of
    ``mask`` (``values``: the answer at every sample point); None when every part counts."""
    if not mask.any():
        return None
    n = c.size
    reference_parts = _parts(c.reference) | _parts(c.reference_expanded)
    seen: set[Node] = set()
    for part in answer.walk():
        if part is answer or part in seen or part in reference_parts:
            continue
        seen.add(part)
        if isinstance(part, Name | Compare | BoolOp):
            continue
        if isinstance(part, Num) and part.value == 0.0:
            continue
        if isinstance(part, Call) and part.func in SATURATES:
            with np.errstate(all="ignore"):
                arg = np.abs(full(evaluate(part.args[0], c.env), n)[mask])
            arg = arg[np.isfinite(arg)]
            if arg.size and (arg > SATURATES[part.func]).all():
                return (
                    f"has a part, {_short(to_text(part))}, that is at the end of its range at "
                    "every test point (as sigmoid(40) is 1 and tanh(20) is 1 to the last digit), "
                    "so the points cannot tell it from a constant or a step; write what you mean"
                )
        with np.errstate(all="ignore"):
            own = full(evaluate(part, c.env), n)[mask]
        finite = np.isfinite(own)
        if finite.any() and not (own[finite] != 0).any() and not _never_zero(part):
            continue  # exactly zero wherever it has a value: it is zero, nothing hides
        kept = values[mask]
        if not _same(c, answer, part, ZERO, kept, mask, scale):
            continue
        # Invisible because it is tiny, or because its place does not count (0*exp(z), a
        # factor of a term that is zero)? Only the first hides anything: with the part set to
        # 1 instead, the answer must change.
        if _same(c, answer, part, ONE, kept, mask, scale):
            continue
        return (
            f"has a part, {_short(to_text(part))}, that makes no difference at any test point "
            "(it is too small there), so whether it belongs cannot be checked; if it is not "
            "part of the derivative, leave it out"
        )
    return None


def _same(
    c: Compiled,
    answer: Node,
    part: Node,
    value: Node,
    kept: np.ndarray,
    mask: np.ndarray,
    scale: float,
) -> bool:
    """Whether ``answer`` with ``part`` replaced by ``value`` agrees with ``kept`` everywhere."""
    replaced = transform(answer, lambda node: value if node == part else None)
    with np.errstate(all="ignore"):
        other = full(evaluate(replaced, c.env), c.size)[mask]
    same = close(other, kept, RTOL, scale) | (~np.isfinite(other) & ~np.isfinite(kept))
    return bool(same.all())


def _parts(tree: Node) -> set[Node]:
    return set(tree.walk())


def _never_zero(part: Node) -> bool:
    return (isinstance(part, Call) and part.func in NEVER_ZERO) or (
        isinstance(part, Num) and part.value != 0.0
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
