"""The SQL of each write, inside the caller's transaction. One body per action, shared by the
live write (core.py) and the replay of the pending journal (``replay``), so an action saved
late is saved exactly as it would have been on time."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING, Any

import fsrs

from quizapp.store.schema import _CARD_COLUMNS, _CARD_MARKS, _card_state, _put_card
from quizapp.store.values import Review, StoreError, _dt, _ts

if TYPE_CHECKING:
    from quizapp.store.core import Store


def review_in(
    scheduler: fsrs.Scheduler,
    conn: sqlite3.Connection,
    item_id: str,
    rating: fsrs.Rating,
    kind: str | None,
    at: datetime,
    duration_ms: int | None,
    answer: str | None,
    verdict: str | None,
    seed: int | None,
    quiz_id: int | None,
    uid: str,
) -> tuple[Review, tuple[Any, ...] | None]:
    """The body of a review, inside the caller's transaction. Returns the review and the
    item's cards row before it (None: it was new), which undo puts back."""
    row = conn.execute(
        f"SELECT {_CARD_COLUMNS} FROM cards WHERE item_id = ?", (item_id,)
    ).fetchone()
    if row:
        before = _card_state(row)
        card, reps, lapses, first = before.card, before.reps, before.lapses, before.first_review
        state_before: int | None = int(card.state)
    else:
        card = fsrs.Card(card_id=0, due=at)
        reps, lapses, first, state_before = 0, 0, at, None
    new_card, _ = scheduler.review_card(card, rating, at, duration_ms)
    if rating == fsrs.Rating.Again and state_before == fsrs.State.Review:
        lapses += 1
    _put_card(conn, item_id, new_card, reps=reps + 1, lapses=lapses, first_review=first)
    cursor = conn.execute(
        "INSERT INTO reviews (uuid, item_id, kind, rating, reviewed_at, duration_ms, answer, "
        "verdict, seed, quiz_id, state_before, due_after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (uid, item_id, kind, int(rating), _ts(at), duration_ms, answer, verdict, seed,
         quiz_id, state_before, _ts(new_card.due)),
    )  # fmt: skip
    review = Review(
        id=cursor.lastrowid,  # type: ignore[arg-type]
        uuid=uid,
        item_id=item_id,
        kind=kind,
        rating=rating,
        reviewed_at=at,
        duration_ms=duration_ms,
        answer=answer,
        verdict=verdict,
        seed=seed,
        quiz_id=quiz_id,
        state_before=fsrs.State(state_before) if state_before is not None else None,
        due=new_card.due,
    )
    return review, row


def put_settings(conn: sqlite3.Connection, values: dict[str, Any]) -> None:
    for key, value in values.items():
        conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value))
        )


def memory_in(conn: sqlite3.Connection, memory: dict[str, tuple[float, float]]) -> None:
    """New FSRS memory states (stability, difficulty) for reviewed items; due dates stay."""
    conn.executemany(
        "UPDATE cards SET stability = ?, difficulty = ? "
        "WHERE item_id = ? AND last_review IS NOT NULL",
        [(float(st), float(d), item_id) for item_id, (st, d) in memory.items()],
    )


def tick_in(conn: sqlite3.Connection, number: int, ticked: bool, at: str) -> None:
    if ticked:
        # Ticking an already ticked item keeps the original time.
        conn.execute(
            "INSERT OR IGNORE INTO checklist_ticks (number, ticked_at) VALUES (?, ?)", (number, at)
        )
    else:
        conn.execute("DELETE FROM checklist_ticks WHERE number = ?", (number,))


def start_quiz_in(conn: sqlite3.Connection, mode: str, config: str, at: str) -> int:
    return conn.execute(  # type: ignore[return-value]
        "INSERT INTO quiz_sessions (mode, config, started_at) VALUES (?, ?, ?)", (mode, config, at)
    ).lastrowid


def finish_quiz_in(conn: sqlite3.Connection, quiz_id: int, at: str) -> None:
    conn.execute(
        "UPDATE quiz_sessions SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
        (at, quiz_id),
    )


def quiz_answer_in(
    store: Store, conn: sqlite3.Connection, e: dict[str, Any], quiz_id: int
) -> tuple[Review, tuple[Any, ...] | None]:
    """A quiz answer and its review (see ``Store.record_quiz_answer``) from its journal entry."""
    mode = conn.execute("SELECT mode FROM quiz_sessions WHERE id = ?", (quiz_id,)).fetchone()
    at = _dt(e["at"])
    if mode is None and store.read_only:
        # Not saving, and the stand-in in memory never saw this quiz (the file went bad under
        # it): the answer still counts as a review; the journal keeps its quiz for the replay.
        return review_in(store.scheduler,
            conn, e["item_id"], fsrs.Rating(e["rating"]), e["kind"], at,  # type: ignore[arg-type]
            e["duration_ms"], e["answer"], e["verdict"], e["seed"], None, e["uuid"],
        )  # fmt: skip
    if mode is None:
        raise StoreError(f"quiz {quiz_id} does not exist; start a quiz first")
    review, before = review_in(store.scheduler,
        conn, e["item_id"], fsrs.Rating(e["rating"]), e["kind"] or mode[0], at,  # type: ignore[arg-type]
        e["duration_ms"], e["answer"], e["verdict"], e["seed"], quiz_id, e["uuid"],
    )  # fmt: skip
    conn.execute(
        "INSERT INTO quiz_answers (quiz_id, item_id, correct, answer, verdict, "
        "duration_ms, answered_at, review_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (quiz_id, e["item_id"], int(e["correct"]), e["answer"], e["verdict"], e["duration_ms"],
         e["at"], review.id),
    )  # fmt: skip
    return review, before


