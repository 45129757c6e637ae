"""Schema v7: a review's uuid is unique by a named index (reviews_uuid), which a large merge
drops and builds again once. A v6 file opened by this version is upgraded with every review,
id, quiz answer and the id high-water mark as they were, after a backup; the uuid stays unique;
the export format is unchanged (its schema_version is still 6)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import fsrs
import pytest

from quizapp.store import FORMAT_VERSION, SCHEMA_VERSION, Store, StoreError
from quizapp.store.schema import SCHEMA_V6
from tests.helpers import run_quizapp


def _v6_file(path: Path) -> None:
    """A v6 progress file: reviews 1-3 (a quiz answer on 2) and the high-water mark at 5 (the
    reviews with ids 4 and 5 were undone)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V6)
    conn.execute("PRAGMA user_version = 6")
    conn.execute(
        "INSERT INTO quiz_sessions (id, mode, config, started_at) VALUES (1, 'quiz', '{}', "
        "'2026-11-01T09:00:00.000000+00:00')"
    )
    for i in (1, 2, 3):
        conn.execute(
            "INSERT INTO reviews (id, uuid, item_id, kind, rating, reviewed_at, state_before, "
            "due_after) VALUES (?, ?, 'faq-1', 'faq', 3, ?, ?, ?)",
            (
                i,
                f"00000000-0000-4000-8000-00000000000{i}",
                f"2026-11-0{i}T09:00:00.000000+00:00",
                None if i == 1 else 2,
                f"2026-11-1{i}T09:00:00.000000+00:00",
            ),
        )
    conn.execute(
        "INSERT INTO quiz_answers (quiz_id, item_id, correct, answered_at, review_id) "
        "VALUES (1, 'faq-1', 1, '2026-11-02T09:00:00.000000+00:00', 2)"
    )
    conn.execute("UPDATE sqlite_sequence SET seq = 5 WHERE name = 'reviews'")
    conn.commit()
    conn.close()


def test_a_v6_file_is_upgraded_with_everything_kept(quizapp_home: Path) -> None:
    path = quizapp_home / "progress.db"
    _v6_file(path)
    with Store.open(path) as store:
        assert any("upgraded from schema 6 to 7" in n for n in store.notices), store.notices
        assert [r.id for r in store.reviews()] == [1, 2, 3]
        assert store.backups_dir.exists() and any(
            b.reason == "pre-migration-v6" for b in store.list_backups()
        )
        review = store.record_review("faq-2", fsrs.Rating.Good, kind="faq")
        assert review.id == 6  # never an id handed out before (4 and 5 were undone)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("SELECT review_id FROM quiz_answers").fetchall() == [(2,)]
        indexes = {r[1] for r in conn.execute("PRAGMA index_list(reviews)")}
        assert "reviews_uuid" in indexes and not any("autoindex" in i for i in indexes)
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO reviews (uuid, item_id, rating, reviewed_at) VALUES "
                "('00000000-0000-4000-8000-000000000001', 'faq-9', 3, "
                "'2026-11-05T09:00:00.000000+00:00')"
            )
    finally:
        conn.close()


def test_the_export_format_is_unchanged(quizapp_home: Path) -> None:
    exported = run_quizapp("export", "--json", env={"QUIZAPP_HOME": str(quizapp_home)})
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["schema_version"] == FORMAT_VERSION == 6


def test_a_large_merge_keeps_the_uuid_unique(quizapp_home: Path) -> None:
    """The bulk path drops the uuid index and builds it again: a uuid already here in a file of
    5,000 reviews is still refused (skipped by the plan; the index would refuse it too)."""
    from quizapp.store import replica

    path = quizapp_home / "progress.db"
    with Store.open(path) as store:
        store.record_review("faq-1", fsrs.Rating.Good, kind="faq")
        (mine,) = [r.uuid for r in store.reviews()]

        class R:
            def __init__(self, i: int, uid: str) -> None:
                from datetime import UTC, datetime, timedelta

                at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
                self.uuid, self.item_id, self.kind, self.rating = uid, f"c-{i % 50}", "faq", 3
                self.reviewed_at, self.at = at, at.isoformat(timespec="microseconds")
                self.duration_ms = self.answer = self.verdict = self.seed = None

        many = [R(i, f"u-{i:06d}") for i in range(replica.BULK_ROWS)]
        replica.merge(store.db, many)
        assert len(store.reviews()) == replica.BULK_ROWS + 1
        with pytest.raises(StoreError, match=r"(?i)unique"):
            replica.merge(
                store.db, [R(i, f"v-{i:06d}") for i in range(replica.BULK_ROWS)] + [R(0, mine)]
            )
        assert len(store.reviews()) == replica.BULK_ROWS + 1  # all or nothing
