"""Numeric drills: the shipped templates, seeded generation, grading of typed answers, the named
slips over 1,000 seeds per template, and template errors reported by the deck loader."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.content import load_library
from quizapp.decks import Library
from quizapp.decks.models import NumericDrill
from quizapp.drills.numeric import SLIPS, Drill, grade, make_drill
from quizapp.losses.text import num
from tests.shipped import shipped_library

# Progress is keyed on these ids: they must not change.
TEMPLATE_IDS = [
    "num-mse",
    "num-mae",
    "num-huber-small",
    "num-huber-large",
    "num-bce-single",
    "num-bce-batch",
    "num-bce-logit",
    "num-cce-onehot",
    "num-sparse-cce-logits",
    "num-hinge",
    "num-focal",
    "num-weighted-bce",
    "num-label-smoothing-ce",
    "num-mse-vs-mae-outlier",
]
SEEDS = range(1000)


@pytest.fixture(scope="module")
def library() -> Library:
    return shipped_library()


@pytest.fixture(scope="module")
def templates(library: Library) -> dict[str, NumericDrill]:
    # The first deck's templates; the second deck's are tested in test_beyond_drills.py.
    return {c.id: c for c in library.of_kind("numeric_drill") if c.deck == "loss"}  # type: ignore[misc]


def test_the_shipped_templates_are_all_there(library: Library, templates: dict) -> None:
    assert [str(e) for e in library.errors] == []
    assert list(templates) == TEMPLATE_IDS
    for template in templates.values():
        assert template.section in range(1, 23) and template.tags


# --------------------------------------------------------------------------- an independent check
# The answers below are computed straight from the notes' formulas on the drill's own data table,
# with plain Python, so that a mistake in quizapp.losses or in a recipe shows up here.


def _reference_answer(drill: Drill) -> float:
    rows = drill.data()
    prm = drill.params
    col = {name: [r[name] for r in rows] for name in drill.columns}
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    ln = math.log
    loss = drill.id
    if loss in (
        "num-mse",
        "num-mae",
        "num-huber-small",
        "num-huber-large",
        "num-mse-vs-mae-outlier",
    ):
        e = [y - yh for y, yh in zip(col["y"], col["yhat"], strict=True)]
        if loss == "num-mse":
            return mean([v * v for v in e])
        if loss == "num-mae":
            return mean([abs(v) for v in e])
        if loss == "num-mse-vs-mae-outlier":
            return mean([v * v for v in e]) - mean([abs(v) for v in e])
        d = prm["delta"]
        return mean([0.5 * v * v if abs(v) <= d else d * (abs(v) - 0.5 * d) for v in e])
    if loss in ("num-bce-single", "num-bce-batch", "num-weighted-bce"):
        w = prm.get("pos_weight", 1.0)
        return mean(
            [
                -(w * y * ln(p) + (1 - y) * ln(1 - p))
                for y, p in zip(col["y"], col["p"], strict=True)
            ]
        )
    if loss == "num-bce-logit":
        (y,), (z,) = col["y"], col["z"]
        p = 1 / (1 + math.exp(-z))
        return -(y * ln(p) + (1 - y) * ln(1 - p))
    if loss == "num-cce-onehot":
        return mean(
            [
                -sum(t * ln(q) for t, q in zip(y, p, strict=True))
                for y, p in zip(col["y"], col["p"], strict=True)
            ]
        )
    if loss == "num-sparse-cce-logits":
        return mean(
            [
                -ln(math.exp(z[k]) / sum(math.exp(v) for v in z))
                for k, z in zip(col["label"], col["z"], strict=True)
            ]
        )
    if loss == "num-label-smoothing-ce":
        eps = prm["label_smoothing"]
        (k,), (p,) = col["label"], col["p"]
        target = [(1 - eps) * (c == k) + eps / len(p) for c in range(len(p))]
        return -sum(t * ln(q) for t, q in zip(target, p, strict=True))
    if loss == "num-hinge":
        return mean([max(0.0, 1 - y * s) for y, s in zip(col["y"], col["s"], strict=True)])
    if loss == "num-focal":
        a, g = prm["alpha"], prm["gamma"]
        terms = []
        for y, p in zip(col["y"], col["p"], strict=True):
            pt, at = (p, a) if y == 1 else (1 - p, 1 - a)
            terms.append(-at * (1 - pt) ** g * ln(pt))
        return mean(terms)
    raise AssertionError(f"no reference for {loss}")


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_answers_equal_the_formula_on_the_shown_data(templates: dict, template_id: str) -> None:
    for seed in range(200):
        drill = make_drill(templates[template_id], seed)
        assert drill.answer == pytest.approx(_reference_answer(drill), rel=1e-12, abs=1e-14)


# --------------------------------------------------------------------------- generation


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_same_id_and_seed_give_the_same_drill_and_seeds_vary(
    templates: dict, template_id: str
) -> None:
    template = templates[template_id]
    assert make_drill(template, 42) == make_drill(template, 42)
    assert hash(make_drill(template, 42)) == hash(make_drill(template, 42))
    assert len({make_drill(template, s).rows for s in range(30)}) >= 5


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_numbers_are_calculator_friendly(templates: dict, template_id: str) -> None:
    template = templates[template_id]
    sizes = set()
    for seed in range(200):
        drill = make_drill(template, seed)
        sizes.add(len(drill.rows))
        values = np.array(
            [v for row in drill.rows for cell in row for v in np.atleast_1d(cell)], dtype=float
        )
        # at most two decimals, and small: nothing a basic calculator struggles with
        assert np.allclose(values * 100, np.round(values * 100), atol=1e-9), drill.rows
        assert np.abs(values).max() <= 30
        assert abs(drill.answer) >= 0.01  # the tolerance is meaningful and 0 never passes
    low, high = template.samples[0], template.samples[-1]
    assert sizes == set(range(low, high + 1))
    assert 1 <= low <= high <= 5


def test_the_huber_templates_stay_in_their_regime(templates: dict) -> None:
    for template_id, inside in (("num-huber-small", True), ("num-huber-large", False)):
        for seed in range(100):
            drill = make_drill(templates[template_id], seed)
            residuals = [abs(r["y"] - r["yhat"]) for r in drill.data()]
            delta = drill.params["delta"]
            assert all((e <= delta) == inside for e in residuals), (template_id, seed)


def test_the_comparison_drill_has_exactly_one_outlier(templates: dict) -> None:
    for seed in range(100):
        drill = make_drill(templates["num-mse-vs-mae-outlier"], seed)
        residuals = sorted(abs(r["y"] - r["yhat"]) for r in drill.data())
        assert residuals[-1] >= 6 and residuals[-2] <= 1


# --------------------------------------------------------------------------- 1,000 seeds


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_every_seed_grades_the_answer_right_and_each_slip_wrong_by_name(
    templates: dict, template_id: str
) -> None:
    template = templates[template_id]
    named: set[str] = set()
    for seed in SEEDS:
        drill = make_drill(template, seed)
        # the exact value, and the value rounded as the worked steps show it
        for text in (repr(drill.answer), num(drill.answer)):
            assert grade(drill, text).verdict == "correct", (seed, text, drill.answer)
        for slip in drill.slips:
            result = grade(drill, repr(slip.value))
            assert result.verdict == "incorrect", (seed, slip)
            assert result.slip is not None and result.slip.id == slip.id, (seed, slip, result)
            assert slip.name in result.message
            named.add(slip.id)
    assert named, f"{template_id}: no slip was ever named"


@pytest.mark.parametrize(
    ("template_id", "slips"),
    [
        ("num-mse", {"sum-not-mean", "mae-for-mse", "mean-then-square", "factor-100"}),
        ("num-mae", {"sum-not-mean", "mse-for-mae", "factor-100"}),
        ("num-huber-small", {"sum-not-mean", "huber-half-dropped", "factor-100"}),
        ("num-huber-large", {"sum-not-mean", "huber-half-dropped", "factor-100"}),
        ("num-bce-single", {"log10", "log2", "minus-dropped", "factor-100"}),
        (
            "num-bce-logit",
            {
                "log10",
                "log2",
                "minus-dropped",
                "factor-100",
                "sign-flipped",
                "logits-as-probabilities",
            },
        ),
        (
            "num-sparse-cce-logits",
            {
                "sum-not-mean",
                "log10",
                "log2",
                "minus-dropped",
                "factor-100",
                "logits-as-probabilities",
                "one-based-label",
            },
        ),
        ("num-hinge", {"sum-not-mean", "sign-flipped", "factor-100"}),
        (
            "num-mse-vs-mae-outlier",
            {"sign-flipped", "sum-not-mean", "mean-then-square", "factor-100"},
        ),
    ],
)
def test_each_template_diagnoses_its_slips(templates: dict, template_id: str, slips: set) -> None:
    seen = {s.id for seed in range(200) for s in make_drill(templates[template_id], seed).slips}
    assert seen == slips


def test_a_slip_that_gives_the_right_answer_is_not_claimed(templates: dict) -> None:
    # One sample: the sum is the mean, so "sum instead of mean" cannot be told apart.
    for seed in range(100):
        assert "sum-not-mean" not in {
            s.id for s in make_drill(templates["num-bce-single"], seed).slips
        }
    # At z = 0, sigma(-z) = sigma(z): the flipped sign gives the right answer.
    at_zero = 0
    for seed in range(300):
        drill = make_drill(templates["num-bce-logit"], seed)
        flipped = [s for s in drill.slips if s.id == "sign-flipped"]
        if drill.data()[0]["z"] == 0:
            at_zero += 1
            assert not flipped
            value = float(np.log1p(np.exp(0.0)))  # what the flipped sign gives: ln 2
            assert grade(drill, repr(value)).verdict == "correct"
        else:
            assert flipped
    assert at_zero > 10


# --------------------------------------------------------------------------- grading


def _find(templates: dict, template_id: str, want: Any) -> Drill:
    for seed in range(2000):
        drill = make_drill(templates[template_id], seed)
        if want(drill):
            return drill
    raise AssertionError("no such drill")


def test_answers_in_every_accepted_form(templates: dict) -> None:
    drill = _find(
        templates, "num-bce-single", lambda d: d.data() == [{"y": 1, "p": 0.9}]
    )  # -ln(0.9) = 0.1054
    for text in ("-ln(0.9)", "−ln(0.9)", "0.1054", "1.054e-1", "0.105", "ln(10/9)", "-log(9/10)"):
        assert grade(drill, text).verdict == "correct", text
    for text in ("0.1", "0.11", "ln(0.9)", "-log10(0.9)"):
        assert grade(drill, text).verdict == "incorrect", text
    shown = grade(drill, "-ln(0.9)").message
    assert "-ln(0.9) = 0.105361" in shown and shown.startswith("Correct")
    assert grade(drill, "ln(0.9)").slip.id == "minus-dropped"  # type: ignore[union-attr]
    assert grade(drill, "-log10(0.9)").slip.id == "log10"  # type: ignore[union-attr]
    assert grade(drill, "-log2(0.9)").slip.id == "log2"  # type: ignore[union-attr]

    mse = _find(templates, "num-mse", lambda d: d.answer == pytest.approx(0.75))
    for text in ("3/4", "0.75", "7.5e-1", "(0.25+1+1)/3"):
        assert grade(mse, text).verdict == "correct", text


def test_tolerance_is_one_percent_or_one_thousandth(templates: dict) -> None:
    drill = _find(templates, "num-mae", lambda d: d.answer >= 1)
    a = drill.answer
    assert grade(drill, repr(a * 1.0099)).verdict == "correct"
    near = grade(drill, repr(a * 1.0101))
    assert near.verdict == "incorrect" and "Close: answers within 1%" in near.message
    small = _find(templates, "num-focal", lambda d: d.answer < 0.05)
    # below 0.1 the absolute 0.001 is the wider of the two
    assert grade(small, repr(small.answer + 0.00099)).verdict == "correct"
    assert grade(small, repr(small.answer + 0.00101)).verdict == "incorrect"
    assert "1%" in drill.tolerance_text and "0.001" in drill.tolerance_text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "unknown name 'abc'"),
        ("50%", "'%' is not supported"),
        ("1/0", "infinite"),
        ("ln(0)", "infinite"),
        ("ln(-1)", "no value"),
        ("__import__('os').system('echo hi')", "column"),
        ("1,5", "unexpected ','"),
        ("9**9**9**9", "column"),
        ("x" * 10_000, "too long"),
    ],
)
def test_unreadable_answers_are_invalid_with_a_reason(
    templates: dict, text: str, message: str
) -> None:
    result = grade(make_drill(templates["num-mse"], 0), text)
    assert result.verdict == "invalid"
    assert message in result.message, result.message
    assert "\n" not in result.message and result.value is None


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=60))
def test_any_text_gets_a_verdict_and_never_an_exception(templates: dict, text: str) -> None:
    result = grade(make_drill(templates["num-hinge"], 3), text)
    assert result.verdict in ("correct", "incorrect", "invalid")
    assert "\n" not in result.message


def test_the_worked_steps_end_at_the_answer(templates: dict) -> None:
    for template in templates.values():
        for seed in range(20):
            drill = make_drill(template, seed)
            assert drill.steps
            assert any(num(drill.answer) in step for step in drill.steps[-2:]), (
                drill.id,
                drill.steps,
            )


def test_to_dict_is_json_with_the_data_table(templates: dict) -> None:
    drill = make_drill(templates["num-cce-onehot"], 5)
    data = json.loads(json.dumps(drill.to_dict()))
    assert {"id", "prompt", "data", "answer"} <= set(data)
    assert data["data"] == drill.data()
    assert all(sorted(row) == ["p", "y"] for row in data["data"])
    assert all(sum(row["y"]) == 1 for row in data["data"])
    assert data["answer"] == drill.answer


def test_every_slip_has_a_name_and_an_explanation() -> None:
    for slip_id, (name, explanation) in SLIPS.items():
        assert name and explanation.endswith("."), slip_id


# --------------------------------------------------------------------------- template errors

GOOD = """
  - id: num-test
    kind: numeric_drill
    section: 7
    tags: [regression]
    name: A test drill
    loss: {loss}
    prompt: {prompt}
    formula: "x"
    samples: {samples}
{params}    columns:
      - name: y
        choices: [1, 2]
      - name: {second}
        {rule}
