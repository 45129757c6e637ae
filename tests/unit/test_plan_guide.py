"""The plan steers today's queue: a raised pace of new cards and reviews pulled forward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from quizapp.content import load_library
from quizapp.scheduling import Guide, StudyQueue
from quizapp.store import Store
from tests.unit.progress_decks import faq, write_deck

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def library(tmp_path: Path):
    folder = write_deck(tmp_path / "content", {"basics": [faq(f"faq-{i}") for i in range(40)]})
    lib = load_library([folder], include_user_decks=False)
    assert len(lib.cards) == 40
    return lib


def test_a_raised_pace_gives_more_new_cards_today_and_only_today(library) -> None:
    with Store.open() as store:
        plain = StudyQueue(store, library, now=NOW)
        assert plain.counts().new == 20
        guided = StudyQueue(store, library, now=NOW, guide=Guide(NOW.date(), 35))
        assert guided.counts().new == 35
        assert len(guided.next(limit=40)) == 35
        stale = Guide(NOW.date() - timedelta(days=1), 35)
        assert StudyQueue(store, library, now=NOW, guide=stale).counts().new == 20
        lower = Guide(NOW.date(), 5)  # a plan never lowers the learner's own setting
        assert StudyQueue(store, library, now=NOW, guide=lower).counts().new == 20


def test_reviews_pulled_forward_are_served_after_the_due_ones_then_not_again(library) -> None:
    with Store.open() as store:
        yesterday = NOW - timedelta(days=1)
        for i in range(3):
            store.record_review(f"faq-{i}", fsrs.Rating.Easy, kind="faq", now=yesterday)
        state = store.card_state("faq-1")
        assert state is not None and state.due > NOW  # not due: FSRS alone would wait
        guide = Guide(NOW.date(), 0, frozenset({"faq-1"}))
        queue = StudyQueue(store, library, now=NOW, guide=guide)
        before = StudyQueue(store, library, now=NOW).counts().due
        assert queue.counts().due == before + 1
        assert "faq-1" in queue.next(limit=5)
        store.record_review("faq-1", fsrs.Rating.Good, kind="faq", now=NOW)
        assert "faq-1" not in StudyQueue(store, library, now=NOW, guide=guide).next(limit=5)
