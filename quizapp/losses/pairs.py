"""Contrastive and margin-softmax losses of the third deck: CLIP's symmetric InfoNCE, SigLIP's
pairwise sigmoid loss and ArcFace's additive angular margin.

Embeddings are L2-normalised first (as ``F.normalize``). Means by definition (no reduction);
``NAME_grad`` is the gradient with respect to the first embeddings (the image embeddings, the
embeddings to classify) and ``NAME_steps`` the worked steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quizapp.losses.common import _array, _labels, _same_shape, log_softmax, sigmoid, softmax
from quizapp.losses.embedding import NORMALIZE_EPSILON, _normalize
from quizapp.losses.options import _number, _per_sample
from quizapp.losses.text import num, vector


def _through_normalize(g: np.ndarray, xn: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """d / d x from d / d x̂ for x̂ = x / |x|: (g − x̂ (x̂ · g)) / |x|."""
    tangent = g - xn * (xn * g).sum(axis=1, keepdims=True)
    return np.where(norm > NORMALIZE_EPSILON, tangent, g) / norm


def _pair_embeds(image_embeds: Any, text_embeds: Any) -> tuple[np.ndarray, np.ndarray]:
    img = _array(image_embeds, "image_embeds")
    txt = _array(text_embeds, "text_embeds")
    _same_shape(img, "image_embeds", txt, "text_embeds")
    if img.ndim != 2:
        raise ValueError(
            f"image_embeds must be 2-D (pairs x dim), got shape {img.shape}; row i of "
            "image_embeds and row i of text_embeds are a matched pair"
        )
    return img, txt


def _sign_sum(per: np.ndarray) -> str:
    return f"{num(float(per.sum()))}"


# --------------------------------------------------------------------------- CLIP


def _clip_parts(image_embeds: Any, text_embeds: Any, temperature: float) -> tuple[np.ndarray, ...]:
    img, txt = _pair_embeds(image_embeds, text_embeds)
    temp = _number(temperature, "temperature", 0.0, strict=True)
    (i_n, i_norm), (t_n, _) = _normalize(img), _normalize(txt)
    logits = i_n @ t_n.T / temp
    return logits, i_n, i_norm, t_n, np.asarray(temp)


def clip_contrastive(image_embeds: Any, text_embeds: Any, temperature: float = 0.07) -> float:
    """CLIP's loss: logits = cos(imageᵢ, textⱼ) / temperature; the mean of the cross-entropy
    over each row (image → its text) and over each column (text → its image), matched pairs on
    the diagonal (Radford et al., 2021)."""
    logits = _clip_parts(image_embeds, text_embeds, temperature)[0]
    rows = -np.diag(log_softmax(logits, axis=1)).mean()
    cols = -np.diag(log_softmax(logits, axis=0)).mean()
    return float((rows + cols) / 2.0)


def clip_contrastive_grad(
    image_embeds: Any, text_embeds: Any, temperature: float = 0.07
) -> np.ndarray:
    """With G = (softmax over rows − I + softmax over columns − I) / (2N): d / d î = G t̂ / τ,
    then through the normalisation."""
    logits, i_n, i_norm, t_n, temp = _clip_parts(image_embeds, text_embeds, temperature)
    n = logits.shape[0]
    eye = np.eye(n)
    g = (softmax(logits, axis=1) - eye + softmax(logits, axis=0) - eye) / (2.0 * n)
    return _through_normalize(g @ t_n / float(temp), i_n, i_norm)


def clip_contrastive_steps(
    image_embeds: Any, text_embeds: Any, temperature: float = 0.07
) -> list[str]:
    logits, *_ = _clip_parts(image_embeds, text_embeds, temperature)
    rows = -np.diag(log_softmax(logits, axis=1))
    cols = -np.diag(log_softmax(logits, axis=0))
    n = logits.shape[0]
    describe = lambda i: f"logits row {vector(logits[i][:6])}, −ln softmax(row)_ii"  # noqa: E731
    return [
        f"logits_ij = cos(image_i, text_j) / τ, τ = {num(temperature)}; pairs on the diagonal",
        *_per_sample(rows, describe),
        f"Image → text: mean of the row losses = {num(float(rows.mean()))}",
        f"Text → image: mean of −ln softmax(column j)_jj over the {n} columns = "
        f"{num(float(cols.mean()))}",
        f"CLIP loss: ({num(float(rows.mean()))} + {num(float(cols.mean()))}) / 2 = "
        f"{num(float((rows.mean() + cols.mean()) / 2))}",
    ]


# --------------------------------------------------------------------------- SigLIP


def _siglip_parts(
    image_embeds: Any, text_embeds: Any, t: float, b: float
) -> tuple[np.ndarray, ...]:
    img, txt = _pair_embeds(image_embeds, text_embeds)
    t = _number(t, "t", 0.0, strict=True)
    b = _number(b, "b")
    (i_n, i_norm), (t_n, _) = _normalize(img), _normalize(txt)
    cos = i_n @ t_n.T
    labels = 2.0 * np.eye(cos.shape[0]) - 1.0
    return cos, labels, i_n, i_norm, t_n, np.asarray(t), np.asarray(b)


def siglip(image_embeds: Any, text_embeds: Any, t: float = 10.0, b: float = -10.0) -> float:
    """SigLIP's loss: −(1/n) Σᵢⱼ log σ(zᵢⱼ (t·cosᵢⱼ + b)), zᵢⱼ = 1 for a matched pair (the
    diagonal) and −1 for every other pair: n² independent binary problems, no softmax over the
    batch (Zhai et al., 2023; t = 10 and b = −10 are its initial values)."""
    cos, labels, *_, t_, b_ = _siglip_parts(image_embeds, text_embeds, t, b)
    x = labels * (float(t_) * cos + float(b_))
    return float(np.logaddexp(0.0, -x).sum() / cos.shape[0])


def siglip_grad(
    image_embeds: Any, text_embeds: Any, t: float = 10.0, b: float = -10.0
) -> np.ndarray:
    """d / d cosᵢⱼ = −zᵢⱼ σ(−zᵢⱼ (t cosᵢⱼ + b)) · t / n; then d / d î = G t̂ and through the
    normalisation."""
    cos, labels, i_n, i_norm, t_n, t_, b_ = _siglip_parts(image_embeds, text_embeds, t, b)
    x = labels * (float(t_) * cos + float(b_))
    g = -labels * sigmoid(-x) * float(t_) / cos.shape[0]
    return _through_normalize(g @ t_n, i_n, i_norm)


def siglip_steps(
    image_embeds: Any, text_embeds: Any, t: float = 10.0, b: float = -10.0
) -> list[str]:
    cos, labels, *_, t_, b_ = _siglip_parts(image_embeds, text_embeds, t, b)
    x = labels * (float(t_) * cos + float(b_))
    per = np.logaddexp(0.0, -x).sum(axis=1)
    n = cos.shape[0]

    def describe(i: int) -> str:
        return f"image {i + 1}: cos = {vector(cos[i][:6])}, Σⱼ −ln σ(zᵢⱼ(t·cos + b))"

    return [
        f"Every pair is its own binary problem: logit t·cos + b with t = {num(float(t_))}, "
        f"b = {num(float(b_))}; z = +1 on the diagonal, −1 elsewhere",
        *_per_sample(per, describe),
        f"Sum over all {n}×{n} pairs: {_sign_sum(per)}, divided by n = {n}: "
        f"{num(float(per.sum() / n))}",
    ]


# --------------------------------------------------------------------------- ArcFace


def _arc_parts(
    embeddings: Any, weights: Any, target: Any, s: float, m: float
) -> tuple[np.ndarray, ...]:
    x = _array(embeddings, "embeddings")
    w = _array(weights, "weights")
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or w.ndim != 2 or w.shape[1] != x.shape[1]:
        raise ValueError(
            f"embeddings must be (samples x dim) and weights (classes x dim) with the same dim; "
            f"got {np.shape(embeddings)} and {w.shape}"
        )
    labels = _labels(np.atleast_1d(np.asarray(target)), "target", w.shape[0]).reshape(-1)
    if labels.size != x.shape[0]:
        raise ValueError(f"target has {labels.size} labels but embeddings has {x.shape[0]} rows")
    s = _number(s, "s", 0.0, strict=True)
    m = _number(m, "m", 0.0)
    (x_n, x_norm), (w_n, _) = _normalize(x), _normalize(w)
    cos = np.clip(x_n @ w_n.T, -1.0, 1.0)
    rows = np.arange(x.shape[0])
    c_y = cos[rows, labels]
    sin_y = np.sqrt(np.maximum(0.0, 1.0 - c_y * c_y))
    logits = s * cos
    logits[rows, labels] = s * (c_y * np.cos(m) - sin_y * np.sin(m))  # s·cos(θ_y + m)
    return logits, labels, cos, c_y, sin_y, x_n, x_norm, w_n, np.asarray([s, m])


def arcface(embeddings: Any, weights: Any, target: Any, s: float = 64.0, m: float = 0.5) -> float:
    """ArcFace (Deng et al., 2019): cross-entropy of the logits s·cos θ_c, where θ_c is the angle
    between the normalised embedding and class c's normalised weight, with the target class's
    logit replaced by s·cos(θ_y + m). Mean over the samples."""
    logits, labels, *_ = _arc_parts(embeddings, weights, target, s, m)
    return float(-log_softmax(logits)[np.arange(labels.size), labels].mean())


def arcface_grad(
    embeddings: Any, weights: Any, target: Any, s: float = 64.0, m: float = 0.5
) -> np.ndarray:
    """d / d logit = (softmax − onehot) / N; d logit_c / d cos_c = s, and for the target
    s (cos m + sin m · cos θ / sin θ); d cos / d x̂ = ŵ; then through the normalisation."""
    logits, labels, _, c_y, sin_y, x_n, x_norm, w_n, sm = _arc_parts(
        embeddings, weights, target, s, m
    )
    n = labels.size
    rows = np.arange(n)
    g = softmax(logits)
    g[rows, labels] -= 1.0
    g /= n
    d_cos = g * sm[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(sin_y > 0, np.cos(sm[1]) + np.sin(sm[1]) * c_y / sin_y, np.cos(sm[1]))
    d_cos[rows, labels] *= slope
    grad = _through_normalize(d_cos @ w_n, x_n, x_norm)
    return grad[0] if np.ndim(embeddings) == 1 else grad


def arcface_steps(
    embeddings: Any, weights: Any, target: Any, s: float = 64.0, m: float = 0.5
) -> list[str]:
    logits, labels, _, c_y, *_ = _arc_parts(embeddings, weights, target, s, m)
    per = -log_softmax(logits)[np.arange(labels.size), labels]
    theta = np.degrees(np.arccos(c_y))
    describe = lambda i: (  # noqa: E731
        f"class {labels[i]}: cos θ = {num(c_y[i])} (θ = {num(theta[i])}°), target logit "
        f"{num(s)}·cos(θ + {num(m)}) = {num(logits[i, labels[i]])}, others {num(s)}·cos θ; CE"
    )
    head = (
        f"cos θ_c = x̂·ŵ_c; the target's logit gets the angle margin m = {num(m)} rad, "
        f"scale s = {num(s)}"
    )
    return [head, *_per_sample(per, describe), _mean(per)]


def _mean(per: np.ndarray) -> str:
    if per.size == 1:
        return f"One sample: the loss is {num(float(per[0]))}"
    return f"Mean over the {per.size} samples: {num(float(per.mean()))}"
