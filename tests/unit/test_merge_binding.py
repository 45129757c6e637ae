"""A merge binds its new reviews' values as exact ints and texts, a missing value as a NaN (which
SQLite stores as NULL), for speed (replica.NULL_BIND): what is stored must be exactly what was
given, of the same SQL type, whichever fields are missing in which reviews."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.store import Store, replica


def test_sqlite_stores_a_bound_nan_as_null() -> None:
    """The fact the bulk insert relies on, checked against the SQLite this runs with."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (i INTEGER, s TEXT, r REAL, a)")
    conn.execute("INSERT INTO t VALUES (?, ?, ?, ?)", (replica.NULL_BIND,) * 4)
    assert conn.execute("SELECT typeof(i), typeof(s), typeof(r), typeof(a) FROM t").fetchall() == [
        ("null", "null", "null", "null")
    ]


class _Review:
    def __init__(self, i: int, item: str, rating: fsrs.Rating, optional: dict[str, object]):
        at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=i)
        self.uuid, self.item_id, self.rating = f"u-{i:06d}", item, rating
        self.reviewed_at, self.at = at, at.isoformat(timespec="microseconds")
        self.kind = optional["kind"]
        self.duration_ms = optional["duration_ms"]
        self.answer = optional["answer"]
        self.verdict = optional["verdict"]
        self.seed = optional["seed"]


_OPTIONAL = st.fixed_dictionaries(
    {
        "kind": st.none() | st.sampled_from(["faq", "trap", "drill"]),
        "duration_ms": st.none() | st.integers(0, 10**7),
        "answer": st.none() | st.text(max_size=20),
        "verdict": st.none() | st.sampled_from(["correct", "wrong"]),
        "seed": st.none() | st.integers(-(2**63), 2**63 - 1),
    }
)
_SQL_TYPE = {type(None): "null", int: "integer", str: "text"}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["c-1", "c-2", "c-3"]), st.sampled_from(list(fsrs.Rating)), _OPTIONAL
        ),
        min_size=1,
        max_size=12,
    ),
    st.booleans(),
)
def test_merged_reviews_are_stored_as_given(
    tmp_path_factory: object, rows: list[tuple[str, fsrs.Rating, dict[str, object]]], bulk: bool
) -> None:
    home: Path = tmp_path_factory.mktemp("bind")  # type: ignore[attr-defined]
    reviews = [
        _Review(i, item, rating, optional) for i, (item, rating, optional) in enumerate(rows)
    ]
    if bulk:  # the bulk path (indexes built again, a larger cache): the same rows, many more
        reviews += [
            _Review(len(rows) + i, "c-bulk", fsrs.Rating.Good, dict.fromkeys(rows[0][2]))
            for i in range(replica.BULK_ROWS)
        ]
    with Store.open(home / "progress.db") as store:
        replica.merge(store.db, reviews)
        stored = store.db.read(
            lambda c: c.execute(
                "SELECT uuid, rating, typeof(rating), kind, typeof(kind), duration_ms, "
                "typeof(duration_ms), answer, typeof(answer), verdict, typeof(verdict), seed, "
                "typeof(seed), state_before, typeof(state_before), typeof(due_after) "
                "FROM reviews ORDER BY id"
            ).fetchall()
        )
    assert [row[0] for row in stored] == [r.uuid for r in reviews]
    first_of: dict[str, str] = {}
    for r in reviews:
        first_of.setdefault(r.item_id, r.uuid)
    for r, row in zip(reviews, stored, strict=True):
        assert row[1:3] == (int(r.rating), "integer")
        for n, name in enumerate(("kind", "duration_ms", "answer", "verdict", "seed")):
            value = getattr(r, name)
            assert row[3 + 2 * n : 5 + 2 * n] == (value, _SQL_TYPE[type(value)]), name
        # A card's first review finds it new (NULL); every later one a state (an integer).
        new = first_of[r.item_id] == r.uuid
        assert row[13:15] == ((None, "null") if new else (row[13], "integer"))
        assert row[15] == "text"
