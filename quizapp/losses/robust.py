"""Robust and quantile regression: smooth L1 (F.smooth_l1_loss) and the pinball loss.

Each loss keeps its reference's argument names, order and reductions; ``NAME_grad`` is the
gradient with respect to the first (prediction) argument and ``NAME_steps`` the worked steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quizapp.losses.common import (
    Loss,
    _array,
    _reduce,
    _same_shape,
    _weight,
)
from quizapp.losses.options import (
    _number,
    _pair,
    _per_sample,
    _scale,
    _value,
)
from quizapp.losses.text import num, reduction_lines


def _beta(beta: Any) -> float:
    return _number(beta, "beta", 0.0)


def smooth_l1(input: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> Loss:
    """Smooth L1, as ``F.smooth_l1_loss``: ½ d² / beta where |d| < beta, |d| - ½ beta beyond
    (d = input - target). It equals Huber(delta=beta) / beta; beta = 0 is plain L1."""
    x, t = _pair(input, target, reduction)
    beta = _beta(beta)
    a = np.abs(x - t)
    if beta == 0.0:
        return _reduce(a, reduction)
    # m (a - m/2) / beta with m = min(a, beta) is both pieces, and squares only what is small.
    m = np.minimum(a, beta)
    return _reduce(m * (a - 0.5 * m) / beta, reduction)


def smooth_l1_grad(
    input: Any, target: Any, reduction: str = "mean", beta: float = 1.0
) -> np.ndarray:
    """d / d input = d / beta inside the band, sign(d) outside."""
    x, t = _pair(input, target, reduction)
    beta = _beta(beta)
    d = x - t
    grad = np.sign(d) if beta == 0.0 else np.where(np.abs(d) < beta, d / beta, np.sign(d))
    return grad * _scale(reduction, x.size)


def _quantile_inputs(
    y_true: Any, y_pred: Any, sample_weight: Any, alpha: float, multioutput: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    y = _array(y_true, "y_true")
    q = _array(y_pred, "y_pred")
    _same_shape(y, "y_true", q, "y_pred")
    if y.ndim > 2:
        raise ValueError(f"y_true must be 1-D or 2-D (samples x outputs), got shape {y.shape}")
    alpha = _number(alpha, "alpha", 0.0)
    if alpha > 1:
        raise ValueError(f"alpha must be in [0, 1] (the quantile), got {alpha!r}")
    if multioutput not in ("uniform_average", "raw_values"):
        raise ValueError(
            f"multioutput must be 'uniform_average' or 'raw_values', got {multioutput!r}"
        )
    n = y.shape[0]
    w = np.ones(n) if sample_weight is None else _weight(sample_weight, "sample_weight", (n,), "y")
    w = np.broadcast_to(w, (n,))
    if w.sum() == 0:
        raise ValueError("sample_weight sums to 0; the weighted average is undefined")
    return y, q, w, alpha


def quantile(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any = None,
    alpha: float = 0.5,
    multioutput: str = "uniform_average",
) -> Loss:
    """Pinball (quantile) loss, as ``sklearn.metrics.mean_pinball_loss``: alpha (y - q) when the
    prediction q is below y, (1 - alpha) (q - y) when above; weighted mean over samples, then
    averaged over outputs (or one value per output with ``multioutput='raw_values'``)."""
    y, q, w, alpha = _quantile_inputs(y_true, y_pred, sample_weight, alpha, multioutput)
    d = y - q
    loss = alpha * np.maximum(d, 0.0) + (1.0 - alpha) * np.maximum(-d, 0.0)
    per_output = np.average(loss, weights=w, axis=0)
    if multioutput == "raw_values":
        return np.atleast_1d(per_output)
    return float(np.mean(per_output))


def quantile_grad(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any = None,
    alpha: float = 0.5,
    multioutput: str = "uniform_average",
) -> np.ndarray:
    """d / d y_pred = -alpha where under-predicting, 1 - alpha where over (0 at a tie), times
    w_i / sum(w), divided by the number of outputs for the uniform average."""
    y, q, w, alpha = _quantile_inputs(y_true, y_pred, sample_weight, alpha, multioutput)
    d = y - q
    grad = np.where(d > 0, -alpha, np.where(d < 0, 1.0 - alpha, 0.0))
    weights = (w / w.sum()).reshape((-1,) + (1,) * (y.ndim - 1))
    grad = grad * weights
    if multioutput == "uniform_average" and y.ndim == 2:
        grad = grad / y.shape[1]
    return grad


# --------------------------------------------------------------------------- worked steps


def smooth_l1_steps(
    input: Any, target: Any, reduction: str = "mean", beta: float = 1.0
) -> list[str]:
    per = np.ravel(smooth_l1(input, target, "none", beta))
    d = np.ravel(input).astype(float) - np.ravel(target).astype(float)
    head = f"d = input − target; ½d²/β if |d| < β = {num(beta)}, else |d| − ½β"
    return [head, *_per_sample(per, lambda i: f"d = {num(d[i])}"), *reduction_lines(per, reduction)]


def quantile_steps(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any = None,
    alpha: float = 0.5,
    multioutput: str = "uniform_average",
) -> list[str]:
    y, q, _, a = _quantile_inputs(y_true, y_pred, sample_weight, alpha, multioutput)
    d = np.ravel(y - q)
    per = a * np.maximum(d, 0) + (1 - a) * np.maximum(-d, 0)
    head = f"pinball, α = {num(a)}: α·(y − q) if q < y, else (1 − α)·(q − y)"
    describe = lambda i: f"y − q = {num(d[i])}"  # noqa: E731
    weighted = "weighted mean" if sample_weight is not None else "mean"
    value = quantile(y_true, y_pred, sample_weight, alpha, multioutput)
    return [head, *_per_sample(per, describe), f"The {weighted} over samples: {_value(value)}"]
