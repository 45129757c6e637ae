"""A large merge (``replica.BULK_ROWS`` new reviews or more, at least half as many as the store
holds) inserts the reviews without the log's secondary indexes and builds them again in the same
transaction: the merged store is the same as one merged row by row, its indexes are all there
and sound, and a merge that fails leaves everything, indexes included, as it was."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.interop.merge import merge_file, replicated
from quizapp.store import Store, StoreError, replica

T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _file(path: Path, plan: list[tuple[int, int, int]], machine: str) -> Path:
    """An export file (as ``quizapp export`` writes it) holding the reviews of ``plan``: (item,
    rating, hours after T0)."""
    names = ["again", "hard", "good", "easy"]
    reviews = [
        {
            "uuid": f"{machine}-{n}",
            "item_id": f"card-{item}",
            "kind": "faq",
            "rating": names[rating - 1],
            "reviewed_at": (T0 + timedelta(hours=hours)).isoformat(timespec="microseconds"),
            "duration_ms": 1000 + n,
        }
        for n, (item, rating, hours) in enumerate(plan)
    ]
    data = {"format": "quizapp-progress", "schema_version": 4, "reviews": reviews}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _indexes(store: Store) -> list[tuple[str, str | None]]:
    return store.db.read(
        lambda c: c.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
    )


def _merged(
    home: Path, here: Path, there: Path, bulk: int
) -> tuple[dict[str, Any], list[tuple[str, str | None]], str]:
    """A store holding ``here`` (merged row by row) merged with ``there`` with the bulk
    threshold ``bulk``: the replicated progress, the indexes and the integrity check after."""
    with Store.open(home / "progress.db", strict=True) as store:
        merge_file(store, here)
        mp = pytest.MonkeyPatch()
        mp.setattr(replica, "BULK_ROWS", bulk)
        try:
            merge_file(store, there)
        finally:
            mp.undo()
        check = store.db.read(lambda c: c.execute("PRAGMA integrity_check").fetchone()[0])
        return replicated(store.export()), _indexes(store), check


reviews = st.lists(
    st.tuples(st.integers(0, 5), st.integers(1, 4), st.integers(0, 2000)),
    unique_by=lambda r: (r[0], r[2]),
    max_size=25,
)


@settings(max_examples=15, deadline=None)
@given(here=reviews, there=reviews)
def test_a_bulk_merge_gives_the_same_store_as_row_by_row(
    here: list[tuple[int, int, int]], there: list[tuple[int, int, int]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        mine, theirs = _file(root / "a.json", here, "a"), _file(root / "b.json", there, "b")
        by_rows = _merged(root / "rows", mine, theirs, bulk=10**9)
        in_bulk = _merged(root / "bulk", mine, theirs, bulk=1)
    assert in_bulk[0] == by_rows[0]
    assert in_bulk[1] == by_rows[1]  # every index there again, with its definition
    assert in_bulk[2] == "ok"
    assert any(name == "reviews_time" for name, _ in in_bulk[1])


def test_a_failed_bulk_merge_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replica, "BULK_ROWS", 1)
    path = _file(tmp_path / "there.json", [(i % 4, 3, i) for i in range(30)], "b")
    with Store.open(tmp_path / "here" / "progress.db", strict=True) as store:
        store.record_review("card-1", 3, kind="faq", now=T0 + timedelta(hours=5))
        before = (replicated(store.export()), _indexes(store))
        first = json.loads(path.read_text())["reviews"][0]
        real = replica.ops.recompute

        def recompute_then_collide(conn: sqlite3.Connection, *args: Any) -> Any:
            # Another review under the uuid of one being merged: the insert that follows the
            # dropped indexes fails on it.
            out = real(conn, *args)
            conn.execute(
                "INSERT INTO reviews (uuid, item_id, rating, reviewed_at) VALUES (?, ?, 3, ?)",
                (first["uuid"], "card-9", first["reviewed_at"]),
            )
            return out

        monkeypatch.setattr(replica.ops, "recompute", recompute_then_collide)
        with pytest.raises(StoreError):
            merge_file(store, path)
        monkeypatch.undo()
        assert (replicated(store.export()), _indexes(store)) == before
        assert store.db.read(lambda c: c.execute("PRAGMA integrity_check").fetchone()[0]) == "ok"
