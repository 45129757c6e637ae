"""The ``Store``: what the app, the commands and interop call. It has the one ``Database`` (``db``:
connection, transactions, pending journal, recovery) and each method hands its call to the
module of its concept, a function over that database: reviews, cards, flags (the browser's),
ticks (the checklist), quiz_sessions, cram_reviews, fsrs_fit, settings_io, progress_export,
backups and saving. It imports those store modules only."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fsrs

from quizapp.settings import Settings
from quizapp.store import backups, saving, settings_io
from quizapp.store.connection import BUSY_TIMEOUT
from quizapp.store.database import Database
from quizapp.store.lazy import LazyModule
from quizapp.store.values import Backup, CardState, QuizSession, Review, ReviewTotal, as_utc

if TYPE_CHECKING:
    from quizapp.store import (
        cards,
        cram_reviews,
        flags,
        fsrs_fit,
        progress_export,
        quiz_sessions,
        reviews,
        ticks,
    )
    from quizapp.store.cram_reviews import CramReview
else:  # imported on first use: opening the file needs none of them (the app's start-up time)
    cards = LazyModule("quizapp.store.cards")
    cram_reviews = LazyModule("quizapp.store.cram_reviews")
    flags = LazyModule("quizapp.store.flags")
    fsrs_fit = LazyModule("quizapp.store.fsrs_fit")
    progress_export = LazyModule("quizapp.store.progress_export")
    quiz_sessions = LazyModule("quizapp.store.quiz_sessions")
    reviews = LazyModule("quizapp.store.reviews")
    ticks = LazyModule("quizapp.store.ticks")


class Store:
    """The progress store. Make one with ``Store.open()``; use it from one process or thread at
    a time per instance (calls are serialised with a lock, so UI worker threads are fine)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        backups_dir: Path | None = None,
        busy_timeout: float = BUSY_TIMEOUT,
        strict: bool = False,
        quick_check: bool = True,
    ) -> Store:
        """Open (creating, checking, migrating or recovering) the progress file. Never raises
        for a bad, locked or unwritable file: see the ``quizapp.store`` docstring for each
        outcome. ``strict`` (commands): a write the file refuses raises StoreError instead of
        being kept pending. ``quick_check=False`` leaves the full check to ``verify()`` (the app
        runs it after its first frame). ``backups_dir`` defaults to ``backups/`` beside the
        file."""
        return cls(
            Database.open(
                path,
                backups_dir=backups_dir,
                busy_timeout=busy_timeout,
                strict=strict,
                quick_check=quick_check,
            )
        )

    # ---------------------------------------------------------------- the file and its state

    @property
    def path(self) -> Path:
        return self.db.path

    @property
    def backups_dir(self) -> Path:
        return self.db.backups_dir

    @property
    def read_only(self) -> bool:
        """True while not saving (a copy in memory; actions are kept pending)."""
        return self.db.read_only

    @property
    def strict(self) -> bool:
        return self.db.strict

    @property
    def problem(self) -> str | None:
        """The class of failure that stopped saving (``connection.DAMAGE``, ...; "newer")."""
        return self.db.problem

    @property
    def notices(self) -> list[str]:
        return self.db.notices

    @property
    def on_notice(self) -> Callable[[str], None] | None:
        return self.db.on_notice

    @on_notice.setter
    def on_notice(self, callback: Callable[[str], None] | None) -> None:
        self.db.on_notice = callback

    @property
    def retry_every(self) -> float:
        return self.db.retry_every

    @retry_every.setter
    def retry_every(self, seconds: float) -> None:
        self.db.retry_every = seconds

    @property
    def clock(self) -> Callable[[], datetime] | None:
        return self.db.clock

    @clock.setter
    def clock(self, clock: Callable[[], datetime] | None) -> None:
        self.db.clock = clock

    @property
    def machine(self) -> str:
        return self.db.machine

    def now(self) -> datetime:
        return self.db.now()

    @property
    def version(self) -> tuple[int, int, int]:
        return self.db.version

    def changed_elsewhere(self) -> bool:
        return self.db.changed_elsewhere()

    def new_notices(self) -> list[str]:
        return self.db.new_notices()

    def batch(self) -> AbstractContextManager[None]:
        return self.db.batch()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- saving and backups

    def check_file(self) -> None:
        saving.check_file(self.db)

    def retry_saving(self) -> bool:
        return saving.retry_saving(self.db)

    def verify(self) -> bool:
        return saving.verify(self.db)

    @property
    def unreadable(self) -> bool:
        return saving.unreadable(self.db)

    @property
    def unsaved(self) -> int:
        return saving.unsaved(self.db)

    @property
    def unsaved_in_memory_only(self) -> int:
        return saving.unsaved_in_memory_only(self.db)

    def hold_app_lock(self) -> None:
        backups.hold_app_lock(self.db)

    def backup(self, reason: str = "manual") -> Path:
        return backups.backup(self.db, reason)

    def pending_backup(self, reason: str) -> backups.PendingBackup:
        """The backup a merge takes before its first change, started early for a large file
        (see ``backups.PendingBackup``)."""
        return backups.PendingBackup(self.db, reason)

    def list_backups(self) -> list[Backup]:
        """Backups in the backups folder, newest first."""
        return backups.list_backups(self.db.backups_dir)

    def restore(self, path: Path) -> Path:
        return backups.restore(self.db, path)

    # ---------------------------------------------------------------- settings

    @property
    def settings(self) -> Settings:
        return settings_io.current(self.db)

    def save_settings(self, settings: Settings) -> None:
        settings_io.save(self.db, settings)

    @property
    def scheduler(self) -> fsrs.Scheduler:
        """The fsrs scheduler for the current desired retention (and fitted parameters)."""
        return self.db.scheduler

    # ---------------------------------------------------------------- reviews

    def record_review(
        self,
        item_id: str,
        rating: fsrs.Rating | int,
        *,
        kind: str | None,
        duration_ms: int | None = None,
        answer: str | None = None,
        verdict: str | None = None,
        seed: int | None = None,
        now: datetime | None = None,
    ) -> Review:
        """Review an item with fsrs and save the review and the new state in one transaction.

        ``kind`` is the item's kind (a card kind such as ``trap``, or a drill kind), stored so
        stats per kind survive the card being removed. ``answer``/``verdict`` are what the learner
        typed and how it was judged; ``seed`` the drill's seed (a 64-bit int). The returned
        review's ``due`` is when the item comes back. In the app this never loses the review:
        when the file cannot be written it is kept pending (see ``Database.write``).
        """
        return reviews.record(self.db, item_id, rating, kind=kind, duration_ms=duration_ms,
                              answer=answer, verdict=verdict, seed=seed, now=now)  # fmt: skip

    def undo_last_review(self) -> Review | None:
        return reviews.undo_last(self.db)

    def reviews(self, item_id: str | None = None, *, since: datetime | None = None) -> list[Review]:
        return reviews.reviews(self.db, item_id, since=since)

    def review_count(
        self, *, since: datetime | None = None, item_ids: Iterable[str] | None = None
    ) -> int:
        return reviews.count(self.db, since=since, item_ids=item_ids)

    def review_totals(self, item_ids: Iterable[str] | None = None) -> list[ReviewTotal]:
        return reviews.totals(self.db, item_ids)

    def reviews_per_day(
        self, *, since: datetime | None = None, item_ids: Iterable[str] | None = None
    ) -> dict[date, int]:
        return reviews.per_day(self.db, since=since, item_ids=item_ids)

    def reviewed_between(self, start: datetime, end: datetime) -> bool:
        return reviews.any_between(self.db, start, end)

    def review_state_outcomes(
        self, *, since: datetime | None = None, item_ids: Iterable[str] | None = None
    ) -> tuple[int, int]:
        return reviews.state_outcomes(self.db, since=since, item_ids=item_ids)

    # ---------------------------------------------------------------- cards

    def card_state(self, item_id: str) -> CardState | None:
        return cards.state(self.db, item_id)

    def card_states(self) -> dict[str, CardState]:
        return cards.states(self.db)

    def reviewed_ids(self) -> set[str]:
        return cards.reviewed_ids(self.db)

    def iter_due(self, before: datetime) -> Iterator[tuple[str, fsrs.State, datetime]]:
        return cards.iter_due(self.db, before)

    def first_reviewed_since(self, since: datetime) -> int:
        return cards.first_reviewed_since(self.db, since)

    def first_reviewed_ids_since(self, since: datetime) -> set[str]:
        return cards.first_reviewed_ids_since(self.db, since)

    # ---------------------------------------------------------------- the card browser's flags

    def card_flags(self) -> dict[str, flags.CardFlags]:
        """Suspended, buried and reset cards (every other card has no flags)."""
        return flags.card_flags(self.db)

    def hidden_ids(self, now: datetime | None = None) -> set[str]:
        """Cards suspended or buried at ``now``: study, cram, plan and readiness leave them out."""
        return flags.hidden_ids(self.db, as_utc(now))

    def set_suspended(self, item_ids: list[str], suspended: bool = True) -> None:
        flags.set_suspended(self.db, item_ids, suspended)

    def bury(self, item_ids: list[str], until: datetime | None) -> None:
        """Bury the cards until ``until`` (None unburies them)."""
        flags.bury(self.db, item_ids, until)

    def reset_progress(self, item_id: str, *, now: datetime | None = None) -> flags.ResetUndo:
        """Make the card new again (its reviews stay in the log); ``undo_reset`` takes it back."""
        return flags.reset_progress(self.db, item_id, now=now)

    def undo_reset(self, undo: flags.ResetUndo) -> bool:
        return flags.undo_reset(self.db, undo)

    def review_summaries(self, item_ids: list[str] | None = None) -> dict[str, flags.ItemSummary]:
        return flags.summaries(self.db, item_ids)

    # ---------------------------------------------------------------- checklist

    def set_ticked(self, number: int, ticked: bool, now: datetime | None = None) -> None:
        """Tick (with the time) or untick revision-checklist item ``number``."""
        ticks.set_ticked(self.db, number, ticked, now)

    def ticks(self) -> dict[int, datetime]:
        return ticks.ticks(self.db)

    # ---------------------------------------------------------------- quizzes

    def start_quiz(self, mode: str, config: dict[str, Any], now: datetime | None = None) -> int:
        """Start a quiz session; ``config`` (JSON-serialisable) records how it was set up."""
        return quiz_sessions.start(self.db, mode, config, now)

    def record_quiz_answer(
        self,
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
        """Save a quiz answer and, in the same transaction, a review of the item with ``rating``
        (which ``quizapp.policy`` decides) so the scheduler is fed. Pass the item's ``kind`` so
        stats per kind are right (default: the quiz's mode). Undo removes both.
        """
        return quiz_sessions.record_answer(
            self.db, quiz_id, item_id, correct=correct, rating=rating, answer=answer,
            verdict=verdict, duration_ms=duration_ms, kind=kind, seed=seed, now=now,
        )  # fmt: skip

    def finish_quiz(self, quiz_id: int, now: datetime | None = None) -> QuizSession:
        return quiz_sessions.finish(self.db, quiz_id, now)

    def quiz_sessions(self) -> list[QuizSession]:
        return quiz_sessions.sessions(self.db)

    def quiz_answers(self, quiz_id: int) -> list[dict[str, Any]]:
        return quiz_sessions.answers(self.db, quiz_id)

    # ---------------------------------------------------------------- cram and the fitted FSRS

    def record_cram(
        self,
        item_id: str,
        rating: fsrs.Rating | int,
        *,
        duration_ms: int | None = None,
        now: datetime | None = None,
    ) -> CramReview:
        """Log a cram answer; the item's FSRS state and review history stay as they were."""
        return cram_reviews.record(self.db, item_id, rating, duration_ms=duration_ms, now=now)

    def cram_reviews(self, item_id: str | None = None) -> list[CramReview]:
        return cram_reviews.reviews(self.db, item_id)

    def fsrs_fit(self) -> dict[str, Any] | None:
        return fsrs_fit.stored(self.db)

    def cards_with(self, parameters: tuple[float, ...]) -> dict[str, fsrs.Card]:
        return fsrs_fit.cards_with(self.db, parameters)

    def save_fsrs_fit(
        self, fit: dict[str, Any] | None, memory: dict[str, tuple[float, float]] | None = None
    ) -> None:
        """Keep a fit (None forgets it). ``memory`` is accepted for old callers and unused."""
        fsrs_fit.save(self.db, fit)

    # ---------------------------------------------------------------- export

    def export(self, *, raw_reviews: bool = False) -> dict[str, Any]:
        """All progress as JSON-serialisable data: what a learner owns. With ``raw_reviews``
        the reviews are a ``RawJsonList``: each review's JSON text as SQLite encoded it, for
        ``quizapp export``: 100k reviews without a Python dict each."""
        return progress_export.export(self.db, raw_reviews=raw_reviews)
