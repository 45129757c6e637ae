"""Auxiliary losses of large models in the third deck: the z-loss on the softmax normaliser
(PaLM's output z-loss, ST-MoE's router z-loss) and the Switch Transformer's load-balancing loss.

Both are means by definition (no reduction); ``NAME_grad`` is the gradient with respect to the
logits and ``NAME_steps`` the worked steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quizapp.losses.common import _array, _require_finite, _rows, softmax
from quizapp.losses.options import _number, _per_sample
from quizapp.losses.text import num, vector


def _logsumexp(z: np.ndarray) -> np.ndarray:
    m = z.max(axis=1)
    return m + np.log(np.exp(z - m[:, None]).sum(axis=1))


def _z_inputs(logits: Any, weight: float) -> tuple[np.ndarray, float]:
    z = _rows(_array(logits, "logits"), "logits")
    _require_finite(z, "logits")
    return z, _number(weight, "weight", 0.0)


def z_loss(logits: Any, weight: float = 1e-4) -> float:
    """weight · mean over rows of (log Σ_c e^{z_c})²: pushes the softmax normaliser log Z toward
    0 so logits cannot drift to sizes where bf16 loses precision (PaLM, ST-MoE)."""
    z, w = _z_inputs(logits, weight)
    return float(w * np.mean(_logsumexp(z) ** 2))


def z_loss_grad(logits: Any, weight: float = 1e-4) -> np.ndarray:
    """d / d z_c = weight · 2 log Z · softmax(z)_c / N."""
    z, w = _z_inputs(logits, weight)
    grad = w * 2.0 * _logsumexp(z)[:, None] * softmax(z) / z.shape[0]
    return grad[0] if np.ndim(logits) == 1 else grad


def z_loss_steps(logits: Any, weight: float = 1e-4) -> list[str]:
    z, w = _z_inputs(logits, weight)
    lse = _logsumexp(z)
    per = lse**2
    describe = lambda i: f"log Z = logsumexp({vector(z[i][:6])}) = {num(lse[i])}, (log Z)²"  # noqa: E731
    mean = float(per.mean())
    return [
        "log Z = m + ln Σ_c e^(z_c − m), m the row's largest logit",
        *_per_sample(per, describe),
        f"Mean of (log Z)² over {z.shape[0]} row{'s' if z.shape[0] > 1 else ''}: {num(mean)}",
        f"Times the weight {num(w)}: {num(w * mean)}",
    ]


def _lb_inputs(router_logits: Any, alpha: float) -> tuple[np.ndarray, float]:
    z = _array(router_logits, "router_logits")
    if z.ndim != 2 or z.shape[1] < 2:
        raise ValueError(
            f"router_logits must be 2-D (tokens x experts, at least 2 experts), got shape {z.shape}"
        )
    return z, _number(alpha, "alpha", 0.0)


def _lb_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(router probabilities, f: the share of tokens sent to each expert, P: the mean
    probability of each expert)."""
    p = softmax(z)
    n_experts = z.shape[1]
    f = np.bincount(np.argmax(z, axis=1), minlength=n_experts) / z.shape[0]
    return p, f, p.mean(axis=0)


def load_balancing(router_logits: Any, alpha: float = 0.01) -> float:
    """Switch Transformer's auxiliary loss α · E · Σᵢ fᵢ Pᵢ: fᵢ the share of tokens whose top-1
    expert is i, Pᵢ the mean router probability of expert i. 1·α when perfectly balanced."""
    z, alpha = _lb_inputs(router_logits, alpha)
    _, f, big_p = _lb_parts(z)
    return float(alpha * z.shape[1] * np.dot(f, big_p))


def load_balancing_grad(router_logits: Any, alpha: float = 0.01) -> np.ndarray:
    """f is piecewise constant (an argmax), so only P carries gradient:
    d / d z_tj = α E / T · p_tj (f_j − Σᵢ fᵢ p_ti)."""
    z, alpha = _lb_inputs(router_logits, alpha)
    p, f, _ = _lb_parts(z)
    inner = (p * f).sum(axis=1, keepdims=True)
    return alpha * z.shape[1] / z.shape[0] * p * (f - inner)


def load_balancing_steps(router_logits: Any, alpha: float = 0.01) -> list[str]:
    z, alpha = _lb_inputs(router_logits, alpha)
    _, f, big_p = _lb_parts(z)
    e = z.shape[1]
    value = alpha * e * float(np.dot(f, big_p))
    return [
        f"{z.shape[0]} tokens, E = {e} experts; softmax each token's router logits",
        f"fᵢ = the share of tokens whose top-1 expert is i: f = {vector(f)}",
        f"Pᵢ = the mean router probability of expert i: P = {vector(big_p)}",
        f"Σ fᵢ·Pᵢ = {num(float(np.dot(f, big_p)))} (1/E = {num(1 / e)} when balanced)",
        f"α·E·Σ fᵢPᵢ = {num(alpha)}·{e}·{num(float(np.dot(f, big_p)))} = {num(value)}",
    ]
