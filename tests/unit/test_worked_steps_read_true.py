"""Issue 26 item 14: a worked step never chains "a = b = c" unless a, b and c are equal.

"Sample 1: d = -2 = 1.75" read as an equation, and a false one (d is -2; the 1.75 is that
sample's loss). Every worked-steps writer is checked: each numeric drill (its recipe writes with
the loss's own steps) at any seed, each loss of the registry on drawn inputs with every
reduction, and the second and third decks' losses on their reference calls."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.drills.numeric import make_drill
from quizapp.losses import REGISTRY, LossSpec
from tests.shipped import shipped_library
from tests.unit.test_beyond_cli import CALLS as BEYOND_CALLS
from tests.unit.test_frontier_cli import CALLS as FRONTIER_CALLS
from tests.unit.test_loss_registry import POSITIONAL
from tests.unit.worked_lines import false_chains

TEMPLATES = shipped_library().of_kind("numeric_drill")


# --------------------------------------------------------------------------- the reader itself


@pytest.mark.parametrize(
    "line",
    [
        "Sample 1: d = -2 = 1.75",  # the line
        "Sample 2: y − q = -5 = 0.5",
        "p = [0.7311, 0.2689], q = [0.6225, 0.3775], T² = 4 = 0.1054",
        "Sample 1: p = [0.6, 0.4], ln q = [-0.3567, -1.204] = 0.02258",
        "Mean: divide by N = 3: 7.918 / 3 = 2.7",
    ],
)
def test_the_reader_finds_a_false_chain(line: str) -> None:
    assert false_chains(line), line


@pytest.mark.parametrize(
    "line",
    [
        "Sample 1: d = -2, so its loss is 1.75",
        "Row 1: ½ (ln 0.5 + (1 − 3)² / 0.5) = ½ (-0.6931 + 4 / 0.5) = ½ (-0.6931 + 8) = 3.653",
        "Step 1 from m = v = 0: m̂ = g = -0.8, v̂ = g²",
        "α·E·Σ fᵢPᵢ = 1·2·0.525 = 1.05",
        "Sample 1: d = 0.5 − (-0.5) − 0 = 1, σ(d) = 0.7311, −ln σ(d) = 0.3133",
        "Perplexity = e^1.9 = 6.686",
        "Sample 1: −input[2] = −(-1.609) = 1.609",
    ],
)
def test_the_reader_lets_a_true_chain_or_a_plain_value_be(line: str) -> None:
    assert not false_chains(line), line


# --------------------------------------------------------------------------- every writer


def _false(lines: list[str]) -> list[tuple[str, list[str]]]:
    return [(line, bad) for line in lines if (bad := false_chains(line))]


@settings(max_examples=400, deadline=None)
@given(template=st.sampled_from(TEMPLATES), seed=st.integers(0, 2**31 - 1))
def test_no_drills_worked_solution_chains_unequal_values(template: Any, seed: int) -> None:
    drill = make_drill(template, seed)
    assert not _false(list(drill.steps)), (template.id, seed)


def test_every_drill_is_in_the_property() -> None:
    assert {t.loss for t in TEMPLATES} >= {"quantile", "smooth_l1", "kl_div", "distillation"}


_value = st.floats(-4, 4, allow_nan=False).map(lambda v: round(v, 2))
_prob = st.floats(0.02, 0.98).map(lambda v: round(v, 2))


@st.composite
def _inputs(draw: st.DrawFn, spec: LossSpec) -> tuple[Any, Any]:
    """Targets and predictions of the kind ``spec`` reads (as tests/unit/test_loss_registry's
    sample, with drawn numbers)."""
    n = draw(st.integers(1, 5))
    if spec.class_rows:
        k = draw(st.integers(2, 4))
        if spec.prediction == "logits":
            rows = [[draw(_value) for _ in range(k)] for _ in range(n)]
        else:
            raw = [[draw(st.floats(0.05, 1.0)) for _ in range(k)] for _ in range(n)]
            rows = [[v / sum(row) for v in row] for row in raw]
        labels = [draw(st.integers(0, k - 1)) for _ in range(n)]
        if spec.target_rows:
            return [[1.0 if j == c else 0.0 for j in range(k)] for c in labels], rows
        return labels, rows
    if spec.prediction == "probabilities":
        pred = [draw(_prob) for _ in range(n)]
    else:
        pred = [draw(_value) for _ in range(n)]
    if spec.prediction == "scores":
        targets = [draw(st.sampled_from([1.0, -1.0])) for _ in range(n)]
    elif spec.prediction == "values":
        targets = [draw(_value) for _ in range(n)]
    else:
        targets = [draw(st.sampled_from([0.0, 1.0])) for _ in range(n)]
    return targets, pred


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_no_first_deck_losss_worked_steps_chain_unequal_values(data: st.DataObject) -> None:
    spec = data.draw(st.sampled_from(POSITIONAL), label="loss")
    y, pred = data.draw(_inputs(spec), label="inputs")
    if spec.reductions:
        reduction = data.draw(st.sampled_from(spec.reductions), label="reduction")
        lines = spec.steps(y, pred, reduction=reduction)
    else:
        lines = spec.steps(y, pred)
    assert not _false(lines), spec.name


@pytest.mark.parametrize("name", [*BEYOND_CALLS, *FRONTIER_CALLS])
def test_no_second_or_third_deck_losss_worked_steps_chain_unequal_values(name: str) -> None:
    spec = REGISTRY[name]
    kwargs = {**BEYOND_CALLS, **FRONTIER_CALLS}[name]
    for reduction in spec.reductions or (None,):
        extra = {} if reduction is None or "reduction" in kwargs else {"reduction": reduction}
        assert not _false(spec.steps(**kwargs, **extra)), (name, reduction)


# --------------------------------------------------------------------------- what the learner sees


def test_the_cli_says_each_samples_difference_then_its_loss(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO('{"input": [1.5, -1], "target": [1, 2]}'))
    assert main(["loss", "smooth_l1", "--input", "-"]) == 0
    out = capsys.readouterr().out
    assert "Sample 1: d = 0.5, so its loss is 0.125" in out
    assert "Sample 2: d = -3, so its loss is 2.5" in out
    assert not _false(out.splitlines())


def test_the_poisson_drill_whose_terms_cancel_shows_a_sum_that_adds_up() -> None:
    """bnum-poisson-nll at seed 160: "Sum: -1.518 + 1.482 = -0.03662" (the rounded terms add
    up to -0.036); its terms now carry the digits that make the sum read true."""
    (template,) = [t for t in TEMPLATES if t.id == "bnum-poisson-nll"]
    steps = list(make_drill(template, 160).steps)
    assert not _false(steps)
    assert "Sum: -1.51831 + 1.48169 = -0.03662" in steps


@settings(max_examples=200, deadline=None)
@given(
    # per-sample losses of a few decimals, as a drill's inputs give (cancelling ones too)
    values=st.lists(
        st.floats(-1e3, 1e3, allow_nan=False).map(lambda v: round(v, 3)), min_size=2, max_size=5
    ),
    reduction=st.sampled_from(["sum", "mean"]),
)
def test_the_terms_of_a_sum_as_shown_add_up_to_the_total_as_shown(
    values: list[float], reduction: str
) -> None:
    import numpy as np

    from quizapp.losses.text import num, reduction_lines

    (line,) = [x for x in reduction_lines(np.array(values), reduction) if x.startswith("Sum: ")]
    terms, total = line.removeprefix("Sum: ").rsplit(" = ", 1)
    shown = [float(t.strip("()")) for t in terms.split(" + ")]
    assert num(sum(shown)) == total, line
