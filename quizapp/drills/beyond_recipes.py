"""Numeric drill recipes for the second deck's losses (content/beyond/numeric-drills.yaml).

Each recipe takes the drawn data table and the template's params, computes the answer and the
worked steps with the loss in ``quizapp.losses`` (so the graded answer is the torch-exact value)
and lists the value each named slip would give. quizapp.drills.numeric imports this module at
its end, so the recipes are registered wherever drills are used.
"""

from __future__ import annotations

import math

import numpy as np

from quizapp import losses
from quizapp.drills.recipes import (
    Candidate,
    Data,
    Params,
    Solution,
    _factor_100,
    _log_slips,
    _mean_slips,
    recipe,
)
from quizapp.drills.slips import SLIPS
from quizapp.losses.text import num, paren, reduction_lines, vector

SLIPS.update(
    {
        "kl-reversed": (
            "KL in the wrong direction",
            "You computed KL(q ‖ p); the target p weights the log-ratio: Σ p (ln p − ln q).",
        ),
        "cross-entropy-for-kl": (
            "cross-entropy instead of KL",
            "You computed −Σ p ln q; KL subtracts the target's own entropy: Σ p (ln p − ln q).",
        ),
        "kl-mean-over-classes": (
            "divided by classes too ('mean' instead of 'batchmean')",
            "KL sums over the classes; divide only by the number of samples.",
        ),
        "rate-as-log-rate": (
            "log-rate read as a rate",
            "z is ln λ: the loss is e^z − y·z, not z − y·ln z.",
        ),
        "log-factorial-added": (
            "ln y! added",
            "torch's default (full=False) leaves out the constant ln y!.",
        ),
        "half-dropped": ("the ½ dropped", "The Gaussian NLL is ½ (ln σ² + (y − μ)²/σ²)."),
        "log-var-dropped": (
            "ln σ² term dropped",
            "Keep ½ ln σ²: without it the loss would reward an ever larger variance.",
        ),
        "std-for-var": (
            "σ used where σ² belongs",
            "The column is the variance σ²; divide by it directly and take ln of it.",
        ),
        "huber-for-smooth-l1": (
            "Huber instead of smooth L1",
            "Smooth L1 divides the quadratic part by β (½ d²/β) and its linear part is |d| − ½β.",
        ),
        "target-sign-ignored": (
            "target sign ignored",
            "With t = −1 the second score should be higher: the term is −t·(s₁ − s₂) + m.",
        ),
        "margin-dropped": ("margin left out", "Add the margin inside the max: max(0, … + m)."),
        "alpha-swapped": (
            "α on the wrong side",
            "Under-prediction (y > q) costs α·(y − q); over-prediction costs (1 − α)·(q − y).",
        ),
        "mae-for-pinball": (
            "plain MAE",
            "The pinball loss weights each error by α or 1 − α; |y − q| alone is not it.",
        ),
        "root-taken": (
            "square root taken",
            "The Brier score is the mean squared error of the probabilities, with no root.",
        ),
        "wrong-class-probability": (
            "probability of the other class",
            "p is the probability of the positive class; compare it with y = 1 or 0.",
        ),
        "dice-coefficient": (
            "the coefficient, not the loss",
            "The loss is 1 − Dice coefficient.",
        ),
        "smoothing-dropped": (
            "smoothing left out",
            "Add s to both the numerator and the denominator.",
        ),
        "iou-for-dice": (
            "IoU instead of Dice",
            "Dice is 2|A∩B| / (|A| + |B|); IoU is |A∩B| / |A∪B|, a different ratio.",
        ),
        "temperature-dropped": (
            "temperature left out",
            "Divide every similarity (or logit) by the temperature before the softmax.",
        ),
        "positive-left-out": (
            "positive missing from the denominator",
            "The softmax denominator sums over every key, the positive included.",
        ),
        "t-squared-dropped": (
            "T² factor dropped",
            "Multiply the soft KL by T² so that its gradient keeps the scale of the hard loss.",
        ),
        "kl-sign-flipped": (
            "sign flipped",
            "KL is Σ p (ln p − ln q), which is never negative; your sign is the other way round.",
        ),
        "nll-minus-dropped": (
            "minus sign of the NLL dropped",
            "F.nll_loss negates the true class's log-probability; a log-probability is at most 0, "
            "so the loss is at least 0.",
        ),
    }
)


def _rows(a: np.ndarray) -> np.ndarray:
    return a if a.ndim == 2 else a[:, None]


