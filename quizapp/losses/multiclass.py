"""Multi-class losses: categorical cross-entropy on probabilities (one-hot or class indices)
and cross-entropy on logits, their gradients and their worked steps."""

from __future__ import annotations

from typing import Any

import numpy as np

from quizapp.losses.common import (
    Loss,
    _array,
    _check_reduction,
    _eps,
    _grad_scale,
    _in_unit_interval,
    _is_number,
    _label_nll,
    _labels,
    _log_clamped,
    _log_is_live,
    _one_label_per_row,
    _probability_rows,
    _reduce,
    _require_finite,
    _rows,
    _weight,
    log_softmax,
    softmax,
)
from quizapp.losses.text import (
    MAX_CLASSES,
    _label,
    _more,
    _shown,
    num,
    reduction_lines,
    vector,
)


def _cce_inputs(
    y_onehot: Any, probs: Any, eps: float | None, reduction: str
) -> tuple[np.ndarray, np.ndarray, float | None, bool]:
    _check_reduction(reduction)
    eps = _eps(eps)
    p = _probability_rows(probs, "probs")
    y = _array(y_onehot, "y_onehot")
    y = _rows(y, "y_onehot")
    if y.shape != p.shape:
        raise ValueError(
            f"y_onehot has shape {y.shape} but probs has shape {p.shape}; they must match "
            "(for class indices use sparse_cce)"
        )
    _in_unit_interval(y, "y_onehot", " (a one-hot row, or class probabilities)")
    return y, p, eps, np.ndim(probs) == 1


def cce(y_onehot: Any, probs: Any, reduction: str = "mean", eps: float | None = None) -> Loss:
    """Categorical cross-entropy on probabilities: -sum_k y_k log p_k per sample.

    Rows of ``probs`` must sum to 1 (within 0.01). Logs are clamped at -100 as in torch, or with
    ``eps`` the probabilities are clipped to [eps, 1 - eps] as in the notes' ``cce_one_hot``.
    """
    y, p, eps, single = _cce_inputs(y_onehot, probs, eps, reduction)
    loss = -(y * _log_clamped(p, eps)).sum(axis=1)
    return _reduce(loss[0] if single and reduction == "none" else loss, reduction)


def cce_grad(
    y_onehot: Any, probs: Any, reduction: str = "mean", eps: float | None = None
) -> np.ndarray:
    """d cce / d p_k = -y_k / p_k, and 0 where the log was clamped or p clipped."""
    y, p, eps, single = _cce_inputs(y_onehot, probs, eps, reduction)
    with np.errstate(divide="ignore", invalid="ignore"):
        grad = np.where(_log_is_live(p, eps), -y / p, 0.0)
    grad *= _grad_scale(reduction, p.shape[0])
    return grad[0] if single else grad


def _sparse_inputs(
    labels: Any, probs: Any, eps: float | None, reduction: str
) -> tuple[np.ndarray, np.ndarray, float | None, bool]:
    _check_reduction(reduction)
    eps = _eps(eps)
    p = _probability_rows(probs, "probs")
    single = np.ndim(probs) == 1
    lab = _labels(labels, "labels", p.shape[1]).reshape(-1)
    _one_label_per_row(lab, "labels", p, "probs")
    return lab, p, eps, single


def sparse_cce(labels: Any, probs: Any, reduction: str = "mean", eps: float | None = None) -> Loss:
    """Cross-entropy from class indices and probabilities: -log p[label] per sample, the notes'
    ``cce_sparse`` (with ``eps``) or ``F.nll_loss(log(probs), labels)`` with the -100 clamp."""
    lab, p, eps, single = _sparse_inputs(labels, probs, eps, reduction)
    picked = p[np.arange(p.shape[0]), lab]
    loss = -_log_clamped(picked, eps)
    return _reduce(loss[0] if single and reduction == "none" else loss, reduction)


