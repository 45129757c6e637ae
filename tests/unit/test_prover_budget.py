"""The prover's work is bounded by sizes, never decided by the clock.

Two answers that once kept sympy busy for seconds to minutes (until the worker's deadline cut
them off, and the clock became the "reason" of the verdict):

- a nested power, ((yhat + c*y)^12 + d*y)^12: no exponent exceeds 12, but multiplied out it has
  degree 144 and ~10^4 terms with ~900-digit coefficients; a product of powers of sums,
  (e1 + e2 + e3 + w)^12*(e1 - e2 + w)^12: degree 24 only, but ~40000 terms to collect;
- a tiny constant, sign((p - 0.5)*z + 1e-300)^2: factoring a polynomial with a 300-digit
  coefficient spends seconds proving huge numbers prime.

Each now gets its verdict from the sizes: the first "a power too high to expand"; the second is
never handed to sympy's factor with such a number. A deadline that does run out is the worker's
"took longer than ...", never swallowed as a reason of the proof.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.certify import expanded
from quizapp.mathcheck.deadline import DeadlineExceeded, deadline
from quizapp.mathcheck.problem import compile_problem
from quizapp.mathcheck.prove import prove
from quizapp.mathcheck.witness import MAX_BITS
from tests.shipped import shipped_library

DRILLS = {c.id: c for c in shipped_library().of_kind("gradient_drill")}
# Far more than the bounded work needs; before the bounds these ran into it (and the test
# failed on the reason), instead of hanging the suite.
GUARD_SECONDS = 60.0


def _prove(drill: str, answer: str) -> str:
    problem = problem_of(DRILLS[drill])
    c = compile_problem(problem)
    tree = expanded(c, problem.parse(answer).tree)
    with deadline(GUARD_SECONDS):
        proof = prove(problem.domains, tree, c.reference_expanded)
    assert not proof.proved
    return proof.reason


@settings(max_examples=4, deadline=None)
@given(c=st.sampled_from(["0.123457", "0.987653", "0.31"]), d=st.sampled_from(["0.77", "0.5"]))
def test_a_power_of_a_power_too_high_to_multiply_out_is_refused_by_its_size(c: str, d: str) -> None:
    inner = f"(yhat + {c}*y)^12"
    answer = f"2*(yhat - y) + ({inner} + {d}*y)^12 - ({inner} + 0.25*y)^12"
    assert _prove("grad-mse", answer) == "a power too high to expand"


@pytest.mark.parametrize(
    ("drill", "answer"),
    [
        (
            "fgrad-z-loss",
            "2*w*lz*p1 + (exp(z1)+exp(z2)+exp(z3)+w)^12*(exp(z1)-exp(z2)+w)^12"
            " - (exp(z1)+exp(z2)+exp(z3)+w)^12*(exp(z1)-exp(z2)+w)^12*(1+1e-200)",
        ),
        (
            "fgrad-dpo-chosen",
            "-beta*sigmoid(-beta*h) + ((a+c+a0+c0+beta)^12)^4 - ((a+c+a0+c0+beta)^12)^4*(1+1e-300)",
        ),
    ],
)
def test_a_product_of_powers_with_too_many_terms_is_refused_by_its_size(
    drill: str, answer: str
) -> None:
    assert _prove(drill, answer) == "a power too high to expand"


def test_factor_is_never_given_a_number_of_hundreds_of_digits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sympy

    sizes: list[int] = []
    real_factor = sympy.factor

    def spy(expr, *args, **kwargs):  # type: ignore[no-untyped-def]
        sizes.extend(max(abs(int(r.p)), int(r.q)).bit_length() for r in expr.atoms(sympy.Rational))
        return real_factor(expr, *args, **kwargs)

    monkeypatch.setattr(sympy, "factor", spy)
    for tiny in ("1e-300", "1e-300*1e-300*1e-300"):
        reason = _prove("grad-sigmoid", f"p*(1-p)*sign((p - 0.5)*z + {tiny})^2")
        assert "DeadlineExceeded" not in reason
    assert all(size <= MAX_BITS for size in sizes), max(sizes)


def test_a_deadline_that_runs_out_is_not_a_reason_of_the_proof(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The deadline interrupts sympy wherever it is; the prover's guard against sympy's own
    # errors must let it through (the worker then says "took longer than ..."), not return
    # "sympy could not handle it (DeadlineExceeded)" and carry on past the limit.
    import quizapp.mathcheck.prove as prover

    def out_of_time(*args: object) -> None:
        raise DeadlineExceeded("took longer than 8 s")

    monkeypatch.setattr(prover, "_prove", out_of_time)
    problem = problem_of(DRILLS["grad-mse"])
    c = compile_problem(problem)
    tree = expanded(c, problem.parse("2*(yhat - y)*sign(yhat^2 - 2)^2").tree)
    with pytest.raises(DeadlineExceeded):
        prove(problem.domains, tree, c.reference_expanded)
