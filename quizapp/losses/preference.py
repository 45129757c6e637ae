"""Preference and RL losses of the third deck: the Bradley–Terry reward-model loss, DPO (TRL's
sigmoid loss) and PPO's clipped surrogate.

Each keeps the argument names of its reference (TRL's ``DPOTrainer.dpo_loss`` for DPO) and is a
mean over the pairs or tokens given; ``NAME_grad`` is the gradient with respect to the first
argument (the chosen reward, the policy's chosen log-probs, the new log-probs) and
``NAME_steps`` the worked steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quizapp.losses.common import _array, _same_shape, sigmoid
from quizapp.losses.options import _number, _per_sample
from quizapp.losses.text import num, paren


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log σ(x) = −softplus(−x), finite for any finite x."""
    return -np.logaddexp(0.0, -x)


def _mean_line(per: np.ndarray, what: str) -> list[str]:
    n = per.size
    if n == 1:
        return [f"One {what}: the loss is {num(float(per[0]))}"]
    return [f"Mean over the {n} {what}s: {num(float(per.sum()))} / {n} = {num(float(per.mean()))}"]


# --------------------------------------------------------------------------- Bradley–Terry


def _bt_inputs(chosen: Any, rejected: Any, margin: Any) -> tuple[np.ndarray, ...]:
    c = np.ravel(_array(chosen, "chosen"))
    r = np.ravel(_array(rejected, "rejected"))
    _same_shape(c, "chosen", r, "rejected")
    m = np.ravel(_array(margin, "margin"))
    if m.size not in (1, c.size):
        raise ValueError(f"margin has {m.size} values; give one number or one per pair ({c.size})")
    return c, r, np.broadcast_to(m, c.shape)


def bradley_terry(chosen: Any, rejected: Any, margin: Any = 0.0) -> float:
    """The reward-model loss: mean of −log σ(r_chosen − r_rejected − margin) over the pairs
    (Bradley–Terry; the margin as in Llama 2's reward model, 0 by default)."""
    c, r, m = _bt_inputs(chosen, rejected, margin)
    return float(np.mean(-_log_sigmoid(c - r - m)))


def bradley_terry_grad(chosen: Any, rejected: Any, margin: Any = 0.0) -> np.ndarray:
    """d / d r_chosen = −σ(−(r_w − r_l − m)) / N; d / d r_rejected is its negative."""
    c, r, m = _bt_inputs(chosen, rejected, margin)
    return -sigmoid(-(c - r - m)) / c.size


def bradley_terry_steps(chosen: Any, rejected: Any, margin: Any = 0.0) -> list[str]:
    c, r, m = _bt_inputs(chosen, rejected, margin)
    per = -_log_sigmoid(c - r - m)
    describe = lambda i: (  # noqa: E731
        f"d = {num(c[i])} − {paren(r[i])} − {paren(m[i])} = {num(c[i] - r[i] - m[i])}, "
        f"σ(d) = {num(float(sigmoid(c[i] - r[i] - m[i])))}, −ln σ(d)"
    )
    head = "loss = −ln σ(r_chosen − r_rejected − margin): the chance the chosen reply wins"
    return [head, *_per_sample(per, describe), *_mean_line(per, "pair")]


# --------------------------------------------------------------------------- DPO


def _dpo_inputs(
    pc: Any, pr: Any, rc: Any, rr: Any, beta: float, label_smoothing: float
) -> tuple[np.ndarray, np.ndarray, float, float]:
    names = (
        "policy_chosen_logps",
        "policy_rejected_logps",
        "reference_chosen_logps",
        "reference_rejected_logps",
    )
    arrays = [np.ravel(_array(v, n)) for v, n in zip((pc, pr, rc, rr), names, strict=True)]
    for a, n in zip(arrays[1:], names[1:], strict=True):
        _same_shape(arrays[0], names[0], a, n)
    beta = _number(beta, "beta", 0.0, strict=True)
    eps = _number(label_smoothing, "label_smoothing", 0.0)
    if eps > 0.5:
        raise ValueError(
            f"label_smoothing must be in [0, 0.5] (the chance a label is flipped), got {eps!r}"
        )
    chosen = arrays[0] - arrays[2]  # log π(y_w|x) − log π_ref(y_w|x)
    rejected = arrays[1] - arrays[3]
    return chosen, rejected, beta, eps


def dpo(
    policy_chosen_logps: Any,
    policy_rejected_logps: Any,
    reference_chosen_logps: Any,
    reference_rejected_logps: Any,
    beta: float = 0.1,
    label_smoothing: float = 0.0,
) -> float:
    """DPO as TRL's sigmoid loss: h = (log π_w − log π_ref,w) − (log π_l − log π_ref,l), and the
    mean of −(1 − ε) log σ(β h) − ε log σ(−β h) (ε: conservative DPO's label smoothing)."""
    chosen, rejected, beta, eps = _dpo_inputs(
        policy_chosen_logps,
        policy_rejected_logps,
        reference_chosen_logps,
        reference_rejected_logps,
        beta,
        label_smoothing,
    )
    bh = beta * (chosen - rejected)
    return float(np.mean(-(1.0 - eps) * _log_sigmoid(bh) - eps * _log_sigmoid(-bh)))


