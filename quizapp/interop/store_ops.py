"""The one store write the merge needs that ``Store`` has no method for yet: adding reviews made
elsewhere with their replayed states. Kept apart from quizapp/store (owned by its own branch) so
it can move into ``Store`` as a method as it is; it uses the store's transaction and its schema
helpers the way the store's own methods do."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from quizapp.store.schema import _put_card
from quizapp.store.values import _ts

if TYPE_CHECKING:
    from quizapp.interop.merge import FileReview
    from quizapp.store import CardState, Store


def put_merged_reviews(
    store: Store,
    reviews: Iterable[FileReview],
    derived: dict[tuple[str, str, int], tuple[int | None, str | None]],
    updates: Iterable[tuple[int, int | None, str | None]],
    states: dict[str, CardState],
) -> None:
    """Insert ``reviews`` (with the state before and due after the replay gave each), re-derive
    this store's reviews of the same items (``updates``: id, state before, due after) and put
    each item's rebuilt state, in the caller's transaction (``store.batch()``)."""

    def write(conn: sqlite3.Connection) -> None:
        columns = [
            "item_id", "kind", "rating", "reviewed_at", "duration_ms", "answer", "verdict",
            "seed", "state_before", "due_after",
        ]  # fmt: skip
        # Schema v3 gives each review a uuid (NOT NULL): keep the one the review came with.
        has_uuid = any(row[1] == "uuid" for row in conn.execute("PRAGMA table_info(reviews)"))
        if has_uuid:
            columns.append("uuid")
        sql = f"INSERT INTO reviews ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for r in reviews:
            before, due = derived.get(r.key, (None, None))
            values = [
                r.item_id, r.kind, int(r.rating), _ts(r.reviewed_at), r.duration_ms, r.answer,
                r.verdict, r.seed, before, due,
            ]  # fmt: skip
            if has_uuid:
                values.append(r.uuid or str(uuid.uuid4()))
            # quiz_id stays NULL: quiz sessions are not merged, and ids differ between files.
            conn.execute(sql, values)
        conn.executemany(
            "UPDATE reviews SET state_before = ?, due_after = ? WHERE id = ?",
            [(before, due, rid) for rid, before, due in updates],
        )
        for item_id, state in states.items():
            _put_card(
                conn,
                item_id,
                state.card,
                reps=state.reps,
                lapses=state.lapses,
                first_review=state.first_review,
            )

    store._write(write)
