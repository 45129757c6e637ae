"""A derivation written as on paper: a line that starts with "=" goes on from the line before
(``dL/dyhat = 2*(yhat - y)`` then ``        = 2*yhat - 2*y``). Such a line was read as an empty
answer ("invalid: the answer is empty"), so a right derivation written this way could never be
correct."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.steps import check_steps
from tests.shipped import shipped_library

LIBRARY = shipped_library()
DRILLS = sorted(c.id for c in LIBRARY.cards.values() if c.kind == "gradient_drill")
_HEAD = re.compile(r"^\s*[^=<>!]*?(?<![<>=!])=(?!=)\s*")


def _bare(line: str) -> str | None:
    """A worked line that gives an expression for the derivative (no head, or dL/dwrt = ...),
    as that expression; None for a line that defines a helper."""
    head = _HEAD.match(line)
    if head is None:
        return line
    left = head.group(0).rstrip().rstrip("=").replace(" ", "")
    return line[head.end() :] if left.startswith("dL/d") else None


@settings(max_examples=60, deadline=None)
@given(drill_id=st.sampled_from(DRILLS), indent=st.sampled_from(["", " ", "    ", "\t"]))
def test_a_worked_derivation_with_continued_lines_is_as_right_as_without(
    drill_id: str, indent: str
) -> None:
    """Every line after the first expression for the derivative written as ``= expression``:
    the derivation reads as right as it is written in the deck."""
    card = LIBRARY.cards[drill_id]
    lines = list(card.derivation or ())
    assert check_steps(problem_of(card), lines).verdict == "correct"
    seen = False
    written = []
    for line in lines:
        bare = _bare(line)
        if bare is not None and seen:
            written.append(f"{indent}= {bare}")
            continue
        seen = seen or bare is not None
        written.append(line)
    assert any(w.lstrip().startswith("=") for w in written) or len(lines) == 1
    result = check_steps(problem_of(card), written)
    assert result.verdict == "correct", (written, result.message)


@settings(max_examples=40, deadline=None)
@given(drill_id=st.sampled_from(DRILLS))
def test_a_continued_line_with_a_slip_is_wrong_at_that_line(drill_id: str) -> None:
    """``= -(right expression)`` after a right line: the first wrong step is that line."""
    card = LIBRARY.cards[drill_id]
    lines = list(card.derivation or ())
    last = _bare(lines[-1])
    assert last is not None
    derivation = [*lines, f"    = -({last})"]
    result = check_steps(problem_of(card), derivation)
    assert result.verdict == "incorrect", result.message
    assert result.first_wrong == len(derivation)


def test_the_cli_reads_a_derivation_laid_out_as_on_paper(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "steps.txt"
    path.write_text("dL/dyhat = 2*(yhat - y)\n         = 2*yhat - 2*y\n", encoding="utf-8")
    assert main(["check", "--steps", "grad-mse", str(path)]) == 0
    out = capsys.readouterr().out
    assert "= 2*yhat - 2*y\n       follows: equals the line before" in out
    assert out.rstrip().endswith("Result: correct, the last line is the derivative.")
