"""The shipped gradient drills: their content is sound and the checker grades a corpus of right
and wrong answers for each, naming the mistake, through the same worker process the app uses."""

from __future__ import annotations

import runpy
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from quizapp.commands.drill import drill_rows
from quizapp.content import load_library
from quizapp.decks.models import GradientDrill
from quizapp.mathcheck import Checker, Problem, check_answer
from quizapp.mathcheck.calculus import diff
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.domains import FRIENDLY
from quizapp.mathcheck.numeric import evaluate
from quizapp.mathcheck.problem import compile_problem, finite_difference_mismatch, sample_env
from tests.shipped import shipped_library

CONTENT = Path(__file__).resolve().parents[2] / "content"
# Loaded by path, so it works whether or not tests/unit is a package.
CORPUS = runpy.run_path(str(Path(__file__).with_name("gradient_corpus.py")))["CORPUS"]

ISSUE_IDS = {
    "grad-mse",
    "grad-mse-batch",
    "grad-mae",
    "grad-huber",
    "grad-bce-p",
    "grad-bce-logit",
    "grad-weighted-bce-logit",
    "grad-cce-logit",
    "grad-cce-logit-other",
    "grad-label-smoothing",
    "grad-hinge",
    "grad-focal-p",
    "grad-linear-mse-w",
    "grad-linear-mse-b",
    "grad-sigmoid",
}


@pytest.fixture(scope="module")
def drills() -> dict[str, GradientDrill]:
    library = shipped_library()
    assert not library.errors, library.errors[0]
    # The first deck's drills (the second deck's: test_beyond_gradient_drills.py).
    return {c.id: c for c in library.of_kind("gradient_drill") if c.deck == "loss"}  # type: ignore[misc]


@pytest.fixture(scope="module")
def checker(drills: dict[str, GradientDrill]) -> Iterator[Checker]:
    with Checker([problem_of(d) for d in drills.values()]) as c:
        yield c


def test_the_shipped_drills_are_exactly_the_fifteen_of_the_issue(drills: dict) -> None:
    assert set(drills) == ISSUE_IDS


def test_every_drill_has_at_least_five_right_and_five_wrong_answers_in_the_corpus() -> None:
    assert set(CORPUS) == ISSUE_IDS
    for drill_id, (right, wrong) in CORPUS.items():
        assert len(set(right)) >= 5, drill_id
        assert len(set(wrong)) >= 5, drill_id


@pytest.mark.parametrize("drill_id", sorted(ISSUE_IDS))
def test_equivalent_forms_are_all_correct(checker: Checker, drill_id: str) -> None:
    for answer in CORPUS[drill_id][0]:
        verdict = checker.check(drill_id, answer)
        assert verdict.verdict == "correct", (answer, verdict.message)
        assert verdict.interpreted


@pytest.mark.parametrize("drill_id", sorted(ISSUE_IDS))
def test_wrong_forms_are_incorrect_with_the_named_mistake(checker: Checker, drill_id: str) -> None:
    for answer, mistake in CORPUS[drill_id][1]:
        verdict = checker.check(drill_id, answer)
        assert (verdict.verdict, verdict.mistake) == ("incorrect", mistake), (answer, verdict)
        assert verdict.message.startswith("Incorrect: ")
        assert "\n" not in verdict.message


@pytest.mark.parametrize("drill_id", sorted(ISSUE_IDS))
def test_reference_is_the_finite_difference_derivative_of_the_loss(
    drills: dict, drill_id: str
) -> None:
    assert finite_difference_mismatch(problem_of(drills[drill_id]), points=128) is None


