"""This store as one replica of the learner's progress: what a merge of another machine's
progress reads here and writes here (quizapp.interop.merge decides what; this module holds the
SQL), and local tables that are never exported: ``merged_files`` (the digests of files merged
whole, so the same bytes are not parsed again), ``merged_prefixes`` (for a sync file merged
whole, the bytes of its reviews, so that when it grows only the rest is read) and
``sync_written`` (what this machine last wrote to a sync folder, so an unchanged file is not
written again and a changed one keeps its reviews' bytes). Functions over the
``Database``, importing the store's flags, ops, srs and values only.

A merge is one transaction: the registers that win, the new reviews (each inserted once, with
its state before and due after already derived with the log it joins), the cram answers, and
the cards they touch derived again (every card when the retention or the FSRS parameters
change)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any, Protocol

from quizapp.store import flags, ops
from quizapp.store.connection import classify, explain
from quizapp.store.hlc import ZERO
from quizapp.store.srs import FIT_KEY
from quizapp.store.values import StoreError, time_text

if TYPE_CHECKING:
    from quizapp.store.database import Database

# Registers whose change reschedules every card.
RESCHEDULING = frozenset({"setting:desired_retention", f"setting:{FIT_KEY}"})
BIG_CACHE_KB = 64 * 1024  # the page cache of a large merge
BULK_ROWS = 5000  # a merge this large gets that cache, and may build the indexes afresh
MERGED_TABLE = "merged_files"
KEEP_MERGED = 200
WRITTEN_TABLE = "sync_written"
PREFIX_TABLE = "merged_prefixes"


class NewReview(Protocol):
    """A review from elsewhere as a merge writes it (``at``: its time as the store keeps it)."""

    @property
    def uuid(self) -> str: ...
    @property
    def item_id(self) -> str: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def rating(self) -> int: ...
    @property
    def at(self) -> str: ...
    @property
    def reviewed_at(self) -> datetime: ...
    @property
    def duration_ms(self) -> int | None: ...
    @property
    def answer(self) -> str | None: ...
    @property
    def verdict(self) -> str | None: ...
    @property
    def seed(self) -> int | None: ...


class NewCram(Protocol):
    @property
    def uuid(self) -> str: ...
    @property
    def item_id(self) -> str: ...
    @property
    def rating(self) -> int: ...
    @property
    def reviewed_at(self) -> datetime: ...
    @property
    def duration_ms(self) -> int | None: ...


class NewRegister(Protocol):
    """``setting:<name>``, ``tick:<number>`` or a card flag (``suspend:<id>``...)."""

    @property
    def key(self) -> str: ...
    @property
    def value(self) -> Any: ...
    @property
    def stamp(self) -> str: ...


# --------------------------------------------------------------------------- reads


def known_reviews(db: Database) -> dict[str, tuple[str, str, int]]:
    """uuid -> (item id, stored time text, rating) of every review in the store."""
    rows = db.read(
        lambda c: c.execute("SELECT uuid, item_id, reviewed_at, rating FROM reviews").fetchall()
    )
    return {u: (i, at, r) for u, i, at, r in rows}


def reviewed_items(db: Database) -> set[str]:
    """The items this store holds a schedule for (reviewed here or merged)."""
    return set(db.read(lambda c: [i for (i,) in c.execute("SELECT item_id FROM cards")]))


def cram_uuids(db: Database) -> set[str]:
    return set(db.read(lambda c: [u for (u,) in c.execute("SELECT uuid FROM cram_reviews")]))


def registers(db: Database) -> dict[str, tuple[str, Any]]:
    """key -> (stamp, value) of every register here (a value from before stamps: ZERO)."""
    return db.read(registers_in)


def registers_in(conn: sqlite3.Connection) -> dict[str, tuple[str, Any]]:
    """``registers`` of the database on ``conn`` (a copy of another file too)."""
    stamps = ops.register_stamps(conn)
    out: dict[str, tuple[str, Any]] = {k: (s, None) for k, s in stamps.items()}
    for key, value in conn.execute("SELECT key, value FROM settings"):
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        out[f"setting:{key}"] = (stamps.get(f"setting:{key}", ZERO), parsed)
    for number, at in conn.execute("SELECT number, ticked_at FROM checklist_ticks"):
        out[f"tick:{number}"] = (stamps.get(f"tick:{number}", ZERO), at)
    for key, value in flags.flag_values(conn).items():
        if key in stamps:
            out[key] = (stamps[key], value)
    return out


# --------------------------------------------------------------------------- the merge


def merge(
    db: Database,
    reviews: Sequence[NewReview],
    cram: Sequence[NewCram] = (),
    winning: Sequence[NewRegister] = (),
    merged_file: MergedFile | None = None,
) -> None:
    """Write a merge in one transaction: the ``winning`` registers, the new ``reviews`` (not
    here yet, by uuid), the ``cram`` answers (those here already are skipped), the cards they
    touch derived again; ``merged_file``: the file was merged whole (see ``MergedFile``).
    All or, on any error, nothing (StoreError). The settings are read again after it."""
    try:
        with _roomy_cache(db, len(reviews)):
            db.write(lambda conn: write_merge(conn, reviews, cram, winning, merged_file))
    except sqlite3.Error as exc:
        raise StoreError(f"cannot save to {db.path.name}: {explain(exc)}", classify(exc)) from None
    db.reload_settings()


def _put_register(conn: sqlite3.Connection, r: NewRegister) -> None:
    kind, _, name = r.key.partition(":")
    if kind in flags.REGISTERS:
        flags.put_flag(conn, kind, name, r.value, r.stamp)
        return
    if kind == "setting":
        ops.put_settings(conn, {name: r.value}, {name: r.stamp})
        return
    number = int(name)
    conn.execute("DELETE FROM checklist_ticks WHERE number = ?", (number,))
    if r.value is not None:
        conn.execute(
            "INSERT INTO checklist_ticks (number, ticked_at) VALUES (?, ?)", (number, r.value)
        )
    conn.execute("INSERT OR REPLACE INTO registers (key, stamp) VALUES (?, ?)", (r.key, r.stamp))


def write_merge(
    conn: sqlite3.Connection,
    reviews: Sequence[NewReview],
    cram: Sequence[NewCram],
    winning: Sequence[NewRegister],
    merged_file: MergedFile | None,
) -> None:
    """``merge``'s writes on ``conn``, in the caller's transaction."""
    for register in winning:
        _put_register(conn, register)
    scheduler = ops.scheduler_in(conn)
    # The new reviews' fields, a column each (no Python step per review). The new reviews are
    # derived with the log they join before they are written, so each is inserted once with
    # its state before and due after (no second pass over 100k rows).
    column = {
        name: list(map(attrgetter(name), reviews))
        for name in ("uuid", "item_id", "at", "reviewed_at", *_OPTIONAL)
    }
    column["rating"] = list(map(int, map(attrgetter("rating"), reviews)))
    nothing = repeat(None)
    extra = list(
        zip(nothing, column["item_id"], column["rating"], column["at"], column["duration_ms"],
            nothing, nothing, column["uuid"], column["reviewed_at"], strict=False)
    )  # fmt: skip
    # A reset that travels derives its card again from the reviews after it.
    reset = {r.key.partition(":")[2] for r in winning if r.key.startswith("reset:")}
    if any(r.key in RESCHEDULING for r in winning):
        derived = ops.recompute(conn, scheduler, None, extra)
    elif extra or reset:
        derived = ops.recompute(conn, scheduler, set(column["item_id"]) | reset, extra)
    else:
        derived = {}
    # Only the columns some new review has a value in are bound (each bound value costs time
    # for 100k rows; a column left out is NULL, as its None would be), each as exact ints and
    # texts, a None as NULL_BIND: anything else (None, the rating's IntEnum) has Python's
    # sqlite3 look for an adapter, a microsecond a value, a quarter of the insert.
    given = ["uuid", "item_id", "rating", "at"]
    given += [name for name in _OPTIONAL if column[name].count(None) < len(reviews)]
    columns = ", ".join("reviewed_at" if name == "at" else name for name in given)
    marks = ", ".join("?" * (len(given) + 2))
    bound = [
        column[name]
        if name in _NEVER_NONE
        else [NULL_BIND if v is None else v for v in column[name]]
        for name in given
    ]
    # Each row: its values and its derived state before and due after, joined by zip.
    pairs = list(map(derived.__getitem__, column["uuid"]))
    before = map(_STATE_BIND.__getitem__, map(itemgetter(0), pairs))
    rows = zip(*bound, before, map(itemgetter(1), pairs), strict=True)
    with _indexes_rebuilt(conn, len(reviews)):
        conn.executemany(
            f"INSERT INTO reviews ({columns}, state_before, due_after) VALUES ({marks})", rows
        )
    conn.executemany(
        "INSERT OR IGNORE INTO cram_reviews (uuid, item_id, rating, reviewed_at, duration_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        [(c.uuid, c.item_id, int(c.rating), time_text(c.reviewed_at), c.duration_ms) for c in cram],
    )
    if merged_file is not None:
        _record_merged(conn, merged_file)


# SQLite stores a NaN bound as a parameter as NULL (no REAL column holds a NaN), and Python's
# sqlite3 binds a float as it is, with no adapter looked up as for None.
NULL_BIND = float("nan")
_STATE_BIND = {None: NULL_BIND, 0: 0, 1: 1, 2: 2, 3: 3}
_NEVER_NONE = frozenset({"uuid", "item_id", "rating", "at"})
# A new review's fields that are often None (``at`` is its stored time text, ``reviewed_at``).
_OPTIONAL = ("kind", "duration_ms", "answer", "verdict", "seed")


@contextlib.contextmanager
def _indexes_rebuilt(conn: sqlite3.Connection, rows: int) -> Iterator[None]:
    """Insert ``rows`` new reviews without their indexes, built again after it, when that is
    cheaper: at least as many new rows as half of those there (one sort of the whole table
    beats 100k inserts at random places in three trees). Inside the caller's transaction, so the
    indexes are there again, or the whole merge is rolled back; the uuid's unique index, built
    again, refuses a review given twice as it would have refused its insert."""
    if rows < BULK_ROWS or rows * 2 < conn.execute("SELECT count(*) FROM reviews").fetchone()[0]:
        yield
        return
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reviews' "
        "AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.execute(sql)


@contextlib.contextmanager
def _roomy_cache(db: Database, rows: int) -> Iterator[None]:
    """A page cache big enough for a large merge (SQLite's default 2 MB makes each of 100k
    inserts into the reviews' indexes reach for pages it just let go), as before after it."""
    if rows < BULK_ROWS:
        yield
        return
    old = db.read(lambda c: c.execute("PRAGMA cache_size").fetchone()[0])
    db.read(lambda c: c.execute(f"PRAGMA cache_size = {-BIG_CACHE_KB}"))
    try:
        yield
    finally:
        with contextlib.suppress(sqlite3.Error, StoreError):
            db.read(lambda c: c.execute(f"PRAGMA cache_size = {int(old)}"))


# --------------------------------------------------------------------------- merged files

# The digests of files merged whole, in a table of their own made on first use. Every review
# such a file holds is here, so the same bytes add nothing, as long as no review leaves the log:
# an undo (``ops.undo_in``) forgets them all, and a restore brings back the table of its time.


def merged_reviews(db: Database, digest: str) -> int | None:
    """The number of reviews of the file with ``digest`` when it was merged whole, else None."""
    return db.read(lambda c: _merged_reviews(c, digest))


def _merged_reviews(conn: sqlite3.Connection, digest: str) -> int | None:
    if not _has_table(conn, MERGED_TABLE):
        return None
    row = conn.execute(
        f"SELECT reviews FROM {MERGED_TABLE} WHERE digest = ?", (digest,)
    ).fetchone()  # fmt: skip
    return None if row is None else int(row[0])


@dataclass(frozen=True)
class MergedFile:
    """A file merged whole: everything in it is here now. ``digest``: of its bytes (the same
    bytes are not read again); ``reviews``: how many it holds; ``path``, ``review_end`` and
    ``head_digest``: for a file that lists its reviews first (a sync file), the byte just after
    its last review and the digest of the bytes before it, so that when the file at ``path``
    grows only by reviews added after those bytes, only the rest is read (``merged_prefix``)."""

    digest: str
    reviews: int
    path: str | None = None
    review_end: int | None = None
    head_digest: str | None = None


def _record_merged(conn: sqlite3.Connection, merged: MergedFile) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {MERGED_TABLE} (digest TEXT PRIMARY KEY, "
        "reviews INTEGER NOT NULL, merged_at TEXT NOT NULL)"
    )
    conn.execute(
        f"INSERT OR REPLACE INTO {MERGED_TABLE} (digest, reviews, merged_at) VALUES (?, ?, ?)",
        (merged.digest, merged.reviews, time_text(datetime.now(UTC))),
    )
    conn.execute(
        f"DELETE FROM {MERGED_TABLE} WHERE digest NOT IN (SELECT digest FROM {MERGED_TABLE} "
        f"ORDER BY merged_at DESC LIMIT {KEEP_MERGED})"
    )
    if merged.path is not None and merged.review_end is not None and merged.head_digest:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {PREFIX_TABLE} (path TEXT PRIMARY KEY, "
            "review_end INTEGER NOT NULL, head_digest TEXT NOT NULL, reviews INTEGER NOT NULL)"
        )
        conn.execute(
            f"INSERT OR REPLACE INTO {PREFIX_TABLE} (path, review_end, head_digest, reviews) "
            "VALUES (?, ?, ?, ?)",
            (merged.path, merged.review_end, merged.head_digest, merged.reviews),
        )


def merged_prefix(db: Database, path: str) -> tuple[int, str, int] | None:
    """For the file at ``path``, when one was merged whole with its reviews first: (the byte
    just after its last review, the digest of the bytes before it, how many reviews they hold),
    else None."""

    def read(conn: sqlite3.Connection) -> tuple[int, str, int] | None:
        if not _has_table(conn, PREFIX_TABLE):
            return None
        row = conn.execute(
            f"SELECT review_end, head_digest, reviews FROM {PREFIX_TABLE} WHERE path = ?",
            (path,),
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]), int(row[2]))

    return db.read(read)


