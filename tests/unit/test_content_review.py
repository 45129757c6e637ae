"""The interviewer review of both decks (issue 27), pinned: a right option that is the longest
gives itself away, so the share of such questions is measured and bounded; the corrected claims
are computed with quizapp.losses; curve stems and the focal panel say what they should."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from quizapp import loss_panels, losses
from quizapp.decks import Library
from quizapp.decks.models import (
    Concept,
    Faq,
    Formula,
    InterviewQuestion,
    MultipleChoice,
    NumericDrill,
    Trap,
)
from tests.shipped import shipped_library

# A test-wise learner who always picks the longest (or the shortest) option must not score far
# above chance (1 in 4).
MAX_SHARE = 0.35


@pytest.fixture(scope="module")
def library() -> Library:
    lib = shipped_library()
    assert [str(e) for e in lib.errors] == []
    return lib


def card(library: Library, card_id: str, cls: type) -> object:
    found = library.cards[card_id]
    assert isinstance(found, cls), card_id
    return found


def _questions(library: Library) -> list[tuple[str, str, list[str]]]:
    """(id, right option, wrong options) of every question that offers options: multiple
    choice, loss curves (a MultipleChoice) and spot-the-error traps with their own distractors."""
    out = []
    for c in library.cards.values():
        if isinstance(c, MultipleChoice):
            out.append((c.id, c.answer, [o.text for o in c.options if o.text != c.answer]))
        elif isinstance(c, Trap) and c.distractors:
            out.append((c.id, c.correct, [d.text for d in c.distractors]))
    return out


def test_the_right_option_is_rarely_the_strictly_longest_or_shortest(library: Library) -> None:
    questions = _questions(library)
    assert len(questions) >= 80
    kinds = {library.cards[q[0]].kind for q in questions}
    assert kinds == {"multiple_choice", "loss_curve", "trap"}
    longest = [i for i, right, wrong in questions if len(right) > max(map(len, wrong))]
    shortest = [i for i, right, wrong in questions if len(right) < min(map(len, wrong))]
    share_long, share_short = len(longest) / len(questions), len(shortest) / len(questions)
    print(
        f"right option strictly longest in {len(longest)}/{len(questions)} questions "
        f"({share_long:.0%}), strictly shortest in {len(shortest)} ({share_short:.0%})"
    )
    assert share_long <= MAX_SHARE, longest
    assert share_short <= MAX_SHARE, shortest


# --------------------------------------------------------------------------- errors


def test_the_gaussian_nll_trap_says_what_torch_does_with_a_negative_variance(
    library: Library,
) -> None:
    with pytest.raises(ValueError, match="negative"):
        losses.gaussian_nll(np.array([0.0]), np.array([1.0]), np.array([-0.2]))
    trap = card(library, "bt-gaussian-nll-variance", Trap)
    whys = " ".join(d.why for d in trap.distractors or ())
    assert "stop receiving gradient" not in whys  # torch's clamp leaves the gradient alone
    assert "ValueError" in trap.why and "ValueError" in whys
    assert "without stopping its gradient" in (card(library, "bf-gaussian-nll", Formula).note or "")


def test_the_focal_panel_agrees_with_the_focal_formula_card(library: Library) -> None:
    panel_text = (
        " ".join(loss_panels.focal().facts)
        + (loss_panels.focal.__doc__ or "")
        + (loss_panels.__doc__ or "")
    )
    assert "α = 1" not in panel_text and "α weighting off" in panel_text
    note = card(library, "formula-focal", Formula).note or ""
    assert "α_t = 1 for every sample" in note
    # What the panel draws at γ = 0 is plain cross-entropy −ln p_t.
    p_t = np.array([0.1, 0.5, 0.9])
    drawn = loss_panels._focal_series(p_t, 0.0).loss
    np.testing.assert_allclose(drawn, -np.log(p_t), rtol=1e-12)


def test_curve_stems_never_describe_the_curve(library: Library) -> None:
    telling = re.compile(
        r"\b(falls?|falling|climbs?|rises?|spikes?|jagged|plateau|flatten\w*|bumps?|explodes?|"
        r"erratic|tracks?|steady progress)\b",
        re.IGNORECASE,
    )
    for c in library.of_kind("loss_curve"):
        assert isinstance(c, MultipleChoice)
        assert not telling.search(c.question), c.id


# --------------------------------------------------------------------------- imprecise claims


def test_the_kl_trap_quotes_what_the_wrong_call_returns(library: Library) -> None:
    p = np.array([[0.5, 0.5]])
    as_written = float(losses.kl_div(p, p))  # probabilities passed as input, default 'mean'
    summed = float(losses.kl_div(p, p, reduction="sum"))
    example = card(library, "bt-kl-div-probabilities", Trap).example
    assert f"{as_written:.2f}".replace("-", "−") in example  # −0.60
    assert f"{summed:.2f}".replace("-", "−") not in example  # −1.19 is the sum


def test_dice_on_an_empty_mask(library: Library) -> None:
    empty = np.zeros((1, 200))
    faint = float(losses.dice(np.array([[0.01]]), np.zeros((1, 1)), smooth=1))
    heavy = float(losses.dice(np.full((1, 200), 0.5), empty, smooth=1))  # predicted mass 100
    unsmoothed = float(losses.dice(np.full((1, 200), 0.3), empty, smooth=0))
    assert faint == pytest.approx(0.01, abs=5e-4) and heavy == pytest.approx(0.99, abs=5e-3)
    assert unsmoothed == 1.0
    trap = card(library, "bt-dice-empty-mask", Trap)
    assert "about 0.01" in trap.example and "about 0.99" in trap.example
    assert "close to 1, however faint" not in trap.correct


def test_the_poisson_trap_reads_the_output_as_a_log_rate(library: Library) -> None:
    trap = card(library, "bt-poisson-log-input", Trap)
    assert "e⁰ = 1" in trap.why
    first = (trap.distractors or ())[0]
    assert "rate of zero" not in first.why and "e⁰ = 1" in first.why
    # Scored as log λ: an output of 3 is a rate of e³ ≈ 20.
    rate = math.exp(3.0)
    assert float(losses.poisson_nll(np.array([3.0]), np.array([0.0]))) == pytest.approx(rate)
    assert f"{rate:.0f} goals" in trap.example


def test_the_nll_drill_rows_are_log_softmax_rows(library: Library) -> None:
    drill = card(library, "bnum-nll", NumericDrill)
    (column,) = [c for c in drill.columns if c.name == "logp"]
    for row in column.vectors or ():
        assert sum(math.exp(v) for v in row) == pytest.approx(1.0, abs=1e-3), row


def test_mse_is_flat_only_through_the_sigmoid(library: Library) -> None:
    """2(p − y) is not flat; the MSE gradient w.r.t. the logit is, through σ′ = p(1 − p)."""
    y, z = np.array([0.0]), np.array([7.0])  # confidently wrong: p ≈ 0.999
    p = losses.sigmoid(z)
    by_p = losses.mse_grad(y, p)
    by_logit = by_p * p * (1 - p)
    assert abs(by_p[0]) > 1.9 and abs(by_logit[0]) < 0.002
    texts = {
        "trap-mse-everywhere": card(library, "trap-mse-everywhere", Trap).why,
        "faq-mse-for-classification": card(library, "faq-mse-for-classification", Faq).answer,
        "iq-ce-not-mse": card(library, "iq-ce-not-mse", InterviewQuestion).points[1],
    }
    for card_id, text in texts.items():
        assert "sigmoid" in text and "logit" in text, card_id


def test_loss_and_metric_can_disagree_as_the_trap_says(library: Library) -> None:
    example = card(library, "trap-loss-is-metric", Trap).example
    for confidence in (0.51, 0.99):
        ce = float(losses.sparse_cce([0], [[confidence, 1 - confidence]]))
        assert f"{ce:.2f}" in example, ce  # the same 100% accuracy, different losses


def test_huber_and_smooth_l1_in_detection(library: Library) -> None:
    # Fast R-CNN's smooth L1 (β = 1) is Huber with δ = 1, not Huber divided by δ.
    e = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(
        losses.smooth_l1(e, np.zeros_like(e), reduction="none", beta=1.0),
        losses.huber(np.zeros_like(e), e, delta=1.0, reduction="none"),
    )
    example = card(library, "concept-huber-robust-regression", Concept).example or ""
    assert "Huber with δ = 1" in example and "divided" not in example


def test_the_kinked_losses_card_matches_its_id(library: Library) -> None:
    concept = card(library, "concept-differentiable", Concept)
    assert "kink" in concept.question and "subgradient" in concept.answer
    # At the kink PyTorch (and quizapp.losses) takes the sign of 0, which is 0.
    assert losses.mae_grad(np.array([1.0]), np.array([1.0]), reduction="none")[0] == 0


def test_class_weights_and_focal_loss_are_told_apart(library: Library) -> None:
    answer = card(library, "concept-app-imbalanced", Concept).answer
    assert "class weights" in answer and "focal loss shrinks the loss of easy" in answer


def test_gradient_drill_statements_name_the_natural_log(library: Library) -> None:
    for drill_id in (
        "grad-bce-p",
        "grad-bce-logit",
        "grad-weighted-bce-logit",
        "grad-cce-logit",
        "grad-focal-p",
        "grad-label-smoothing",
    ):
        statement = library.cards[drill_id].statement  # type: ignore[attr-defined]
        assert not re.search(r"\blog\b", statement), drill_id
        assert "ln" in statement, drill_id


def test_the_sigmoid_derivation_names_the_derivative_it_takes(library: Library) -> None:
    steps = library.cards["grad-sigmoid"].derivation  # type: ignore[attr-defined]
    assert not any(s.startswith("dL/") for s in steps)
    assert any(s.startswith("dp/dz") for s in steps)


# --------------------------------------------------------------------------- drills


def test_worked_solutions_show_the_arithmetic(library: Library) -> None:
    from quizapp.drills.numeric import make_drill

    gaussian = make_drill(card(library, "bnum-gaussian-nll", NumericDrill), 3)
    assert any(s.startswith("Row 1: ½ (ln ") and s.count("=") >= 3 for s in gaussian.steps)
    smooth = make_drill(card(library, "bnum-smooth-l1", NumericDrill), 3)
    rows = [s for s in smooth.steps if s.startswith("Row ")]
    assert rows and all("d = " in s and (" < β" in s or " ≥ β" in s) for s in rows)


def test_kl_and_nll_slips_are_named_for_their_own_loss(library: Library) -> None:
    from quizapp.drills.numeric import grade, make_drill

    kl = make_drill(card(library, "bnum-kl-div", NumericDrill), 2)
    nll = make_drill(card(library, "bnum-nll", NumericDrill), 2)
    if kl.answer > 1e-3:
        slip = grade(kl, repr(-kl.answer)).slip
        assert slip is not None and "CE" not in slip.name and "sign" in slip.name
    slip = grade(nll, repr(-nll.answer)).slip
    assert slip is not None and "NLL" in slip.name


def test_the_one_hot_drill_says_classes_count_from_zero(library: Library) -> None:
    from quizapp.drills.numeric import make_drill

    template = card(library, "num-cce-onehot", NumericDrill)
    assert "count from 0" in " ".join(template.prompt.split())
    # The worked solution numbers the classes the same way: a one-hot on the first entry is
    # "true class 0".
    for seed in range(30):
        drill = make_drill(template, seed)
        first = [i for i, row in enumerate(drill.rows) if list(row[0]) == [1, 0, 0]]
        if first:
            assert "true class 0" in drill.steps[1 + first[0]]
            return
    raise AssertionError("no drawn row had its one-hot on the first class")


# --------------------------------------------------------------------------- atomic cards


@pytest.mark.parametrize(
    ("card_id", "field"),
    [
        ("faq-label-smoothing", "answer"),
        ("concept-clip-probabilities", "answer"),
        ("concept-convex-surfaces", "answer"),
        ("trap-sd-imbalance-shift", "why"),
        ("bt-grad-accumulation", "correct"),
        ("bt-grad-accumulation", "why"),
    ],
)
def test_cards_flagged_as_non_atomic_now_say_one_thing(
    library: Library, card_id: str, field: str
) -> None:
    text = getattr(library.cards[card_id], field)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    assert len(sentences) == 1, (card_id, field, sentences)
