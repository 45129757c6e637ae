"""Worked steps for the second deck's losses (quizapp.beyond_losses), as ``quizapp loss`` prints
them: the formula, each sample's loss with its numbers, and the reduction. Every number comes
from quizapp.beyond_losses itself (``reduction="none"``), so the steps match the answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from quizapp import beyond_losses as B
from quizapp.drills.worked import MAX_SHOWN, num, paren, reduction_lines, vector


def _per_sample(values: np.ndarray, describe: Callable[[int], str]) -> list[str]:
    """One line per sample (the first MAX_SHOWN), ``describe(i)`` = its inputs."""
    flat = np.ravel(values)
    lines = []
    for i in range(min(flat.size, MAX_SHOWN)):
        prefix = f"Sample {i + 1}: " if flat.size > 1 else ""
        lines.append(f"{prefix}{describe(i)} = {num(flat[i])}")
    if flat.size > MAX_SHOWN:
        lines.append(f"... and {flat.size - MAX_SHOWN} more the same way")
    return lines


def _rows(x: Any) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    return a[None, :] if a.ndim == 1 else a.reshape(a.shape[0], -1)


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


def kl_div(input: Any, target: Any, reduction: str = "mean", log_target: bool = False) -> list[str]:
    per = np.asarray(B.kl_div(input, target, reduction="none", log_target=log_target))
    x, t = _rows(input), _rows(target)
    p = np.exp(t) if log_target else t
    row_sums = per.reshape(x.shape[0], -1).sum(axis=1)
    lines = ["KL(p ‖ q) per sample: Σ_c p_c (ln p_c − input_c), input = ln q; 0·ln 0 = 0"]
    lines += _per_sample(row_sums, lambda i: f"p = {vector(p[i])}, ln q = {vector(x[i])}")
    return lines + _kl_reduction(row_sums if reduction == "batchmean" else per, reduction, len(x))


def distillation(
    student_logits: Any,
    teacher_logits: Any,
    temperature: float = 4.0,
    reduction: str = "batchmean",
) -> list[str]:
    per = np.asarray(B.distillation(student_logits, teacher_logits, temperature, "none"))
    s, t = _rows(student_logits), _rows(teacher_logits)
    temp = float(temperature)
    lines = [
        f"T = {num(temp)}: p = softmax(teacher/T), q = softmax(student/T); "
        "loss = T² · Σ_c p_c (ln p_c − ln q_c)"
    ]
    p, q = B.softmax(t / temp), B.softmax(s / temp)
    row_sums = per.reshape(s.shape[0], -1).sum(axis=1)
    lines += _per_sample(
        row_sums, lambda i: f"p = {vector(p[i])}, q = {vector(q[i])}, T² = {num(temp**2)}"
    )
    return lines + _kl_reduction(row_sums if reduction == "batchmean" else per, reduction, len(s))


def poisson_nll(
    input: Any,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    eps: float = 1e-8,
    reduction: str = "mean",
) -> list[str]:
    per = B.poisson_nll(input, target, log_input, full, eps, "none")
    x, t = np.ravel(input).astype(float), np.ravel(target).astype(float)
    if log_input:
        head = "input = ln λ: loss = e^input − y·input"
        describe = lambda i: f"e^{num(x[i])} − {num(t[i])}·{num(x[i])}"  # noqa: E731
    else:
        head = "input = λ: loss = λ − y·ln(λ + eps)"
        describe = lambda i: f"{num(x[i])} − {num(t[i])}·ln({num(x[i])})"  # noqa: E731
    if full:
        head += ", plus Stirling's y ln y − y + ½ ln(2πy) where y > 1"
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def gaussian_nll(
    input: Any,
    target: Any,
    var: Any,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> list[str]:
    per = np.ravel(B.gaussian_nll(input, target, var, full, eps, "none"))
    x, t = np.ravel(input).astype(float), np.ravel(target).astype(float)
    v = np.ravel(B._gaussian_inputs(input, target, var, full, eps, "none")[2])  # as used
    head = "loss = ½ (ln σ² + (μ − y)² / σ²)" + (" + ½ ln 2π" if full else "")
    describe = lambda i: f"μ = {num(x[i])}, y = {num(t[i])}, σ² = {num(v[i])}"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def smooth_l1(input: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> list[str]:
    per = np.ravel(B.smooth_l1(input, target, "none", beta))
    d = np.ravel(input).astype(float) - np.ravel(target).astype(float)
    head = f"d = input − target; ½d²/β if |d| < β = {num(beta)}, else |d| − ½β"
    return [head, *_per_sample(per, lambda i: f"d = {num(d[i])}"), *reduction_lines(per, reduction)]


def margin_ranking(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> list[str]:
    per = np.ravel(B.margin_ranking(input1, input2, target, margin, "none"))
    a, b = np.ravel(input1).astype(float), np.ravel(input2).astype(float)
    y = np.ravel(target).astype(float)
    head = f"loss = max(0, −y·(x1 − x2) + margin), margin = {num(margin)}"
    describe = lambda i: f"max(0, −{paren(y[i])}·({num(a[i])} − {paren(b[i])}) + {paren(margin)})"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def cosine_embedding(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> list[str]:
    per = np.ravel(B.cosine_embedding(input1, input2, target, margin, "none"))
    a, b = _rows(input1), _rows(input2)
    cos = np.ravel(B._cosine(a, b)[0])
    y = np.ravel(target).astype(float)
    head = f"y = 1: 1 − cos(x1, x2); y = −1: max(0, cos(x1, x2) − {num(margin)})"
    describe = lambda i: f"y = {num(y[i])}, cos = {num(cos[i])}"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def triplet_margin(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> list[str]:
    per = np.ravel(B.triplet_margin(anchor, positive, negative, margin, p, eps, swap, "none"))
    a, pos, neg = _rows(anchor), _rows(positive), _rows(negative)
    d_pos = B._distance(a - pos + eps, float(p))
    d_neg = B._distance(a - neg + eps, float(p))
    if swap:
        d_neg = np.minimum(d_neg, B._distance(pos - neg + eps, float(p)))
    head = f"loss = max(0, d(a, p) − d(a, n) + {num(margin)}), d = L{num(p)} distance"
    describe = lambda i: f"d(a, p) = {num(d_pos[i])}, d(a, n) = {num(d_neg[i])}"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def nll(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> list[str]:
    per = np.ravel(B.nll(input, target, weight, ignore_index, "none"))
    rows, labels, row_w, kept, _ = B._nll_inputs(input, target, weight, ignore_index, "none")

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


def quantile(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any = None,
    alpha: float = 0.5,
    multioutput: str = "uniform_average",
) -> list[str]:
    y, q, _, a = B._quantile_inputs(y_true, y_pred, sample_weight, alpha, multioutput)
    d = np.ravel(y - q)
    per = a * np.maximum(d, 0) + (1 - a) * np.maximum(-d, 0)
    head = f"pinball, α = {num(a)}: α·(y − q) if q < y, else (1 − α)·(q − y)"
    describe = lambda i: f"y − q = {num(d[i])}"  # noqa: E731
    weighted = "weighted mean" if sample_weight is not None else "mean"
    value = B.quantile(y_true, y_pred, sample_weight, alpha, multioutput)
    return [head, *_per_sample(per, describe), f"The {weighted} over samples: {_value(value)}"]


def brier(y_true: Any, y_proba: Any, sample_weight: Any = None, pos_label: Any = None) -> list[str]:
    y, p, _ = B._brier_inputs(y_true, y_proba, sample_weight, pos_label)
    per = (p - y) ** 2
    describe = lambda i: f"({num(p[i])} − {num(y[i])})²"  # noqa: E731
    weighted = "weighted mean" if sample_weight is not None else "mean"
    value = B.brier(y_true, y_proba, sample_weight, pos_label)
    head = "Brier = mean of (p − y)², y = 1 for the positive class"
    return [head, *_per_sample(per, describe), f"The {weighted}: {num(value)}"]


def dice(input: Any, target: Any, smooth: float = 1.0, reduction: str = "mean") -> list[str]:
    per = np.ravel(B.dice(input, target, smooth, "none"))
    x, t = _rows(input), _rows(target)
    inter, total = (x * t).sum(axis=1), x.sum(axis=1) + t.sum(axis=1)
    s = num(smooth)
    head = f"loss = 1 − (2·Σpt + s) / (Σp + Σt + s), s = {s}"
    describe = lambda i: f"1 − (2·{num(inter[i])} + {s}) / ({num(total[i])} + {s})"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def info_nce(
    query: Any, positive_key: Any, temperature: float = 0.1, reduction: str = "mean"
) -> list[str]:
    per = np.ravel(B.info_nce(query, positive_key, temperature, "none"))
    q, k, temp = B._info_nce_inputs(query, positive_key, temperature, "none")
    sims = B._normalize(q)[0] @ B._normalize(k)[0].T
    head = f"s_ij = cos(q_i, k_j); loss_i = −ln softmax(s_i / τ)_i, τ = {num(temp)}"
    describe = lambda i: f"s_i = {vector(sims[i])}, positive s_ii = {num(sims[i, i])}"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def _value(value: Any) -> str:
    return vector(value) if isinstance(value, np.ndarray) else num(value)


BEYOND_WRITERS: dict[str, Callable[..., list[str]]] = {
    "kl_div": kl_div,
    "poisson_nll": poisson_nll,
    "gaussian_nll": gaussian_nll,
    "smooth_l1": smooth_l1,
    "margin_ranking": margin_ranking,
    "cosine_embedding": cosine_embedding,
    "triplet_margin": triplet_margin,
    "nll": nll,
    "quantile": quantile,
    "brier": brier,
    "dice": dice,
    "info_nce": info_nce,
    "distillation": distillation,
}
