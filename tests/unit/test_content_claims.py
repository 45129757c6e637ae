"""The shipped deck's claims, pinned: each corrected or added claim is computed with
quizapp.losses (or checked against the text it must agree with), so a later edit that makes a card
wrong again fails here. Also: retired card ids stay retired, and their history never breaks the
app."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta

import fsrs
import numpy as np
import pytest

from quizapp import losses
from quizapp.decks import Library
from quizapp.decks.models import (
    Concept,
    Faq,
    Formula,
    InterviewQuestion,
    MultipleChoice,
    NumericDrill,
    Ordering,
    SelfCheck,
    Trap,
)
from tests.shipped import shipped_library

# Ids removed from the decks (merged into another card or dropped as repeats). Progress is keyed
# on ids, so an id here must never come back for a different card: its old history would attach
# to it. Their review history stays in the learner's store.
RETIRED = frozenset(
    {
        "concept-definition-nutshell",
        "concept-why-needed",
        "concept-reason-probabilistic",
        "concept-domain-relevance",
        "concept-training-step",
        "concept-section5-summary",
        "concept-adv-single-objective",
        "concept-adv-gradient-signal",
        "concept-takeaways",
        "concept-gold-line",
        "concept-comparison-glance",
        "order-training-step",
        # Issue 27: repeats inside a cluster, and a card whose content outgrew its id.
        "concept-loss-vs-metric",
        "self-check-minimize-not-accuracy",
        "concept-output-pairing",
        "concept-iteration-pipeline",
        "concept-adv-probabilistic",
        "self-check-huber-regime",
        "mc-target-scaling",
        "bmc-poisson-gradient",
        "bmc-triplet-zero-loss",
        "bt-forward-reverse-kl",
        "curve-unshuffled-bumps",
    }
)


@pytest.fixture(scope="module")
def library() -> Library:
    lib = shipped_library()
    assert [str(e) for e in lib.errors] == []
    return lib


def card(library: Library, card_id: str, cls: type) -> object:
    found = library.cards[card_id]
    assert isinstance(found, cls), card_id
    return found


def right_option(mc: MultipleChoice) -> str:
    return mc.options[mc.correct_index].text


# --------------------------------------------------------------------------- focal loss


def test_focal_reduces_to_bce_only_with_alpha_weighting_off() -> None:
    y = np.array([1.0, 0.0, 1.0, 0.0])
    z = np.array([1.5, -0.3, -2.0, 0.7])
    bce = losses.bce_with_logits(y, z, reduction="none")
    off = losses.focal(y, z, alpha=None, gamma=0.0, reduction="none")
    half = losses.focal(y, z, alpha=0.5, gamma=0.0, reduction="none")
    one = losses.focal(y, z, alpha=1.0, gamma=0.0, reduction="none")
    np.testing.assert_allclose(off, bce, rtol=1e-12)
    np.testing.assert_allclose(half, 0.5 * bce, rtol=1e-12)
    # alpha = 1 silences every negative: that is not cross-entropy.
    assert np.all(one[y == 0] == 0) and np.all(bce[y == 0] > 0)


def test_the_focal_cards_state_the_reduction_the_loss_module_computes(library: Library) -> None:
    mc = card(library, "mc-focal-reduces-to-ce", MultipleChoice)
    assert "α = 0.5" in mc.question and "γ = 0" in mc.question
    ratio = float(losses.focal([1.0, 0.0], [0.4, -1.1], alpha=0.5, gamma=0.0)) / float(
        losses.bce_with_logits([1.0, 0.0], [0.4, -1.1])
    )
    assert ratio == pytest.approx(0.5)
    assert right_option(mc).startswith("Half")
    texts = {o.text for o in mc.options}
    assert "Exactly the binary cross-entropy, −ln(p_t)" in texts  # offered, and marked wrong
    formula = card(library, "formula-focal", Formula)
    note = formula.note or ""
    assert "α = 1 it reduces" not in note  # the old, wrong claim
    assert "α_t = 1" in note and "half the BCE" in note
    assert "α = 1 would give every negative" in note


# --------------------------------------------------------------------------- label smoothing


def _vectors(text: str) -> list[list[float]]:
    return [[float(x) for x in m.split(",")] for m in re.findall(r"\[([\d., ]+)\]", text)]


def smoothed(label: int, k: int, eps: float) -> np.ndarray:
    return (1 - eps) * np.eye(k)[label] + eps / k


def test_label_smoothing_gives_every_class_eps_over_k_including_the_true_one(
    library: Library,
) -> None:
    target = smoothed(2, 4, 0.1)
    note = card(library, "formula-label-smoothing", Formula).note or ""
    assert _vectors(note)[-1] == pytest.approx(list(target))
    point = card(library, "iq-label-smoothing", InterviewQuestion).points[0]
    assert "each class gets ε/K" in point and "true class keeps 1 − ε" in point
    # The FAQ's plain-words version holds for that target: the true class just below 1, the
    # others just above 0.
    faq = card(library, "faq-label-smoothing", Faq)
    assert "less than 1" in faq.answer and "more than 0" in faq.answer
    assert target[2] < 1 and min(np.delete(target, 2)) > 0
    # The loss module's label_smoothing is exactly cross-entropy against that target.
    logits = np.array([[0.3, -1.0, 2.0, 0.1]])
    expected = -float(np.sum(target * losses.log_softmax(logits)[0]))
    assert float(losses.cross_entropy([2], logits, label_smoothing=0.1)) == pytest.approx(expected)


def test_the_label_smoothing_choice_is_right_by_the_rule(library: Library) -> None:
    mc = card(library, "mc-label-smoothing-values", MultipleChoice)
    want = smoothed(1, 5, 0.2)
    for option in mc.options:
        (vector,) = _vectors(option.text)
        assert (vector == pytest.approx(list(want))) == (option.text == mc.answer), option.text


def test_the_interview_answer_on_label_smoothing_has_what_a_strong_candidate_adds(
    library: Library,
) -> None:
    iq = card(library, "iq-label-smoothing", InterviewQuestion)
    text = " ".join(iq.points)
    assert "(1 − ε)·y + ε/K" in text and "ε = 0.1" in text and "distil" in text


# --------------------------------------------------------------------------- prior shift


def test_prior_correction_numbers_in_the_imbalance_shift_trap(library: Library) -> None:
    trap = card(library, "trap-sd-imbalance-shift", Trap)
    shift = math.log(0.05 / 0.95) - math.log(0.5 / 0.5)
    assert f"{shift:.2f}".replace("-", "−") in trap.example  # ≈ −2.94, typeset minus
    for score, shown in ((0.5, "0.05"), (0.9, "0.32")):
        corrected = float(losses.sigmoid(math.log(score / (1 - score)) + shift))
        # Bayes' rule with the two priors gives the same number as the logit shift.
        bayes = score * 0.1 / (score * 0.1 + (1 - score) * 1.9)
        assert corrected == pytest.approx(bayes)
        assert f"{corrected:.2f}" == shown and shown in trap.example


def test_a_weighted_loss_after_balanced_training_pushes_scores_further_up() -> None:
    """The trap's warning: on a 50-50 set, up-weighting positives moves the best constant
    prediction above 0.5, away from a 5% production rate."""
    y = np.array([1.0, 0.0] * 50)
    grid = np.linspace(0.01, 0.99, 981)

    def best(pos_weight: float) -> float:
        w = np.where(y == 1, pos_weight, 1.0)
        return float(grid[np.argmin([losses.bce(y, np.full_like(y, p), weight=w) for p in grid])])

    assert best(1.0) == pytest.approx(0.5, abs=1e-3)
    assert best(3.0) == pytest.approx(0.75, abs=1e-3) and best(3.0) > best(1.0)


def test_the_production_ordering_tunes_the_threshold_on_production_like_data(
    library: Library,
) -> None:
    order = card(library, "order-production-loss-choice", Ordering)
    threshold = next(i for i, s in enumerate(order.steps) if "threshold" in s and "pick" in s)
    assert "production" in order.steps[threshold]
    assert threshold < len(order.steps) - 1 and "separate" in order.steps[-1]


# --------------------------------------------------------------------------- hinge, batch mean


def test_hinge_alone_is_not_the_svm_objective(library: Library) -> None:
    """On separable data any scaling of a zero-loss score keeps zero hinge loss: hinge alone has
    no unique solution; the SVM's L2 penalty picks the widest margin."""
    y = np.array([1.0, -1.0, 1.0, -1.0])
    s = np.array([1.2, -1.5, 2.0, -1.0])
    assert [float(losses.hinge(y, c * s)) for c in (1, 2, 10, 100)] == [0.0] * 4
    pros = " ".join(card(library, "formula-hinge", Formula).pros)
    assert "L2" in pros and "classic linear-SVM objective" not in pros


