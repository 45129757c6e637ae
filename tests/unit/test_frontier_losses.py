"""The third deck's losses in quizapp.losses against their references written in torch
(tests/unit/frontier_reference.py): values and gradients within 1e-10 relative in float64 on
random draws, plus the cases a draw would rarely hit. Skipped without torch."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.losses import REGISTRY

torch = pytest.importorskip("torch")
from tests.unit import frontier_reference as R  # noqa: E402

F = torch.nn.functional
RTOL = 1e-10
CASES = {case.name: case for case in R.CASES}


@pytest.mark.parametrize("name", list(CASES))
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_value_and_gradient_agree_with_the_reference(name: str, seed: int) -> None:
    case = CASES[name]
    kwargs = case.draw(np.random.default_rng(seed))
    ours = REGISTRY[name].function(**kwargs)
    assert R.relative(ours, R.reference_value(case, kwargs)) <= RTOL
    assert R.gradient_difference(case, kwargs) <= RTOL


def test_every_new_loss_has_a_reference_case() -> None:
    names = list(REGISTRY)
    assert set(names[names.index("bradley_terry") :]) <= set(CASES)


def test_ignore_index_drops_padding_from_the_mean_as_torch_does() -> None:
    z = np.array([[2.0, 0.0, -1.0], [0.3, 0.2, 0.1], [5.0, -5.0, 0.0]])
    ce = REGISTRY["cross_entropy"].function
    padded = ce([0, -100, 2], z)
    # The padded row is gone: the mean of the other two rows' losses, not a third of their sum.
    assert padded == pytest.approx((ce([0], z[:1]) + ce([2], z[2:])) / 2, rel=1e-14)
    smoothed = ce([0, -100, 2], z, label_smoothing=0.2)
    expected = F.cross_entropy(torch.tensor(z), torch.tensor([0, -100, 2]), label_smoothing=0.2)
    assert smoothed == pytest.approx(expected.item(), rel=1e-14)
    with pytest.raises(ValueError, match="every label is ignore_index"):
        ce([-100, -100, -100], z)


def test_dpo_at_equal_log_ratios_is_ln_2_whatever_beta() -> None:
    dpo = REGISTRY["dpo"].function
    for beta in (0.01, 0.1, 1.0):
        assert dpo([-10.0], [-12.0], [-10.0], [-12.0], beta=beta) == pytest.approx(math.log(2))


def test_ppo_gradient_vanishes_only_on_the_clipped_side() -> None:
    grad = REGISTRY["ppo_clip"].gradient
    up = math.log(1.5)  # r = 1.5 > 1 + ε
    # A > 0 with r above 1 + ε: clipped, no gradient; A < 0 there: the unclipped term is the
    # minimum, so the gradient is −r·A (pushes r back down).
    assert grad([up], [0.0], [1.0]) == pytest.approx([0.0])
    assert grad([up], [0.0], [-1.0]) == pytest.approx([1.5])


def test_ctc_needs_room_for_repeats() -> None:
    lp = np.log(np.full((2, 3), 1 / 3))
    ctc = REGISTRY["ctc"].function
    with pytest.raises(ValueError, match="no alignment"):
        ctc(lp, [1, 1], 2, 2)  # a repeat needs a blank between: 3 frames at least
    assert ctc(lp, [1, 1], 2, 2, zero_infinity=True) == 0.0
    lp3 = np.log(np.full((3, 3), 1 / 3))
    expected = F.ctc_loss(torch.tensor(lp3), torch.tensor([1, 1]), (3,), (2,))
    assert ctc(lp3, [1, 1], 3, 2) == pytest.approx(expected.item(), rel=1e-14)
