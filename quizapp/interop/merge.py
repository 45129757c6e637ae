"""Merge another machine's progress into the store: a replicated data model in which every
machine, once it has merged every other's progress, holds exactly the same progress.

* The review log and the cram log are grow-only sets keyed by uuid (a review from a file made
  before uuids is known by its item, time and rating, and gets a uuid derived from them). A
  review dated more than a day ahead of this machine's clock is held back (its machine's clock
  is wrong) and merged by a later import once this clock reaches it.
* Settings, the fitted FSRS parameters and each checklist tick are registers: the value with the
  latest stamp wins (a hybrid logical clock and the machine id, quizapp.store.hlc; equal stamps
  break on the value), so a second change travels, a value set back to its default travels, an
  untick travels, and a machine whose clock runs days ahead cannot freeze a key.
* Card states never come from a file: each is a pure function of the item's merged log, the
  desired retention and the FSRS parameters (``quizapp.scheduling``), derived again for the items
  the merge touched, and for every item when the retention or the parameters changed.

What does not travel: quiz sessions (their answers travel as reviews), the backups, the machine
id and which deck folders are loaded.

``merge_reviews`` is the entry point for review logs from elsewhere (another app's export):
validated ``FileReview`` records merge exactly like another machine's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from quizapp.interop.progress_file import (
    FileCram,
    FileReview,
    MergeError,
    ProgressFile,
    Register,
    check_progress,
    parse_json,
    read_bytes,
    read_progress_file,
)
from quizapp.store import Store, StoreError, classify, explain, flags, ops, time_text
from quizapp.store.hlc import ZERO, stamp_time
from quizapp.store.srs import FIT_KEY

AHEAD = timedelta(days=1)  # a review dated later than this machine's clock plus this waits
BIG_CACHE_KB = 64 * 1024  # the page cache of a large merge
RESCHEDULING = {"setting:desired_retention", f"setting:{FIT_KEY}"}

__all__ = [
    "FileReview",
    "MergeError",
    "MergePlan",
    "apply_merge",
    "merge_file",
    "merge_reviews",
    "plan_file",
    "plan_merge",
    "read_progress_file",
    "remember_merged",
    "replicated",
]


@dataclass
class MergePlan:
    """What merging would change; ``apply_merge`` does it in one transaction."""

    source: str
    in_file: int  # reviews offered
    machine: str | None = None
    reviews: list[FileReview] = field(default_factory=list)  # the new ones
    cram: list[FileCram] = field(default_factory=list)
    registers: list[Register] = field(default_factory=list)  # the ones that win here
    held_back: list[FileReview] = field(default_factory=list)
    collisions: list[str] = field(default_factory=list)
    new_items: set[str] = field(default_factory=set)
    # The file's content digest when merging it brings everything in it here (nothing held
    # back, no collision): recorded with the merge, so the same bytes are not read again.
    digest: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.reviews or self.cram or self.registers)

    def describe(self, *, done: bool) -> list[str]:
        """The summary, one line per kind of change."""
        verb = "added" if done else "would add"
        lines = []
        if self.reviews:
            items = len({r.item_id for r in self.reviews})
            already = self.in_file - len(self.reviews) - len(self.held_back)
            lines.append(
                f"{verb} {len(self.reviews)} of the {self.in_file} reviews in {self.source} "
                f"({items} item{'s' if items != 1 else ''}, {len(self.new_items)} never "
                f"reviewed here)" + (f"; {already} were already here" if already else "")
            )
        else:
            lines.append(
                f"nothing new in {self.source}: this store already has all of its "
                f"{self.in_file - len(self.held_back)} reviews"
            )
        if self.cram:
            lines.append(f"{verb} {len(self.cram)} cram answers")
        lines += [_register_line(r, done) for r in self.registers]
        if self.held_back:
            newest = max(r.reviewed_at for r in self.held_back)
            who = f"machine {self.machine}" if self.machine else str(self.source)
            lines.append(
                f"held back {len(self.held_back)} reviews from {who} dated more than a day "
                f"ahead of this machine's clock (the latest {newest:%Y-%m-%d %H:%M} UTC): check "
                f"the clock of {who}; they merge once this clock reaches them"
            )
        lines += self.collisions
        return lines


def _register_line(r: Register, done: bool) -> str:
    kind, _, name = r.key.partition(":")
    when = "" if r.stamp == ZERO else f" (changed {stamp_time(r.stamp):%Y-%m-%d %H:%M} UTC"
    when += f" on {r.stamp[20:]})" if when and r.stamp[20:] else (")" if when else "")
    if kind == "tick":
        verb = (
            ("ticked" if done else "would tick")
            if r.value
            else ("unticked" if done else "would untick")
        )
        return f"{verb} checklist item {name}{when}"
    if name == FIT_KEY:
        what = "the fitted FSRS parameters" if r.value else "the default FSRS parameters"
        return f"{'now using' if done else 'would use'} {what}{when}"
    return f"{'set' if done else 'would set'} {name} to {r.value}{when}"


# --------------------------------------------------------------------------- planning


def known_reviews(store: Store) -> dict[str, tuple[str, str, int]]:
    """uuid -> (item id, stored time text, rating) of every review in the store."""
    rows = store.db.read(
        lambda c: c.execute("SELECT uuid, item_id, reviewed_at, rating FROM reviews").fetchall()
    )
    return {u: (i, at, r) for u, i, at, r in rows}


def _plan_reviews(
    store: Store,
    plan: MergePlan,
    offered: Iterable[FileReview],
    now: datetime,
    known: dict[str, tuple[str, str, int]] | None = None,
) -> None:
    known = dict(known) if known is not None else known_reviews(store)
    keys = set(known.values())
    limit = time_text(now + AHEAD)  # stored times compare as text
    new, held, get = plan.reviews.append, plan.held_back.append, known.get
    for review in offered:
        uid, at = review.uuid, review.at
        key = (review.item_id, at, int(review.rating))
        here = get(uid)
        if here is not None:
            if here != key:
                plan.collisions.append(
                    f"skipped a review of {review.item_id} from {plan.source}: its uuid "
                    f"{uid} is already here for another review ({here[0]}, {here[1]})"
                )
            continue
        if key in keys:
            continue  # the same review under another uuid (logs from before uuids)
        if at > limit:
            held(review)
            continue
        known[uid] = key
        keys.add(key)
        new(review)
    touched = {r.item_id for r in plan.reviews}
    if touched:
        here_items = set(store.db.read(lambda c: [i for (i,) in c.execute(
            "SELECT item_id FROM cards")]))  # fmt: skip
        plan.new_items = touched - here_items


def _plan_cram(store: Store, plan: MergePlan, offered: Iterable[FileCram]) -> None:
    have = {
        u for (u,) in store.db.read(lambda c: c.execute("SELECT uuid FROM cram_reviews").fetchall())
    }
    plan.cram = [c for c in offered if c.uuid not in have]


def _local_registers(conn: sqlite3.Connection) -> dict[str, tuple[str, Any]]:
    """key -> (stamp, value) of every register here (a value from before stamps: ZERO)."""
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


def _order(stamp: str, value: Any) -> tuple[str, str]:
    return stamp, json.dumps(value, sort_keys=True)


def _plan_registers(store: Store, plan: MergePlan, offered: dict[str, Register]) -> None:
    local = store.db.read(_local_registers)
    for key in sorted(offered):
        theirs = offered[key]
        mine = local.get(key)
        if mine is None or _order(theirs.stamp, theirs.value) > _order(*mine):
            plan.registers.append(theirs)


def plan_merge(
    store: Store,
    progress: ProgressFile,
    *,
    now: datetime | None = None,
    known: dict[str, tuple[str, str, int]] | None = None,
) -> MergePlan:
    """Work out what merging ``progress`` into ``store`` changes, without changing anything.
    ``known``: the store's reviews (``known_reviews``) when the caller has read them already."""
    plan = MergePlan(
        source=str(progress.path),
        in_file=len(progress.reviews) + progress.already,
        machine=progress.machine,
    )
    _plan_reviews(store, plan, progress.reviews, now or store.now(), known)
    _plan_cram(store, plan, progress.cram)
    _plan_registers(store, plan, progress.registers)
    return plan