def remember_merged(db: Database, merged: MergedFile) -> None:
    """Record that a file (``merged``) was merged whole and brought nothing new; a store that
    cannot save just reads it again next time."""
    if db.read_only:
        return
    with contextlib.suppress(StoreError, sqlite3.Error):
        db.write(lambda conn: _record_merged(conn, merged))


def known_reviews_of(
    db: Database, uuids: Iterable[str], items: Iterable[str]
) -> dict[str, tuple[str, str, int]]:
    """``known_reviews`` for a few reviews: those here with one of ``uuids`` or of one of
    ``items`` (every review a plan of reviews with those uuids and items looks at)."""
    query = (
        "SELECT uuid, item_id, reviewed_at, rating FROM reviews WHERE {} IN "
        "(SELECT value FROM json_each(?))"
    )

    def read(conn: sqlite3.Connection) -> list[tuple[str, str, str, int]]:
        rows = conn.execute(query.format("uuid"), (json.dumps(list(uuids)),)).fetchall()
        return rows + conn.execute(query.format("item_id"), (json.dumps(list(items)),)).fetchall()

    return {u: (i, at, r) for u, i, at, r in db.read(read)}


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    return bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
    )


# --------------------------------------------------------------------------- the file written

# Everything a sync file shows, table by table (the reviews by their count and highest id).
_WHOLE_TABLES = (
    "cards", "settings", "registers", "checklist_ticks", "card_flags", "cram_reviews",
    "quiz_sessions",
)  # fmt: skip


