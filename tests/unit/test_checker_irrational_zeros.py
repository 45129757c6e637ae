"""A divisor that is 0 at a point of the domain that has no exact form (log(v) = log(2) + 1/3,
sqrt(v) = sqrt(3), softplus(z) = 1, 2^v = 3) leaves the answer without a value there: it is
never "correct", whatever function (log, sqrt, a power, exp, sigmoid, max ...) hides the zero,
under a condition or not, and a divisor that is never 0 in the domain stays correct."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quizapp.mathcheck import check_answer
from quizapp.mathcheck.cards import problem_of
from tests.shipped import shipped_library

DRILLS = {c.id: c for c in shipped_library().of_kind("gradient_drill")}
RIGHT = "(mu - y)/v"  # bgrad-gaussian-mean: v is a positive variance, mu and y are real

# f(v) - f(c) is 0 at v = c, for c > 0 not a rational number's exact image under f.
FUNCTIONS = ["log({})", "sqrt({})", "log2({})", "log10({})", "{}^0.5", "{}^1.5", "exp({})"]
FUNCTIONS += ["sigmoid({})", "tanh({}/3)", "softplus({})", "log(1 + {})", "2^{}", "({0})^({0})"]


def verdict(drill: str, answer: str) -> tuple[str, str]:
    v = check_answer(problem_of(DRILLS[drill]), answer, use_sympy=False)
    return v.verdict, v.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    f=st.sampled_from(FUNCTIONS),
    root=st.sampled_from(["sqrt(2)", "sqrt(3)", "sqrt(1.3)", "exp(0.3)", "log(5)", "log(7)/2"]),
    where=st.sampled_from(["{r}*{d}/{d}", "{r}/{d}*{d}", "{r}*{d}^-1*{d}", "{r}*({d})^2/{d}^2"]),
    guarded=st.booleans(),
)
@example(f="log({})", root="sqrt(2)", where="{r}*{d}/{d}", guarded=False)
@example(f="sqrt({})", root="sqrt(2)", where="{r}*{d}/{d}", guarded=False)
def test_a_divisor_zero_at_an_irrational_point_is_never_correct(
    f: str, root: str, where: str, guarded: bool
) -> None:
    d = f"({f.format('v')} - {f.format(f'({root})')})"
    answer = where.format(r=f"({RIGHT})", d=d)
    if guarded:  # the division sits in the branch the answer takes at the zero
        answer = f"{RIGHT} if mu > 1000 else {answer}"
    result, message = verdict("bgrad-gaussian-mean", answer)
    # "unchecked" (the zero has no exact form), never "correct"; when the prover shows the
    # answer equal to the derivative elsewhere, the message names the divisor's zero.
    assert result == "unchecked", message
    if where == "{r}*{d}/{d}":
        assert "has no value where" in message and "which happens in the domain (near" in message


@pytest.mark.parametrize(
    ("drill", "answer"),
    [
        ("grad-bce-logit", "(p - y)*(softplus(z) - 1)/(softplus(z) - 1)"),
        ("grad-bce-logit", "(p - y)*(log(1 + exp(z)) - 1)/(log(1 + exp(z)) - 1)"),
        ("grad-mse", "2*(yhat - y)*(log(yhat^2 + 2) - log(3))/(log(yhat^2 + 2) - log(3))"),
        ("grad-mse", "2*(yhat - y)*(sqrt(yhat^2 + 1) - 2)/(sqrt(yhat^2 + 1) - 2)"),
        ("grad-mse", "2*(yhat - y)*(2^yhat - 3)/(2^yhat - 3)"),
        ("grad-mse", "2*(yhat - y)*(max(yhat, y) - sqrt(3))/(max(yhat, y) - sqrt(3))"),
        (
            "grad-focal-p",
            "alpha*(1-p)^gamma*(gamma*log(p)/(1-p) - 1/p)/(gamma-sqrt(2))*(gamma-sqrt(2))",
        ),
        ("grad-bce-p", "(p - y)/(p*(1 - p))*(p^2 - 0.5)/(p^2 - 0.5)"),
    ],
)
def test_irrational_zeros_of_log_sqrt_and_powers_are_found(drill: str, answer: str) -> None:
    result, message = verdict(drill, answer)
    assert result == "unchecked", message


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(f=st.sampled_from(FUNCTIONS[:-1]), shift=st.sampled_from(["1", "0.5", "sqrt(2)", "exp(1)"]))
def test_a_divisor_that_is_never_zero_in_the_domain_stays_correct(f: str, shift: str) -> None:
    # f(v^2 + 1) - f(1) + shift > 0 for v > 0 (f increasing): nothing to divide by zero.
    d = f"({f.format('(v^2 + 1)')} - {f.format('1')} + {shift})"
    result, message = verdict("bgrad-gaussian-mean", f"({RIGHT})*{d}/{d}")
    assert result == "correct", message
