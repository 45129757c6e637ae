"""Hostile and garbage input: nothing a learner types runs code, hangs, or escapes as anything but
a one-line message."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.mathcheck import Checker, ParseError, Problem, check_answer, parse, preview_answer
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.numeric import evaluate_number
from quizapp.mathcheck.parser import MAX_LENGTH, to_text
from tests.shipped import shipped_library

CONTENT = Path(__file__).resolve().parents[2] / "content"
CANARY_NAME = "quizapp-canary-file"


def hostile_inputs(canary: Path) -> list[str]:
    touch = f"touch {canary}"
    return [
        f"__import__('os').system('{touch}')",
        f'__import__("os").system("{touch}")',
        f"exec(\"open('{canary}', 'w')\")",
        f'eval(\'__import__("os").system("{touch}")\')',
        f"open('{canary}', 'w').write('x')",
        "().__class__.__bases__[0].__subclasses__()",
        "y.__class__.__mro__",
        "yhat.__dict__",
        "__builtins__",
        "getattr(y, '__class__')",
        "lambda: 0",
        "(lambda x: x)(y)",
        "[x for x in range(10**9)]",
        "{y: 1 for y in (1, 2)}",
        "'2*(yhat - y)'",
        'f"{2*(yhat - y)}"',
        "import os",
        "y; import os",
        "9**9**9**9",
        "((9**9)**9999)**9999",
        "2 ** -99999",
        "y^1e9",
        "10!",
        "factorial(100)",
        "integrate(y, y)",
        "(" * 500 + "y" + ")" * 500,
        "(" * 40 + "y" + ")" * 40,
        "-" * 60 + "y",
        "y" * 100_000,
        "2*(yhat - y)\x00",
        "2*(yhat\u200b - y)",
        "2*(yhat - y)\u202e",
        "2*(уhat - y)",  # Cyrillic у
        "2*(yhat - ỿ)",
        "1/0",
        "log(0)",
        "sqrt(-1)",
        "nan",
        "oo",
        "inf",
        "1e999",
        "0x1F",
        "y @ y",
        "y // 2",
        "y % 2",
        "\\frac{1}{2}",
        "yhat if True else y",
        "max(y)",
        "",
        "   ",
    ]


# Legal expressions that are heavy or silly: they must finish and never be marked "correct".
HEAVY_BUT_LEGAL = [
    "exp(exp(exp(exp(exp(exp(exp(yhat)))))))",
    "(((((yhat + y)^12)^12)^12)^12)^12",
    "((((((((((yhat^12)^12)^12)^12)^12)^12)^12)^12)^12)^12)",
    "sqrt(sqrt(sqrt(sqrt(sqrt(sqrt(sqrt(sqrt(sqrt(sqrt(y))))))))))",
    "999999^12*999999^12*999999^12*999999^12*999999^12*yhat",
    "2*(yhat - y) + 0*log(-abs(y) - 1)",
]


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("canary") / CANARY_NAME


@pytest.fixture(scope="module")
def mse() -> Problem:
    library = shipped_library()
    return problem_of(library.cards["grad-mse"])


@pytest.fixture(scope="module")
def checker(mse: Problem) -> Iterator[Checker]:
    with Checker([mse]) as c:
        c.warm_up(sympy=True)
        yield c


def test_there_are_at_least_thirty_hostile_inputs(canary: Path) -> None:
    assert len(hostile_inputs(canary)) >= 30


def test_hostile_inputs_are_refused_with_one_clear_line_and_run_nothing(
    checker: Checker, canary: Path
) -> None:
    for text in hostile_inputs(canary):
        started = time.monotonic()
        verdict = checker.check("grad-mse", text)
        elapsed = time.monotonic() - started
        assert verdict.verdict == "invalid", (text[:60], verdict)
        assert verdict.message and "\n" not in verdict.message and len(verdict.message) < 200
        assert "Traceback" not in verdict.message
        assert elapsed < 2.5, (text[:60], elapsed)
        preview = checker.preview("grad-mse", text)
        assert not preview.ok and preview.error == verdict.message
    assert not canary.exists()


def test_hostile_inputs_in_process_too(mse: Problem, canary: Path) -> None:
    for text in hostile_inputs(canary):
        assert check_answer(mse, text).verdict == "invalid", text[:60]
    assert not canary.exists()


def test_heavy_legal_input_finishes_and_is_never_marked_correct(checker: Checker) -> None:
    for text in HEAVY_BUT_LEGAL:
        started = time.monotonic()
        verdict = checker.check("grad-mse", text, explain=True)
        preview = checker.preview("grad-mse", text)
        assert time.monotonic() - started < 2.5 * 2, text  # a check and a preview, 2 s limit each
        assert verdict.verdict in ("incorrect", "unchecked", "invalid"), (text, verdict)
        assert preview.ok or (preview.error and preview.error == verdict.message), text
    assert checker.check("grad-mse", "2*(yhat - y)").verdict == "correct"


def test_messages_point_at_the_problem_and_suggest_a_fix(mse: Problem) -> None:
    cases = {
        "2*(yhta - y)": "unknown name 'yhta' (did you mean 'yhat'?)",
        "integrate(y)": "'integrate' is not an allowed function; allowed: abs, clip, exp",
        "2 3": "put an operator between '2' and '3'",
        "1/0": "1/0 is infinite",
        "log(-1)": "log(-1) is undefined",
        "y/(1 - 1)": "division by zero",
        "log(y, 10)": "for base 10 write log10(x)",
        "2*(yhat - y": "expected ')' to close '('",
        "yhat - y = 0": "type only the right-hand side",
        "y-haat": "did you mean 'yhat'",
        "y" * (MAX_LENGTH + 1): f"at most {MAX_LENGTH}",
    }
    for text, expected in cases.items():
        verdict = check_answer(mse, text)
        assert verdict.verdict == "invalid"
        assert expected in verdict.message, (text, verdict.message)
    assert check_answer(mse, "2*(yhta - y)").column == 4
    # A constant condition is odd but meaningful; only constant values can be undefined.
    assert check_answer(mse, "2*(yhat - y) if 1 < 2 else 0").verdict == "correct"
    assert "log(0) is infinite" in check_answer(mse, "y if log(0) < 1 else 0").message


def test_friendly_unicode_and_implicit_products_are_read_and_shown(mse: Problem) -> None:
    preview = preview_answer(mse, "2ŷ − 2·y")
    assert preview.ok
    assert preview.explicit == "2*yhat - 2*y"
    assert any("'*' was added" in note for note in preview.notes)
    assert "ŷ" in preview.pretty and preview.variables == ("y", "ŷ")
    assert check_answer(mse, "2(ŷ − y)¹").verdict == "correct"


# --------------------------------------------------------------------------- properties

_PIECES = [
    *"0123456789.+-*/^()|, eyhatpqzxsiglnmbcdwrfkqu_<>=!'\"[]{}",
    *(" if ", " else ", " and ", "**", "exp(", "log(", "sqrt(", "max(", "clip(", "σ", "ŷ", "²"),
]
_MATHY = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)
_ANY = st.text(max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_MATHY, _ANY))
def test_random_text_raises_nothing_but_parse_error(text: str) -> None:
    try:
        parsed = parse(text, ("y", "yhat", "e"))
    except ParseError as exc:
        assert exc.message and "\n" not in exc.describe()
        return
    # Whatever parses re-parses to the same tree from its explicit form.
    assert parse(to_text(parsed.tree), ("y", "yhat", "e")).tree == parsed.tree


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_MATHY, _ANY))
def test_random_text_always_gets_a_verdict(mse: Problem, text: str) -> None:
    verdict = check_answer(mse, text)
    assert verdict.verdict in ("correct", "incorrect", "invalid", "unchecked")
    assert verdict.message and "\n" not in verdict.message


@settings(max_examples=150, deadline=None)
@given(_MATHY)
def test_numeric_answers_are_a_finite_number_or_a_parse_error(text: str) -> None:
    try:
        value = evaluate_number(text)
    except ParseError:
        return
    assert value == value and abs(value) != float("inf")
