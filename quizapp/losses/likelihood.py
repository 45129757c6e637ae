"""Negative log-likelihoods: Poisson (counts), Gaussian with a predicted variance, and
F.nll_loss.

Each loss keeps its reference's argument names, order and reductions; ``NAME_grad`` is the
gradient with respect to the first (prediction) argument and ``NAME_steps`` the worked steps.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from quizapp.losses.common import (
    Loss,
    _array,
    _check_reduction,
    _first,
    _is_number,
    _reduce,
    _weight,
    _where,
)
from quizapp.losses.options import (
    _flag,
    _number,
    _pair,
    _per_sample,
    _scale,
)
from quizapp.losses.text import num, paren, reduction_lines


def _poisson_inputs(
    input: Any, target: Any, log_input: bool, full: bool, eps: float, reduction: str
) -> tuple[np.ndarray, np.ndarray, bool, bool, float]:
    x, t = _pair(input, target, reduction)
    log_input, full = _flag(log_input, "log_input"), _flag(full, "full")
    eps = _number(eps, "eps", 0.0)
    if (t < 0).any():
        index = _first(t < 0)
        raise ValueError(f"{_where('target', index)} = {t[index]:g} is negative; counts are >= 0")
    if not log_input and (x + eps <= 0).any():
        index = _first(x + eps <= 0)
        raise ValueError(
            f"{_where('input', index)} = {x[index]:g}: with log_input=False the input is the rate "
            "itself and must be >= 0 (pass log-rates with log_input=True)"
        )
    return x, t, log_input, full, eps


def poisson_nll(
    input: Any,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> Loss:
    """Poisson negative log-likelihood, as ``F.poisson_nll_loss``: exp(input) - target · input
    with ``log_input`` (the default: input is log λ), else input - target · log(input + eps).
    The constant log(target!) is dropped unless ``full``, which adds Stirling's approximation
    target log target - target + ½ log(2π target) where target > 1."""
    x, t, log_input, full, eps = _poisson_inputs(input, target, log_input, full, eps, reduction)
    loss = np.exp(x) - t * x if log_input else x - t * np.log(x + eps)
    if full:
        safe = np.where(t > 1, t, 2.0)
        stirling = safe * np.log(safe) - safe + 0.5 * np.log(2 * math.pi * safe)
        loss = loss + np.where(t > 1, stirling, 0.0)
    return _reduce(loss, reduction)


def poisson_nll_grad(
    input: Any,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> np.ndarray:
    """d / d input = exp(input) - target (log input), or 1 - target / (input + eps)."""
    x, t, log_input, _, eps = _poisson_inputs(input, target, log_input, full, eps, reduction)
    grad = np.exp(x) - t if log_input else 1.0 - t / (x + eps)
    return grad * _scale(reduction, x.size)


def _gaussian_inputs(
    input: Any, target: Any, var: Any, full: bool, eps: float, reduction: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, ...], bool, float]:
    """(input, target, clamped var broadcast to input, var's own shape, full, eps)."""
    x, t = _pair(input, target, reduction)
    full = _flag(full, "full")
    eps = _number(eps, "eps", 0.0, strict=True)
    v = _array(var, "var")
    shape = v.shape
    # torch's rule: var may match input, drop input's last dimension (one variance per sample),
    # or have a last dimension of 1 (one variance shared by a sample's outputs).
    if v.shape != x.shape and x.ndim >= 1 and v.shape == x.shape[:-1]:
        v = v[..., None]
    try:
        v = np.broadcast_to(v, x.shape)
    except ValueError:
        raise ValueError(
            f"var has shape {shape}, which does not fit input of shape {x.shape}; give one "
            "variance per element, one per sample, or a single one"
        ) from None
    if (v < 0).any():
        index = _first(np.asarray(v) < 0)
        raise ValueError(f"var{list(index)} = {v[index]:g} is negative; variances must be >= 0")
    # torch clamps var at eps without tracking it, so the clamped value is used but the
    # gradient flows to var as if nothing happened.
    return x, t, np.maximum(v, eps), shape, full, eps


def gaussian_nll(
    input: Any,
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Loss:
    """Gaussian negative log-likelihood with a predicted variance, as ``F.gaussian_nll_loss``:
    ½ (log max(var, eps) + (input - target)² / max(var, eps)), plus ½ log(2π) if ``full``."""
    x, t, v, _, full, _ = _gaussian_inputs(input, target, var, full, eps, reduction)
    d = x - t
    loss = 0.5 * (np.log(v) + d * (d / v))
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def gaussian_nll_grad(
    input: Any,
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> np.ndarray:
    """d / d input = (input - target) / var."""
    x, t, v, _, _, _ = _gaussian_inputs(input, target, var, full, eps, reduction)
    return (x - t) / v * _scale(reduction, x.size)


def gaussian_nll_var_grad(
    input: Any,
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> np.ndarray:
    """d / d var = ½ (1/var - (input - target)² / var²), summed over the elements a shared
    variance serves, shaped like ``var``."""
    x, t, v, shape, _, _ = _gaussian_inputs(input, target, var, full, eps, reduction)
    scale = _scale(reduction, x.size)
    r = (x - t) / v  # squared after dividing, so a huge var cannot overflow
    g = 0.5 * (1.0 / v - r * r) * scale
    # Undo the broadcast: sum over the axes var was stretched along.
    expanded = (*shape, 1) if shape != x.shape and shape == x.shape[:-1] else shape
    if g.ndim > len(expanded):
        g = g.reshape((-1, *g.shape[g.ndim - len(expanded) :])).sum(axis=0)
    axes = tuple(i for i, n in enumerate(expanded) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape)


def _nll_inputs(
    input: Any, target: Any, weight: Any, ignore_index: int, reduction: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bool]:
    """(log-prob rows, labels with ignored ones set to 0, per-row weight, kept mask, single)."""
    _check_reduction(reduction)
    x = _array(input, "input")
    if x.ndim not in (1, 2):
        raise ValueError(
            f"input must be 1-D (one sample's log-probabilities) or 2-D (samples x classes), "
            f"got shape {x.shape}"
        )
    single = x.ndim == 1
    rows = x[None, :] if single else x
    n, c = rows.shape
    if not (_is_number(ignore_index) and float(ignore_index).is_integer()):
        raise ValueError(f"ignore_index must be a whole number, got {ignore_index!r}")
    t = np.asarray(target)
    if t.dtype.kind not in "iuf" or t.shape != ((n,) if not single else ()):
        want = "a single label" if single else f"{n} labels (one per row of input)"
        raise ValueError(f"target must be {want}, got {_preview_shape(target)}")
    t = t.reshape(n)
    if t.dtype.kind == "f" and not (np.isfinite(t) & (t == np.round(t))).all():
        raise ValueError("target must be whole-number class labels")
    labels = t.astype(np.int64)
    kept = labels != int(ignore_index)
    bad = kept & ((labels < 0) | (labels >= c))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(
            f"target[{i}] = {labels[i]} is out of range: with {c} classes the labels are "
            f"0..{c - 1} (or ignore_index = {int(ignore_index)})"
        )
    w = np.ones(c) if weight is None else _weight(weight, "weight", (c,), "one row of input")
    w = np.broadcast_to(w, (c,))
    safe = np.where(kept, labels, 0)
    return rows, safe, np.where(kept, w[safe], 0.0), kept, single


def _preview_shape(value: Any) -> str:
    try:
        return f"shape {np.shape(value)}"
    except ValueError:
        return repr(value)[:40]


def _nll_divisor(row_w: np.ndarray, kept: np.ndarray) -> float:
    total = float(row_w.sum())
    if total == 0.0:
        what = "every target is ignore_index" if not kept.any() else "the target weights are 0"
        raise ValueError(
            f"{what}, so the mean is undefined (torch returns NaN); use reduction='sum'"
        )
    return total


def nll(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Loss:
    """Negative log-likelihood, as ``F.nll_loss``: -weight[t] · input[t] per row, where
    ``input`` holds log-probabilities (pair it with log_softmax). Rows whose target equals
    ``ignore_index`` cost 0 and leave the mean; the mean divides by the sum of the kept rows'
    weights, not by N."""
    rows, labels, row_w, kept, single = _nll_inputs(input, target, weight, ignore_index, reduction)
    loss = -row_w * rows[np.arange(rows.shape[0]), labels]
    loss = np.where(kept, loss, 0.0)
    if reduction == "none":
        return loss[0] if single else loss
    if reduction == "sum":
        return float(loss.sum())
    return float(loss.sum()) / _nll_divisor(row_w, kept)


def nll_grad(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> np.ndarray:
    """d / d input = -weight[t] at each row's target (0 elsewhere and on ignored rows), divided
    by the sum of the kept weights for the mean."""
    rows, labels, row_w, kept, single = _nll_inputs(input, target, weight, ignore_index, reduction)
    grad = np.zeros_like(rows)
    grad[np.arange(rows.shape[0]), labels] = -row_w
    if reduction == "mean":
        grad /= _nll_divisor(row_w, kept)
    return grad[0] if single else grad


# --------------------------------------------------------------------------- worked steps


def poisson_nll_steps(
    input: Any,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> list[str]:
    per = poisson_nll(input, target, log_input, full, eps, "none")
    x, t = np.ravel(input).astype(float), np.ravel(target).astype(float)
    if log_input:
        head = "input = ln λ: loss = e^input − y·input"
        terms = [f"e^{paren(x[i])} − {num(t[i])}·{paren(x[i])}" for i in range(x.size)]
    else:
        head = "input = λ: loss = λ − y·ln(λ + eps)"
        terms = [f"{num(x[i])} − {num(t[i])}·ln({num(x[i])})" for i in range(x.size)]
    if full:
        head += ", plus Stirling's y ln y − y + ½ ln(2πy) where y > 1"
        for i in np.flatnonzero(t > 1):  # the line adds up to the loss it shows
            stirling = t[i] * math.log(t[i]) - t[i] + 0.5 * math.log(2 * math.pi * t[i])
            terms[i] += f" + {paren(stirling)}"
    return [
        head,
        *_per_sample(np.asarray(per), lambda i: terms[i]),
        *reduction_lines(per, reduction),
    ]


def gaussian_nll_steps(
    input: Any,
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> list[str]:
    per = np.ravel(gaussian_nll(input, target, var, full, eps, "none"))
    x, t = np.ravel(input).astype(float), np.ravel(target).astype(float)
    v = np.ravel(_gaussian_inputs(input, target, var, full, eps, "none")[2])  # as used
    head = "loss = ½ (ln σ² + (μ − y)² / σ²)" + (" + ½ ln 2π" if full else "")
    describe = lambda i: f"μ = {num(x[i])}, y = {num(t[i])}, σ² = {num(v[i])}"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def nll_steps(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> list[str]:
    per = np.ravel(nll(input, target, weight, ignore_index, "none"))
    rows, labels, row_w, kept, _ = _nll_inputs(input, target, weight, ignore_index, "none")

    def describe(i: int) -> str:
        if not kept[i]:
            return f"target = ignore_index ({ignore_index}), skipped"
        w = "" if weight is None else f"{num(row_w[i])}·"
        return f"−{w}input[{labels[i]}] = −{w}({num(rows[i, labels[i]])})"

    head = "loss = −weight[t]·input[t], input = log-probabilities"
    if reduction != "mean":
        return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]
    total = float(row_w.sum())
    text = "the sum of the kept targets' weights" if weight is not None else "the kept rows"
    return [
        head,
        *_per_sample(per, describe),
        *reduction_lines(per, "mean", total, f"{text}, {num(total)}"),
    ]
