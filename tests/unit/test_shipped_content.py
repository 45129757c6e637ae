"""The shipped loss-functions deck: it loads cleanly, covers every kind the issue asks for, and
its cross-references hold."""

from __future__ import annotations

import pytest

from quizapp.decks import Library
from quizapp.decks.models import ChecklistItem, Formula, MultipleChoice
from tests.shipped import shipped_library

MINIMUM = {
    "trap": 9,
    "faq": 8,
    "formula": 10,
    "concept": 20,
    "self_check": 6,
    "interview_question": 9,
    "multiple_choice": 15,
    "ordering": 1,
    "checklist": 9,
    "cheat_sheet": 12,
    "pitch": 2,
}


@pytest.fixture(scope="module")
def library() -> Library:
    return shipped_library()


def test_every_shipped_card_loads(library: Library) -> None:
    assert [str(e) for e in library.errors] == []


@pytest.mark.parametrize("kind", sorted(MINIMUM))
def test_each_kind_meets_its_minimum(library: Library, kind: str) -> None:
    assert library.counts()[kind] >= MINIMUM[kind]


def test_the_checklist_is_the_nine_items_and_every_link_resolves(library: Library) -> None:
    items = library.checklist
    # The first deck's nine items, then the second and third decks', numbered on.
    assert [i.number for i in items if i.deck == "loss"] == list(range(1, 10))
    assert [i.number for i in items] == list(range(1, len(items) + 1))
    assert {i.deck for i in items} == {"loss", "beyond", "frontier"}
    for item in items:
        assert isinstance(item, ChecklistItem)
        for link in item.links:
            assert link in library.cards, (item.id, link)
            # Evidence must be something a learner can answer, not reference material.
            assert library.cards[link].kind not in ("checklist", "cheat_sheet", "pitch")


def test_the_interview_traps_and_system_design_traps_are_all_there(library: Library) -> None:
    traps = library.of_kind("trap")
    assert sum("system-design" in t.tags for t in traps) >= 3
    assert sum(t.section == 12 for t in traps) >= 6


def test_every_multiple_choice_explains_every_option(library: Library) -> None:
    cards = library.of_kind("multiple_choice")
    assert cards
    for card in cards:
        assert isinstance(card, MultipleChoice)
        assert len(card.options) >= 3, card.id
        assert all(o.why for o in card.options), card.id


def test_formula_ascii_uses_exactly_its_declared_variables(library: Library) -> None:
    from quizapp.mathcheck import parse

    cards = library.of_kind("formula")
    assert cards
    for card in cards:
        assert isinstance(card, Formula)
        assert parse(card.ascii, names=tuple(card.variables)).names == set(card.variables)


def test_cards_cite_real_sections_of_the_notes(library: Library) -> None:
    sections = {c.section for c in library.cards.values()}
    # Every taught section of the notes is covered by at least one card.
    for needed in range(1, 23):
        assert needed in sections, needed
