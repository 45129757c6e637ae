"""The third deck's losses in the registry and in `quizapp loss NAME --input -`: the issue's
argument names in, the module's value out, worked steps that end at it, a gradient that is the
loss's slope, and one clear line for every mistake."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest

from quizapp.cli import main
from quizapp.losses import REGISTRY
from quizapp.losses.text import num

# One ordinary call per loss, with exactly the argument names of issue 28.
CALLS: dict[str, dict[str, Any]] = {
    "bradley_terry": {"chosen": [1.5, -0.2], "rejected": [0.5, 0.4], "margin": 0.3},
    "dpo": {
        "policy_chosen_logps": [-12.0, -30.5],
        "policy_rejected_logps": [-14.0, -29.0],
        "reference_chosen_logps": [-13.0, -31.0],
        "reference_rejected_logps": [-13.5, -30.0],
        "beta": 0.5,
        "label_smoothing": 0.1,
    },
    "ppo_clip": {
        "logp": [-1.0, -0.5, -2.2],
        "old_logp": [-1.3, -0.6, -1.9],
        "advantages": [0.8, -1.2, 0.5],
        "clip_eps": 0.2,
    },
    "z_loss": {"logits": [[2.0, 1.0, -1.0], [0.5, 3.0, 0.1]], "weight": 0.001},
    "load_balancing": {
        "router_logits": [[2.0, 0.1, -1.0], [1.5, 0.3, 0.2], [0.1, 0.2, 2.5], [1.0, 1.4, 0.0]],
        "alpha": 0.01,
    },
    "clip_contrastive": {
        "image_embeds": [[1.0, 0.2, 0.0], [0.1, 1.0, 0.3]],
        "text_embeds": [[0.9, 0.1, 0.2], [0.0, 0.8, 0.5]],
        "temperature": 0.5,
    },
    "siglip": {
        "image_embeds": [[1.0, 0.2, 0.0], [0.1, 1.0, 0.3]],
        "text_embeds": [[0.9, 0.1, 0.2], [0.0, 0.8, 0.5]],
        "t": 10,
        "b": -5,
    },
    "arcface": {
        "embeddings": [[1.0, 0.5, -0.2], [0.1, 0.9, 0.4]],
        "weights": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        "target": [0, 1],
        "s": 8,
        "m": 0.3,
    },
    "diffusion_eps": {
        "noise": [[0.5, -1.0], [1.2, 0.3]],
        "noise_pred": [[0.4, -0.7], [0.2, 0.1]],
        "snr": [0.5, 12.0],
        "min_snr_gamma": 5,
    },
    "hinge_gan_d": {"real_scores": [1.5, 0.2, -0.3], "fake_scores": [-2.0, 0.4]},
    "hinge_gan_g": {"fake_scores": [-2.0, 0.4, 1.1]},
    "ctc": {
        "log_probs": np.log(
            [[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.3, 0.2, 0.5], [0.7, 0.2, 0.1]]
        ).tolist(),
        "targets": [1, 2],
        "input_lengths": 4,
        "target_lengths": 2,
    },
}


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = ""
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_every_new_loss_is_registered_in_order() -> None:
    names = list(REGISTRY)
    assert names[names.index("bradley_terry") :] == list(CALLS)


@pytest.mark.parametrize("name", list(CALLS))
def test_the_worked_steps_end_at_the_value(name: str) -> None:
    spec = REGISTRY[name]
    value = spec.function(**CALLS[name])
    lines = spec.steps(**CALLS[name])
    assert len(lines) >= 2 and lines[-1].endswith(num(float(value))), lines


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
        assert grad[index] == pytest.approx(slope, rel=1e-5, abs=1e-8), (name, index)


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
    assert lines[0].startswith(f"{name} (") and num(float(expected), 6) in lines[0]
    assert len(lines) >= 4


def test_cross_entropy_ignore_index_flag(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["loss", "cross_entropy", "--y", "0,-100", "--pred", "2,1,0;0,0,9", "--json"]
    code, out, _ = run(capsys, monkeypatch, *argv)
    assert code == 0
    only_first = REGISTRY["cross_entropy"].function([0], [[2.0, 1.0, 0.0]])
    assert json.loads(out)["loss"] == pytest.approx(only_first, rel=1e-15)
    code, out, _ = run(capsys, monkeypatch, *argv[:-1], "--ignore-index", "2")
    # With ignore_index 2 the -100 is a label out of range again: a bad value (exit 2).
    assert code == 2


@pytest.mark.parametrize(
    ("name", "stdin", "code", "words"),
    [
        ("dpo", '{"policy_chosen_logps": [-1]}', 2, ["'policy_rejected_logps' is missing"]),
        ("dpo", '{"chosen": [1]}', 2, ["'chosen' is not an argument of dpo"]),
        ("bradley_terry", '{"chosen": [1, 2], "rejected": [0]}', 2, ["rejected", "shape"]),
        (
            "ppo_clip",
            '{"logp": [0], "old_logp": [0], "advantages": [1], "clip_eps": 2}',
            2,
            ["clip_eps"],
        ),
        ("load_balancing", '{"router_logits": [1, 2]}', 2, ["tokens x experts"]),
        ("diffusion_eps", '{"noise": [1], "noise_pred": [0], "snr": [0]}', 2, ["snr", "> 0"]),
        (
            "arcface",
            '{"embeddings": [[1, 0]], "weights": [[1, 0]], "target": [3]}',
            2,
            ["target[0] = 3", "out of range"],
        ),
        (
            "ctc",
            '{"log_probs": [[0, 0]], "targets": [1, 1], "input_lengths": 1, "target_lengths": 2}',
            2,
            ["no alignment"],
        ),
        ("siglip", '{"image_embeds": [[1, 0]], "text_embeds": [[1, 0]], "t": -1}', 2, ["t must"]),
    ],
)
def test_mistakes_get_one_line_and_an_exit_code(
    name: str,
    stdin: str,
    code: int,
    words: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    got, _, err = run(capsys, monkeypatch, "loss", name, "--input", "-", stdin=stdin)
    assert got == code, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    for word in words:
        assert word in lines[0], lines[0]


def test_flags_point_to_input_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "loss", "dpo", "--y", "1", "--pred", "0")
    assert code == 2 and "--input" in err and "policy_chosen_logps" in err
