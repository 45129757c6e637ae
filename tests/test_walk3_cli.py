"""What the fifth newcomer walkthrough (walker3) found in the shell, as the learner runs it."""

from __future__ import annotations

import pytest

from tests.helpers import run_quizapp


@pytest.mark.parametrize("option", ["--retention", "--new-per-day", "--interview-date"])
def test_a_huge_setting_value_is_refused_in_one_short_line(option: str) -> None:
    """`quizapp settings --retention 999...` (400 digits, a paste gone wrong) printed all 400
    digits back in its one line of error."""
    done = run_quizapp("settings", option, "9" * 400)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert len(done.stderr) < 160, done.stderr
    assert "999…" in done.stderr  # the start of what was typed, cut where it was cut
