"""The third deck's numeric drills (content/frontier/numeric-drills.yaml): every answer equals the
formula computed independently on the drill's own table, the right answer is graded right for
every seed, every slip is graded wrong under its own name; and the Adam and AdamW steps agree
with torch.optim to 1e-12."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.decks.models import NumericDrill
from quizapp.drills.frontier_recipes import adam_step
from quizapp.drills.numeric import Drill, grade, make_drill
from quizapp.losses.text import num
from tests.shipped import shipped_library

SEEDS = range(40)


@pytest.fixture(scope="module")
def templates() -> dict[str, NumericDrill]:
    library = shipped_library()
    assert [str(e) for e in library.errors] == []
    return {c.id: c for c in library.of_kind("numeric_drill") if c.deck == "frontier"}  # type: ignore[misc]


def _sig(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _ce(z: list[float], label: int) -> float:
    m = max(z)
    return -(z[label] - m - math.log(sum(math.exp(v - m) for v in z)))


def _clip(rows: list[list[float]], tau: float) -> float:
    n = len(rows)
    s = [[v / tau for v in r] for r in rows]
    by_row = sum(_ce(s[i], i) for i in range(n)) / n
    by_col = sum(_ce([s[i][j] for i in range(n)], j) for j in range(n)) / n
    return (by_row + by_col) / 2


def _ctc_one_label(rows: list[dict]) -> float:
    """Every path over T frames that collapses to 'a': blanks, then a run of a's, then blanks."""
    t = len(rows)
    total = 0.0
    for start in range(t):
        for end in range(start, t):
            p = 1.0
            for i, r in enumerate(rows):
                p *= r["a"] if start <= i <= end else r["blank"]
            total += p
    return -math.log(total)


def reference(drill: Drill) -> float:
    rows = drill.data()
    prm = drill.params
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    kind = drill.id
    if kind == "fnum-bradley-terry":
        return mean([-math.log(_sig(r["rw"] - r["rl"])) for r in rows])
    if kind == "fnum-dpo":
        b = prm["beta"]
        return mean(
            [-math.log(_sig(b * ((r["pw"] - r["rw"]) - (r["pl"] - r["rl"])))) for r in rows]
        )
    if kind == "fnum-ppo-clip":
        e = prm["clip_eps"]
        return mean([-min(r["r"] * r["A"], min(max(r["r"], 1 - e), 1 + e) * r["A"]) for r in rows])
    if kind == "fnum-z-loss":
        return prm["weight"] * mean([math.log(sum(math.exp(v) for v in r["z"])) ** 2 for r in rows])
    if kind == "fnum-load-balancing":
        n, e = len(rows), len(rows[0]["p"])
        f = [
            sum(1 for r in rows if max(range(e), key=lambda k: r["p"][k]) == i) / n
            for i in range(e)
        ]
        big_p = [mean([r["p"][i] for r in rows]) for i in range(e)]
        return prm["alpha"] * e * sum(a * b for a, b in zip(f, big_p, strict=True))
    if kind == "fnum-clip":
        return _clip([r["s"] for r in rows], prm["tau"])
    if kind == "fnum-siglip":
        t, b, n = prm["t"], prm["b"], len(rows)
        return (
            -sum(
                math.log(_sig((1 if i == j else -1) * (t * rows[i]["s"][j] + b)))
                for i in range(n)
                for j in range(n)
            )
            / n
        )
    if kind == "fnum-arcface":
        s, m = prm["s"], prm["m"]
        out = []
        for r in rows:
            y = int(r["label"])
            z = [s * c for c in r["cos"]]
            z[y] = s * math.cos(math.acos(r["cos"][y]) + m)
            out.append(_ce(z, y))
        return mean(out)
    if kind == "fnum-min-snr":
        g = prm["gamma"]
        return mean([min(r["snr"], g) / r["snr"] * (r["eps"] - r["eps_hat"]) ** 2 for r in rows])
    if kind == "fnum-hinge-gan":
        return mean([max(0, 1 - r["real"]) for r in rows]) + mean(
            [max(0, 1 + r["fake"]) for r in rows]
        )
    if kind == "fnum-ctc":
        return _ctc_one_label(rows)
    if kind == "fnum-perplexity":
        return math.exp(mean([r["loss"] for r in rows]))
    if kind == "fnum-masked-ce":
        kept = [r for r in rows if r["label"] != -100]
        return mean([_ce(r["z"], int(r["label"])) for r in kept])
    if kind in ("fnum-adam-l2", "fnum-adamw"):
        torch = pytest.importorskip("torch")
        return _torch_step(torch, rows[0]["w"], rows[0]["g"], prm, kind == "fnum-adamw")
    raise AssertionError(f"no reference for {kind}")


