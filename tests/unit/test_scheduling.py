"""Scheduling facts a learner notices, checked against the fsrs package itself."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.scheduling import StudyQueue, format_interval, make_scheduler
from quizapp.store import Settings, Store
from tests.unit.progress_decks import faq, library_of, multiple_choice

# Mid-morning UTC: "the same day" is unambiguous in any test time zone within +-9 h.
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
Rating = fsrs.Rating


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "progress.db")
    yield s
    s.close()


def test_again_brings_a_card_back_the_same_day(tmp_path: Path, store: Store) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq("card-a")]})
    queue = StudyQueue(store, library, now=T0)
    queue.rate("card-a", Rating.Good)
    queue.now = T0 + timedelta(minutes=10)
    graduated = queue.rate("card-a", Rating.Good)
    assert graduated - queue.now >= timedelta(days=1)  # now in review, days away
    queue.now = graduated
    back = queue.rate("card-a", Rating.Again)
    assert back.astimezone().date() == graduated.astimezone().date()
    assert back - graduated <= timedelta(minutes=10)
    assert queue.next() == ["card-a"]  # and it is offered again within the session
    assert store.card_state("card-a").lapses == 1  # type: ignore[union-attr]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 6))
def test_good_on_a_new_card_follows_fsrs(
    tmp_path_factory: pytest.TempPathFactory, seed: int, steps: int
) -> None:
    """Answering Good at each due time gives exactly fsrs's own schedule (without fuzzing: a
    card's state is a pure function of its log, the same on every machine)."""
    store = Store.open(tmp_path_factory.mktemp("good") / "progress.db")
    scheduler = make_scheduler()
    card = fsrs.Card(card_id=0, due=T0)
    at = T0
    for i in range(steps):
        random.seed(seed + i)
        expected, _ = scheduler.review_card(card, Rating.Good, at)
        random.seed(seed + i)
        review = store.record_review("card-a", Rating.Good, kind="faq", now=at)
        assert review.due == expected.due
        saved = store.card_state("card-a")
        assert saved is not None
        assert (saved.card.state, saved.card.stability, saved.card.difficulty) == (
            expected.state,
            expected.stability,
            expected.difficulty,
        )
        card, at = expected, expected.due
    store.close()


def test_desired_retention_changes_the_intervals(tmp_path: Path, store: Store) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq("card-a")]})
    queue = StudyQueue(store, library, now=T0)
    queue.rate("card-a", Rating.Good)
    queue.now = T0 + timedelta(minutes=10)
    at_90 = queue.preview("card-a")[Rating.Easy]
    store.save_settings(Settings(desired_retention=0.8))
    at_80 = queue.preview("card-a")[Rating.Easy]
    assert at_80 > at_90


def test_preview_shows_what_each_button_would_do(tmp_path: Path, store: Store) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq("card-a")]})
    queue = StudyQueue(store, library, now=T0)
    preview = queue.preview("card-a")
    reference = fsrs.Scheduler(enable_fuzzing=False)
    for rating in Rating:
        expected, _ = reference.review_card(fsrs.Card(card_id=0, due=T0), rating, T0)
        assert preview[rating] == expected.due - T0
    assert (
        preview[Rating.Again] < preview[Rating.Hard] < preview[Rating.Good] < preview[Rating.Easy]
    )
    assert store.reviews() == []  # previewing records nothing
    assert [format_interval(preview[r]) for r in (Rating.Again, Rating.Good)] == ["1m", "10m"]


def test_due_cards_come_first_then_new_ones_in_deck_order(tmp_path: Path, store: Store) -> None:
    cards = [faq(f"card-{c}") for c in "abcde"]
    library = library_of(tmp_path / "decks", {"basics": cards})
    queue = StudyQueue(store, library, now=T0)
    assert queue.next(limit=10) == [f"card-{c}" for c in "abcde"]
    queue.rate("card-c", Rating.Again)  # back in a minute
    queue.rate("card-e", Rating.Good)  # back in ten
    queue.now = T0 + timedelta(minutes=11)
    assert queue.next(limit=10) == ["card-c", "card-e", "card-a", "card-b", "card-d"]
    assert queue.next(exclude=["card-c"]) == ["card-e"]
    counts = queue.counts()
    assert (counts.due, counts.learning, counts.new) == (0, 2, 3)


