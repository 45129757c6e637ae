"""Reading a worked step as a learner does: a chain ``a = b = c`` says a, b and c are equal.

``false_chains(line)`` returns each chain of a line whose parts, where they can be worked out
(numbers, vectors, arithmetic with ln, exp, σ, ½, ², ·), are not all equal: "d = -2 = 1.75"
(the 1.75 is the loss, not d). Names and formulas that cannot be worked out ("d", "y − q",
"KL(p ‖ q)") are read as names and judged by nothing."""

from __future__ import annotations

import math
import re

from quizapp.mathcheck.numeric import evaluate_number
from quizapp.mathcheck.parser import ParseError

# Display rounding: numbers are shown with 4 significant digits, so a line's parts agree to
# about 1 in 2000 (sums of rounded terms a little less).
REL_TOL = 5e-3
ABS_TOL = 5e-4

# A line is read clause by clause: these end a clause when outside brackets.
_CLAUSE_ENDS = (",", ";", ":", "→", " so ", " then ", " else ", " if ", " and ", " with ")
_EQUALS = re.compile(r"(?<![<>=!≤≥])=(?!=)")


def clauses(line: str) -> list[str]:
    """The clauses of ``line``, split at the separators above outside (), [] and {}."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(line):
        ch = line[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0:
            end = next((s for s in _CLAUSE_ENDS if line.startswith(s, i)), None)
            if end is not None:
                out.append(line[start:i])
                i += len(end)
                start = i
                continue
        i += 1
    out.append(line[start:])
    return [c.strip() for c in out if c.strip()]


def _plain(text: str) -> str:
    text = text.strip().replace("½", "(1/2)").replace("−", "-").replace("×", "*")
    text = re.sub(r"\be\^", "exp(1)^", text)
    return re.sub(r"\b(ln|log) ([\d.]+)", r"\1(\2)", text)


def value_of(part: str) -> float | tuple[float, ...] | None:
    """A number, a vector, or None when ``part`` cannot be worked out (a name, a formula)."""
    part = part.strip()
    if part.startswith("[") and part.endswith("]"):
        items = [value_of(p) for p in part[1:-1].split(",")]
        if items and all(isinstance(v, float) for v in items):
            return tuple(v for v in items if isinstance(v, float))
        return None
    if not part or not re.search(r"\d", part):
        return None
    try:
        return float(evaluate_number(_plain(part)))
    except (ParseError, ValueError, OverflowError, ZeroDivisionError):
        return None


def _same(a: float | tuple[float, ...], b: float | tuple[float, ...]) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (
            isinstance(a, tuple)
            and isinstance(b, tuple)
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def false_chains(line: str) -> list[str]:
    """The clauses of ``line`` that join unequal values with "=": a chain "a = b = c" (or a
    plain "a = b") whose parts that can be worked out are not all equal. A name set to a value
    ("d = -2") has one part that can be worked out and is never false."""
    wrong = []
    for clause in clauses(line):
        parts = _EQUALS.split(clause)
        if len(parts) < 2:
            continue
        values = [v for v in map(value_of, parts) if v is not None]
        if any(not _same(values[0], v) for v in values[1:]):
            wrong.append(clause)
    return wrong
