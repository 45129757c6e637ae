"""The third deck's loss-curve cards and the curve kind's named series: each picture really shows
the symptom its right answer names, a metric goes on a second axis, the first two decks' cards
draw exactly as before, and a badly described series is a deck error with a file and field."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from rich.console import Console

from quizapp.content import load_library
from quizapp.decks import Library
from quizapp.decks.models import LossCurve
from quizapp.training_curves import curves, series
from quizapp.ui.widgets.loss_curve import curve_renderable
from tests.shipped import shipped_library


@pytest.fixture(scope="module")
def library() -> Library:
    return shipped_library()


def card(library: Library, card_id: str) -> LossCurve:
    found = library.cards[card_id]
    assert isinstance(found, LossCurve)
    return found


def drawn(library: Library, card_id: str) -> dict[str, list[float]]:
    return curves(card(library, card_id), None)


def test_at_least_eight_cards_with_every_option_explained(library: Library) -> None:
    cards = [c for c in library.of_kind("loss_curve") if c.deck == "frontier"]
    assert len(cards) >= 8
    for c in cards:
        assert isinstance(c, LossCurve) and c.cite
        assert len(c.options) >= 4 and all(len(o.why.split()) >= 8 for o in c.options), c.id


def test_the_pretraining_spike_jumps_and_recovers(library: Library) -> None:
    train = drawn(library, "fcurve-pretrain-spike")["train"]
    before, at, after = train[76], train[78], train[90]
    assert at > before + 2.0  # a jump of several nats in one step
    assert abs(after - before) < 0.2  # back on the trend a dozen steps later
    assert train[0] == pytest.approx(math.log(50257), abs=0.1)  # starts at ln V


def test_the_dead_start_stays_at_ln_v_beside_a_healthy_run(library: Library) -> None:
    data = drawn(library, "fcurve-dead-start")
    for name in ("train", "validation"):
        assert all(abs(v - math.log(32000)) < 0.02 for v in data[name]), name
    assert data["a healthy run"][-1] < 0.5 * math.log(32000)


def test_validation_loss_rises_while_accuracy_improves(library: Library) -> None:
    c = card(library, "fcurve-val-loss-up-accuracy-up")
    loss, metric = curves(c, "loss"), curves(c, "metric")
    assert set(metric) == {"val accuracy"} and c.metric == "accuracy"
    val, acc = loss["validation"], metric["val accuracy"]
    low = min(range(len(val)), key=val.__getitem__)
    assert 10 < low < 30 and val[-1] > val[low] + 0.4
    assert acc[-1] > acc[low] + 0.02 and acc[-1] > 0.88


def test_loss_falls_while_the_metric_stays_flat(library: Library) -> None:
    c = card(library, "fcurve-loss-down-metric-flat")
    val, f1 = curves(c)["validation"], curves(c, "metric")["val F1"]
    assert val[-1] < 0.5 * val[3]
    assert max(f1[3:]) - min(f1[3:]) < 0.03


def test_dpo_rewards_both_fall_while_the_margin_grows(library: Library) -> None:
    data = drawn(library, "fcurve-dpo-rewards")
    chosen, rejected, margin = data["chosen"], data["rejected"], data["margin"]
    assert chosen[-1] < -1.5 and rejected[-1] < chosen[-1] - 2
    assert margin[-1] > 3 and margin[-1] == pytest.approx(chosen[-1] - rejected[-1], abs=0.5)
    assert data["accuracy"][-1] > 0.9


def test_the_discriminator_loss_collapses_while_the_generator_loss_climbs(
    library: Library,
) -> None:
    data = drawn(library, "fcurve-discriminator-collapse")
    assert max(data["D loss"][-10:]) < 0.1 and data["D loss"][0] == pytest.approx(
        2 * math.log(2), abs=0.1
    )
    assert data["G loss"][-1] > 5 * data["G loss"][0]


def test_undivided_accumulation_starts_at_eight_times_ln_v(library: Library) -> None:
    data = drawn(library, "fcurve-grad-accum-undivided")
    plain, accumulated = data["no accumulation"][0], data["accumulation ×8"][0]
    assert plain == pytest.approx(math.log(32000), rel=0.01)
    assert accumulated / plain == pytest.approx(8, rel=0.05)  # each point jitters by about 2%


def test_kl_takes_off_while_the_reward_model_score_climbs(library: Library) -> None:
    c = card(library, "fcurve-ppo-reward-hacking")
    kl, score = curves(c)["KL to reference"], curves(c, "metric")["RM score"]
    assert kl[-1] > 20 * kl[0] and kl[15] < 2 * kl[0]
    assert score[-1] > 3 * score[10]


def test_the_diffusion_loss_is_flat_while_fid_improves(library: Library) -> None:
    c = card(library, "fcurve-diffusion-flat-loss")
    loss, fid = curves(c)["train loss"], curves(c, "metric")["FID"]
    late = loss[40:]
    assert abs(sum(late[:20]) / 20 - sum(late[20:]) / 20) < 0.1 * late[0]
    assert fid[-1] < fid[40] < fid[0] / 2


def test_the_first_decks_cards_draw_train_and_validation_only(library: Library) -> None:
    old = [c for c in library.of_kind("loss_curve") if c.deck == "beyond"]
    assert old
    for c in old:
        assert isinstance(c, LossCurve)
        assert list(curves(c)) == ["train", "validation"] and curves(c, "metric") == {}


def test_a_named_series_may_go_negative_but_train_may_not(library: Library) -> None:
    shape = card(library, "fcurve-dpo-rewards").series[0].curve  # type: ignore[index]
    assert min(series(shape, 30, "s", None)) < 0
    assert min(series(shape, 30, "s")) == 0.0  # the loss floor of train and validation


def test_the_picture_has_a_second_axis_and_a_legend_entry_per_series(library: Library) -> None:
    console = Console(width=80, color_system=None)
    with console.capture() as captured:
        console.print(curve_renderable(card(library, "fcurve-dpo-rewards")))
    text = captured.get()
    for word in ("chosen", "rejected", "margin", "accuracy", "reward", "step (×10)"):
        assert word in text, word
    assert "├" in text  # ticks on the right-hand axis
    assert max(len(line) for line in text.splitlines()) <= 80


BAD = """\
cards:
  - id: curve-bad-series
    kind: loss_curve
    tags: [training-loop]
    question: What is it?
    epochs: 20
    train: {start: 1, end: 0.1, rate: 0.1}
    series:
      - name: train
        curve: {start: 1, end: 0.1, rate: 0.1}
      - name: acc
        axis: metric
        curve: {start: 0, end: 1, rate: 0.1, recovery: 3}
    options:
      - {text: "A", why: "because"}
      - {text: "B", why: "because"}
    answer: "A"
"""


def test_bad_series_are_deck_errors(tmp_path: Path) -> None:
    path = tmp_path / "curves.yaml"
    path.write_text(BAD)
    library = load_library([path], include_user_decks=False)
    messages = [str(e) for e in library.errors]
    assert any("train and validation go together" in m for m in messages), messages
    assert any("'train' is used twice" in m for m in messages), messages
    assert any("recovery" in m and "goes with spikes" in m for m in messages), messages
    assert any("metric labels the right axis" in m for m in messages), messages
    assert all("curves.yaml:" in m for m in messages)
