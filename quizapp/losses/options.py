"""Checks and step helpers shared by the losses of the second deck (divergence, likelihood,
robust, probability, embedding). Those losses keep their reference's own argument names and order
(torch's ``input, target``), so a learner can pass the same keywords to either."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from quizapp.losses.common import _array, _check_reduction, _first, _is_number, _same_shape, _where
from quizapp.losses.text import MAX_SHOWN, num, vector


def _number(value: Any, name: str, low: float = -math.inf, strict: bool = False) -> float:
    """A finite real number >= low (> low when strict), or a ValueError naming it."""
    ok = _is_number(value) and math.isfinite(value) and (value > low if strict else value >= low)
    if not ok:
        bound = "" if low == -math.inf else f" {'>' if strict else '>='} {low:g}"
        raise ValueError(f"{name} must be a finite number{bound}, got {value!r}")
    return float(value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return bool(value)


def _pair(
    input: Any, target: Any, reduction: str, names: tuple[str, str] = ("input", "target")
) -> tuple[np.ndarray, np.ndarray]:
    _check_reduction(reduction)
    x = _array(input, names[0])
    t = _array(target, names[1])
    _same_shape(x, names[0], t, names[1])
    return x, t


def _scale(reduction: str, count: float) -> float:
    return 1.0 / count if reduction == "mean" else 1.0


def _signs(target: Any, shape: tuple[int, ...], name: str = "target") -> np.ndarray:
    """Labels of +1 or -1, one per pair."""
    t = _array(target, name)
    if t.shape != shape:
        raise ValueError(f"{name} has shape {t.shape}; give one +1 or -1 per pair, shape {shape}")
    bad = (t != 1.0) & (t != -1.0)
    if bad.any():
        index = _first(bad)
        raise ValueError(f"{_where(name, index)} = {t[index]:g}; the labels are +1 or -1")
    return t


# --------------------------------------------------------------------------- worked steps


_LITERAL = re.compile(r"-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?|inf|nan")


def _ends_in_value(text: str) -> bool:
    """Whether ``text`` ends by setting a name to a number or a vector ("y = 1, d = -2"), so
    that "= loss" after it would chain the loss onto that value."""
    if "=" not in text:
        return False
    tail = text.rsplit("=", 1)[1].strip()
    if tail.startswith("[") and tail.endswith("]"):
        return all(_LITERAL.fullmatch(x.strip()) for x in tail[1:-1].split(","))
    return _LITERAL.fullmatch(tail) is not None


def _per_sample(values: np.ndarray, describe: Callable[[int], str]) -> list[str]:
    """One line per sample (the first MAX_SHOWN): ``describe(i)``, its inputs or its formula,
    then its loss. After a formula the loss follows as "= 0.25"; after a value ("d = -2") as
    ", so its loss is 0.25": "d = -2 = 0.25" would read as an equation, and a false one."""
    flat = np.ravel(values)
    lines = []
    for i in range(min(flat.size, MAX_SHOWN)):
        prefix = f"Sample {i + 1}: " if flat.size > 1 else ""
        described = describe(i)
        if _ends_in_value(described):
            whose = "its" if flat.size > 1 else "the"
            lines.append(f"{prefix}{described}, so {whose} loss is {num(flat[i])}")
        else:
            lines.append(f"{prefix}{described} = {num(flat[i])}")
    if flat.size > MAX_SHOWN:
        lines.append(f"... and {flat.size - MAX_SHOWN} more the same way")
    return lines


def _sample_rows(x: Any) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return a[None, :] if a.ndim == 1 else a.reshape(a.shape[0], -1)


def _value(value: Any) -> str:
    return vector(value) if isinstance(value, np.ndarray) else num(value)
