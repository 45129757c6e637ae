"""Every gradient drill of the third deck against quizapp.losses: at the drill's own sample
points, a central finite difference of the matching loss from the loss module equals the drill's
reference, and so does the module's analytic gradient where it is for the drill's variable. The
drills' loss expressions are written by hand; this proves they are the losses the app computes."""

from __future__ import annotations

import math
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
Point = dict[str, float]


def _siglip_pair(v: Point) -> float:
    """n × SigLIP on embeddings whose only varying pair has logit x: for z = +1 one matched
    pair; for z = −1 a batch of two whose pair (image 0, text 1) has cos = c, the others fixed."""
    t = max(10.0, 2 * abs(v["x"]))
    c = v["x"] / t  # b = 0, so the pair's logit t·c is x
    pad = math.sqrt(1 - c * c)
    if v["z"] > 0:
        return losses.siglip([[1.0, 0.0]], [[c, pad]], t=t, b=0.0)
    images = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    texts = [[1.0, 0.0, 0.0], [c, 0.0, pad]]
    return 2 * losses.siglip(images, texts, t=t, b=0.0)


def _masked_ce_logits(v: Point) -> list[list[float]]:
    # Position 3 (label 0) has logits (0, ln(e^c − 1)), so its loss ln(1 + e^(z2 − z1)) is c.
    return [[v["z1"], v["z2"]], [5.0, -3.0], [0.0, math.log(math.expm1(v["c"]))]]


def _l2(v: Point) -> float:
    return float(losses.mse([v["y"]], [v["w"] * v["x"]])) + v["lam"] * v["w"] ** 2


def _l2_grad(v: Point) -> float:
    return float(losses.mse_grad([v["y"]], [v["w"] * v["x"]])[0]) * v["x"] + 2 * v["lam"] * v["w"]


def _dpo_args(v: Point) -> tuple[list[float], ...]:
    return [v["a"]], [v["c"]], [v["a0"]], [v["c0"]]


Loss = Callable[[Point], float]
# Drill id -> (the loss from quizapp.losses at a point, its analytic gradient there or None, and
# which points the module accepts: the losses refuse an overflowing ratio, for one).
LOSS_MODULE: dict[str, tuple[Loss, Loss | None, Callable[[Point], bool]]] = {
    "fgrad-dpo-chosen": (
        lambda v: losses.dpo(*_dpo_args(v), beta=v["beta"]),
        lambda v: float(losses.dpo_grad(*_dpo_args(v), beta=v["beta"])[0]),
        lambda v: True,
    ),
    "fgrad-bradley-terry": (
        lambda v: losses.bradley_terry([v["rw"]], [v["rl"]]),
        lambda v: float(losses.bradley_terry_grad([v["rw"]], [v["rl"]])[0]),
        lambda v: True,
    ),
    "fgrad-z-loss": (
        lambda v: losses.z_loss([[v["z1"], v["z2"], v["z3"]]], weight=v["w"]),
        lambda v: float(losses.z_loss_grad([[v["z1"], v["z2"], v["z3"]]], weight=v["w"])[0, 0]),
        lambda v: True,
    ),
    "fgrad-ppo-positive": (
        lambda v: losses.ppo_clip([v["l"]], [v["l0"]], [v["A"]], clip_eps=v["eps"]),
        lambda v: float(losses.ppo_clip_grad([v["l"]], [v["l0"]], [v["A"]], v["eps"])[0]),
        lambda v: abs(v["l"] - v["l0"]) < 600,
    ),
    "fgrad-ppo-negative": (
        lambda v: losses.ppo_clip([v["l"]], [v["l0"]], [-v["B"]], clip_eps=v["eps"]),
        lambda v: float(losses.ppo_clip_grad([v["l"]], [v["l0"]], [-v["B"]], v["eps"])[0]),
        lambda v: abs(v["l"] - v["l0"]) < 600,
    ),
    "fgrad-siglip-logit": (_siglip_pair, None, lambda v: True),
    "fgrad-hinge-gan-fake": (
        lambda v: losses.hinge_gan_d([2.0], [v["f"]]),  # the real term is 0 at a score of 2
        None,
        lambda v: True,
    ),
    "fgrad-min-snr": (
        lambda v: losses.diffusion_eps([[v["e"]]], [[v["q"]]], [v["s"]], min_snr_gamma=v["g"]),
        lambda v: float(
            losses.diffusion_eps_grad([[v["e"]]], [[v["q"]]], [v["s"]], min_snr_gamma=v["g"])[0, 0]
        ),
        lambda v: True,
    ),
    "fgrad-masked-ce": (
        lambda v: float(losses.cross_entropy([0, -100, 0], _masked_ce_logits(v))),
        lambda v: float(losses.cross_entropy_grad([0, -100, 0], _masked_ce_logits(v))[0, 0]),
        lambda v: 1e-6 < v["c"] < 500,
    ),
    "fgrad-l2-term": (_l2, _l2_grad, lambda v: True),
}


