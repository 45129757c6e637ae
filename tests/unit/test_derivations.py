"""Line-by-line derivation checking: every shipped drill's worked derivation checks clean, and a
derivation with one wrong step is flagged at exactly that step, with the later lines that follow
from it marked as following from a wrong line (error carried forward)."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.steps import MAX_LINES, check_steps
from tests.shipped import shipped_library

LIBRARY = shipped_library()
DRILLS = sorted(c.id for c in LIBRARY.cards.values() if c.kind == "gradient_drill")


def _expression_lines(drill_id: str) -> list[int]:
    """0-based indexes of the derivation's lines that give the derivative (not definitions)."""
    card = LIBRARY.cards[drill_id]
    wrt = card.wrt
    out = []
    for i, line in enumerate(card.derivation or ()):
        parts = re.split(r"(?<![<>=!])=(?!=)", line)  # "=" alone, not "<=" or "=="
        left = parts[0].replace(" ", "") if len(parts) > 1 else None
        if left is None or re.fullmatch(rf"dL/d{re.escape(wrt)}", left):
            out.append(i)
    return out


def _negated(line: str) -> str:
    label = re.match(r"dL/d\w+ = ", line)
    return f"{label.group(0)}-({line[label.end() :]})" if label else f"-({line})"


def test_the_shipped_decks_have_gradient_drills() -> None:
    assert len(DRILLS) >= 15


@pytest.mark.parametrize("drill_id", DRILLS)
def test_every_reference_derivation_checks_clean_line_by_line(drill_id: str) -> None:
    card = LIBRARY.cards[drill_id]
    assert card.derivation and len(card.derivation) >= 2, "every drill has a worked derivation"
    result = check_steps(problem_of(card), list(card.derivation))
    assert result.verdict == "correct", result.message
    assert result.first_wrong is None
    assert [s.status for s in result.steps if s.status not in ("follows", "definition")] == []
    assert any(s.status == "follows" for s in result.steps)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_one_wrong_step_is_flagged_there_and_the_rest_follow_from_it(data: st.DataObject) -> None:
    drill_id = data.draw(st.sampled_from(DRILLS))
    card = LIBRARY.cards[drill_id]
    lines = list(card.derivation or ())
    expressions = _expression_lines(drill_id)
    assert expressions, f"{drill_id}: no line gives the derivative"
    k = data.draw(st.sampled_from(expressions))
    # The learner slips at line k (a sign) and carries the slip through every later line.
    wrong = [(_negated(t) if i in expressions and i >= k else t) for i, t in enumerate(lines)]
    result = check_steps(problem_of(card), wrong)
    assert result.first_wrong == k + 1
    by_line = {s.line: s for s in result.steps}
    assert by_line[k + 1].status == "wrong"
    assert by_line[k + 1].mistake == "sign"
    for i in expressions:
        if i > k:
            assert by_line[i + 1].status == "follows-from-wrong", (drill_id, i, by_line[i + 1])
        elif i < k:
            assert by_line[i + 1].status == "follows"
    assert result.verdict == "incorrect"


def test_a_chain_on_one_line_is_checked_part_by_part() -> None:
    problem = problem_of(LIBRARY.cards["grad-mse"])
    result = check_steps(problem, ["dL/dyhat = 2*(y - yhat)*(-1) = 2*(y - yhat) = 2*y - 2*yhat"])
    assert [s.status for s in result.steps] == ["follows", "wrong", "follows-from-wrong"]
    assert result.first_wrong == 1
    assert "minus the line before" in result.steps[1].message


def test_a_wrong_chain_rule_factor_is_named_and_a_wrong_definition_is_wrong() -> None:
    problem = problem_of(LIBRARY.cards["grad-bce-logit"])
    result = check_steps(
        problem,
        [
            "p = sigmoid(z)",
            "dp/dz = p*(1 + p)",
            "dL/dz = -y/p + (1 - y)/(1 - p)",
            "p - y",
        ],
    )
    assert [s.status for s in result.steps] == ["definition", "wrong", "wrong", "wrong"]
    assert result.first_wrong == 2
    assert "dp/dz is not right" in result.steps[1].message
    assert result.steps[2].mistake == "chain-rule"
    # The last line is right on its own: the verdict is the last line's.
    assert result.verdict == "incorrect" or result.steps[3].status == "wrong"


