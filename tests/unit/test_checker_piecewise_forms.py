"""Right piecewise answers written another way (clip, min/max of a ratio, step of exp, a condition
on exp) are proved correct, not left "unchecked"; the same forms with a threshold, a ratio or a
sign slightly off are refused."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from quizapp.mathcheck import check_answer
from quizapp.mathcheck.cards import problem_of
from tests.shipped import shipped_library

DRILLS = {c.id: c for c in shipped_library().of_kind("gradient_drill")}


def verdict(drill: str, answer: str) -> tuple[str, str]:
    v = check_answer(problem_of(DRILLS[drill]), answer, use_sympy=False)
    return v.verdict, v.message


@pytest.mark.parametrize(
    ("drill", "answer"),
    [
        ("bgrad-smooth-l1", "clip((x - y)/beta, -1, 1)"),
        ("bgrad-smooth-l1", "max(-1, min(1, (x - y)/beta))"),
        ("bgrad-smooth-l1", "sign(x - y)*min(abs(x - y)/beta, 1)"),
        ("fgrad-min-snr", "2*min(1, g/s)*(q - e)"),
        ("fgrad-min-snr", "-2*(e - q)*min(1, g/s)"),
        ("fgrad-ppo-positive", "0 if exp(l - l0) > 1 + eps else -A*exp(l - l0)"),
        ("fgrad-ppo-positive", "-A*exp(l - l0)*step(1 + eps - exp(l - l0))"),
        ("fgrad-ppo-negative", "B*exp(l - l0)*step(exp(l - l0) - (1 - eps))"),
    ],
)
def test_right_piecewise_forms_are_proved(drill: str, answer: str) -> None:
    result, message = verdict(drill, answer)
    assert result == "correct", message
    assert "proved" in message


def _near(k: Fraction) -> str:
    return f"({k.numerator}/{k.denominator})"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    k=st.fractions(min_value=Fraction(1, 4), max_value=4, max_denominator=16),
    form=st.sampled_from(["2*min({k}, g/s)*(q - e)", "2*min(1, {k}*g/s)*(q - e)"]),
)
@example(k=Fraction(1), form="2*min({k}, g/s)*(q - e)")
def test_a_min_of_a_ratio_is_right_only_at_the_right_threshold(k: Fraction, form: str) -> None:
    result, message = verdict("fgrad-min-snr", form.format(k=_near(k)))
    if k == 1:
        assert result == "correct", message
    else:
        assert result == "incorrect", message


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lo=st.fractions(min_value=-2, max_value=0, max_denominator=8),
    hi=st.fractions(min_value=Fraction(1, 2), max_value=2, max_denominator=8),
)
@example(lo=Fraction(-1), hi=Fraction(1))
def test_a_clip_is_right_only_between_minus_one_and_one(lo: Fraction, hi: Fraction) -> None:
    result, message = verdict("bgrad-smooth-l1", f"clip((x - y)/beta, {_near(lo)}, {_near(hi)})")
    if (lo, hi) == (-1, 1):
        assert result == "correct", message
    else:
        assert result == "incorrect", message


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=st.fractions(min_value=Fraction(1, 2), max_value=2, max_denominator=8))
@example(c=Fraction(1))
def test_a_condition_on_exp_is_right_only_at_the_clip_edge(c: Fraction) -> None:
    answer = f"0 if exp(l - l0) > 1 + {_near(c)}*eps else -A*exp(l - l0)"
    result, message = verdict("fgrad-ppo-positive", answer)
    if c == 1:
        assert result == "correct", message
    else:
        assert result == "incorrect", message
