"""A derivation's helper may not take the name of a function or keyword of the answer syntax:
after "exp = 0" the line "p - y + exp(z)" was read as p - y + 0*z and marked correct, though it
says something else to anyone reading it. Such a definition is an invalid line, and a later line
means what it says (the same verdict as typed alone)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.mathcheck import check_answer
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.parser import FUNCTION_ALIASES, FUNCTIONS, KEYWORDS
from quizapp.mathcheck.steps import check_steps
from tests.shipped import shipped_library

PROBLEM = problem_of(
    next(c for c in shipped_library().of_kind("gradient_drill") if c.id == "grad-bce-logit")
)
CALLS = {1: "{f}(z)", 2: "{f}(z, 1)", 3: "{f}(z, 0, 1)"}


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(sorted(FUNCTIONS) + sorted(FUNCTION_ALIASES)),
    value=st.sampled_from(["0", "1", "z", "p"]),
)
def test_a_helper_named_like_a_function_is_refused_and_the_call_keeps_its_meaning(
    name: str, value: str
) -> None:
    func = FUNCTION_ALIASES.get(name, name)
    last = "p - y + " + CALLS[FUNCTIONS[func]].format(f=name)
    derivation = check_steps(PROBLEM, [f"{name} = {value}", last])
    first, _ = derivation.steps
    assert first.status == "invalid"
    assert f"{name} is a function or keyword" in first.message
    alone = check_answer(PROBLEM, last)
    assert derivation.verdict == alone.verdict != "correct"


def test_a_helper_named_like_a_keyword_is_refused() -> None:
    for word in sorted(KEYWORDS):
        derivation = check_steps(PROBLEM, [f"{word} = 0", "p - y"])
        assert derivation.steps[0].status == "invalid", word
        assert derivation.verdict == "correct"  # the answer itself is right


def test_an_ordinary_helper_still_works() -> None:
    derivation = check_steps(PROBLEM, ["u = p - y", "dL/dz = u"])
    assert [s.status for s in derivation.steps] == ["definition", "follows"]
    assert derivation.verdict == "correct"