# --------------------------------------------------------------------------- applying


def _put_register(conn: sqlite3.Connection, r: Register) -> None:
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


def _write_plan(conn: sqlite3.Connection, plan: MergePlan) -> None:
    for register in plan.registers:
        _put_register(conn, register)
    scheduler = ops.scheduler_in(conn)
    # The new reviews are derived with the log they join before they are written, so each is
    # inserted once with its state before and due after (no second pass over 100k rows).
    extra = [
        (None, r.item_id, int(r.rating), r.at, r.duration_ms, None, None, r.uuid, r.reviewed_at)
        for r in plan.reviews
    ]
    # A reset that travels derives its card again from the reviews after it.
    reset = {r.key.partition(":")[2] for r in plan.registers if r.key.startswith("reset:")}
    if any(r.key in RESCHEDULING for r in plan.registers):
        derived = ops.recompute(conn, scheduler, None, extra)
    elif extra or reset:
        touched = {r.item_id for r in plan.reviews} | reset
        derived = ops.recompute(conn, scheduler, touched, extra)
    else:
        derived = {}
    conn.executemany(
        "INSERT INTO reviews (uuid, item_id, kind, rating, reviewed_at, duration_ms, answer, "
        "verdict, seed, state_before, due_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (r.uuid, r.item_id, r.kind, int(r.rating), r.at, r.duration_ms, r.answer, r.verdict,
             r.seed, *derived[r.uuid])
            for r in plan.reviews
        ],
    )  # fmt: skip
    conn.executemany(
        "INSERT OR IGNORE INTO cram_reviews (uuid, item_id, rating, reviewed_at, duration_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (c.uuid, c.item_id, int(c.rating), time_text(c.reviewed_at), c.duration_ms)
            for c in plan.cram
        ],
    )
    if plan.digest is not None:
        _record_merged(conn, plan)


