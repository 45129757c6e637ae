"""Divergences: KL divergence (F.kl_div) and Hinton's distillation loss.

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
    _first,
    _reduce,
    _same_shape,
    _where,
    log_softmax,
    softmax,
)
from quizapp.losses.options import (
    _flag,
    _number,
    _per_sample,
    _sample_rows,
)
from quizapp.losses.text import MAX_SHOWN, num, reduction_lines, vector

KL_REDUCTIONS = ("mean", "batchmean", "sum", "none")


def _kl_inputs(
    input: Any, target: Any, reduction: str, log_target: bool
) -> tuple[np.ndarray, np.ndarray, bool]:
    if reduction not in KL_REDUCTIONS:
        raise ValueError(
            f"reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}"
        )
    log_target = _flag(log_target, "log_target")
    x = _array(input, "input")
    t = _array(target, "target")
    _same_shape(x, "input", t, "target")
    if not log_target and (t < 0).any():
        index = _first(t < 0)
        raise ValueError(
            f"{_where('target', index)} = {t[index]:g} is negative; target holds probabilities "
            "(or log-probabilities with log_target=True)"
        )
    return x, t, log_target


def _kl_reduce(loss: np.ndarray, reduction: str) -> Loss:
    if reduction == "batchmean":
        return float(loss.sum()) / loss.shape[0] if loss.ndim else float(loss)
    return _reduce(loss, reduction)


def _kl_scale(shape: tuple[int, ...], reduction: str) -> float:
    if reduction == "batchmean":
        return 1.0 / shape[0] if shape else 1.0
    return 1.0 / math.prod(shape) if reduction == "mean" else 1.0


def kl_div(input: Any, target: Any, reduction: str = "mean", log_target: bool = False) -> Loss:
    """KL(target ‖ q) summed pointwise, as ``F.kl_div``: ``input`` is log q (log-probabilities),
    ``target`` is p (or log p with ``log_target``); each element is p (log p - log q), with
    0 log 0 = 0. ``'batchmean'`` divides the sum by the batch size (the true KL per sample);
    ``'mean'`` divides by the number of elements, which is not a KL."""
    x, t, log_target = _kl_inputs(input, target, reduction, log_target)
    if log_target:
        loss = np.exp(t) * (t - x)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            plogp = np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0)), 0.0)
        loss = plogp - t * x
    return _kl_reduce(loss, reduction)


def kl_div_grad(
    input: Any, target: Any, reduction: str = "mean", log_target: bool = False
) -> np.ndarray:
    """d / d input = -p (the target probability), scaled by the reduction."""
    x, t, log_target = _kl_inputs(input, target, reduction, log_target)
    p = np.exp(t) if log_target else t
    return -p * _kl_scale(x.shape, reduction)


def _distillation_inputs(
    student_logits: Any, teacher_logits: Any, temperature: float, reduction: str
) -> tuple[np.ndarray, np.ndarray, float]:
    if reduction not in KL_REDUCTIONS:
        raise ValueError(
            f"reduction must be 'batchmean', 'mean', 'sum' or 'none', got {reduction!r}"
        )
    s = _array(student_logits, "student_logits")
    t = _array(teacher_logits, "teacher_logits")
    _same_shape(s, "student_logits", t, "teacher_logits")
    if s.ndim not in (1, 2):
        raise ValueError(
            f"student_logits must be 1-D (one sample's classes) or 2-D (samples x classes), "
            f"got shape {s.shape}"
        )
    return s, t, _number(temperature, "temperature", 0.0, strict=True)


def distillation(
    student_logits: Any,
    teacher_logits: Any,
    temperature: float = 4.0,
    reduction: str = "batchmean",
) -> Loss:
    """Hinton's soft-target loss: T² · KL(softmax(teacher/T) ‖ softmax(student/T)), i.e.
    ``T**2 * F.kl_div(F.log_softmax(s / T, -1), F.softmax(t / T, -1), reduction=...)``.
    The T² keeps its gradient on the scale of a hard-label loss as T changes."""
    s, t, temp = _distillation_inputs(student_logits, teacher_logits, temperature, reduction)
    log_q = log_softmax(s / temp)
    log_p = log_softmax(t / temp)
    loss = np.exp(log_p) * (log_p - log_q) * temp**2
    return _kl_reduce(loss, reduction)


def distillation_grad(
    student_logits: Any,
    teacher_logits: Any,
    temperature: float = 4.0,
    reduction: str = "batchmean",
) -> np.ndarray:
    """d / d student_logits = T (softmax(s/T) - softmax(t/T)), scaled by the reduction."""
    s, t, temp = _distillation_inputs(student_logits, teacher_logits, temperature, reduction)
    if reduction == "none":
        # The gradient of each element's own loss: T² p (log p - log q) depends on every logit
        # of its row; torch would need a vector-Jacobian product. The row sum is what a
        # learner means by "the gradient of this sample's loss".
        reduction = "sum"
    grad = temp * (softmax(s / temp) - softmax(t / temp))
    return grad * _kl_scale(s.shape, reduction)


# --------------------------------------------------------------------------- worked steps


def _kl_reduction(per: np.ndarray, reduction: str, rows: int) -> list[str]:
    if reduction == "batchmean":
        return reduction_lines(per, "mean", rows, f"the batch size {rows} ('batchmean')")
    if reduction == "mean":
        n = per.size
        return reduction_lines(per, "mean", n, f"every element, {n} ('mean' is not a KL)")
    if reduction == "none":
        shown = vector(np.ravel(per)[:MAX_SHOWN]) + (" ..." if per.size > MAX_SHOWN else "")
        return [f"Reduction 'none': the term of each element, {shown}"]
    return reduction_lines(per, reduction)


def kl_div_steps(
    input: Any, target: Any, reduction: str = "mean", log_target: bool = False
) -> list[str]:
    per = np.asarray(kl_div(input, target, reduction="none", log_target=log_target))
    x, t = _sample_rows(input), _sample_rows(target)
    p = np.exp(t) if log_target else t
    row_sums = per.reshape(x.shape[0], -1).sum(axis=1)
    lines = ["KL(p ‖ q) per sample: Σ_c p_c (ln p_c − input_c), input = ln q; 0·ln 0 = 0"]
    lines += _per_sample(row_sums, lambda i: f"p = {vector(p[i])}, ln q = {vector(x[i])}")
    return lines + _kl_reduction(row_sums if reduction == "batchmean" else per, reduction, len(x))


def distillation_steps(
    student_logits: Any,
    teacher_logits: Any,
    temperature: float = 4.0,
    reduction: str = "batchmean",
) -> list[str]:
    per = np.asarray(distillation(student_logits, teacher_logits, temperature, "none"))
    s, t = _sample_rows(student_logits), _sample_rows(teacher_logits)
    temp = float(temperature)
    lines = [
        f"T = {num(temp)}: p = softmax(teacher/T), q = softmax(student/T); "
        "loss = T² · Σ_c p_c (ln p_c − ln q_c)"
    ]
    p, q = softmax(t / temp), softmax(s / temp)
    row_sums = per.reshape(s.shape[0], -1).sum(axis=1)
    lines += _per_sample(
        row_sums, lambda i: f"p = {vector(p[i])}, q = {vector(q[i])}, T² = {num(temp**2)}"
    )
    return lines + _kl_reduction(row_sums if reduction == "batchmean" else per, reduction, len(s))