@pytest.mark.parametrize("drill_id", sorted(ISSUE_IDS))
def test_symbolic_derivative_of_the_loss_equals_the_reference(drills: dict, drill_id: str) -> None:
    # The mistake variants are built with calculus.diff; it must agree with every reference.
    problem = problem_of(drills[drill_id])
    c = compile_problem(problem)
    derived = np.broadcast_to(evaluate(diff(c.loss_expanded, problem.wrt), c.env), c.mask.shape)
    # In the friendly box: far out (z = 40) the symbolic form rounds differently, and only the
    # naming of mistakes uses it.
    box = c.mask & (c.layout.region == FRIENDLY)
    np.testing.assert_allclose(derived[box], c.reference_values[box], rtol=1e-9, atol=1e-12)


def test_each_hand_written_mistake_is_recognised_with_its_hint(drills: dict) -> None:
    for drill in drills.values():
        for pattern in drill.mistakes or ():
            verdict = check_answer(problem_of(drill), pattern.answer)
            assert verdict.mistake == pattern.id, (drill.id, pattern.id, verdict.message)
            assert verdict.hint == pattern.hint
            assert pattern.name in verdict.message


def test_per_drill_aliases_and_named_quantities_are_accepted(drills: dict) -> None:
    assert check_answer(problem_of(drills["grad-cce-logit"]), "p_true - 1").verdict == "correct"
    weighted = problem_of(drills["grad-weighted-bce-logit"])
    assert check_answer(weighted, "(1 - y)*p - pos_weight*y*(1 - p)").verdict == "correct"
    # An alias belongs to its drill only.
    assert check_answer(problem_of(drills["grad-bce-logit"]), "p_true - y").verdict == "invalid"


def test_every_drill_has_steps_hints_and_a_statement(drills: dict) -> None:
    for drill in drills.values():
        assert drill.steps and drill.hints and drill.statement
        assert "gradients" in drill.tags
        assert list(drill.domains) == list(drill.variables)


def test_drill_rows_list_variables_and_domains(drills: dict) -> None:
    library = shipped_library()
    rows = {row["id"]: row for row in drill_rows(library) if row["type"] == "gradient"}
    assert set(rows) == {c.id for c in library.of_kind("gradient_drill")} >= ISSUE_IDS
    hinge = rows["grad-hinge"]
    assert hinge["title"] == drills["grad-hinge"].name
    assert (hinge["wrt"], hinge["variables"], hinge["domains"]) == (
        "s",
        ["y", "s"],
        {"y": "sign", "s": "real"},
    )


# --------------------------------------------------------------------------- equivalence rules


def _problem(reference: str, loss: str, domains: tuple, **extra: object) -> Problem:
    return Problem(
        id="t", wrt=domains[0][0], loss=loss, reference=reference, domains=domains, **extra
    )


def test_both_signs_are_sampled_so_x_abs_x_is_not_x_squared() -> None:
    problem = _problem("3*x^2", "x^3", (("x", "real"),))
    assert check_answer(problem, "3*x*abs(x)").verdict == "incorrect"
    assert check_answer(problem, "3*x*x").verdict == "correct"


def test_equal_piecewise_forms_that_simplify_cannot_prove_equal_are_still_correct(
    drills: dict,
) -> None:
    from quizapp.mathcheck.symbolic import symbolically_equal

    huber = problem_of(drills["grad-huber"])
    c = compile_problem(huber)
    clip = huber.parse("clip(yhat - y, -delta, delta)").tree
    assert not symbolically_equal(clip, c.reference_expanded)  # sympy alone would say "wrong"
    assert check_answer(huber, "clip(yhat - y, -delta, delta)").verdict == "correct"