def export_fingerprint(db: Database, salt: str) -> str:
    """A digest of everything a sync file holds but its time, and ``salt`` (the machine, the
    app's version): a change to any of it (a review, an undo, a replay, a setting, a tick, a
    flag, a quiz, a cram answer, a restore, a migration) changes it."""
    return db.read(lambda c: _fingerprint(c, salt))


def _fingerprint(conn: sqlite3.Connection, salt: str) -> str:
    from quizapp.store.schema import SCHEMA_VERSION

    h = hashlib.sha256()
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    h.update(repr((salt, SCHEMA_VERSION, version)).encode())
    # Reviews are only added (each with a row id above any before) or deleted by an undo: their
    # count and highest row id tell every change apart (their derived state before and due
    # after, which a replay changes, are not in the file; the cards a replay changes are).
    h.update(repr(conn.execute("SELECT count(*), max(id) FROM reviews").fetchone()).encode())
    h.update(repr(conn.execute("SELECT count(*), max(id) FROM quiz_answers").fetchone()).encode())
    for table in _WHOLE_TABLES:
        h.update(f"\n{table}\n".encode())
        # marshal version 2: no back-references, so equal rows always give equal bytes
        h.update(marshal.dumps(conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall(), 2))
    return h.hexdigest()


@dataclass(frozen=True)
class Written:
    """What this machine last wrote to a sync file: the digest of its bytes, the export
    fingerprint of the store then, and its reviews: how many, the byte just after the last
    one's text (``review_end``) and its row id (``last_id``), so that a later write can keep
    those bytes and add the reviews stored since (None: written by a version that did not
    record them), and ``layout``, the app version and file layout that wrote them."""

    digest: str
    fingerprint: str
    reviews: int
    review_end: int | None = None
    last_id: int | None = None
    layout: str | None = None


