"""The reference for every loss of the third deck in quizapp.losses: random arguments, and the
same loss written in torch from its source (TRL's DPO sigmoid loss, the papers' formulas,
F.cross_entropy, F.ctc_loss), with autograd for the gradient. Shared by
tests/unit/test_frontier_losses.py and benchmarks/frontier_losses.py; needs torch.

Each case draws keyword arguments for our function from a seeded generator; ``torch_loss``
computes the reference from the same arguments (numpy arrays as float64 tensors). The gradient
is compared for the loss's prediction argument (``LossSpec.prediction_arg``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from quizapp.losses import REGISTRY, softmax

Args = dict[str, Any]


@dataclass(frozen=True)
class Case:
    name: str
    reference: str
    draw: Callable[[np.random.Generator], Args]
    torch_loss: Callable[..., Any]
    integer: tuple[str, ...] = ()  # arguments passed as int64 tensors (labels, lengths)
    # The size of the terms the gradient is a difference of, when that difference can be 0:
    # load balancing's α·E/T·p_j·(f_j − Σ fᵢpᵢ) vanishes when the tokens are split evenly, and
    # then carries only the terms' absolute accuracy in any implementation (torch's included).
    grad_scale: Callable[[Args], float] | None = None


def _n(rng: np.random.Generator, low: int = 1, high: int = 12) -> int:
    return int(rng.integers(low, high + 1))


def _scale(rng: np.random.Generator) -> float:
    return float(rng.choice([0.1, 1.0, 3.0, 10.0]))


# --------------------------------------------------------------------------- draws


def draw_ce(rng: np.random.Generator) -> Args:
    n, c = _n(rng, 2), _n(rng, 2, 6)
    labels = rng.integers(0, c, size=n)
    ignore = int(rng.choice([-100, 0, c - 1]))
    labels[rng.uniform(size=n) < 0.3] = ignore
    labels[0] = (ignore + 1) % c if ignore >= 0 else 0  # at least one row counts
    return {
        "y_true": labels,
        "logits": rng.normal(size=(n, c)) * _scale(rng),
        "weight": rng.uniform(0.2, 2.0, size=c) if rng.integers(2) else None,
        "label_smoothing": float(rng.choice([0.0, 0.1, 0.3])),
        "reduction": str(rng.choice(["mean", "sum", "none"])),
        "ignore_index": ignore,
    }


def draw_bt(rng: np.random.Generator) -> Args:
    n, s = _n(rng), _scale(rng)
    out: Args = {"chosen": rng.normal(size=n) * s, "rejected": rng.normal(size=n) * s}
    if rng.integers(2):
        out["margin"] = rng.uniform(0, 2, size=n)
    return out


def draw_dpo(rng: np.random.Generator) -> Args:
    n = _n(rng)
    logps = [-rng.uniform(5, 200, size=n) for _ in range(4)]
    return {
        "policy_chosen_logps": logps[0],
        "policy_rejected_logps": logps[1],
        "reference_chosen_logps": logps[0] + rng.normal(size=n) * 5,
        "reference_rejected_logps": logps[1] + rng.normal(size=n) * 5,
        "beta": float(rng.choice([0.01, 0.1, 0.5])),
        "label_smoothing": float(rng.choice([0.0, 0.1, 0.3])),
    }


def draw_ppo(rng: np.random.Generator) -> Args:
    n = _n(rng, 2, 30)
    old = -rng.uniform(0.1, 8, size=n)
    return {
        "logp": old + rng.normal(size=n) * 0.4,
        "old_logp": old,
        "advantages": rng.normal(size=n) * _scale(rng),
        "clip_eps": float(rng.choice([0.1, 0.2, 0.3])),
    }


def draw_z(rng: np.random.Generator) -> Args:
    return {
        "logits": rng.normal(size=(_n(rng), _n(rng, 2, 50))) * _scale(rng) + rng.normal() * 5,
        "weight": float(rng.choice([1e-4, 1e-3, 1.0])),
    }


def draw_lb(rng: np.random.Generator) -> Args:
    return {
        "router_logits": rng.normal(size=(_n(rng, 2, 40), _n(rng, 2, 8))) * _scale(rng),
        "alpha": float(rng.choice([0.01, 0.001, 1.0])),
    }


def _pairs(rng: np.random.Generator) -> Args:
    n, d = _n(rng, 2, 10), _n(rng, 2, 16)
    img = rng.normal(size=(n, d)) * _scale(rng)
    return {"image_embeds": img, "text_embeds": img + rng.normal(size=(n, d)) * _scale(rng)}


def draw_clip(rng: np.random.Generator) -> Args:
    return {**_pairs(rng), "temperature": float(rng.choice([0.07, 0.5, 1.0]))}


def draw_siglip(rng: np.random.Generator) -> Args:
    return {**_pairs(rng), "t": float(rng.choice([1.0, 10.0])), "b": float(rng.choice([-10, 0]))}


def draw_arcface(rng: np.random.Generator) -> Args:
    n, d, c = _n(rng, 1, 8), _n(rng, 3, 16), _n(rng, 2, 10)
    return {
        "embeddings": rng.normal(size=(n, d)),
        "weights": rng.normal(size=(c, d)),
        "target": rng.integers(0, c, size=n),
        "s": float(rng.choice([1.0, 8.0, 30.0, 64.0])),
        "m": float(rng.choice([0.1, 0.35, 0.5])),
    }


def draw_diffusion(rng: np.random.Generator) -> Args:
    n, d = _n(rng), _n(rng, 1, 16)
    noise = rng.normal(size=(n, d))
    out: Args = {
        "noise": noise,
        "noise_pred": noise + rng.normal(size=(n, d)) * _scale(rng),
        "snr": np.exp(rng.uniform(-6, 8, size=n)),
    }
    if rng.integers(2):
        out["min_snr_gamma"] = float(rng.choice([1.0, 5.0, 20.0]))
    return out


def draw_hinge_d(rng: np.random.Generator) -> Args:
    return {
        "real_scores": rng.normal(size=_n(rng)) * _scale(rng),
        "fake_scores": rng.normal(size=_n(rng)) * _scale(rng),
    }


def draw_hinge_g(rng: np.random.Generator) -> Args:
    return {"fake_scores": rng.normal(size=_n(rng)) * _scale(rng)}


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def draw_ctc(rng: np.random.Generator) -> Args:
    """Feasible alignments only: every input is at least 2S + 1 frames long."""
    n, c = _n(rng, 1, 4), _n(rng, 3, 6)
    blank = int(rng.integers(0, c))
    labels = [x for x in range(c) if x != blank]
    s_len = rng.integers(1, 6, size=n)
    t_len = np.array([int(rng.integers(2 * s + 1, 2 * s + 8)) for s in s_len])
    t_max = int(t_len.max())
    x = rng.normal(size=(t_max, n, c)) * _scale(rng)
    targets = rng.choice(labels, size=(n, int(s_len.max())))
    single = n == 1 and bool(rng.integers(2))
    reduction = str(rng.choice(["mean", "sum", "none"]))
    if single:
        return {
            "log_probs": _log_softmax(x[: t_len[0], 0]),
            "targets": targets[0, : s_len[0]],
            "input_lengths": int(t_len[0]),
            "target_lengths": int(s_len[0]),
            "blank": blank,
            "reduction": reduction,
        }
    if rng.integers(2):  # concatenated rather than padded
        targets = np.concatenate([targets[b, : s_len[b]] for b in range(n)])
    return {
        "log_probs": _log_softmax(x),
        "targets": targets,
        "input_lengths": t_len,
        "target_lengths": s_len,
        "blank": blank,
        "reduction": reduction,
    }


# --------------------------------------------------------------------------- torch references


def ref_ce(y_true: Any, logits: Any, weight: Any, label_smoothing: float, reduction: str,
           ignore_index: int) -> Any:  # fmt: skip
    return F.cross_entropy(
        logits, y_true, weight=weight, ignore_index=ignore_index, reduction=reduction,
        label_smoothing=label_smoothing,
    )  # fmt: skip


def ref_bt(chosen: Any, rejected: Any, margin: Any = 0.0) -> Any:
    return -F.logsigmoid(chosen - rejected - margin).mean()


def ref_dpo(policy_chosen_logps: Any, policy_rejected_logps: Any, reference_chosen_logps: Any,
            reference_rejected_logps: Any, beta: float, label_smoothing: float) -> Any:  # fmt: skip
    """TRL's DPOTrainer.dpo_loss, loss_type 'sigmoid'."""
    pi_logratios = policy_chosen_logps - policy_rejected_logps
    ref_logratios = reference_chosen_logps - reference_rejected_logps
    logits = pi_logratios - ref_logratios
    losses = (
        -F.logsigmoid(beta * logits) * (1 - label_smoothing)
        - F.logsigmoid(-beta * logits) * label_smoothing
    )
    return losses.mean()