def test_unreadable_lines_are_invalid_and_checking_goes_on() -> None:
    problem = problem_of(LIBRARY.cards["grad-mse"])
    result = check_steps(problem, ["2*(yhat - y", "", "u = y - yhat", "-2*u", "__import__('os')"])
    statuses = [(s.line, s.status) for s in result.steps]
    assert statuses == [(1, "invalid"), (3, "definition"), (4, "follows"), (5, "invalid")]
    # -2*u is the derivative, but the derivation's result is its last line, which is unreadable
    assert result.verdict == "invalid"
    assert result.message == "the last line (line 5) could not be read; fix it or delete it"
    assert result.steps[0].column is not None
    # without the unreadable last line, the result is -2*u's
    assert check_steps(problem, ["2*(yhat - y", "", "u = y - yhat", "-2*u"]).verdict == "correct"


@settings(max_examples=30, deadline=None)
@given(
    drill_id=st.sampled_from(DRILLS),
    tail=st.sampled_from(["(", "2*(", "__import__('os')", "u = (", "dL/dz = )", "x = 1", "a b"]),
    then=st.booleans(),
)
def test_a_right_derivation_whose_last_line_cannot_be_read_is_never_correct(
    drill_id: str, tail: str, then: bool
) -> None:
    card = LIBRARY.cards[drill_id]
    lines = [*card.derivation, tail]
    result = check_steps(problem_of(card), lines)
    if result.steps[-1].status == "invalid":
        assert result.verdict == "invalid"
        assert f"(line {len(lines)})" in result.message
    else:  # the tail could be read after all (a helper): the result is the derivative's
        assert result.verdict == "correct"
    if then:  # the derivative written again after the bad line: correct once more
        fixed = check_steps(problem_of(card), [*lines, card.derivation[-1]])
        assert fixed.verdict == "correct"


@pytest.mark.parametrize("variable", ["yhat", "y"])
def test_a_drill_variable_cannot_be_redefined_and_does_not_read_as_two_steps(
    variable: str,
) -> None:
    problem = problem_of(LIBRARY.cards["grad-mse"])
    result = check_steps(problem, [f"{variable} = 2*(yhat - y)", "2*(yhat - y)"])
    assert [(s.line, s.status) for s in result.steps] == [(1, "invalid"), (2, "follows")]
    assert f"{variable} is one of the drill's variables" in result.steps[0].message
    assert result.verdict == "correct" and result.first_wrong is None


def test_limits_and_empty_input() -> None:
    problem = problem_of(LIBRARY.cards["grad-mse"])
    assert check_steps(problem, []).verdict == "invalid"
    assert check_steps(problem, ["u = y - yhat"]).verdict == "invalid"
    many = check_steps(problem, ["2*(yhat - y)"] * (MAX_LINES + 1))
    assert many.verdict == "invalid" and str(MAX_LINES) in many.message
    long_line = check_steps(problem, ["y" + "+y" * 500])
    assert long_line.steps[0].status == "invalid"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=8))
