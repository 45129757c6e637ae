"""The generated training curves of the "read the loss curve" cards: deterministic, and each
shipped card's curves really show the symptom its right answer names; bad parameters are deck
errors with a file, line and field."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from quizapp.content import load_library
from quizapp.decks import Library
from quizapp.decks.models import LossCurve
from quizapp.training_curves import curves, first_nan
from tests.shipped import shipped_library


@pytest.fixture(scope="module")
def library() -> Library:
    return shipped_library()


def card(library: Library, card_id: str) -> LossCurve:
    found = library.cards[card_id]
    assert isinstance(found, LossCurve)
    return found


def test_at_least_ten_cards_each_with_every_option_explained(library: Library) -> None:
    cards = [c for c in library.of_kind("loss_curve") if isinstance(c, LossCurve)]
    assert len(cards) >= 10
    for c in cards:
        assert len(c.options) >= 4 and all(len(o.why.split()) >= 8 for o in c.options), c.id


def test_the_same_card_draws_the_same_curves(library: Library) -> None:
    c = card(library, "curve-lr-too-high-spikes")
    assert curves(c) == curves(c)
    assert curves(c)["train"] != curves(c)["validation"]


def test_overfitting_validation_turns_up_while_training_falls(library: Library) -> None:
    data = curves(card(library, "curve-overfitting"))
    val, train = data["validation"], data["train"]
    low = min(range(len(val)), key=val.__getitem__)
    assert 10 < low < len(val) - 10
    assert val[-1] > val[low] + 0.3
    assert train[-1] < train[low]


def test_divergence_ends_in_nan_and_only_then(library: Library) -> None:
    data = curves(card(library, "curve-divergence-nan"))
    at = first_nan(data["train"])
    assert at is not None and all(math.isnan(v) for v in data["train"][at:])
    assert data["train"][at - 1] > 5 * data["train"][0]
    assert first_nan(curves(card(library, "curve-overfitting"))["train"]) is None


def test_the_cyclic_schedule_bumps_both_curves_once_per_cycle(library: Library) -> None:
    c = card(library, "curve-cyclic-lr-bumps")
    period = int(c.train.period or 0)
    assert period == int(c.validation.period or 0) == 15 and "15-epoch cycle" in c.question
    for values in curves(c).values():
        for start in range(period, len(values) - period, period):
            window = values[start - 3 : start + 4]
            assert max(window) == values[start] or max(window) in values[start - 1 : start + 2]
            assert values[start] > values[start + period // 2]


def test_curve_questions_say_what_was_run_not_what_the_curves_do(library: Library) -> None:
    """A stem that describes the curve ("validation loss falls, then climbs") gives the
    diagnosis away; the learner must read it off the picture."""
    telling = re.compile(
        r"\b(falls?|falling|climbs?|rises?|rising|spikes?|jagged|plateau|flatten\w*|bumps?|"
        r"explodes?|erratic|tracks?|sits? (below|above))\b",
        re.IGNORECASE,
    )
    for c in library.of_kind("loss_curve"):
        assert isinstance(c, LossCurve)
        assert not telling.search(c.question), (c.id, telling.search(c.question))


def test_validation_below_training_and_leakage(library: Library) -> None:
    below = curves(card(library, "curve-validation-below-train"))
    assert all(v < t for v, t in zip(below["validation"], below["train"], strict=True))
    leak = curves(card(library, "curve-leakage"))
    assert max(abs(v - t) for v, t in zip(leak["validation"], leak["train"], strict=True)) < 0.1


BAD = """\
cards:
  - id: curve-bad
    kind: loss_curve
    tags: [training-loop]
    question: What is it?
    epochs: 3
    train: {start: 1, end: 0.1, rate: 0.1, turn: 5}
    validation: {start: 1, end: 0.1, rate: 0.1}
    options:
      - {text: "A", why: "because"}
      - {text: "B", why: "because"}
    answer: "A"
"""


def test_bad_curve_parameters_are_deck_errors(tmp_path: Path) -> None:
    path = tmp_path / "curves.yaml"
    path.write_text(BAD)
    library = load_library([path], include_user_decks=False)
    messages = [str(e) for e in library.errors]
    assert any("epochs" in m and "5 to 200" in m for m in messages), messages
    assert any("turn and rise go together" in m and "train" in m for m in messages), messages
    assert all(m.startswith(f"{path}:") or "curves.yaml:" in m for m in messages)