def _torch_step(torch, w: float, g: float, prm: dict, decoupled: bool, steps: int = 1) -> float:  # type: ignore[no-untyped-def]
    p = torch.nn.Parameter(torch.tensor([float(w)], dtype=torch.float64))
    cls = torch.optim.AdamW if decoupled else torch.optim.Adam
    opt = cls([p], lr=prm["lr"], weight_decay=prm["weight_decay"], foreach=False)
    for _ in range(steps):
        p.grad = torch.tensor([float(g)], dtype=torch.float64)
        opt.step()
    return float(p.detach()[0])


def test_there_are_at_least_twelve_templates(templates: dict) -> None:
    assert len(templates) >= 12
    assert {t.loss for t in templates.values()} >= {
        "dpo", "ppo_clip", "z_loss", "perplexity", "adam_l2_step", "adamw_step", "ctc",
    }  # fmt: skip


def test_every_answer_equals_the_formula_and_every_slip_is_named(templates: dict) -> None:
    for template_id, template in templates.items():
        named: set[str] = set()
        for seed in SEEDS:
            drill = make_drill(template, seed)
            assert drill.answer == pytest.approx(reference(drill), rel=1e-9), (template_id, seed)
            for text in (repr(drill.answer), num(drill.answer)):
                assert grade(drill, text).verdict == "correct", (template_id, seed, text)
            assert drill.steps and drill.steps[-1].endswith(num(drill.answer)), drill.steps
            for slip in drill.slips:
                result = grade(drill, repr(slip.value))
                assert result.verdict == "incorrect" and result.slip is not None
                assert result.slip.id == slip.id and slip.name in result.message
                named.add(slip.id)
        assert named, f"{template_id}: no slip was ever named"


def test_adam_with_l2_and_adamw_differ_by_the_decoupled_decay(templates: dict) -> None:
    """At step 1 Adam normalises λw away (a step of about lr·sign(g + λw)); AdamW shrinks w by
    lr·λ·w first. Both answers are graded: each is the other's named slip."""
    for seed in range(10):
        for template_id, decoupled, slip in (
            ("fnum-adam-l2", False, "decay-decoupled"),
            ("fnum-adamw", True, "decay-coupled"),
        ):
            drill = make_drill(templates[template_id], seed)
            (w, g), prm = drill.rows[0], drill.params
            other, _ = adam_step(w, g, prm["lr"], prm["weight_decay"], not decoupled)  # type: ignore[arg-type]
            assert abs(other - drill.answer) > 0.01 * abs(drill.answer)
            assert grade(drill, repr(other)).slip.id == slip  # type: ignore[union-attr]


@settings(max_examples=60, deadline=None)
@given(
    w=st.floats(-10, 10),
    g=st.floats(-5, 5),
    lr=st.sampled_from([1e-3, 0.01, 0.1]),
    wd=st.sampled_from([0.0, 0.01, 0.1, 0.5]),
    steps=st.integers(1, 4),
    decoupled=st.booleans(),
)
def test_adam_step_agrees_with_torch_optim(
    w: float, g: float, lr: float, wd: float, steps: int, decoupled: bool
) -> None:
    torch = pytest.importorskip("torch")
    state: tuple[float, float, int] = (0.0, 0.0, 0)
    ours = w
    for _ in range(steps):
        ours, state = adam_step(ours, g, lr, wd, decoupled, state)
    theirs = _torch_step(torch, w, g, {"lr": lr, "weight_decay": wd}, decoupled, steps)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)


def test_drills_list_shows_the_frontier_deck_alone(capsys: pytest.CaptureFixture[str]) -> None:
    from quizapp.cli import main

    assert main(["drill", "list", "--json", "--deck", "frontier"]) == 0
    import json

    listed = json.loads(capsys.readouterr().out)
    ids = {d["id"] for d in (listed if isinstance(listed, list) else listed["drills"])}
    assert {"fnum-dpo", "fgrad-dpo-chosen"} <= ids
    assert not any(i.startswith(("num-", "bnum-")) for i in ids)


def test_numbers_in_the_ctc_reference_are_the_paths() -> None:
    # Two frames, p(blank) = 0.5, p(a) = 0.3 in each: paths aa, a-, -a.
    rows = [{"blank": 0.5, "a": 0.3}, {"blank": 0.5, "a": 0.3}]
    assert _ctc_one_label(rows) == pytest.approx(-math.log(0.09 + 0.15 + 0.15))
    np.testing.assert_allclose(_clip([[1.0, 0.0], [0.0, 1.0]], 1.0), _ce([1.0, 0.0], 0))
