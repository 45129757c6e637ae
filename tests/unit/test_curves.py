"""The loss-curve explorer's data: the curves are the losses, the gradients are their slopes, δ
moves only Huber, and the facts state numbers a learner can check by hand."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp import loss_panels
from quizapp.content import load_library
from quizapp.decks.models import CURVE_PANELS, Formula
from tests.shipped import shipped_library

DELTAS = st.sampled_from(
    [loss_panels.DELTA_MIN + k * loss_panels.DELTA_STEP for k in range(12)]  # 0.25, 0.5, ..., 3.0
)


def test_the_explorer_draws_exactly_the_panels_cards_can_name() -> None:
    assert tuple(loss_panels.PANELS) == CURVE_PANELS
    for name in CURVE_PANELS:
        panel = loss_panels.panel(name)
        assert panel.name == name and panel.facts
        for s in panel.series:
            assert s.loss.shape == s.grad.shape == panel.x.shape, (name, s.name)
            assert np.isfinite(s.loss).all() and np.isfinite(s.grad).all(), (name, s.name)


def test_each_gradient_axis_names_its_variable() -> None:
    labels = {name: loss_panels.panel(name).grad_label for name in CURVE_PANELS}
    assert labels == {"regression": "∂L/∂ŷ", "bce": "∂L/∂p", "focal": "∂FL/∂p_t"}


@settings(max_examples=12, deadline=None)
@given(delta=DELTAS)
def test_huber_lies_under_half_mse_and_under_delta_times_mae(delta: float) -> None:
    panel = loss_panels.regression(delta)
    mse = panel.series_named("MSE").loss
    mae = panel.series_named("MAE").loss
    huber = panel.series_named(f"Huber δ={delta:g}").loss
    assert (huber >= 0).all()
    assert (huber <= mse / 2 + 1e-12).all()
    assert (huber <= delta * mae + 1e-12).all()
    # ... and it is the tighter of the two bounds minus a constant beyond δ: linear growth.
    assert (huber >= delta * mae - delta**2 / 2 - 1e-12).all()
    inside = np.abs(panel.x) <= delta
    np.testing.assert_allclose(huber[inside], mse[inside] / 2)


@settings(max_examples=12, deadline=None)
@given(a=DELTAS, b=DELTAS)
def test_delta_moves_the_huber_series_and_nothing_else(a: float, b: float) -> None:
    pa, pb = loss_panels.regression(a), loss_panels.regression(b)
    np.testing.assert_array_equal(pa.x, pb.x)
    for name in ("MSE", "MAE"):
        np.testing.assert_array_equal(pa.series_named(name).loss, pb.series_named(name).loss)
        np.testing.assert_array_equal(pa.series_named(name).grad, pb.series_named(name).grad)
    ha, hb = pa.series[2], pb.series[2]
    if a == b:
        np.testing.assert_array_equal(ha.loss, hb.loss)
    else:
        assert not np.allclose(ha.loss, hb.loss)
        assert not np.allclose(ha.grad, hb.grad)
        # The gradient's cap is δ: |∂L/∂ŷ| reaches exactly δ at the ends of the axis.
        assert np.abs(ha.grad).max() == pytest.approx(a)
        assert np.abs(hb.grad).max() == pytest.approx(b)


def test_focal_with_gamma_zero_is_the_bce_curve_for_a_positive() -> None:
    focal = loss_panels.focal().series_named("γ = 0")
    bce = loss_panels.bce()
    positive = bce.series_named("y = 1")
    np.testing.assert_array_equal(loss_panels.focal().x, bce.x)
    np.testing.assert_allclose(focal.loss, positive.loss, rtol=1e-12)
    np.testing.assert_allclose(focal.grad, positive.grad, rtol=1e-9)


def test_a_larger_gamma_never_raises_the_focal_loss() -> None:
    series = loss_panels.focal().series
    for lower, higher in itertools.pairwise(series):
        assert (higher.loss <= lower.loss + 1e-15).all(), (lower.name, higher.name)


def _kinks(panel: loss_panels.Panel) -> list[float]:
    return [0.0, -panel.delta, panel.delta] if panel.delta is not None else []


@pytest.mark.parametrize(
    ("name", "delta"),
    [("regression", 0.25), ("regression", 1.0), ("regression", 2.75), ("bce", 1.0), ("focal", 1.0)],
)
def test_gradients_are_the_slopes_of_the_loss_series(name: str, delta: float) -> None:
    """Simpson's rule on each window of three points: the change of the loss across the window
    equals the integral of the plotted gradient, wherever the loss is smooth."""
    panel = loss_panels.panel(name, delta=delta)
    x = panel.x
    # On the residual axis e = y − ŷ, so dL/de = −∂L/∂ŷ.
    sign = -1.0 if name == "regression" else 1.0
    kinks = _kinks(panel)
    for s in panel.series:
        checked = 0
        for i in range(1, len(x) - 1):
            lo, hi = x[i - 1], x[i + 1]
            if any(lo - 1e-9 <= k <= hi + 1e-9 for k in kinks):
                continue
            h = (hi - lo) / 2
            change = s.loss[i + 1] - s.loss[i - 1]
            integral = sign * h / 3 * (s.grad[i - 1] + 4 * s.grad[i] + s.grad[i + 1])
            assert change == pytest.approx(integral, rel=2e-2, abs=1e-6), (s.name, x[i])
            checked += 1
        assert checked > len(x) * 0.8, s.name


def test_regression_facts_say_what_an_outlier_costs() -> None:
    facts = " ".join(loss_panels.regression(1.0).facts)
    # e = 4: 4² = 16, |4| = 4, Huber(δ=1) = 1·(4 − ½) = 3.5; gradients 2·(0 − 4), −1, −δ.
    assert "MSE 16, MAE 4, Huber(δ=1) 3.5" in facts
    assert "MSE −8, MAE −1, Huber −1" in facts
    wide = " ".join(loss_panels.regression(2.5).facts)
    assert "Huber(δ=2.5) 6.88" in wide  # 2.5·(4 − 1.25) = 6.875
    assert "Huber −2.5" in wide


def test_bce_facts_say_what_a_confident_mistake_costs() -> None:
    facts = " ".join(loss_panels.bce().facts)
    assert f"loss {-math.log(0.01):.3g} and" in facts  # −log 0.01 = 4.61
    assert "∂L/∂p = −100" in facts  # −1/p at p = 0.01
    assert "loss 100" in facts  # log(0) clamped at −100, as torch does


def test_focal_facts_say_easy_examples_shrink_a_hundredfold() -> None:
    facts = " ".join(loss_panels.focal().facts)
    # (1 − 0.9)² = 0.01 and (1 − 0.9)⁵ = 1e-5; (1 − 0.1)² = 0.81.
    assert "(100× less)" in facts and "γ=5 100,000× less" in facts
    assert "keeps 81% of CE" in facts


@settings(max_examples=30, deadline=None)
@given(steps=st.lists(st.sampled_from([1, -1]), max_size=30))
def test_delta_steps_stay_on_the_grid_and_in_range(steps: list[int]) -> None:
    delta = loss_panels.DELTA_DEFAULT
    for step in steps:
        moved = loss_panels.step_delta(delta, step)
        assert loss_panels.DELTA_MIN <= moved <= loss_panels.DELTA_MAX
        assert moved / loss_panels.DELTA_STEP == pytest.approx(
            round(moved / loss_panels.DELTA_STEP)
        )
        assert abs(moved - delta) in (0.0, pytest.approx(loss_panels.DELTA_STEP))
        loss_panels.regression(moved)  # every reachable δ draws
        delta = moved


def test_bad_panel_names_and_deltas_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown curve panel 'mse'"):
        loss_panels.panel("mse")
    with pytest.raises(ValueError, match=r"delta must be a number from 0\.25 to 3"):
        loss_panels.regression(5.0)


def test_every_panel_is_reachable_from_a_shipped_formula_card() -> None:
    library = shipped_library()
    linked = {c.curve for c in library.of_kind("formula") if isinstance(c, Formula)}
    assert linked - {None} == set(CURVE_PANELS)
    focal = library.cards["formula-focal"]
    assert isinstance(focal, Formula) and focal.curve == "focal"


def test_a_formula_card_naming_an_unknown_curve_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(
        "cards:\n"
        "  - id: formula-x\n    kind: formula\n    section: 7\n    tags: [regression]\n"
        "    name: X\n    curve: hubber\n    unicode: L = e\n    ascii: e\n"
        "    variables: {e: the residual}\n    task: t\n    activation: a\n"
        "    pros: [p]\n    cons: [c]\n"
    )
    (error,) = load_library([tmp_path], include_user_decks=False).errors
    assert error.field == "curve"
    assert "'hubber' is not a curve panel; use one of regression, bce, focal" in str(error)
