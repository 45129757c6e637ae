"""Revision-checklist tracking: ticks by hand, and readiness that follows the linked cards."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from quizapp.checklist import checklist_status
from quizapp.decks import Library
from quizapp.scheduling import StudyQueue
from quizapp.store import Settings, Store
from tests.unit.progress_decks import checklist_item, faq, library_of, multiple_choice

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
Rating = fsrs.Rating


@pytest.fixture
def library(tmp_path: Path) -> Library:
    return library_of(
        tmp_path / "decks",
        {
            "basics": [faq("faq-a"), faq("faq-b"), multiple_choice("mc-c")],
            "checklist": [
                checklist_item(2, ["faq-b", "mc-c"]),
                checklist_item(1, ["faq-a", "faq-b"]),
            ],
        },
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "progress.db")
    yield s
    s.close()


def _learn(store: Store, library: Library, item_id: str, rating: Rating = Rating.Easy) -> None:
    queue = StudyQueue(store, library, now=T0)
    queue.rate(item_id, rating)


def test_nothing_studied_means_nothing_ready(store: Store, library: Library) -> None:
    items = checklist_status(store, library, now=T0)
    assert [i.number for i in items] == [1, 2]
    assert not any(i.ready or i.ticked for i in items)
    assert all(link.recall is None and link.reviews == 0 for i in items for link in i.links)


def test_an_item_is_ready_when_every_linked_card_is_recalled(
    store: Store, library: Library
) -> None:
    _learn(store, library, "faq-a")
    first, second = checklist_status(store, library, now=T0 + timedelta(hours=1))
    assert not first.ready  # faq-b not studied yet
    _learn(store, library, "faq-b")
    first, second = checklist_status(store, library, now=T0 + timedelta(hours=1))
    assert first.ready and not second.ready  # mc-c still unseen
    assert first.answered_right == 2
    assert [link.title for link in first.links] == ["What about faq-a?", "What about faq-b?"]


def test_readiness_fades_as_recall_falls_below_the_desired_retention(
    store: Store, library: Library
) -> None:
    _learn(store, library, "faq-a")
    _learn(store, library, "faq-b")
    assert checklist_status(store, library, now=T0 + timedelta(days=1))[0].ready
    months_later = checklist_status(store, library, now=T0 + timedelta(days=120))[0]
    assert not months_later.ready
    assert all(link.recall is not None and link.recall < 0.9 for link in months_later.links)


def test_a_wrong_answer_counts_as_evidence_but_not_as_right(store: Store, library: Library) -> None:
    quiz = store.start_quiz("mixed", {}, now=T0)
    store.record_quiz_answer(quiz, "mc-c", correct=False, rating=1, kind="multiple_choice", now=T0)
    store.record_quiz_answer(quiz, "faq-b", correct=True, rating=3, kind="faq", now=T0)
    second = checklist_status(store, library, now=T0)[1]
    by_id = {link.item_id: link for link in second.links}
    assert (by_id["mc-c"].reviews, by_id["mc-c"].correct) == (1, 0)
    assert (by_id["faq-b"].reviews, by_id["faq-b"].correct) == (1, 1)
    assert second.answered_right == 1


def test_recall_is_predicted_for_the_interview_date(store: Store, library: Library) -> None:
    _learn(store, library, "faq-a")
    _learn(store, library, "faq-b")
    today = checklist_status(store, library, now=T0)[0]
    store.save_settings(Settings(interview_date=date(2026, 9, 1)))
    interview = checklist_status(store, library, now=T0)[0]
    assert interview.recall_at.date() == date(2026, 9, 1)
    assert today.ready and not interview.ready
    for now_link, then_link in zip(today.links, interview.links, strict=True):
        assert then_link.recall < now_link.recall  # type: ignore[operator]


def test_a_past_interview_date_falls_back_to_now(store: Store, library: Library) -> None:
    store.save_settings(Settings(interview_date=date(2026, 1, 1)))
    assert checklist_status(store, library, now=T0)[0].recall_at == T0


def test_ticks_show_beside_the_evidence(store: Store, library: Library) -> None:
    store.set_ticked(2, True, now=T0)
    first, second = checklist_status(store, library, now=T0)
    assert not first.ticked and first.ticked_at is None
    assert second.ticked and second.ticked_at == T0 and not second.ready
