"""New cards come interleaved across kinds and sections, not one kind of one section in a row."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from quizapp.scheduling import StudyQueue, interleave
from quizapp.store import Store
from tests.shipped import shipped_library


@dataclass(frozen=True)
class FakeCard:
    id: str
    kind: str
    section: int


cards_strategy = st.lists(
    st.tuples(st.sampled_from(["faq", "trap", "concept"]), st.integers(1, 4)), max_size=30
).map(lambda pairs: [FakeCard(f"c{i}", k, s) for i, (k, s) in enumerate(pairs)])


@given(cards_strategy)
def test_interleaving_keeps_every_card_once_and_the_file_order_within_a_group(cards) -> None:
    out = interleave(cards)  # type: ignore[arg-type]
    assert sorted(c.id for c in out) == sorted(c.id for c in cards)
    for kind, section in {(c.kind, c.section) for c in cards}:
        group = [c.id for c in cards if (c.kind, c.section) == (kind, section)]
        assert [c.id for c in out if (c.kind, c.section) == (kind, section)] == group


def test_the_first_day_of_new_cards_mixes_kinds_and_sections(tmp_path) -> None:
    library = shipped_library()
    with Store.open(tmp_path / "progress.db") as store:
        first = StudyQueue(store, library).next(limit=20)
    cards = [library.cards[i] for i in first]
    assert len(first) == 20
    assert len({c.kind for c in cards}) >= 4
    assert len({c.section for c in cards}) >= 8
