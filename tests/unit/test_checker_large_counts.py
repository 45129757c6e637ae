"""Counts are sampled 1 to 1000 only; an answer wrong at a larger whole count is still found:
a divisor exactly 0 at a count under a log or a square root (log(N) - log(5000), sqrt(N) - 100)
leaves the answer undefined there, and a switch on a count beyond the samples (N < 100000,
step(N - 5000)) is tried on both sides. A divisor whose zero is between two counts stays
correct."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quizapp.mathcheck import check_answer
from quizapp.mathcheck.cards import problem_of
from tests.shipped import shipped_library

DRILLS = {c.id: c for c in shipped_library().of_kind("gradient_drill")}
RIGHT = "2*(yhat - y)/N"  # grad-mse-batch: N is a count


def verdict(answer: str, drill: str = "grad-mse-batch") -> tuple[str, str]:
    v = check_answer(problem_of(DRILLS[drill]), answer, use_sympy=False)
    return v.verdict, v.message


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(k=st.integers(1001, 10**6), f=st.sampled_from(["log({})", "log2({})", "log10({})"]))
@example(k=5000, f="log({})")
def test_a_divisor_zero_at_a_large_count_under_a_log_is_incorrect_there(k: int, f: str) -> None:
    d = f"({f.format('N')} - {f.format(k)})"
    result, message = verdict(f"{RIGHT}*{d}/{d}")
    assert result == "incorrect", message
    assert f"N = {k} your answer is undefined: a division by zero" in message


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(m=st.integers(32, 1000))
@example(m=100)
def test_a_divisor_zero_at_a_square_count_is_incorrect_there(m: int) -> None:
    d = f"(sqrt(N) - {m})"
    result, message = verdict(f"{RIGHT}*{d}/{d}")
    assert result == "incorrect", message
    assert f"N = {m * m} your answer is undefined" in message


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(k=st.integers(1001, 10**6 - 1))
def test_a_divisor_zero_between_two_counts_stays_correct(k: int) -> None:
    d = f"(log(N) - log({k}.5))"
    result, message = verdict(f"{RIGHT}*{d}/{d}")
    assert result == "correct", message


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    k=st.integers(1001, 10**6 - 1),
    form=st.sampled_from(
        [
            "{r} if N < {k} else 0",
            "{r} if N <= {k} else 2*(y - yhat)/N",
            "{r} + step(N - {k})",
            "{r} + max(0, N - {k})",
            "{r}*(1 + step(N - {k}.5))",
        ]
    ),
)
@example(k=100000, form="{r} if N < {k} else 0")
def test_a_switch_on_a_count_beyond_the_test_points_is_a_counterexample(k: int, form: str) -> None:
    result, message = verdict(form.format(r=RIGHT, k=k))
    assert result == "incorrect", message
    # the point named is a whole count at or beyond the switch, past every test point
    count = int(message.split("N = ")[1].split(" ")[0])
    assert count >= k


def test_the_load_balancing_drill_counts_experts_beyond_a_thousand() -> None:
    result, message = verdict("alpha*E*f1 if E < 10^6 else 0", drill="fgrad-load-balancing")
    assert result == "incorrect", message
    assert "E = 1000000" in message
