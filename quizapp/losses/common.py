"""What every loss shares: numerically stable sigmoid, softplus and softmax, and the checks
that turn bad input into a ``ValueError`` naming the argument and saying why."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

Loss = float | np.ndarray
REDUCTIONS = ("mean", "sum", "none")
# torch clamps each log at this value in binary_cross_entropy.
LOG_CLAMP = -100.0
_EXP_LOG_CLAMP = math.exp(LOG_CLAMP)
# torch's backward of binary_cross_entropy divides by max(p (1 - p), this).
# (The constant is the float32 nearest 1e-12, as in torch's kernel, so the values match exactly.)
BCE_GRAD_EPSILON = float(np.float32(1e-12))
# Probability rows (cce, sparse_cce) must sum to 1 within this, so rounded inputs such as
# (0.33, 0.33, 0.34) pass but raw scores do not.
ROW_SUM_TOLERANCE = 1e-2


# --------------------------------------------------------------------------- stable helpers


def sigmoid(x: Any) -> np.ndarray:
    """1 / (1 + exp(-x)) without overflow: exp is only ever taken of -|x|."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x: Any) -> np.ndarray:
    """log(1 + exp(x)) without overflow, accurate for large negative x as well."""
    return np.logaddexp(0.0, np.asarray(x, dtype=np.float64))


def log_softmax(x: Any, axis: int = -1) -> np.ndarray:
    """x - logsumexp(x) along ``axis``; the max is subtracted first so exp never overflows."""
    x = np.asarray(x, dtype=np.float64)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(x: Any, axis: int = -1) -> np.ndarray:
    """exp(x) / sum(exp(x)) along ``axis``, computed from the max-shifted values."""
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _softplus_tail(x: np.ndarray) -> np.ndarray:
    """log(1 + e^-|x|): what softplus(x) and softplus(-x) add to max(x, 0) and max(-x, 0)."""
    t = np.abs(x)
    np.negative(t, out=t)
    np.exp(t, out=t)
    return np.log1p(t, out=t)


def _softplus_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """softplus(x) and softplus(-x), i.e. -log(1 - sigmoid(x)) and -log sigmoid(x), from one exp
    and one log1p: with r = max(x, 0), softplus(x) = r + tail and softplus(-x) = (r - x) + tail.
    Neither sum cancels, so tiny losses keep every digit."""
    r = np.maximum(x, 0.0)
    t = _softplus_tail(x)
    minus = r - x  # max(-x, 0), exactly
    minus += t
    r += t
    return r, minus


def _label_nll(z: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """-log softmax(z)[label] for each row of logits, which is log sum_c exp(z_c - z_label).

    NaN or infinity in ``z`` raises ValueError naming ``logits``.
    """
    picked = z[np.arange(z.shape[0]), labels]
    lo, hi = _bounds(z)
    # With every logit in (-300, 300), exp(z) can neither overflow nor vanish, so the usual
    # max-shift (two more passes over the matrix) can be skipped: sum_c exp(z_c) * exp(-z_label)
    # is sum_c exp(z_c - z_label) to a few ulps. The bound also proves every logit finite.
    if lo > -300.0 and hi < 300.0:
        return np.log(np.exp(z).sum(axis=1) * np.exp(-picked))
    _require_finite(z, "logits")
    return -log_softmax(z)[np.arange(z.shape[0]), labels]


# --------------------------------------------------------------------------- validation


def _where(name: str, index: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(str(int(i)) for i in index)}]" if index else name


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


# Below this many values, Python's min/max/sum over a list beat numpy's per-call overhead. The
# losses are often called on a handful of numbers (a drill, the CLI, one sample), so this keeps
# validation from costing more than the loss itself.
_SMALL = 32


def _array(value: Any, name: str, finite: bool = True) -> np.ndarray:
    """``value`` as a non-empty float64 array, or a ValueError naming it.

    With ``finite=False`` NaN and infinity are left for the caller to catch, either through a
    range check or by checking the loss it computed (``_finite_result``).
    """
    if isinstance(value, np.ndarray) and value.dtype == np.float64:
        arr = value
    else:
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name} must be numbers (a list or array of equal-length rows), "
                f"got {_preview(value)}"
            ) from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty; give at least one value")
    if finite and not _all_finite(arr):
        _require_finite(arr, name)
    return arr


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _all_finite(arr: np.ndarray) -> bool:
    if arr.size <= _SMALL:
        return math.isfinite(sum(arr.ravel().tolist()))  # NaN and inf survive a sum
    return bool(np.isfinite(arr).all())


def _require_finite(arr: np.ndarray, name: str) -> None:
    """Raise naming the first NaN or infinite element of ``arr``, if there is one."""
    bad = ~np.isfinite(arr)
    if bad.any():
        index = _first(bad)
        what = "NaN" if math.isnan(arr[index]) else "infinite"
        raise ValueError(f"{_where(name, index)} is {what}; every value must be a finite number")


def _bounds(arr: np.ndarray) -> tuple[float, float]:
    """The min and max of ``arr``; both NaN when it holds a NaN."""
    if arr.size <= _SMALL:
        values = (arr if arr.ndim == 1 else arr.ravel()).tolist()
        if math.isnan(sum(values)):
            return math.nan, math.nan
        return min(values), max(values)
    return float(arr.min()), float(arr.max())


def _finite_result(result: Loss, *inputs: tuple[np.ndarray, str]) -> Loss:
    """Return the loss computed from ``inputs``; when it is not finite, name the NaN or infinite
    input that made it so. (Checking one result is cheaper than checking every input, and a
    NaN or infinity in any input reaches the result of these losses.)"""
    ok = math.isfinite(result) if isinstance(result, float) else _all_finite(result)
    if not ok:
        for arr, name in inputs:
            _require_finite(arr, name)
    return result  # finite inputs can still overflow, as in torch


