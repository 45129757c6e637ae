"""`quizapp check`: one answer, --json, and --batch JSON lines in and out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.cli import main
from quizapp.mathcheck.cards import problem_of

BATCH_KEYS = ["drill", "answer", "verdict", "message", "interpreted", "proof"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_right_answer_exits_zero_and_shows_how_it_was_read(capsys: pytest.CaptureFixture) -> None:
    code, out, err = run(capsys, "grad-mse", "2(ŷ − y)")
    assert code == 0 and err == ""
    assert out.startswith("Correct")
    assert "read as: 2*(yhat - y)" in out
    assert "'*' was added" in out


def test_an_answer_starting_with_minus_is_an_answer_not_an_option(
    capsys: pytest.CaptureFixture,
) -> None:
    code, out, _ = run(capsys, "grad-mse", "-2*(y-yhat)")
    assert code == 0 and out.startswith("Correct")


def test_a_wrong_answer_exits_one_with_the_mistake_and_hint(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "grad-weighted-bce-logit", "p - y")
    assert code == 1
    assert out.startswith("Incorrect: the weight w is missing")
    assert "hint: w multiplies" in out


def test_json_output_has_exactly_the_documented_fields(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "grad-bce-logit", "(p-y)/(p*(1-p))", "--json")
    assert code == 1
    data = json.loads(out)
    assert list(data) == BATCH_KEYS
    assert data["verdict"] == "incorrect" and "chain-rule factor dp/dz" in data["message"]


def test_a_right_answer_is_proved_and_the_json_carries_the_proof(
    capsys: pytest.CaptureFixture,
) -> None:
    code, out, _ = run(capsys, "grad-hinge", "-y*step(1 - y*s)", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["message"].startswith("Correct — proved: in each case (y = -1, y = 1)")
    # The proof names the derivative's form and every region between the switches.
    assert data["proof"][0].startswith("derivative: ")
    regions = [line for line in data["proof"] if line.startswith("region: ")]
    assert len(regions) == 4 and any("s - 1 > 0" in r for r in regions)


def test_invalid_answer_is_one_line_on_stderr_with_exit_three(
    capsys: pytest.CaptureFixture,
) -> None:
    code, out, err = run(capsys, "grad-mse", "2*(yhta - y)")
    assert code == 3 and out == ""
    assert err.count("\n") == 1
    assert "column 4: unknown name 'yhta' (did you mean 'yhat'?)" in err


def test_unknown_drill_and_missing_arguments_are_usage_errors(
    capsys: pytest.CaptureFixture,
) -> None:
    code, _, err = run(capsys, "grad-mze", "1")
    assert code == 2 and "did you mean 'grad-mse'" in err
    code, _, err = run(capsys, "grad-mse")
    assert code == 2 and "give a drill id and an answer" in err
    code, _, err = run(capsys, "grad-mse", "1", "--batch", "-")
    assert code == 2 and "either" in err


def test_batch_file_gets_one_json_line_per_request(
    capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    lines = [
        {"drill": "grad-mse", "answer": "2*(yhat - y)"},
        {"drill": "grad-hinge", "answer": "-y"},
        {"drill": "grad-huber", "answer": "__import__('os')"},
        {"drill": "grad-mze", "answer": "1"},
    ]
    batch = tmp_path / "answers.jsonl"
    text = "\n".join(json.dumps(x) for x in lines) + "\n\nnot json\n" + '{"drill": 1}\n'
    batch.write_text(text, encoding="utf-8")
    code, out, _ = run(capsys, "--batch", str(batch))
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 1  # some lines were not valid requests
    assert [list(r) for r in records] == [BATCH_KEYS] * 6
    assert [r["verdict"] for r in records] == [
        "correct",
        "incorrect",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
    ]
    assert records[0]["interpreted"] == "2*(yhat - y)"
    assert "partly right" in records[1]["message"]
    assert "did you mean 'grad-mse'" in records[3]["message"]
    assert records[4]["message"].startswith("line 6: not JSON")
    assert records[5]["message"] == "line 7: 'drill' must be a string"


def test_batch_from_standard_input_answers_as_it_reads() -> None:
    requests = "".join(
        json.dumps({"drill": d, "answer": a}) + "\n"
        for d, a in [("grad-sigmoid", "p*(1-p)"), ("grad-mse-batch", "2*(yhat - y)")]
    )
    env = {**os.environ, "QUIZAPP_CONTENT": str(Path(__file__).resolve().parents[2] / "content")}
    out = subprocess.run(
        [sys.executable, "-m", "quizapp", "check", "--batch", "-"],
        input=requests,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["verdict"], r["drill"]) for r in records] == [
        ("correct", "grad-sigmoid"),
        ("incorrect", "grad-mse-batch"),
    ]
    assert "1/N of the mean is missing" in records[1]["message"]


def test_batch_file_that_does_not_exist(capsys: pytest.CaptureFixture, tmp_path: Path) -> None:
    code, _, err = run(capsys, "--batch", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "no such file" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "grad-mse", "--", "-2*(y-yhat)"],
        ["grad-mse", "--json", "--", "-2*(y-yhat)"],
        ["grad-mse", "-2*(y-yhat)", "--json"],
    ],
)
def test_json_and_an_answer_starting_with_minus_in_any_order(
    capsys: pytest.CaptureFixture, argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    data = json.loads(out)
    assert (data["answer"], data["verdict"]) == ("-2*(y-yhat)", "correct")


def test_an_answer_with_bytes_that_are_not_utf8_is_invalid_in_one_line(
    capsys: pytest.CaptureFixture,
) -> None:
    code, out, err = run(capsys, "grad-mse", "2\udcff")  # how Python passes a stray byte
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and "not UTF-8" in err


def test_hostile_batch_lines_each_get_their_own_answer(
    capsys: pytest.CaptureFixture, tmp_path: Path
) -> None:
    good = '{"drill": "grad-mse", "answer": "2*(yhat - y)"}'
    lines = [
        "\ufeff" + good,  # a byte-order mark before the first line
        '{"drill": "grad-mse", "answer": "\\ud800"}',  # a lone surrogate
        '{"drill": "\\udfff", "answer": "2"}',
        "[" * 5000 + "]" * 5000,
        '{"drill": "grad-mse", "answer": ' + "[" * 3000 + "]" * 3000 + "}",
        '{"drill": "grad-mse", "answer": ' + "7" * 5000 + "}",
        good,
    ]
    batch = tmp_path / "hostile.jsonl"
    batch.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "--batch", str(batch))
    assert code == 1  # some lines were bad requests; never 70
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["verdict"] for r in records] == ["correct"] + ["invalid"] * 5 + ["correct"]
    for number, record in enumerate(records[1:6], start=2):
        assert record["message"].startswith(f"line {number}: ")
        assert "\n" not in record["message"]
    assert "lone surrogate" in records[1]["message"] and "'drill'" in records[2]["message"]
    assert "nested too deeply" in records[3]["message"]
    assert "too many digits" in records[5]["message"]


def test_batch_and_single_checks_agree_on_every_answer() -> None:
    import runpy

    from quizapp.mathcheck import check_answer
    from tests.shipped import shipped_library

    here = Path(__file__).parent
    right = runpy.run_path(str(here / "gradient_corpus.py"))["CORPUS"]
    hostile = runpy.run_path(str(here / "adversarial_corpus.py"))["HANDMADE"]
    items = [(d, a) for d, (answers, _) in right.items() for a in answers[:2]]
    wrong = [(d, a) for d, answers in hostile.items() for a in answers[:3]]
    items += wrong
    drills = {c.id: c for c in shipped_library().of_kind("gradient_drill")}
    env = {**os.environ, "QUIZAPP_CONTENT": str(here.parents[1] / "content")}
    out = subprocess.run(
        [sys.executable, "-m", "quizapp", "check", "--batch", "-"],
        input="".join(json.dumps({"drill": d, "answer": a}) + "\n" for d, a in items),
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    batch = [json.loads(line) for line in out.stdout.splitlines()]
    single = [check_answer(problem_of(drills[d]), a) for d, a in items]
    assert [(r["verdict"], r["message"]) for r in batch] == [(v.verdict, v.message) for v in single]
    assert "correct" not in [r["verdict"] for r in batch[-len(wrong) :]]


def test_expr_proves_an_equivalence_without_a_drill(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(
        capsys,
        "--expr",
        "log(a^x)/log(2)",
        "--ref",
        "x*log(a)/log(2)",
        "--vars",
        "x:real,a:positive",
    )
    assert code == 0
    assert out.startswith("Correct — proved: your answer minus the reference simplifies to 0")
    assert "reference: x*log(a)/log(2)" in out


def test_expr_with_a_point_of_the_domain_where_it_has_no_value_is_not_correct(
    capsys: pytest.CaptureFixture,
) -> None:
    # log(a^x)/log(a) is x except at a = 1 (0/0), a point of the positive domain where the
    # reference has a value: not equal on the whole domain, and the point is named.
    code, out, _ = run(
        capsys, "--expr", "log(a^x)/log(a)", "--ref", "x", "--vars", "x:real,a:positive"
    )
    assert code == 1
    assert out.startswith("Incorrect: ")
    assert "a = 1 your answer is undefined: a division by zero" in out


@pytest.mark.parametrize(
    ("expr", "ref", "variables", "verdict"),
    [
        ("(1 - y)*sigmoid(z) - w*y*sigmoid(-z)", "(1 - y)*sigmoid(z) - w*y*(1 - sigmoid(z))",
         "z:real,y:binary,w:positive", "correct"),
        ("x + 1e-200*1e-200*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12", "x", "x:real",
         "incorrect"),
        ("x*sign(x - 0.777)^2", "x", "x:real", "incorrect"),
        ("-y/p if y == 1 else 1/(1 - p)", "-y/p + (1 - y)/(1 - p)", "p:prob,y:binary", "correct"),
    ],
)  # fmt: skip
def test_expr_json_gives_the_same_verdicts_as_a_drill(
    capsys: pytest.CaptureFixture, expr: str, ref: str, variables: str, verdict: str
) -> None:
    code, out, _ = run(capsys, "--expr", expr, "--ref", ref, "--vars", variables, "--json")
    data = json.loads(out)
    assert data["verdict"] == verdict, data
    assert code == {"correct": 0, "incorrect": 1}[verdict]
    if verdict == "incorrect":
        assert "computed exactly" in data["message"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--expr", "x", "--ref", "x", "--vars", "x:rel"], "unknown domain 'rel'"),
        (["--expr", "x", "--ref", "x", "--vars", "x"], "'x' is not NAME:DOMAIN"),
        (["--expr", "x", "--ref", "q", "--vars", "x:real"], "--ref: column 1: unknown name 'q'"),
        (["--expr", "x", "--vars", "x:real"], "needs --ref"),
        (["grad-mse", "2*(yhat - y)", "--ref", "x"], "go with --expr"),
    ],
)
def test_expr_usage_mistakes_are_one_line_with_exit_two(
    capsys: pytest.CaptureFixture, args: list[str], says: str
) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert says in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        ("--2*(yhat - y)", "Correct"),
        ("--(2*(yhat - y))", "Correct"),
        ("--2*(y - yhat)", "Incorrect"),
    ],
)
def test_an_answer_starting_with_two_minus_signs_is_an_answer_not_an_option(
    capsys: pytest.CaptureFixture, answer: str, verdict: str
) -> None:
    """argparse took "--2*(yhat - y)" (a double minus) for an unknown option and exited 2."""
    code, out, err = run(capsys, "grad-mse", answer)
    assert err == "" and out.startswith(verdict), out + err
    assert code == (0 if verdict == "Correct" else 1)
    code, out, _ = run(capsys, "grad-mse", "--json", "2*(yhat - y)")  # an option still is one
    assert code == 0 and out.lstrip().startswith("{")