@contextlib.contextmanager
def _roomy_cache(store: Store, rows: int) -> Iterator[None]:
    """A page cache big enough for a large merge (SQLite's default 2 MB makes each of 100k
    inserts into the reviews' indexes reach for pages it just let go), as before after it."""
    if rows < 5000:
        yield
        return
    old = store.db.read(lambda c: c.execute("PRAGMA cache_size").fetchone()[0])
    store.db.read(lambda c: c.execute(f"PRAGMA cache_size = {-BIG_CACHE_KB}"))
    try:
        yield
    finally:
        with contextlib.suppress(sqlite3.Error, StoreError):
            store.db.read(lambda c: c.execute(f"PRAGMA cache_size = {int(old)}"))


def apply_merge(store: Store, plan: MergePlan) -> None:
    """Make the planned changes in one transaction: all of them or, on any error, none."""
    if plan.empty:
        remember_merged(store, plan)
        return
    try:
        with _roomy_cache(store, len(plan.reviews)):
            store.db.write(lambda conn: _write_plan(conn, plan))
    except sqlite3.Error as exc:
        raise StoreError(
            f"cannot save to {store.path.name}: {explain(exc)}", classify(exc)
        ) from None
    store.db.reload_settings()


def merge_reviews(
    store: Store,
    reviews: Iterable[FileReview],
    *,
    source: str,
    now: datetime | None = None,
    dry_run: bool = False,
) -> MergePlan:
    """Merge checked review records (each with its uuid) from ``source`` (a name for the
    summary) exactly like another machine's reviews: known uuids skipped, reviews dated more than
    a day ahead held back, the touched cards derived again. Returns the plan (``describe``)."""
    offered = list(reviews)
    plan = MergePlan(source=source, in_file=len(offered))
    _plan_reviews(store, plan, offered, now or store.now())
    if not dry_run:
        apply_merge(store, plan)
    return plan