"""


def _load(tmp_path: Path, **fields: str) -> list[str]:
    values = {
        "loss": "mse",
        "prompt": "Compute it.",
        "samples": "[2, 3]",
        "params": "",
        "second": "yhat",
        "rule": "base: y\n        offsets: [1, -1]",
        **fields,
    }
    path = tmp_path / "drills.yaml"
    path.write_text("cards:" + GOOD.format(**values), encoding="utf-8")
    return [str(e) for e in load_library([path], include_user_decks=False).errors]


def test_a_valid_template_loads(tmp_path: Path) -> None:
    assert _load(tmp_path) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"loss": "mse2"}, "field 'loss': 'mse2' is not a drill recipe"),
        ({"samples": "[0, 3]"}, "field 'samples': give [n] or [min, max]"),
        ({"samples": "[2, 9]"}, "field 'samples'"),
        ({"second": "p"}, "field 'columns': loss 'mse' needs the columns y, yhat"),
        ({"rule": "base: q\n        offsets: [1]"}, "base 'q' must be a column listed before it"),
        ({"rule": "offsets: [1]"}, "base and offsets go together"),
        ({"rule": "choices: [1]\n        onehot: 3"}, "give exactly one of"),
        ({"rule": "choices: [1]\n        outliers: [3]"}, "outliers only go with base and offsets"),
        ({"params": "    params: {delta: 1.0}\n"}, "field 'params': unknown ['delta']"),
        ({"loss": "huber"}, "field 'params': missing delta"),
        ({"prompt": "'With {gamma}.'"}, "field 'prompt': braces must name a param"),
        ({"rule": "choices: [nope]"}, "expected a number"),
        (
            {"loss": "bce", "second": "p", "rule": "choices: [1.5]"},
            "the drawn data are not valid for bce: p[0] = 1.5 is outside [0, 1]",
        ),
    ],
)
def test_bad_templates_are_reported_by_file_line_id_and_field(
    tmp_path: Path, fields: dict[str, str], message: str
) -> None:
    errors = _load(tmp_path, **fields)
    assert len(errors) == 1, errors
    assert "drills.yaml:" in errors[0] and "card 'num-test'" in errors[0]
    assert message in errors[0], errors[0]
