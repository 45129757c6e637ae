"""Every gradient drill of the second deck against quizapp.losses: at the drill's own sample
points, a central finite difference of the matching torch-exact loss, and the loss module's own
analytic gradient (chained to the drill's variable where needed), equal the drill's reference.
The drills' loss expressions are written by hand; this proves they are the losses the app
computes."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from quizapp import losses
from quizapp.losses import embedding, likelihood
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.numeric import evaluate
from quizapp.mathcheck.problem import compile_problem, far_from_kinks, sample_env
from tests.shipped import shipped_library

CONTENT = Path(__file__).resolve().parents[2] / "content"
Point = dict[str, float]


def _unit_keys(sims: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Queries e_0, e_1, e_2 and unit keys k_j with cos(q_0, k_j) = sims[j]: k_j's first
    coordinate is sims[j] and a private coordinate pads it to length 1, so the other queries see
    only 0 and the positive of query 0 is k_0 (the diagonal)."""
    n = len(sims)
    queries = np.eye(n, 2 * n)
    keys = np.zeros((n, 2 * n))
    for j, s in enumerate(sims):
        keys[j, 0] = s
        keys[j, n + j] = math.sqrt(1 - s * s)
    return queries, keys


def _info_nce_row0(v: Point) -> float:
    q, k = _unit_keys([v["sp"], v["s1"], v["s2"]])
    return float(losses.info_nce(q, k, temperature=v["t"], reduction="none")[0])


def _info_nce_grad(v: Point) -> float:
    # d loss_0 / d sp through the module's key gradient: sp is k_0's first coordinate, and its
    # pad coordinate moves with it to keep the norm 1 (d pad / d sp = -sp / pad).
    # The module gives the gradient of the summed loss; the other queries are orthogonal to
    # k_0's first and pad coordinates, so there it is query 0's own.
    q, k = _unit_keys([v["sp"], v["s1"], v["s2"]])
    g = embedding.info_nce_key_grad(q, k, temperature=v["t"], reduction="sum")
    pad_column = len(k)  # query 0's positive k_0 is padded in column n + 0
    return float(g[0, 0] - g[0, pad_column] * v["sp"] / k[0, pad_column])


def _distill(v: Point) -> float:
    t = v["T"]
    teacher = [t * math.log(v["p"]), t * math.log(1 - v["p"])]  # softmax(teacher/T) = (p, 1-p)
    # One row (2-D): on a 1-D input torch's 'batchmean' would divide by the classes.
    return float(losses.distillation([[v["z1"], v["z2"]]], [teacher], temperature=t))


def _distill_grad(v: Point) -> float:
    t = v["T"]
    teacher = [t * math.log(v["p"]), t * math.log(1 - v["p"])]
    return float(losses.distillation_grad([[v["z1"], v["z2"]]], [teacher], temperature=t)[0, 0])


def _kl(v: Point) -> float:
    logq = losses.log_softmax(np.array([v["z1"], v["z2"]]))
    return float(losses.kl_div(logq, [v["p"], 1 - v["p"]], reduction="sum"))


def _kl_grad(v: Point) -> float:
    # kl_div_grad is for its input (log q); through log_softmax, dL/dz = g - softmax(z)·Σg.
    z = np.array([v["z1"], v["z2"]])
    g = losses.kl_div_grad(losses.log_softmax(z), [v["p"], 1 - v["p"]], reduction="sum")
    return float(g[0] - losses.softmax(z)[0] * g.sum())


def _gauss_logvar(v: Point) -> float:
    return float(losses.gaussian_nll([v["mu"]], [v["y"]], [math.exp(v["s"])], eps=1e-300))


def _gauss_logvar_grad(v: Point) -> float:
    var = math.exp(v["s"])
    g = likelihood.gaussian_nll_var_grad([v["mu"]], [v["y"]], [var], eps=1e-300)
    return float(g[0]) * var  # d var / d s = var


# Drill id -> (the loss from quizapp.losses at a point, its gradient from the module there).
LOSS_MODULE: dict[str, tuple[Callable[[Point], float], Callable[[Point], float]]] = {
    "bgrad-kl-logit": (_kl, _kl_grad),
    "bgrad-poisson-log-input": (
        lambda v: float(losses.poisson_nll([v["z"]], [v["y"]])),
        lambda v: float(losses.poisson_nll_grad([v["z"]], [v["y"]])[0]),
    ),
    "bgrad-gaussian-mean": (
        lambda v: float(losses.gaussian_nll([v["mu"]], [v["y"]], [v["v"]], eps=1e-300)),
        lambda v: float(losses.gaussian_nll_grad([v["mu"]], [v["y"]], [v["v"]], eps=1e-300)[0]),
    ),
    "bgrad-gaussian-logvar": (_gauss_logvar, _gauss_logvar_grad),
    "bgrad-pinball": (
        lambda v: float(losses.quantile([v["y"]], [v["q"]], alpha=v["alpha"])),
        lambda v: float(losses.quantile_grad([v["y"]], [v["q"]], alpha=v["alpha"])[0]),
    ),
    "bgrad-info-nce-positive": (_info_nce_row0, _info_nce_grad),
    "bgrad-distillation-student": (_distill, _distill_grad),
    "bgrad-smooth-l1": (
        lambda v: float(losses.smooth_l1([v["x"]], [v["y"]], beta=v["beta"])),
        lambda v: float(losses.smooth_l1_grad([v["x"]], [v["y"]], beta=v["beta"])[0]),
    ),
    "bgrad-margin-ranking": (
        lambda v: float(losses.margin_ranking([v["s1"]], [v["s2"]], [v["t"]], margin=v["m"])),
        lambda v: float(
            losses.margin_ranking_grad([v["s1"]], [v["s2"]], [v["t"]], margin=v["m"])[0]
        ),
    ),
}


@pytest.fixture(scope="module")
def drills() -> dict:
    library = shipped_library()
    assert [str(e) for e in library.errors] == []
    return {c.id: c for c in library.of_kind("gradient_drill") if c.deck == "beyond"}


def test_every_drill_has_a_loss_module_counterpart(drills: dict) -> None:
    assert len(drills) >= 8
    assert set(LOSS_MODULE) == set(drills)
    for card in drills.values():
        assert card.mistakes, f"{card.id} names no slips"


@pytest.mark.parametrize("drill_id", sorted(LOSS_MODULE))
def test_reference_is_the_loss_modules_gradient(drills: dict, drill_id: str) -> None:
    problem = problem_of(drills[drill_id])
    compiled = compile_problem(problem)
    n = 40
    env = {k: v[:n] for k, v in sample_env(problem).items()}
    kinks: list[np.ndarray] = []
    evaluate(compiled.loss_expanded, env, kinks)
    usable = far_from_kinks(kinks, n, distance=1e-3)
    reference = np.broadcast_to(evaluate(compiled.reference_expanded, env), (n,))
    loss, gradient = LOSS_MODULE[drill_id]
    checked = 0
    for i in np.flatnonzero(usable):
        point = {k: float(v[i]) for k, v in env.items()}
        x = point[problem.wrt]
        h = 1e-6 * max(1.0, abs(x))
        slope = (loss({**point, problem.wrt: x + h}) - loss({**point, problem.wrt: x - h})) / (
            2 * h
        )
        assert slope == pytest.approx(reference[i], rel=1e-5, abs=1e-7), (point, slope)
        assert gradient(point) == pytest.approx(reference[i], rel=1e-9, abs=1e-12), point
        checked += 1
    assert checked >= 20
