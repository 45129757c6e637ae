"""`quizapp loss` and `quizapp drill` as a learner uses them: values, worked steps, JSON, and one
clear line with the right exit code for every mistake."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from quizapp import losses
from quizapp.cli import main
from tests.helpers import run_quizapp


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- quizapp loss


def test_loss_prints_the_value_and_the_worked_steps(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "loss", "bce", "--y", "1,0,1", "--pred", "0.9,0.2,0.7")
    assert code == 0
    lines = out.splitlines()
    expected = (-math.log(0.9) - math.log(0.8) - math.log(0.7)) / 3
    assert lines[0] == f"bce (mean) = {expected:.6g}"
    assert "-ln(0.9) = 0.1054" in out and "-ln(1 - 0.2) = 0.2231" in out
    assert lines[-1].strip().startswith("Mean: divide by N = 3")


def test_loss_says_whether_it_read_the_predictions_as_logits_or_probabilities(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The drills show focal loss on probabilities; the calculator takes logits, as torchvision.
    code, out, _ = cli(capsys, "loss", "focal", "--y", "1,0", "--pred", "0.5,-1")
    assert code == 0
    assert "read as logits" in out.splitlines()[1]
    assert "p = σ(0.5) = 0.6225" in out
    code, out, _ = cli(capsys, "loss", "bce", "--y", "1", "--pred", "0.9")
    assert "read as probabilities" in out.splitlines()[1]


def test_loss_json_is_the_value_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(
        capsys, "loss", "huber", "--y", "0,0", "--pred", "0.5,3", "--delta", "1", "--json"
    )
    assert code == 0
    assert json.loads(out) == {"loss": (0.125 + 2.5) / 2}
    code, out, _ = cli(
        capsys, "loss", "hinge", "--y", "-1,1", "--pred", "-0.5,2", "--reduction", "none", "--json"
    )
    assert json.loads(out) == {"loss": [0.5, 0.0]}


def test_loss_takes_rows_negative_numbers_and_dashed_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(
        capsys,
        "loss",
        "cross-entropy",
        "--y",
        "0,2",
        "--pred",
        "2,1,0;-1,0.5,3",
        "--label-smoothing",
        "0.1",
        "--json",
    )
    assert code == 0
    expected = losses.cross_entropy([0, 2], [[2, 1, 0], [-1, 0.5, 3]], label_smoothing=0.1)
    assert json.loads(out)["loss"] == pytest.approx(expected, rel=1e-15)
    # one sample's classes may be given without ';'
    code, out, _ = cli(capsys, "loss", "cce", "--y", "0,1,0", "--pred", "0.2,0.7,0.1", "--json")
    assert json.loads(out)["loss"] == pytest.approx(-math.log(0.7))


def test_loss_input_json_from_a_file_and_from_stdin(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = {"y_true": [1, 0], "logits": [2, -1], "pos_weight": 3}
    path = tmp_path / "args.json"
    path.write_text(json.dumps(args), encoding="utf-8")
    code, out, _ = cli(capsys, "loss", "bce_with_logits", "--input", str(path), "--json")
    assert code == 0
    assert json.loads(out)["loss"] == pytest.approx(losses.bce_with_logits(**args), rel=1e-15)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(json.dumps(args)))
    code, out, _ = cli(capsys, "loss", "bce_with_logits", "--input", "-")
    assert code == 0 and "pos_weight multiplies the positive term" in out


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["loss", "bse", "--y", "1", "--pred", "1"], 2, "unknown loss 'bse'; did you mean 'mse'?"),
        (["loss", "xyzzy", "--y", "1", "--pred", "1"], 2, "unknown loss 'xyzzy'; known: mse"),
        (["loss", "mse", "--y", "1,a", "--pred", "1,2"], 2, "--y: 'a' is not a number"),
        (["loss", "mse", "--y", "1;", "--pred", "1"], 2, "--y: an empty row"),
        (["loss", "mse", "--y", "1"], 2, "loss mse: --pred is missing"),
        (["loss", "mse", "--y", "1", "--pred", "1", "--delta", "2"], 2, "--delta does not apply"),
        (
            ["loss", "focal", "--y", "1", "--pred", "1", "--delta", "2"],
            2,
            "(it takes --alpha, --gamma)",
        ),
        (["loss", "mse", "--y", "1,2", "--pred", "1,2,3"], 2, "y_pred has shape (3,) but y_true"),
        (["loss", "bce", "--y", "1", "--pred", "1.5"], 2, "p[0] = 1.5 is outside [0, 1]"),
        (["loss", "mse", "--y", "nan", "--pred", "1"], 2, "y_true[0] is NaN"),
        (["loss", "mse", "--y", "1e200", "--pred", "-1e200"], 1, "overflows float64"),
        (["loss", "huber", "--y", "1", "--pred", "2", "--delta", "-1"], 2, "delta must be"),
        (["loss", "sparse_cce", "--y", "3", "--pred", "0.5,0.5"], 2, "labels[0] = 3 is out of"),
        (["loss", "mse", "--input", "missing.json"], 2, "--input missing.json: no such file"),
    ],
)
def test_loss_mistakes_get_one_line_and_the_right_exit_code(
    capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    got, out, err = cli(capsys, *argv)
    assert got == code and out == ""
    assert message in one_line_error(err)


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        ("{", [], "not valid JSON (line 1, column 2"),
        ("[1, 2]", [], "expected a JSON object of mse's arguments"),
        ('{"y_true": [1], "y_pre": [1]}', [], "'y_pre' is not an argument of mse; did you mean"),
        ('{"y_true": [1]}', [], "'y_pred' is missing for mse"),
        ('{"y_true": [1], "y_pred": [1]}', ["--y", "1"], "--y and --input both given"),
    ],
)
def test_loss_input_mistakes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, extra: list[str], message: str
) -> None:
    path = tmp_path / "in.json"
    path.write_text(text, encoding="utf-8")
    code, out, err = cli(capsys, "loss", "mse", "--input", str(path), *extra)
    assert code == 2 and out == ""
    assert message in one_line_error(err)


def test_loss_bad_value_types_in_json_are_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "in.json"
    path.write_text('{"y_true": [1], "y_pred": [2], "delta": "big"}', encoding="utf-8")
    code, _, err = cli(capsys, "loss", "huber", "--input", str(path))
    assert code == 2  # a bad value is a usage mistake (the README's exit codes)
    assert "delta must be a number > 0, got 'big'" in one_line_error(err)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--y", "1,0", "--pred", "0.9"], "they must match element for element"),
        (["--y", "1", "--pred", "1.5"], "p[0] = 1.5 is outside [0, 1]"),
    ],
)
def test_a_bad_value_for_a_loss_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    code, out, err = cli(capsys, "loss", "bce", *argv)
    assert code == 2 and out == ""
    assert says in one_line_error(err)


def test_the_command_knows_every_loss_without_importing_numpy() -> None:
    import subprocess
    import sys

    from quizapp.commands.loss import LOSS_NAMES

    assert tuple(losses.LOSSES) == LOSS_NAMES
    code = "import sys, quizapp.cli; quizapp.cli.build_parser(); print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- quizapp drill


def test_drill_list_rows_have_a_type(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "drill", "list", "--json", "--deck", "loss")
    assert code == 0
    rows = json.loads(out)
    numeric = [r for r in rows if r["type"] == "numeric"]
    gradient = [r for r in rows if r["type"] == "gradient"]
    assert len(numeric) >= 12 and len(gradient) >= 15 and len(rows) == len(numeric) + len(gradient)
    assert all(r["id"].startswith("num-") and r["title"] for r in numeric)
    assert all(r["id"].startswith("grad-") and r["wrt"] in r["variables"] for r in gradient)
    code, out, _ = cli(capsys, "drill", "list", "--deck", "loss")
    assert "num-focal" in out and out.splitlines()[-1] == f"{len(rows)} drills"


def test_drill_sample_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "drill", "sample", "num-mse", "--seed", "7", "--json")
    assert code == 0
    data = json.loads(out)
    assert {"id", "prompt", "data", "answer"} <= set(data)
    assert data["id"] == "num-mse" and data["seed"] == 7
    residuals = [row["y"] - row["yhat"] for row in data["data"]]
    assert data["answer"] == pytest.approx(sum(e * e for e in residuals) / len(residuals))

    code, out, _ = cli(capsys, "drill", "sample", "num-mse", "--seed", "7")
    assert code == 0
    assert data["prompt"] in out and "within 1%" in out
    assert "drill answer num-mse --seed 7" in out and "Answer:" not in out
    code, out, _ = cli(capsys, "drill", "sample", "num-mse", "--seed", "7", "--solution")
    assert "Answer:" in out and "Mean: divide by N" in out


def test_drill_sample_without_a_seed_shows_the_one_it_picked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(capsys, "drill", "sample", "num-hinge")
    assert code == 0
    seed = out.splitlines()[0].split("seed ")[1].rstrip(")")
    code, again, _ = cli(capsys, "drill", "sample", "num-hinge", "--seed", seed)
    assert again == out


def test_drill_answer_grades_with_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = cli(capsys, "drill", "sample", "num-bce-batch", "--seed", "3", "--json")
    drill = json.loads(out)
    code, out, _ = cli(
        capsys, "drill", "answer", "num-bce-batch", "--seed", "3", repr(drill["answer"])
    )
    assert code == 0 and out.startswith("Correct")
    wrong = repr(-drill["answer"])  # starts with '-': still read as the answer
    code, out, _ = cli(capsys, "drill", "answer", "num-bce-batch", "--seed", "3", wrong)
    assert code == 1 and "Slip: minus sign of CE dropped" in out
    code, out, _ = cli(capsys, "drill", "answer", "num-bce-batch", "--seed", "3", wrong, "--json")
    assert code == 1
    assert json.loads(out)["verdict"] == "incorrect" and json.loads(out)["slip"] == "minus-dropped"
    code, out, err = cli(capsys, "drill", "answer", "num-bce-batch", "--seed", "3", "5%")
    assert code == 2 and out == ""
    assert "'%' is not supported" in one_line_error(err)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["drill", "sample", "num-mes", "--seed", "1"], "unknown drill 'num-mes'; did you mean"),
        (["drill", "sample", "trap-mse-everywhere"], "is a trap, not a numeric drill"),
        # Each kind of drill points at the command that grades it.
        (["drill", "sample", "grad-bce-logit"], "'quizapp check grad-bce-logit ANSWER'"),
        (["check", "num-mse", "1"], "graded by 'quizapp drill answer num-mse --seed N ANSWER'"),
        # An unknown option points at the subcommand's help, not the top-level one.
        (["restore", "--bogus"], "(see 'quizapp restore --help')"),
        (["stats", "--bogus"], "(see 'quizapp stats --help')"),
        (["drill", "answer", "nope", "--seed", "1", "3"], "unknown drill 'nope'"),
        (["drill", "sample", "num-mse", "--seed", "-1"], "-1 is negative"),
        (["drill", "sample", "num-mse", "--seed", "x"], "'x' is not a whole number"),
        (["drill", "answer", "num-mse", "3"], "--seed"),
        (["drill"], "ACTION"),
    ],
)
def test_drill_usage_mistakes_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert message in one_line_error(err)


# --------------------------------------------------------------------------- the installed command


def test_installed_commands_in_a_subprocess() -> None:
    result = run_quizapp("loss", "mse", "--y", "1,2,3", "--pred", "1,2,5", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"loss": pytest.approx(4 / 3)}

    first = run_quizapp("drill", "sample", "num-focal", "--seed", "11", "--json")
    second = run_quizapp("drill", "sample", "num-focal", "--seed", "11", "--json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout  # the same drill in another process
    drill = json.loads(first.stdout)
    graded = run_quizapp("drill", "answer", "num-focal", "--seed", "11", f"{drill['answer']:.4g}")
    assert graded.returncode == 0 and graded.stdout.startswith("Correct")

    bad = run_quizapp("loss", "crossentropy", "--y", "0", "--pred", "1,2")
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "quizapp: loss: unknown loss 'crossentropy'; did you mean 'cross_entropy'? known: mse, "
        "mae, huber, bce, bce_with_logits, cce, sparse_cce, cross_entropy, hinge, focal, "
        "kl_div, poisson_nll, gaussian_nll, smooth_l1, margin_ranking, cosine_embedding, "
        "triplet_margin, nll, quantile, brier, dice, info_nce, distillation, bradley_terry, "
        "dpo, ppo_clip, z_loss, load_balancing, clip_contrastive, siglip, arcface, "
        "diffusion_eps, hinge_gan_d, hinge_gan_g, ctc"
    )


def test_the_benchmark_skips_cleanly_without_torch(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    # A module named torch that fails to import stands in for a machine without torch.
    (tmp_path / "torch.py").write_text("raise ImportError('no torch here')\n", encoding="utf-8")
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "losses.py"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("torch not installed: skipped")


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "huge"])
def test_loss_input_that_is_no_json_file_is_refused_before_reading(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    """A FIFO waited for a writer for ever and /dev/zero was read until memory ran out."""
    import os

    path = tmp_path / "in.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    else:
        with open(path, "wb") as fh:
            fh.truncate(17 << 20)  # sparse: nothing is written
    code, out, err = cli(capsys, "loss", "mse", "--input", str(path))
    assert code == 2 and out == ""
    message = {
        "fifo": "is a FIFO (named pipe); give a JSON file, or - for stdin",
        "device": "is a character device; give a JSON file, or - for stdin",
        "folder": "is a folder; give a JSON file, or - for stdin",
        "huge": "more than 16 MB; a loss's arguments are a small JSON object",
    }[kind]
    assert one_line_error(err) == f"quizapp: --input {path}: {message}"


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_content_that_is_no_deck_file_or_folder_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    """--content /dev/zero (or a FIFO) was skipped without a word: the shipped decks alone were
    checked and said valid."""
    import os

    path = tmp_path / "deck.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    code, out, err = cli(capsys, "--content", str(path), "validate")
    assert code == 2 and out == ""
    what = "a FIFO (named pipe)" if kind == "fifo" else "a character device"
    assert one_line_error(err) == f"quizapp: --content {path}: is {what}, not a deck file or folder"


def test_a_deck_file_too_large_to_be_one_is_an_error_not_minutes_of_parsing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from quizapp.decks.positions import MAX_DECK_BYTES

    path = tmp_path / "huge.yaml"
    path.write_text("- " + "x" * MAX_DECK_BYTES + "\n", encoding="utf-8")
    code, out, err = cli(capsys, "--content", str(path), "validate")
    assert code == 1
    assert f"{path}: 2.1 MB, more than the 2 MB a deck file can be; split it" in out + err
