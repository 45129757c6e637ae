"""How the checker reads and explains answers a learner really types (issue 10, smaller things)."""

from __future__ import annotations

import pytest

from quizapp.mathcheck import check_answer, parse
from quizapp.mathcheck.cards import problem_of
from tests.shipped import shipped_library

DRILLS = {c.id: c for c in shipped_library().of_kind("gradient_drill")}


def test_greek_letters_written_together_are_a_product_with_a_note() -> None:
    # Exactly as the focal-loss drill's own derivation prints the answer.
    verdict = check_answer(problem_of(DRILLS["grad-focal-p"]), "αγ(1−p)^(γ−1) ln(p) − α(1−p)^γ/p")
    assert verdict.verdict == "correct"
    assert verdict.interpreted is not None and verdict.interpreted.startswith("alpha*gamma*(1 - p)")
    assert any("a '*' was added" in note for note in verdict.notes)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("αγ", "alpha*gamma"),
        ("2δε", "2*delta*eps"),
        ("σ(z)(1 − σ(z))", "sigmoid(z)*(1 - sigmoid(z))"),
    ],
)
def test_greek_runs_read_as_products(typed: str, read: str) -> None:
    names = ("alpha", "gamma", "delta", "eps", "z")
    assert parse(typed, names).explicit() == read


def test_heaviside_is_step() -> None:
    hinge = problem_of(DRILLS["grad-hinge"])
    assert check_answer(hinge, "-y*Heaviside(1 - y*s)").verdict == "correct"
    assert check_answer(hinge, "-y*heaviside(1 - y*s)").interpreted == "-y*step(1 - y*s)"


def test_an_overflowing_answer_is_unchecked_and_says_so() -> None:
    verdict = check_answer(problem_of(DRILLS["grad-mse"]), "exp(exp(exp(exp(yhat))))")
    assert verdict.verdict == "unchecked"
    assert "overflows" in verdict.message and "division by zero" not in verdict.message


def test_the_square_root_of_a_negative_is_named() -> None:
    mse = problem_of(DRILLS["grad-mse"])
    constant = check_answer(mse, "2*(yhat - y) + sqrt(-1)")
    assert constant.verdict == "invalid"
    assert "square root of a negative number" in constant.message
    varying = check_answer(mse, "2*sqrt(yhat - y)")
    assert varying.verdict == "incorrect"
    assert "square root of a negative number" in varying.message


def test_a_log_of_a_negative_is_named() -> None:
    verdict = check_answer(problem_of(DRILLS["grad-mse"]), "2*(yhat - y) + 0*log(yhat)")
    assert verdict.verdict == "incorrect"
    assert "log of a negative number" in verdict.message


@pytest.mark.parametrize(
    ("drill_id", "answer", "mistake"),
    [
        ("grad-focal-p", "gamma*(1 - p)^(gamma - 1)*log(p) - (1 - p)^gamma/p", "alpha-dropped"),
        ("grad-cce-logit", "p1", "one-hot-dropped"),
        ("grad-weighted-bce-logit", "p*(w*y + 1 - y) - y", "weight-half-missing"),
        ("grad-weighted-bce-logit", "p - y", "weight-ignored"),
    ],
)
def test_new_named_mistakes(drill_id: str, answer: str, mistake: str) -> None:
    verdict = check_answer(problem_of(DRILLS[drill_id]), answer)
    assert (verdict.verdict, verdict.mistake) == ("incorrect", mistake)
    assert verdict.hint
