"""An answer that divides by zero somewhere in the drill's domain, where the derivative has a
value, is not "correct": the derivative times d/d for a divisor d that vanishes at a point of
the domain (z/z at z = 0, (yhat - 0.123456)/(yhat - 0.123456)) is shown undefined there.

Where the derivative itself switches (MAE's sign(e) at e = 0) an answer without a value
(abs(e)/e) is still right: the derivative has no one value there either.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quizapp.mathcheck import check_answer
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.steps import check_steps
from tests.shipped import shipped_library

DRILLS = {c.id: c for c in shipped_library().of_kind("gradient_drill")}


def verdict(drill: str, answer: str) -> tuple[str, str]:
    v = check_answer(problem_of(DRILLS[drill]), answer, use_sympy=False)
    return v.verdict, v.message


@pytest.mark.parametrize(
    ("drill", "answer", "where"),
    [
        ("grad-bce-logit", "(p - y)*z/z", "z = 0 "),
        ("grad-bce-logit", "(p*z - y*z)/z", "z = 0 "),
        ("grad-bce-logit", "(p - y)*(p - 0.5)/(p - 0.5)", "z = 0 "),
        ("grad-mse", "2*(yhat - y)^2/(yhat - y)", "y = 0, yhat = 0 "),
        ("grad-mse", "2*(yhat^2 - y^2)/(yhat + y)", "y = 0, yhat = 0 "),
        ("grad-mse", "2*(yhat - y)*(yhat - 0.123456)/(yhat - 0.123456)", "yhat = 0.123456 "),
        ("grad-mse", "2*(yhat - y)*(3*yhat - 1)/(3*yhat - 1)", "yhat = 1/3 "),
        ("grad-mse", "2*(yhat - y)*(4*yhat^2 - 9)/(4*yhat^2 - 9)", "yhat = -1.5 "),
        ("grad-mse", "2*(yhat - y)*(yhat - y)^(-1)*(yhat - y)", "y = 0, yhat = 0 "),
        ("grad-mse", "2*(yhat - y) if yhat != y else 2*(yhat - y)*(yhat - y)/(yhat - y)", ""),
        ("grad-mse-batch", "2*(yhat - y)/N*(N - 3)/(N - 3)", "N = 3 "),
        ("grad-mse-batch", "2*(yhat - y)/N*(N - 1234)/(N - 1234)", "N = 1234"),
        ("fgrad-load-balancing", "alpha*E*f1*(E - 7)/(E - 7)", "E = 7"),
        ("grad-bce-p", "(p - y)*y/(y*p*(1 - p))", "y = 0, "),
        ("grad-sigmoid", "p*(1 - p)*(z - 1)/(z - 1)", "z = 1 "),
    ],
)
def test_an_answer_undefined_at_a_point_of_the_domain_is_incorrect_there(
    drill: str, answer: str, where: str
) -> None:
    result, message = verdict(drill, answer)
    assert result == "incorrect", message
    assert "undefined: a division by zero" in message
    # The point is named, the variable that makes the divisor 0 at its exact value.
    assert where.strip(", ") in message.split(" your answer")[0]


@pytest.mark.parametrize(
    ("drill", "answer"),
    [
        # the zero of the divisor is the derivative's own switch (sign(e) at e = 0)
        ("grad-mae", "abs(yhat - y)/(yhat - y)"),
        ("grad-mae", "(yhat - y)/abs(yhat - y)"),
        # the division is only in a branch where its divisor is not 0
        ("grad-huber", "yhat - y if abs(y - yhat) <= delta else delta*(yhat - y)/abs(yhat - y)"),
        # divisors that are never 0 in the domain
        ("grad-bce-p", "(p - y)/(p*(1 - p))"),
        ("grad-bce-p", "(p - y)*(2*y - 1)/((2*y - 1)*p*(1 - p))"),
        ("grad-mse-batch", "2*(yhat - y)/N*(2*N - 3)/(2*N - 3)"),
        ("grad-sigmoid", "exp(z)/(1 + exp(z))^2"),
    ],
)
def test_a_divisor_that_is_zero_nowhere_it_counts_stays_correct(drill: str, answer: str) -> None:
    result, message = verdict(drill, answer)
    assert result == "correct", message


def _dyadic(numerator: int, shift: int) -> str:
    return str(Fraction(numerator, 2**shift))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drill=st.sampled_from(["grad-mse", "grad-bce-logit", "grad-sigmoid", "grad-linear-mse-b"]),
    a=st.integers(-5, 5).filter(bool),
    b=st.integers(-8, 8),
    shift=st.integers(0, 3),
)
@example(drill="grad-bce-logit", a=1, b=0, shift=0)
def test_the_derivative_times_d_over_d_is_never_correct_when_d_vanishes_in_the_domain(
    drill: str, a: int, b: int, shift: int
) -> None:
    # d = a*x + b vanishes at x = -b/a, a point of the (real) domain of the drill's variable,
    # where the derivative has a value: the answer has none there, so it is not "correct".
    card = DRILLS[drill]
    x = card.wrt
    d = f"({a}*{x} + {_dyadic(b, shift)})"
    result, message = verdict(drill, f"({card.reference})*{d}/{d}")
    assert result == "incorrect", message
    assert "undefined: a division by zero" in message


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count=st.integers(1, 10**6), squared=st.booleans())
@example(count=1234, squared=False)
def test_a_divisor_that_vanishes_at_one_whole_count_is_found_there(
    count: int, squared: bool
) -> None:
    # Counts are sampled 1..1000 only; the divisor's zero is found exactly wherever it is.
    d = f"(N - {count})" + ("^2" if squared else "")
    result, message = verdict("grad-mse-batch", f"2*(yhat - y)/N*{d}/{d}")
    assert result == "incorrect", message
    assert f"N = {count} your answer is undefined: a division by zero" in message


def test_a_derivation_that_ends_in_such_an_answer_is_not_correct() -> None:
    derivation = check_steps(
        problem_of(DRILLS["grad-bce-logit"]), ["dL/dz = p - y", "dL/dz = (p - y)*z/z"]
    )
    assert derivation.verdict == "incorrect"
    assert "undefined: a division by zero" in derivation.message


def test_a_divisor_of_huge_nested_powers_is_searched_within_bounds() -> None:
    # ((((yhat^2 + 1)^12)^12)...)^12 at yhat = 1/2 has millions of digits: the search for a
    # zero gives such a power up (it is never 0) instead of computing it for minutes.
    from quizapp.mathcheck.deadline import deadline

    x = "(((((((yhat^2 + 1)^12)^12)^12)^12)^12)^12)"
    with deadline(60.0):  # a guard far above the bounded work, so a regression fails, not hangs
        result, message = verdict("grad-mse", f"2*(yhat - y)*{x}/{x}")
    assert result == "correct", message
    zero = "(((((((yhat - y)^12)^12)^12)^12)^12)^12)"
    with deadline(60.0):
        result, message = verdict("grad-mse", f"2*(yhat - y)*{zero}/{zero}")
    assert result == "incorrect" and "undefined: a division by zero" in message


@pytest.mark.parametrize(
    ("drill", "answer", "divisor"),
    [
        ("grad-mse", "2*(yhat - y)*(yhat^2 - 2)/(yhat^2 - 2)", "yhat^2 - 2"),
        ("grad-mse", "2*(yhat - y)*(4*y + exp(y))/(4*y + exp(y))", "4*y + exp(y)"),
        (
            "fgrad-bradley-terry",
            "-sigmoid(rl - rw)*(rw + exp(rl) + exp(rw))/(rw + exp(rl) + exp(rw))",
            "rw + exp(rl) + exp(rw)",
        ),
    ],
)
def test_a_divisor_with_a_zero_that_is_not_rational_is_never_correct(
    drill: str, answer: str, divisor: str
) -> None:
    # The zero cannot be written down exactly, so no exact counterexample: "unchecked", with
    # the divisor and roughly where, never "correct".
    result, message = verdict(drill, answer)
    assert result == "unchecked", message
    assert f"has no value where {divisor} = 0, which happens in the domain (near " in message


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drill=st.sampled_from(["grad-mse", "grad-bce-logit", "grad-sigmoid", "fgrad-l2-term"]),
    k=st.integers(2, 60).filter(lambda k: round(k ** (1 / 3)) ** 3 != k),
)
def test_the_derivative_times_d_over_d_is_never_correct_for_an_irrational_zero(
    drill: str, k: int
) -> None:
    card = DRILLS[drill]
    d = f"({card.wrt}^3 - {k})"  # zero at the cube root of k: irrational
    result, message = verdict(drill, f"({card.reference})*{d}/{d}")
    assert result != "correct", message