def test_sum_reduction_scales_sgd_steps_but_barely_moves_adam() -> None:
    rng = np.random.default_rng(3)
    y, yhat = rng.normal(size=64), rng.normal(size=64)
    mean_g = losses.mse_grad(y, yhat)
    sum_g = losses.mse_grad(y, yhat, reduction="sum")
    np.testing.assert_allclose(sum_g, 64 * mean_g)  # SGD: the step is N times larger

    def adam_first_step(g: np.ndarray, eps: float = 1e-8) -> np.ndarray:
        m, v = 0.1 * g, 0.001 * g**2  # one update of the moments from zero
        return (m / 0.1) / (np.sqrt(v / 0.001) + eps)  # bias-corrected

    np.testing.assert_allclose(adam_first_step(sum_g), adam_first_step(mean_g), rtol=1e-5)


def test_the_batch_mean_cards_qualify_the_learning_rate_claim(library: Library) -> None:
    think = card(library, "think-mean-vs-sum", SelfCheck)
    formula = card(library, "formula-batch-mean", Formula)
    for text in (think.answer, formula.note or ""):
        assert "SGD" in text and "Adam" in text and "noise" in text
    assert "a tuned learning rate still fits" not in " ".join(formula.pros)


def test_target_scale_numbers(library: Library) -> None:
    y, yhat = np.array([3.0, 1.5]), np.array([2.0, 2.5])  # thousands of dollars
    scaled = float(losses.mse(1000 * y, 1000 * yhat))
    assert scaled == pytest.approx(1e6 * float(losses.mse(y, yhat)))
    np.testing.assert_allclose(
        losses.mse_grad(1000 * y, 1000 * yhat), 1000 * losses.mse_grad(y, yhat)
    )
    answer = card(library, "concept-lim-scaling-outliers", Concept).answer
    assert "million-fold" in answer and "thousand-fold" in answer