_WRITTEN_EXTRA = (("review_end", "INTEGER"), ("last_id", "INTEGER"), ("layout", "TEXT"))


def last_written(db: Database, path: str) -> Written | None:
    """What was last written to ``path`` (see ``Written``), or None."""

    def read(conn: sqlite3.Connection) -> Written | None:
        if not _has_table(conn, WRITTEN_TABLE):
            return None
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({WRITTEN_TABLE})")}
        extra = [name if name in have else "NULL" for name, _ in _WRITTEN_EXTRA]
        row = conn.execute(
            f"SELECT digest, fingerprint, reviews, {', '.join(extra)} FROM {WRITTEN_TABLE} "
            "WHERE path = ?",
            (path,),
        ).fetchone()
        return None if row is None else Written(row[0], row[1], int(row[2]), *row[3:])

    return db.read(read)


def record_written(db: Database, path: str, written: Written) -> None:
    """Remember what was written to ``path``; a store that cannot save writes it whole again
    next time."""
    if db.read_only:
        return

    def write(conn: sqlite3.Connection) -> None:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {WRITTEN_TABLE} (path TEXT PRIMARY KEY, digest TEXT NOT "
            "NULL, fingerprint TEXT NOT NULL, reviews INTEGER NOT NULL)"
        )
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({WRITTEN_TABLE})")}
        for name, kind in _WRITTEN_EXTRA:
            if name not in have:
                conn.execute(f"ALTER TABLE {WRITTEN_TABLE} ADD COLUMN {name} {kind}")
        conn.execute(
            f"INSERT OR REPLACE INTO {WRITTEN_TABLE} (path, digest, fingerprint, reviews, "
            "review_end, last_id, layout) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (path, written.digest, written.fingerprint, written.reviews, written.review_end,
             written.last_id, written.layout),
        )  # fmt: skip

    with contextlib.suppress(StoreError, sqlite3.Error):
        db.write(write)


def reviews_up_to(db: Database, last_id: int) -> int:
    """How many reviews there are with a row id up to ``last_id`` (row ids only grow: a review
    stored later has a higher one, even after an undo deleted the highest)."""
    return int(
        db.read(
            lambda c: c.execute(
                "SELECT count(*) FROM reviews WHERE id <= ?", (last_id,)
            ).fetchone()[0]
        )
    )
