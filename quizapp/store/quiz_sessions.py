"""Quiz sessions and their answers: start, answer (a review of the item in the same
transaction, so the scheduler is fed), finish, and read them back. Functions over the
``Database``, importing the store's ops and values only."""

from __future__ import annotations

import json
import sqlite3
import uuid as uuidlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

import fsrs

from quizapp.store import ops
from quizapp.store.values import QuizSession, Review, StoreError, as_utc, parse_time, time_text

if TYPE_CHECKING:
    from quizapp.store.database import Database

# The columns of an answer as ``answers`` and the export give them, in this order.
ANSWER_KEYS = (
    "item_id",
    "correct",
    "answer",
    "verdict",
    "duration_ms",
    "answered_at",
    "review_id",
)
_ANSWER_SELECT = f"SELECT {', '.join(ANSWER_KEYS)} FROM quiz_answers"


def answer_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    """An answer row (the ``ANSWER_KEYS`` columns) as a dict."""
    data = dict(zip(ANSWER_KEYS, row, strict=True))
    data["correct"] = bool(data["correct"])
    return data


def start(db: Database, mode: str, config: dict[str, Any], now: datetime | None = None) -> int:
    """Start a quiz session; ``config`` (JSON-serialisable) records how it was set up."""
    text = json.dumps(config, sort_keys=True, default=str)
    at = time_text(as_utc(now))
    return db.write(
        lambda c: ops.start_quiz_in(c, mode, text, at),
        lambda ref: {"op": "start_quiz", "ref": ref, "mode": mode, "config": text, "at": at},
    )


def record_answer(
    db: Database,
    quiz_id: int,
    item_id: str,
    *,
    correct: bool,
    rating: fsrs.Rating | int,
    answer: str | None = None,
    verdict: str | None = None,
    duration_ms: int | None = None,
    kind: str | None = None,
    seed: int | None = None,
    now: datetime | None = None,
) -> Review:
    """Save a quiz answer and its review (see ``Store.record_quiz_answer``)."""
    chosen = fsrs.Rating(int(rating))
    at = as_utc(now)
    uid = str(uuidlib.uuid4())
    entry = {"op": "quiz_answer", "uuid": uid, "quiz": quiz_id, "item_id": item_id,
             "correct": correct, "answer": answer, "verdict": verdict,
             "duration_ms": duration_ms, "kind": kind, "rating": int(chosen),
             "seed": seed, "at": time_text(at)}  # fmt: skip

    def write(conn: sqlite3.Connection) -> tuple[Review, tuple[Any, ...] | None]:
        return ops.quiz_answer_in(db, conn, entry, quiz_id)

    review, before = db.write(write, lambda _r: entry)
    db.undo.append((uid, before))
    return review


def finish(db: Database, quiz_id: int, now: datetime | None = None) -> QuizSession:
    """Mark the session finished; its summary (StoreError when there is no such quiz)."""
    at = time_text(as_utc(now))
    db.write(
        lambda c: ops.finish_quiz_in(c, quiz_id, at),
        lambda _r: {"op": "finish_quiz", "quiz": quiz_id, "at": at},
    )
    for session in sessions(db):
        if session.id == quiz_id:
            return session
    if db.read_only:  # a stand-in that never saw the quiz: kept pending, not an error
        when = as_utc(now)
        return QuizSession(quiz_id, "", {}, when, when, 0, 0)
    raise StoreError(f"quiz {quiz_id} does not exist")


def sessions(db: Database) -> list[QuizSession]:
    """Every quiz session, oldest first, with how many answers and how many right."""
    rows = db.read(
        lambda c: c.execute(
            "SELECT s.id, s.mode, s.config, s.started_at, s.finished_at, "
            "COUNT(a.id), COALESCE(SUM(a.correct), 0) FROM quiz_sessions s "
            "LEFT JOIN quiz_answers a ON a.quiz_id = s.id GROUP BY s.id ORDER BY s.id"
        ).fetchall()
    )
    return [
        QuizSession(i, m, json.loads(cfg), parse_time(s), parse_time(f), n, k)  # type: ignore[arg-type]
        for i, m, cfg, s, f, n, k in rows
    ]


def answers(db: Database, quiz_id: int) -> list[dict[str, Any]]:
    """The answers of one session, in order."""
    rows = db.read(
        lambda c: c.execute(
            f"{_ANSWER_SELECT} WHERE quiz_id = ? ORDER BY id", (quiz_id,)
        ).fetchall()
    )
    return [answer_dict(row) for row in rows]