def ref_ppo(logp: Any, old_logp: Any, advantages: Any, clip_eps: float) -> Any:
    ratio = torch.exp(logp - old_logp)
    surr1 = ratio * advantages
    surr2 = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * advantages
    return -torch.min(surr1, surr2).mean()


def ref_z(logits: Any, weight: float) -> Any:
    return weight * (torch.logsumexp(logits, dim=-1) ** 2).mean()


def ref_lb(router_logits: Any, alpha: float) -> Any:
    """As transformers' switch_transformers load_balancing_loss_func, times alpha."""
    probs = torch.softmax(router_logits, dim=-1)
    n_experts = router_logits.shape[-1]
    mask = F.one_hot(torch.argmax(probs, dim=-1), n_experts).to(probs.dtype)
    tokens_per_expert = mask.mean(dim=0)
    prob_per_expert = probs.mean(dim=0)
    return alpha * n_experts * (tokens_per_expert * prob_per_expert).sum()


def ref_clip(image_embeds: Any, text_embeds: Any, temperature: float) -> Any:
    i, t = F.normalize(image_embeds, dim=-1), F.normalize(text_embeds, dim=-1)
    logits = i @ t.T / temperature
    labels = torch.arange(len(logits))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


def ref_siglip(image_embeds: Any, text_embeds: Any, t: float, b: float) -> Any:
    """The SigLIP paper's pseudo-code (Algorithm 1)."""
    zimg, ztxt = F.normalize(image_embeds, dim=-1), F.normalize(text_embeds, dim=-1)
    logits = zimg @ ztxt.T * t + b
    n = len(logits)
    labels = 2 * torch.eye(n, dtype=logits.dtype) - 1
    return -F.logsigmoid(labels * logits).sum() / n


