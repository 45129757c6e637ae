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
    to_text,
)
from quizapp.mathcheck.numeric import _UNARY as UNARY
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
    if "reference_parts" not in c.cache:
        c.cache["reference_parts"] = set(c.reference.walk()) | set(c.reference_expanded.walk())
    reference_parts: set[Node] = c.cache["reference_parts"]
    env = {name: np.asarray(v)[mask] if np.ndim(v) else v for name, v in c.env.items()}
    with np.errstate(all="ignore"):
        return _first_inert(answer, _Values(answer, env), values[mask], reference_parts, scale)


def _first_inert(
    answer: Node, tree: _Values, kept: np.ndarray, reference_parts: set[Node], scale: float
) -> str | None:
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
            arg = np.abs(tree.value(part.args[0]))
            arg = arg[np.isfinite(arg)]
            if arg.size and (arg > SATURATES[part.func]).all():
                return (
                    f"has a part, {_short(to_text(part))}, that is at the end of its range at "
                    "every test point (as sigmoid(40) is 1 and tanh(20) is 1 to the last digit), "
                    "so the points cannot tell it from a constant or a step; write what you mean"
                )
        own = tree.value(part)
        finite = np.isfinite(own)
        if finite.any() and not (own[finite] != 0).any() and not _never_zero(part):
            continue  # exactly zero wherever it has a value: it is zero, nothing hides
        if not _same(tree.replaced(part, 0.0), kept, scale):
            continue
        # Invisible because it is tiny, or because its place does not count (0*exp(z), a
        # factor of a term that is zero)? Only the first hides anything: with the part set to
        # 1 instead, the answer must change to another number somewhere (a 1 that only makes
        # 0*exp(1e6*(p - 0.5)) overflow into NaN says nothing about the part).
        if not _changes_value(tree.replaced(part, 1.0), kept, scale):
            continue
        return (
            f"has a part, {_short(to_text(part))}, that makes no difference at any test point "
            "(it is too small there), so whether it belongs cannot be checked; if it is not "
            "part of the derivative, leave it out"
        )
    return None


def _changes_value(other: np.ndarray, kept: np.ndarray, scale: float) -> bool:
    """Whether ``other`` is another finite number than ``kept`` at some point."""
    both = np.isfinite(other) & np.isfinite(kept)
    return bool((both & ~close(other, kept, RTOL, scale)).any())


def _same(other: np.ndarray, kept: np.ndarray, scale: float) -> bool:
    same = close(other, kept, RTOL, scale) | (~np.isfinite(other) & ~np.isfinite(kept))
    return bool(same.all())


class _Values:
    """Every node's values, computed once; the answer with one part replaced is recomputed only
    along the paths from that part to the root (a check tries every part, so this is what keeps
    it to a fraction of a millisecond)."""

    def __init__(self, answer: Node, env: dict[str, np.ndarray]) -> None:
        self.answer = answer
        self.env = env
        self.memo: dict[int, np.ndarray] = {}
        self.parent: dict[int, Node] = {}
        self.size = next((int(np.shape(v)[0]) for v in env.values() if np.ndim(v)), 1)
        self.occurrences: dict[Node, list[Node]] = {}  # equal parts, wherever they appear
        self._fill(answer)

    def value(self, node: Node) -> np.ndarray:
        found = self.memo.get(id(node))
        if found is None:
            found = self._full(node)
        return found

    def replaced(self, part: Node, by: float) -> np.ndarray:
        hits = self.occurrences.get(part, [part])
        on_path: set[int] = set()
        for hit in hits:
            node: Node | None = hit
            while node is not None and id(node) not in on_path:
                on_path.add(id(node))
                node = self.parent.get(id(node))
        targets = {id(hit) for hit in hits}
        return self._recompute(self.answer, targets, on_path, by)

    def _recompute(self, node: Node, targets: set[int], on_path: set[int], by: float) -> np.ndarray:
        if id(node) in targets:
            return np.broadcast_to(np.float64(by), self.size)
        if id(node) not in on_path:
            return self.value(node)
        if isinstance(node, Cond):
            # Every node below a condition is opaque: the Cond is evaluated whole, once.
            number = Num(by, repr(by))
            return self._full(transform(node, lambda n: number if id(n) in targets else None))
        children = [self._recompute(ch, targets, on_path, by) for ch in node.children()]
        return self._shallow(node, children)

    def _fill(self, node: Node) -> np.ndarray | None:
        """Record every node's value and parent. Below a condition (comparisons appear only
        in ``A if test else B``) a replaced part makes the whole ``Cond`` be evaluated again."""
        self.occurrences.setdefault(node, []).append(node)
        children = []
        for child in node.children():
            self.parent[id(child)] = node
            children.append(self._fill(child))
        if isinstance(node, Compare | BoolOp):
            return None  # a truth value, not a number
        if isinstance(node, Num):
            value = np.full(self.size, node.value)
        elif isinstance(node, Name) and node.name in self.env:
            value = full(np.asarray(self.env[node.name], dtype=float), self.size)
        elif isinstance(node, Cond) or not children:
            value = self._full(node)
        else:
            value = self._shallow(node, [ch for ch in children if ch is not None])
        self.memo[id(node)] = value
        return value

    def _full(self, node: Node) -> np.ndarray:
        return full(evaluate(node, self.env), self.size)

    def _shallow(self, node: Node, children: list[np.ndarray]) -> np.ndarray:
        """``node``'s value from its children's values (the evaluator's arithmetic, without
        walking the subtree again)."""
        if isinstance(node, Neg):
            out = -children[0]
        elif isinstance(node, BinOp):
            a, b = children
            out = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}[node.op](a, b)
        elif isinstance(node, Pow):
            out = np.power(children[0], children[1])
        elif isinstance(node, Call) and node.func in UNARY:
            out = UNARY[node.func](children[0])
        elif isinstance(node, Call) and node.func == "max":
            out = np.maximum(children[0], children[1])
        elif isinstance(node, Call) and node.func == "min":
            out = np.minimum(children[0], children[1])
        elif isinstance(node, Call) and node.func == "clip":
            out = np.minimum(np.maximum(children[0], children[1]), children[2])
        else:
            return self._full(node)
        return full(np.asarray(out, dtype=float), self.size)


def _never_zero(part: Node) -> bool:
    return (isinstance(part, Call) and part.func in NEVER_ZERO) or (
        isinstance(part, Num) and part.value != 0.0
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