def sparse_cce_grad(
    labels: Any, probs: Any, reduction: str = "mean", eps: float | None = None
) -> np.ndarray:
    """d / d p = -1 / p at each sample's label, 0 elsewhere (and where clamped or clipped)."""
    lab, p, eps, single = _sparse_inputs(labels, probs, eps, reduction)
    rows = np.arange(p.shape[0])
    picked = p[rows, lab]
    grad = np.zeros_like(p)
    with np.errstate(divide="ignore"):
        grad[rows, lab] = np.where(_log_is_live(picked, eps), -1.0 / picked, 0.0)
    grad *= _grad_scale(reduction, p.shape[0])
    return grad[0] if single else grad


def _ce_inputs(
    y_true: Any,
    logits: Any,
    weight: Any,
    label_smoothing: float,
    reduction: str,
    ignore_index: int = -100,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, np.ndarray | None, float, bool]:
    """Validated (z, labels or None, target probabilities or None, weight or None, eps, single).
    Labels equal to ``ignore_index`` become -1: those rows count for nothing."""
    _check_reduction(reduction)
    if not _is_number(label_smoothing) or not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be a number in [0, 1], got {label_smoothing!r}")
    if not _is_number(ignore_index) or ignore_index != int(ignore_index):
        raise ValueError(f"ignore_index must be a whole number, got {ignore_index!r}")
    raw = _array(logits, "logits", finite=False)  # checked below, or by _label_nll
    z = _rows(raw, "logits")
    n_classes = z.shape[1]
    try:
        target_shape = np.shape(y_true)
    except ValueError:
        raise ValueError("y_true must be a list or array of equal-length rows") from None
    labels = targets = None
    if target_shape == raw.shape:
        targets = _rows(_array(y_true, "y_true"), "y_true")
        _in_unit_interval(targets, "y_true", " (class probabilities per row)")
    elif len(target_shape) == raw.ndim - 1:
        labels = _kept_labels(y_true, n_classes, int(ignore_index))
        _one_label_per_row(labels, "y_true", z, "logits")
    else:
        raise ValueError(
            f"y_true has shape {target_shape}; for logits of shape {raw.shape} give class "
            f"labels of shape {raw.shape[:-1]} or class probabilities of shape {raw.shape}"
        )
    w = None
    if weight is not None:
        w = _weight(weight, "weight", (n_classes,), "one row of logits (one per class)")
        w = np.broadcast_to(w, (n_classes,))
    return z, labels, targets, w, float(label_smoothing), raw.ndim == 1


def _kept_labels(y_true: Any, n_classes: int, ignore_index: int) -> np.ndarray:
    """Class labels with every ``ignore_index`` (which may lie outside 0..C-1, as torch's
    default -100 does) replaced by -1 and the others checked to be classes."""
    raw = np.asarray(y_true)
    if raw.dtype.kind in "iuf" and raw.size:
        ignored = np.ravel(raw == ignore_index)
        if ignored.any():
            kept = np.ravel(raw).astype(np.float64)
            kept[ignored] = 0.0
            labels = _labels(kept.reshape(raw.shape), "y_true", n_classes).reshape(-1)
            labels[ignored] = -1
            return labels
    return _labels(y_true, "y_true", n_classes).reshape(-1)


def _ce_target_weights(
    z: np.ndarray,
    labels: np.ndarray | None,
    targets: np.ndarray | None,
    w: np.ndarray | None,
    eps: float,
) -> tuple[np.ndarray, float]:
    """The matrix a with loss_n = -sum_c a[n, c] log softmax(z_n)_c, and the mean's divisor.

    This is torch's rule: for class labels the loss is (1 - eps) w[y] (-log p_y) plus
    eps / C * sum_c w_c (-log p_c), and the mean divides by sum_n w[y_n]; for class-probability
    targets the target becomes (1 - eps) t + eps / C, each class term is multiplied by w_c, and
    the mean divides by N.
    """
    n, c = z.shape
    ones = np.ones(c) if w is None else w
    if labels is not None:
        kept = labels >= 0  # ignore_index rows were marked -1 and count for nothing
        rows, classes = np.arange(n)[kept], labels[kept]
        a = np.zeros_like(z)
        a[rows, classes] = (1.0 - eps) * ones[classes]
        if eps:
            a[kept] += (eps / c) * ones
        divisor = float(ones[classes].sum())
        if divisor == 0.0:
            raise ValueError(
                "weight is 0 for every target class in this batch (or every label is "
                "ignore_index), so the weighted mean is undefined (torch returns NaN); use "
                "reduction='sum' or other weights"
            )
        return a, divisor
    assert targets is not None
    smoothed = targets * (1.0 - eps) + eps / c if eps else targets
    return smoothed * ones, float(n)