def test_an_answer_that_sits_beside_its_own_kink_everywhere_is_judged_exactly() -> None:
    # Floats cannot vouch for a part next to its kink at every point; exact arithmetic can:
    # step(1e-9) is 1, so the answer is 2x + 1, wrong everywhere.
    problem = _problem("2*x", "x^2", (("x", "real"),))
    verdict = check_answer(problem, "2*x + step(x - x + 0.000000001)")
    assert verdict.verdict == "incorrect"
    assert "your answer is 2 but the derivative is 1" in verdict.message


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        # next to a kink at every point, but sign(1e-9) is 1 exactly: proved
        ("2*x + 0*sign(x - x + 0.000000001)", "correct"),
        ("2*sqrt(x)^2 + sign(x - x)", "incorrect"),  # sympy: sqrt(x)^2 = x, false for x < 0
        ("2*exp(log(x)) + 0*step(x - x)", "incorrect"),  # exp(log x) = x only for x > 0
    ],
)
def test_algebra_never_decides_so_warm_and_cold_agree(answer: str, expected: str) -> None:
    problem = _problem("2*x", "x^2", (("x", "real"),))
    cold = check_answer(problem, answer, use_sympy=False)
    warm = check_answer(problem, answer, use_sympy=True)
    assert cold.verdict == warm.verdict == expected
    assert cold.message == warm.message


def test_samples_respect_every_domain() -> None:
    domains = (
        ("a", "real"),
        ("b", "positive"),
        ("c", "prob"),
        ("d", "binary"),
        ("e", "sign"),
        ("f", "count"),
    )
    env = sample_env(_problem("1", "a", domains))
    assert (env["a"] > 0).any() and (env["a"] < 0).any()
    assert (env["b"] > 0).all()
    assert ((env["c"] > 0) & (env["c"] < 1)).all()
    assert set(env["d"]) == {0.0, 1.0}
    assert set(env["e"]) == {-1.0, 1.0}
    assert (env["f"] >= 1).all() and (env["f"] == np.round(env["f"])).all()


def test_a_verdict_is_the_same_every_time() -> None:
    problem = _problem("2*x", "x^2", (("x", "real"),))
    first = check_answer(problem, "2*x + 0.001*x^3")
    assert first.message == check_answer(problem, "2*x + 0.001*x^3").message


# --------------------------------------------------------------------------- the loader


def _load(tmp_path: Path, body: str) -> list[str]:
    deck = tmp_path / "decks" / "broken.yaml"
    deck.parent.mkdir(parents=True, exist_ok=True)
    deck.write_text(textwrap.dedent(body), encoding="utf-8")
    return [str(e) for e in load_library([deck.parent], include_user_decks=False).errors]


_DRILL = """\
cards:
  - id: grad-test
    kind: gradient_drill
    section: 5
    tags: [gradients]
    name: "test"
    statement: "d/dx of x squared"
    loss: "{loss}"
    wrt: x
    variables:
      x: "the input"
    domains:
      x: {domain}
    reference: "{reference}"
    steps: ["power rule"]
    hints: ["bring the 2 down"]
{extra}"""


def test_loader_rejects_a_reference_that_is_not_the_derivative(tmp_path: Path) -> None:
    errors = _load(tmp_path, _DRILL.format(loss="x^2", domain="real", reference="x", extra=""))
    assert len(errors) == 1
    assert "broken.yaml:14: card 'grad-test': field 'reference'" in errors[0]  # the field's line
    assert "is not the derivative of the loss" in errors[0]


def test_loader_rejects_an_unknown_domain_and_an_unparseable_loss(tmp_path: Path) -> None:
    errors = _load(tmp_path, _DRILL.format(loss="x^2", domain="reals", reference="2*x", extra=""))
    assert "unknown domain 'reals'" in errors[0]
    errors = _load(tmp_path, _DRILL.format(loss="x^^2", domain="real", reference="2*x", extra=""))
    assert "field 'loss': does not parse" in errors[0]


def test_loader_rejects_a_listed_mistake_that_is_actually_right(tmp_path: Path) -> None:
    extra = """\
    mistakes:
      - id: not-a-mistake
        answer: "x + x"
        name: "wrong?"
        hint: "no"
"""
    errors = _load(tmp_path, _DRILL.format(loss="x^2", domain="real", reference="2*x", extra=extra))
    assert "'not-a-mistake': this answer is correct, not a mistake" in errors[0]


def test_a_sound_user_drill_loads(tmp_path: Path) -> None:
    assert (
        _load(tmp_path, _DRILL.format(loss="x^2", domain="real", reference="2*x", extra="")) == []
    )
