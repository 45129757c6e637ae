"""Worked solutions: the steps of a loss computation with the numbers filled in.

The numeric drills show them after an answer, and ``quizapp loss`` prints them as a study
calculator. Each function takes the arguments of the loss of the same name in
``quizapp.losses`` (which validates them and raises ``ValueError`` for bad input) and returns
lines of text. Every per-sample value and every total comes from ``quizapp.losses`` itself, so the
steps can never disagree with the graded answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from quizapp import losses

# Samples listed one by one; beyond this the steps show the first ones and a count.
MAX_SHOWN = 8
# Classes listed one by one inside a softmax step.
MAX_CLASSES = 6


def num(x: float, digits: int = 4) -> str:
    """A number as a learner would write it: ``digits`` significant digits, no trailing zeros,
    never ``-0``."""
    x = float(x)
    if x == 0 or abs(x) < 10 ** -(digits + 8):
        return "0"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def paren(x: float) -> str:
    """``num(x)``, in parentheses when negative, for use after an operator."""
    text = num(x)
    return f"({text})" if text.startswith("-") else text


def vector(values: Sequence[float] | np.ndarray) -> str:
    return "[" + ", ".join(num(v) for v in values) + "]"


def _shown(n: int) -> range:
    return range(min(n, MAX_SHOWN))


def _more(n: int) -> list[str]:
    hidden = n - MAX_SHOWN
    return (
        [f"... and {hidden} more sample{'s' if hidden > 1 else ''} the same way"]
        if hidden > 0
        else []
    )


def _label(i: int, n: int) -> str:
    return f"Sample {i + 1}: " if n > 1 else ""


def reduction_lines(
    per_sample: np.ndarray,
    reduction: str,
    divisor: float | None = None,
    divisor_text: str | None = None,
) -> list[str]:
    """How the per-sample losses become the answer: listed, summed, or averaged."""
    values = np.ravel(per_sample)
    n = values.size
    if reduction == "none":
        shown = vector(values[:MAX_SHOWN]) + (" ..." if n > MAX_SHOWN else "")
        return [f"Reduction 'none': the loss of each sample, {shown}"]
    total = float(values.sum())
    terms = " + ".join(num(v) for v in values) if n <= MAX_SHOWN else f"the {n} losses"
    if reduction == "sum":
        return [f"Sum: {terms} = {num(total)}"] if n > 1 else []
    if n == 1 and divisor is None:
        return []
    d = float(n if divisor is None else divisor)
    text = divisor_text or f"N = {n}"
    lines = [f"Sum: {terms} = {num(total)}"] if n > 1 else []
    return [*lines, f"Mean: divide by {text}: {num(total)} / {num(d)} = {num(total / d)}"]


# --------------------------------------------------------------------------- regression


def mse(y_true: Any, y_pred: Any, reduction: str = "mean") -> list[str]:
    per = losses.mse(y_true, y_pred, reduction="none")
    y, yhat = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
    e = y - yhat
    shown = _shown(e.size)
    return [
        "Residuals e = y - ŷ: "
        + ", ".join(f"{num(y[i])} - {paren(yhat[i])} = {num(e[i])}" for i in shown),
        "Squares e²: " + ", ".join(f"{paren(e[i])}² = {num(e[i] ** 2)}" for i in shown),
        *_more(e.size),
        *reduction_lines(per, reduction),
    ]


def mae(y_true: Any, y_pred: Any, reduction: str = "mean") -> list[str]:
    per = losses.mae(y_true, y_pred, reduction="none")
    y, yhat = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
    e = y - yhat
    shown = _shown(e.size)
    return [
        "Residuals e = y - ŷ: "
        + ", ".join(f"{num(y[i])} - {paren(yhat[i])} = {num(e[i])}" for i in shown),
        "Absolute values |e|: " + ", ".join(num(abs(e[i])) for i in shown),
        *_more(e.size),
        *reduction_lines(per, reduction),
    ]


def huber(y_true: Any, y_pred: Any, delta: float = 1.0, reduction: str = "mean") -> list[str]:
    per = np.ravel(losses.huber(y_true, y_pred, delta=delta, reduction="none"))
    y, yhat = np.ravel(y_true).astype(float), np.ravel(y_pred).astype(float)
    e = y - yhat
    d = num(delta)
    lines = [f"Residuals e = y - ŷ; |e| <= δ = {d} uses ½e², larger |e| uses δ(|e| - ½δ)"]
    for i in _shown(e.size):
        a = abs(e[i])
        if a <= delta:
            how = f"|e| = {num(a)} <= {d}: ½·{paren(e[i])}² = {num(per[i])}"
        else:
            how = f"|e| = {num(a)} > {d}: {d}·({num(a)} - ½·{d}) = {num(per[i])}"
        lines.append(f"{_label(i, e.size)}e = {num(y[i])} - {paren(yhat[i])} = {num(e[i])}, {how}")
    return [*lines, *_more(e.size), *reduction_lines(per, reduction)]


# --------------------------------------------------------------------------- binary


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


def bce(
    y_true: Any,
    p: Any,
    weight: Any = None,
    reduction: str = "mean",
    eps: float | None = None,
) -> list[str]:
    per = np.ravel(losses.bce(y_true, p, weight=weight, reduction="none", eps=eps))
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


def bce_with_logits(
    y_true: Any,
    logits: Any,
    weight: Any = None,
    pos_weight: Any = None,
    reduction: str = "mean",
) -> list[str]:
    per = np.ravel(losses.bce_with_logits(y_true, logits, weight, pos_weight, reduction="none"))
    y, z = np.ravel(y_true).astype(float), np.ravel(logits).astype(float)
    shape = np.shape(logits)
    w = None if weight is None else np.ravel(np.broadcast_to(weight, shape)).astype(float)
    pw = None if pos_weight is None else np.ravel(np.broadcast_to(pos_weight, shape)).astype(float)
    lines = ["First p = σ(z) = 1 / (1 + e^(-z)), then BCE on p"]
    if pw is not None:
        lines.append("pos_weight multiplies the positive term y·ln(p)")
    p = losses.sigmoid(z)
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


def focal(
    y_true: Any,
    logits: Any,
    alpha: float | None = 0.25,
    gamma: float = 2.0,
    reduction: str = "mean",
    probabilities_given: bool = False,
) -> list[str]:
    """With ``probabilities_given`` the logits came from probabilities the learner was shown, so
    the sigmoid step is left out."""
    per = np.ravel(losses.focal(y_true, logits, alpha=alpha, gamma=gamma, reduction="none"))
    y, z = np.ravel(y_true).astype(float), np.ravel(logits).astype(float)
    p = losses.sigmoid(z)
    weighted = alpha is not None and alpha >= 0
    a_text = f"α_t = α = {num(alpha)} for y = 1, 1 - α for y = 0; " if weighted else ""
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
        at = (alpha if y[i] == 1 else 1 - alpha) if weighted else 1.0
        factor = f"{num(at)}·" if weighted else ""
        lines.append(
            f"{_label(i, z.size)}{start}y = {num(y[i])}: p_t = {num(pt)}, "
            f"(1 - p_t)^γ = {paren(1 - pt)}^{num(gamma)} = {num((1 - pt) ** gamma)}, "
            f"-ln(p_t) = {num(-math.log(pt)) if pt > 0 else 'inf'}; "
            f"{factor}{num((1 - pt) ** gamma)}·{num(-math.log(pt)) if pt > 0 else 'inf'} = "
            f"{num(per[i])}"
        )
    return [*lines, *_more(z.size), *reduction_lines(per, reduction)]


# --------------------------------------------------------------------------- multi-class


def _rows(values: Any) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    return arr[None, :] if arr.ndim == 1 else arr


def cce(y_onehot: Any, probs: Any, reduction: str = "mean", eps: float | None = None) -> list[str]:
    per = np.atleast_1d(losses.cce(y_onehot, probs, reduction="none", eps=eps))
    y, p = _rows(y_onehot), _rows(probs)
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


def sparse_cce(
    labels: Any, probs: Any, reduction: str = "mean", eps: float | None = None
) -> list[str]:
    per = np.atleast_1d(losses.sparse_cce(labels, probs, reduction="none", eps=eps))
    lab, p = np.ravel(labels).astype(int), _rows(probs)
    lines = ["Cross-entropy from a class index: -ln(p[label]) per sample"]
    for i in _shown(p.shape[0]):
        k = lab[i]
        lines.append(
            f"{_label(i, p.shape[0])}label {k}, p = {vector(p[i])}: -ln({num(p[i, k])}) = "
            f"{num(per[i])}"
        )
    return [*lines, *_more(p.shape[0]), *reduction_lines(per, reduction)]


def cross_entropy(
    y_true: Any,
    logits: Any,
    weight: Any = None,
    label_smoothing: float = 0.0,
    reduction: str = "mean",
    probabilities_given: bool = False,
) -> list[str]:
    """With ``probabilities_given`` the logits are ln(p) of probabilities the learner was shown,
    so the softmax step is left out (softmax(ln p) = p)."""
    per = np.atleast_1d(
        losses.cross_entropy(y_true, logits, weight, label_smoothing, reduction="none")
    )
    z = _rows(logits)
    n, k = z.shape
    p = losses.softmax(z)
    labels = None if np.shape(y_true) == np.shape(logits) else np.ravel(y_true).astype(int)
    targets = _rows(y_true) if labels is None else np.eye(k)[labels]
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
    for i in _shown(n):
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
        divisor = float(w[labels].sum())
        divisor_text = f"the sum of the true classes' weights {num(divisor)}"
    return [*lines, *reduction_lines(per, reduction, divisor, divisor_text)]


# --------------------------------------------------------------------------- margin


def hinge(y_true: Any, scores: Any, reduction: str = "mean") -> list[str]:
    per = np.ravel(losses.hinge(y_true, scores, reduction="none"))
    s = np.asarray(scores, dtype=float)
    if s.ndim == 2:
        labels = np.ravel(y_true).astype(int)
        lines = [
            "Multi-class hinge: margin = s[true] - max of the other scores; loss max(0, 1 - margin)"
        ]
        for i in _shown(s.shape[0]):
            others = np.delete(s[i], labels[i])
            margin = s[i, labels[i]] - others.max()
            lines.append(
                f"{_label(i, s.shape[0])}s = {vector(s[i])}, true class {labels[i]}: margin "
                f"{num(s[i, labels[i]])} - {paren(others.max())} = {num(margin)}, "
                f"max(0, 1 - {paren(margin)}) = {num(per[i])}"
            )
        return [*lines, *_more(s.shape[0]), *reduction_lines(per, reduction)]
    y = np.ravel(y_true).astype(float)
    s = np.ravel(s)
    signs = np.where(y == 0, -1.0, y)
    lines = ["Hinge per sample: max(0, 1 - y·s) with y = -1 or +1"]
    if (y == 0).any():
        lines.append("Labels 0/1 are read as -1/+1")
    for i in _shown(s.size):
        m = signs[i] * s[i]
        lines.append(
            f"{_label(i, s.size)}y = {num(signs[i])}, s = {num(s[i])}: y·s = {num(m)}, "
            f"max(0, 1 - {paren(m)}) = {num(per[i])}"
        )
    return [*lines, *_more(s.size), *reduction_lines(per, reduction)]


WRITERS = {
    "mse": mse,
    "mae": mae,
    "huber": huber,
    "bce": bce,
    "bce_with_logits": bce_with_logits,
    "cce": cce,
    "sparse_cce": sparse_cce,
    "cross_entropy": cross_entropy,
    "hinge": hinge,
    "focal": focal,
}
