"""Decks are first-class: the library knows its decks and narrows to one; study, quizzes, stats
and the drill list can be narrowed to a deck, and an unknown deck is a one-line usage error."""

from __future__ import annotations

import pytest

from quizapp.cli import main
from quizapp.decks import Library
from quizapp.quiz import Quiz
from quizapp.scheduling import StudyQueue
from quizapp.stats import compute_stats
from quizapp.store import Store
from quizapp.study import StudySession
from tests.shipped import shipped_library


@pytest.fixture(scope="module")
def library() -> Library:
    return shipped_library()


def test_the_library_lists_and_narrows_its_decks(library: Library) -> None:
    assert set(library.decks) == {"loss", "beyond", "frontier"}
    for name in library.decks:
        one = library.only_deck(name)
        assert one.cards and all(c.deck == name for c in one.cards.values())
    assert sum(len(library.only_deck(n).cards) for n in library.decks) == len(library.cards)
    assert library.only_deck(None) is library


def test_study_and_quiz_stay_in_the_deck(library: Library, quizapp_home) -> None:
    with Store.open() as store:
        session = StudySession(StudyQueue(store, library), library, deck="beyond")
        for _ in range(5):
            card = session.advance()
            assert card is not None and card.deck == "beyond"
            session.rate(3)
        quiz = Quiz.build(library, n=15, seed=1, deck="beyond", store=store)
        assert len(quiz.questions) == 15
        assert {q.card.deck for q in quiz.questions} == {"beyond"}
        loss_quiz = Quiz.build(library, n=15, seed=1, deck="loss", store=store)
        assert {q.card.deck for q in loss_quiz.questions} == {"loss"}


def test_stats_of_one_deck_count_only_its_cards(library: Library, quizapp_home) -> None:
    with Store.open() as store:
        queue = StudyQueue(store, library)
        session = StudySession(queue, library, deck="loss")
        session.advance()
        session.rate(1)  # one lapse on a card of the first deck
        loss_stats = compute_stats(store, library, deck="loss")
        beyond_stats = compute_stats(store, library, deck="beyond")
        everything = compute_stats(store, library)
    assert sum(a.reviews for a in loss_stats.accuracy_by_kind.values()) == 1
    assert sum(a.reviews for a in beyond_stats.accuracy_by_kind.values()) == 0
    # One review is too few to rank a card as weak; it is counted as seen once, in its deck only.
    assert beyond_stats.seen_once == 0 and loss_stats.seen_once == 1
    assert beyond_stats.weakest == []
    # Reviews are the deck's too: the other deck's stats show none of them.
    assert everything.reviews_total == loss_stats.reviews_total == 1
    assert beyond_stats.reviews_total == beyond_stats.reviews_today == 0
    assert sum(n for _, n in beyond_stats.reviews_per_day) == 0


def test_each_decks_reviews_and_retention_add_up_to_the_totals(
    library: Library, quizapp_home
) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    picks = {d: [c for c in library.only_deck(d).cards.values() if c.kind == "formula"][:3]
             for d in ("loss", "beyond")}  # fmt: skip
    assert all(len(cards) == 3 for cards in picks.values())
    with Store.open() as store:
        for deck, cards in picks.items():
            for i, card in enumerate(cards):
                # Easy first (a review card), then recalled or forgotten ten days later.
                store.record_review(card.id, 4, kind="formula", now=now - timedelta(days=20))
                again = 1 if (i == 0) == (deck == "loss") else 3
                store.record_review(card.id, again, kind="formula", now=now - timedelta(days=10))
        store.record_review(picks["loss"][0].id, 3, kind="formula", now=now)
        every = compute_stats(store, library)
        loss = compute_stats(store, library, deck="loss")
        beyond = compute_stats(store, library, deck="beyond")
    assert (loss.reviews_total, beyond.reviews_total, every.reviews_total) == (7, 6, 13)
    assert (loss.reviews_today, beyond.reviews_today) == (1, 0)
    assert loss.retention_reviews + beyond.retention_reviews == every.retention_reviews
    assert loss.retention is not None and beyond.retention is not None
    assert loss.retention > beyond.retention  # loss forgot one card of three, beyond two


def test_the_cli_narrows_the_drill_list_and_rejects_an_unknown_deck(
    capsys: pytest.CaptureFixture[str], quizapp_home
) -> None:
    assert main(["drill", "list", "--deck", "beyond"]) == 0
    out = capsys.readouterr().out
    assert "bgrad-kl-logit" in out and "grad-mse " not in out
    assert main(["stats", "--deck", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["quizapp: stats --deck nope: no such deck; the decks are beyond, frontier, loss"]
