"""The prover's exact fast path (no sympy): what it proves is true, what it cannot show it
leaves to sympy, and a check gives the same verdict whichever path proved it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.mathcheck import check_answer
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.certify import expanded
from quizapp.mathcheck.exact import differs_at
from quizapp.mathcheck.fastprove import fast_prove
from quizapp.mathcheck.parser import parse
from quizapp.mathcheck.problem import compile_problem
from quizapp.mathcheck.prove import prove
from tests.shipped import shipped_library
from tests.unit.adversarial_corpus import corpus as adversarial_corpus
from tests.unit.gradient_corpus import CORPUS

CONTENT = Path(__file__).resolve().parents[2] / "content"
DOMAINS = (("x", "real"), ("p", "prob"), ("w", "positive"), ("N", "count"), ("y", "binary"))
NAMES = tuple(name for name, _ in DOMAINS)
POINTS = [
    {"x": x, "p": p, "w": w, "N": n, "y": y}
    for x, p, w, n, y in [
        (-3.5, 0.01, 0.05, 1, 0),
        (-0.7, 0.37, 1.7, 2, 1),
        (0.3, 0.93, 2.5, 3, 0),
        (2.2, 0.5, 0.4, 7, 1),
        (1.1, 0.2, 3.0, 1, 1),
        (-2.0, 0.99, 0.7, 2, 0),
    ]
]


def _fast(answer: str, reference: str, domains: tuple[tuple[str, str], ...] = DOMAINS) -> bool:
    names = tuple(name for name, _ in domains)
    tree = parse(answer, names).tree
    return fast_prove(domains, tree, parse(reference, names).tree) is not None


# --------------------------------------------------------------------------- random pairs

_LEAVES = st.sampled_from(["x", "p", "w", "N", "y", "2", "3", "1/3", "0.5", "1e-30"])
_POSITIVE = st.sampled_from(["p", "w", "N", "(1 - p)", "exp(x)", "sigmoid(x)", "w*p", "2"])


def _grow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    pair = st.tuples(children, children)
    return st.one_of(
        pair.map(lambda t: f"({t[0]} + {t[1]})"),
        pair.map(lambda t: f"({t[0]} - {t[1]})"),
        pair.map(lambda t: f"({t[0]})*({t[1]})"),
        pair.map(lambda t: f"({t[0]})/({t[1]})"),
        children.map(lambda a: f"exp({a})"),
        children.map(lambda a: f"sigmoid({a})"),
        children.map(lambda a: f"tanh({a})"),
        st.tuples(children, st.integers(-2, 3)).map(lambda t: f"({t[0]})^{t[1]}"),
        st.tuples(_POSITIVE, children).map(lambda t: f"({t[0]})^({t[1]})"),
        _POSITIVE.map(lambda a: f"log({a})"),
        children.map(lambda a: f"log({a})"),  # maybe not positive: must not be proved blindly
        children.map(lambda a: f"sqrt({a})"),
    )


_EXPRESSIONS = st.recursive(_LEAVES, _grow, max_leaves=5)

# Rewrites of one expression: (how to turn A into B); some true, some false on the domain.
_REWRITES = [
    lambda a: f"1/(1 + exp(-({a})))",  # sigmoid(A): true only when A was sigmoid's argument
    lambda a: f"({a})*(1 + 1e-12)",
    lambda a: f"({a}) + 1e-200*1e-200",
    lambda a: f"exp(log({a}))",  # A only where A > 0
    lambda a: f"log(exp({a}))",  # A everywhere
    lambda a: f"({a})^2/({a})",  # A except where A = 0
    lambda a: f"sqrt(({a})^2)",  # |A|
    lambda a: f"({a})*(N - 1)/(N - 1)",  # undefined at N = 1
    lambda a: f"({a})*exp(x)*exp(-x)",
    lambda a: f"2*log(sqrt({a}))",  # log(A) only where A > 0
    lambda a: f"tanh({a})*(1 + exp(-2*({a})))/(1 - exp(-2*({a})))",
    lambda a: f"max({a}, 0) + min({a}, 0)",  # A
    lambda a: f"abs({a})",  # A only where A >= 0
    lambda a: f"({a}) if x > 1 else ({a}) + 1e-9",
    lambda a: f"clip({a}, -w, w)",  # A only where |A| <= w
    lambda a: f"({a})*sign(x - 0.777)^2",  # A except on x = 0.777 (which must be checked)
    lambda a: f"({a})*(1 + step(x - 2)*step(2 - x))",  # 2A on x = 2 only
]


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(a=_EXPRESSIONS, rewrite=st.sampled_from(range(len(_REWRITES))), swap=st.booleans())
def test_whatever_the_fast_path_proves_is_true_at_every_point_in_high_precision(
    a: str, rewrite: int, swap: bool
) -> None:
    b = _REWRITES[rewrite](a)
    answer, reference = (a, b) if swap else (b, a)
    try:
        answer_tree = parse(answer, NAMES).tree
        reference_tree = parse(reference, NAMES).tree
    except ValueError:
        return  # the parser refuses it (a number too large): nothing to prove
    if fast_prove(DOMAINS, answer_tree, reference_tree) is None:
        return
    for point in POINTS:
        # Where the derivative has a value the answer must have the same one (or no value only
        # on a set of measure zero, never met by these points).
        assert differs_at(answer_tree, reference_tree, point) is not True, (answer, point)


# --------------------------------------------------------------------------- examples


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        ("sigmoid(x) - y", "exp(x)/(1 + exp(x)) - y"),
        ("1 - sigmoid(-x)", "sigmoid(x)"),
        ("(p - y)/(p - p^2)", "(p - y)/(p*(1 - p))"),
        ("(1 - p)^(w - 1)*(w*log(p) - (1 - p)/p)", "w*(1 - p)^(w - 1)*log(p) - (1 - p)^w/p"),
        ("log(w*p)", "log(w) + log(p)"),
        ("exp(2*x)", "exp(x)^2"),
        ("tanh(x)", "(exp(2*x) - 1)/(exp(2*x) + 1)"),
        ("2*x/N", "x/N + x/N"),
        ("-w*sigmoid(-x) if y == 1 else sigmoid(x)", "(1 - y)*sigmoid(x) - y*w*(1 - sigmoid(x))"),
        ("2*x + 1e-200*1e-200*1e6^12*1e6^12 - 1e-200*1e-56", "2*x"),
        ("x/abs(x)", "sign(x)"),  # 0 = 0 is not compared: x = 0 is the derivative's own kink
        ("max(x, 0)", "x*step(x)"),
        ("clip(x, -w, w)", "x if abs(x) <= w else w*sign(x)"),
        ("-y*step(1 - y*x)", "-y if y*x < 1 else 0"),
    ],
)
def test_the_natural_equal_forms_are_proved_without_sympy(answer: str, reference: str) -> None:
    assert _fast(answer, reference)


@pytest.mark.parametrize(
    ("answer", "reference"),
    [
        ("2*x + 1e-200*1e-200*1e6^12*1e6^12*1e6^12", "2*x"),  # adds 1e-40*1e... : not 0
        ("log(x^2)", "2*log(x)"),  # x may be negative: log of what may be negative
        ("log(x)", "log(x)"),  # the answer's log of a real: no value for x < 0
        ("2*x*(N - 1)/(N - 1)", "2*x"),  # undefined at N = 1, a whole value of a count
        ("sqrt(x^2)", "x"),
        ("abs(x)", "x"),  # wrong where x < 0
        ("x*sign(x - 0.777)^2", "x"),  # wrong at the single point x = 0.777
        ("x + 5*step(1 - (1000*x - 7000)^2)", "x"),  # a sliver: its boundary is not linear
        ("abs(x^2 - 1)", "x^2 - 1"),  # a switch whose boundary is not linear: sympy's
        ("x if N > 3 else 0", "x"),  # a condition on a count: sympy's
        ("x*(1 + 1e-12)", "x"),
        ("x/(y - 1)", "x"),  # y = 1 divides by zero on a whole case
    ],
)
def test_what_is_not_shown_equal_is_left_to_sympy(answer: str, reference: str) -> None:
    assert not _fast(answer, reference)


@pytest.fixture(scope="module")
def library():  # type: ignore[no-untyped-def]
    return shipped_library()


def test_no_answer_built_to_pass_is_proved_by_the_fast_path(library) -> None:  # type: ignore[no-untyped-def]
    cards = {c.id: c for c in library.of_kind("gradient_drill")}
    for drill, answers in adversarial_corpus(cards).items():
        problem = problem_of(cards[drill])
        c = compile_problem(problem)
        for answer in answers:
            try:
                tree = expanded(c, problem.parse(answer).tree)
            except ValueError:
                continue
            assert fast_prove(problem.domains, tree, c.reference_expanded) is None, answer


def test_most_right_answers_of_the_corpus_are_proved_without_sympy(library) -> None:  # type: ignore[no-untyped-def]
    cards = {c.id: c for c in library.of_kind("gradient_drill")}
    proved = switched = 0
    for drill, (right, _wrong) in CORPUS.items():
        problem = problem_of(cards[drill])
        c = compile_problem(problem)
        for answer in right:
            tree = expanded(c, problem.parse(answer).tree)
            if fast_prove(problem.domains, tree, c.reference_expanded) is not None:
                proved += 1
            else:
                full = prove(problem.domains, tree, c.reference_expanded)
                assert full.proved, answer  # sympy still proves what the fast path leaves
                switched += 1
    # Every right answer of the corpus, with its switches on linear boundaries, is proved on
    # the fast path (sympy stays the fallback for the others).
    assert proved >= 90 and switched <= 3


def test_a_fast_proof_shows_the_form_both_sides_reduce_to_in_each_case(library) -> None:  # type: ignore[no-untyped-def]
    problem = problem_of(library.cards["grad-bce-logit"])
    verdict = check_answer(problem, "sigmoid(z) - y")
    assert verdict.verdict == "correct"
    assert verdict.message.startswith("Correct — proved: in each case (y = 0, y = 1)")
    assert any(line.startswith("when y = 0, both reduce to:") for line in verdict.proof)
    assert any("exp(-z)" in line or "exp(z)" in line for line in verdict.proof)
    assert any(line.startswith("region: y = 1: everywhere") for line in verdict.proof)
