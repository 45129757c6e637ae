"""The learner's progress in one SQLite file, ``<data dir>/progress.db``.

What it holds: each item's FSRS scheduling state (``cards``), every review ever made
(``reviews``: item id, rating, when, how long, the answer typed, the verdict, the drill seed),
quiz sessions and their answers, revision-checklist ticks and the settings.

How it keeps them safe:

* WAL journal with ``synchronous=FULL`` and one short ``BEGIN IMMEDIATE`` transaction per user
  action, so a review is either fully on disk (review row and new card state together) or absent,
  whatever happens to the process.
* ``PRAGMA quick_check`` on every open. The schema version lives in ``PRAGMA user_version``;
  migrations run in one transaction, after a backup.
* Backups with SQLite's backup API in ``<data dir>/backups/``: after a session with changes (and
  during one, at most every 30 minutes), before every migration and restore, and on demand;
  rotated to the newest 10 plus the newest of each day for 30 days (pre-migration backups are kept).

What ``Store.open`` does with a bad file (it never raises; each case adds one line to ``notices``):

* damaged (not a database, truncated, fails quick_check, or user_version 0 with foreign tables):
  the file is moved aside with its -wal/-shm as ``progress.db.damaged-<time>`` (never deleted) and
  the newest backup that passes quick_check is restored; with no good backup, progress starts empty;
* written by a newer quizapp (user_version above ``SCHEMA_VERSION``): left untouched; its data is
  copied into memory when its tables have every column this version reads, else progress starts
  empty; either way ``read_only`` is True;
* locked by another program for longer than the busy timeout, a data folder or file that cannot
  be written, or a disk that fills up mid-session: the store carries on in memory
  (``read_only`` True), so the learner can still study; nothing after that point is saved.

Two quizapps may run at once: WAL lets both read and write, and each write waits at most the busy
timeout for the other; a write that still cannot get the lock raises ``StoreError`` (try again).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import threading
import time as _time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import fsrs

from quizapp.settings import Settings, parse_stored_settings

SCHEMA_VERSION = 2

# The first schema (quizapp 0.1): each card's fsrs.Card as JSON, a bare review log, ticks and
# text settings. Kept here because migrating from it is part of this module's contract.
SCHEMA_V1 = """
CREATE TABLE card_state (item_id TEXT PRIMARY KEY, card TEXT NOT NULL);
CREATE TABLE review_log (
    id INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL,
    rating INTEGER NOT NULL,
    reviewed_at TEXT NOT NULL,
    duration_ms INTEGER
);
CREATE TABLE ticks (number INTEGER PRIMARY KEY, ticked_at TEXT NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

SCHEMA_V2 = """
CREATE TABLE cards (
    item_id      TEXT PRIMARY KEY,
    state        INTEGER NOT NULL,
    step         INTEGER,
    stability    REAL,
    difficulty   REAL,
    due          TEXT NOT NULL,
    last_review  TEXT,
    reps         INTEGER NOT NULL DEFAULT 0,
    lapses       INTEGER NOT NULL DEFAULT 0,
    first_review TEXT NOT NULL
);
CREATE INDEX cards_due ON cards(due);
CREATE INDEX cards_first_review ON cards(first_review);
CREATE TABLE quiz_sessions (
    id          INTEGER PRIMARY KEY,
    mode        TEXT NOT NULL,
    config      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    item_id      TEXT NOT NULL,
    kind         TEXT,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    reviewed_at  TEXT NOT NULL,
    duration_ms  INTEGER,
    answer       TEXT,
    verdict      TEXT,
    seed         INTEGER,
    quiz_id      INTEGER REFERENCES quiz_sessions(id),
    state_before INTEGER,
    due_after    TEXT
);
CREATE INDEX reviews_item ON reviews(item_id, kind, rating);
CREATE INDEX reviews_time ON reviews(reviewed_at);
CREATE TABLE quiz_answers (
    id          INTEGER PRIMARY KEY,
    quiz_id     INTEGER NOT NULL REFERENCES quiz_sessions(id),
    item_id     TEXT NOT NULL,
    correct     INTEGER NOT NULL,
    answer      TEXT,
    verdict     TEXT,
    duration_ms INTEGER,
    answered_at TEXT NOT NULL,
    review_id   INTEGER REFERENCES reviews(id)
);
CREATE INDEX quiz_answers_quiz ON quiz_answers(quiz_id);
CREATE TABLE checklist_ticks (number INTEGER PRIMARY KEY, ticked_at TEXT NOT NULL);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Column meanings in v2: times are UTC ISO 8601 with microseconds (fixed width, so text order is
# time order); reviews.kind is the item's kind when reviewed (NULL for reviews migrated from v1);
# state_before is the fsrs.State before the review (NULL: the card was new); due_after is when the
# review scheduled the item next; settings values are JSON. (The whole cards row before a review,
# which undo puts back, is kept in memory: undo reaches only this session's reviews.)

_TABLES = {1: {"card_state", "review_log", "ticks", "settings"}, 2: {"cards", "reviews"}}

BUSY_TIMEOUT = 2.0  # seconds a write waits for another quizapp before giving up
BACKUP_EVERY = timedelta(minutes=30)
KEEP_RECENT_BACKUPS = 10
KEEP_DAILY_BACKUPS_DAYS = 30
_BACKUP_NAME = re.compile(r"^progress-(\d{8}T\d{6}\.\d{6})Z-([a-z0-9-]+)\.db$")

T = TypeVar("T")


class StoreError(Exception):
    """A progress operation that failed; ``message`` is one line for the learner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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

    @property
    def correct(self) -> bool:
        """Anything but Again counts as remembered / answered right."""
        return self.rating != fsrs.Rating.Again

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
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
    """How often one item was reviewed as one kind, and how often remembered / right."""

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


def _utc(dt: datetime | None) -> datetime:
    """``dt`` (naive means local time) or now, as an aware UTC datetime fsrs accepts."""
    if dt is None:
        return datetime.now(UTC)
    return dt.astimezone(UTC)


def _ts(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    if text is None:
        return None
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def local_day_start(at: datetime) -> datetime:
    """Midnight (local time) of the day ``at`` falls on, as UTC."""
    local = at.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _why(exc: BaseException) -> str:
    """A short reason for a failed file operation."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    text = str(exc)
    low = text.lower()
    if "full" in low:
        return "the disk is full"
    if "readonly" in low or "read-only" in low:
        return "the file cannot be written"
    return text


def _connect(target: str | Path, busy_timeout: float, *, uri: bool = False) -> sqlite3.Connection:
    # Autocommit mode: every transaction is an explicit BEGIN IMMEDIATE ... COMMIT.
    # check_same_thread off because the UI may call from worker threads; Store serialises with
    # a lock.
    return sqlite3.connect(
        str(target),
        timeout=busy_timeout,
        isolation_level=None,
        check_same_thread=False,
        uri=uri,
    )


SQLITE_HEADER = b"SQLite format 3\x00"


def _uri(path: Path, query: str) -> str:
    return f"file:{urllib.parse.quote(str(path.absolute()))}?{query}"


def _inspect_file(path: Path, busy_timeout: float) -> tuple[str, int, str]:
    """Classify the file at ``path`` without changing it or its -wal/-shm: a header check in
    Python first (SQLite would delete a -wal next to a garbage file on close), then a read-only
    connection, which never checkpoints or removes the WAL. Raises sqlite3.OperationalError when
    the file is locked."""
    with open(path, "rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if not header:
        return "empty", 0, ""
    if header != SQLITE_HEADER:
        return "damaged", 0, "not an SQLite database"
    conn = _connect(_uri(path, "mode=ro"), busy_timeout, uri=True)
    try:
        return _inspect(conn)
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
            raise
        return "damaged", 0, str(exc).splitlines()[0]
    finally:
        conn.close()


def _inspect(conn: sqlite3.Connection) -> tuple[str, int, str]:
    """Classify an open database: ("ok"|"empty"|"damaged"|"foreign"|"newer", version, why)."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if rows != [("ok",)]:
        lines = [ln for ln in str(rows[0][0]).splitlines() if ln.strip() and "***" not in ln]
        return "damaged", 0, f"quick_check: {lines[0] if lines else 'failed'}"
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if version == 0:
        return ("empty", 0, "") if not tables else ("foreign", 0, "not a quizapp progress file")
    if version < 0:
        return "foreign", version, f"unknown schema version {version}"
    if version > SCHEMA_VERSION:
        return "newer", version, ""
    missing = sorted(_TABLES[version] - tables)
    if missing:
        return "damaged", version, f"table {missing[0]} is missing"
    return "ok", version, ""


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one: ``executescript`` would COMMIT the open transaction."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _current_columns() -> dict[str, set[str]]:
    scratch = sqlite3.connect(":memory:")
    scratch.executescript(SCHEMA_V2)
    tables = [r[0] for r in scratch.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    out = {t: {r[1] for r in scratch.execute(f"PRAGMA table_info({t})")} for t in tables}
    scratch.close()
    return out


def _has_current_columns(conn: sqlite3.Connection) -> bool:
    """True when every table and column this version reads exists (a newer file may add more)."""
    for table, columns in _current_columns().items():
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if not columns <= have:
            return False
    return True


# --------------------------------------------------------------------------- migrations


def _replay_states(ratings: list[int]) -> list[int | None]:
    """The fsrs state before each of a card's reviews, from its ratings alone.

    State changes depend only on the ratings and the (default) learning steps, not on intervals,
    so this is exact for logs written with fsrs defaults.
    """
    scheduler = fsrs.Scheduler(enable_fuzzing=False)
    card = fsrs.Card(card_id=0, due=datetime(2000, 1, 1, tzinfo=UTC))
    at = card.due
    states: list[int | None] = []
    for i, rating in enumerate(ratings):
        states.append(None if i == 0 else int(card.state))
        card, _ = scheduler.review_card(card, fsrs.Rating(rating), at)
        at = card.due
    return states


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    _run_script(conn, SCHEMA_V2.replace("CREATE TABLE settings", "CREATE TABLE settings_v2"))
    logs: dict[str, list[tuple[Any, ...]]] = {}
    for row in conn.execute(
        "SELECT id, item_id, rating, reviewed_at, duration_ms FROM review_log ORDER BY id"
    ):
        logs.setdefault(row[1], []).append(row)
    for item_id, rows in logs.items():
        states = _replay_states([r[2] for r in rows])
        for row, before in zip(rows, states, strict=True):
            conn.execute(
                "INSERT INTO reviews (id, item_id, rating, reviewed_at, duration_ms, state_before)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (row[0], item_id, row[2], _ts(_dt(row[3])), row[4], before),  # type: ignore[arg-type]
            )
    for item_id, text in conn.execute("SELECT item_id, card FROM card_state").fetchall():
        card = fsrs.Card.from_json(text)
        rows = logs.get(item_id, [])
        states = _replay_states([r[2] for r in rows])
        lapses = sum(
            1 for r, s in zip(rows, states, strict=True) if r[2] == 1 and s == fsrs.State.Review
        )
        first = _dt(rows[0][3]) if rows else (card.last_review or card.due)
        _put_card(conn, item_id, card, reps=len(rows), lapses=lapses, first_review=first)
    for number, ticked_at in conn.execute("SELECT number, ticked_at FROM ticks").fetchall():
        conn.execute(
            "INSERT INTO checklist_ticks VALUES (?, ?)",
            (number, _ts(_dt(ticked_at))),  # type: ignore[arg-type]
        )
    for key, value in conn.execute("SELECT key, value FROM settings").fetchall():
        parsed: Any = value
        # A hand-edited value that does not convert is carried over as text; loading the
        # settings then reports it and uses the default.
        with contextlib.suppress(ValueError):
            if key == "desired_retention":
                parsed = float(value)
            elif key == "new_per_day":
                parsed = int(value)
            elif value == "":
                parsed = None
        conn.execute("INSERT INTO settings_v2 VALUES (?, ?)", (key, json.dumps(parsed)))
    conn.execute("DROP TABLE card_state")
    conn.execute("DROP TABLE review_log")
    conn.execute("DROP TABLE ticks")
    conn.execute("DROP TABLE settings")
    conn.execute("ALTER TABLE settings_v2 RENAME TO settings")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2}


def _migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to SCHEMA_VERSION in one transaction; returns the version found."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read inside the write lock: another quizapp may have migrated meanwhile.
        found = conn.execute("PRAGMA user_version").fetchone()[0]
        if found == 0:
            _run_script(conn, SCHEMA_V2)
        else:
            for version in range(found, SCHEMA_VERSION):
                MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    return found


# --------------------------------------------------------------------------- card rows

_CARD_COLUMNS = (
    "item_id, state, step, stability, difficulty, due, last_review, reps, lapses, first_review"
)
_CARD_MARKS = ", ".join("?" * len(_CARD_COLUMNS.split(",")))


def _put_card(
    conn: sqlite3.Connection,
    item_id: str,
    card: fsrs.Card,
    *,
    reps: int,
    lapses: int,
    first_review: datetime,
) -> None:
    conn.execute(
        f"INSERT OR REPLACE INTO cards ({_CARD_COLUMNS}) VALUES ({_CARD_MARKS})",
        (
            item_id,
            int(card.state),
            card.step,
            card.stability,
            card.difficulty,
            _ts(card.due),
            _ts(card.last_review) if card.last_review else None,
            reps,
            lapses,
            _ts(first_review),
        ),
    )


def _card_state(row: tuple[Any, ...]) -> CardState:
    item_id, state, step, stability, difficulty, due, last, reps, lapses, first = row
    card = fsrs.Card(
        card_id=0,  # fsrs wants an int; progress is keyed on item_id (and 0 avoids its 1 ms sleep)
        state=fsrs.State(state),
        step=step,
        stability=stability,
        difficulty=difficulty,
        due=_dt(due),
        last_review=_dt(last),
    )
    return CardState(item_id, card, reps, lapses, _dt(first))  # type: ignore[arg-type]


_REVIEW_COLUMNS = (
    "id, item_id, kind, rating, reviewed_at, duration_ms, answer, verdict, seed, quiz_id, "
    "state_before, due_after"
)


def _review(row: tuple[Any, ...]) -> Review:
    rid, item_id, kind, rating, at, duration, answer, verdict, seed, quiz, before, due = row
    return Review(
        id=rid,
        item_id=item_id,
        kind=kind,
        rating=fsrs.Rating(rating),
        reviewed_at=_dt(at),  # type: ignore[arg-type]
        duration_ms=duration,
        answer=answer,
        verdict=verdict,
        seed=seed,
        quiz_id=quiz,
        state_before=fsrs.State(before) if before is not None else None,
        due=_dt(due),
    )


# --------------------------------------------------------------------------- the store


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
        self._settings = self._load_settings()
        self._scheduler = fsrs.Scheduler(desired_retention=self._settings.desired_retention)

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
        for a bad, locked or unwritable file: see the module docstring for each outcome.

        ``backups_dir`` defaults to ``backups/`` beside the file.
        """
        from quizapp import paths

        path = Path(path) if path is not None else paths.db_path()
        bdir = Path(backups_dir) if backups_dir is not None else path.parent / "backups"
        notices: list[str] = []
        try:
            return cls._open(path, bdir, notices, busy_timeout, recovered=False)
        except Exception as exc:  # the last guard: studying must never fail to start
            return cls._in_memory(
                path, bdir, notices, busy_timeout, source=None, why=f"cannot open {path} ({exc})"
            )

    @classmethod
    def _open(
        cls, path: Path, bdir: Path, notices: list[str], busy_timeout: float, *, recovered: bool
    ) -> Store:
        def memory(source: Path | None, why: str) -> Store:
            return cls._in_memory(path, bdir, notices, busy_timeout, source=source, why=why)

        name = path.name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return memory(None, f"cannot create the data folder {path.parent} ({_why(exc)})")
        exists = path.exists()
        if not os.access(path.parent, os.W_OK) or (exists and not os.access(path, os.W_OK)):
            where = path if exists and not os.access(path, os.W_OK) else path.parent
            return memory(path if exists else None, f"{where} is not writable")
        if exists and path.is_dir():
            return memory(None, f"{path} is a folder, not a progress file")
        try:
            verdict, version, why = _inspect_file(path, busy_timeout) if exists else ("new", 0, "")
        except OSError as exc:
            return memory(None, f"cannot read {path} ({_why(exc)})")
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                return memory(None, f"{name} is locked by another program (another quizapp?)")
            return memory(None, f"cannot open {path} ({_why(exc)})")

        if verdict == "empty" and not recovered and cls._good_backups(bdir):
            # We always write the schema in the same transaction that creates the file, so an
            # empty file next to good backups has lost its contents.
            verdict, why = "damaged", "the file is empty"
        if verdict in ("damaged", "foreign"):
            if recovered:
                return memory(None, f"{name} is still unreadable after recovery ({why})")
            return cls._recover(path, bdir, notices, busy_timeout, why)
        if verdict == "newer":
            notices.append(
                f"{name} was written by a newer quizapp (schema {version}, this one reads "
                f"{SCHEMA_VERSION}): left untouched; studying read-only; upgrade quizapp"
            )
            return cls._in_memory(path, bdir, notices, busy_timeout, source=path, why=None)

        try:
            conn = _connect(path, busy_timeout)
        except sqlite3.Error as exc:
            return memory(path, f"cannot open {path} ({_why(exc)})")
        try:
            conn.execute("PRAGMA synchronous=FULL")
            if verdict == "ok" and version < SCHEMA_VERSION:
                try:
                    taken = _take_backup(conn, bdir, f"pre-migration-v{version}")
                except StoreError as exc:
                    conn.close()
                    return memory(path, f"cannot back up before upgrading {name}: {exc.message}")
                _migrate(conn)
                notices.append(
                    f"{name} upgraded from schema {version} to {SCHEMA_VERSION} "
                    f"(backup first: {taken.name})"
                )
            elif verdict in ("empty", "new"):
                _migrate(conn)
            # After any migration, so a failed one leaves the file byte for byte as it was.
            conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            conn.close()
            if _is_busy(exc):
                return memory(path, f"{name} is locked by another program (another quizapp?)")
            return memory(path, f"cannot write {path} ({_why(exc)})")
        except Exception as exc:  # a migration that fails leaves the file as it was
            conn.close()
            return memory(path, f"cannot upgrade {name} ({type(exc).__name__}: {exc})")
        return cls._wrap(conn, path, bdir, notices, busy_timeout)

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

    @classmethod
    def _in_memory(
        cls,
        path: Path,
        bdir: Path,
        notices: list[str],
        busy_timeout: float,
        *,
        source: Path | None,
        why: str | None,
    ) -> Store:
        """A store in memory, holding a copy of ``source`` when it can be read."""
        mem = _connect(":memory:", busy_timeout)
        copied = False
        if source is not None:
            copied = _copy_into(source, mem, busy_timeout)
        if copied:
            version = mem.execute("PRAGMA user_version").fetchone()[0]
            try:
                if version > SCHEMA_VERSION and not _has_current_columns(mem):
                    copied = False
                elif version < SCHEMA_VERSION:
                    _migrate(mem)
            except Exception:  # unreadable or not upgradable: start empty instead
                copied = False
            if not copied:
                mem.close()
                mem = _connect(":memory:", busy_timeout)
        if not copied:
            _migrate(mem)
        if why is not None:
            kept = "your progress so far is shown" if copied else "progress starts empty"
            notices.append(f"{why}: studying without saving ({kept}); fix it and restart quizapp")
        return cls._wrap(mem, path, bdir, notices, busy_timeout, read_only=True)

    @classmethod
    def _recover(
        cls, path: Path, bdir: Path, notices: list[str], busy_timeout: float, why: str
    ) -> Store:
        name = path.name
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = path.with_name(f"{name}.damaged-{stamp}")
        n = 1
        while aside.exists():
            n += 1
            aside = path.with_name(f"{name}.damaged-{stamp}-{n}")
        try:
            # The -wal/-shm keep their suffixes so the moved pair still opens together.
            for suffix in ("-wal", "-shm"):
                extra = Path(f"{path}{suffix}")
                if extra.exists():
                    extra.rename(Path(f"{aside}{suffix}"))
            path.rename(aside)
        except OSError as exc:
            return cls._in_memory(
                path,
                bdir,
                notices,
                busy_timeout,
                source=None,
                why=f"{name} is damaged ({why}) and cannot be moved aside ({_why(exc)})",
            )
        good = cls._good_backups(bdir)
        if good:
            chosen = good[0]
            try:
                dest = _connect(path, busy_timeout)
                src = _connect(_uri(chosen.path, "mode=ro"), busy_timeout, uri=True)
                src.backup(dest)
                src.close()
                dest.close()
                restored = f"restored backup {chosen.path.name}"
            except sqlite3.Error as exc:
                with contextlib.suppress(OSError):
                    path.unlink()
                restored = f"could not restore a backup ({exc}); starting with empty progress"
        else:
            restored = "no good backup found; starting with empty progress"
        notices.append(f"{name} was damaged ({why}): moved to {aside.name}; {restored}")
        return cls._open(path, bdir, notices, busy_timeout, recovered=True)

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
                result = self._transaction(fn)
            except sqlite3.DatabaseError as exc:
                if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
                    raise StoreError(
                        f"{self.path.name} is locked by another quizapp; this was not saved; "
                        "try again in a moment"
                    ) from None
                if isinstance(exc, sqlite3.IntegrityError) or self.read_only:
                    raise
                self._fall_back(exc)
                result = self._transaction(fn)
            self._after_write()
            return result

    def _transaction(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        return result

    def _fall_back(self, exc: BaseException) -> None:
        mem = _connect(":memory:", self._busy_timeout)
        try:
            self._conn.backup(mem)
            kept = "your progress so far is shown"
        except sqlite3.Error:
            mem.close()
            mem = _connect(":memory:", self._busy_timeout)
            _migrate(mem)
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
        if datetime.now(UTC) - self._last_backup >= BACKUP_EVERY:
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
                try:
                    self.backup("session")
                except StoreError as exc:
                    self.notices.append(f"session backup failed: {exc.message}")
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
        self._settings = settings
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
        answer: str | None = None,
        verdict: str | None = None,
        duration_ms: int | None = None,
        kind: str | None = None,
        hinted: bool = False,
        fast: bool = False,
        rating: fsrs.Rating | int | None = None,
        seed: int | None = None,
        now: datetime | None = None,
    ) -> Review:
        """Save a quiz answer and, in the same transaction, a review of the item so the scheduler
        is fed. The rating is ``rating`` when the learner overrode it, else
        ``scheduling.rating_for_grade(correct, hinted=hinted, fast=fast)``. Pass the item's
        ``kind`` so stats per kind are right (default: the quiz's mode). Undo removes both.
        """
        from quizapp.scheduling import rating_for_grade

        if rating is None:
            rating = rating_for_grade(correct, hinted=hinted, fast=fast)
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
            self._rotate(self._last_backup)
            return target

    def list_backups(self) -> list[Backup]:
        """Backups in the backups folder, newest first."""
        return self._list_backups(self.backups_dir)

    @staticmethod
    def _list_backups(bdir: Path) -> list[Backup]:
        out = []
        try:
            entries = list(bdir.iterdir())
        except OSError:
            return []
        for path in entries:
            m = _BACKUP_NAME.match(path.name)
            if not m:
                continue
            taken = datetime.strptime(m.group(1), "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
            with contextlib.suppress(OSError):
                out.append(Backup(path, taken, m.group(2), path.stat().st_size))
        return sorted(out, key=lambda b: b.taken_at, reverse=True)

    @classmethod
    def _good_backups(cls, bdir: Path) -> list[Backup]:
        return [b for b in cls._list_backups(bdir) if _check_backup(b.path) is None]

    def _rotate(self, now: datetime) -> None:
        backups = self._list_backups(self.backups_dir)
        keep = {b.path for b in backups[:KEEP_RECENT_BACKUPS]}
        keep |= {b.path for b in backups if b.reason.startswith("pre-migration")}
        seen_days: set[date] = set()
        for b in backups:  # newest first, so the first of each day is that day's newest
            day = b.taken_at.astimezone().date()
            if now - b.taken_at <= timedelta(days=KEEP_DAILY_BACKUPS_DAYS) and day not in seen_days:
                seen_days.add(day)
                keep.add(b.path)
        for b in backups:
            if b.path not in keep:
                with contextlib.suppress(OSError):
                    b.path.unlink()
        # Half-written copies left by a killed process; recent ones may be another quizapp's.
        for tmp in self.backups_dir.glob("progress-*.tmp"):
            with contextlib.suppress(OSError):
                if _time.time() - tmp.stat().st_mtime > 3600:
                    tmp.unlink()

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
                src = _connect(_uri(path, "mode=ro"), self._busy_timeout, uri=True)
                try:
                    src.backup(self._conn)
                finally:
                    src.close()
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
            self._settings = self._load_settings()
            self._scheduler = fsrs.Scheduler(desired_retention=self._settings.desired_retention)
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


def _take_backup(conn: sqlite3.Connection, bdir: Path, reason: str) -> Path:
    if not re.fullmatch(r"[a-z0-9-]+", reason):
        raise ValueError(f"backup reason {reason!r}: use lower-case letters, digits, dashes")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
    target = bdir / f"progress-{stamp}Z-{reason}.db"
    tmp = target.with_suffix(".tmp")
    try:
        bdir.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(tmp)
        try:
            conn.backup(dest)
            # A standalone file: no -wal/-shm appear next to it when it is read later.
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)  # never a half-written file under a backup's name
    except (OSError, sqlite3.Error) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise StoreError(f"cannot write a backup in {bdir}: {_why(exc)}") from None
    return target


def _copy_into(source: Path, dest: sqlite3.Connection, busy_timeout: float) -> bool:
    """Copy a database file into ``dest`` without writing next to it; False if unreadable."""
    for query in ("mode=ro", "immutable=1"):
        try:
            src = _connect(_uri(source, query), busy_timeout, uri=True)
            try:
                if src.execute("PRAGMA quick_check").fetchall() != [("ok",)]:
                    return False
                src.backup(dest)
            finally:
                src.close()
            return True
        except sqlite3.Error:
            continue
    return False


def _check_backup(path: Path) -> str | None:
    """None when ``path`` is a readable quizapp database this version can use, else why not."""
    if not path.is_file():
        return "no such backup file"
    try:
        verdict, version, why = _inspect_file(path, 1.0)
    except (OSError, sqlite3.Error) as exc:
        return f"not a readable database ({exc})"
    if verdict == "ok":
        return None
    if verdict == "newer":
        return f"written by a newer quizapp (schema {version})"
    if verdict == "empty":
        return "an empty database, not a quizapp backup"
    return why


__all__ = [
    "SCHEMA_VERSION",
    "Backup",
    "CardState",
    "QuizSession",
    "Review",
    "ReviewTotal",
    "Settings",
    "Store",
    "StoreError",
    "local_day_start",
]