def cram_in(conn: sqlite3.Connection, e: dict[str, Any]) -> None:
    """A cram review (see ``Store.record_cram``) from its journal entry; never touches cards."""
    conn.execute(
        "INSERT OR IGNORE INTO cram_reviews (uuid, item_id, rating, reviewed_at, duration_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        (e["uuid"], e["item_id"], int(e["rating"]), e["at"], e["duration_ms"]),
    )


def undo_in(
    conn: sqlite3.Connection, item_id: str, uid: str, before: tuple[Any, ...] | None
) -> bool:
    """Delete review ``uid`` and put the item's card row back as ``before``; False (nothing
    done) when it is not the item's newest review (reviewed elsewhere since)."""
    newest = conn.execute(
        "SELECT uuid, id FROM reviews WHERE item_id = ? ORDER BY id DESC LIMIT 1", (item_id,)
    ).fetchone()
    if newest is None or newest[0] != uid:
        return False
    conn.execute("DELETE FROM quiz_answers WHERE review_id = ?", (newest[1],))
    conn.execute("DELETE FROM reviews WHERE id = ?", (newest[1],))
    conn.execute("DELETE FROM cards WHERE item_id = ?", (item_id,))
    if before is not None:
        conn.execute(f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES ({_CARD_MARKS})", tuple(before))
    return True


def raise_review_ids(conn: sqlite3.Connection, high: int) -> None:
    """Make the next review id at least ``high`` + 1 (after a restore brought back a file whose
    mark is lower), so no id this file ever handed out is handed out again."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'reviews'").fetchone()
    if row is None:
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('reviews', ?)", (high,))
    elif row[0] < high:
        conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'reviews'", (high,))


def replay(store: Any, conn: sqlite3.Connection, entries: list[dict[str, Any]]) -> None:
    """Apply journal entries in order inside the caller's transaction. Reviews are keyed by
    uuid, so an entry already saved (a kill between commit and removing the sidecar) is skipped.
    A database error propagates (the whole replay is rolled back and stays pending); an entry
    this version cannot read is skipped."""
    quiz_ids: dict[int, int] = {}  # quiz ids handed out while not saving -> ids in the file
    for e in entries:
        try:
            op = e["op"]
            if op == "start_quiz":
                quiz_ids[e["ref"]] = start_quiz_in(conn, e["mode"], e["config"], e["at"])
            elif op == "finish_quiz":
                finish_quiz_in(conn, quiz_ids.get(e["quiz"], e["quiz"]), e["at"])
            elif op == "tick":
                tick_in(conn, int(e["number"]), bool(e["ticked"]), e["at"])
            elif op == "settings":
                put_settings(conn, dict(e["values"]))
                if e.get("memory"):
                    memory_in(conn, {k: (v[0], v[1]) for k, v in e["memory"].items()})
            elif op in ("review", "quiz_answer"):
                if conn.execute("SELECT 1 FROM reviews WHERE uuid = ?", (e["uuid"],)).fetchone():
                    continue
                quiz = quiz_ids.get(e["quiz"], e["quiz"]) if op == "quiz_answer" else None
                exists = (
                    quiz is not None
                    and conn.execute("SELECT 1 FROM quiz_sessions WHERE id = ?", (quiz,)).fetchone()
                )
                if exists:
                    quiz_answer_in(store, conn, e, quiz)  # type: ignore[arg-type]
                else:  # its quiz is gone (a restore): the review still feeds the scheduler
                    review_in(store.scheduler,
                        conn, e["item_id"], fsrs.Rating(e["rating"]), e["kind"],
                        _dt(e["at"]), e["duration_ms"], e["answer"], e["verdict"],  # type: ignore[arg-type]
                        e["seed"], None, e["uuid"],
                    )  # fmt: skip
            elif op == "cram":
                cram_in(conn, e)
            elif op in ("flags", "reset", "undo_reset"):
                from quizapp.store import flags

                flags.replay_entry(conn, e)
            elif op == "undo":
                row = conn.execute(
                    "SELECT item_id FROM reviews WHERE uuid = ?", (e["uuid"],)
                ).fetchone()
                if row is not None:
                    undo_in(conn, row[0], e["uuid"], e["before"])
        except (KeyError, TypeError, ValueError, StoreError):
            continue  # an entry this version cannot use: skipped, the rest still saved
