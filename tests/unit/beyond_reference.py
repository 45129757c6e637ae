"""The reference for every loss of the second deck in quizapp.losses: random arguments, and the
same loss in torch (or sklearn) with autograd for the gradient. Shared by
tests/unit/test_beyond_losses.py and benchmarks/beyond_losses.py (which prints the agreement
table); needs torch and sklearn.

Each case draws keyword arguments for our function from a seeded generator; ``torch_loss``
computes the reference from the same arguments (numpy arrays turned into float64 tensors), and
``grads`` maps each differentiable argument to the name of our function for its gradient.
Losses whose reference is sklearn also give ``sklearn_loss``; their ``torch_loss`` is the
documented formula in torch, checked against sklearn on the same draw.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import brier_score_loss, mean_pinball_loss

from quizapp.losses import REGISTRY

Args = dict[str, Any]


@dataclass(frozen=True)
class Case:
    name: str
    reference: str
    draw: Callable[[np.random.Generator], Args]
    torch_loss: Callable[..., Any]
    # Each differentiable argument and the name of our function for its gradient.
    grads: dict[str, str] = field(default_factory=dict)
    sklearn_loss: Callable[..., Any] | None = None
    # Arguments that are integer labels (not differentiable, passed as int64 tensors).
    integer: tuple[str, ...] = ()
    # With reduction 'none' the loss returns the summands of a divergence, p (log p - log q),
    # which may be tiny or negative next to large ones: differences of nearly equal logs that
    # carry only absolute accuracy, so they are judged relative to the largest (normwise).
    summands: bool = False

    def value_normwise(self, kwargs: Args) -> bool:
        return self.summands and kwargs.get("reduction") == "none"

    def grad_floor(self, kwargs: Args) -> float:
        """The absolute rounding floor of the gradient: distillation's is T·(q_s − q_t), a
        difference of probabilities near 1 when both models are confident, so it carries an
        absolute error of about T·1e-16 in any implementation (torch's included)."""
        if self.name == "distillation":
            return 1e-15 * float(kwargs["temperature"])
        return 0.0


def _scale(rng: np.random.Generator) -> float:
    return float(rng.choice([0.01, 1.0, 10.0, 100.0]))


def _size(rng: np.random.Generator) -> int:
    return int(rng.integers(1, 30))


def _reduction(rng: np.random.Generator, extra: tuple[str, ...] = ()) -> str:
    return str(rng.choice(["mean", "sum", "none", *extra]))


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def draw_kl(rng: np.random.Generator) -> Args:
    n, k = _size(rng), int(rng.integers(2, 8))
    log_target = bool(rng.integers(2))
    target = _log_softmax(rng.normal(size=(n, k)) * 3)
    if not log_target:
        target = np.exp(target)
        target[rng.uniform(size=(n, k)) < 0.1] = 0.0  # exact zeros: 0 log 0 = 0
    return {
        "input": _log_softmax(rng.normal(size=(n, k)) * 3),
        "target": target,
        "reduction": _reduction(rng, ("batchmean",)),
        "log_target": log_target,
    }


def draw_poisson(rng: np.random.Generator) -> Args:
    n = _size(rng)
    log_input = bool(rng.integers(2))
    x = rng.normal(size=n) * 2
    return {
        "input": x if log_input else np.exp(x),
        "target": rng.poisson(3.0, size=n).astype(float),
        "log_input": log_input,
        "full": bool(rng.integers(2)),
        "reduction": _reduction(rng),
    }


def draw_gaussian(rng: np.random.Generator) -> Args:
    n, d = _size(rng), int(rng.integers(1, 5))
    shape = rng.choice(["same", "per-sample", "last-1"])
    var_shape = {"same": (n, d), "per-sample": (n,), "last-1": (n, 1)}[str(shape)]
    var = rng.uniform(0.01, 5.0, size=var_shape)
    var[rng.uniform(size=var_shape) < 0.1] = 1e-9  # below eps: clamped
    s = _scale(rng)
    return {
        "input": rng.normal(size=(n, d)) * s,
        "target": rng.normal(size=(n, d)) * s,
        "var": var,
        "full": bool(rng.integers(2)),
        "reduction": _reduction(rng),
    }


def draw_smooth_l1(rng: np.random.Generator) -> Args:
    n, s = _size(rng), _scale(rng)
    return {
        "input": rng.normal(size=n) * s,
        "target": rng.normal(size=n) * s,
        "reduction": _reduction(rng),
        "beta": float(rng.choice([0.0, 0.5, 1.0, 2.0])),
    }


def _signs(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.choice([-1.0, 1.0], size=n)


def draw_margin_ranking(rng: np.random.Generator) -> Args:
    n, s = _size(rng), _scale(rng)
    return {
        "input1": rng.normal(size=n) * s,
        "input2": rng.normal(size=n) * s,
        "target": _signs(rng, n),
        "margin": float(rng.choice([0.0, 0.5, 1.0])),
        "reduction": _reduction(rng),
    }


def draw_cosine(rng: np.random.Generator) -> Args:
    n, d, s = _size(rng), int(rng.integers(2, 6)), _scale(rng)
    return {
        "input1": rng.normal(size=(n, d)) * s,
        "input2": rng.normal(size=(n, d)) * s,
        "target": _signs(rng, n),
        "margin": float(rng.choice([0.0, 0.3, -0.2])),
        "reduction": _reduction(rng),
    }


def draw_triplet(rng: np.random.Generator) -> Args:
    n, d, s = _size(rng), int(rng.integers(2, 6)), _scale(rng)
    return {
        "anchor": rng.normal(size=(n, d)) * s,
        "positive": rng.normal(size=(n, d)) * s,
        "negative": rng.normal(size=(n, d)) * s,
        "margin": float(rng.choice([0.5, 1.0, 2.0])) * s,
        "p": float(rng.choice([1.0, 2.0, 3.0])),
        "swap": bool(rng.integers(2)),
        "reduction": _reduction(rng),
    }


def draw_nll(rng: np.random.Generator) -> Args:
    n, k = _size(rng), int(rng.integers(2, 7))
    ignore_index = int(rng.choice([-100, 0, 1]))
    target = rng.integers(0, k, size=n)
    target[rng.uniform(size=n) < 0.2] = ignore_index
    target[0] = (ignore_index + 1) % k if ignore_index >= 0 else 0  # at least one row is kept
    weight = rng.uniform(0.1, 3.0, size=k) if rng.integers(2) else None
    return {
        "input": _log_softmax(rng.normal(size=(n, k)) * 3),
        "target": target,
        "weight": weight,
        "ignore_index": ignore_index,
        "reduction": _reduction(rng),
    }


def draw_quantile(rng: np.random.Generator) -> Args:
    n, s = _size(rng), _scale(rng)
    shape = (n,) if rng.integers(2) else (n, int(rng.integers(1, 4)))
    return {
        "y_true": rng.normal(size=shape) * s,
        "y_pred": rng.normal(size=shape) * s,
        "sample_weight": rng.uniform(0.1, 2.0, size=n) if rng.integers(2) else None,
        "alpha": float(rng.uniform(0.05, 0.95)),
        "multioutput": str(rng.choice(["uniform_average", "raw_values"])),
    }


def draw_brier(rng: np.random.Generator) -> Args:
    n = _size(rng) + 1
    p = rng.uniform(size=n)
    p[rng.uniform(size=n) < 0.1] = 0.0
    p[rng.uniform(size=n) < 0.1] = 1.0
    y = rng.integers(0, 2, size=n).astype(float)
    y[0], y[1] = 0.0, 1.0  # both classes present, as sklearn's label checks expect
    return {
        "y_true": y,
        "y_proba": p,
        "sample_weight": rng.uniform(0.1, 2.0, size=n) if rng.integers(2) else None,
    }


def draw_dice(rng: np.random.Generator) -> Args:
    n, h, w = _size(rng), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    target = (rng.uniform(size=(n, h, w)) < 0.4).astype(float)
    target[rng.uniform(size=n) < 0.2] = 0.0  # some empty masks
    return {
        "input": rng.uniform(size=(n, h, w)),
        "target": target,
        "smooth": float(rng.choice([1.0, 1e-5, 0.1])),
        "reduction": _reduction(rng),
    }


def draw_info_nce(rng: np.random.Generator) -> Args:
    n, d, s = int(rng.integers(2, 12)), int(rng.integers(2, 8)), _scale(rng)
    return {
        "query": rng.normal(size=(n, d)) * s,
        "positive_key": rng.normal(size=(n, d)) * s,
        "temperature": float(rng.choice([0.05, 0.1, 0.5, 1.0])),
        "reduction": _reduction(rng),
    }


def draw_distillation(rng: np.random.Generator) -> Args:
    n, k = _size(rng), int(rng.integers(2, 8))
    s = float(rng.choice([0.1, 1.0, 5.0, 30.0]))
    return {
        "student_logits": rng.normal(size=(n, k)) * s,
        "teacher_logits": rng.normal(size=(n, k)) * s,
        "temperature": float(rng.choice([1.0, 2.0, 4.0, 10.0])),
        "reduction": _reduction(rng, ("batchmean",)),
    }


# ----------------------------------------------------------------------------- torch references


def ref_dice(input: Any, target: Any, smooth: float, reduction: str) -> Any:
    """The soft Dice loss as this project defines it: per sample (first axis),
    1 - (2 Σ p t + smooth) / (Σ p + Σ t + smooth)."""
    p, t = input.reshape(input.shape[0], -1), target.reshape(target.shape[0], -1)
    loss = 1 - (2 * (p * t).sum(1) + smooth) / (p.sum(1) + t.sum(1) + smooth)
    return _torch_reduce(loss, reduction)


def ref_info_nce(query: Any, positive_key: Any, temperature: float, reduction: str) -> Any:
    """info-nce-pytorch's info_nce with negative_keys=None (in-batch negatives)."""
    q, k = F.normalize(query, dim=-1), F.normalize(positive_key, dim=-1)
    logits = q @ k.transpose(-2, -1)
    labels = torch.arange(len(q))
    return F.cross_entropy(logits / temperature, labels, reduction=reduction)


def ref_distillation(
    student_logits: Any, teacher_logits: Any, temperature: float, reduction: str
) -> Any:
    """Hinton et al.'s soft-target term as commonly written in torch."""
    return temperature**2 * F.kl_div(
        F.log_softmax(student_logits / temperature, dim=-1),
        F.softmax(teacher_logits / temperature, dim=-1),
        reduction=reduction,
    )


def ref_quantile_torch(
    y_true: Any, y_pred: Any, sample_weight: Any, alpha: float, multioutput: str
) -> Any:
    d = y_true - y_pred
    loss = alpha * torch.clamp(d, min=0) + (1 - alpha) * torch.clamp(-d, min=0)
    if loss.ndim == 1:
        loss = loss[:, None]
    w = torch.ones(loss.shape[0], dtype=loss.dtype) if sample_weight is None else sample_weight
    per_output = (loss * w[:, None]).sum(0) / w.sum()
    return per_output if multioutput == "raw_values" else per_output.mean()


def ref_brier_torch(y_true: Any, y_proba: Any, sample_weight: Any, pos_label: Any = None) -> Any:
    w = torch.ones_like(y_proba) if sample_weight is None else sample_weight
    return (w * (y_proba - y_true) ** 2).sum() / w.sum()


def _torch_reduce(loss: Any, reduction: str) -> Any:
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def _numpy(kwargs: Args) -> Args:
    return {
        k: (v.detach().numpy() if isinstance(v, torch.Tensor) else v) for k, v in kwargs.items()
    }


CASES: list[Case] = [
    Case(
        "kl_div", "F.kl_div", draw_kl,
        lambda **a: F.kl_div(**a),
        {"input": "GRAD"},
        summands=True,
    ),
    Case(
        "poisson_nll", "F.poisson_nll_loss", draw_poisson,
        lambda **a: F.poisson_nll_loss(**a),
        {"input": "GRAD"},
    ),
    Case(
        "gaussian_nll", "F.gaussian_nll_loss", draw_gaussian,
        lambda **a: F.gaussian_nll_loss(**a),
        {"input": "GRAD", "var": "gaussian_nll_var_grad"},
    ),
    Case(
        "smooth_l1", "F.smooth_l1_loss", draw_smooth_l1,
        lambda **a: F.smooth_l1_loss(**a),
        {"input": "GRAD"},
    ),
    Case(
        "margin_ranking", "F.margin_ranking_loss", draw_margin_ranking,
        lambda **a: F.margin_ranking_loss(**a),
        {"input1": "GRAD"},
    ),
    Case(
        "cosine_embedding", "F.cosine_embedding_loss", draw_cosine,
        lambda **a: F.cosine_embedding_loss(**a),
        {"input1": "GRAD"},
    ),
    Case(
        "triplet_margin", "F.triplet_margin_loss", draw_triplet,
        lambda **a: F.triplet_margin_loss(**a),
        {"anchor": "GRAD"},
    ),
    Case(
        "nll", "F.nll_loss", draw_nll,
        lambda **a: F.nll_loss(**a),
        {"input": "GRAD"},
        integer=("target",),
    ),
    Case(
        "quantile", "sklearn mean_pinball_loss", draw_quantile,
        ref_quantile_torch,
        {"y_pred": "GRAD"},
        sklearn_loss=lambda **a: mean_pinball_loss(**_numpy(a)),
    ),
    Case(
        "brier", "sklearn brier_score_loss", draw_brier,
        ref_brier_torch,
        {"y_proba": "GRAD"},
        sklearn_loss=lambda **a: brier_score_loss(**_numpy(a)),
    ),
    Case(
        "dice", "soft Dice formula (torch)", draw_dice,
        ref_dice,
        {"input": "GRAD"},
    ),
    Case(
        "info_nce", "info-nce-pytorch formula", draw_info_nce,
        ref_info_nce,
        {"query": "GRAD", "positive_key": "info_nce_key_grad"},
    ),
    Case(
        "distillation", "T² · F.kl_div(log_softmax, softmax)", draw_distillation,
        ref_distillation,
        {"student_logits": "GRAD"},
        summands=True,
    ),
]  # fmt: skip


def ours(case: Case) -> Callable[..., Any]:
    """Our loss function for ``case``."""
    return REGISTRY[case.name].function


def our_gradient(case: Case, wrt: str) -> Callable[..., Any]:
    """Our gradient function for ``case`` with respect to the argument ``wrt``."""
    name = case.grads[wrt]
    module = importlib.import_module(f"quizapp.losses.{REGISTRY[case.name].family}")
    return getattr(module, f"{case.name}_grad" if name == "GRAD" else name)  # type: ignore[no-any-return]


def tensors(case: Case, kwargs: Args, wrt: str | None = None) -> Args:
    """``kwargs`` with every array as a float64 tensor (int64 for labels); ``wrt`` requires grad."""
    out: Args = {}
    for key, value in kwargs.items():
        if isinstance(value, np.ndarray):
            dtype = torch.int64 if key in case.integer else torch.float64
            value = torch.tensor(value, dtype=dtype, requires_grad=key == wrt)
        out[key] = value
    return out


def reference(case: Case, kwargs: Args, wrt: str | None = None) -> tuple[np.ndarray, Any]:
    """The reference loss (as an array) and, with ``wrt``, its gradient with respect to that
    argument: of the reduced loss, or of the sum of the per-sample losses for 'none'."""
    t = tensors(case, kwargs, wrt)
    value = case.torch_loss(**t)
    grad = None
    if wrt is not None:
        value.sum().backward()
        grad = t[wrt].grad.numpy()
    return value.detach().numpy(), grad


def relative(ours: Any, theirs: Any, normwise: bool = False, floor: float = 0.0) -> float:
    """The largest |ours - theirs| / |theirs| over the elements (inf on a shape or finiteness
    mismatch). With ``normwise`` each difference is divided by the largest |theirs| instead:
    for gradients, whose tiny elements (a student already matching its teacher on one class)
    are differences of nearly equal numbers and carry only absolute accuracy."""
    a, b = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    if a.shape != b.shape or not (np.isfinite(a) == np.isfinite(b)).all():
        return float("inf")
    if not a.size:
        return 0.0
    diff = np.maximum(np.abs(a - b) - floor, 0.0)  # ``floor``: an absolute rounding allowance
    scale = np.full_like(b, np.abs(b).max()) if normwise else np.abs(b)
    return float((diff / np.maximum(scale, 1e-300)).max())