# --------------------------------------------------------------------------- interview extras


def test_mse_fits_the_mean_and_mae_the_median(library: Library) -> None:
    y = np.array([1.0, 2.0, 2.5, 3.0, 40.0])  # skewed by one outlier
    grid = np.linspace(0, 41, 4101)
    best_mse = grid[np.argmin([losses.mse(y, np.full_like(y, c)) for c in grid])]
    best_mae = grid[np.argmin([losses.mae(y, np.full_like(y, c)) for c in grid])]
    assert best_mse == pytest.approx(np.mean(y), abs=0.01)
    assert best_mae == pytest.approx(np.median(y), abs=0.01)
    points = " ".join(card(library, "iq-mse-mae-huber", InterviewQuestion).points)
    assert "conditional mean" in points and "conditional median" in points


def test_cross_entropy_is_entropy_plus_kl(library: Library) -> None:
    p = np.array([[0.6, 0.3, 0.1]])
    q = np.array([[0.5, 0.2, 0.3]])
    ce = float(losses.cross_entropy(p, np.log(q)))  # softmax(ln q) = q
    entropy = float(losses.cross_entropy(p, np.log(p)))
    kl = float(np.sum(p * np.log(p / q)))
    assert ce == pytest.approx(entropy + kl)
    assert "H(p) + KL(p‖q)" in " ".join(card(library, "iq-ce-mle", InterviewQuestion).points)


