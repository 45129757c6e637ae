"""The second deck's numeric drills (content/beyond/numeric-drills.yaml): every answer equals the
formula computed independently on the drill's own table, the right answer is graded right for
every seed, and every slip is graded wrong under its own name."""

from __future__ import annotations

import math

import pytest

from quizapp.decks import Library
from quizapp.decks.models import NumericDrill
from quizapp.drills.numeric import Drill, grade, make_drill
from quizapp.losses.text import num
from tests.shipped import shipped_library

SEEDS = range(60)


@pytest.fixture(scope="module")
def templates() -> dict[str, NumericDrill]:
    library: Library = shipped_library()
    assert [str(e) for e in library.errors] == []
    return {c.id: c for c in library.of_kind("numeric_drill") if c.deck == "beyond"}  # type: ignore[misc]


def _softmax(z: list[float]) -> list[float]:
    m = max(z)
    e = [math.exp(v - m) for v in z]
    return [v / sum(e) for v in e]


def reference(drill: Drill) -> float:
    """The loss from its textbook formula in plain Python, on the table the learner sees."""
    rows = drill.data()
    prm = drill.params
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    ln = math.log
    kind = drill.id
    if kind == "bnum-kl-div":
        return mean([sum(p * ln(p / q) for p, q in zip(r["p"], r["q"], strict=True)) for r in rows])
    if kind == "bnum-poisson-nll":
        return mean([math.exp(r["z"]) - r["y"] * r["z"] for r in rows])
    if kind == "bnum-gaussian-nll":
        return mean([0.5 * (ln(r["var"]) + (r["y"] - r["mu"]) ** 2 / r["var"]) for r in rows])
    if kind == "bnum-smooth-l1":
        b = prm["beta"]
        d = [abs(r["yhat"] - r["y"]) for r in rows]
        return mean([0.5 * v * v / b if v < b else v - 0.5 * b for v in d])
    if kind == "bnum-margin-ranking":
        m = prm["margin"]
        return mean([max(0.0, -r["t"] * (r["s1"] - r["s2"]) + m) for r in rows])
    if kind in ("bnum-quantile-high", "bnum-quantile-low"):
        a = prm["alpha"]
        e = [r["y"] - r["q"] for r in rows]
        return mean([a * v if v >= 0 else (a - 1) * v for v in e])
    if kind == "bnum-brier":
        return mean([(r["p"] - r["y"]) ** 2 for r in rows])
    if kind == "bnum-dice":
        s = prm["smooth"]
        inter = sum(r["p"] * r["t"] for r in rows)
        total = sum(r["p"] + r["t"] for r in rows)
        return 1 - (2 * inter + s) / (total + s)
    if kind == "bnum-info-nce":
        tau = prm["tau"]
        return mean([-ln(_softmax([v / tau for v in r["s"]])[0]) for r in rows])
    if kind == "bnum-distillation":
        t = prm["T"]
        out = []
        for r in rows:
            p = _softmax([v / t for v in r["zt"]])
            q = _softmax([v / t for v in r["zs"]])
            out.append(t * t * sum(a * ln(a / b) for a, b in zip(p, q, strict=True)))
        return mean(out)
    if kind == "bnum-nll":
        return mean([-r["logp"][int(r["label"])] for r in rows])
    raise AssertionError(f"no reference for {kind}")


def test_there_are_at_least_ten_templates(templates: dict) -> None:
    assert len(templates) >= 10
    assert {t.loss for t in templates.values()} >= {"kl_div", "info_nce", "distillation"}


def test_every_answer_equals_the_formula_and_every_slip_is_named(templates: dict) -> None:
    for template_id, template in templates.items():
        named: set[str] = set()
        for seed in SEEDS:
            drill = make_drill(template, seed)
            assert drill.answer == pytest.approx(reference(drill), rel=1e-12), (template_id, seed)
            for text in (repr(drill.answer), num(drill.answer)):
                assert grade(drill, text).verdict == "correct", (template_id, seed, text)
            for slip in drill.slips:
                result = grade(drill, repr(slip.value))
                assert result.verdict == "incorrect" and result.slip is not None
                assert result.slip.id == slip.id and slip.name in result.message
                named.add(slip.id)
        assert named, f"{template_id}: no slip was ever named"


@pytest.mark.parametrize(
    ("template_id", "slip", "answer"),
    [
        # p = (0.6, 0.4), q = (0.2, 0.8): the reverse direction is Σ q ln(q/p).
        ("bnum-kl-div", "kl-reversed", 0.2 * math.log(0.2 / 0.6) + 0.8 * math.log(0.8 / 0.4)),
        ("bnum-distillation", "t-squared-dropped", None),
        ("bnum-info-nce", "temperature-dropped", None),
    ],
)
def test_named_slips_are_the_mistake_they_describe(
    templates: dict, template_id: str, slip: str, answer: float | None
) -> None:
    drill = next(
        d
        for d in (make_drill(templates[template_id], s) for s in SEEDS)
        if answer is None or d.data() == [{"p": [0.6, 0.4], "q": [0.2, 0.8]}]
    )
    found = {s.id: s for s in drill.slips}
    assert slip in found
    if answer is not None:
        assert found[slip].value == pytest.approx(answer)
    if slip == "t-squared-dropped":
        assert found[slip].value == pytest.approx(drill.answer / drill.params["T"] ** 2)