@recipe("kl_div", (("p", "q"),))
def _kl_div(d: Data, prm: Params) -> Solution:
    """KL(p ‖ q) per sample ('batchmean'), p the target row, q the model's row."""
    p, q = _rows(d["p"]), _rows(d["q"])
    log_q = np.log(q)
    answer = float(losses.kl_div(log_q, p, reduction="batchmean"))
    n, c = p.shape
    slips: list[Candidate] = [
        ("kl-reversed", float(losses.kl_div(np.log(p), q, reduction="batchmean")), None),
        ("cross-entropy-for-kl", float(-(p * log_q).sum() / n), None),
        ("kl-mean-over-classes", answer / c, None),
        *_mean_slips(answer, n),
        *[slip for slip in _log_slips(answer) if slip[0] != "minus-dropped"],
        ("kl-sign-flipped", -answer, None),
    ]
    return Solution(answer, losses.kl_div_steps(log_q, p, reduction="batchmean"), slips)


@recipe("poisson_nll", (("y", "z"),))
def _poisson_nll(d: Data, prm: Params) -> Solution:
    y, z = d["y"], d["z"]
    answer = float(losses.poisson_nll(z, y))
    slips: list[Candidate] = [*_mean_slips(answer, len(y))]
    if (z > 0).all():
        slips.append(("rate-as-log-rate", float(np.mean(z - y * np.log(z))), None))
    log_fact = np.array([math.lgamma(v + 1) for v in y])
    slips.append(("log-factorial-added", answer + float(np.mean(log_fact)), None))
    slips.append(("sign-flipped", float(np.mean(y * z - np.exp(z))), None))
    return Solution(answer, losses.poisson_nll_steps(z, y), slips)


@recipe("gaussian_nll", (("y", "mu", "var"),))
def _gaussian_nll(d: Data, prm: Params) -> Solution:
    y, mu, var = d["y"], d["mu"], d["var"]
    answer = float(losses.gaussian_nll(mu, y, var))
    sq = (y - mu) ** 2
    slips: list[Candidate] = [
        ("half-dropped", 2 * answer, None),
        ("log-var-dropped", float(np.mean(0.5 * sq / var)), None),
        ("std-for-var", float(np.mean(0.5 * (np.log(np.sqrt(var)) + sq / np.sqrt(var)))), None),
        *_mean_slips(answer, len(y)),
    ]
    per = np.ravel(losses.gaussian_nll(mu, y, var, reduction="none"))
    steps = [
        "loss = ½ (ln σ² + (y − μ)² / σ²) for each row",
        *(
            f"Row {i + 1}: ½ (ln {num(v)} + ({num(t)} − {paren(m)})² / {num(v)}) "
            f"= ½ ({num(np.log(v))} + {num(q)} / {num(v)}) "
            f"= ½ ({num(np.log(v))} + {num(q / v)}) = {num(loss)}"
            for i, (t, m, v, q, loss) in enumerate(zip(y, mu, var, sq, per, strict=True))
        ),
        *reduction_lines(per, "mean"),
    ]
    return Solution(answer, steps, slips)


@recipe("smooth_l1", (("y", "yhat"),), frozenset({"beta"}), frozenset({"beta"}))
def _smooth_l1(d: Data, prm: Params) -> Solution:
    y, yhat, beta = d["y"], d["yhat"], prm["beta"]
    answer = float(losses.smooth_l1(yhat, y, beta=beta))
    huber = float(losses.huber(y, yhat, delta=beta))
    a = np.abs(yhat - y)
    no_half = float(np.mean(np.where(a < beta, a * a / beta, a - beta)))
    slips: list[Candidate] = [
        ("huber-for-smooth-l1", huber, None),
        ("huber-half-dropped", no_half, "Smooth L1 keeps the ½: ½d²/β inside, |d| − ½β outside."),
        *_mean_slips(answer, len(y)),
    ]
    per = np.ravel(losses.smooth_l1(yhat, y, reduction="none", beta=beta))

    def row(i: int) -> str:
        d = float(yhat[i] - y[i])
        head = f"Row {i + 1}: d = {num(yhat[i])} − {paren(y[i])} = {num(d)}; "
        if abs(d) < beta:
            return f"{head}|d| < β, so ½·{paren(d)}²/{num(beta)} = {num(per[i])}"
        return f"{head}|d| ≥ β, so {num(abs(d))} − ½·{num(beta)} = {num(per[i])}"

    steps = [
        f"d = ŷ − y; ½d²/β if |d| < β = {num(beta)}, else |d| − ½β",
        *(row(i) for i in range(len(y))),
        *reduction_lines(per, "mean"),
    ]
    return Solution(answer, steps, slips)


@recipe("margin_ranking", (("s1", "s2", "t"),), frozenset({"margin"}), frozenset({"margin"}))
def _margin_ranking(d: Data, prm: Params) -> Solution:
    s1, s2, t, m = d["s1"], d["s2"], d["t"], prm["margin"]
    answer = float(losses.margin_ranking(s1, s2, t, margin=m))
    slips: list[Candidate] = [
        ("target-sign-ignored", float(np.mean(np.maximum(0, -(s1 - s2) + m))), None),
        ("margin-dropped", float(losses.margin_ranking(s1, s2, t, margin=0.0)), None),
        *_mean_slips(answer, len(t)),
    ]
    return Solution(answer, losses.margin_ranking_steps(s1, s2, t, margin=m), slips)


