"""Stats a learner reads: reviews per day, streak, true retention, accuracy, forecast, weakest."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from quizapp.decks import Library
from quizapp.stats import Today, compute_stats, today_figures
from quizapp.store import Store
from tests.unit.progress_decks import checklist_item, faq, library_of, multiple_choice

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)  # noon: local days line up for zones within +-11 h
Rating = fsrs.Rating


def days_ago(n: float) -> datetime:
    return NOW - timedelta(days=n)


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return library_of(
        tmp_path / "decks",
        {
            "basics": [
                faq("faq-a", tags=("regression",)),
                faq("faq-b", tags=("classification",)),
                multiple_choice("mc-c", tags=("classification", "imbalance")),
                faq("faq-new"),
            ],
            "checklist": [checklist_item(1, ["faq-a"]), checklist_item(2, ["mc-c"])],
        },
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "progress.db")
    yield s
    s.close()


def review(store: Store, item: str, rating: Rating, at: datetime, kind: str = "faq") -> None:
    store.record_review(item, rating, kind=kind, now=at)


def test_an_empty_history_reads_as_zeros(store: Store, library: Library) -> None:
    stats = compute_stats(store, library, now=NOW)
    data = stats.to_json()
    assert data["reviews_total"] == data["reviews_today"] == data["streak_days"] == 0
    assert data["retention"] is None and data["due_now"] == 0
    # New today counts flashcards (the quiz question is practice, not a new card).
    assert data["new_available"] == data["new_today"] == 3 and data["checklist_total"] == 2
    assert len(data["due_forecast"]) == 14 and len(data["reviews_per_day"]) == 30


def test_reviews_per_day_and_the_streak(store: Store, library: Library) -> None:
    for n, count in ((6, 2), (2, 1), (1, 3)):
        for _ in range(count):
            review(store, "faq-a", Rating.Good, days_ago(n))
    stats = compute_stats(store, library, now=NOW)
    per_day = dict(stats.reviews_per_day)
    today = NOW.astimezone().date()
    assert [per_day[today - timedelta(days=n)] for n in (6, 2, 1, 0)] == [2, 1, 3, 0]
    assert stats.reviews_total == 6 and stats.reviews_today == 0
    assert stats.streak_days == 2  # yesterday and the day before; today is still open
    review(store, "faq-b", Rating.Good, NOW)
    assert compute_stats(store, library, now=NOW).streak_days == 3
    assert compute_stats(store, library, now=NOW + timedelta(days=2)).streak_days == 0
    # The home screen's cheap figures agree with the full stats at every moment.
    for at in (NOW, NOW + timedelta(days=1), NOW + timedelta(days=2)):
        full = compute_stats(store, library, now=at)
        assert today_figures(store, now=at) == Today(full.streak_days, full.reviews_today)


def test_true_retention_counts_only_reviews_of_cards_in_review(
    store: Store, library: Library
) -> None:
    review(store, "faq-a", Rating.Good, days_ago(20))  # new -> learning: not counted
    review(store, "faq-a", Rating.Good, days_ago(20) + timedelta(minutes=10))  # -> review
    review(store, "faq-a", Rating.Again, days_ago(10))  # review, forgotten
    review(store, "faq-a", Rating.Good, days_ago(10) + timedelta(minutes=10))  # relearning
    review(store, "faq-a", Rating.Good, days_ago(5))  # review, remembered
    review(store, "faq-a", Rating.Hard, days_ago(1))  # review, remembered
    stats = compute_stats(store, library, now=NOW)
    assert stats.retention_reviews == 3
    assert stats.retention == pytest.approx(2 / 3)
    assert stats.accuracy_by_kind["faq"].rate == pytest.approx(5 / 6)


def test_accuracy_per_tag_and_kind_and_removed_cards(store: Store, library: Library) -> None:
    review(store, "faq-a", Rating.Again, days_ago(1))
    review(store, "faq-b", Rating.Good, days_ago(1))
    review(store, "mc-c", Rating.Again, days_ago(1), kind="multiple_choice")
    review(store, "mc-c", Rating.Good, days_ago(1) + timedelta(minutes=5), kind="multiple_choice")
    review(store, "gone-card", Rating.Good, days_ago(1), kind="trap")  # removed from the decks
    stats = compute_stats(store, library, now=NOW)
    tags = {k: (v.reviews, v.correct) for k, v in stats.accuracy_by_tag.items()}
    assert tags == {"regression": (1, 0), "classification": (3, 2), "imbalance": (2, 1)}
    kinds = {k: (v.reviews, v.correct) for k, v in stats.accuracy_by_kind.items()}
    assert kinds == {"faq": (2, 1), "multiple_choice": (2, 1), "trap": (1, 1)}
    assert "gone-card" not in {w.item_id for w in stats.weakest}


def test_a_right_answer_after_being_shown_counts_neither_way(
    store: Store, library: Library
) -> None:
    """A miss, then the retry answered right after the feedback showed the answer (rated Again by
    the policy): one answer wrong, not two, and not one right either."""
    at = days_ago(1)
    store.record_review("mc-c", Rating.Again, kind="multiple_choice", verdict="incorrect", now=at)
    store.record_review(
        "mc-c",
        Rating.Again,
        kind="multiple_choice",
        verdict="correct",
        now=at + timedelta(1 / 1440),
    )
    stats = compute_stats(store, library, now=NOW)
    assert (
        stats.accuracy_by_tag["imbalance"].reviews,
        stats.accuracy_by_tag["imbalance"].correct,
    ) == (1, 0)
    review(store, "mc-c", Rating.Good, days_ago(0.5), kind="multiple_choice")  # now known
    tags = compute_stats(store, library, now=NOW).accuracy_by_tag
    assert (tags["imbalance"].reviews, tags["imbalance"].correct) == (2, 1)


def test_due_forecast_and_due_now(store: Store, library: Library) -> None:
    review(store, "faq-a", Rating.Again, days_ago(9))  # long overdue
    review(store, "faq-b", Rating.Good, days_ago(3))
    review(store, "faq-b", Rating.Good, days_ago(3) + timedelta(minutes=10))  # due in ~days
    review(store, "mc-c", Rating.Easy, NOW, kind="multiple_choice")  # due in about a week
    stats = compute_stats(store, library, now=NOW)
    state_b = store.card_state("faq-b")
    state_c = store.card_state("mc-c")
    assert state_b is not None and state_c is not None
    forecast = dict(stats.due_forecast)
    today = NOW.astimezone().date()
    expected = {today: 1}  # the overdue one counts today
    for state in (state_b, state_c):
        day = max(state.due.astimezone().date(), today)
        expected[day] = expected.get(day, 0) + 1
    assert {d: n for d, n in forecast.items() if n} == expected
    assert stats.due.cards == sum(1 for s in (state_b,) if s.due <= NOW) + 1
    assert stats.due.practice == (1 if state_c.due <= NOW else 0)


def test_weakest_cards_are_the_most_missed_and_one_review_ranks_nothing(
    store: Store, library: Library
) -> None:
    review(store, "faq-a", Rating.Again, days_ago(30))  # seen once: not ranked, even failed
    for rating in (Rating.Good, Rating.Good, Rating.Again, Rating.Good):  # a lapse
        review(store, "faq-b", rating, days_ago(20 - len(store.reviews("faq-b"))))
    for rating in (Rating.Again, Rating.Good):  # wrong once, no lapse
        review(store, "mc-c", rating, days_ago(3), kind="multiple_choice")
    stats = compute_stats(store, library, now=NOW)
    assert [w.item_id for w in stats.weakest] == ["faq-b", "mc-c"]
    assert (stats.weakest[0].lapses, stats.weakest[1].wrong) == (1, 1)
    assert stats.seen_once == 1
    review(store, "faq-a", Rating.Good, days_ago(1))
    review(store, "faq-a", Rating.Easy, NOW)
    # Seen three times, missed once: ranked, after the lapse.
    assert "faq-a" in [w.item_id for w in compute_stats(store, library, now=NOW).weakest][1:]


def test_json_has_the_documented_keys(store: Store, library: Library) -> None:
    store.set_ticked(1, True)
    review(store, "faq-a", Rating.Good, NOW)
    data = json.loads(json.dumps(compute_stats(store, library, now=NOW).to_json()))
    for key in (
        "reviews_total",
        "reviews_today",
        "due_now",
        "new_available",
        "streak_days",
        "retention",
        "checklist_done",
        "checklist_total",
    ):
        assert key in data
    assert (data["reviews_today"], data["checklist_done"], data["new_available"]) == (1, 1, 2)
