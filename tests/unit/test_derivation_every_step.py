"""A derivation is right only when every step is: a wrong line between a right first and a right
last line makes it incorrect (named at that line, with its slip), a middle line without a value
where the line before has one is wrong there, and the asked derivative (dL/dz) may be used by
name on a later line, meaning the expression given for it so far."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.steps import check_steps
from tests.shipped import shipped_library

LIBRARY = shipped_library()
DRILLS = sorted(c.id for c in LIBRARY.cards.values() if c.kind == "gradient_drill")
_LABEL = re.compile(r"^\s*d\w+\s*/\s*d\w+\s*=\s*")


def _expression_lines(drill_id: str) -> list[int]:
    """0-based indexes of the worked derivation's lines that give the derivative."""
    card = LIBRARY.cards[drill_id]
    out = []
    for i, line in enumerate(card.derivation or ()):
        parts = re.split(r"(?<![<>=!])=(?!=)", line)
        left = parts[0].replace(" ", "") if len(parts) > 1 else None
        if left is None or left == f"dL/d{card.wrt}":
            out.append(i)
    return out


def _body(line: str) -> str:
    return _LABEL.sub("", line)


SLIPS = {"sign": "-({})", "factor-2-extra": "2*({})", "factor-2-missing": "({})/2"}


@settings(max_examples=40, deadline=None)
@given(drill_id=st.sampled_from(DRILLS), slip=st.sampled_from(sorted(SLIPS)), data=st.data())
def test_a_wrong_middle_line_between_right_lines_makes_the_derivation_incorrect(
    drill_id: str, slip: str, data: st.DataObject
) -> None:
    card = LIBRARY.cards[drill_id]
    lines = list(card.derivation or ())
    k = data.draw(st.sampled_from(_expression_lines(drill_id)))
    wrong = SLIPS[slip].format(_body(lines[k]))
    # the slip on a line of its own right after line k; the worked lines go on, ending right
    derivation = [
        *lines[: k + 1],
        wrong,
        *lines[k + 1 :],
        _body(lines[_expression_lines(drill_id)[-1]]),
    ]
    result = check_steps(problem_of(card), derivation)
    assert result.verdict == "incorrect", result.message
    assert result.first_wrong == k + 2
    step = next(s for s in result.steps if s.line == k + 2)
    assert step.status == "wrong" and step.mistake == slip
    assert result.message.startswith(f"line {k + 2} ")
    assert result.last_right  # the last line alone is still the derivative
    # without the slip the same derivation is correct
    assert check_steps(problem_of(card), [*lines, derivation[-1]]).verdict == "correct"


@pytest.mark.parametrize(
    ("lines", "verdict", "where"),
    [
        (
            ["p - y", "(p - y)*(z - 1)/(z - 1)", "p - y"],
            "incorrect",
            "z = 1 this line is undefined",
        ),
        (["p - y", "(p - y) + (z - 1)^2/(z - 1) - (z - 1)", "p - y"], "incorrect", "z = 1 "),
        (["p - y", "(p - y)*(z^2 - 2)/(z^2 - 2)", "p - y"], "unchecked", "z^2 - 2 = 0"),
        (["p - y", "(p - y)*(softplus(z) - 1)/(softplus(z) - 1)", "p - y"], "unchecked", "= 0"),
    ],
)
def test_a_middle_line_without_a_value_where_the_line_before_has_one_is_not_passed(
    lines: list[str], verdict: str, where: str
) -> None:
    result = check_steps(problem_of(LIBRARY.cards["grad-bce-logit"]), lines)
    assert result.verdict == verdict, result.message
    middle = result.steps[1]
    assert middle.status == ("wrong" if verdict == "incorrect" else "unchecked")
    assert where in middle.message
    assert result.message.startswith("line 2 ")


@pytest.mark.parametrize(
    ("lines", "verdict", "statuses"),
    [
        (["dL/dz = p - y", "g = 2*dL/dz", "g/2"], "correct", ["follows", "definition", "follows"]),
        (["p - y", "dL/dz*(1 - p + p)"], "correct", ["follows", "follows"]),
        (["p - y", "x = dL/dz", "dL/dz = x"], "correct", ["follows", "definition", "follows"]),
        # a wrong line carries its slip forward under its name, as any later line would
        (
            ["y - p", "-dL/dz + 2*(y - p)", "y - p"],
            "incorrect",
            ["wrong", "follows-from-wrong", "follows-from-wrong"],
        ),
    ],
)
def test_the_asked_derivative_may_be_used_by_name_on_a_later_line(
    lines: list[str], verdict: str, statuses: list[str]
) -> None:
    result = check_steps(problem_of(LIBRARY.cards["grad-bce-logit"]), lines)
    assert result.verdict == verdict, result.message
    assert [s.status for s in result.steps] == statuses


def test_dl_dz_before_any_line_gives_it_is_unknown() -> None:
    result = check_steps(problem_of(LIBRARY.cards["grad-bce-logit"]), ["g = dL/dz", "p - y"])
    assert result.steps[0].status == "invalid"


def test_cli_steps_names_the_wrong_middle_line_and_exits_1(
    capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    steps = tmp_path / "steps.txt"
    steps.write_text("dL/dyhat = 2*(yhat - y)\n2*(y - yhat)\n2*yhat - 2*y\n")
    code = main(["check", "--steps", "grad-mse", str(steps)])
    out = capsys.readouterr().out
    assert code == 1
    assert "First wrong step: line 2." in out
    assert "Result: incorrect: line 2 " in out and "the last line is the derivative" in out
