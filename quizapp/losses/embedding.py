"""Ranking and metric-learning losses: margin ranking, cosine embedding, triplet margin and
InfoNCE.

Each loss keeps its reference's argument names, order and reductions; ``NAME_grad`` is the
gradient with respect to the first (prediction) argument and ``NAME_steps`` the worked steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quizapp.losses.common import (
    Loss,
    _array,
    _check_reduction,
    _reduce,
    _same_shape,
    log_softmax,
    softmax,
)
from quizapp.losses.options import (
    _flag,
    _number,
    _per_sample,
    _sample_rows,
    _scale,
    _signs,
)
from quizapp.losses.text import num, paren, reduction_lines, vector

# torch's cosine_embedding_loss adds this to each squared norm so a zero vector gives cos = 0.
COSINE_EPSILON = 1e-12


# F.normalize divides by max(norm, this).
NORMALIZE_EPSILON = 1e-12


def _pair_inputs(
    input1: Any, input2: Any, target: Any, margin: float, reduction: str, rows: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    _check_reduction(reduction)
    a = _array(input1, "input1")
    b = _array(input2, "input2")
    _same_shape(a, "input1", b, "input2")
    if rows and a.ndim not in (1, 2):
        raise ValueError(
            f"input1 must be 1-D (one pair of vectors) or 2-D (pairs x features), got {a.shape}"
        )
    shape = a.shape[:-1] if rows else a.shape
    return a, b, _signs(target, shape), _number(margin, "margin")


def margin_ranking(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Loss:
    """Margin ranking, as ``F.margin_ranking_loss``: max(0, -target · (input1 - input2) +
    margin), target = 1 when input1 should rank higher, -1 when input2 should."""
    a, b, y, margin = _pair_inputs(input1, input2, target, margin, reduction, rows=False)
    return _reduce(np.maximum(0.0, -y * (a - b) + margin), reduction)


def margin_ranking_grad(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> np.ndarray:
    """d / d input1 = -target where the hinge is active, else 0 (d / d input2 is its negative)."""
    a, b, y, margin = _pair_inputs(input1, input2, target, margin, reduction, rows=False)
    return np.where(-y * (a - b) + margin > 0, -y, 0.0) * _scale(reduction, a.size)


def _cosine(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """cos, the padded squared norm of a, and the denominator, as torch computes them."""
    m1 = (a * a).sum(axis=-1) + COSINE_EPSILON
    m2 = (b * b).sum(axis=-1) + COSINE_EPSILON
    denom = np.sqrt(m1 * m2)
    return (a * b).sum(axis=-1) / denom, m1, denom


def cosine_embedding(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Loss:
    """Cosine embedding, as ``F.cosine_embedding_loss``: 1 - cos(x1, x2) for similar pairs
    (target 1), max(0, cos(x1, x2) - margin) for dissimilar ones (target -1)."""
    a, b, y, margin = _pair_inputs(input1, input2, target, margin, reduction, rows=True)
    cos, _, _ = _cosine(a, b)
    loss = np.where(y == 1, 1.0 - cos, np.maximum(0.0, cos - margin))
    return _reduce(np.asarray(loss, dtype=np.float64), reduction)


def cosine_embedding_grad(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> np.ndarray:
    """d / d input1 = ∓ (x2 / denom - cos · x1 / |x1|²): minus for target 1, plus for an
    active dissimilar pair."""
    a, b, y, margin = _pair_inputs(input1, input2, target, margin, reduction, rows=True)
    cos, m1, denom = _cosine(a, b)
    dcos = b / denom[..., None] - (cos / m1)[..., None] * a
    sign = np.where(y == 1, -1.0, np.where(cos > margin, 1.0, 0.0))
    return sign[..., None] * dcos * _scale(reduction, max(cos.size, 1))


def _distance(u: np.ndarray, p: float) -> np.ndarray:
    return (np.abs(u) ** p).sum(axis=-1) ** (1.0 / p)


def _distance_grad(u: np.ndarray, p: float) -> np.ndarray:
    """d ||u||_p / d u = sign(u) |u|^(p-1) / ||u||_p^(p-1)."""
    d = _distance(u, p)[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.sign(u) * np.abs(u) ** (p - 1) / d ** (p - 1)
    return np.where(d > 0, g, 0.0)


def _triplet_inputs(
    anchor: Any, positive: Any, negative: Any, margin: float, p: float, eps: float, swap: bool,
    reduction: str,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float, float, bool]:  # fmt: skip
    _check_reduction(reduction)
    a = _array(anchor, "anchor")
    pos = _array(positive, "positive")
    neg = _array(negative, "negative")
    _same_shape(a, "anchor", pos, "positive")
    _same_shape(a, "anchor", neg, "negative")
    if a.ndim not in (1, 2):
        raise ValueError(f"anchor must be 1-D or 2-D (samples x features), got shape {a.shape}")
    return (
        a,
        pos,
        neg,
        _number(margin, "margin", 0.0, strict=True),
        _number(p, "p", 0.0, strict=True),
        _number(eps, "eps", 0.0),
        _flag(swap, "swap"),
    )


def triplet_margin(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> Loss:
    """Triplet margin, as ``F.triplet_margin_loss``: max(0, d(a, p) - d(a, n) + margin) with
    d(x, y) = ||x - y + eps||_p (torch adds eps to the difference). With ``swap`` the negative
    distance is min(d(a, n), d(p, n)), the harder of the two."""
    a, pos, neg, margin, p, eps, swap = _triplet_inputs(
        anchor, positive, negative, margin, p, eps, swap, reduction
    )
    d_pos = _distance(a - pos + eps, p)
    d_neg = _distance(a - neg + eps, p)
    if swap:
        d_neg = np.minimum(d_neg, _distance(pos - neg + eps, p))
    return _reduce(np.asarray(np.maximum(0.0, margin + d_pos - d_neg)), reduction)


def triplet_margin_grad(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> np.ndarray:
    """d / d anchor = ∇d(a, p) - ∇d(a, n) for active triplets (the second term drops when the
    swap picked d(p, n))."""
    a, pos, neg, margin, p, eps, swap = _triplet_inputs(
        anchor, positive, negative, margin, p, eps, swap, reduction
    )
    u_pos, u_neg = a - pos + eps, a - neg + eps
    d_pos, d_an = _distance(u_pos, p), _distance(u_neg, p)
    d_neg = d_an
    uses_anchor = np.ones_like(d_an, dtype=bool)
    if swap:
        d_pn = _distance(pos - neg + eps, p)
        uses_anchor = d_an <= d_pn
        d_neg = np.minimum(d_an, d_pn)
    active = (margin + d_pos - d_neg > 0)[..., None]
    grad = _distance_grad(u_pos, p) - np.where(
        uses_anchor[..., None], _distance_grad(u_neg, p), 0.0
    )
    return np.where(active, grad, 0.0) * _scale(reduction, max(d_pos.size, 1))


def _info_nce_inputs(
    query: Any, positive_key: Any, temperature: float, reduction: str
) -> tuple[np.ndarray, np.ndarray, float]:
    _check_reduction(reduction)
    q = _array(query, "query")
    k = _array(positive_key, "positive_key")
    _same_shape(q, "query", k, "positive_key")
    if q.ndim != 2:
        raise ValueError(
            f"query must be 2-D (batch x embedding), got shape {q.shape}; each row's positive "
            "is the same row of positive_key and the other rows are its negatives"
        )
    return q, k, _number(temperature, "temperature", 0.0, strict=True)


def _normalize(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Scaled by the largest entry first, so that squaring a huge embedding cannot overflow.
    big = np.abs(x).max(axis=1, keepdims=True)
    safe = np.where(big > 0, big, 1.0)
    norm = safe * np.sqrt(((x / safe) ** 2).sum(axis=1, keepdims=True))
    norm = np.maximum(norm, NORMALIZE_EPSILON)
    return x / norm, norm


def info_nce(
    query: Any, positive_key: Any, temperature: float = 0.1, reduction: str = "mean"
) -> Loss:
    """InfoNCE with in-batch negatives (as the ``info-nce-pytorch`` package with no
    negative_keys): logits[i, j] = cos(query_i, positive_key_j) / temperature, and the loss is
    cross-entropy with label i for row i (the diagonal is the positive pair)."""
    q, k, temp = _info_nce_inputs(query, positive_key, temperature, reduction)
    qn, kn = _normalize(q)[0], _normalize(k)[0]
    logits = qn @ kn.T / temp
    loss = -np.diag(log_softmax(logits))
    return _reduce(loss, reduction)


def info_nce_grad(
    query: Any, positive_key: Any, temperature: float = 0.1, reduction: str = "mean"
) -> np.ndarray:
    """d info_nce / d query (see ``_info_nce_grad``)."""
    return _info_nce_grad(query, positive_key, temperature, reduction, "query")


def info_nce_key_grad(
    query: Any, positive_key: Any, temperature: float = 0.1, reduction: str = "mean"
) -> np.ndarray:
    """d info_nce / d positive_key (see ``_info_nce_grad``)."""
    return _info_nce_grad(query, positive_key, temperature, reduction, "positive_key")


def _info_nce_grad(
    query: Any, positive_key: Any, temperature: float, reduction: str, wrt: str
) -> np.ndarray:
    """With G = (softmax(logits) - I) / temperature (per row, divided by N for the mean):
    d / d q̂ = G k̂, d / d k̂ = Gᵀ q̂, then through the normalisation x̂ = x / |x|:
    d / d x = (g - x̂ (x̂ · g)) / |x|."""
    q, k, temp = _info_nce_inputs(query, positive_key, temperature, reduction)
    qn, q_norm = _normalize(q)
    kn, k_norm = _normalize(k)
    n = q.shape[0]
    g_logits = (softmax(qn @ kn.T / temp) - np.eye(n)) / temp * _scale(reduction, n)
    if wrt == "query":
        g, xn, norm = g_logits @ kn, qn, q_norm
    elif wrt == "positive_key":
        g, xn, norm = g_logits.T @ qn, kn, k_norm
    else:  # pragma: no cover - only the two public functions call this
        raise ValueError(f"wrt must be 'query' or 'positive_key', got {wrt!r}")
    # Below the clamp the norm is a constant, so only the division remains.
    tangent = g - xn * (xn * g).sum(axis=1, keepdims=True)
    return np.where(norm > NORMALIZE_EPSILON, tangent, g) / norm


# --------------------------------------------------------------------------- worked steps


def margin_ranking_steps(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> list[str]:
    per = np.ravel(margin_ranking(input1, input2, target, margin, "none"))
    a, b = np.ravel(input1).astype(float), np.ravel(input2).astype(float)
    y = np.ravel(target).astype(float)
    head = f"loss = max(0, −y·(x1 − x2) + margin), margin = {num(margin)}"
    describe = lambda i: f"max(0, −{paren(y[i])}·({num(a[i])} − {paren(b[i])}) + {paren(margin)})"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def cosine_embedding_steps(
    input1: Any, input2: Any, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> list[str]:
    per = np.ravel(cosine_embedding(input1, input2, target, margin, "none"))
    a, b = _sample_rows(input1), _sample_rows(input2)
    cos = np.ravel(_cosine(a, b)[0])
    y = np.ravel(target).astype(float)
    head = f"y = 1: 1 − cos(x1, x2); y = −1: max(0, cos(x1, x2) − {num(margin)})"
    describe = lambda i: f"y = {num(y[i])}, cos = {num(cos[i])}"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def triplet_margin_steps(
    anchor: Any,
    positive: Any,
    negative: Any,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> list[str]:
    per = np.ravel(triplet_margin(anchor, positive, negative, margin, p, eps, swap, "none"))
    a, pos, neg = _sample_rows(anchor), _sample_rows(positive), _sample_rows(negative)
    d_pos = _distance(a - pos + eps, float(p))
    d_neg = _distance(a - neg + eps, float(p))
    if swap:
        d_neg = np.minimum(d_neg, _distance(pos - neg + eps, float(p)))
    head = f"loss = max(0, d(a, p) − d(a, n) + {num(margin)}), d = L{num(p)} distance"
    describe = lambda i: f"d(a, p) = {num(d_pos[i])}, d(a, n) = {num(d_neg[i])}"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]


def info_nce_steps(
    query: Any, positive_key: Any, temperature: float = 0.1, reduction: str = "mean"
) -> list[str]:
    per = np.ravel(info_nce(query, positive_key, temperature, "none"))
    q, k, temp = _info_nce_inputs(query, positive_key, temperature, "none")
    sims = _normalize(q)[0] @ _normalize(k)[0].T
    head = f"s_ij = cos(q_i, k_j); loss_i = −ln softmax(s_i / τ)_i, τ = {num(temp)}"
    describe = lambda i: f"s_i = {vector(sims[i])}, positive s_ii = {num(sims[i, i])}"  # noqa: E731
    return [head, *_per_sample(per, describe), *reduction_lines(per, reduction)]