def dpo_grad(
    policy_chosen_logps: Any,
    policy_rejected_logps: Any,
    reference_chosen_logps: Any,
    reference_rejected_logps: Any,
    beta: float = 0.1,
    label_smoothing: float = 0.0,
) -> np.ndarray:
    """d / d log π(y_w|x) = β (−(1 − ε) σ(−β h) + ε σ(β h)) / N."""
    chosen, rejected, beta, eps = _dpo_inputs(
        policy_chosen_logps,
        policy_rejected_logps,
        reference_chosen_logps,
        reference_rejected_logps,
        beta,
        label_smoothing,
    )
    bh = beta * (chosen - rejected)
    return beta * (-(1.0 - eps) * sigmoid(-bh) + eps * sigmoid(bh)) / chosen.size


def dpo_steps(
    policy_chosen_logps: Any,
    policy_rejected_logps: Any,
    reference_chosen_logps: Any,
    reference_rejected_logps: Any,
    beta: float = 0.1,
    label_smoothing: float = 0.0,
) -> list[str]:
    chosen, rejected, beta, eps = _dpo_inputs(
        policy_chosen_logps,
        policy_rejected_logps,
        reference_chosen_logps,
        reference_rejected_logps,
        beta,
        label_smoothing,
    )
    bh = beta * (chosen - rejected)
    per = -(1.0 - eps) * _log_sigmoid(bh) - eps * _log_sigmoid(-bh)
    lines = [
        "Log-ratios: chosen = log π(y_w) − log π_ref(y_w), rejected = log π(y_l) − log π_ref(y_l)",
        f"Implicit rewards are β × the log-ratios, β = {num(beta)}; h = chosen − rejected",
    ]
    if eps:
        lines.append(f"Label smoothing ε = {num(eps)}: −(1 − ε)·ln σ(βh) − ε·ln σ(−βh)")
    else:
        lines.append("loss = −ln σ(β·h)")
    describe = lambda i: (  # noqa: E731
        f"chosen {num(chosen[i])}, rejected {num(rejected[i])}, "
        f"h = {num(chosen[i] - rejected[i])}, "
        f"β·h = {num(bh[i])}, σ(β·h) = {num(float(sigmoid(bh[i])))}, loss"
    )
    return [*lines, *_per_sample(per, describe), *_mean_line(per, "pair")]


# --------------------------------------------------------------------------- PPO-clip


def _ppo_inputs(
    logp: Any, old_logp: Any, advantages: Any, clip_eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    lp = np.ravel(_array(logp, "logp"))
    old = np.ravel(_array(old_logp, "old_logp"))
    adv = np.ravel(_array(advantages, "advantages"))
    _same_shape(lp, "logp", old, "old_logp")
    _same_shape(lp, "logp", adv, "advantages")
    eps = _number(clip_eps, "clip_eps", 0.0)
    if eps >= 1.0:
        raise ValueError(f"clip_eps must be in [0, 1) (PPO uses 0.1-0.3), got {clip_eps!r}")
    ratio = np.exp(lp - old)
    if not np.isfinite(ratio).all():
        raise ValueError(
            "logp − old_logp is so large that the ratio overflows; check the log-probs"
        )
    return ratio, adv, lp, eps


def ppo_clip(logp: Any, old_logp: Any, advantages: Any, clip_eps: float = 0.2) -> float:
    """PPO's clipped surrogate as a loss: the mean of −min(r·A, clip(r, 1 − ε, 1 + ε)·A) with
    r = exp(logp − old_logp) (Schulman et al., 2017)."""
    r, a, _, eps = _ppo_inputs(logp, old_logp, advantages, clip_eps)
    return float(np.mean(-np.minimum(r * a, np.clip(r, 1.0 - eps, 1.0 + eps) * a)))


def ppo_clip_grad(logp: Any, old_logp: Any, advantages: Any, clip_eps: float = 0.2) -> np.ndarray:
    """d / d logp = −r·A / N where the unclipped term is the minimum (r inside [1 − ε, 1 + ε],
    or the clip would raise the objective), and 0 where the clipped constant wins."""
    r, a, _, eps = _ppo_inputs(logp, old_logp, advantages, clip_eps)
    clipped = np.clip(r, 1.0 - eps, 1.0 + eps) * a
    live = (r * a <= clipped) | ((r >= 1.0 - eps) & (r <= 1.0 + eps))
    return np.where(live, -r * a, 0.0) / r.size


def ppo_clip_steps(logp: Any, old_logp: Any, advantages: Any, clip_eps: float = 0.2) -> list[str]:
    r, a, _, eps = _ppo_inputs(logp, old_logp, advantages, clip_eps)
    c = np.clip(r, 1.0 - eps, 1.0 + eps)
    per = -np.minimum(r * a, c * a)
    head = f"r = exp(logp − old_logp); loss = −min(r·A, clip(r, {num(1 - eps)}, {num(1 + eps)})·A)"
    describe = lambda i: (  # noqa: E731
        f"r = {num(r[i])}, A = {num(a[i])}: −min({num(r[i] * a[i])}, {num(c[i] * a[i])})"
    )
    return [head, *_per_sample(per, describe), *_mean_line(per, "token")]
