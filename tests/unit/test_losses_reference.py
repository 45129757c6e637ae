"""quizapp.losses against the libraries people use: torch.nn.functional, torchvision's focal loss
and sklearn.metrics.hinge_loss, within 1e-10 relative in float64 on random inputs, and at extreme
inputs. Skipped when torch (the `ref` extra) is not installed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp import losses as L

torch = pytest.importorskip("torch")
F = torch.nn.functional

RTOL = 1e-10
# The losses on logits also allow this absolute difference. Where a loss element is tiny (a
# confident right answer) float64 rounding dominates it: torch's (1 - y) z + softplus(-z) at
# z = -30 is 1.3% off (see test_tiny_logit_losses_are_exact_where_torch_cancels), and
# cross-entropy's log(1 + tiny) keeps only ~1e-16 absolute accuracy in any implementation.
# A purely relative test there would be judging rounding, not semantics.
ATOL_CANCELLATION = 1e-12


def t(x: Any) -> Any:
    return torch.as_tensor(np.asarray(x, dtype=np.float64))


def assert_close(ours: Any, theirs: Any, atol: float = 0.0) -> None:
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=atol)


def torchvision_sigmoid_focal_loss(
    inputs: Any, targets: Any, alpha: float = 0.25, gamma: float = 2, reduction: str = "none"
) -> Any:
    """torchvision.ops.sigmoid_focal_loss, written out with torch ops because torchvision cannot
    be installed here. This is the formula torchvision publishes (torchvision/ops/focal_loss.py):
    p = sigmoid(x); ce = BCE-with-logits; p_t = p y + (1 - p)(1 - y); loss = ce (1 - p_t)^gamma;
    times alpha_t = alpha y + (1 - alpha)(1 - y) when alpha >= 0."""
    p = torch.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


@st.composite
def batches(draw: st.DrawFn) -> dict[str, Any]:
    """Random inputs of one random size and scale, from a seeded numpy generator."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.integers(1, 40))
    k = draw(st.integers(2, 6))
    scale = draw(st.sampled_from([0.01, 1.0, 10.0, 100.0]))
    p = rng.uniform(size=n)
    p[rng.uniform(size=n) < 0.1] = 0.0
    p[rng.uniform(size=n) < 0.1] = 1.0
    return {
        "n": n,
        "k": k,
        "y": rng.normal(size=n) * scale,
        "yhat": rng.normal(size=n) * scale,
        "y01": rng.integers(0, 2, size=n).astype(float),
        "soft": rng.uniform(size=n),
        "p": p,
        "z": rng.normal(size=n) * scale,
        "w": rng.uniform(0, 3, size=n),
        "rows": rng.normal(size=(n, k)) * min(scale, 30.0),
        "classes": rng.integers(0, k, size=n),
        "target_probs": L.softmax(rng.normal(size=(n, k)) * 3),
        "class_weight": rng.uniform(0.1, 3, size=k),
        "delta": float(rng.choice([0.1, 1.0, 2.5])),
        "alpha": float(rng.choice([-1.0, 0.0, 0.25, 0.9])),
        "gamma": float(rng.choice([0.0, 0.5, 2.0, 3.0])),
        "smoothing": float(rng.choice([0.0, 0.1, 0.4])),
    }


REDUCTIONS = ("mean", "sum", "none")
SETTINGS = settings(max_examples=60, deadline=None)


@SETTINGS
@given(batches())
def test_regression_losses_match_torch(b: dict[str, Any]) -> None:
    y, yhat = b["y"], b["yhat"]
    for r in REDUCTIONS:
        assert_close(L.mse(y, yhat, reduction=r), F.mse_loss(t(yhat), t(y), reduction=r))
        assert_close(L.mae(y, yhat, reduction=r), F.l1_loss(t(yhat), t(y), reduction=r))
        assert_close(
            L.huber(y, yhat, delta=b["delta"], reduction=r),
            F.huber_loss(t(yhat), t(y), delta=b["delta"], reduction=r),
        )


@SETTINGS
@given(batches())
def test_bce_matches_torch_including_exact_0_and_1(b: dict[str, Any]) -> None:
    for y in (b["y01"], b["soft"]):
        for r in REDUCTIONS:
            assert_close(
                L.bce(y, b["p"], reduction=r),
                F.binary_cross_entropy(t(b["p"]), t(y), reduction=r),
            )
            assert_close(
                L.bce(y, b["p"], weight=b["w"], reduction=r),
                F.binary_cross_entropy(t(b["p"]), t(y), weight=t(b["w"]), reduction=r),
            )


