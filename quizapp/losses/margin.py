"""Margin losses: the hinge loss (binary and Crammer-Singer multi-class), its gradient and its
worked steps."""

from __future__ import annotations

from typing import Any

import numpy as np

from quizapp.losses.common import (
    Loss,
    _array,
    _check_reduction,
    _first,
    _grad_scale,
    _labels,
    _one_label_per_row,
    _reduce,
    _same_shape,
    _where,
)
from quizapp.losses.text import (
    _label,
    _more,
    _shown,
    num,
    paren,
    reduction_lines,
    vector,
)


def _hinge_inputs(
    y_true: Any, scores: Any, reduction: str
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Validated (scores, +-1 labels for the binary case or None, class labels or +-1 labels)."""
    _check_reduction(reduction)
    s = _array(scores, "scores")
    if s.ndim == 2:
        labels = _labels(y_true, "y_true", s.shape[1]).reshape(-1)
        _one_label_per_row(labels, "y_true", s, "scores")
        return s, None, labels
    y = _array(y_true, "y_true")
    _same_shape(y, "y_true", s, "scores")
    allowed = (y == 1) | (y == -1) | (y == 0)
    if not allowed.all():
        bad = _first(~allowed)
        raise ValueError(
            f"{_where('y_true', bad)} = {y[bad]:g}; binary hinge labels are -1/+1 (or 0/1)"
        )
    if (y == 0).any() and (y == -1).any():
        raise ValueError("y_true mixes 0 and -1; use -1/+1 labels or 0/1 labels, not both")
    signs = np.where(y == 0, -1.0, y)
    return s, signs, signs


def hinge(y_true: Any, scores: Any, reduction: str = "mean") -> Loss:
    """Hinge loss with ``sklearn.metrics.hinge_loss`` semantics.

    Binary (1-D ``scores``): labels -1/+1 or 0/1 (0 means -1), loss max(0, 1 - y * s).
    Multi-class (2-D ``scores``, labels 0..C-1): Crammer-Singer, max(0, 1 - (s_y - max_{k != y}
    s_k)). One difference: sklearn turns labels that are all one class into -1; here +1 stays +1.
    """
    s, signs, labels = _hinge_inputs(y_true, scores, reduction)
    if signs is not None:
        return _reduce(np.maximum(0.0, 1.0 - signs * s), reduction)
    return _reduce(np.maximum(0.0, 1.0 - _multiclass_margin(s, labels)[0]), reduction)


def _multiclass_margin(s: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s_y - max_{k != y} s_k per row, and the index of that runner-up class."""
    rows = np.arange(s.shape[0])
    others = s.copy()
    others[rows, labels] = -np.inf
    runner_up = others.argmax(axis=1)
    return s[rows, labels] - others[rows, runner_up], runner_up


def hinge_grad(y_true: Any, scores: Any, reduction: str = "mean") -> np.ndarray:
    """d / ds = -y where the margin y s is below 1, else 0; multi-class: -1 on the true class and
    +1 on the runner-up for rows with margin below 1."""
    s, signs, labels = _hinge_inputs(y_true, scores, reduction)
    scale = _grad_scale(reduction, s.shape[0] if s.ndim == 2 else s.size)
    if signs is not None:
        return np.where(signs * s < 1.0, -signs, 0.0) * scale
    margin, runner_up = _multiclass_margin(s, labels)
    active = (margin < 1.0).astype(np.float64)
    grad = np.zeros_like(s)
    rows = np.arange(s.shape[0])
    grad[rows, labels] -= active
    grad[rows, runner_up] += active
    return grad * scale


# --------------------------------------------------------------------------- worked steps


def hinge_steps(y_true: Any, scores: Any, reduction: str = "mean") -> list[str]:
    per = np.ravel(hinge(y_true, scores, reduction="none"))
    s = np.asarray(scores, dtype=float)
    if s.ndim == 2:
        labels = np.ravel(y_true).astype(int)
        lines = [
            "Multi-class hinge: margin = s[true] - max of the other scores; loss max(0, 1 - margin)"
        ]
        for i in _shown(s.shape[0]):
            others = np.delete(s[i], labels[i])
            margin = s[i, labels[i]] - others.max()
            lines.append(
                f"{_label(i, s.shape[0])}s = {vector(s[i])}, true class {labels[i]}: margin "
                f"{num(s[i, labels[i]])} - {paren(others.max())} = {num(margin)}, "
                f"max(0, 1 - {paren(margin)}) = {num(per[i])}"
            )
        return [*lines, *_more(s.shape[0]), *reduction_lines(per, reduction)]
    y = np.ravel(y_true).astype(float)
    s = np.ravel(s)
    signs = np.where(y == 0, -1.0, y)
    lines = ["Hinge per sample: max(0, 1 - y·s) with y = -1 or +1"]
    if (y == 0).any():
        lines.append("Labels 0/1 are read as -1/+1")
    for i in _shown(s.size):
        m = signs[i] * s[i]
        lines.append(
            f"{_label(i, s.size)}y = {num(signs[i])}, s = {num(s[i])}: y·s = {num(m)}, "
            f"max(0, 1 - {paren(m)}) = {num(per[i])}"
        )
    return [*lines, *_more(s.size), *reduction_lines(per, reduction)]
