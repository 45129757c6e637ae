"""What the judge and the mistake finder share: the tolerance, ``close``, the ``Judgement`` a
check ends in, and a counterexample in words ("at y = 1, z = 0.5 your answer is ...")."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from quizapp.mathcheck.numeric import Trace, median
from quizapp.mathcheck.problem import Compiled

RTOL = 1e-8
# Wrong-answer variants are built with different arithmetic than the learner's typing; a looser
# match costs nothing because they are only compared once the answer is already known wrong.
MATCH_RTOL = 1e-6


@dataclass(frozen=True)
class Judgement:
    verdict: str  # "correct" | "incorrect" | "unchecked"
    message: str
    mistake: str | None = None
    hint: str | None = None
    points: int = 0


def close(a: np.ndarray, b: np.ndarray, rtol: float = RTOL, scale: float = 1.0) -> np.ndarray:
    """Elementwise agreement; NaN or infinity never agrees with anything."""
    with np.errstate(invalid="ignore", over="ignore"):
        near = np.abs(a - b) <= rtol * np.maximum(np.abs(a), np.abs(b)) + 1e-12 * scale
        # inf <= inf holds, so an overflowing answer would "agree" with everything without this.
        return near & np.isfinite(a) & np.isfinite(b)


def full(values: np.ndarray | float, n: int) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.shape == (n,) and values.dtype == float:
        return values  # the usual case: skip broadcast_to's overhead
    return np.broadcast_to(np.asarray(values, dtype=float), (n,))


def scale_of(c: Compiled) -> float:
    """The reference's typical size (for the absolute part of the tolerance), once per drill."""
    if "scale" not in c.cache:
        c.cache["scale"] = median(np.abs(c.reference_values[c.mask])) + 1e-300
    return c.cache["scale"]


_UNDEFINED = (
    ("sqrt", "undefined: the square root of a negative number"),
    ("log", "undefined: the log of a negative number"),
    ("pow", "undefined: a negative number to a fractional power"),
    ("log0", "infinite: the log of 0"),
    ("div0", "undefined: a division by zero"),
    ("overflow", "too large to compute (it overflows)"),
)


def counterexample(
    c: Compiled, values: np.ndarray, bad: np.ndarray, scale: float, trace: Trace | None = None
) -> str:
    """One point of ``bad`` (the friendliest) as "at y = 1, z = 0.5 your answer is ..."."""
    # Prefer a point in the friendly box, then the wide range: small numbers read best.
    order = np.lexsort((np.arange(bad.size), c.layout.region))
    i = int(order[np.argmax(bad[order])])
    where = ", ".join(f"{name} = {fmt(float(c.env[name][i]))}" for name in c.problem.variables)
    got = float(values[i])
    expected = float(c.reference_values[i])
    if math.isfinite(got):
        shown = fmt(got, expected)
    else:
        shown = "undefined (division by zero or a log of 0)"
        if trace is not None:
            for kind, text in _UNDEFINED:
                if trace.where(kind, bad.size)[i]:
                    shown = text
                    break
    return (
        f"not equal to the derivative: at {where} your answer is {shown} but the derivative is "
        f"{fmt(expected, got)}"
    )


def fmt(x: float, other: float | None = None) -> str:
    """``x`` in 4 significant digits, or as many as it takes to differ from ``other``."""
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    for digits in (4, 8, 12, 17):
        text = f"{x:.{digits}g}"
        if other is None or text != f"{other:.{digits}g}":
            return text
    return text