def _in_unit_interval(arr: np.ndarray, name: str, hint: str = "") -> tuple[float, float]:
    """Check every value of ``arr`` is in [0, 1] (NaN included); return its min and max."""
    lo, hi = _bounds(arr)
    if not (lo >= 0.0 and hi <= 1.0):
        _require_finite(arr, name)
        bad = _first((arr < 0.0) | (arr > 1.0))
        raise ValueError(
            f"{_where(name, bad)} = {arr[bad]:g} is outside [0, 1]; {name} must be "
            f"probabilities{hint}"
        )
    return lo, hi


def _same_shape(a: np.ndarray, a_name: str, b: np.ndarray, b_name: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{b_name} has shape {b.shape} but {a_name} has shape {a.shape}; they must match "
            "element for element"
        )


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(loss: np.ndarray, reduction: str, denominator: float | None = None) -> Loss:
    if reduction == "none":
        return loss
    total = sum(loss.ravel().tolist()) if loss.size <= _SMALL else float(loss.sum())
    if reduction == "sum":
        return total
    return total / (loss.size if denominator is None else denominator)


def _grad_scale(reduction: str, count: float) -> float:
    """The factor by which the mean's gradient differs from the sum's."""
    return 1.0 / count if reduction == "mean" else 1.0


def _is_number(value: Any) -> bool:
    """A real number, numpy scalars included; True and False are not numbers here."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _positive(value: float, name: str) -> float:
    if not _is_number(value) or not value > 0:
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return float(value)


def _weight(weight: Any, name: str, shape: tuple[int, ...], against: str) -> np.ndarray:
    w = _array(weight, name)
    if (w < 0).any():
        bad = _first(w < 0)
        raise ValueError(f"{_where(name, bad)} = {w[bad]:g} is negative; weights must be >= 0")
    try:
        np.broadcast_shapes(w.shape, shape)
    except ValueError:
        raise ValueError(
            f"{name} has shape {w.shape}, which does not broadcast to the shape {shape} of "
            f"{against}"
        ) from None
    if np.broadcast_shapes(w.shape, shape) != shape:
        raise ValueError(f"{name} has shape {w.shape}, larger than the shape {shape} of {against}")
    return w


def _eps(eps: float | None) -> float | None:
    if eps is None:
        return None
    if not _is_number(eps) or not 0 < eps < 0.5:
        raise ValueError(
            f"eps must be a number in (0, 0.5), or None for the -100 clamp; got {eps!r}"
        )
    return float(eps)


def _labels(value: Any, name: str, n_classes: int) -> np.ndarray:
    """Integer class labels in 0..n_classes-1 as an int64 array."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "iuf":
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name} must be whole-number class labels, got {_preview(value)}"
            ) from None
    if arr.size == 0:
        raise ValueError(f"{name} is empty; give at least one label")
    if arr.dtype.kind == "f":
        whole = np.isfinite(arr) & (arr == np.round(arr))
        if not whole.all():
            bad = _first(~whole)
            raise ValueError(
                f"{_where(name, bad)} = {arr[bad]:g} is not a whole number; labels are class "
                f"indices 0..{n_classes - 1}"
            )
    labels = arr.astype(np.int64)
    lo, hi = _bounds(labels)
    if lo < 0 or hi >= n_classes:
        bad = _first((labels < 0) | (labels >= n_classes))
        raise ValueError(
            f"{_where(name, bad)} = {labels[bad]} is out of range: with {n_classes} classes the "
            f"labels are 0..{n_classes - 1}"
        )
    return labels


def _one_label_per_row(labels: np.ndarray, name: str, rows: np.ndarray, rows_name: str) -> None:
    if labels.shape[0] != rows.shape[0]:
        raise ValueError(
            f"{name} has {_count(labels.shape[0], 'label')} but {rows_name} has "
            f"{_count(rows.shape[0], 'row')}; give one label per row"
        )


def _rows(arr: np.ndarray, name: str) -> np.ndarray:
    """A (N, C) view of class scores or probabilities; a single row (C,) becomes (1, C)."""
    if arr.ndim == 1:
        return arr[None, :]
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 1-D (one sample's classes) or 2-D (samples x classes), "
            f"got shape {arr.shape}"
        )
    return arr


def _probability_rows(probs: Any, name: str) -> np.ndarray:
    p = _rows(_array(probs, name), name)
    _in_unit_interval(p, name, " (pass raw scores to cross_entropy instead)")
    sums = p.sum(axis=1)
    off = np.abs(sums - 1.0) > ROW_SUM_TOLERANCE
    if off.any():
        row = int(np.argmax(off))
        raise ValueError(
            f"{name} row {row} sums to {sums[row]:.4g}; each row must be a probability "
            "distribution summing to 1 (pass raw scores to cross_entropy instead)"
        )
    return p


def _log_clamped(p: np.ndarray, eps: float | None) -> np.ndarray:
    """log(p) with the module's two conventions: clamp at -100, or clip p to [eps, 1 - eps]."""
    with np.errstate(divide="ignore"):
        if eps is None:
            return np.maximum(np.log(p), LOG_CLAMP)
        return np.log(np.clip(p, eps, 1.0 - eps))


def _log_is_live(p: np.ndarray, eps: float | None) -> np.ndarray:
    """Where ``_log_clamped`` still depends on p (elsewhere its gradient is 0)."""
    if eps is None:
        return p >= _EXP_LOG_CLAMP
    return (p >= eps) & (p <= 1.0 - eps)