def ref_arcface(embeddings: Any, weights: Any, target: Any, s: float, m: float) -> Any:
    """ArcFace written with the angle itself: θ = arccos(cos), target logit cos(θ + m)."""
    cos = F.linear(F.normalize(embeddings), F.normalize(weights))
    theta = torch.acos(cos)
    onehot = F.one_hot(target, weights.shape[0]).to(cos.dtype)
    logits = s * (onehot * torch.cos(theta + m) + (1 - onehot) * cos)
    return F.cross_entropy(logits, target)


def ref_diffusion(noise: Any, noise_pred: Any, snr: Any, min_snr_gamma: float | None = None) -> Any:
    """diffusers' train_text_to_image: MSE per row, weighted by min(snr, γ) / snr."""
    mse = F.mse_loss(noise_pred, noise, reduction="none").mean(dim=list(range(1, noise.ndim)))
    if min_snr_gamma is None:
        return mse.mean()
    weights = torch.stack([snr, min_snr_gamma * torch.ones_like(snr)], dim=1).min(dim=1)[0] / snr
    return (mse * weights).mean()


def ref_hinge_d(real_scores: Any, fake_scores: Any) -> Any:
    return F.relu(1.0 - real_scores).mean() + F.relu(1.0 + fake_scores).mean()


def ref_hinge_g(fake_scores: Any) -> Any:
    return -fake_scores.mean()


def ref_ctc(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any, blank: int,
            reduction: str) -> Any:  # fmt: skip
    if not torch.is_tensor(input_lengths):
        input_lengths = torch.tensor(input_lengths)
        target_lengths = torch.tensor(target_lengths)
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction)