def _second_differences(f, ws: np.ndarray, h: float = 1e-3) -> np.ndarray:
    return np.array([(f(w + h) - 2 * f(w) + f(w - h)) / h**2 for w in ws])


def test_logistic_loss_is_convex_in_the_weight_and_sigmoid_mse_is_not(library: Library) -> None:
    x, y = np.array([1.0, -2.0, 0.5]), np.array([1.0, 0.0, 0.0])
    ws = np.linspace(-6, 6, 121)
    bce = _second_differences(lambda w: float(losses.bce_with_logits(y, w * x)), ws)
    mse = _second_differences(lambda w: float(losses.mse(y, losses.sigmoid(w * x))), ws)
    assert bce.min() > -1e-6
    assert mse.min() < -1e-3
    points = " ".join(card(library, "iq-ce-not-mse", InterviewQuestion).points)
    assert "convex" in points
    assert "non-convex" in card(library, "concept-convex-surfaces", Concept).answer


def test_the_imbalance_interview_answer_names_the_strong_extras(library: Library) -> None:
    text = " ".join(card(library, "iq-imbalance", InterviewQuestion).points)
    for needed in ("pos_weight", "PR-AUC", "prior"):
        assert needed in text
    # pos_weight is the positive-term weight of the weighted-BCE formula card.
    y, z = np.array([1.0, 0.0, 1.0]), np.array([0.2, 1.0, -0.5])
    p = losses.sigmoid(z)
    by_hand = -np.mean(3 * y * np.log(p) + (1 - y) * np.log(1 - p))
    assert float(losses.bce_with_logits(y, z, pos_weight=3.0)) == pytest.approx(by_hand)


# --------------------------------------------------------------------------- new cards


def test_huber_caps_the_pull_of_an_outlier_at_delta(library: Library) -> None:
    y = np.array([0.0, 0.0, 0.0])
    yhat = np.array([0.3, 5.0, 500.0])
    grad = losses.huber_grad(y, yhat, delta=1.0, reduction="sum")
    assert grad[0] == pytest.approx(0.3) and grad[1] == grad[2] == pytest.approx(1.0)
    assert "capped at δ" in card(library, "concept-huber-robust-regression", Concept).answer


def test_integer_labels_and_one_hot_rows_give_the_same_cross_entropy(library: Library) -> None:
    logits = np.array([[2.0, 1.0, 0.0], [0.5, 0.5, 3.0]])
    labels = np.array([2, 0])
    onehot = np.eye(3)[labels]
    by_index = float(losses.cross_entropy(labels, logits))
    by_row = float(losses.cce(onehot, losses.softmax(logits)))
    assert by_index == pytest.approx(by_row)
    concept = card(library, "concept-onehot-vs-integer-labels", Concept)
    value = float(losses.sparse_cce([2], [[0.7, 0.2, 0.1]]))
    assert f"{value:.2f}" in (concept.example or "")


def test_hinge_gives_scores_not_probabilities(library: Library) -> None:
    answer = card(library, "concept-hinge-no-probability", Concept).answer
    assert answer.startswith("The hinge loss")


# --------------------------------------------------------------------------- multiple choice


@pytest.mark.parametrize(
    ("card_id", "value"),
    [
        ("mc-huber-value", lambda: float(losses.huber([0.0], [3.0], delta=1.0))),
        ("mc-ce-confident-wrong", lambda: float(losses.sparse_cce([0], [[0.01, 0.99]]))),
    ],
)
def test_numeric_right_options_match_the_loss_module(library: Library, card_id, value) -> None:
    mc = card(library, card_id, MultipleChoice)
    shown = float(re.findall(r"\d+(?:\.\d+)?", right_option(mc))[0])
    assert shown == pytest.approx(value(), abs=0.01)


