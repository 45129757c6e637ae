"""Losses on predicted probabilities: the Brier score and the soft Dice loss.

Each loss keeps its reference's argument names, order and reductions; ``NAME_grad`` is the
gradient with respect to the first (prediction) argument and ``NAME_steps`` the worked steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quizapp.losses.common import (
    Loss,
    _array,
    _in_unit_interval,
    _is_number,
    _reduce,
    _same_shape,
    _weight,
)
from quizapp.losses.options import (
    _number,
    _pair,
    _per_sample,
    _sample_rows,
    _scale,
)
from quizapp.losses.text import num, reduction_lines


def _brier_inputs(
    y_true: Any, y_proba: Any, sample_weight: Any, pos_label: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = _array(y_true, "y_true")
    p = _array(y_proba, "y_proba")
    _same_shape(y, "y_true", p, "y_proba")
    if p.ndim != 1:
        raise ValueError(f"y_proba must be 1-D (binary case), got shape {p.shape}")
    _in_unit_interval(p, "y_proba", " of the positive class")
    labels = set(np.unique(y).tolist())
    if pos_label is None:
        if not (labels <= {0.0, 1.0} or labels <= {-1.0, 1.0}):
            raise ValueError(
                f"y_true has labels {sorted(labels)}; without pos_label they must be 0/1 or -1/1"
            )
        pos_label = 1.0
    elif not _is_number(pos_label):
        raise ValueError(f"pos_label must be a number, got {pos_label!r}")
    if len(labels) > 2:
        raise ValueError(f"y_true has {len(labels)} labels; the Brier score here is binary")
    n = y.size
    w = np.ones(n) if sample_weight is None else _weight(sample_weight, "sample_weight", (n,), "y")
    w = np.broadcast_to(w, (n,))
    if w.sum() == 0:
        raise ValueError("sample_weight sums to 0; the weighted average is undefined")
    return (y == float(pos_label)).astype(np.float64), p, w


def brier(y_true: Any, y_proba: Any, sample_weight: Any = None, pos_label: Any = None) -> float:
    """Brier score, as ``sklearn.metrics.brier_score_loss``: the weighted mean of
    (y_proba - 1[y_true = pos_label])². A strictly proper scoring rule."""
    y, p, w = _brier_inputs(y_true, y_proba, sample_weight, pos_label)
    return float(np.average((p - y) ** 2, weights=w))


def brier_grad(
    y_true: Any, y_proba: Any, sample_weight: Any = None, pos_label: Any = None
) -> np.ndarray:
    """d / d y_proba = 2 w_i (p_i - y_i) / sum(w)."""
    y, p, w = _brier_inputs(y_true, y_proba, sample_weight, pos_label)
    return 2.0 * w * (p - y) / w.sum()


def _dice_inputs(
    input: Any, target: Any, smooth: float, reduction: str
) -> tuple[np.ndarray, np.ndarray, float]:
    x, t = _pair(input, target, reduction)
    _in_unit_interval(x, "input", " (pass sigmoid or softmax outputs, not logits)")
    _in_unit_interval(t, "target", " (a 0/1 mask, or soft labels)")
    smooth = _number(smooth, "smooth", 0.0)
    n = 1 if x.ndim == 1 else x.shape[0]
    x, t = x.reshape(n, -1), t.reshape(n, -1)
    if smooth == 0.0 and ((x.sum(axis=1) + t.sum(axis=1)) == 0).any():
        row = int(np.argmax((x.sum(axis=1) + t.sum(axis=1)) == 0))
        raise ValueError(
            f"sample {row} has an empty mask and an all-zero prediction, so Dice is 0/0; "
            "use smooth > 0 (e.g. 1)"
        )
    return x, t, smooth


def dice(input: Any, target: Any, smooth: float = 1.0, reduction: str = "mean") -> Loss:
    """Soft Dice loss, one value per sample (the first axis; a 1-D input is one sample):
    1 - (2 Σ p·t + smooth) / (Σ p + Σ t + smooth), with p the predicted probabilities and t the
    mask. ``smooth`` keeps an empty mask with an empty prediction at loss 0 instead of 0/0."""
    x, t, smooth = _dice_inputs(input, target, smooth, reduction)
    inter = (x * t).sum(axis=1)
    total = x.sum(axis=1) + t.sum(axis=1)
    loss = 1.0 - (2.0 * inter + smooth) / (total + smooth)
    if reduction == "none":
        return loss if np.ndim(input) > 1 else loss[0]
    return _reduce(loss, reduction)


def dice_grad(input: Any, target: Any, smooth: float = 1.0, reduction: str = "mean") -> np.ndarray:
    """d / d p_i = -(2 t_i (S + s) - (2 I + s)) / (S + s)², with I = Σ p·t and S = Σ p + Σ t."""
    x, t, smooth = _dice_inputs(input, target, smooth, reduction)
    inter = (x * t).sum(axis=1, keepdims=True)
    total = x.sum(axis=1, keepdims=True) + t.sum(axis=1, keepdims=True) + smooth
    grad = -(2.0 * t * total - (2.0 * inter + smooth)) / total**2
    grad *= _scale(reduction, x.shape[0])
    return grad.reshape(np.shape(input))


# --------------------------------------------------------------------------- worked steps


def brier_steps(
    y_true: Any, y_proba: Any, sample_weight: Any = None, pos_label: Any = None
) -> list[str]:
    y, p, _ = _brier_inputs(y_true, y_proba, sample_weight, pos_label)
    per = (p - y) ** 2
    describe = lambda i: f"({num(p[i])} − {num(y[i])})²"  # noqa: E731
    weighted = "weighted mean" if sample_weight is not None else "mean"
    value = brier(y_true, y_proba, sample_weight, pos_label)
    head = "Brier = mean of (p − y)², y = 1 for the positive class"
    return [head, *_per_sample(per, describe), f"The {weighted}: {num(value)}"]


def dice_steps(input: Any, target: Any, smooth: float = 1.0, reduction: str = "mean") -> list[str]:
    per = np.ravel(dice(input, target, smooth, "none"))
    x, t = _sample_rows(input), _sample_rows(target)
    inter, total = (x * t).sum(axis=1), x.sum(axis=1) + t.sum(axis=1)
    s = num(smooth)
    head = f"loss = 1 − (2·Σpt + s) / (Σp + Σt + s), s = {s}"
    describe = lambda i: f"1 − (2·{num(inter[i])} + {s}) / ({num(total[i])} + {s})"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]