def test_any_text_gives_a_derivation_and_never_raises(lines: list[str]) -> None:
    result = check_steps(problem_of(LIBRARY.cards["grad-bce-logit"]), lines)
    assert result.verdict in ("correct", "incorrect", "invalid", "unchecked")
    for step in result.steps:
        assert step.status in ("follows", "wrong", "follows-from-wrong", "definition", "invalid",
                               "unchecked")  # fmt: skip
        assert "\n" not in step.message


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_steps_json_names_the_first_wrong_line(
    capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = tmp_path / "steps.txt"
    steps.write_text("u = y - yhat\ndL/dyhat = 2*u*(-1)\n\n2*(y - yhat)\n2*y - 2*yhat\n")
    code, out, err = run(capsys, "check", "--steps", "--json", "grad-mse", str(steps))
    assert code == 1, err
    data = json.loads(out)
    assert set(data) == {"drill", "verdict", "first_wrong", "steps"}
    assert data["drill"] == "grad-mse" and data["verdict"] == "incorrect"
    assert data["first_wrong"] == 4
    assert [s["status"] for s in data["steps"]] == [
        "definition",
        "follows",
        "wrong",
        "follows-from-wrong",
    ]
    assert [s["line"] for s in data["steps"]] == [1, 2, 4, 5]
    assert set(data["steps"][0]) == {"line", "text", "interpreted", "status", "message"}


def test_cli_steps_text_and_exit_codes(
    capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("dL/dp = -y/p + (1 - y)/(1 - p)\ndp/dz = p*(1 - p)\np - y\n")
    code, out, _ = run(capsys, "check", "--steps", "grad-bce-logit", str(good))
    assert code == 0
    assert "✓" in out and "Result: correct" in out and "dp/dz is right" in out
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n")
    code, _, err = run(capsys, "check", "--steps", "grad-mse", str(empty))
    assert code == 3 and "has no steps" in err and err.count("\n") == 1
    code, _, err = run(capsys, "check", "--steps", "grad-mse", str(tmp_path / "missing.txt"))
    assert code == 2 and "no such file" in err
    code, _, err = run(capsys, "check", "--steps", "grad-nope", str(good))
    assert code == 2 and "unknown gradient drill" in err


@pytest.mark.parametrize(
    ("drill_id", "last"),
    [
        ("grad-mse", "clip(2*(yhat - y), -100, 100)"),
        ("grad-bce-logit", "p - y if abs(z) < 5 else 0"),
        ("grad-mse-batch", "2*(yhat - y)/min(N, 64)"),
        ("grad-bce-logit", "1 - p if y == 1 else p"),
    ],
)
def test_a_last_line_that_only_agrees_inside_the_box_never_makes_it_correct(
    drill_id: str, last: str
) -> None:
    """The quick step-to-step comparison uses the friendly box; the verdict never does."""
    card = LIBRARY.cards[drill_id]
    lines = [*list(card.derivation or ()), last]
    result = check_steps(problem_of(card), lines)
    assert result.verdict != "correct"
    assert result.steps[-1].status in ("wrong", "unchecked")


@pytest.mark.parametrize(
    "lines",
    [
        ["u = y - yhat)", "-2*u"],  # a helper that does not parse, used later
        ["u = v", "v = u", "2*(yhat - y)"],  # circular
        ["u = u + 1", "2*(yhat - y)"],  # self-referential
        ["u = 2*(yhat - y)", "u = u + 1", "u"],  # redefined from its old value: fine
    ],
)
def test_bad_helpers_never_crash_and_every_line_gets_one_verdict(lines: list[str]) -> None:
    problem = problem_of(LIBRARY.cards["grad-mse"])
    result = check_steps(problem, lines)
    assert [s.line for s in result.steps] == list(range(1, len(lines) + 1))
    assert result.verdict in ("correct", "incorrect", "invalid", "unchecked")
    if lines[0] == "u = y - yhat)":
        assert [s.status for s in result.steps] == ["invalid", "invalid"]
        assert "unknown name 'u'" in result.steps[1].message
    if lines[-1] == "2*(yhat - y)":
        assert result.verdict == "correct"
    if lines[-1] == "u":
        assert result.verdict == "incorrect"  # 2*(yhat - y) + 1


def test_labels_are_helpers_once_defined_and_the_drills_own_names_ask_for_the_derivative() -> None:
    bce = problem_of(LIBRARY.cards["grad-bce-logit"])
    lines = [
        "dL/dp = -y/p + (1 - y)/(1 - p)",
        "dp/dz = p*(1 - p)",
        "dL/dz = dL/dp*dp/dz",
        "p - y",
    ]
    result = check_steps(bce, lines)
    assert [s.status for s in result.steps] == ["definition", "definition", "follows", "follows"]
    assert result.verdict == "correct"
    sigmoid = problem_of(LIBRARY.cards["grad-sigmoid"])
    result = check_steps(sigmoid, ["dp/dz = p*(1 - p)"])
    assert (result.verdict, result.steps[0].status) == ("correct", "follows")
    result = check_steps(sigmoid, ["dp/dz = p*(1 + p)"])
    assert result.verdict == "incorrect"


@pytest.mark.parametrize(
    "line",
    ["2*(yhat - y) + 1/0", "2*(yhat - y) = 0", "2*(yhat - y)", "2*(y - yhat)", "2*yhat"],
)
def test_a_one_line_derivation_gets_the_verdict_of_the_same_answer(line: str) -> None:
    from quizapp.mathcheck import check_answer

    problem = problem_of(LIBRARY.cards["grad-mse"])
    answer = check_answer(problem, line)
    derivation = check_steps(problem, [line])
    assert derivation.verdict == answer.verdict
    assert derivation.steps[0].message == answer.message


def test_a_long_chain_of_doubling_helpers_gets_the_same_verdict_every_run() -> None:
    problem = problem_of(LIBRARY.cards["grad-mse"])
    lines = ["u1 = yhat - y"] + [f"u{k + 1} = 2*u{k} - u{k}" for k in range(1, 13)] + ["2*u13"]
    first = check_steps(problem, lines)
    again = check_steps(problem, lines)
    assert len(lines) == 14
    assert first == again
    # The helpers double the line at every step: past the size limit the line is refused,
    # the same way every run, never by a clock.
    assert first.verdict in ("correct", "invalid")
    assert all(s.status in ("definition", "invalid", "follows") for s in first.steps)