# --------------------------------------------------------------------------- wording


def test_formula_cards_write_the_natural_log_as_ln(library: Library) -> None:
    for f in library.of_kind("formula", "cheat_sheet"):
        shown = f.unicode if isinstance(f, Formula) else f.rule  # type: ignore[attr-defined]
        # "log-likelihood" and "log-probabilities" are words, not the function.
        assert not re.search(r"\blog\b(?![-‑](likelihood|prob))", shown), f.id


def test_no_authoring_note_reaches_the_learner(library: Library) -> None:
    for c in library.cards.values():
        text = c.search_text()
        assert not re.search(r"\bthe notes\b|\bnotes'|not from the notes", text, re.I), c.id


def test_every_prompt_stands_alone(library: Library) -> None:
    for c in library.cards.values():
        prompt = getattr(c, "question", None) or getattr(c, "statement", None) or ""
        assert not re.match(r"(same as before|as above|as before)", prompt, re.I), c.id
        assert not re.match(r"(reason|advantage|limitation) \d", prompt.strip('"'), re.I), c.id


def test_the_hinge_drill_is_not_tagged_as_a_metric(library: Library) -> None:
    assert "metrics" not in card(library, "num-hinge", NumericDrill).tags


def test_the_output_layer_trap_and_pitch_say_logit_losses_take_raw_logits(
    library: Library,
) -> None:
    trap = card(library, "trap-output-mismatch", Trap)
    pitch = library.cards["pitch-2min"]
    for text in (trap.correct, " ".join(pitch.points)):  # type: ignore[attr-defined]
        assert "BCEWithLogitsLoss" in text and "CrossEntropyLoss" in text and "logits" in text


# --------------------------------------------------------------------------- spot-the-error


def test_every_trap_has_its_own_distractors_not_other_traps_answers(library: Library) -> None:
    traps = [t for t in library.of_kind("trap") if isinstance(t, Trap)]
    corrections = {t.correct for t in traps}
    for trap in traps:
        assert trap.distractors and len(trap.distractors) >= 3, trap.id
        for d in trap.distractors:
            assert d.text not in corrections and d.text != trap.wrong, trap.id
            assert d.why, trap.id


def test_spot_the_error_offers_this_claims_distractors(library: Library) -> None:
    from quizapp.quiz import Quiz

    quiz = Quiz.build(library, kinds=["trap"], n=9, seed=4)
    assert len(quiz.questions) == 9
    for q in quiz.questions:
        trap = q.card
        assert isinstance(trap, Trap) and trap.distractors
        wrong = {c.text: c.why for c in q.choices if not c.correct}
        assert wrong == {d.text: d.why for d in trap.distractors}
        assert [c.text for c in q.choices if c.correct] == [trap.correct]
        assert not any("different trap" in c.why for c in q.choices)


def test_a_trap_without_distractors_still_gets_four_choices(library: Library) -> None:
    import dataclasses
    import random

    from quizapp.questions import _trap_choices

    bare = dataclasses.replace(library.cards["trap-mse-everywhere"], distractors=None)
    choices = _trap_choices(bare, random.Random(1), library)  # type: ignore[arg-type]
    assert len(choices) == 4 and sum(c.correct for c in choices) == 1


# --------------------------------------------------------------------------- class-index drills


def test_class_index_drills_say_labels_count_from_zero(library: Library) -> None:
    from quizapp.drills.numeric import make_drill

    for drill_id in ("num-sparse-cce-logits", "num-label-smoothing-ce"):
        template = card(library, drill_id, NumericDrill)
        assert "count from 0" in template.prompt or "count\n" in template.prompt, drill_id
        drill = make_drill(template, 1)
        assert "from 0" in drill.prompt
        assert any("Labels count from 0" in s for s in drill.steps)


