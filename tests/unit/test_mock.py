"""Mock interviews lean on weak topics and due items, and the report says what to revise."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from quizapp.decks import Library
from quizapp.mock import build_mock, mock_report, weight_for
from quizapp.stats import Accuracy, compute_stats
from quizapp.store import Store
from tests.shipped import shipped_library


@pytest.fixture(scope="module")
def library() -> Library:
    return shipped_library()


def stats_with(library: Library, **accuracy: tuple[int, int]):
    base = compute_stats(Store.open(), library)
    tags = {tag: Accuracy(n, right) for tag, (right, n) in accuracy.items()}
    return base.__class__(**{**base.__dict__, "accuracy_by_tag": tags})


def test_weak_tags_and_due_items_weigh_more(library: Library, quizapp_home) -> None:
    stats = stats_with(library, outliers=(1, 10), classification=(9, 10))
    weight = weight_for(stats, due={"mc-outliers-huber"})
    outlier = library.cards["mc-mse-vs-mae-choice"]
    assert "outliers" in outlier.tags
    strong = next(
        c
        for c in library.of_kind("multiple_choice")
        if set(c.tags) <= {"classification", "interview"}
    )
    assert weight(outlier) > weight(strong)
    assert weight(library.cards["mc-outliers-huber"]) > weight(outlier)  # due as well


def test_a_mock_mixes_explain_questions_and_favours_the_weak_tag(
    library: Library, quizapp_home
) -> None:
    stats = stats_with(library, outliers=(0, 20))
    picked = Counter()
    explain = 0
    for seed in range(20):
        quiz = build_mock(library, stats=stats, due=set(), seed=seed)
        picked.update("outliers" in q.tags for q in quiz.questions[:10])
        explain += sum(q.answer == "points" for q in quiz.questions)
    baseline = build_mock(library, stats=stats_with(library), due=set(), seed=0)
    share_weak = picked[True] / (picked[True] + picked[False])
    share_base = sum("outliers" in q.tags for q in baseline.questions) / len(baseline.questions)
    assert explain > 0
    assert share_weak > share_base


def test_the_report_names_weak_topics_misses_and_checklist_items(
    library: Library, quizapp_home
) -> None:
    quiz = build_mock(library, stats=stats_with(library), due=set(), seed=3)
    asked = [i for i, q in enumerate(quiz.questions) if q.choices][:4]
    for n, i in enumerate(asked):
        q = quiz.questions[i]
        right = next(j for j, c in enumerate(q.choices) if c.correct)
        quiz.answer(i, right if n == 0 else (right + 1) % len(q.choices), seconds=10)
    start = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    report = mock_report(quiz, library, started=start, ended=start + timedelta(minutes=7))
    assert (report.answered, report.right) == (4, 1)
    assert [c.id for c in report.revise] == [quiz.questions[i].item_id for i in asked[1:]]
    assert report.lines()[0] == "4 answered in 7 min, 1 right (25%)."
    missed_tags = {t for c in report.revise for t in c.tags}
    assert all(t in missed_tags for t, _, _ in report.weak_tags)
    for title in report.checklist:
        item = next(i for i in library.checklist if i.title == title)
        assert set(item.links) & {c.id for c in report.revise}


def test_an_empty_report_says_nothing_was_recorded(library: Library) -> None:
    quiz = build_mock(library, stats=stats_with(library), due=set(), seed=1)
    now = datetime.now(UTC)
    assert mock_report(quiz, library, started=now, ended=now).lines() == [
        "The interview ended before any answer; nothing was recorded."
    ]


def test_questions_left_open_are_counted_and_end_in_one_full_stop(library: Library) -> None:
    """A title ending in its own full stop (a fill-the-blank sentence) ends the line once."""
    quiz = build_mock(library, stats=stats_with(library), due=set(), seed=1)
    now = datetime.now(UTC)
    sentence = next(c for c in library.cards.values() if c.title.endswith("."))
    other = next(c for c in library.cards.values() if not c.title.endswith("."))
    for open_cards, count in (([sentence], "1 question"), ([other, sentence], "2 questions")):
        report = mock_report(
            quiz, library, started=now, ended=now, unanswered=open_cards, timed_out=False
        )
        line = report.lines()[-1]
        assert line.startswith(f"{count} open when you ended the interview, not answered: ")
        assert line.endswith(sentence.title) and not line.endswith("..")


@pytest.mark.parametrize(("seconds", "took"), [(20, "under a minute"), (59, "under a minute")])
def test_a_mock_ended_within_a_minute_says_so_not_0_min(
    library: Library, quizapp_home, seconds: int, took: str
) -> None:
    """esc esc after two quick answers reported "2 answered in 0 min"."""
    quiz = build_mock(library, stats=stats_with(library), due=set(), seed=3)
    i = next(i for i, q in enumerate(quiz.questions) if q.choices)
    right = next(j for j, c in enumerate(quiz.questions[i].choices) if c.correct)
    quiz.answer(i, right, seconds=5)
    start = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    report = mock_report(quiz, library, started=start, ended=start + timedelta(seconds=seconds))
    assert report.lines()[0] == f"1 answered in {took}, 1 right (100%)."
