"""quizapp.losses without reference libraries: the notes' code, hand-worked values, properties,
extreme inputs, gradients against finite differences, and every error message."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp import losses as L

LN2 = math.log(2.0)


# --------------------------------------------------------------------------- the notes' code
# The functions below are the notes' section-16 snippets, so the module must reproduce them
# exactly when asked for the notes' clipping convention (eps=1e-7).


def notes_mse(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return np.mean((y_true - y_pred) ** 2)


def notes_mae(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    return np.mean(np.abs(y_true - y_pred))


def notes_bce(y_true: np.ndarray, p: np.ndarray, eps: float = 1e-7) -> float:
    p = np.clip(p, eps, 1 - eps)
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))


def notes_cce_one_hot(y_true: np.ndarray, p_probs: np.ndarray, eps: float = 1e-7) -> float:
    p = np.clip(p_probs, eps, 1 - eps)
    return -np.mean(np.sum(y_true * np.log(p), axis=-1))


def notes_cce_sparse(y_true_int: np.ndarray, p_probs: np.ndarray, eps: float = 1e-7) -> float:
    p = np.clip(p_probs, eps, 1 - eps)
    return -np.mean(np.log(p[np.arange(len(y_true_int)), y_true_int]))


@pytest.mark.parametrize("seed", range(20))
def test_matches_the_notes_code_snippets(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = rng.integers(1, 30), rng.integers(2, 8)
    y, yhat = rng.normal(size=n), rng.normal(size=n) * 3
    assert L.mse(y, yhat) == pytest.approx(notes_mse(y, yhat), rel=1e-12)
    assert L.mae(y, yhat) == pytest.approx(notes_mae(y, yhat), rel=1e-12)

    labels01 = rng.integers(0, 2, size=n).astype(float)
    p = rng.uniform(size=n)
    p[: n // 3] = rng.choice([0.0, 1.0], size=n // 3)  # the clip matters at exactly 0 and 1
    assert L.bce(labels01, p, eps=1e-7) == pytest.approx(notes_bce(labels01, p), rel=1e-9)

    probs = L.softmax(rng.normal(size=(n, k)) * 4)
    classes = rng.integers(0, k, size=n)
    onehot = np.eye(k)[classes]
    expected = notes_cce_one_hot(onehot, probs)
    assert L.cce(onehot, probs, eps=1e-7) == pytest.approx(expected, rel=1e-12)
    assert L.sparse_cce(classes, probs, eps=1e-7) == pytest.approx(expected, rel=1e-12)
    assert L.sparse_cce(classes, probs, eps=1e-7) == pytest.approx(
        notes_cce_sparse(classes, probs), rel=1e-12
    )


# --------------------------------------------------------------------------- worked by hand


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (lambda: L.mse([1, 2, 3], [1, 2, 5]), 4 / 3),
        (lambda: L.mae([1, 2, 3], [1, 2, 5]), 2 / 3),
        (lambda: L.mse([1, 2, 3], [1, 2, 5], reduction="sum"), 4.0),
        # residuals 0.5 (inside delta = 1: 0.5^2/2) and 3 (outside: 1 * (3 - 1/2))
        (lambda: L.huber([0, 0], [0.5, 3.0]), (0.125 + 2.5) / 2),
        (lambda: L.huber([0, 0], [0.5, 3.0], delta=2.0), (0.125 + 2 * (3 - 1)) / 2),
        (lambda: L.bce([1], [0.9]), -math.log(0.9)),
        (lambda: L.bce([1, 0], [0.9, 0.2]), (-math.log(0.9) - math.log(0.8)) / 2),
        # a confident wrong prediction costs 100 under torch's clamp, -ln(1e-7) under the notes'
        (lambda: L.bce([1], [0.0]), 100.0),
        (lambda: L.bce([1], [0.0], eps=1e-7), -math.log(1e-7)),
        (
            lambda: L.bce([1, 0], [0.9, 0.2], weight=[3, 1]),
            (-3 * math.log(0.9) - math.log(0.8)) / 2,
        ),
        (lambda: L.bce_with_logits([1], [0.0]), LN2),
        (lambda: L.bce_with_logits([1], [0.0], pos_weight=4.0), 4 * LN2),
        (lambda: L.bce_with_logits([0], [1000.0]), 1000.0),
        (lambda: L.bce_with_logits([1], [1000.0]), 0.0),
        (lambda: L.cce([[0, 1, 0]], [[0.2, 0.7, 0.1]]), -math.log(0.7)),
        (lambda: L.sparse_cce([1], [[0.2, 0.7, 0.1]]), -math.log(0.7)),
        (
            lambda: L.cross_entropy([0], [[2.0, 1.0, 0.0]]),
            math.log(1 + math.exp(-1) + math.exp(-2)),
        ),
        (lambda: L.cross_entropy(0, [2.0, 1.0, 0.0]), math.log(1 + math.exp(-1) + math.exp(-2))),
        # weighted mean: (1 * ln2 + 3 * ln2) / (1 + 3), not / 2
        (lambda: L.cross_entropy([0, 1], [[0, 0], [0, 0]], weight=[1, 3]), LN2),
        (
            lambda: L.cross_entropy([0, 1], [[0, 0], [0, 0]], weight=[1, 3], reduction="sum"),
            4 * LN2,
        ),
        # with probability targets torch divides by N, whatever the weights
        (lambda: L.cross_entropy([[1, 0], [0, 1]], [[0, 0], [0, 0]], weight=[1, 3]), 2 * LN2),
        # smoothing 0.1 over 3 classes: target (0.9 + 0.1/3, 0.1/3, 0.1/3)
        (
            lambda: L.cross_entropy(0, np.log([0.7, 0.2, 0.1]), label_smoothing=0.1),
            -((0.9 + 0.1 / 3) * math.log(0.7) + 0.1 / 3 * math.log(0.2) + 0.1 / 3 * math.log(0.1)),
        ),
        (lambda: L.hinge([1, -1], [0.5, 0.5]), (0.5 + 1.5) / 2),
        (lambda: L.hinge([1, 0], [0.5, 0.5]), (0.5 + 1.5) / 2),
        (lambda: L.hinge([1, -1], [2.0, -3.0]), 0.0),
        # Crammer-Singer: margin = score of the true class - best other score
        (lambda: L.hinge([0], [[2.0, 1.0, 0.0]]), 0.0),
        (lambda: L.hinge([1], [[2.0, 1.0, 0.0]]), 2.0),
        # p = 0.5: alpha_t (1 - p_t)^2 * ln 2 = 0.25 * 0.25 * ln 2
        (lambda: L.focal([1], [0.0]), 0.0625 * LN2),
        (lambda: L.focal([0], [0.0]), 0.75 * 0.25 * LN2),
        (lambda: L.focal([1], [0.0], alpha=None, gamma=0.0), LN2),
        (lambda: L.focal([1], [0.0], alpha=-1), 0.25 * LN2),
    ],
)
def test_hand_worked_values(value: Callable[[], float], expected: float) -> None:
    assert value() == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_stable_helpers() -> None:
    assert L.sigmoid([-1000.0, 0.0, 1000.0]).tolist() == [0.0, 0.5, 1.0]
    assert L.softplus(1000.0) == 1000.0
    assert L.softplus(-1000.0) == 0.0
    assert L.softplus(-40.0) == pytest.approx(math.exp(-40.0), rel=1e-14)
    assert L.softmax([1000.0, 0.0]).tolist() == [1.0, 0.0]
    assert L.log_softmax([1000.0, 0.0]).tolist() == [0.0, -1000.0]
    np.testing.assert_allclose(L.softmax([[1, 2], [3, 3]]).sum(axis=1), [1, 1], rtol=1e-15)


def test_stable_helpers_agree_with_high_precision() -> None:
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 40
    for x in np.linspace(-50, 50, 41):
        assert L.sigmoid(x) == pytest.approx(float(1 / (1 + mpmath.exp(-x))), rel=1e-14)
        assert L.softplus(x) == pytest.approx(float(mpmath.log(1 + mpmath.exp(x))), rel=1e-14)
    z = [3.0, -1.0, 0.5]
    exact = [float(v - mpmath.log(sum(mpmath.exp(t) for t in z))) for v in z]
    np.testing.assert_allclose(L.log_softmax(z), exact, rtol=1e-14)


# --------------------------------------------------------------------------- extremes


def test_extreme_logits_are_finite_and_exact() -> None:
    y = [1, 0, 1, 0]
    z = [1000.0, -1000.0, -1000.0, 1000.0]
    assert L.bce_with_logits(y, z, reduction="none").tolist() == [0.0, 0.0, 1000.0, 1000.0]
    assert L.focal(y, z, reduction="none").tolist() == [0.0, 0.0, 250.0, 750.0]
    ce = L.cross_entropy([0, 1], [[1000.0, -1000.0], [1000.0, -1000.0]], reduction="none")
    assert ce.tolist() == [0.0, 2000.0]
    for grad in (
        L.bce_with_logits_grad(y, z),
        L.focal_grad(y, z),
        L.cross_entropy_grad([0, 1], [[1000.0, -1000.0], [1000.0, -1000.0]]),
    ):
        assert np.isfinite(grad).all()


def test_probabilities_of_exactly_0_and_1() -> None:
    y = [1, 0, 1, 0]
    p = [1.0, 0.0, 0.0, 1.0]
    assert L.bce(y, p, reduction="none").tolist() == [0.0, 0.0, 100.0, 100.0]
    eps_loss = L.bce(y, p, eps=1e-7, reduction="none")
    assert eps_loss[2] == pytest.approx(-math.log(1e-7)) and eps_loss[0] < 1e-6
    assert L.cce([[1, 0], [0, 1]], [[1.0, 0.0], [1.0, 0.0]], reduction="none").tolist() == [
        0.0,
        100.0,
    ]
    assert L.sparse_cce([0, 1], [[1.0, 0.0], [1.0, 0.0]], reduction="none").tolist() == [0.0, 100.0]
    for grad in (
        L.bce_grad(y, p),
        L.bce_grad(y, p, eps=1e-7),
        L.cce_grad([[1, 0], [0, 1]], [[1.0, 0.0], [1.0, 0.0]]),
        L.sparse_cce_grad([0, 1], [[1.0, 0.0], [1.0, 0.0]]),
    ):
        assert np.isfinite(grad).all()


# --------------------------------------------------------------------------- properties

sizes = st.integers(1, 12)
reals = st.floats(-50, 50, allow_nan=False)
probabilities = st.floats(0, 1)


# The first deck's losses (targets first, predictions second); the second deck's keep torch's
# argument order and are tested in test_beyond_losses.py and test_beyond_cli.py.
FIRST_DECK = [s.name for s in L.SPECS if s.prediction_arg is None]


@st.composite
def loss_calls(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A loss name and valid keyword arguments for it, of one random size."""
    n = draw(sizes)
    k = draw(st.integers(2, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    name = draw(st.sampled_from(sorted(FIRST_DECK)))
    y_real = rng.normal(size=n) * draw(st.sampled_from([0.1, 1.0, 30.0]))
    y_pred = rng.normal(size=n) * draw(st.sampled_from([0.1, 1.0, 30.0]))
    y01 = rng.integers(0, 2, size=n).astype(float)
    logits = rng.normal(size=n) * draw(st.sampled_from([1.0, 10.0, 1000.0]))
    rows = rng.normal(size=(n, k)) * draw(st.sampled_from([1.0, 10.0]))
    classes = rng.integers(0, k, size=n)
    args: dict[str, dict[str, Any]] = {
        "mse": {"y_true": y_real, "y_pred": y_pred},
        "mae": {"y_true": y_real, "y_pred": y_pred},
        "huber": {"y_true": y_real, "y_pred": y_pred, "delta": draw(st.floats(0.1, 5))},
        "bce": {"y_true": y01, "p": rng.uniform(size=n)},
        "bce_with_logits": {"y_true": y01, "logits": logits},
        "cce": {"y_onehot": np.eye(k)[classes], "probs": L.softmax(rows)},
        "sparse_cce": {"labels": classes, "probs": L.softmax(rows)},
        "cross_entropy": {
            "y_true": classes,
            "logits": rows,
            "label_smoothing": draw(st.sampled_from([0.0, 0.1])),
        },
        "hinge": {"y_true": 2 * y01 - 1, "scores": y_pred},
        "focal": {"y_true": y01, "logits": logits, "gamma": draw(st.sampled_from([0, 1, 2]))},
    }
    return name, args[name]


@settings(max_examples=150, deadline=None)
@given(loss_calls())
def test_loss_is_non_negative_and_sum_is_mean_times_n(call: tuple[str, dict[str, Any]]) -> None:
    name, kwargs = call
    fn = L.LOSSES[name]
    mean = fn(**kwargs)
    total = fn(**kwargs, reduction="sum")
    each = fn(**kwargs, reduction="none")
    n = len(each)
    assert mean >= 0 and total >= 0 and (each >= 0).all()
    assert total == pytest.approx(mean * n, rel=1e-12, abs=1e-300)
    assert float(np.sum(each)) == pytest.approx(total, rel=1e-12, abs=1e-300)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(reals, reals), min_size=1, max_size=20),
    st.floats(0.05, 10),
)
def test_huber_lies_between_its_mse_and_mae_bounds(
    pairs: list[tuple[float, float]], delta: float
) -> None:
    y, yhat = np.array(pairs).T
    h = L.huber(y, yhat, delta=delta)
    mse, mae = L.mse(y, yhat), L.mae(y, yhat)
    slack = 1e-12 * (1 + mse)
    # Per residual: delta |e| - delta^2/2 <= huber <= min(e^2/2, delta |e|); averaging keeps it.
    assert delta * mae - delta**2 / 2 - slack <= h <= min(mse / 2, delta * mae) + slack
    residuals = np.abs(yhat - y)
    if (residuals <= delta).all():
        assert h == pytest.approx(mse / 2, rel=1e-12, abs=1e-300)
    if (residuals >= delta).all():
        assert h == pytest.approx(delta * mae - delta**2 / 2, rel=1e-9, abs=1e-12)