@recipe("quantile", (("y", "q"),), frozenset({"alpha"}), frozenset({"alpha"}))
def _quantile(d: Data, prm: Params) -> Solution:
    y, q, alpha = d["y"], d["q"], prm["alpha"]
    answer = float(losses.quantile(y, q, alpha=alpha))
    slips: list[Candidate] = [
        ("alpha-swapped", float(losses.quantile(y, q, alpha=1 - alpha)), None),
        ("mae-for-pinball", float(np.mean(np.abs(y - q))), None),
        *_mean_slips(answer, len(y)),
    ]
    return Solution(answer, losses.quantile_steps(y, q, alpha=alpha), slips)


@recipe("brier", (("y", "p"),))
def _brier(d: Data, prm: Params) -> Solution:
    y, p = d["y"], d["p"]
    answer = float(losses.brier(y, p))
    slips: list[Candidate] = [
        ("root-taken", math.sqrt(answer), None),
        ("wrong-class-probability", float(np.mean((1 - p - y) ** 2)), None),
        *_mean_slips(answer, len(y)),
        *_factor_100(answer),
    ]
    return Solution(answer, losses.brier_steps(y, p), slips)


@recipe("dice", (("t", "p"),), frozenset({"smooth"}), frozenset({"smooth"}))
def _dice(d: Data, prm: Params) -> Solution:
    """One image: each row is a pixel with its mask value t and predicted probability p."""
    t, p, s = d["t"][None, :], d["p"][None, :], prm["smooth"]
    answer = float(losses.dice(p, t, smooth=s))
    inter, total = float((p * t).sum()), float(p.sum() + t.sum())
    slips: list[Candidate] = [
        ("dice-coefficient", 1 - answer, None),
        ("iou-for-dice", 1 - (inter + s) / (total - inter + s), None),
    ]
    if s:
        slips.append(("smoothing-dropped", 1 - 2 * inter / total, None))
    return Solution(answer, losses.dice_steps(p, t, smooth=s), slips)


@recipe("info_nce", (("s",),), frozenset({"tau"}), frozenset({"tau"}))
def _info_nce(d: Data, prm: Params) -> Solution:
    """Each row: the similarities of one query to its keys, the positive first. The loss is
    cross-entropy over s / τ with label 0, which is what info_nce computes after the cosine."""
    s, tau = d["s"], prm["tau"]
    labels = np.zeros(len(s), dtype=int)
    answer = float(losses.cross_entropy(labels, s / tau))
    e = np.exp(s / tau)
    steps = [
        f"Divide by τ = {num(tau)}, then softmax; the positive is the first key in each row",
        *(
            f"Row {i + 1}: s/τ = {vector(row / tau)}: −ln(e^{num(row[0] / tau)} / Σ e^(s/τ)) = "
            f"{num(float(losses.cross_entropy([0], row[None, :] / tau)))}"
            for i, row in enumerate(s)
        ),
        f"Mean over the {len(s)} rows: {num(answer)}",
    ]
    slips: list[Candidate] = [
        ("temperature-dropped", float(losses.cross_entropy(labels, s)), None),
        ("positive-left-out", float(np.mean(-np.log(e[:, 0] / e[:, 1:].sum(axis=1)))), None),
        *_mean_slips(answer, len(s)),
        *_log_slips(answer),
    ]
    return Solution(answer, steps, slips)


@recipe("distillation", (("zt", "zs"),), frozenset({"T"}), frozenset({"T"}))
def _distillation(d: Data, prm: Params) -> Solution:
    zt, zs, temp = _rows(d["zt"]), _rows(d["zs"]), prm["T"]
    answer = float(losses.distillation(zs, zt, temperature=temp))
    soft = answer / temp**2
    slips: list[Candidate] = [
        ("t-squared-dropped", soft, None),
        ("temperature-dropped", float(losses.distillation(zs, zt, temperature=1.0)), None),
        ("kl-reversed", temp**2 * float(losses.kl_div(
            losses.log_softmax(zt / temp), losses.softmax(zs / temp), reduction="batchmean"
        )), None),
        *_mean_slips(answer, len(zt)),
    ]  # fmt: skip
    return Solution(answer, losses.distillation_steps(zs, zt, temperature=temp), slips)


@recipe("nll", (("label", "logp"),))
def _nll(d: Data, prm: Params) -> Solution:
    """Rows of log-probabilities and the true class of each."""
    labels, logp = d["label"].astype(int), d["logp"]
    answer = float(losses.nll(logp, labels))
    slips: list[Candidate] = [
        ("nll-minus-dropped", -answer, None),
        *_mean_slips(answer, len(labels)),
        *_factor_100(answer),
    ]
    return Solution(answer, losses.nll_steps(logp, labels), slips)
