"""Worked steps as text: numbers as a learner writes them, and the lines that show how the
per-sample losses become the answer. Each loss's ``*_steps`` writer (in its family module) uses
these."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import SupportsFloat

import numpy as np

# Samples listed one by one; beyond this the steps show the first ones and a count.
MAX_SHOWN = 8
# Classes listed one by one inside a softmax step.
MAX_CLASSES = 6


def num(x: SupportsFloat, digits: int = 4) -> str:
    """A number as a learner would write it: ``digits`` significant digits, no trailing zeros,
    never ``-0``."""
    x = float(x)
    if x == 0 or abs(x) < 10 ** -(digits + 8):
        return "0"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def paren(x: SupportsFloat, digits: int = 4) -> str:
    """``num(x)``, in parentheses when negative, for use after an operator."""
    text = num(x, digits)
    return f"({text})" if text.startswith("-") else text


def vector(values: Sequence[float] | np.ndarray) -> str:
    return "[" + ", ".join(num(v) for v in values) + "]"


def _shown(n: int) -> range:
    return range(min(n, MAX_SHOWN))


def _more(n: int) -> list[str]:
    hidden = n - MAX_SHOWN
    return (
        [f"... and {hidden} more sample{'s' if hidden > 1 else ''} the same way"]
        if hidden > 0
        else []
    )


def _sum_digits(values: np.ndarray, total: float) -> int:
    """The fewest significant digits (4 to 10) at which the terms, as shown, add up to the
    total as shown: cancelling terms need more than 4."""
    want = num(total)
    for digits in range(4, 11):
        if num(sum(float(num(v, digits)) for v in values)) == want:
            return digits
    return 10


def _label(i: int, n: int) -> str:
    return f"Sample {i + 1}: " if n > 1 else ""


def reduction_lines(
    per_sample: np.ndarray | float,
    reduction: str,
    divisor: float | None = None,
    divisor_text: str | None = None,
) -> list[str]:
    """How the per-sample losses become the answer: listed, summed, or averaged."""
    values = np.ravel(per_sample)
    n = values.size
    if reduction == "none":
        shown = vector(values[:MAX_SHOWN]) + (" ..." if n > MAX_SHOWN else "")
        return [f"Reduction 'none': the loss of each sample, {shown}"]
    total = float(values.sum())
    # "1.718 + (-1.518)", not "1.718 + -1.518"; with the digits that make the terms shown add
    # up to the total shown ("-1.518 + 1.482 = -0.03662" did not: -1.5183 + 1.4817 does).
    digits = _sum_digits(values[:MAX_SHOWN], total) if n <= MAX_SHOWN else 4
    each = [num(v, digits) if i == 0 else paren(v, digits) for i, v in enumerate(values)]
    terms = " + ".join(each) if n <= MAX_SHOWN else f"the {n} losses"
    if reduction == "sum":
        return [f"Sum: {terms} = {num(total)}"] if n > 1 else []
    if n == 1 and divisor is None:
        return []
    d = float(n if divisor is None else divisor)
    text = divisor_text or f"N = {n}"
    lines = [f"Sum: {terms} = {num(total)}"] if n > 1 else []
    return [*lines, f"Mean: divide by {text}: {num(total)} / {num(d)} = {num(total / d)}"]