def test_the_one_based_label_slip_is_named(library: Library) -> None:
    from quizapp.drills.numeric import grade, make_drill

    template = card(library, "num-sparse-cce-logits", NumericDrill)
    seen = 0
    for seed in range(200):
        drill = make_drill(template, seed)
        labels = np.array([row[0] for row in drill.rows], dtype=int)
        if not (labels >= 1).all():
            continue
        logits = np.array([row[1] for row in drill.rows])
        slipped = float(losses.cross_entropy(labels - 1, logits))
        if abs(slipped - drill.answer) < 0.05:  # indistinguishable: nothing to name
            continue
        result = grade(drill, f"{slipped:.6f}")
        assert result.verdict == "incorrect"
        assert result.slip is not None and result.slip.id == "one-based-label", seed
        assert "count from 0" in result.message
        seen += 1
    assert seen >= 5


def test_the_weighted_bce_solution_shows_the_weight_in_its_formula(library: Library) -> None:
    from quizapp.drills.numeric import make_drill

    drill = make_drill(card(library, "num-weighted-bce", NumericDrill), 3)
    assert drill.steps[0].startswith("Weighted BCE") and "w·" in drill.steps[0]


# --------------------------------------------------------------------------- retired ids


def test_retired_ids_are_gone_and_never_reused(library: Library) -> None:
    assert RETIRED.isdisjoint(library.cards)
    for item in library.checklist:
        assert RETIRED.isdisjoint(item.links), item.id


def test_history_of_retired_cards_stays_and_breaks_nothing(library: Library) -> None:
    """A learner who studied cards that a deck update removed: the real store file keeps their
    reviews, and studying, stats, the checklist, a retry quiz, a mock and export all work."""
    from quizapp import paths
    from quizapp.checklist import checklist_status
    from quizapp.mock import build_mock
    from quizapp.quiz import Quiz
    from quizapp.scheduling import StudyQueue
    from quizapp.stats import compute_stats
    from quizapp.store import Store
    from quizapp.study import StudySession
    from tests.helpers import run_quizapp

    now = datetime.now(UTC)
    db = paths.db_path()  # the learner's real progress file (in this test's QUIZAPP_HOME)
    db.parent.mkdir(parents=True, exist_ok=True)
    with Store.open(db) as store:
        for i, item in enumerate(sorted(RETIRED)):
            kind = "ordering" if item.startswith("order-") else "concept"
            store.record_review(item, fsrs.Rating.Again, kind=kind, now=now - timedelta(days=3))
            store.record_review(item, fsrs.Rating.Good, kind=kind, now=now - timedelta(days=i % 3))
        store.record_review("concept-definition", fsrs.Rating.Good, kind="concept", now=now)

    with Store.open(db) as store:
        assert {r.item_id for r in store.reviews()} >= RETIRED  # history kept
        queue = StudyQueue(store, library, now=now)
        session = StudySession(queue, library)
        shown = session.advance()
        assert shown is not None and shown.id not in RETIRED
        stats = compute_stats(store, library, now=now)
        data = json.loads(json.dumps(stats.to_json()))
        assert data["reviews_total"] == 2 * len(RETIRED) + 1
        assert RETIRED.isdisjoint(w.item_id for w in stats.weakest)
        assert checklist_status(store, library, now=now)
        retry = Quiz.build(library, item_ids=[*sorted(RETIRED), "mc-huber-value"], seed=1)
        assert [q.item_id for q in retry.questions] == ["mc-huber-value"]
        build_mock(library, stats=stats, due=set(RETIRED), seed=2)
        exported = json.dumps(store.export())
        assert all(item in exported for item in RETIRED)

    # The shell commands read the same file without a traceback, and export keeps the history.
    for args in (["stats", "--json"], ["export", "--json"], ["checklist"]):
        result = run_quizapp(*args)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (args, result.stderr)
    exported = json.loads(run_quizapp("export", "--json").stdout)
    assert {r["item_id"] for r in exported["reviews"]} >= RETIRED
