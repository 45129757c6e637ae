"""What the store hands out: the values it reads and writes, its one error, and the time
helpers that turn datetimes into the fixed-width UTC text the tables hold. It imports only the
standard library and fsrs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsrs


class StoreError(Exception):
    """A progress operation that failed; ``message`` is one line for the learner. ``kind`` is
    the failure's class from ``quizapp.store.connection`` (``damage``, ``full``, ``read-only``,
    ``busy``, ``io``), or None for a request the store refuses (a bad setting, no such quiz)."""

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind

    @property
    def exit_code(self) -> int:
        """The command's exit code for this failure (the README lists them)."""
        return EXIT_CODES.get(self.kind or "", 1)


# Exit codes of the commands for expected store conditions (README, "Exit codes").
EXIT_CODES = {
    "full": 10,  # the disk is full: nothing was saved
    "read-only": 11,  # the progress file or its folder cannot be written
    "busy": 12,  # another program holds a lock on the progress file
    "damage": 13,  # the progress file is damaged
    "io": 14,  # the OS refused to read or write the progress file
    "unusable": 15,  # no progress could be read at all (a read needs it)
    "app-open": 16,  # the change needs quizapp closed first (restore)
}


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class CardState:
    """An item's scheduling state: the fsrs card plus counts fsrs does not keep."""

    item_id: str
    card: fsrs.Card
    reps: int
    lapses: int
    first_review: datetime

    @property
    def due(self) -> datetime:
        return self.card.due

    @property
    def state(self) -> fsrs.State:
        return self.card.state


@dataclass(frozen=True)
class Review:
    """One review. ``due`` is when it scheduled the item next (None for reviews from schema v1);
    ``state_before`` is None when the item was new."""

    id: int
    item_id: str
    kind: str | None
    rating: fsrs.Rating
    reviewed_at: datetime
    duration_ms: int | None = None
    answer: str | None = None
    verdict: str | None = None
    seed: int | None = None
    quiz_id: int | None = None
    state_before: fsrs.State | None = None
    due: datetime | None = None
    uuid: str = ""  # stable and unique across machines; ``id`` is unique only in one file

    @property
    def correct(self) -> bool:
        """Anything but Again counts as remembered / answered right."""
        return self.rating != fsrs.Rating.Again

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "uuid": self.uuid,
            "item_id": self.item_id,
            "kind": self.kind,
            "rating": self.rating.name.lower(),
            "reviewed_at": self.reviewed_at.isoformat(),
            "duration_ms": self.duration_ms,
            "answer": self.answer,
            "verdict": self.verdict,
            "seed": self.seed,
            "quiz_id": self.quiz_id,
            "state_before": self.state_before.name.lower() if self.state_before else None,
            "due": self.due.isoformat() if self.due else None,
        }


@dataclass(frozen=True)
class ReviewTotal:
    """How often one item was answered as one kind (a right answer given only after being shown
    the answer left out), and how often remembered / right."""

    item_id: str
    kind: str | None
    reviews: int
    correct: int


@dataclass(frozen=True)
class QuizSession:
    id: int
    mode: str
    config: dict[str, Any]
    started_at: datetime
    finished_at: datetime | None
    answered: int
    correct: int


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime
    reason: str
    size: int


# --------------------------------------------------------------------------- helpers


def as_utc(dt: datetime | None) -> datetime:
    """``dt`` (naive means local time) or now, as an aware UTC datetime fsrs accepts."""
    if dt is None:
        return datetime.now(UTC)
    return dt.astimezone(UTC)


def time_text(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def parse_time(text: str | None) -> datetime | None:
    if text is None:
        return None
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