@SETTINGS
@given(batches())
def test_bce_with_logits_matches_torch(b: dict[str, Any]) -> None:
    z = b["z"]
    for y in (b["y01"], b["soft"]):
        for r in REDUCTIONS:
            assert_close(
                L.bce_with_logits(y, z, reduction=r),
                F.binary_cross_entropy_with_logits(t(z), t(y), reduction=r),
                atol=ATOL_CANCELLATION,
            )
            assert_close(
                L.bce_with_logits(y, z, weight=b["w"], pos_weight=2.5, reduction=r),
                F.binary_cross_entropy_with_logits(
                    t(z), t(y), weight=t(b["w"]), pos_weight=t(2.5), reduction=r
                ),
                atol=ATOL_CANCELLATION,
            )
    # pos_weight with one value per class (the last axis)
    rows, targets = b["rows"], (b["target_probs"] > 0.2).astype(float)
    assert_close(
        L.bce_with_logits(targets, rows, pos_weight=b["class_weight"]),
        F.binary_cross_entropy_with_logits(t(rows), t(targets), pos_weight=t(b["class_weight"])),
        atol=ATOL_CANCELLATION,
    )


@SETTINGS
@given(batches())
def test_cross_entropy_matches_torch_in_every_mode(b: dict[str, Any]) -> None:
    rows = b["rows"]
    for target in (b["classes"], b["target_probs"]):
        for weight in (None, b["class_weight"]):
            for r in REDUCTIONS:
                theirs = F.cross_entropy(
                    t(rows),
                    torch.as_tensor(target),
                    weight=None if weight is None else t(weight),
                    label_smoothing=b["smoothing"],
                    reduction=r,
                )
                ours = L.cross_entropy(
                    target, rows, weight=weight, label_smoothing=b["smoothing"], reduction=r
                )
                assert_close(ours, theirs, atol=ATOL_CANCELLATION)
    # one sample without a batch axis
    assert_close(
        L.cross_entropy(int(b["classes"][0]), rows[0]),
        F.cross_entropy(t(rows[0]), torch.as_tensor(b["classes"][0])),
        atol=ATOL_CANCELLATION,
    )


@SETTINGS
@given(batches())
def test_cce_and_sparse_cce_match_torch_on_probabilities(b: dict[str, Any]) -> None:
    probs = L.softmax(b["rows"])
    probs[0] = np.eye(b["k"])[0]  # a row with exact zeros and a one
    classes = b["classes"]
    onehot = np.eye(b["k"])[classes]
    log_p = torch.log(t(probs)).clamp(
        min=-100
    )  # torch's clamp convention, as in F.binary_cross_entropy
    for r in REDUCTIONS:
        assert_close(
            L.sparse_cce(classes, probs, reduction=r),
            F.nll_loss(log_p, torch.as_tensor(classes), reduction=r),
        )
        per_row = -(t(onehot) * log_p).sum(dim=1)
        expected = {"mean": per_row.mean(), "sum": per_row.sum(), "none": per_row}[r]
        assert_close(L.cce(onehot, probs, reduction=r), expected)


@SETTINGS
@given(batches())
def test_focal_matches_torchvision_formula(b: dict[str, Any]) -> None:
    for y in (b["y01"], b["soft"]):
        for r in REDUCTIONS:
            ours = L.focal(y, b["z"], alpha=b["alpha"], gamma=b["gamma"], reduction=r)
            theirs = torchvision_sigmoid_focal_loss(
                t(b["z"]), t(y), alpha=b["alpha"], gamma=b["gamma"], reduction=r
            )
            assert_close(ours, theirs, atol=ATOL_CANCELLATION)


@SETTINGS
@given(batches())
def test_hinge_matches_sklearn(b: dict[str, Any]) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    y01, scores = b["y01"], b["yhat"]
    if len(set(y01)) == 2:  # sklearn maps a batch of one class to -1; see hinge's docstring
        assert_close(L.hinge(y01, scores), metrics.hinge_loss(y01, scores))
        assert_close(L.hinge(2 * y01 - 1, scores), metrics.hinge_loss(2 * y01 - 1, scores))
    rows, classes, k = b["rows"], b["classes"], b["k"]
    if k >= 3:  # sklearn's Crammer-Singer branch needs 3 or more classes
        assert_close(L.hinge(classes, rows), metrics.hinge_loss(classes, rows, labels=np.arange(k)))


