"""The learner's schedule in an exported Anki package (``quizapp export --anki --with-progress``).

genanki writes every card as new. Here, after genanki has built the package's collection and
before it is zipped, each card the learner has reviewed gets what Anki's FSRS (23.10 on) needs
to continue where the learner is: its memory state (stability, difficulty, in the card's
``data``, with the desired retention, the decay and the last review's time), its type and
queue (learning, review, relearning), its due date, interval, reps and lapses.

Anki keeps a review card's due date in days since the collection was created, and shifts it on
import by how far the package's collection is ahead of the learner's; so a due date is written
as "today in this collection + the days until it is due". A learning card's due is a time
(seconds), which needs no shift. No review log is written: Anki recomputes memory states only
for cards that have one, so the states written here stay as they are, and nothing studied here
comes back from Anki a second time (``quizapp import`` reads Anki's own reviews only).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs

from quizapp.store import CardFlags, CardState

DAY = 86_400
# Anki's card types and queues (rslib/src/card/mod.rs): the same numbers as fsrs.State for types.
NEW, LEARN, REVIEW, RELEARN = 0, 1, 2, 3
QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN = 1, 2, 3
QUEUE_SUSPENDED, QUEUE_BURIED = -1, -3  # -3: buried by hand (Anki unburies it the next day)
STARTING_EASE = 2500  # Anki's factor field (permille); FSRS does not use it


@dataclass(frozen=True)
class AnkiSchedule:
    """One card's scheduling fields as Anki stores them in its cards table."""

    type: int
    queue: int
    due: int
    ivl: int
    factor: int
    reps: int
    lapses: int
    left: int
    data: str


def anki_schedule(
    state: CardState,
    *,
    today: int,
    now: datetime,
    retention: float,
    decay: float | None,
) -> AnkiSchedule | None:
    """``state`` as Anki's card fields, in a collection whose day number is ``today`` at
    ``now``; None for a card never reviewed (it stays new)."""
    card = state.card
    if card.state == fsrs.State.Learning and card.stability is None:
        return None
    if card.stability is None or card.difficulty is None or card.last_review is None:
        return None
    last = card.last_review.astimezone(UTC)
    due = card.due.astimezone(UTC)
    memory: dict[str, Any] = {
        "s": round(float(card.stability), 4),
        "d": round(float(card.difficulty), 4),
        "dr": round(float(retention), 2),
        "lrt": int(last.timestamp()),
    }
    if decay is not None:
        memory["decay"] = round(float(decay), 4)
    ivl = max(1, round((due - last) / timedelta(days=1)))
    due_day = today + _days_until(due, now)
    if card.state == fsrs.State.Review:
        kind, queue, due_value, left = REVIEW, QUEUE_REVIEW, due_day, 0
    else:
        kind = LEARN if card.state == fsrs.State.Learning else RELEARN
        left = 1  # one step to go: Anki's own steps decide the rest
        if due - now < timedelta(days=1):
            queue, due_value = QUEUE_LEARN, int(due.timestamp())
        else:
            queue, due_value = QUEUE_DAY_LEARN, due_day
    return AnkiSchedule(
        type=kind,
        queue=queue,
        due=due_value,
        ivl=ivl if kind != LEARN else 0,
        factor=STARTING_EASE,
        reps=state.reps,
        lapses=state.lapses,
        left=left,
        data=json.dumps(memory, separators=(",", ":")),
    )


ROLLOVER = timedelta(hours=4)  # Anki's default: its next day starts at 4 am local time


def _anki_day(at: datetime) -> date:
    """The local day Anki counts ``at`` in (its days start at the rollover hour)."""
    return (at.astimezone() - ROLLOVER).date()


def _days_until(due: datetime, now: datetime) -> int:
    """Anki days from ``now``'s to ``due``'s (negative when overdue)."""
    return (_anki_day(due) - _anki_day(now)).days


def hidden_queue(flags: CardFlags | None, now: datetime) -> int | None:
    """Anki's queue for a card suspended or buried here (None: neither)."""
    if flags is None:
        return None
    if flags.suspended:
        return QUEUE_SUSPENDED
    return QUEUE_BURIED if flags.buried(now) else None


def write_schedule(
    db: Path,
    guids: Mapping[str, str],
    states: Mapping[str, CardState],
    *,
    retention: float,
    decay: float | None,
    now: datetime | None = None,
    flags: Mapping[str, CardFlags] | None = None,
) -> int:
    """Write each reviewed card's schedule into the package collection ``db`` (``guids``: note
    GUID -> card id), and each card suspended or buried here (``flags``) as suspended or buried
    in Anki, new or not; the number of cards written."""
    now = now or datetime.now(UTC)
    flags = flags or {}
    conn = sqlite3.connect(db)
    try:
        with conn:
            # Anki counts a collection's days from its creation time (crt): written here as the
            # start of today's Anki day, so that today is day 0 of this collection.
            day = _anki_day(now)
            start = datetime(day.year, day.month, day.day).astimezone() + ROLLOVER
            conn.execute("UPDATE col SET crt = ?", (int(start.timestamp()),))
            rows = conn.execute(
                "SELECT cards.id, notes.guid FROM cards JOIN notes ON cards.nid = notes.id"
            ).fetchall()
            written = 0
            for card_id, guid in rows:
                item = guids.get(guid)
                if item is None:
                    continue
                state = states.get(item)
                fields = (
                    None
                    if state is None
                    else anki_schedule(state, today=0, now=now, retention=retention, decay=decay)
                )
                hidden = hidden_queue(flags.get(item), now)
                if fields is not None:
                    conn.execute(
                        "UPDATE cards SET type = ?, queue = ?, due = ?, ivl = ?, factor = ?, "
                        "reps = ?, lapses = ?, left = ?, data = ? WHERE id = ?",
                        (
                            fields.type, fields.queue if hidden is None else hidden, fields.due,
                            fields.ivl, fields.factor, fields.reps, fields.lapses, fields.left,
                            fields.data, card_id,
                        ),
                    )  # fmt: skip
                elif hidden is not None:  # a new card, suspended or buried: new in Anki too
                    conn.execute("UPDATE cards SET queue = ? WHERE id = ?", (hidden, card_id))
                else:
                    continue
                written += 1
    finally:
        conn.close()
    return written
