"""The second deck (content/beyond): what issue 15 promises of it. A formula card for every loss
it adds to the registry, at least 10 traps, 20 multiple-choice questions with every option
explained and 6 interview questions, the topics it must cover, and cards that cite no section of
the notes while the first deck's all do."""

from __future__ import annotations

from collections import Counter

import pytest

from quizapp.decks import Library
from quizapp.decks.models import Formula, MultipleChoice
from quizapp.losses import REGISTRY
from tests.shipped import shipped_library

DECK = "beyond"
MINIMUM = {"trap": 10, "multiple_choice": 20, "interview_question": 6, "formula": 13}
# The losses the second deck adds (the registry's entries from kl_div to the third deck's).
NEW_LOSSES = list(REGISTRY)[list(REGISTRY).index("kl_div") : list(REGISTRY).index("bradley_terry")]
TOPIC_TAGS = ("divergence", "calibration", "noisy-labels", "multi-task", "generative", "imbalance")


@pytest.fixture(scope="module")
def library() -> Library:
    return shipped_library()


def cards(library: Library, kind: str | None = None) -> list:
    return [
        c for c in library.cards.values() if c.deck == DECK and (kind is None or c.kind == kind)
    ]


def test_the_deck_loads_without_errors(library: Library) -> None:
    assert [str(e) for e in library.errors] == []
    assert cards(library)


@pytest.mark.parametrize("kind", sorted(MINIMUM))
def test_each_kind_meets_its_minimum(library: Library, kind: str) -> None:
    assert len(cards(library, kind)) >= MINIMUM[kind]


def test_every_new_loss_has_a_formula_card_naming_its_library_call(library: Library) -> None:
    formulas = [c for c in cards(library, "formula") if isinstance(c, Formula)]
    assert len(NEW_LOSSES) == 13
    for name in NEW_LOSSES:
        spec = REGISTRY[name]
        # The card's note names the call: the torch or sklearn function, or the formula in torch.
        call = spec.description.split(", as ")[-1].split(" ")[-1]
        matching = [c for c in formulas if call in (c.note or "") or name in c.id.replace("-", "_")]
        assert matching, f"no formula card for {name}"
        for card in matching:
            assert card.pros and card.cons and card.task and card.note


def test_every_option_of_every_question_is_explained(library: Library) -> None:
    for card in cards(library, "multiple_choice"):
        assert isinstance(card, MultipleChoice)
        assert len(card.options) >= 3, card.id
        for option in card.options:
            assert len(option.why.split()) >= 8, (card.id, option.text)


def test_the_topics_of_the_issue_are_covered(library: Library) -> None:
    tags = Counter(t for c in cards(library) for t in c.tags)
    for tag in TOPIC_TAGS:
        assert tags[tag] >= 2, tag
    text = " ".join(c.search_text() for c in cards(library)).lower()
    for word in ("perplexity", "entropy", "logit adjustment", "class-balanced", "proper scoring"):
        assert word in text, word


def test_only_the_first_deck_cites_the_notes(library: Library) -> None:
    for card in library.cards.values():
        if card.deck == "loss":
            assert card.section is not None, card.id
        else:
            assert card.section is None, card.id