def test_extreme_inputs_match_torch() -> None:
    y = np.array([1.0, 0.0, 1.0, 0.0])
    z = np.array([1000.0, -1000.0, -1000.0, 1000.0])
    assert_close(
        L.bce_with_logits(y, z, reduction="none"),
        F.binary_cross_entropy_with_logits(t(z), t(y), reduction="none"),
    )
    assert_close(L.focal(y, z, reduction="none"), torchvision_sigmoid_focal_loss(t(z), t(y)))
    p = np.array([1.0, 0.0, 0.0, 1.0])
    assert_close(
        L.bce(y, p, reduction="none"), F.binary_cross_entropy(t(p), t(y), reduction="none")
    )
    rows = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]])
    for smoothing in (0.0, 0.1):
        assert_close(
            L.cross_entropy([0, 0], rows, label_smoothing=smoothing, reduction="none"),
            F.cross_entropy(
                t(rows), torch.tensor([0, 0]), label_smoothing=smoothing, reduction="none"
            ),
        )


def test_tiny_logit_losses_are_exact_where_torch_cancels() -> None:
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 50
    for z in (-18.1, -30.0, -35.0):
        exact = float(mpmath.log(1 + mpmath.exp(z)))  # BCE of label 0 at logit z
        ours = L.bce_with_logits([0.0], [z])
        theirs = F.binary_cross_entropy_with_logits(t([z]), t([0.0])).item()
        assert ours == pytest.approx(exact, rel=1e-14)
        assert abs(theirs - exact) > 1e-9 * exact  # torch's own rounding, not a disagreement
        p = 1 / (1 + mpmath.exp(-mpmath.mpf(-z)))
        focal_exact = float(0.25 * (1 - p) ** 2 * mpmath.log(1 + mpmath.exp(z)))
        assert L.focal([1.0], [-z]) == pytest.approx(focal_exact, rel=1e-12)


# --------------------------------------------------------------------------- gradients


def _autograd(fn: Any, x: np.ndarray) -> np.ndarray:
    xt = t(x).clone().requires_grad_(True)
    fn(xt).backward()
    return xt.grad.numpy()


@pytest.mark.parametrize("seed", range(10))
def test_gradients_match_torch_autograd(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = 6, 4
    y, yhat = rng.normal(size=n), rng.normal(size=n) * 2
    soft = rng.uniform(size=n)
    p = rng.uniform(0.01, 0.99, size=n)
    z = rng.normal(size=n) * 4
    w = rng.uniform(0.5, 2, size=n)
    rows, classes = rng.normal(size=(n, k)) * 3, rng.integers(0, k, size=n)
    cw = rng.uniform(0.5, 2, size=k)
    target_probs = L.softmax(rng.normal(size=(n, k)))
    checks = [
        (L.mse_grad(y, yhat), lambda x: F.mse_loss(x, t(y)), yhat),
        (L.mae_grad(y, yhat), lambda x: F.l1_loss(x, t(y)), yhat),
        (L.huber_grad(y, yhat, 0.7), lambda x: F.huber_loss(x, t(y), delta=0.7), yhat),
        (L.bce_grad(soft, p, w), lambda x: F.binary_cross_entropy(x, t(soft), t(w)), p),
        (
            L.bce_with_logits_grad(soft, z, w, 3.0),
            lambda x: F.binary_cross_entropy_with_logits(x, t(soft), t(w), pos_weight=t(3.0)),
            z,
        ),
        (
            L.cross_entropy_grad(classes, rows, cw, 0.3),
            lambda x: F.cross_entropy(x, torch.as_tensor(classes), t(cw), label_smoothing=0.3),
            rows,
        ),
        (
            L.cross_entropy_grad(target_probs, rows, cw, 0.1, reduction="sum"),
            lambda x: F.cross_entropy(
                x, t(target_probs), t(cw), label_smoothing=0.1, reduction="sum"
            ),
            rows,
        ),
        (
            L.focal_grad(soft, z, 0.4, 1.5),
            lambda x: torchvision_sigmoid_focal_loss(x, t(soft), 0.4, 1.5, "mean"),
            z,
        ),
    ]
    for ours, fn, x in checks:
        np.testing.assert_allclose(ours, _autograd(fn, x), rtol=1e-9, atol=1e-12)


def test_bce_gradient_at_0_and_1_is_torchs() -> None:
    y = np.array([1.0, 0.0, 1.0, 0.0])
    p = np.array([1.0, 0.0, 0.0, 1.0])
    expected = _autograd(lambda x: F.binary_cross_entropy(x, t(y)), p)
    np.testing.assert_allclose(L.bce_grad(y, p), expected, rtol=1e-12)
