"""The second deck's losses in quizapp.losses against torch and sklearn
(tests/unit/beyond_reference.py): values and gradients within 1e-10 relative in float64 on random
draws, finite at extreme inputs, the reference's argument names, and a clear message for bad
input. Skipped without the `ref` extra."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.losses import REGISTRY

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")
from tests.unit import beyond_reference as R  # noqa: E402

F = torch.nn.functional
RTOL = 1e-10
CASES = {case.name: case for case in R.CASES}

pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning")


@pytest.mark.parametrize("name", list(CASES))
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_value_and_gradients_agree_with_the_reference(name: str, seed: int) -> None:
    case = CASES[name]
    kwargs = case.draw(np.random.default_rng(seed))
    ours = REGISTRY[name].function(**kwargs)
    theirs, _ = R.reference(case, kwargs)
    assert R.relative(ours, theirs, case.value_normwise(kwargs)) <= RTOL, (ours, theirs)
    if case.sklearn_loss is not None:
        assert R.relative(ours, case.sklearn_loss(**kwargs)) <= RTOL
    for wrt in case.grads:
        _, grad = R.reference(case, kwargs, wrt)
        mine = R.our_gradient(case, wrt)(**kwargs)
        floor = case.grad_floor(kwargs)
        assert R.relative(mine, grad, normwise=True, floor=floor) <= RTOL, (wrt, mine, grad)


def test_the_reduction_changes_the_value_as_in_torch() -> None:
    """A draw can hide a wrong reduction behind a lucky size; fix one size where they differ."""
    x = np.log(np.array([[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]]))
    p = np.array([[0.3, 0.7], [0.6, 0.4], [0.5, 0.5]])
    kl = REGISTRY["kl_div"].function
    values = {r: kl(x, p, reduction=r) for r in ("mean", "batchmean", "sum")}
    assert values["batchmean"] == pytest.approx(values["sum"] / 3, rel=1e-12)
    assert values["mean"] == pytest.approx(values["sum"] / 6, rel=1e-12)
    for r, v in values.items():
        assert v == pytest.approx(F.kl_div(torch.tensor(x), torch.tensor(p), reduction=r).item())


# Inputs at the edge of each loss's domain: the loss and its gradient stay finite and still
# agree with the reference.
EXTREMES: dict[str, list[dict[str, Any]]] = {
    "kl_div": [
        {"input": np.array([[-1000.0, 0.0]]), "target": np.array([[0.0, 1.0]])},
        {"input": np.array([[-1e-300, -800.0]]), "target": np.array([[1.0, 0.0]])},
        {
            "input": np.array([[-700.0, 0.0]]),
            "target": np.array([[-700.0, 0.0]]),
            "log_target": True,
        },
    ],
    "poisson_nll": [
        {"input": np.array([-1000.0, 30.0]), "target": np.array([0.0, 1e6])},
        {
            "input": np.array([0.0, 1e-12]),
            "target": np.array([0.0, 5.0]),
            "log_input": False,
            "full": True,
        },
    ],
    "gaussian_nll": [
        {"input": np.array([1e6, 0.0]), "target": np.array([-1e6, 0.0]), "var": np.zeros(2)},
        {"input": np.array([1.0]), "target": np.array([0.0]), "var": np.array([1e300])},
    ],
    "smooth_l1": [{"input": np.array([1e300, -1e-300]), "target": np.array([0.0, 0.0])}],
    "margin_ranking": [
        {"input1": np.array([1e300]), "input2": np.array([-1e300]), "target": np.array([-1.0])},
    ],
    "cosine_embedding": [
        {"input1": np.zeros((1, 3)), "input2": np.ones((1, 3)), "target": np.array([1.0])},
        {
            "input1": np.array([[1e-150, 0.0]]),
            "input2": np.array([[1e-150, 1e-300]]),
            "target": np.array([-1.0]),
        },
    ],
    "triplet_margin": [
        {"anchor": np.zeros((1, 2)), "positive": np.zeros((1, 2)), "negative": np.zeros((1, 2))},
        {
            "anchor": np.full((1, 2), 1e100),
            "positive": np.full((1, 2), -1e100),
            "negative": np.full((1, 2), 1e100),
            "swap": True,
        },
    ],
    "nll": [{"input": np.array([[-1e300, 0.0]]), "target": np.array([0])}],
    "quantile": [{"y_true": np.array([1e300, -1e300]), "y_pred": np.array([-1e300, 1e300])}],
    "brier": [{"y_true": np.array([0.0, 1.0]), "y_proba": np.array([1.0, 0.0])}],
    "dice": [
        {"input": np.zeros((2, 3)), "target": np.zeros((2, 3))},
        {"input": np.ones((1, 4)), "target": np.ones((1, 4)), "smooth": 0.0},
    ],
    "info_nce": [
        {"query": np.zeros((2, 3)), "positive_key": np.ones((2, 3)), "temperature": 0.01},
        {"query": np.eye(3) * 1e150, "positive_key": np.eye(3), "temperature": 0.001},
    ],
    "distillation": [
        {
            "student_logits": np.array([[1000.0, -1000.0]]),
            "teacher_logits": np.array([[-1000.0, 1000.0]]),
            "temperature": 1.0,
        },
    ],
}


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [(name, kw) for name, cases in EXTREMES.items() for kw in cases],
    ids=[f"{name}-{i}" for name, cases in EXTREMES.items() for i in range(len(cases))],
)
def test_extreme_inputs_stay_finite_and_agree(name: str, kwargs: dict[str, Any]) -> None:
    case = CASES[name]
    full = {**_defaults(name), **kwargs}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow or divide-by-zero on the way
        value = REGISTRY[name].function(**full)
        grads = [R.our_gradient(case, wrt)(**full) for wrt in case.grads]
    assert np.isfinite(value).all()
    for grad in grads:
        assert np.isfinite(grad).all()
    theirs, _ = R.reference(case, full)
    if np.isfinite(theirs).all():
        np.testing.assert_allclose(value, theirs, rtol=1e-9, atol=1e-12)


def _defaults(name: str) -> dict[str, Any]:
    """The keyword defaults of our function, which the reference call needs spelled out."""
    params = inspect.signature(REGISTRY[name].function).parameters
    return {k: p.default for k, p in params.items() if p.default is not inspect.Parameter.empty}


# The reference's argument names (and defaults where both have them), so that a learner can
# pass the same keywords to either.
TORCH_SIGNATURES = {
    "kl_div": F.kl_div,
    "poisson_nll": F.poisson_nll_loss,
    "gaussian_nll": F.gaussian_nll_loss,
    "smooth_l1": F.smooth_l1_loss,
    "margin_ranking": F.margin_ranking_loss,
    "cosine_embedding": F.cosine_embedding_loss,
    "triplet_margin": F.triplet_margin_loss,
    "nll": F.nll_loss,
}


@pytest.mark.parametrize("name", list(TORCH_SIGNATURES))
def test_argument_names_and_defaults_are_torchs(name: str) -> None:
    ours = inspect.signature(REGISTRY[name].function).parameters
    theirs = inspect.signature(TORCH_SIGNATURES[name]).parameters
    legacy = {"size_average", "reduce"}
    assert list(ours) == [p for p in theirs if p not in legacy]
    for key, param in ours.items():
        assert param.default == theirs[key].default, key


def test_sklearn_argument_names() -> None:
    from sklearn.metrics import brier_score_loss, mean_pinball_loss

    pairs = (("quantile", mean_pinball_loss), ("brier", brier_score_loss))
    for ours, theirs in pairs:
        mine = list(inspect.signature(REGISTRY[ours].function).parameters)
        assert mine == list(inspect.signature(theirs).parameters)[: len(mine)]


@pytest.mark.parametrize(
    ("name", "kwargs", "words"),
    [
        ("kl_div", {"input": [0.0], "target": [-0.5]}, ["target[0]", "negative"]),
        ("kl_div", {"input": [0.0], "target": [1.0], "reduction": "avg"}, ["batchmean"]),
        ("poisson_nll", {"input": [-1.0], "target": [1.0], "log_input": False}, ["log_input"]),
        ("gaussian_nll", {"input": [0.0], "target": [0.0], "var": [-1.0]}, ["var", "negative"]),
        ("gaussian_nll", {"input": [[0.0, 1.0]], "target": [[0, 1]], "var": [1, 2, 3]}, ["var"]),
        ("smooth_l1", {"input": [0.0], "target": [1.0], "beta": -1}, ["beta"]),
        ("margin_ranking", {"input1": [1.0], "input2": [0.0], "target": [0]}, ["+1 or -1"]),
        ("triplet_margin", {"anchor": [1.0], "positive": [1.0, 2.0], "negative": [0.0]}, ["shape"]),
        ("nll", {"input": [[0.0, -1.0]], "target": [2]}, ["target[0]", "0..1"]),
        ("nll", {"input": [[0.0, -1.0]], "target": [-100]}, ["ignore_index", "sum"]),
        ("quantile", {"y_true": [1.0], "y_pred": [0.0], "alpha": 1.5}, ["alpha"]),
        ("brier", {"y_true": [0, 1], "y_proba": [0.2, 1.2]}, ["y_proba[1]", "[0, 1]"]),
        ("brier", {"y_true": [0, 2], "y_proba": [0.2, 0.5]}, ["pos_label"]),
        ("dice", {"input": [0.0], "target": [0.0], "smooth": 0.0}, ["empty", "smooth"]),
        ("dice", {"input": [3.0], "target": [1.0]}, ["logits"]),
        ("info_nce", {"query": [1.0, 0.0], "positive_key": [0.0, 1.0]}, ["2-D"]),
        (
            "distillation",
            {"student_logits": [[1.0]], "teacher_logits": [[float("nan")]]},
            ["teacher_logits", "NaN"],
        ),
    ],
)
def test_bad_input_names_the_argument(name: str, kwargs: dict[str, Any], words: list[str]) -> None:
    with pytest.raises(ValueError) as info:
        REGISTRY[name].function(**kwargs)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_gradients_match_finite_differences_of_our_own_losses() -> None:
    """Independently of torch: central differences of each loss reproduce its gradient."""
    rng = np.random.default_rng(7)
    for case in R.CASES:
        for _ in range(3):
            kwargs = case.draw(rng)
            if kwargs.get("reduction") == "none" or kwargs.get("multioutput") == "raw_values":
                continue
            for wrt in case.grads:
                grad = R.our_gradient(case, wrt)(**kwargs)
                base = np.asarray(kwargs[wrt], dtype=float)
                index = tuple(int(rng.integers(0, n)) for n in base.shape)
                h = 1e-6 * max(1.0, abs(base[index]))
                up, down = base.copy(), base.copy()
                up[index] += h
                down[index] -= h
                f = REGISTRY[case.name].function
                try:
                    numeric = (f(**{**kwargs, wrt: up}) - f(**{**kwargs, wrt: down})) / (2 * h)
                except ValueError:  # a probability at 0 or 1 stepped outside [0, 1]
                    continue
                # Rounding in f is amplified by 1/h; where f is huge that bounds what FD can tell.
                noise = 1e-9 * abs(f(**kwargs)) / h
                assert numeric == pytest.approx(grad[index], rel=1e-4, abs=1e-6 + noise), (
                    case.name,
                    wrt,
                )