def test_new_cards_per_day_are_limited_and_refill_the_next_day(
    tmp_path: Path, store: Store
) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq(f"card-{i}") for i in range(10)]})
    store.save_settings(Settings(new_per_day=3))
    queue = StudyQueue(store, library, now=T0)
    assert queue.counts().new == 3
    assert len(queue.next(limit=10)) == 3
    for item_id in queue.next(limit=3):
        queue.rate(item_id, Rating.Easy)  # days away
    assert queue.counts().new == 0 and queue.next() == []
    queue.now = T0 + timedelta(days=1)
    assert queue.counts().new == 3
    assert queue.next(limit=10)[:3] == ["card-3", "card-4", "card-5"]


def test_filters_by_deck_tag_and_kind(tmp_path: Path, store: Store) -> None:
    library = library_of(
        tmp_path / "decks",
        {
            "basics": [faq("faq-a", tags=("regression",)), faq("faq-b")],
            "quiz": [multiple_choice("mc-a", tags=("regression", "classification"))],
        },
    )
    queue = StudyQueue(store, library, now=T0)
    assert queue.next(deck="quiz", limit=5) == ["mc-a"]
    assert queue.next(tag="regression", limit=5) == ["faq-a", "mc-a"]
    assert queue.next(kinds=["faq"], limit=5) == ["faq-a", "faq-b"]
    assert queue.counts(kinds=["multiple_choice"]).new == 1


def test_checklist_items_never_enter_the_queue(tmp_path: Path, store: Store) -> None:
    from tests.unit.progress_decks import checklist_item

    library = library_of(tmp_path / "decks", {"d": [faq("faq-a"), checklist_item(1, ["faq-a"])]})
    assert StudyQueue(store, library, now=T0).next(limit=5) == ["faq-a"]


def test_edited_cards_keep_progress_and_removed_ones_leave_the_queue(
    tmp_path: Path, store: Store
) -> None:
    first = library_of(tmp_path / "v1", {"basics": [faq("card-a"), faq("card-b")]})
    queue = StudyQueue(store, first, now=T0)
    queue.rate("card-a", Rating.Again)
    queue.rate("card-b", Rating.Again)
    later = T0 + timedelta(hours=1)

    edited = library_of(tmp_path / "v2", {"basics": [faq("card-a", text="reworded")]})
    queue = StudyQueue(store, edited, now=later)
    assert queue.next(limit=5) == ["card-a"]  # still due from before the edit, not new
    assert queue.counts().new == 0
    assert store.card_state("card-a").reps == 1  # type: ignore[union-attr]
    assert [r.item_id for r in store.reviews("card-b")] == ["card-b"]  # history kept
    assert queue.retrievability("card-b", later) is not None


def test_undo_through_the_queue_shows_the_card_again(tmp_path: Path, store: Store) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq("card-a"), faq("card-b")]})
    queue = StudyQueue(store, library, now=T0)
    queue.rate("card-a", Rating.Easy)
    assert queue.next() == ["card-b"]
    assert queue.undo() == "card-a"
    assert queue.next() == ["card-a"] and queue.counts().new == 2
    assert queue.undo() is None


def test_a_learning_card_is_shown_early_rather_than_ending_the_session(
    tmp_path: Path, store: Store
) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq("card-a")]})
    queue = StudyQueue(store, library, now=T0)
    queue.rate("card-a", Rating.Good)  # due in 10 minutes
    assert queue.next() == ["card-a"]
    assert queue.counts().learning == 1


def test_another_process_reviewing_is_seen_by_the_queue(tmp_path: Path, store: Store) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq("card-a"), faq("card-b")]})
    queue = StudyQueue(store, library, now=T0)
    assert queue.next() == ["card-a"]
    with Store.open(store.path) as other:
        other.record_review("card-a", Rating.Easy, kind="faq", now=T0)
    assert queue.next() == ["card-b"]


def test_retrievability_falls_with_time_and_is_none_for_new_cards(
    tmp_path: Path, store: Store
) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq("card-a"), faq("card-b")]})
    queue = StudyQueue(store, library, now=T0)
    queue.rate("card-a", Rating.Easy)
    soon = queue.retrievability("card-a", T0 + timedelta(days=2))
    later = queue.retrievability("card-a", T0 + timedelta(days=60))
    assert soon is not None and later is not None and 1 >= soon > later > 0
    assert queue.retrievability("card-b", T0) is None