CASES: list[Case] = [
    Case("cross_entropy", "F.cross_entropy (ignore_index)", draw_ce, ref_ce, ("y_true",)),
    Case("bradley_terry", "−F.logsigmoid(r_w − r_l − m)", draw_bt, ref_bt),
    Case("dpo", "TRL dpo_loss, sigmoid", draw_dpo, ref_dpo),
    Case("ppo_clip", "PPO paper, clipped surrogate", draw_ppo, ref_ppo),
    Case("z_loss", "PaLM z-loss, torch.logsumexp", draw_z, ref_z),
    Case(
        "load_balancing",
        "HF Switch load_balancing_loss",
        draw_lb,
        ref_lb,
        grad_scale=lambda a: a["alpha"] * a["router_logits"].shape[1] / len(a["router_logits"]),
    ),
    Case("clip_contrastive", "CLIP paper, F.cross_entropy ×2", draw_clip, ref_clip),
    Case("siglip", "SigLIP paper, Algorithm 1", draw_siglip, ref_siglip),
    Case("arcface", "ArcFace, acos/cos(θ + m)", draw_arcface, ref_arcface, ("target",)),
    Case("diffusion_eps", "diffusers min-SNR weighting", draw_diffusion, ref_diffusion),
    Case("hinge_gan_d", "SAGAN hinge, F.relu", draw_hinge_d, ref_hinge_d),
    Case("hinge_gan_g", "SAGAN hinge, −mean", draw_hinge_g, ref_hinge_g),
    Case("ctc", "F.ctc_loss", draw_ctc, ref_ctc, ("targets", "input_lengths", "target_lengths")),
]


def tensors(case: Case, kwargs: Args, wrt: str | None = None) -> Args:
    out: Args = {}
    for key, value in kwargs.items():
        if isinstance(value, np.ndarray):
            dtype = torch.int64 if key in case.integer else torch.float64
            value = torch.tensor(value, dtype=dtype, requires_grad=key == wrt)
        out[key] = value
    return out


def reference_value(case: Case, kwargs: Args) -> np.ndarray:
    with torch.no_grad():
        return case.torch_loss(**tensors(case, kwargs)).numpy()


def reference_gradient(case: Case, kwargs: Args) -> np.ndarray:
    """torch autograd's gradient of the (summed) loss for the prediction argument. For CTC, whose
    backward in torch assumes log_softmax inputs, the gradient for the logits x with
    log_probs = log_softmax(x) (which torch gets right)."""
    wrt = REGISTRY[case.name].prediction_arg or "logits"
    if case.name == "ctc":
        x = torch.tensor(kwargs["log_probs"], dtype=torch.float64, requires_grad=True)
        t = tensors(case, {k: v for k, v in kwargs.items() if k != "log_probs"})
        case.torch_loss(torch.log_softmax(x, dim=-1), **t).sum().backward()
        return x.grad.numpy()  # type: ignore[union-attr]
    t = tensors(case, kwargs, wrt)
    case.torch_loss(**t).sum().backward()
    return t[wrt].grad.numpy()  # type: ignore[no-any-return]


def gradient_difference(case: Case, kwargs: Args) -> float:
    """The normwise relative difference of our gradient and the reference's."""
    floor = case.grad_scale(kwargs) if case.grad_scale is not None else 0.0
    return relative(our_gradient(case, kwargs), reference_gradient(case, kwargs), True, floor)


def our_gradient(case: Case, kwargs: Args) -> np.ndarray:
    grad = np.asarray(REGISTRY[case.name].gradient(**kwargs))
    if case.name == "ctc":  # chained through log_softmax, as the reference is
        p = softmax(kwargs["log_probs"])
        grad = grad - p * grad.sum(axis=-1, keepdims=True)
    return grad


def relative(ours: Any, theirs: Any, normwise: bool = False, floor: float = 0.0) -> float:
    """The largest |ours − theirs| / |theirs| (normwise: / the largest |theirs|, or ``floor``
    when that is larger)."""
    a, b = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    if a.shape != b.shape or not (np.isfinite(a) == np.isfinite(b)).all():
        return math.inf
    scale = np.full_like(b, max(np.abs(b).max(), floor)) if normwise else np.abs(b)
    return float((np.abs(a - b) / np.maximum(scale, 1e-300)).max())