def cross_entropy(
    y_true: Any,
    logits: Any,
    weight: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> Loss:
    """Cross-entropy from logits with exactly the semantics of ``F.cross_entropy``.

    ``y_true`` is either class labels (one per row of ``logits``) or class probabilities (the
    shape of ``logits``). ``logits`` is (N, C), or (C,) for one sample. ``weight`` (one value per
    class) rescales each class; with labels the mean then divides by the sum of the weights of the
    target classes, with probability targets by N. ``label_smoothing`` eps mixes the target with
    the uniform distribution: (1 - eps) * target + eps / C. A label equal to ``ignore_index``
    (torch's default -100: padding) gives that row a loss of 0, and the mean divides by the
    (weights of the) rows that are left, as torch does.
    """
    z, labels, targets, w, eps, single = _ce_inputs(
        y_true, logits, weight, label_smoothing, reduction, ignore_index
    )
    if labels is not None and w is None and not eps and (labels >= 0).all():
        # The common case needs only each row's true class, not the whole log-softmax.
        loss = _label_nll(z, labels)
        divisor = float(z.shape[0])
    else:
        _require_finite(z, "logits")
        a, divisor = _ce_target_weights(z, labels, targets, w, eps)
        loss = -np.einsum("nc,nc->n", a, log_softmax(z))  # -sum_c a[n, c] log p[n, c]
    if reduction == "none":
        return loss[0] if single else loss
    return _reduce(loss, reduction, divisor)


def cross_entropy_grad(
    y_true: Any,
    logits: Any,
    weight: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    ignore_index: int = -100,
) -> np.ndarray:
    """d / dz = sum_c(a) * softmax(z) - a per row (softmax(z) - onehot(y) in the plain case),
    divided by the same divisor as the mean."""
    z, labels, targets, w, eps, single = _ce_inputs(
        y_true, logits, weight, label_smoothing, reduction, ignore_index
    )
    a, divisor = _ce_target_weights(z, labels, targets, w, eps)
    _require_finite(z, "logits")
    grad = a.sum(axis=1, keepdims=True) * softmax(z) - a
    if reduction == "mean":
        grad /= divisor
    return grad[0] if single else grad


# --------------------------------------------------------------------------- worked steps


def _as_rows(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    return arr[None, :] if arr.ndim == 1 else arr


def cce_steps(
    y_onehot: Any, probs: Any, reduction: str = "mean", eps: float | None = None
) -> list[str]:
    per = np.atleast_1d(cce(y_onehot, probs, reduction="none", eps=eps))
    y, p = _as_rows(y_onehot), _as_rows(probs)
    lines = ["CCE per sample: -Σ_k y_k·ln(p_k); with a one-hot y only the true class counts"]
    for i in _shown(p.shape[0]):
        if set(y[i].tolist()) <= {0.0, 1.0} and y[i].sum() == 1:
            k = int(np.argmax(y[i]))
            term = f"true class {k}: -ln({num(p[i, k])})"
        else:
            parts = " + ".join(
                f"{num(y[i, k])}·ln({num(p[i, k])})" for k in range(p.shape[1]) if y[i, k]
            )
            term = f"-({parts})"
        lines.append(
            f"{_label(i, p.shape[0])}y = {vector(y[i])}, p = {vector(p[i])}: {term} = {num(per[i])}"
        )
    return [*lines, *_more(p.shape[0]), *reduction_lines(per, reduction)]


def sparse_cce_steps(
    labels: Any, probs: Any, reduction: str = "mean", eps: float | None = None
) -> list[str]:
    per = np.atleast_1d(sparse_cce(labels, probs, reduction="none", eps=eps))
    lab, p = np.ravel(labels).astype(int), _as_rows(probs)
    lines = ["Cross-entropy from a class index: -ln(p[label]) per sample"]
    for i in _shown(p.shape[0]):
        k = lab[i]
        lines.append(
            f"{_label(i, p.shape[0])}label {k}, p = {vector(p[i])}: -ln({num(p[i, k])}) = "
            f"{num(per[i])}"
        )
    return [*lines, *_more(p.shape[0]), *reduction_lines(per, reduction)]


def cross_entropy_steps(
    y_true: Any,
    logits: Any,
    weight: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    ignore_index: int = -100,
    probabilities_given: bool = False,
) -> list[str]:
    """With ``probabilities_given`` the logits are ln(p) of probabilities the learner was shown,
    so the softmax step is left out (softmax(ln p) = p)."""
    per = np.atleast_1d(
        cross_entropy(y_true, logits, weight, label_smoothing, "none", ignore_index)
    )
    z = _as_rows(logits)
    n, k = z.shape
    p = softmax(z)
    labels = None if np.shape(y_true) == np.shape(logits) else np.ravel(y_true).astype(int)
    ignored = np.zeros(n, dtype=bool) if labels is None else labels == ignore_index
    targets = _as_rows(y_true) if labels is None else np.eye(k)[np.where(ignored, 0, labels)]
    eps = float(label_smoothing)
    w = None if weight is None else np.broadcast_to(np.asarray(weight, dtype=float), (k,))
    lines = []
    if labels is not None:
        lines.append("Labels count from 0: label c is entry c + 1 of its row (label 0 the first)")
    if not probabilities_given:
        lines.append("Softmax first: p_k = e^(z_k) / Σ_j e^(z_j)")
    if eps:
        lines.append(
            f"Label smoothing ε = {num(eps)} over K = {k} classes: target t = (1 - ε)·y + ε/K, "
            f"so {num(1 - eps + eps / k)} for the true class and {num(eps / k)} for the others"
        )
    if w is not None:
        lines.append(f"Class weights w = {vector(w)} multiply each class's term")
    if ignored.any():
        lines.append(
            f"Rows whose label is ignore_index = {ignore_index} (padding) count for nothing: "
            f"loss 0, and left out of the mean's count"
        )
    for i in _shown(n):
        if ignored[i]:
            lines.append(f"{_label(i, n)}label {ignore_index}: ignored, 0")
            continue
        parts = []
        if not probabilities_given:
            if k <= MAX_CLASSES:
                exps = np.exp(z[i] - z[i].max())
                shift = "" if z[i].max() == 0 else f" (shifted by the max {num(z[i].max())})"
                parts.append(
                    f"e^z = {vector(exps)}{shift}, sum {num(exps.sum())}, p = {vector(p[i])}"
                )
            else:
                parts.append(f"p = softmax(z), largest {num(p[i].max())}")
        t = targets[i] * (1 - eps) + eps / k
        tw = t if w is None else t * w
        nonzero = [c for c in range(k) if tw[c]]
        if len(nonzero) == 1:
            c = nonzero[0]
            coef = "" if tw[c] == 1 else f"{num(tw[c])}·"
            parts.append(f"class {c}: -{coef}ln({num(p[i, c])}) = {num(per[i])}")
        else:
            terms = " + ".join(f"{num(tw[c])}·ln({num(p[i, c])})" for c in nonzero[:MAX_CLASSES])
            more = " + ..." if len(nonzero) > MAX_CLASSES else ""
            parts.append(f"-({terms}{more}) = {num(per[i])}")
        lines.append(_label(i, n) + "; ".join(parts))
    lines += _more(n)
    divisor = divisor_text = None
    if labels is not None and w is not None:
        divisor = float(w[labels[~ignored]].sum())
        divisor_text = f"the sum of the true classes' weights {num(divisor)}"
    elif ignored.any():
        divisor = float((~ignored).sum())
        divisor_text = f"the {int(divisor)} row{'s' if divisor != 1 else ''} not ignored"
    return [*lines, *reduction_lines(per, reduction, divisor, divisor_text)]