# --------------------------------------------------------------------------- gradients


def _finite_difference(
    fn: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (fn(up) - fn(down)) / (2 * h)
    return grad


def _gradient_cases(rng: np.random.Generator) -> list[tuple[str, dict[str, Any], str]]:
    """(loss name, keyword arguments, the name of the argument to differentiate by)."""
    n, k = 5, 4
    y = rng.normal(size=n)
    # keep residuals and margins away from the kinks so the central difference is valid
    away = rng.choice([-1, 1], size=n) * rng.uniform(0.2, 3.0, size=n)
    y01 = rng.integers(0, 2, size=n).astype(float)
    soft = rng.uniform(size=n)
    classes = rng.integers(0, k, size=n)
    probs = L.softmax(rng.normal(size=(n, k)))
    target_probs = L.softmax(rng.normal(size=(n, k)))
    logits = rng.normal(size=n) * 3
    rows = rng.normal(size=(n, k)) * 2
    delta = 1.0
    huber_pred = y + np.where(np.abs(away) - delta > 0.1, away, away / 3)
    signs = 2 * y01 - 1
    scores = signs * (1 + away)  # margins 1 + away, never within 0.2 of 1
    return [
        ("mse", {"y_true": y, "y_pred": y + away}, "y_pred"),
        ("mae", {"y_true": y, "y_pred": y + away}, "y_pred"),
        ("huber", {"y_true": y, "y_pred": huber_pred, "delta": delta}, "y_pred"),
        ("bce", {"y_true": soft, "p": rng.uniform(0.05, 0.95, size=n)}, "p"),
        ("bce", {"y_true": y01, "p": rng.uniform(0.05, 0.95, size=n), "eps": 0.01}, "p"),
        ("bce", {"y_true": y01, "p": rng.uniform(0.05, 0.95, size=n), "weight": soft}, "p"),
        ("bce_with_logits", {"y_true": soft, "logits": logits}, "logits"),
        (
            "bce_with_logits",
            {"y_true": y01, "logits": logits, "weight": soft, "pos_weight": 3.0},
            "logits",
        ),
        ("cce", {"y_onehot": np.eye(k)[classes], "probs": probs}, "probs"),
        ("cce", {"y_onehot": target_probs, "probs": probs, "eps": 1e-3}, "probs"),
        ("sparse_cce", {"labels": classes, "probs": probs}, "probs"),
        ("cross_entropy", {"y_true": classes, "logits": rows}, "logits"),
        (
            "cross_entropy",
            {
                "y_true": classes,
                "logits": rows,
                "weight": rng.uniform(0.5, 2, k),
                "label_smoothing": 0.2,
            },
            "logits",
        ),
        (
            "cross_entropy",
            {"y_true": target_probs, "logits": rows, "weight": rng.uniform(0.5, 2, k)},
            "logits",
        ),
        ("hinge", {"y_true": signs, "scores": scores}, "scores"),
        ("hinge", {"y_true": y01, "scores": scores}, "scores"),
        ("focal", {"y_true": y01, "logits": logits}, "logits"),
        ("focal", {"y_true": soft, "logits": logits, "alpha": 0.6, "gamma": 0.5}, "logits"),
        ("focal", {"y_true": y01, "logits": logits, "alpha": None, "gamma": 3.0}, "logits"),
    ]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_gradients_match_finite_differences(seed: int, reduction: str) -> None:
    rng = np.random.default_rng(seed)
    for name, kwargs, wrt in _gradient_cases(rng):
        analytic = L.GRADIENTS[name](**kwargs, reduction=reduction)

        def loss_at(
            x: np.ndarray, name: str = name, kwargs: dict = kwargs, wrt: str = wrt
        ) -> float:
            if name in ("cce", "sparse_cce"):
                # the rows must stay distributions, so perturb the formula's input directly
                return _cce_formula(name, kwargs, x, reduction)
            return L.LOSSES[name](**{**kwargs, wrt: x}, reduction=reduction)

        numeric = _finite_difference(loss_at, np.asarray(kwargs[wrt], dtype=float))
        np.testing.assert_allclose(
            analytic, numeric, rtol=1e-5, atol=1e-7, err_msg=f"{name} {sorted(kwargs)}"
        )


def _cce_formula(name: str, kwargs: dict[str, Any], probs: np.ndarray, reduction: str) -> float:
    """The cce formula with the probabilities as free variables (no row-sum constraint)."""
    eps = kwargs.get("eps")
    p = np.clip(probs, eps, 1 - eps) if eps else probs
    if name == "sparse_cce":
        target = np.eye(probs.shape[1])[kwargs["labels"]]
    else:
        target = kwargs["y_onehot"]
    per_row = -(target * np.log(p)).sum(axis=1)
    return float(per_row.mean() if reduction == "mean" else per_row.sum())


def test_gradient_with_reduction_none_is_per_sample() -> None:
    y, yhat = [1.0, 2.0], [2.0, 4.0]
    np.testing.assert_allclose(L.mse_grad(y, yhat, reduction="none"), [2.0, 4.0])
    np.testing.assert_allclose(L.mse_grad(y, yhat), [1.0, 2.0])
    grad = L.cross_entropy_grad([0], [[0.0, 0.0]], reduction="none")
    np.testing.assert_allclose(grad, [[-0.5, 0.5]])
    np.testing.assert_allclose(L.cross_entropy_grad(0, [0.0, 0.0]), [-0.5, 0.5])


def test_kinks_use_the_zero_subgradient() -> None:
    assert L.mae_grad([1.0], [1.0]).tolist() == [0.0]
    assert L.hinge_grad([1], [1.0]).tolist() == [0.0]


# --------------------------------------------------------------------------- errors

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: L.mse([1, 2], [1, 2, 3]), "y_pred has shape (3,) but y_true has shape (2,)"),
        (lambda: L.mae([1, 2], [[1, 2]]), "y_pred has shape (1, 2) but y_true has shape (2,)"),
        (lambda: L.mse([], []), "y_true is empty"),
        (lambda: L.mse([1, NAN], [1, 2]), "y_true[1] is NaN"),
        (lambda: L.huber([1, 2], [1, INF]), "y_pred[1] is infinite"),
        (lambda: L.mse([1], [1], reduction="avg"), "reduction must be 'mean', 'sum' or 'none'"),
        (lambda: L.mse("abc", [1]), "y_true must be numbers"),
        (lambda: L.mse([[1, 2], [3]], [1]), "y_true must be numbers"),
        (lambda: L.huber([1], [2], delta=0), "delta must be a number > 0"),
        (lambda: L.huber([1], [2], delta=-1.0), "delta must be a number > 0"),
        (lambda: L.bce([1, 0], [1.2, 0.5]), "p[0] = 1.2 is outside [0, 1]"),
        (lambda: L.bce([1, 0], [0.5, -0.1]), "p[1] = -0.1 is outside [0, 1]"),
        (lambda: L.bce([2, 0], [0.2, 0.5]), "y_true[0] = 2 is outside [0, 1]"),
        (lambda: L.bce([1, 0], [0.2, NAN]), "p[1] is NaN"),
        (lambda: L.bce([NAN], [0.2]), "y_true[0] is NaN"),
        (lambda: L.bce([1], [0.2], eps=0.7), "eps must be a number in (0, 0.5)"),
        (lambda: L.bce([1], [0.2], eps=0), "eps must be a number in (0, 0.5)"),
        (lambda: L.bce([1, 0], [0.2, 0.5], weight=[-1, 1]), "weight[0] = -1 is negative"),
        (lambda: L.bce([1, 0], [0.2, 0.5], weight=[1, 1, 1]), "weight has shape (3,)"),
        (lambda: L.bce([1, 0], [0.2, 0.5], weight=[1, NAN]), "weight[1] is NaN"),
        (lambda: L.bce_with_logits([1, 0], [0.2, NAN]), "logits[1] is NaN"),
        (lambda: L.bce_with_logits([1, 0], [0.2, -INF]), "logits[1] is infinite"),
        (lambda: L.bce_with_logits([1, 0], [0.2, 0.5], pos_weight=[1, 2, 3]), "pos_weight has"),
        (lambda: L.bce_with_logits([1, 3], [0.2, 0.5]), "y_true[1] = 3 is outside [0, 1]"),
        (lambda: L.cce([[1, 0]], [[0.5, 0.6]]), "probs row 0 sums to 1.1"),
        (lambda: L.cce([[1, 0]], [[0.5, 0.5, 0]]), "y_onehot has shape (1, 2) but probs"),
        (lambda: L.cce([[1, 0]], [[1.5, -0.5]]), "probs[0, 0] = 1.5 is outside [0, 1]"),
        (lambda: L.cce([[2, 0]], [[0.5, 0.5]]), "y_onehot[0, 0] = 2 is outside [0, 1]"),
        (lambda: L.sparse_cce([2], [[0.5, 0.5]]), "labels[0] = 2 is out of range"),
        (lambda: L.sparse_cce([-1], [[0.5, 0.5]]), "labels[0] = -1 is out of range"),
        (lambda: L.sparse_cce([0.5], [[0.5, 0.5]]), "labels[0] = 0.5 is not a whole number"),
        (lambda: L.sparse_cce([0, 1], [[0.5, 0.5]]), "labels has 2 labels but probs has 1 row"),
        (lambda: L.sparse_cce([], [[0.5, 0.5]]), "labels is empty"),
        (lambda: L.sparse_cce(["a"], [[0.5, 0.5]]), "labels must be whole-number class labels"),
        (lambda: L.cross_entropy([3], [[1, 2, 3]]), "y_true[0] = 3 is out of range"),
        (lambda: L.cross_entropy([[0, 1]], [[1, 2, 3]]), "y_true has shape (1, 2)"),
        (lambda: L.cross_entropy([0], [[[1, 2, 3]]]), "logits must be 1-D"),
        (lambda: L.cross_entropy([0, 1], [[1, 2, 3]]), "y_true has 2 labels but logits has 1 row"),
        (lambda: L.cross_entropy([0], [[1, 2, 3]], weight=[0, 1, 1]), "weight is 0 for every"),
        (lambda: L.cross_entropy([0], [[1, 2, 3]], weight=[0, 1]), "weight has shape (2,)"),
        (lambda: L.cross_entropy([0], [[1, 2, -INF]]), "logits[0, 2] is infinite"),
        (lambda: L.cross_entropy([0], [[NAN, 2, 3]]), "logits[0, 0] is NaN"),
        (lambda: L.cross_entropy([0], [[1, 2]], label_smoothing=1.5), "label_smoothing must"),
        (lambda: L.cross_entropy([[0.5, 1.7]], [[1, 2]]), "y_true[0, 1] = 1.7 is outside"),
        (lambda: L.hinge([2, 1], [0.5, 0.5]), "y_true[0] = 2; binary hinge labels are -1/+1"),
        (lambda: L.hinge([0, -1], [0.5, 0.5]), "y_true mixes 0 and -1"),
        (lambda: L.hinge([5], [[1, 2, 3]]), "y_true[0] = 5 is out of range"),
        (lambda: L.hinge([1], [NAN]), "scores[0] is NaN"),
        (lambda: L.focal([1], [0.3], alpha=2), "alpha must be in [0, 1]"),
        (lambda: L.focal([1], [0.3], gamma=-1), "gamma must be a number >= 0"),
        (lambda: L.focal([1], [INF]), "logits[0] is infinite"),
    ],
)
def test_bad_input_raises_a_value_error_naming_the_argument(
    call: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError) as info:
        call()
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_every_gradient_validates_like_its_loss() -> None:
    for name in FIRST_DECK:
        grad = L.GRADIENTS[name]
        loss = L.LOSSES[name]
        with pytest.raises(ValueError, match="reduction must be"):
            grad([1], [0.5], reduction="avg")
        assert loss.__name__ + "_grad" == grad.__name__
