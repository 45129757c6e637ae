"""Progress on several machines through one shared folder (Syncthing, Dropbox, a network share,
a git repository): each machine writes only its own file, ``<machine id>.json`` (an export), and
merges every other machine's file into its store. No two machines ever write the same file, so
the folder tool never has a conflict to resolve, and since the merge is a union of logs and
last-writer-wins registers (quizapp.interop.merge), studying on two machines between syncs loses
nothing.

Files in the shared folder are read only when they are regular files (a link, a FIFO or a device
is skipped with its reason), and this machine's file is written through a new temporary file
(``O_EXCL``, never following a link someone planted) renamed over it.

Speed: a file merged whole before is not parsed again (``merge.plan_file``), and this machine's
file is not written again when it already holds exactly what it would hold: the store records
the digest of the bytes it last wrote there with a fingerprint of everything an export shows
(``_fingerprint``), and the file is rewritten unless both still match (the file's bytes are
read and hashed each time, so a file changed in place, even at the same size and time, is
written again)."""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from quizapp import __version__
from quizapp.interop.merge import MergeError, MergePlan, apply_merge, plan_file
from quizapp.interop.progress_file import read_bytes
from quizapp.store import SCHEMA_VERSION, Store, StoreError
from quizapp.store.identity import machine_id

__all__ = ["SyncResult", "machine_id", "sync_folder", "write_own_file"]


@dataclass
class SyncResult:
    own: Path
    merged: list[MergePlan] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line per file that was skipped
    notes: list[str] = field(default_factory=list)  # held back, collisions: said, not failures
    written_reviews: int = 0
    up_to_date: bool = False  # this machine's file already held exactly its progress
    write_error: str | None = None  # why this machine's file could not be written

    @property
    def added(self) -> int:
        return sum(len(p.reviews) for p in self.merged)


def write_own_file(store: Store, folder: Path, me: str) -> int:
    """Write this machine's export as ``folder/<me>.json`` (compact JSON, as fast as
    ``export``): a new temporary file made with O_EXCL|O_NOFOLLOW, fsynced, renamed over the old
    one. Skipped when the file there already holds exactly this store's progress (see the
    module's notes). Returns the number of reviews the file holds; raises OSError."""
    return _write_own(store, folder, me)[0]


def _write_own(store: Store, folder: Path, me: str) -> tuple[int, bool]:
    """``write_own_file``, and whether the file was written (False: it was up to date)."""
    from quizapp.interop.progress_file import json_chunks

    target = folder / f"{me}.json"
    key = str(target.absolute())
    fingerprint = store.db.read(lambda c: _fingerprint(c, me))
    last = store.db.read(lambda c: _last_written(c, key))
    if last is not None and last[1] == fingerprint and _digest(target) == last[0]:
        return last[2], False
    data = store.export(raw_reviews=True)
    tmp = folder / f".{me}.json.tmp-{uuid.uuid4().hex}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, 0o644)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in json_chunks(data):
                raw = chunk.encode("utf-8")
                digest.update(raw)
                fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    written = len(data["reviews"])
    with contextlib.suppress(StoreError, sqlite3.Error):  # not recorded: written again next time
        if not store.read_only:
            store.db.write(
                lambda c: _record_written(c, key, digest.hexdigest(), fingerprint, written)
            )
    return written, True


WRITTEN_TABLE = "sync_written"  # local (never exported), made on first use like merged_files
# Everything an export shows, table by table; the reviews by what can change in them (rows are
# only ever added, deleted by an undo, or given new derived values by a replay).
_WHOLE_TABLES = (
    "cards", "settings", "registers", "checklist_ticks", "card_flags", "cram_reviews",
    "quiz_sessions",
)  # fmt: skip


def _fingerprint(conn: sqlite3.Connection, me: str) -> str:
    """A digest of everything ``export`` writes but its time: a change to any of it (a review,
    an undo, a replay, a setting, a tick, a flag, a quiz, a cram answer, a restore, a
    migration, another quizapp version) changes it."""
    h = hashlib.sha256()
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    h.update(repr((me, __version__, SCHEMA_VERSION, version)).encode())
    h.update(repr(conn.execute(
        "SELECT count(*), max(id), group_concat(coalesce(state_before, 'n') || "
        "coalesce(due_after, 'n'), ',') FROM reviews").fetchone()).encode())  # fmt: skip
    h.update(repr(conn.execute("SELECT count(*), max(id) FROM quiz_answers").fetchone()).encode())
    for table in _WHOLE_TABLES:
        h.update(f"\n{table}\n".encode())
        # marshal version 2: no back-references, so equal rows always give equal bytes
        h.update(marshal.dumps(conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall(), 2))
    return h.hexdigest()


def _last_written(conn: sqlite3.Connection, key: str) -> tuple[str, str, int] | None:
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (WRITTEN_TABLE,)
    ).fetchone():
        return None
    row = conn.execute(
        f"SELECT digest, fingerprint, reviews FROM {WRITTEN_TABLE} WHERE path = ?", (key,)
    ).fetchone()
    return None if row is None else (row[0], row[1], int(row[2]))


def _record_written(
    conn: sqlite3.Connection, key: str, digest: str, fingerprint: str, reviews: int
) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {WRITTEN_TABLE} (path TEXT PRIMARY KEY, digest TEXT NOT "
        "NULL, fingerprint TEXT NOT NULL, reviews INTEGER NOT NULL)"
    )
    conn.execute(
        f"INSERT OR REPLACE INTO {WRITTEN_TABLE} (path, digest, fingerprint, reviews) "
        "VALUES (?, ?, ?, ?)",
        (key, digest, fingerprint, reviews),
    )


def _digest(path: Path) -> str | None:
    """The digest of a regular file's bytes (None: missing, a link, not a regular file)."""
    try:
        return hashlib.sha256(read_bytes(path, follow_links=False)).hexdigest()
    except MergeError:
        return None


def sync_folder(
    store: Store, folder: Path, me: str, before_change: Callable[[], object] | None = None
) -> SyncResult:
    """Merge every other machine's file in ``folder`` into ``store``, then write this machine's
    file. A file that cannot be merged is skipped with its reason in ``failed``; the others still
    are. A failed write of this machine's file is in ``write_error`` (what was merged stays).
    ``before_change`` (a backup) runs once, before the first merge that changes the store."""
    own = folder / f"{me}.json"
    result = SyncResult(own=own)
    # Hidden files are other tools' temporaries (ours too, while being written).
    with os.scandir(folder) as entries:
        names = sorted(e.name for e in entries if e.name.endswith(".json"))
    for name in names:
        path = folder / name
        if name.startswith(".") or path == own:
            continue
        try:
            plan = plan_file(store, path, follow_links=False)
        except MergeError as exc:
            result.failed.append(exc.message)
            continue
        if not plan.empty and before_change is not None:
            before_change()
            before_change = None
        apply_merge(store, plan)
        if not plan.empty:
            result.merged.append(plan)
        elif plan.held_back or plan.collisions:
            result.notes += plan.describe(done=True)[1:]
    try:
        result.written_reviews, written = _write_own(store, folder, me)
        result.up_to_date = not written
    except OSError as exc:
        result.write_error = f"cannot write {own}: {exc.strerror or exc}"
    return result