@pytest.fixture(scope="module")
def drills() -> dict:
    library = shipped_library()
    assert [str(e) for e in library.errors] == []
    return {c.id: c for c in library.of_kind("gradient_drill") if c.deck == "frontier"}


def test_every_drill_has_a_loss_module_counterpart(drills: dict) -> None:
    assert len(drills) >= 10
    assert set(LOSS_MODULE) | {"fgrad-load-balancing"} == set(drills)
    for card in drills.values():
        assert card.mistakes and card.derivation and card.cite, card.id


def _points(drill: object, n: int = 60) -> tuple[list[Point], np.ndarray, str]:
    problem = problem_of(drill)  # type: ignore[arg-type]
    compiled = compile_problem(problem)
    env = {k: v[:n] for k, v in sample_env(problem).items()}
    kinks: list[np.ndarray] = []
    evaluate(compiled.loss_expanded, env, kinks)
    usable = far_from_kinks(kinks, n, distance=1e-3)
    reference = np.broadcast_to(evaluate(compiled.reference_expanded, env), (n,))
    points = [{k: float(v[i]) for k, v in env.items()} for i in range(n)]
    return [p for p, ok in zip(points, usable, strict=True) if ok], reference[usable], problem.wrt


@pytest.mark.parametrize("drill_id", sorted(LOSS_MODULE))
def test_reference_is_the_loss_modules_gradient(drills: dict, drill_id: str) -> None:
    loss, gradient, accepted = LOSS_MODULE[drill_id]
    points, reference, wrt = _points(drills[drill_id])
    checked = 0
    for point, expected in zip(points, reference, strict=True):
        if not accepted(point) or not math.isfinite(expected):
            continue
        x = point[wrt]
        h = 1e-6 * max(1.0, abs(x))
        slope = (loss({**point, wrt: x + h}) - loss({**point, wrt: x - h})) / (2 * h)
        assert slope == pytest.approx(expected, rel=1e-5, abs=1e-7), (point, slope)
        if gradient is not None:
            assert gradient(point) == pytest.approx(expected, rel=1e-9, abs=1e-12), point
        checked += 1
    assert checked >= 20


def test_load_balancing_reference_chains_to_the_modules_logit_gradient(drills: dict) -> None:
    """The drill's ∂L/∂Pᵢ = α·E·fᵢ, chained through P = mean softmax, is the finite difference
    of quizapp.losses.load_balancing in each router logit (f, an argmax, does not move)."""
    rng = np.random.default_rng(28)
    for _ in range(10):
        t, e = int(rng.integers(3, 9)), int(rng.integers(2, 5))
        z = rng.normal(size=(t, e)) * 2
        alpha = float(rng.choice([0.01, 1.0]))
        p = losses.softmax(z)
        f = np.bincount(z.argmax(axis=1), minlength=e) / t
        d_big_p = alpha * e * f  # the drill's reference, for every expert
        # dP_i/dz_tj = p_ti (δij − p_tj) / T
        chained = np.einsum("i,ti,tij->tj", d_big_p, p, np.eye(e)[None] - p[:, None, :]) / t
        h = 1e-6
        for index in np.ndindex(z.shape):
            up, down = z.copy(), z.copy()
            up[index] += h
            down[index] -= h
            slope = (losses.load_balancing(up, alpha) - losses.load_balancing(down, alpha)) / (
                2 * h
            )
            assert slope == pytest.approx(chained[index], rel=1e-5, abs=1e-9)
    assert drills["fgrad-load-balancing"].reference == "alpha*E*f1"
