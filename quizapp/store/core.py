"""The ``Store`` class: one object per open progress file, serialising reads and writes with a
lock and keeping each user action in one short transaction. Opening and recovering the file is in
recovery.py, backups in backups.py, the tables and migrations in schema.py."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import fsrs

from quizapp.settings import Settings, parse_stored_settings
from quizapp.store.backups import (
    _check_backup,
    _copy_backup,
    _list_backups,
    _rotate,
    _session_backup_due,
    _take_backup,
)
from quizapp.store.connection import BUSY_TIMEOUT, _connect, _is_busy, _transaction, _why
from quizapp.store.recovery import _empty_in_memory, _in_memory, _open
from quizapp.store.schema import (
    _CARD_COLUMNS,
    _CARD_MARKS,
    _REVIEW_COLUMNS,
    SCHEMA_VERSION,
    _card_state,
    _migrate,
    _put_card,
    _review,
)
from quizapp.store.values import (
    Backup,
    CardState,
    QuizSession,
    Review,
    ReviewTotal,
    StoreError,
    _dt,
    _ts,
    _utc,
)

T = TypeVar("T")


class Store:
    """The progress store. Make one with ``Store.open()``; use it from one process or thread at
    a time per instance (calls are serialised with a lock, so UI worker threads are fine)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        backups_dir: Path,
        read_only: bool,
        notices: list[str],
        busy_timeout: float,
    ) -> None:
        self._conn = conn
        self.path = path
        self.backups_dir = backups_dir
        self.read_only = read_only
        self.notices = notices
        self._busy_timeout = busy_timeout
        self._lock = threading.RLock()
        # (review id, the item's cards row before it) for this session's reviews, newest last.
        self._undo: list[tuple[int, tuple[Any, ...] | None]] = []
        self._dirty = False
        self._writes = 0
        self._generation = 0
        self._batch_depth = 0
        self._notices_seen = 0
        # The session backup is due 30 minutes after the session started or the last backup.
        self._last_backup = datetime.now(UTC)
        self._use_settings(self._load_settings())

    # ---------------------------------------------------------------- opening

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        *,
        backups_dir: Path | None = None,
        busy_timeout: float = BUSY_TIMEOUT,
    ) -> Store:
        """Open (creating, checking, migrating or recovering) the progress file. Never raises
        for a bad, locked or unwritable file: see the ``quizapp.store`` docstring for each
        outcome.

        ``backups_dir`` defaults to ``backups/`` beside the file.
        """
        from quizapp import paths

        path = Path(path) if path is not None else paths.db_path()
        bdir = Path(backups_dir) if backups_dir is not None else path.parent / "backups"
        notices: list[str] = []
        try:
            conn, read_only = _open(path, bdir, notices, busy_timeout, recovered=False)
            return cls._wrap(conn, path, bdir, notices, busy_timeout, read_only=read_only)
        except Exception as exc:  # the last guard: studying must never fail to start
            why = f"cannot open {path} ({exc})"
            mem = _in_memory(notices, busy_timeout, source=None, why=why)
            return cls._wrap(mem, path, bdir, notices, busy_timeout, read_only=True)

    @classmethod
    def _wrap(
        cls,
        conn: sqlite3.Connection,
        path: Path,
        bdir: Path,
        notices: list[str],
        busy_timeout: float,
        *,
        read_only: bool = False,
    ) -> Store:
        if not read_only:
            conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return cls(
            conn,
            path,
            backups_dir=bdir,
            read_only=read_only,
            notices=notices,
            busy_timeout=busy_timeout,
        )

    # ---------------------------------------------------------------- plumbing

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._lock:
            try:
                return fn(self._conn)
            except sqlite3.OperationalError as exc:
                if _is_busy(exc):
                    raise StoreError(
                        f"{self.path.name} is locked by another program; try again in a moment"
                    ) from None
                raise StoreError(f"cannot read {self.path.name}: {_why(exc)}") from None

    def _write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn`` in one short transaction. A write the disk refuses (full, read-only, I/O
        error, damaged file) moves the store to memory and is retried there, so the learner can
        keep studying; a lock held too long by another program raises StoreError."""
        with self._lock:
            if self._batch_depth:
                return fn(self._conn)
            try:
                result = _transaction(self._conn, fn)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                    raise StoreError(
                        f"{self.path.name} is locked by another quizapp; this was not saved; "
                        "try again in a moment"
                    ) from None
                if isinstance(exc, sqlite3.IntegrityError) or self.read_only:
                    raise
                self._fall_back(exc)
                result = _transaction(self._conn, fn)
            self._after_write()
            return result

    def _fall_back(self, exc: BaseException) -> None:
        mem = _connect(":memory:", self._busy_timeout)
        try:
            self._conn.backup(mem)
            kept = "your progress so far is shown"
        except sqlite3.Error:
            mem.close()
            mem = _empty_in_memory(self._busy_timeout)
            kept = "progress starts empty"
        with contextlib.suppress(sqlite3.Error):
            self._conn.close()
        self._conn = mem
        self._conn.execute("PRAGMA foreign_keys=ON")
        self.read_only = True
        self._generation += 1
        self.notices.append(
            f"cannot save to {self.path} ({_why(exc)}): studying without saving from now on "
            f"({kept}); fix it and restart quizapp"
        )

    def _after_write(self) -> None:
        self._dirty = True
        self._writes += 1
        if self.read_only or self._batch_depth:
            return
        if _session_backup_due(self._last_backup):
            self._session_backup()

    def _session_backup(self) -> None:
        """The backup during and after a session: a failure is a notice, never an error."""
        try:
            self.backup("session")
        except StoreError as exc:
            self.notices.append(f"session backup failed: {exc.message}")
            self._last_backup = datetime.now(UTC)  # do not retry on every review

    @property
    def version(self) -> tuple[int, int, int]:
        """Changes whenever the data may have changed (here or in another process): cache keys."""
        with self._lock:
            try:
                other = self._conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                other = -1
            return (self._generation, self._writes, other)

    def new_notices(self) -> list[str]:
        """Notices added since the last call (e.g. a disk that filled up mid-session)."""
        new = self.notices[self._notices_seen :]
        self._notices_seen = len(self.notices)
        return new

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group many writes into one transaction (imports, benchmarks). All or nothing."""
        with self._lock:
            if self._batch_depth == 0:
                self._conn.execute("BEGIN IMMEDIATE")
            self._batch_depth += 1
            try:
                yield
            except BaseException:
                self._batch_depth -= 1
                if self._batch_depth == 0:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                raise
            self._batch_depth -= 1
            if self._batch_depth == 0:
                try:
                    self._conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    with contextlib.suppress(sqlite3.Error):
                        self._conn.execute("ROLLBACK")
                    raise StoreError(f"cannot save to {self.path.name}: {_why(exc)}") from None
                self._after_write()

    def close(self) -> None:
        """Take the session backup when anything changed, then close. Safe to call twice."""
        with self._lock:
            if self._conn is None:  # type: ignore[comparison-overlap]
                return
            if self._dirty and not self.read_only:
                self._session_backup()
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- settings

    def _load_settings(self) -> Settings:
        try:
            rows = self._conn.execute("SELECT key, value FROM settings").fetchall()
        except sqlite3.Error:
            return Settings()
        data: dict[str, Any] = {}
        for key, value in rows:
            try:
                data[key] = json.loads(value)
            except ValueError:
                data[key] = object()  # unreadable: rejected below like any invalid value
        settings, rejected = parse_stored_settings(data)
        if rejected:
            self.notices.append(
                f"setting {rejected[0]} in {self.path.name} was invalid: using the default "
                "(change it with 'quizapp settings')"
            )
        return settings

    @property
    def settings(self) -> Settings:
        return self._settings

    def save_settings(self, settings: Settings) -> None:
        """Validate and save; raises StoreError with the first problem."""
        problems = settings.validate()
        if problems:
            raise StoreError(problems[0])

        def write(conn: sqlite3.Connection) -> None:
            for key, value in settings.to_json().items():
                conn.execute(
                    "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                    (key, json.dumps(value)),
                )

        self._write(write)
        self._use_settings(settings)

    def _use_settings(self, settings: Settings) -> None:
        self._settings = settings
        # Kept, not built per review: the scheduler depends only on the desired retention.
        self._scheduler = fsrs.Scheduler(desired_retention=settings.desired_retention)

    @property
    def scheduler(self) -> fsrs.Scheduler:
        """The fsrs scheduler for the current desired retention."""
        return self._scheduler

    # ---------------------------------------------------------------- cards and reviews

    def card_state(self, item_id: str) -> CardState | None:
        """The item's scheduling state, or None when it has never been reviewed."""
        row = self._read(
            lambda c: c.execute(
                f"SELECT {_CARD_COLUMNS} FROM cards WHERE item_id = ?", (item_id,)
            ).fetchone()
        )
        return _card_state(row) if row else None

    def card_states(self) -> dict[str, CardState]:
        rows = self._read(lambda c: c.execute(f"SELECT {_CARD_COLUMNS} FROM cards").fetchall())
        return {r[0]: _card_state(r) for r in rows}

    def reviewed_ids(self) -> set[str]:
        """Ids of every item that has a scheduling state (was ever reviewed)."""
        return self._read(lambda c: {r[0] for r in c.execute("SELECT item_id FROM cards")})

    def iter_due(self, before: datetime) -> Iterator[tuple[str, fsrs.State, datetime]]:
        """(item id, state, due) of items due at or before ``before``, earliest first, read lazily
        in small chunks (the lock is not held between them, so stopping early is fine)."""
        cursor = self._read(
            lambda c: c.execute(
                "SELECT item_id, state, due FROM cards WHERE due <= ? ORDER BY due",
                (_ts(_utc(before)),),
            )
        )
        size = 16  # the queue usually needs only the first few
        while True:
            rows = self._read(lambda _c, n=size: cursor.fetchmany(n))
            if not rows:
                return
            for item_id, state, due in rows:
                yield item_id, fsrs.State(state), _dt(due)  # type: ignore[misc]
            size = min(size * 4, 1024)

    def first_reviewed_since(self, since: datetime) -> int:
        """How many items had their first review at or after ``since`` (new cards seen)."""
        return self._read(
            lambda c: c.execute(
                "SELECT COUNT(*) FROM cards WHERE first_review >= ?", (_ts(_utc(since)),)
            ).fetchone()[0]
        )

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
        review's ``due`` is when the item comes back. Raises StoreError only when another
        quizapp holds the file locked for longer than the busy timeout.
        """
        rating = fsrs.Rating(int(rating))
        at = _utc(now)
        review, before = self._write(
            lambda c: self._review_in(
                c, item_id, rating, kind, at, duration_ms, answer, verdict, seed, None
            )
        )
        self._undo.append((review.id, before))
        return review

    def _review_in(
        self,
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
        new_card, _ = self._scheduler.review_card(card, rating, at, duration_ms)
        if rating == fsrs.Rating.Again and state_before == fsrs.State.Review:
            lapses += 1
        _put_card(conn, item_id, new_card, reps=reps + 1, lapses=lapses, first_review=first)
        cursor = conn.execute(
            "INSERT INTO reviews (item_id, kind, rating, reviewed_at, duration_ms, answer, "
            "verdict, seed, quiz_id, state_before, due_after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item_id,
                kind,
                int(rating),
                _ts(at),
                duration_ms,
                answer,
                verdict,
                seed,
                quiz_id,
                state_before,
                _ts(new_card.due),
            ),
        )
        review = Review(
            id=cursor.lastrowid,  # type: ignore[arg-type]
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

    def undo_last_review(self) -> Review | None:
        """Undo the newest review this session recorded: delete it (and its quiz answer) and put
        the item's scheduling state back exactly as it was. None when there is nothing to undo,
        or when another process has reviewed the item since (its history is left alone)."""

        def write(conn: sqlite3.Connection) -> Review | None:
            while self._undo:
                review_id, before = self._undo[-1]
                row = conn.execute(
                    f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE id = ?", (review_id,)
                ).fetchone()
                if row is None:  # gone (e.g. a restore replaced the file)
                    self._undo.pop()
                    continue
                review = _review(row)
                newest = conn.execute(
                    "SELECT MAX(id) FROM reviews WHERE item_id = ?", (review.item_id,)
                ).fetchone()[0]
                if newest != review_id:
                    return None
                conn.execute("DELETE FROM quiz_answers WHERE review_id = ?", (review_id,))
                conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
                conn.execute("DELETE FROM cards WHERE item_id = ?", (review.item_id,))
                if before is not None:
                    conn.execute(
                        f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES ({_CARD_MARKS})", before
                    )
                return review
            return None

        review = self._write(write)
        if review is not None:
            self._undo.pop()
        return review

    def reviews(self, item_id: str | None = None, *, since: datetime | None = None) -> list[Review]:
        """Reviews, oldest first; of one item and/or from ``since`` on."""
        where, args = [], []
        if item_id is not None:
            where.append("item_id = ?")
            args.append(item_id)
        if since is not None:
            where.append("reviewed_at >= ?")
            args.append(_ts(_utc(since)))
        sql = f"SELECT {_REVIEW_COLUMNS} FROM reviews"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._read(lambda c: c.execute(sql + " ORDER BY id", args).fetchall())
        return [_review(r) for r in rows]

    def review_count(self, *, since: datetime | None = None) -> int:
        if since is None:
            return self._read(lambda c: c.execute("SELECT COUNT(*) FROM reviews").fetchone()[0])
        return self._read(
            lambda c: c.execute(
                "SELECT COUNT(*) FROM reviews WHERE reviewed_at >= ?", (_ts(_utc(since)),)
            ).fetchone()[0]
        )

    def review_totals(self, item_ids: Iterable[str] | None = None) -> list[ReviewTotal]:
        """Reviews and right answers per (item, kind), of every item or of ``item_ids``."""
        sql = "SELECT item_id, kind, COUNT(*), SUM(rating > 1) FROM reviews"
        args: list[str] = []
        if item_ids is not None:
            args = sorted(set(item_ids))
            sql += f" WHERE item_id IN ({', '.join('?' * len(args))})"
        rows = self._read(lambda c: c.execute(sql + " GROUP BY item_id, kind", args).fetchall())
        return [ReviewTotal(*r) for r in rows]

    def reviews_per_day(self, *, since: datetime | None = None) -> dict[date, int]:
        """Reviews per local calendar day."""
        sql = "SELECT date(reviewed_at, 'localtime') AS d, COUNT(*) FROM reviews"
        args: tuple[Any, ...] = ()
        if since is not None:
            sql += " WHERE reviewed_at >= ?"
            args = (_ts(_utc(since)),)
        rows = self._read(lambda c: c.execute(sql + " GROUP BY d", args).fetchall())
        return {date.fromisoformat(d): n for d, n in rows}

    def review_state_outcomes(self, *, since: datetime | None = None) -> tuple[int, int]:
        """(reviews of items in the Review state, how many of them were remembered): the data
        behind true retention."""
        sql = "SELECT COUNT(*), COALESCE(SUM(rating > 1), 0) FROM reviews WHERE state_before = 2"
        args: tuple[Any, ...] = ()
        if since is not None:
            sql += " AND reviewed_at >= ?"
            args = (_ts(_utc(since)),)
        return self._read(lambda c: tuple(c.execute(sql, args).fetchone()))  # type: ignore[return-value]

    # ---------------------------------------------------------------- checklist

    def set_ticked(self, number: int, ticked: bool, now: datetime | None = None) -> None:
        """Tick (with the time) or untick revision-checklist item ``number``."""
        at = _ts(_utc(now))

        def write(conn: sqlite3.Connection) -> None:
            if ticked:
                # Ticking an already ticked item keeps the original time.
                conn.execute(
                    "INSERT OR IGNORE INTO checklist_ticks (number, ticked_at) VALUES (?, ?)",
                    (number, at),
                )
            else:
                conn.execute("DELETE FROM checklist_ticks WHERE number = ?", (number,))

        self._write(write)

    def ticks(self) -> dict[int, datetime]:
        rows = self._read(lambda c: c.execute("SELECT number, ticked_at FROM checklist_ticks"))
        return {n: _dt(t) for n, t in rows}  # type: ignore[misc]

    # ---------------------------------------------------------------- quizzes

    def start_quiz(self, mode: str, config: dict[str, Any], now: datetime | None = None) -> int:
        """Start a quiz session; ``config`` (JSON-serialisable) records how it was set up."""
        text = json.dumps(config, sort_keys=True, default=str)
        at = _ts(_utc(now))
        return self._write(
            lambda c: (
                c.execute(
                    "INSERT INTO quiz_sessions (mode, config, started_at) VALUES (?, ?, ?)",
                    (mode, text, at),
                ).lastrowid
            )  # type: ignore[return-value]
        )

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
        chosen = fsrs.Rating(int(rating))
        at = _utc(now)

        def write(conn: sqlite3.Connection) -> tuple[Review, tuple[Any, ...] | None]:
            mode = conn.execute(
                "SELECT mode FROM quiz_sessions WHERE id = ?", (quiz_id,)
            ).fetchone()
            if mode is None:
                raise StoreError(f"quiz {quiz_id} does not exist; start a quiz first")
            review, before = self._review_in(
                conn,
                item_id,
                chosen,
                kind or mode[0],
                at,
                duration_ms,
                answer,
                verdict,
                seed,
                quiz_id,
            )
            conn.execute(
                "INSERT INTO quiz_answers (quiz_id, item_id, correct, answer, verdict, "
                "duration_ms, answered_at, review_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (quiz_id, item_id, int(correct), answer, verdict, duration_ms, _ts(at), review.id),
            )
            return review, before

        review, before = self._write(write)
        self._undo.append((review.id, before))
        return review

    def finish_quiz(self, quiz_id: int, now: datetime | None = None) -> QuizSession:
        at = _ts(_utc(now))
        self._write(
            lambda c: c.execute(
                "UPDATE quiz_sessions SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
                (at, quiz_id),
            )
        )
        for session in self.quiz_sessions():
            if session.id == quiz_id:
                return session
        raise StoreError(f"quiz {quiz_id} does not exist")

    def quiz_sessions(self) -> list[QuizSession]:
        """Every quiz session, oldest first, with how many answers and how many right."""
        rows = self._read(
            lambda c: c.execute(
                "SELECT s.id, s.mode, s.config, s.started_at, s.finished_at, "
                "COUNT(a.id), COALESCE(SUM(a.correct), 0) FROM quiz_sessions s "
                "LEFT JOIN quiz_answers a ON a.quiz_id = s.id GROUP BY s.id ORDER BY s.id"
            ).fetchall()
        )
        return [
            QuizSession(i, m, json.loads(cfg), _dt(s), _dt(f), n, k)  # type: ignore[arg-type]
            for i, m, cfg, s, f, n, k in rows
        ]

    def quiz_answers(self, quiz_id: int) -> list[dict[str, Any]]:
        rows = self._read(
            lambda c: c.execute(
                "SELECT item_id, correct, answer, verdict, duration_ms, answered_at, review_id "
                "FROM quiz_answers WHERE quiz_id = ? ORDER BY id",
                (quiz_id,),
            ).fetchall()
        )
        keys = (
            "item_id",
            "correct",
            "answer",
            "verdict",
            "duration_ms",
            "answered_at",
            "review_id",
        )
        out = []
        for row in rows:
            data = dict(zip(keys, row, strict=True))
            data["correct"] = bool(data["correct"])
            out.append(data)
        return out

    # ---------------------------------------------------------------- backups

    def backup(self, reason: str = "manual") -> Path:
        """Copy the database into the backups folder (atomically) and rotate old backups.
        ``reason`` (lower-case, digits, dashes) ends the file name. Raises StoreError."""
        with self._lock:
            if self.read_only:
                raise StoreError(
                    f"{self.path.name} is not being saved this run; nothing to back up"
                )
            target = _take_backup(self._conn, self.backups_dir, reason)
            self._last_backup = datetime.now(UTC)
            self._dirty = False
            _rotate(self.backups_dir, self._last_backup)
            return target

    def list_backups(self) -> list[Backup]:
        """Backups in the backups folder, newest first."""
        return _list_backups(self.backups_dir)

    def restore(self, path: Path) -> Path:
        """Replace all progress with the backup at ``path``, after backing up the current state
        (the ``pre-restore`` backup, whose path is returned). Raises StoreError when ``path`` is
        not a good quizapp backup or the store is not saving this run."""
        path = Path(path)
        problem = _check_backup(path)
        if problem:
            raise StoreError(f"{path}: {problem}; nothing was changed")
        with self._lock:
            if self.read_only:
                raise StoreError(f"{self.path.name} is open read-only this run; cannot restore")
            before = self.backup("pre-restore")
            try:
                _copy_backup(path, self._conn, self._busy_timeout)
                self._conn.execute("PRAGMA journal_mode=WAL")
                if self._conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                    _migrate(self._conn)
            except sqlite3.Error as exc:
                raise StoreError(
                    f"restore from {path.name} failed ({_why(exc)}); your progress before it is "
                    f"in {before.name}"
                ) from None
            self._generation += 1
            self._undo.clear()
            self._dirty = False
            self._use_settings(self._load_settings())
        return before

    # ---------------------------------------------------------------- export

    def export(self) -> dict[str, Any]:
        """All progress as JSON-serialisable data: what a learner owns."""
        states = self.card_states()
        sessions = self.quiz_sessions()
        return {
            "format": "quizapp-progress",
            "schema_version": SCHEMA_VERSION,
            "exported_at": datetime.now(UTC).isoformat(),
            "settings": self.settings.to_json(),
            "cards": [
                {
                    "item_id": s.item_id,
                    "state": s.card.state.name.lower(),
                    "step": s.card.step,
                    "stability": s.card.stability,
                    "difficulty": s.card.difficulty,
                    "due": s.card.due.isoformat(),
                    "last_review": s.card.last_review.isoformat() if s.card.last_review else None,
                    "reps": s.reps,
                    "lapses": s.lapses,
                    "first_review": s.first_review.isoformat(),
                }
                for s in sorted(states.values(), key=lambda s: s.item_id)
            ],
            "reviews": [r.to_json() for r in self.reviews()],
            "quiz_sessions": [
                {
                    "id": s.id,
                    "mode": s.mode,
                    "config": s.config,
                    "started_at": s.started_at.isoformat(),
                    "finished_at": s.finished_at.isoformat() if s.finished_at else None,
                    "answers": self.quiz_answers(s.id),
                }
                for s in sessions
            ],
            "checklist_ticks": [
                {"number": n, "ticked_at": t.isoformat()} for n, t in sorted(self.ticks().items())
            ],
        }
