"""The second deck's losses in the registry and in `quizapp loss NAME`: a JSON object of the
reference's argument names in, the same value as the loss out, worked steps that end at it, a
gradient that is the loss's slope, and one clear line for every mistake."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest

from quizapp.cli import main
from quizapp.losses import REGISTRY
from quizapp.losses.text import num

# One ordinary call per loss, with the reference's argument names.
CALLS: dict[str, dict[str, Any]] = {
    "kl_div": {"input": [[-0.5, -1.0]], "target": [[0.6, 0.4]], "reduction": "batchmean"},
    "poisson_nll": {"input": [0.5, -1.0], "target": [2, 0], "full": True},
    "gaussian_nll": {"input": [1.0, 2.0], "target": [0.0, 5.0], "var": [0.5, 2.0]},
    "smooth_l1": {"input": [0.5, 3.0], "target": [0.0, 0.0], "beta": 0.5},
    "margin_ranking": {"input1": [1, 2], "input2": [0, 5], "target": [1, -1], "margin": 2.0},
    "cosine_embedding": {"input1": [[1, 2], [0, 1]], "input2": [[0, 5], [1, 1]], "target": [-1, 1]},
    "triplet_margin": {
        "anchor": [[0, 0]],
        "positive": [[1, 0]],
        "negative": [[0, 0.5]],
        "p": 1,
        "swap": True,
    },
    "nll": {"input": [[-0.1, -2.4], [-1.0, -0.5]], "target": [0, -100], "weight": [1, 3]},
    "quantile": {"y_true": [1, 2, 3], "y_pred": [2, 2.5, 2.2], "alpha": 0.9},
    "brier": {"y_true": [1, 0, 1], "y_proba": [0.8, 0.3, 0.4], "sample_weight": [1, 2, 1]},
    "dice": {"input": [[0.9, 0.4, 0.2]], "target": [[1, 1, 0]], "smooth": 1},
    "info_nce": {"query": [[1, 0], [0, 1]], "positive_key": [[1, 0.1], [0.2, 1]]},
    "distillation": {
        "student_logits": [[1, 1, 1]],
        "teacher_logits": [[2, 1, 0]],
        "temperature": 2,
    },
}


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_new_loss_is_registered() -> None:
    assert set(CALLS) <= set(REGISTRY)
    names = list(REGISTRY)
    assert names[names.index("kl_div") : names.index("bradley_terry")] == list(CALLS)


@pytest.mark.parametrize("name", list(CALLS))
def test_the_worked_steps_end_at_the_value(name: str) -> None:
    spec = REGISTRY[name]
    value = spec.function(**CALLS[name])
    lines = spec.steps(**CALLS[name])
    assert lines[-1].endswith(num(float(value))), lines


@pytest.mark.parametrize("name", list(CALLS))
def test_the_gradient_is_the_slope_of_the_loss(name: str) -> None:
    spec = REGISTRY[name]
    kwargs = CALLS[name]
    arg = spec.prediction_arg
    assert arg is not None
    x = np.asarray(kwargs[arg], dtype=float)
    grad = spec.gradient(**kwargs)
    assert grad.shape == x.shape
    h = 1e-6
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        slope = (spec.function(**{**kwargs, arg: up}) - spec.function(**{**kwargs, arg: down})) / (
            2 * h
        )
        assert grad[index] == pytest.approx(slope, rel=1e-5, abs=1e-7), (name, index)


@pytest.mark.parametrize("name", list(CALLS))
def test_input_json_gives_the_modules_value_and_steps(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = json.dumps(CALLS[name])
    code, out, err = run(capsys, monkeypatch, "loss", name, "--input", "-", "--json", stdin=payload)
    assert code == 0, err
    expected = REGISTRY[name].function(**CALLS[name])
    np.testing.assert_allclose(json.loads(out)["loss"], expected, rtol=1e-15)
    code, out, err = run(capsys, monkeypatch, "loss", name, "--input", "-", stdin=payload)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{name} (")
    assert len(lines) >= 3  # the formula and at least one sample's numbers


def test_flags_fill_the_reference_arguments(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        capsys, monkeypatch, "loss", "kl_div", "--y", "0.6,0.4", "--pred", "-0.5,-1", "--json"
    )
    assert code == 0
    expected = REGISTRY["kl_div"].function([-0.5, -1], [0.6, 0.4])
    assert json.loads(out)["loss"] == pytest.approx(expected)
    code, out, _ = run(capsys, monkeypatch, "loss", "nll", "--y", "1", "--pred=-0.5,-1.2,-2")
    assert code == 0 and out.startswith("nll (mean) = 1.2\n")
    code, out, _ = run(
        capsys, monkeypatch, "loss", "distillation", "--y", "2,1,0", "--pred", "1,1,1"
    )
    assert code == 0 and out.startswith("distillation (batchmean) = ")


@pytest.mark.parametrize(
    ("argv", "stdin", "code", "words"),
    [
        (["triplet_margin", "--y", "1", "--pred", "2"], "", 2, ["--input", "anchor"]),
        (["kl_div", "--input", "-"], '{"input": [0], "targets": [1]}', 2, ["'targets'", "target"]),
        (["dice", "--y", "1,0", "--pred", "2,0.5"], "", 2, ["input[0]", "logits"]),
        (
            ["gaussian_nll", "--input", "-"],
            '{"input": [0], "target": [1], "var": [-1]}',
            2,
            ["var", "negative"],
        ),
        (["kl_dvi", "--y", "1", "--pred", "0"], "", 2, ["did you mean 'kl_div'"]),
        (["brier", "--y", "1", "--pred", "0.5", "--reduction", "sum"], "", 2, ["--reduction"]),
        (["mse", "--y", "1", "--pred", "0.5", "--reduction", "batchmean"], "", 2, ["mean, sum"]),
    ],
)
def test_mistakes_get_one_line_and_an_exit_code(
    argv: list[str],
    stdin: str,
    code: int,
    words: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    got, _, err = run(capsys, monkeypatch, "loss", *argv, stdin=stdin)
    assert got == code
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    for word in words:
        assert word in lines[0]
