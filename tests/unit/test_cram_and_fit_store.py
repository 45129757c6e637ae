"""Cram reviews leave FSRS state alone; fitted FSRS parameters are kept and used."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs

from quizapp.fit import DEFAULT_PARAMETERS, FitResult
from quizapp.store import Store
from quizapp.store.schema import SCHEMA_VERSION

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def test_cram_reviews_are_logged_and_change_no_fsrs_state() -> None:
    with Store.open() as store:
        store.record_review("faq-a", fsrs.Rating.Good, kind="faq", now=NOW)
        before = store.card_state("faq-a")
        reviews_before = store.reviews("faq-a")
        for minutes, rating in ((1, fsrs.Rating.Again), (2, fsrs.Rating.Good)):
            store.record_cram("faq-a", rating, now=NOW + timedelta(minutes=minutes))
        store.record_cram("never-seen", fsrs.Rating.Easy, now=NOW)
        assert store.card_state("faq-a") == before
        assert store.reviews("faq-a") == reviews_before
        assert store.card_state("never-seen") is None
    with Store.open() as again:  # and it is on disk
        crams = again.cram_reviews()
        assert [(c.item_id, c.rating) for c in crams] == [
            ("faq-a", fsrs.Rating.Again),
            ("faq-a", fsrs.Rating.Good),
            ("never-seen", fsrs.Rating.Easy),
        ]
        assert len({c.uuid for c in crams}) == 3
        assert again.card_state("faq-a") == before


def test_a_fitted_parameter_set_is_kept_and_schedules_reviews() -> None:
    params = list(DEFAULT_PARAMETERS)
    params[2] = 0.5  # a learner whose first "Good" memories last half a day, not 2.3 days
    fit = FitResult(tuple(params), 500, 0.40, 0.33, NOW)
    with Store.open() as store:
        assert store.fsrs_fit() is None
        assert tuple(store.scheduler.parameters) == DEFAULT_PARAMETERS
        store.save_fsrs_fit(fit.to_json())
        assert tuple(store.scheduler.parameters) == tuple(params)
    with Store.open() as again:
        assert FitResult.from_json(again.fsrs_fit() or {}) == fit
        assert tuple(again.scheduler.parameters) == tuple(params)
        again.save_fsrs_fit(None)
        assert tuple(again.scheduler.parameters) == DEFAULT_PARAMETERS


def test_an_unusable_stored_fit_falls_back_to_the_defaults(quizapp_home: Path) -> None:
    with Store.open() as store:
        store.save_fsrs_fit({"parameters": [1, 2, 3], "reviews": 1})
        assert tuple(store.scheduler.parameters) == DEFAULT_PARAMETERS


def test_a_version_3_file_gains_the_cram_log(quizapp_home: Path) -> None:
    with Store.open() as store:
        store.record_review("faq-a", fsrs.Rating.Good, kind="faq", now=NOW)
    path = quizapp_home / "progress.db"
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE cram_reviews")
    conn.execute("PRAGMA user_version = 3")
    conn.commit()
    conn.close()
    with Store.open() as store:
        store.record_cram("faq-a", fsrs.Rating.Good, now=NOW)
        assert len(store.cram_reviews()) == 1
        assert len(store.reviews()) == 1
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()