def merge_file(
    store: Store,
    path: Path,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    follow_links: bool = True,
) -> MergePlan:
    """Read ``path``, plan the merge and (unless ``dry_run``) apply it. Raises MergeError."""
    plan = plan_file(store, path, now=now, follow_links=follow_links)
    if not dry_run:
        apply_merge(store, plan)
    return plan


def plan_file(
    store: Store, path: Path, *, now: datetime | None = None, follow_links: bool = True
) -> MergePlan:
    """Read and check ``path`` and plan its merge (MergeError when it cannot be merged). A
    file whose exact bytes were merged whole into this store before (``remember_merged``) is
    not parsed again: merging it again would change nothing."""
    raw = read_bytes(path, follow_links=follow_links)
    digest = hashlib.sha256(raw).hexdigest()
    seen = store.db.read(lambda c: _merged_reviews(c, digest))
    if seen is not None:
        return MergePlan(source=str(path), in_file=seen)
    # The reviews already here are read first: the file's copies of them are only matched by
    # uuid, item, time and rating (nothing else of them would be used).
    known = known_reviews(store)
    progress = check_progress(path, parse_json(path, raw), known)
    plan = plan_merge(store, progress, now=now, known=known)
    if not plan.held_back and not plan.collisions:
        plan.digest = digest
    return plan


# The digests of files merged whole, in a table of their own made on first use (it is local:
# never exported). Every review such a file holds is here, so the same bytes add nothing, as
# long as no review leaves the log: an undo (``ops.undo_in``) forgets them all, and a restore
# brings back the table of its own time.
MERGED_TABLE = "merged_files"
KEEP_MERGED = 200


def _merged_reviews(conn: sqlite3.Connection, digest: str) -> int | None:
    """The number of reviews of the file with ``digest`` when it was merged whole, else None."""
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MERGED_TABLE,)
    ).fetchone():
        return None
    row = conn.execute(
        f"SELECT reviews FROM {MERGED_TABLE} WHERE digest = ?", (digest,)
    ).fetchone()  # fmt: skip
    return None if row is None else int(row[0])


def _record_merged(conn: sqlite3.Connection, plan: MergePlan) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {MERGED_TABLE} (digest TEXT PRIMARY KEY, "
        "reviews INTEGER NOT NULL, merged_at TEXT NOT NULL)"
    )
    conn.execute(
        f"INSERT OR REPLACE INTO {MERGED_TABLE} (digest, reviews, merged_at) VALUES (?, ?, ?)",
        (plan.digest, plan.in_file, time_text(datetime.now(UTC))),
    )
    conn.execute(
        f"DELETE FROM {MERGED_TABLE} WHERE digest NOT IN (SELECT digest FROM {MERGED_TABLE} "
        f"ORDER BY merged_at DESC LIMIT {KEEP_MERGED})"
    )


def remember_merged(store: Store, plan: MergePlan) -> None:
    """Record that a file with nothing new was merged whole (so it is not read again); a
    store that cannot save just reads it again next time."""
    if plan.digest is None or not plan.empty or store.read_only:
        return
    with contextlib.suppress(StoreError, sqlite3.Error):
        store.db.write(lambda conn: _record_merged(conn, plan))


def replicated(export: dict[str, Any]) -> dict[str, Any]:
    """The part of an export every machine holds identically after a full exchange: all of it
    but the export time, the machine id, quiz sessions and the local row ids."""
    local = ("exported_at", "machine", "quiz_sessions")
    out = {k: v for k, v in export.items() if k not in local}
    reviews = export.get("reviews", [])
    out["reviews"] = [
        {
            k: v
            for k, v in (json.loads(r) if isinstance(r, str) else r).items()
            if k not in ("id", "quiz_id")
        }
        for r in reviews
    ]
    return out
