"""How the ``cards`` and ``reviews`` rows map to the values in values.py: their columns, writing
a card's state and reading a row back. It imports only fsrs and the store's values."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

import fsrs

from quizapp.store.values import CardState, Review, parse_time, time_text

CARD_COLUMNS = (
    "item_id, state, step, stability, difficulty, due, last_review, reps, lapses, first_review"
)
CARD_MARKS = ", ".join("?" * len(CARD_COLUMNS.split(",")))


def put_card(
    conn: sqlite3.Connection,
    item_id: str,
    card: fsrs.Card,
    *,
    reps: int,
    lapses: int,
    first_review: datetime,
) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO cards ({CARD_COLUMNS}) VALUES ({CARD_MARKS})",
        (
            item_id,
            int(card.state),
            card.step,
            card.stability,
            card.difficulty,
            time_text(card.due),
            time_text(card.last_review) if card.last_review else None,
            reps,
            lapses,
            time_text(first_review),
        ),
    )


def card_state_of(row: tuple[Any, ...]) -> CardState:
    item_id, state, step, stability, difficulty, due, last, reps, lapses, first = row
    card = fsrs.Card(
        card_id=0,  # fsrs wants an int; progress is keyed on item_id (and 0 avoids its 1 ms sleep)
        state=fsrs.State(state),
        step=step,
        stability=stability,
        difficulty=difficulty,
        due=parse_time(due),
        last_review=parse_time(last),
    )
    return CardState(item_id, card, reps, lapses, parse_time(first))  # type: ignore[arg-type]


REVIEW_COLUMNS = (
    "id, item_id, kind, rating, reviewed_at, duration_ms, answer, verdict, seed, quiz_id, "
    "state_before, due_after, uuid"
)


def review_of(row: tuple[Any, ...]) -> Review:
    rid, item_id, kind, rating, at, duration, answer, verdict, seed, quiz, before, due, uid = row
    return Review(
        id=rid,
        uuid=uid,
        item_id=item_id,
        kind=kind,
        rating=fsrs.Rating(rating),
        reviewed_at=parse_time(at),  # type: ignore[arg-type]
        duration_ms=duration,
        answer=answer,
        verdict=verdict,
        seed=seed,
        quiz_id=quiz,
        state_before=fsrs.State(before) if before is not None else None,
        due=parse_time(due),
    )
