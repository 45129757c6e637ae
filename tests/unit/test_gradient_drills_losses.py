"""Every gradient drill's reference answer against the numeric loss module: a central finite
difference of the matching ``quizapp.losses`` function (torch semantics) at the drill's own sample
points must equal the reference. The drills' loss expressions are written by hand; this makes
sure they are the losses the rest of the app computes."""

from __future__ import annotations

import math
import runpy
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from quizapp import losses
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.numeric import evaluate
from quizapp.mathcheck.problem import compile_problem, far_from_kinks, sample_env
from tests.shipped import shipped_library

CONTENT = Path(__file__).resolve().parents[2] / "content"
ISSUE_IDS = runpy.run_path(str(Path(__file__).with_name("gradient_corpus.py")))["CORPUS"].keys()

Point = dict[str, float]


def _f(x: float) -> list[float]:
    return [x]


def _mse_batch(v: Point) -> float:
    n = int(v["N"])
    rng = np.random.default_rng(n)  # the other samples do not matter, but they are there
    y = np.concatenate([[v["y"]], rng.normal(size=n - 1)])
    yhat = np.concatenate([[v["yhat"]], rng.normal(size=n - 1)])
    return float(losses.mse(y, yhat))


def _softmax_ce(v: Point) -> float:
    return float(losses.cross_entropy([0], [[v["z1"], v["z2"], v["z3"]]]))


def _label_smoothing(v: Point) -> float:
    k = int(v["K"])
    # K - 1 other logits whose exponentials sum to S; the target is class 0 when y_k = 1.
    others = [math.log(v["S"] / (k - 1))] * (k - 1)
    label = 0 if v["y_k"] == 1 else 1
    return float(losses.cross_entropy([label], [[v["z_k"], *others]], label_smoothing=v["eps"]))


def _focal_on_p(v: Point) -> float:
    # losses.focal works on the logit with alpha in [0, 1]; the loss is linear in alpha.
    logit = math.log(v["p"] / (1 - v["p"]))
    return v["alpha"] * float(losses.focal([1.0], [logit], alpha=None, gamma=v["gamma"]))


LOSS_MODULE: dict[str, Callable[[Point], float]] = {
    "grad-mse": lambda v: float(losses.mse(_f(v["y"]), _f(v["yhat"]))),
    "grad-mse-batch": _mse_batch,
    "grad-mae": lambda v: float(losses.mae(_f(v["y"]), _f(v["yhat"]))),
    "grad-huber": lambda v: float(losses.huber(_f(v["y"]), _f(v["yhat"]), delta=v["delta"])),
    "grad-bce-p": lambda v: float(losses.bce(_f(v["y"]), _f(v["p"]))),
    "grad-bce-logit": lambda v: float(losses.bce_with_logits(_f(v["y"]), _f(v["z"]))),
    "grad-weighted-bce-logit": lambda v: float(
        losses.bce_with_logits(_f(v["y"]), _f(v["z"]), pos_weight=v["w"])
    ),
    "grad-cce-logit": _softmax_ce,
    "grad-cce-logit-other": _softmax_ce,
    "grad-label-smoothing": _label_smoothing,
    "grad-hinge": lambda v: float(losses.hinge(_f(v["y"]), _f(v["s"]))),
    "grad-focal-p": _focal_on_p,
    "grad-linear-mse-w": lambda v: float(losses.mse(_f(v["y"]), _f(v["w"] * v["x"] + v["b"]))),
    "grad-linear-mse-b": lambda v: float(losses.mse(_f(v["y"]), _f(v["w"] * v["x"] + v["b"]))),
    "grad-sigmoid": lambda v: float(losses.sigmoid(v["z"])),
}


def test_every_drill_has_a_loss_module_counterpart() -> None:
    assert set(LOSS_MODULE) == set(ISSUE_IDS)


@pytest.mark.parametrize("drill_id", sorted(LOSS_MODULE))
def test_reference_is_the_derivative_of_the_loss_module(drill_id: str) -> None:
    library = shipped_library()
    problem = problem_of(library.cards[drill_id])
    compiled = compile_problem(problem)
    n = 40
    env = {k: v[:n] for k, v in sample_env(problem).items()}
    kinks: list[np.ndarray] = []
    evaluate(compiled.loss_expanded, env, kinks)
    usable = far_from_kinks(kinks, n, distance=1e-3)
    if "K" in env:
        usable &= env["K"] >= 2  # one class leaves no other logits to hold S
    reference = np.broadcast_to(evaluate(compiled.reference_expanded, env), (n,))
    loss = LOSS_MODULE[drill_id]
    checked = 0
    for i in np.flatnonzero(usable):
        point = {k: float(v[i]) for k, v in env.items()}
        x = point[problem.wrt]
        h = 1e-6 * max(1.0, abs(x))
        slope = (loss({**point, problem.wrt: x + h}) - loss({**point, problem.wrt: x - h})) / (
            2 * h
        )
        assert slope == pytest.approx(reference[i], rel=1e-5, abs=1e-7), (point, slope)
        checked += 1
    assert checked >= 20
