"""Regression losses on real-valued predictions: MSE, MAE and Huber, their gradients and
their worked steps."""

from __future__ import annotations

from typing import Any

import numpy as np

from quizapp.losses.common import (
    Loss,
    _array,
    _check_reduction,
    _finite_result,
    _grad_scale,
    _positive,
    _reduce,
    _same_shape,
)
from quizapp.losses.text import (
    _label,
    _more,
    _shown,
    num,
    paren,
    reduction_lines,
)


def _regression_inputs(
    y_true: Any, y_pred: Any, reduction: str, finite: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    _check_reduction(reduction)
    y = _array(y_true, "y_true", finite)
    yhat = _array(y_pred, "y_pred", finite)
    _same_shape(y, "y_true", yhat, "y_pred")
    return y, yhat


def mse(y_true: Any, y_pred: Any, reduction: str = "mean") -> Loss:
    """Mean squared error: mean of (y_pred - y_true)^2, as ``F.mse_loss``."""
    y, yhat = _regression_inputs(y_true, y_pred, reduction, finite=False)
    e = yhat - y
    loss = _reduce(np.square(e, out=e), reduction)
    return _finite_result(loss, (y, "y_true"), (yhat, "y_pred"))


def mse_grad(y_true: Any, y_pred: Any, reduction: str = "mean") -> np.ndarray:
    """d mse / d y_pred = 2 (y_pred - y_true), divided by N for the mean."""
    y, yhat = _regression_inputs(y_true, y_pred, reduction)
    return 2.0 * (yhat - y) * _grad_scale(reduction, y.size)


def mae(y_true: Any, y_pred: Any, reduction: str = "mean") -> Loss:
    """Mean absolute error: mean of |y_pred - y_true|, as ``F.l1_loss``."""
    y, yhat = _regression_inputs(y_true, y_pred, reduction, finite=False)
    e = yhat - y
    loss = _reduce(np.abs(e, out=e), reduction)
    return _finite_result(loss, (y, "y_true"), (yhat, "y_pred"))


def mae_grad(y_true: Any, y_pred: Any, reduction: str = "mean") -> np.ndarray:
    """d mae / d y_pred = sign(y_pred - y_true) (0 at a zero residual), / N for the mean."""
    y, yhat = _regression_inputs(y_true, y_pred, reduction)
    return np.sign(yhat - y) * _grad_scale(reduction, y.size)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0, reduction: str = "mean") -> Loss:
    """Huber loss, as ``F.huber_loss``: with e = y_pred - y_true, e^2/2 where |e| <= delta and
    delta (|e| - delta/2) beyond. The two pieces meet with equal value and slope at |e| = delta.

    Both pieces are m (|e| - m/2) with m = min(|e|, delta), which is how it is computed here.
    """
    delta = _positive(delta, "delta")
    y, yhat = _regression_inputs(y_true, y_pred, reduction, finite=False)
    a = np.abs(yhat - y)
    m = np.minimum(a, delta)
    a -= 0.5 * m
    loss = _reduce(np.multiply(m, a, out=m), reduction)
    return _finite_result(loss, (y, "y_true"), (yhat, "y_pred"))


def huber_grad(y_true: Any, y_pred: Any, delta: float = 1.0, reduction: str = "mean") -> np.ndarray:
    """d huber / d y_pred = e inside the band |e| <= delta, delta * sign(e) outside."""
    delta = _positive(delta, "delta")
    y, yhat = _regression_inputs(y_true, y_pred, reduction)
    return np.clip(yhat - y, -delta, delta) * _grad_scale(reduction, y.size)


# --------------------------------------------------------------------------- worked steps


def mse_steps(y_true: Any, y_pred: Any, reduction: str = "mean") -> list[str]:
    per = mse(y_true, y_pred, reduction="none")
    y, yhat = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
    e = y - yhat
    shown = _shown(e.size)
    return [
        "Residuals e = y - ŷ: "
        + ", ".join(f"{num(y[i])} - {paren(yhat[i])} = {num(e[i])}" for i in shown),
        "Squares e²: " + ", ".join(f"{paren(e[i])}² = {num(e[i] ** 2)}" for i in shown),
        *_more(e.size),
        *reduction_lines(per, reduction),
    ]


def mae_steps(y_true: Any, y_pred: Any, reduction: str = "mean") -> list[str]:
    per = mae(y_true, y_pred, reduction="none")
    y, yhat = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
    e = y - yhat
    shown = _shown(e.size)
    return [
        "Residuals e = y - ŷ: "
        + ", ".join(f"{num(y[i])} - {paren(yhat[i])} = {num(e[i])}" for i in shown),
        "Absolute values |e|: " + ", ".join(num(abs(e[i])) for i in shown),
        *_more(e.size),
        *reduction_lines(per, reduction),
    ]


def huber_steps(y_true: Any, y_pred: Any, delta: float = 1.0, reduction: str = "mean") -> list[str]:
    per = np.ravel(huber(y_true, y_pred, delta=delta, reduction="none"))
    y, yhat = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
    e = y - yhat
    d = num(delta)
    lines = [f"Residuals e = y - ŷ; |e| <= δ = {d} uses ½e², larger |e| uses δ(|e| - ½δ)"]
    for i in _shown(e.size):
        a = abs(e[i])
        if a <= delta:
            how = f"|e| = {num(a)} <= {d}: ½·{paren(e[i])}² = {num(per[i])}"
        else:
            how = f"|e| = {num(a)} > {d}: {d}·({num(a)} - ½·{d}) = {num(per[i])}"
        lines.append(f"{_label(i, e.size)}e = {num(y[i])} - {paren(yhat[i])} = {num(e[i])}, {how}")
    return [*lines, *_more(e.size), *reduction_lines(per, reduction)]
