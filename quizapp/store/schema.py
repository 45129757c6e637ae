"""The tables: the SQL schema of each version (``PRAGMA user_version``), how to tell which one a
file holds without changing it, and the migrations (including the v1 -> v2 replay of review
states). It imports the store's connection, values and rows (and srs for that replay)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsrs

from quizapp.store.connection import DAMAGE, classify, connect, file_uri, transaction
from quizapp.store.rows import put_card
from quizapp.store.values import parse_time, time_text

SCHEMA_VERSION = 7
# The export file's format (its "schema_version"): the tables' version when it last changed. A
# change to the tables alone (v7: an index) leaves the files every machine exchanges as they were.
FORMAT_VERSION = 6

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

# v3: reviews get a stable unique ``uuid`` (a later version merges review logs across machines by
# it; undo finds its own review by it) and AUTOINCREMENT ids, so an id is never handed out twice
# in one file (a restore also keeps the high-water mark, see Store.restore).
_REVIEWS_V3 = """
CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid         TEXT NOT NULL UNIQUE,
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
CREATE INDEX reviews_time ON reviews(reviewed_at)
"""


def _schema_v3() -> str:
    start = SCHEMA_V2.index("CREATE TABLE reviews")
    end = SCHEMA_V2.index("CREATE TABLE quiz_answers")
    return SCHEMA_V2[:start] + _REVIEWS_V3.strip() + ";\n" + SCHEMA_V2[end:]


SCHEMA_V3 = _schema_v3()

# v4: cram reviews, a log of their own. A cram session (the last days before an interview) shows
# the cards below target whatever their due dates; its answers are kept here and never change
# the cards' FSRS state, so the schedule after the interview stays sound.
_CRAM_V4 = """
CREATE TABLE cram_reviews (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid         TEXT NOT NULL UNIQUE,
    item_id      TEXT NOT NULL,
    rating       INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
    reviewed_at  TEXT NOT NULL,
    duration_ms  INTEGER
);
CREATE INDEX cram_reviews_item ON cram_reviews(item_id)
"""
SCHEMA_V4 = SCHEMA_V3.rstrip().rstrip(";") + ";\n" + _CRAM_V4

# v5: the stamp of each replicated register (a setting, the fitted parameters, a checklist
# tick), so merges across machines are last-writer-wins per key: ``key`` is ``setting:<name>``
# or ``tick:<number>``; ``stamp`` a hybrid logical clock (quizapp.store.hlc), fixed width, so
# text order is stamp order. The values stay where they were (settings, checklist_ticks); a
# register whose value is the default or unticked has its stamp here and no value row there.
_REGISTERS_V5 = """
CREATE TABLE IF NOT EXISTS registers (key TEXT PRIMARY KEY, stamp TEXT NOT NULL)
"""
SCHEMA_V5 = SCHEMA_V4.rstrip().rstrip(";") + ";\n" + _REGISTERS_V5

# v6: the card browser's flags. A suspended card leaves study, cram, plan and readiness until it
# is unsuspended; a buried one until ``buried_until``; ``reset_at`` is when its progress was
# last reset (its reviews stay in the log; its state is derived from the reviews after it).
# Each flag is a replicated register (``suspend:<id>``, ``bury:<id>``, ``reset:<id>``).
_FLAGS_V6 = """
CREATE TABLE IF NOT EXISTS card_flags (
    item_id      TEXT PRIMARY KEY,
    suspended    INTEGER NOT NULL DEFAULT 0,
    buried_until TEXT,
    reset_at     TEXT
)
"""
SCHEMA_V6 = SCHEMA_V5.rstrip().rstrip(";") + ";\n" + _FLAGS_V6

# v7: a review's uuid is unique by a named index, not by a UNIQUE constraint on the column: an
# index SQLite makes for a constraint cannot be dropped, and a large merge (100k reviews from
# another machine) drops this one and builds it again once, sorted, instead of inserting 100k
# uuids at random places (half the time, half the pages written). Nothing else changes, and
# neither does the export format (FORMAT_VERSION).
_REVIEWS_V7 = (
    _REVIEWS_V3.replace("uuid         TEXT NOT NULL UNIQUE,", "uuid         TEXT NOT NULL,")
    .rstrip()
    .rstrip(";")
    + ";\nCREATE UNIQUE INDEX reviews_uuid ON reviews(uuid)\n"
)


def _schema_v7() -> str:
    start = SCHEMA_V6.index("CREATE TABLE reviews")
    end = SCHEMA_V6.index("CREATE TABLE quiz_answers")
    return SCHEMA_V6[:start] + _REVIEWS_V7.strip() + ";\n" + SCHEMA_V6[end:]


SCHEMA_V7 = _schema_v7()
SCHEMA_LATEST = SCHEMA_V7

_TABLES = {
    1: {"card_state", "review_log", "ticks", "settings"},
    2: {"cards", "reviews"},
    3: {"cards", "reviews"},
    4: {"cards", "reviews", "cram_reviews"},
    5: {"cards", "reviews", "cram_reviews", "registers"},
    6: {"cards", "reviews", "cram_reviews", "registers", "card_flags"},
    7: {"cards", "reviews", "cram_reviews", "registers", "card_flags"},
}


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one: ``executescript`` would COMMIT the open transaction."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def _current_columns() -> dict[str, set[str]]:
    scratch = sqlite3.connect(":memory:")
    scratch.executescript(SCHEMA_LATEST)
    tables = [
        r[0]
        for r in scratch.execute("SELECT name FROM sqlite_master WHERE type='table'")
        if not r[0].startswith("sqlite_")
    ]
    out = {t: {r[1] for r in scratch.execute(f"PRAGMA table_info({t})")} for t in tables}
    scratch.close()
    return out


def has_current_columns(conn: sqlite3.Connection) -> bool:
    """True when every table and column this version reads exists (a newer file may add more)."""
    for table, columns in _current_columns().items():
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        if not columns <= have:
            return False
    return True


SQLITE_HEADER = b"SQLite format 3\x00"

# How thoroughly a file is checked: "quick" (PRAGMA quick_check: pages and records, what every
# command can afford), "full" (integrity_check, which also finds a row missing from an index, a
# broken UNIQUE, ..., plus every stored text read back as UTF-8: the app runs it after its first
# frame, and every backup is checked this way before it counts as one), "none" (the header,
# schema and version only).
QUICK, FULL_CHECK, NO_CHECK = "quick", "full", "none"


def inspect_file(
    path: Path, busy_timeout: float, *, quick_check: bool = True, check: str | None = None
) -> tuple[str, int, str]:
    """Classify the file at ``path`` without changing it or its -wal/-shm, through SQLite alone
    (a read-only connection, which never checkpoints or removes the WAL; never a Python read of
    the file: closing any descriptor of it would drop the POSIX locks that this process's other
    connections hold on it). "damaged" only for real damage (SQLite says corrupt or not a
    database, or the check fails); any other failure (locked, full disk, I/O, read-only) is
    raised for the caller to classify: it says nothing about the file's bytes. A leftover
    rollback journal (a kill during the very first open) is rolled back with a read-write
    connection first, as SQLite does on any normal open. ``check``: QUICK (the default, or
    NO_CHECK when ``quick_check`` is false) or FULL_CHECK."""
    level = check or (QUICK if quick_check else NO_CHECK)
    journal = Path(f"{path}-journal")
    try:
        if journal.exists() and journal.stat().st_size > 0:
            conn = connect(path, busy_timeout)  # opening and reading rolls the hot journal back
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                conn.close()
        conn = connect(file_uri(path, "mode=ro"), busy_timeout, uri=True)
        try:
            return _inspect(conn, check=level)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if classify(exc) != DAMAGE:
            raise
        why = str(exc).splitlines()[0]
        return "damaged", 0, "not an SQLite database" if "not a database" in why else why


def _inspect(
    conn: sqlite3.Connection, *, quick_check: bool = True, check: str | None = None
) -> tuple[str, int, str]:
    """Classify an open database: ("ok"|"empty"|"damaged"|"foreign"|"newer", version, why).
    With NO_CHECK (or ``quick_check`` false) only the header, schema and version are read (the
    app checks the whole file after its first frame, see ``Store.verify``)."""
    level = check or (QUICK if quick_check else NO_CHECK)
    if level != NO_CHECK:
        problem = damage_found(conn, full=level == FULL_CHECK)
        if problem:
            return "damaged", 0, problem
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


def damage_found(conn: sqlite3.Connection, *, full: bool, indexes: bool = True) -> str | None:
    """What is wrong with the database ``conn`` reads, or None. ``full``: integrity_check (a
    row missing from an index, a failed CHECK or UNIQUE, ...) and every text value read back as
    UTF-8 (bytes a disk scrambled inside a row pass SQLite's checks but break every screen that
    reads them); else quick_check. ``indexes=False``: quick_check and the text read back, for a
    copy made with VACUUM INTO (its indexes were just rebuilt from the tables, so checking them
    against the tables, most of integrity_check's cost, finds nothing). Raises
    sqlite3.DatabaseError when the file cannot be read."""
    pragma = "integrity_check" if full and indexes else "quick_check"
    rows = conn.execute(f"PRAGMA {pragma}").fetchall()
    if rows != [("ok",)]:
        lines = [
            ln for r in rows for ln in str(r[0]).splitlines() if ln.strip() and "***" not in ln
        ]
        return f"{pragma}: {lines[0] if lines else 'failed'}"
    if not full:
        return None
    tables = [
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        if not r[0].startswith("sqlite_")
    ]
    for table in tables:
        try:
            for _row in conn.execute(f'SELECT * FROM "{table}"'):
                pass
        except sqlite3.OperationalError as exc:
            if "decode" not in str(exc).lower():
                raise
            return f"table {table}: {str(exc).splitlines()[0]}"
    return None


# --------------------------------------------------------------------------- migrations


def _replay_states(ratings: list[int]) -> list[int | None]:
    """The fsrs state before each of a card's reviews, from its ratings alone.

    State changes depend only on the ratings and the (default) learning steps, not on intervals,
    so this is exact for logs written with fsrs defaults.
    """
    from quizapp.store.srs import make_scheduler

    scheduler = make_scheduler()
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
    lapses: dict[str, int] = {}
    for item_id, rows in logs.items():
        states = _replay_states([r[2] for r in rows])
        for row, before in zip(rows, states, strict=True):
            conn.execute(
                "INSERT INTO reviews (id, item_id, rating, reviewed_at, duration_ms, state_before)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (row[0], item_id, row[2], time_text(parse_time(row[3])), row[4], before),  # type: ignore[arg-type]
            )
        # A lapse is an Again given to an item in the Review state.
        lapses[item_id] = sum(
            1 for r, s in zip(rows, states, strict=True) if r[2] == 1 and s == fsrs.State.Review
        )
    for item_id, text in conn.execute("SELECT item_id, card FROM card_state").fetchall():
        card = fsrs.Card.from_json(text)
        rows = logs.get(item_id, [])
        first = (parse_time(rows[0][3]) if rows else None) or card.last_review or card.due
        put_card(
            conn,
            item_id,
            card,
            reps=len(rows),
            lapses=lapses.get(item_id, 0),
            first_review=first,
        )
    for number, ticked_at in conn.execute("SELECT number, ticked_at FROM ticks").fetchall():
        conn.execute(
            "INSERT INTO checklist_ticks VALUES (?, ?)",
            (number, time_text(parse_time(ticked_at))),  # type: ignore[arg-type]
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


def _migrate_2_to_3(conn: sqlite3.Connection) -> None:
    """Rebuild ``reviews`` with a uuid per review and AUTOINCREMENT ids (SQLite cannot add
    either to an existing table). Runs with foreign keys off (see ``migrate``), so quiz_answers'
    references to review ids stay as they are: the ids are copied unchanged."""
    conn.execute("ALTER TABLE reviews RENAME TO reviews_v2")
    conn.execute("DROP INDEX IF EXISTS reviews_item")
    conn.execute("DROP INDEX IF EXISTS reviews_time")
    _run_script(conn, _REVIEWS_V3)
    conn.execute(
        "INSERT INTO reviews (id, uuid, item_id, kind, rating, reviewed_at, duration_ms, answer, "
        "verdict, seed, quiz_id, state_before, due_after) SELECT id, "
        # A random version-4 uuid per row, made by SQLite so 100k rows take a fraction of a second.
        "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || "
        "substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || "
        "substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))), "
        "item_id, kind, rating, reviewed_at, duration_ms, answer, verdict, seed, quiz_id, "
        "state_before, due_after FROM reviews_v2 ORDER BY id"
    )
    conn.execute("DROP TABLE reviews_v2")


def _migrate_3_to_4(conn: sqlite3.Connection) -> None:
    """Add the cram log (nothing else changes)."""
    _run_script(conn, _CRAM_V4)


def _migrate_4_to_5(conn: sqlite3.Connection) -> None:
    """Add the register stamps. Every value already here keeps its row and gets no stamp: it
    counts as older than any stamped change (the zero stamp), so nothing is lost and the first
    change made anywhere after the upgrade wins."""
    _run_script(conn, _REGISTERS_V5)


def _migrate_5_to_6(conn: sqlite3.Connection) -> None:
    """Add the card browser's flags (nothing else changes)."""
    _run_script(conn, _FLAGS_V6)


_REVIEW_COLUMNS = (
    "id, uuid, item_id, kind, rating, reviewed_at, duration_ms, answer, verdict, seed, quiz_id, "
    "state_before, due_after"
)


def _migrate_6_to_7(conn: sqlite3.Connection) -> None:
    """Rebuild ``reviews`` with the uuid unique by a named index (see v7). Ids are copied
    unchanged (foreign keys are off, see ``migrate``), and so is the AUTOINCREMENT high-water
    mark: an id is still never handed out twice."""
    row = conn.execute("SELECT max(seq) FROM sqlite_sequence WHERE name = 'reviews'").fetchone()
    conn.execute("ALTER TABLE reviews RENAME TO reviews_v6")
    for index in ("reviews_item", "reviews_time", "reviews_uuid"):  # (they went with it)
        conn.execute(f"DROP INDEX IF EXISTS {index}")
    _run_script(conn, _REVIEWS_V7)
    conn.execute(
        f"INSERT INTO reviews ({_REVIEW_COLUMNS}) SELECT {_REVIEW_COLUMNS} FROM reviews_v6 "
        "ORDER BY id"
    )
    conn.execute("DROP TABLE reviews_v6")
    high = max(
        int(row[0] or 0), conn.execute("SELECT coalesce(max(id), 0) FROM reviews").fetchone()[0]
    )
    conn.execute("DELETE FROM sqlite_sequence WHERE name IN ('reviews', 'reviews_v6')")
    if high:
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('reviews', ?)", (high,))


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {
    1: _migrate_1_to_2,
    2: _migrate_2_to_3,
    3: _migrate_3_to_4,
    4: _migrate_4_to_5,
    5: _migrate_5_to_6,
    6: _migrate_6_to_7,
}


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the schema to SCHEMA_VERSION in one transaction; returns the version found."""

    def upgrade(conn: sqlite3.Connection) -> int:
        # Re-read inside the write lock: another quizapp may have migrated meanwhile.
        found: int = conn.execute("PRAGMA user_version").fetchone()[0]
        if found == 0:
            _run_script(conn, SCHEMA_LATEST)
        else:
            for version in range(found, SCHEMA_VERSION):
                MIGRATIONS[version](conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return found

    # Rebuilding a table that others reference needs foreign keys off; the pragma is a no-op
    # inside a transaction, so it is switched around it.
    fks = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    legacy = conn.execute("PRAGMA legacy_alter_table").fetchone()[0]
    conn.execute("PRAGMA foreign_keys=OFF")
    # Legacy rename: renaming reviews aside must not rewrite quiz_answers' reference to it.
    conn.execute("PRAGMA legacy_alter_table=ON")
    try:
        return transaction(conn, upgrade)
    finally:
        conn.execute(f"PRAGMA legacy_alter_table={legacy}")
        conn.execute(f"PRAGMA foreign_keys={fks}")
