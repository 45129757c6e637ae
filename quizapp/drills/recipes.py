"""What a numeric drill computes, one recipe per ``loss`` of a ``numeric_drill`` template: the
answer and the worked steps (both from ``quizapp.losses``) and the value each named slip would
give. A recipe registers itself with ``@recipe``; ``quizapp.drills.numeric`` draws the data and
grades the answers.

A recipe is usually named after the loss in ``quizapp.losses.REGISTRY`` it drills; a comparison
drill (``mse_minus_mae``) has a name of its own. Slip ids are keys of
``quizapp.drills.numeric.SLIPS``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from quizapp import losses
from quizapp.losses.text import num, paren

Data = dict[str, np.ndarray]
Params = dict[str, float]
# A slip candidate: (slip id, value, explanation or None for the default one).
Candidate = tuple[str, float, str | None]


@dataclass(frozen=True)
class Solution:
    answer: float
    steps: list[str]
    slips: list[Candidate]


@dataclass(frozen=True)
class Recipe:
    """What a template with this ``loss`` must provide, and how to solve it."""

    columns: tuple[tuple[str, ...], ...]  # alternatives: the column names, in any order
    params: frozenset[str]
    solve: Callable[[Data, Params], Solution]
    required_params: frozenset[str] = frozenset()


# Recipe name -> recipe, filled by @recipe below.
RECIPES: dict[str, Recipe] = {}


def recipe(
    name: str,
    columns: tuple[tuple[str, ...], ...],
    params: frozenset[str] = frozenset(),
    required_params: frozenset[str] = frozenset(),
) -> Callable[[Callable[[Data, Params], Solution]], Callable[[Data, Params], Solution]]:
    """Register the decorated solver as the recipe ``name`` (its columns: alternatives, each the
    column names in any order; its allowed and required params)."""

    def register(solve: Callable[[Data, Params], Solution]) -> Callable[[Data, Params], Solution]:
        if name in RECIPES:
            raise ValueError(f"two drill recipes are called {name!r}")
        RECIPES[name] = Recipe(columns, params, solve, required_params)
        return solve

    return register


def _mean_slips(answer: float, n: int) -> list[Candidate]:
    return [
        ("sum-not-mean", answer * n, f"You added the {n} losses but did not divide by N = {n}.")
    ]


def _log_slips(answer: float) -> list[Candidate]:
    return [
        ("log10", answer / math.log(10), None),
        ("log2", answer / math.log(2), None),
        ("minus-dropped", -answer, None),
    ]


def _factor_100(answer: float) -> list[Candidate]:
    return [("factor-100", answer * 100, None), ("factor-100", answer / 100, None)]


@recipe("mse", (("y", "yhat"),))
def _mse(d: Data, prm: Params) -> Solution:
    y, yhat = d["y"], d["yhat"]
    answer = float(losses.mse(y, yhat))
    return Solution(
        answer,
        losses.mse_steps(y, yhat),
        [
            *_mean_slips(answer, len(y)),
            ("mae-for-mse", float(losses.mae(y, yhat)), None),
            ("mean-then-square", float(np.mean(y - yhat)) ** 2, None),
            *_factor_100(answer),
        ],
    )


@recipe("mae", (("y", "yhat"),))
def _mae(d: Data, prm: Params) -> Solution:
    y, yhat = d["y"], d["yhat"]
    answer = float(losses.mae(y, yhat))
    return Solution(
        answer,
        losses.mae_steps(y, yhat),
        [
            *_mean_slips(answer, len(y)),
            ("mse-for-mae", float(losses.mse(y, yhat)), None),
            *_factor_100(answer),
        ],
    )


@recipe("huber", (("y", "yhat"),), frozenset({"delta"}), frozenset({"delta"}))
def _huber(d: Data, prm: Params) -> Solution:
    y, yhat, delta = d["y"], d["yhat"], prm["delta"]
    answer = float(losses.huber(y, yhat, delta=delta))
    a = np.abs(y - yhat)
    no_half = float(np.mean(np.where(a <= delta, a**2, delta * (a - delta))))
    return Solution(
        answer,
        losses.huber_steps(y, yhat, delta=delta),
        [*_mean_slips(answer, len(y)), ("huber-half-dropped", no_half, None), *_factor_100(answer)],
    )


@recipe("mse_minus_mae", (("y", "yhat"),))
def _mse_minus_mae(d: Data, prm: Params) -> Solution:
    """The comparison drill: by how much does the MSE exceed the MAE on a batch with an outlier?"""
    y, yhat = d["y"], d["yhat"]
    mse, mae = float(losses.mse(y, yhat)), float(losses.mae(y, yhat))
    answer = mse - mae
    e = y - yhat
    n = len(e)
    worst = int(np.argmax(np.abs(e)))
    steps = [
        "Residuals e = y - ŷ: " + ", ".join(num(v) for v in e),
        f"MSE = ({' + '.join(f'{paren(v)}²' for v in e)}) / {n} = {num(mse)}",
        f"MAE = ({' + '.join(num(abs(v)) for v in e)}) / {n} = {num(mae)}",
        f"MSE - MAE = {num(mse)} - {num(mae)} = {num(answer)}",
        f"The outlier (e = {num(e[worst])}) adds {num(e[worst] ** 2)}/{n} = "
        f"{num(e[worst] ** 2 / n)} to the MSE but only {num(abs(e[worst]))}/{n} = "
        f"{num(abs(e[worst]) / n)} to the MAE: squaring lets one large error dominate",
    ]
    return Solution(
        answer,
        steps,
        [
            (
                "sign-flipped",
                -answer,
                "You computed MAE - MSE; the question asks how much larger the MSE is.",
            ),
            ("sum-not-mean", answer * n, f"You compared the sums; divide each by N = {n}."),
            ("mean-then-square", float(np.mean(e)) ** 2 - mae, None),
            *_factor_100(answer),
        ],
    )


@recipe("bce", (("y", "p"),), frozenset({"pos_weight"}))
def _bce(d: Data, prm: Params) -> Solution:
    y, p = d["y"], d["p"]
    # Class weighting as torch's pos_weight: the positive term is multiplied, and the mean
    # still divides by N.
    weight = None if "pos_weight" not in prm else np.where(y == 1, prm["pos_weight"], 1.0)
    answer = float(losses.bce(y, p, weight=weight))
    return Solution(
        answer,
        losses.bce_steps(y, p, weight=weight),
        [*_mean_slips(answer, len(y)), *_log_slips(answer), *_factor_100(answer)],
    )


@recipe("bce_with_logits", (("y", "z"),))
def _bce_with_logits(d: Data, prm: Params) -> Solution:
    y, z = d["y"], d["z"]
    answer = float(losses.bce_with_logits(y, z))
    slips = [*_mean_slips(answer, len(y)), *_log_slips(answer)]
    # The logit put straight into the BCE formula: defined only where the logs are.
    if (np.where(y == 1, z, 1 - z) > 0).all():
        with np.errstate(all="ignore"):
            raw = float(np.mean(-np.where(y == 1, np.log(np.abs(z)), np.log(np.abs(1 - z)))))
        slips.append(("logits-as-probabilities", raw, None))
    slips.append(
        (
            "sign-flipped",
            float(losses.bce_with_logits(y, -z)),
            "You used σ(-z); the probability of class 1 is σ(z) = 1 / (1 + e^(-z)).",
        )
    )
    return Solution(answer, losses.bce_with_logits_steps(y, z), [*slips, *_factor_100(answer)])


@recipe("cce", (("y", "p"),))
def _cce(d: Data, prm: Params) -> Solution:
    y, p = d["y"], d["p"]
    answer = float(losses.cce(y, p))
    return Solution(
        answer,
        losses.cce_steps(y, p),
        [*_mean_slips(answer, len(y)), *_log_slips(answer), *_factor_100(answer)],
    )


@recipe("cross_entropy", (("label", "z"), ("label", "p")), frozenset({"label_smoothing"}))
def _cross_entropy(d: Data, prm: Params) -> Solution:
    """Class labels with logits ``z`` (softmax first), or with probabilities ``p`` (then the
    logits handed to ``losses.cross_entropy`` are ln p, and softmax(ln p) = p)."""
    labels = d["label"].astype(int)
    given = "p" in d
    logits = np.log(d["p"]) if given else d["z"]
    smoothing = prm.get("label_smoothing", 0.0)
    answer = float(losses.cross_entropy(labels, logits, label_smoothing=smoothing))
    steps = losses.cross_entropy_steps(
        labels, logits, label_smoothing=smoothing, probabilities_given=given
    )
    slips = [*_mean_slips(answer, len(labels)), *_log_slips(answer)]
    if (labels >= 1).all():  # read as 1-based, label c would pick entry c - 1 (0-based)
        slip = float(losses.cross_entropy(labels - 1, logits, label_smoothing=smoothing))
        slips.append(("one-based-label", slip, None))
    if not given:
        picked = d["z"][np.arange(len(labels)), labels]
        if (picked > 0).all():
            slips.append(("logits-as-probabilities", float(np.mean(-np.log(picked))), None))
    return Solution(answer, steps, [*slips, *_factor_100(answer)])


@recipe("hinge", (("y", "s"),))
def _hinge(d: Data, prm: Params) -> Solution:
    y, s = d["y"], d["s"]
    answer = float(losses.hinge(y, s))
    flipped = float(np.mean(np.maximum(0.0, 1.0 + y * s)))
    return Solution(
        answer,
        losses.hinge_steps(y, s),
        [
            *_mean_slips(answer, len(y)),
            ("sign-flipped", flipped, "You used 1 + y·s; each term is max(0, 1 - y·s)."),
            *_factor_100(answer),
        ],
    )


@recipe("focal", (("y", "p"), ("y", "z")), frozenset({"alpha", "gamma"}))
def _focal(d: Data, prm: Params) -> Solution:
    """Focal loss from probabilities ``p`` (the logits are ln(p / (1 - p)), so sigmoid gives p
    back) or from logits ``z``."""
    y = d["y"]
    given = "p" in d
    z = np.log(d["p"] / (1 - d["p"])) if given else d["z"]
    alpha, gamma = prm.get("alpha", 0.25), prm.get("gamma", 2.0)
    answer = float(losses.focal(y, z, alpha=alpha, gamma=gamma))
    steps = losses.focal_steps(y, z, alpha=alpha, gamma=gamma, probabilities_given=given)
    return Solution(
        answer,
        steps,
        [*_mean_slips(answer, len(y)), *_log_slips(answer), *_factor_100(answer)],
    )
