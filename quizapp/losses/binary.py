"""Binary classification losses: BCE on probabilities, BCE on logits and sigmoid focal loss,
their gradients and their worked steps."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from quizapp.losses.common import (
    _EXP_LOG_CLAMP,
    BCE_GRAD_EPSILON,
    LOG_CLAMP,
    Loss,
    _array,
    _check_reduction,
    _eps,
    _grad_scale,
    _in_unit_interval,
    _is_number,
    _log_is_live,
    _reduce,
    _same_shape,
    _softplus_pair,
    _softplus_tail,
    _weight,
    sigmoid,
)
from quizapp.losses.text import (
    _label,
    _more,
    _shown,
    num,
    paren,
    reduction_lines,
)


def _bce_inputs(
    y_true: Any, p: Any, weight: Any, eps: float | None, reduction: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, float | None, bool]:
    """Validated (y, p, weight, eps, whether some log of p or 1 - p falls below -100)."""
    _check_reduction(reduction)
    eps = _eps(eps)
    # The range checks below also catch NaN and infinity.
    y = _array(y_true, "y_true", finite=False)
    prob = _array(p, "p", finite=False)
    _same_shape(y, "y_true", prob, "p")
    _in_unit_interval(y, "y_true", " (0 or 1, or a soft label between)")
    lo, hi = _in_unit_interval(prob, "p", " (use bce_with_logits for raw scores)")
    w = None if weight is None else _weight(weight, "weight", prob.shape, "p")
    # Only a p below e^-100 or exactly 1 has a log below -100 (1 - p >= 2^-53 for any p < 1).
    return y, prob, w, eps, lo < _EXP_LOG_CLAMP or hi == 1.0


def bce(
    y_true: Any,
    p: Any,
    weight: Any = None,
    reduction: str = "mean",
    eps: float | None = None,
) -> Loss:
    """Binary cross-entropy on probabilities: -w [y log p + (1 - y) log(1 - p)].

    As ``F.binary_cross_entropy``: each log is clamped at -100, ``weight`` rescales each element
    (it broadcasts to ``p``) and the mean divides by the number of elements, not by the weights.
    With ``eps`` the notes' convention is used instead: p is clipped to [eps, 1 - eps].
    """
    y, prob, w, eps, needs_clamp = _bce_inputs(y_true, p, weight, eps, reduction)
    if eps is not None:
        prob = np.clip(prob, eps, 1.0 - eps)
    if eps is None and needs_clamp:
        with np.errstate(divide="ignore"):  # log(0) = -inf, clamped next
            log_p = np.maximum(np.log(prob), LOG_CLAMP)
            log_q = np.maximum(np.log1p(-prob), LOG_CLAMP)
    else:
        log_p, log_q = np.log(prob), np.log1p(-prob)
    # (1 - y) log(1 - p) is formed as log_q - y log_q, which is exact for a label of 0 or 1
    # (and avoids a scalar operation, the main cost on a handful of values).
    loss = y * log_q
    np.subtract(log_q, loss, out=loss)
    log_p *= y
    loss += log_p
    if w is not None:
        loss *= w
    # 0 - x rather than -x, so that a perfect prediction shows 0 and not -0.
    if reduction == "none":
        return np.subtract(0.0, loss, out=loss)
    return 0.0 - _reduce(loss, reduction)


def bce_grad(
    y_true: Any,
    p: Any,
    weight: Any = None,
    reduction: str = "mean",
    eps: float | None = None,
) -> np.ndarray:
    """d bce / d p = w (p - y) / (p (1 - p)).

    With the clamp convention this is torch's backward, which divides by max(p (1 - p), 1e-12)
    so it stays finite at p = 0 and 1. With ``eps`` the gradient is 0 where p was clipped.
    """
    y, prob, w, eps, _ = _bce_inputs(y_true, p, weight, eps, reduction)
    if eps is None:
        grad = (prob - y) / np.maximum(prob * (1.0 - prob), BCE_GRAD_EPSILON)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = np.where(_log_is_live(prob, eps), (prob - y) / (prob * (1.0 - prob)), 0.0)
    if w is not None:
        grad = grad * w
    return grad * _grad_scale(reduction, prob.size)


def _bce_logit_inputs(
    y_true: Any, logits: Any, weight: Any, pos_weight: Any, reduction: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]:
    _check_reduction(reduction)
    y = _array(y_true, "y_true", finite=False)  # the range check catches NaN
    z = _array(logits, "logits")
    _same_shape(y, "y_true", z, "logits")
    _in_unit_interval(y, "y_true", " (0 or 1, or a soft label between)")
    w = None if weight is None else _weight(weight, "weight", z.shape, "logits")
    pw = None if pos_weight is None else _weight(pos_weight, "pos_weight", z.shape, "logits")
    return y, z, w, pw


def bce_with_logits(
    y_true: Any,
    logits: Any,
    weight: Any = None,
    pos_weight: Any = None,
    reduction: str = "mean",
) -> Loss:
    """Binary cross-entropy on logits z, as ``F.binary_cross_entropy_with_logits``:
    w [pos_weight * y * softplus(-z) + (1 - y) * softplus(z)].

    Since -log sigmoid(z) = softplus(-z) and -log(1 - sigmoid(z)) = softplus(z), no probability is
    formed and no log of 0 is taken: logits of +-1000 give 0 or 1000, not NaN. ``pos_weight``
    multiplies the positive term (it broadcasts along the last axis, one value per class).
    """
    y, z, w, pw = _bce_logit_inputs(y_true, logits, weight, pos_weight, reduction)
    if pw is None:
        # y softplus(-z) + (1 - y) softplus(z) = max(z, 0) - y z + log(1 + e^-|z|). For a label
        # of 0 or 1 the first difference is exact (z - z or 0 - 0), and the tail is added to a
        # non-negative number, so a tiny loss (a confident right answer) keeps every digit.
        # torch's (1 - y) z + max(-z, 0) + tail loses them: it is 1.3% off at z = -30, y = 0.
        loss = np.maximum(z, 0.0)
        loss -= y * z
        loss += _softplus_tail(z)
    else:
        sp_pos, sp_neg = _softplus_pair(z)  # -log(1 - sigmoid(z)), -log sigmoid(z)
        sp_neg *= pw * y
        sp_pos *= 1.0 - y
        loss = np.add(sp_pos, sp_neg, out=sp_pos)
    if w is not None:
        loss *= w
    return _reduce(loss, reduction)


def bce_with_logits_grad(
    y_true: Any,
    logits: Any,
    weight: Any = None,
    pos_weight: Any = None,
    reduction: str = "mean",
) -> np.ndarray:
    """d/dz = w [(1 - y) sigmoid(z) - pos_weight * y * sigmoid(-z)]; sigmoid(z) - y without
    weights."""
    y, z, w, pw = _bce_logit_inputs(y_true, logits, weight, pos_weight, reduction)
    # Without pos_weight this is sigmoid(z) - y.
    positive = y if pw is None else pw * y
    grad = (1.0 - y) * sigmoid(z) - positive * sigmoid(-z)
    if w is not None:
        grad = grad * w
    return grad * _grad_scale(reduction, z.size)


def _focal_inputs(
    y_true: Any, logits: Any, alpha: float | None, gamma: float, reduction: str
) -> tuple[np.ndarray, np.ndarray, float | None, float]:
    _check_reduction(reduction)
    y = _array(y_true, "y_true")
    z = _array(logits, "logits")
    _same_shape(y, "y_true", z, "logits")
    _in_unit_interval(y, "y_true", " (0 or 1, or a soft label between)")
    if alpha is not None:
        if not _is_number(alpha) or math.isnan(alpha):
            raise ValueError(f"alpha must be a number in [0, 1] or None, got {alpha!r}")
        if alpha > 1:
            raise ValueError(
                f"alpha must be in [0, 1] (or None, or negative as in torchvision, for no "
                f"class weighting); got {alpha!r}"
            )
        alpha = float(alpha) if alpha >= 0 else None
    if not _is_number(gamma) or not 0 <= gamma < math.inf:
        raise ValueError(f"gamma must be a number >= 0, got {gamma!r}")
    return y, z, alpha, float(gamma)


def _focal_parts(
    y: np.ndarray, z: np.ndarray, alpha: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | float]:
    """p = sigmoid(z), the BCE term, q = 1 - p_t and alpha_t."""
    sp_pos, sp_neg = _softplus_pair(z)
    ce = y * sp_neg + (1.0 - y) * sp_pos
    p = sigmoid(z)
    # 1 - p_t written as p (1 - y) + (1 - p) y, with 1 - p = sigmoid(-z): no cancellation for
    # easy examples, where p_t is close to 1.
    q = p * (1.0 - y) + sigmoid(-z) * y
    alpha_t: np.ndarray | float = 1.0 if alpha is None else alpha * y + (1.0 - alpha) * (1.0 - y)
    return p, ce, q, alpha_t


def focal(
    y_true: Any,
    logits: Any,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: str = "mean",
) -> Loss:
    """Sigmoid focal loss, as ``torchvision.ops.sigmoid_focal_loss``:
    alpha_t (1 - p_t)^gamma BCE(y, z), with p = sigmoid(z), p_t = p if y = 1 else 1 - p, and
    alpha_t = alpha for positives, 1 - alpha for negatives (no weighting when alpha is None or
    negative). torchvision's default reduction is "none"; here it is "mean" like every loss.
    """
    y, z, alpha, gamma = _focal_inputs(y_true, logits, alpha, gamma, reduction)
    _, ce, q, alpha_t = _focal_parts(y, z, alpha)
    return _reduce(alpha_t * ce * q**gamma, reduction)


def focal_grad(
    y_true: Any,
    logits: Any,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: str = "mean",
) -> np.ndarray:
    """d focal / dz = alpha_t [(p - y) q^gamma + gamma * BCE * q^(gamma - 1) * p (1 - p) (1 - 2y)]
    with q = 1 - p_t (product rule on BCE and the modulating factor)."""
    y, z, alpha, gamma = _focal_inputs(y_true, logits, alpha, gamma, reduction)
    p, ce, q, alpha_t = _focal_parts(y, z, alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        # q = 0 only when the example is saturated and exactly right; then p (1 - p) = 0 too
        # and the term's limit is 0.
        modulating_slope = np.where(q > 0, gamma * q ** (gamma - 1.0), 0.0)
    grad = (p - y) * q**gamma + ce * modulating_slope * p * sigmoid(-z) * (1.0 - 2.0 * y)
    return alpha_t * grad * _grad_scale(reduction, z.size)


# --------------------------------------------------------------------------- worked steps


def _bce_term(y: float, p: float, pos_weight: float | None = None) -> str:
    """The BCE expression of one sample with the numbers in (natural logs), without its value."""
    pw = "" if pos_weight is None else f"{num(pos_weight)}·"
    if y == 1:
        return f"-{pw}ln({num(p)})"
    if y == 0:
        return f"-ln(1 - {num(p)})"
    return f"-({pw}{num(y)}·ln({num(p)}) + {num(1 - y)}·ln(1 - {num(p)}))"


def _weighted(w: float, term: str) -> str:
    return f"{num(w)}·({term})"


def bce_steps(
    y_true: Any,
    p: Any,
    weight: Any = None,
    reduction: str = "mean",
    eps: float | None = None,
) -> list[str]:
    per = np.ravel(bce(y_true, p, weight=weight, reduction="none", eps=eps))
    y, prob = np.ravel(y_true).astype(float), np.ravel(p).astype(float)
    w = None if weight is None else np.ravel(np.broadcast_to(weight, np.shape(p))).astype(float)
    formula = "-[y·ln(p) + (1 - y)·ln(1 - p)]"
    if w is None:
        lines = [f"BCE per sample: {formula}; only the true label's term is left"]
    else:  # the header must show the weight the lines below apply
        lines = [f"Weighted BCE per sample: w·({formula}), w = that sample's weight"]
    if eps is not None and ((prob < eps) | (prob > 1 - eps)).any():
        lines.append(f"p is first clipped to [{num(eps)}, 1 - {num(eps)}] (a common convention)")
        prob = np.clip(prob, eps, 1 - eps)
    elif eps is None and ((prob < math.exp(-100)) | (prob == 1)).any():
        lines.append("A log of 0 is clamped at -100 (torch's convention), so that term costs 100")
    for i in _shown(prob.size):
        term = _bce_term(y[i], prob[i])
        if w is not None:
            term = _weighted(w[i], term)
        lines.append(
            f"{_label(i, prob.size)}y = {num(y[i])}, p = {num(prob[i])}: {term} = {num(per[i])}"
        )
    return [*lines, *_more(prob.size), *reduction_lines(per, reduction)]


def bce_with_logits_steps(
    y_true: Any,
    logits: Any,
    weight: Any = None,
    pos_weight: Any = None,
    reduction: str = "mean",
) -> list[str]:
    per = np.ravel(bce_with_logits(y_true, logits, weight, pos_weight, reduction="none"))
    y, z = np.ravel(y_true).astype(float), np.ravel(logits).astype(float)
    shape = np.shape(logits)
    w = None if weight is None else np.ravel(np.broadcast_to(weight, shape)).astype(float)
    pw = None if pos_weight is None else np.ravel(np.broadcast_to(pos_weight, shape)).astype(float)
    lines = ["First p = σ(z) = 1 / (1 + e^(-z)), then BCE on p"]
    if pw is not None:
        lines.append("pos_weight multiplies the positive term y·ln(p)")
    p = sigmoid(z)
    for i in _shown(z.size):
        if abs(z[i]) > 30:
            # sigmoid rounds to 0 or 1 here; the loss comes from z directly (softplus).
            term = f"ln(1 + e^({num(-z[i] if y[i] == 1 else z[i])})) (from z directly)"
        else:
            term = _bce_term(y[i], p[i], None if pw is None else pw[i])
        if w is not None:
            term = _weighted(w[i], term)
        lines.append(
            f"{_label(i, z.size)}z = {num(z[i])} → p = σ({num(z[i])}) = {num(p[i])}; "
            f"y = {num(y[i])}: {term} = {num(per[i])}"
        )
    return [*lines, *_more(z.size), *reduction_lines(per, reduction)]


def focal_steps(
    y_true: Any,
    logits: Any,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: str = "mean",
    probabilities_given: bool = False,
) -> list[str]:
    """With ``probabilities_given`` the logits came from probabilities the learner was shown, so
    the sigmoid step is left out."""
    per = np.ravel(focal(y_true, logits, alpha=alpha, gamma=gamma, reduction="none"))
    y, z = np.ravel(y_true).astype(float), np.ravel(logits).astype(float)
    p = sigmoid(z)
    weight = alpha if alpha is not None and alpha >= 0 else None  # None: no class weighting
    a_text = f"α_t = α = {num(weight)} for y = 1, 1 - α for y = 0; " if weight is not None else ""
    lines = [
        f"Focal loss per sample: α_t·(1 - p_t)^γ·(-ln p_t), p_t = p if y = 1 else 1 - p; "
        f"{a_text}γ = {num(gamma)}"
    ]
    for i in _shown(z.size):
        pt = p[i] if y[i] == 1 else 1 - p[i] if y[i] == 0 else None
        start = "" if probabilities_given else f"p = σ({num(z[i])}) = {num(p[i])}, "
        if pt is None:  # a soft label: state the general form
            lines.append(f"{_label(i, z.size)}{start}soft label y = {num(y[i])}: {num(per[i])}")
            continue
        at = (weight if y[i] == 1 else 1 - weight) if weight is not None else 1.0
        factor = f"{num(at)}·" if weight is not None else ""
        lines.append(
            f"{_label(i, z.size)}{start}y = {num(y[i])}: p_t = {num(pt)}, "
            f"(1 - p_t)^γ = {paren(1 - pt)}^{num(gamma)} = {num((1 - pt) ** gamma)}, "
            f"-ln(p_t) = {num(-math.log(pt)) if pt > 0 else 'inf'}; "
            f"{factor}{num((1 - pt) ** gamma)}·{num(-math.log(pt)) if pt > 0 else 'inf'} = "
            f"{num(per[i])}"
        )
    return [*lines, *_more(z.size), *reduction_lines(per, reduction)]
