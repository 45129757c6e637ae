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

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any

from quizapp.interop.progress_file import (
    REVIEWS_HEAD,
    FileCram,
    FileReview,
    MergeError,
    ProgressFile,
    Register,
    check_progress,
    parse_json,
    read_bytes,
)
from quizapp.store import Store, replica, time_text
from quizapp.store.hlc import ZERO, stamp_time
from quizapp.store.srs import FIT_KEY
from quizapp.wording import counted

AHEAD = timedelta(days=1)  # a review dated later than this machine's clock plus this waits

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
    # The file when merging it brings everything in it here (nothing held back, no
    # collision): recorded with the merge, so the same bytes are not read again (and of a file
    # that grows by reviews added after those it holds, only the rest is read).
    whole: replica.MergedFile | None = None

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
                f"{verb} {len(self.reviews)} of the {counted(self.in_file, 'review')} in "
                f"{self.source} ({counted(items, 'item')}, {len(self.new_items)} never "
                f"reviewed here)"
                + (f"; {counted(already, 'was', 'were')} already here" if already else "")
            )
        else:
            lines.append(
                f"nothing new in {self.source}: this store already has all of its "
                f"{counted(self.in_file - len(self.held_back), 'review')}"
            )
        if self.cram:
            lines.append(f"{verb} {counted(len(self.cram), 'cram answer')}")
        lines += [register_line(r, done) for r in self.registers]
        if self.held_back:
            newest = max(r.reviewed_at for r in self.held_back)
            who = f"machine {self.machine}" if self.machine else str(self.source)
            lines.append(
                f"held back {counted(len(self.held_back), 'review')} from {who} dated more "
                "than a day "
                f"ahead of this machine's clock (the latest {newest:%Y-%m-%d %H:%M} UTC): check "
                f"the clock of {who}; {'it merges' if len(self.held_back) == 1 else 'they merge'}"
                " once this clock reaches them"
            )
        lines += self.collisions
        return lines


# kind -> (what a value does, what none does), each as done and as planned (--dry-run)
_FLAG_VERBS = {
    "tick": (("ticked checklist item", "would tick checklist item"),
             ("unticked checklist item", "would untick checklist item")),
    "suspend": (("suspended", "would suspend"), ("unsuspended", "would unsuspend")),
    "bury": (("buried", "would bury"), ("unburied", "would unbury")),
    "reset": (("reset", "would reset"), ("undid the reset of", "would undo the reset of")),
}  # fmt: skip


def register_line(r: Register, done: bool) -> str:
    """The summary line of a register a merge sets (``done``) or would set."""
    kind, _, name = r.key.partition(":")
    when = "" if r.stamp == ZERO else f" (changed {stamp_time(r.stamp):%Y-%m-%d %H:%M} UTC"
    when += f" on {r.stamp[20:]})" if when and r.stamp[20:] else (")" if when else "")
    if kind in _FLAG_VERBS:
        verb = _FLAG_VERBS[kind][0 if r.value else 1][0 if done else 1]
        until = {"bury": " until ", "reset": " at "}.get(kind, "") if r.value else ""
        until += f"{_minute(r.value)} UTC" if until else ""
        return f"{verb} {name}{until}{when}"
    if name == FIT_KEY:
        what = "the fitted FSRS parameters" if r.value else "the default FSRS parameters"
        return f"{'now using' if done else 'would use'} {what}{when}"
    shown = (
        "none" if r.value is None else r.value if isinstance(r.value, str) else json.dumps(r.value)
    )
    return f"{'set' if done else 'would set'} {name} to {shown}{when}"


def _minute(at: str) -> str:
    """A stored time (ISO text, UTC) to the minute: 2026-12-08 09:30."""
    return at[:16].replace("T", " ")


# --------------------------------------------------------------------------- reading


def checked_progress(
    path: Path, raw: bytes, known: dict[str, tuple[str, str, int]] | None = None
) -> ProgressFile:
    """``check_progress(path, parse_json(path, raw), known)``: the same content, or the same
    MergeError. A file as ``export`` writes it is read by the fast reader (``progress_fast``:
    msgspec and whole columns, over twice as fast for 100k reviews); whatever that one does
    not take is read the old way, which says what is wrong."""
    from quizapp.interop.progress_fast import fast_progress  # (msgspec: only when reading one)

    progress = fast_progress(path, raw, known)
    if progress is None:
        progress = check_progress(path, parse_json(path, raw), known)
    return progress


def read_progress_file(
    path: Path,
    *,
    follow_links: bool = True,
    known: dict[str, tuple[str, str, int]] | None = None,
) -> ProgressFile:
    """Read and check an export; raises MergeError with one line saying what is wrong where.
    ``known``: see ``check_progress``."""
    return checked_progress(path, read_bytes(path, follow_links=follow_links), known)


# --------------------------------------------------------------------------- planning


def known_reviews(store: Store) -> dict[str, tuple[str, str, int]]:
    """uuid -> (item id, stored time text, rating) of every review in the store."""
    return replica.known_reviews(store.db)


def _plan_reviews(
    store: Store,
    plan: MergePlan,
    offered: Iterable[FileReview],
    now: datetime,
    known: dict[str, tuple[str, str, int]] | None = None,
) -> None:
    known = known if known is not None else known_reviews(store)
    limit = time_text(now + AHEAD)  # stored times compare as text
    offered = offered if isinstance(offered, list) else list(offered)
    if _all_new(known, offered, limit):
        plan.reviews.extend(offered)
    else:
        _plan_each(plan, offered, dict(known), limit)
    touched = {r.item_id for r in plan.reviews}
    if touched:
        plan.new_items = touched - replica.reviewed_items(store.db)


def _all_new(known: dict[str, tuple[str, str, int]], offered: list[FileReview], limit: str) -> bool:
    """Whether every offered review is new here, not dated ahead and not given twice (the
    usual file): found with set operations, not a step per review (100k reviews: 0.15 s)."""
    uuids = list(map(attrgetter("uuid"), offered))
    if not known.keys().isdisjoint(uuids) or len(set(uuids)) != len(uuids):
        return False
    if offered and max(map(attrgetter("at"), offered)) > limit:
        return False
    keys = list(map(attrgetter("item_id", "at", "rating"), offered))  # (a Rating == its int)
    return len(set(keys)) == len(keys) and set(known.values()).isdisjoint(keys)


def _plan_each(
    plan: MergePlan, offered: list[FileReview], known: dict[str, tuple[str, str, int]], limit: str
) -> None:
    """``_plan_reviews`` review by review: collisions, reviews here under another uuid (logs
    from before uuids), reviews held back."""
    keys = set(known.values())
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


def _plan_cram(store: Store, plan: MergePlan, offered: Iterable[FileCram]) -> None:
    have = replica.cram_uuids(store.db)
    plan.cram = [c for c in offered if c.uuid not in have]


def _order(stamp: str, value: Any) -> tuple[str, str]:
    return stamp, json.dumps(value, sort_keys=True)


def _plan_registers(store: Store, plan: MergePlan, offered: dict[str, Register]) -> None:
    local = replica.registers(store.db)
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


def apply_merge(store: Store, plan: MergePlan) -> None:
    """Make the planned changes in one transaction: all of them or, on any error, none."""
    if plan.empty:
        remember_merged(store, plan)
        return
    replica.merge(store.db, plan.reviews, plan.cram, plan.registers, plan.whole)


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
    store: Store,
    path: Path,
    *,
    now: datetime | None = None,
    follow_links: bool = True,
    on_parse: Callable[[], object] | None = None,
) -> MergePlan:
    """Read and check ``path`` and plan its merge (MergeError when it cannot be merged). A
    file whose exact bytes were merged whole into this store before (``remember_merged``) is
    not parsed again: merging it again would change nothing. A sync file (its reviews first,
    ``REVIEWS_HEAD``) that only grew since it was merged whole, by reviews after those it held,
    has only the rest read: the reviews it held are here (``_grown``). ``on_parse`` runs just
    before a file is parsed (the merge's backup starts then, in another process)."""
    raw = read_bytes(path, follow_links=follow_links)
    key = str(path.absolute())
    before = replica.merged_prefix(store.db, key)
    cut = before[0] if before is not None and _continues(raw, before[0]) else 0
    hashed = cut  # ``head`` is the hash of the bytes up to here
    head = hashlib.sha256(memoryview(raw)[:cut])
    whole = head.copy()
    whole.update(memoryview(raw)[cut:])
    digest = whole.hexdigest()
    seen = replica.merged_reviews(store.db, digest)
    if seen is not None:
        return MergePlan(source=str(path), in_file=seen)
    if on_parse is not None:
        on_parse()
    plan, held = None, 0
    if before is not None and cut and head.hexdigest() == before[1]:
        held = before[2]
        plan = _grown(store, path, raw, cut, held, now)
    if plan is None:
        cut = held = 0
        # The reviews already here are read first: the file's copies of them are only matched
        # by uuid, item, time and rating (nothing else of them would be used).
        known = known_reviews(store)
        progress = checked_progress(path, raw, known)
        plan = plan_merge(store, progress, now=now, known=known)
    if not plan.held_back and not plan.collisions:
        end = _review_end(raw, cut, plan.in_file - held)
        head_digest = None
        if end is not None:  # the bytes up to ``hashed`` are not hashed again
            upto = head.copy() if end >= hashed else hashlib.sha256()
            upto.update(memoryview(raw)[hashed if end >= hashed else 0 : end])
            head_digest = upto.hexdigest()
        plan.whole = replica.MergedFile(digest, plan.in_file, key, end, head_digest)
    return plan


def _continues(raw: bytes, end: int) -> bool:
    """Whether ``raw`` can be a sync file that holds reviews from byte ``end`` on, or ends its
    reviews there."""
    return raw.startswith(REVIEWS_HEAD) and raw[end : end + len(_NEXT)] in (_NEXT, _LAST)


def _grown(
    store: Store, path: Path, raw: bytes, cut: int, held: int, now: datetime | None
) -> MergePlan | None:
    """The plan of a sync file whose first ``cut`` bytes are those of its ``held`` reviews,
    every one of them here: the rest (the reviews after them and all but the reviews) read as a
    file of its own and planned against the reviews here it could match (their uuids, their
    items). None when anything is wrong with that rest: then the whole file is read, which
    says what is wrong with it, and where."""
    rest = raw[cut:]
    rest = REVIEWS_HEAD + (b"\n    " + rest[len(_NEXT) :] if rest.startswith(_NEXT) else rest)
    try:
        progress = checked_progress(path, rest)
    except MergeError:
        return None
    known = replica.known_reviews_of(
        store.db, (r.uuid for r in progress.reviews), {r.item_id for r in progress.reviews}
    )
    plan = plan_merge(store, progress, now=now, known=known)
    plan.in_file += held
    return plan


def _review_end(raw: bytes, cut: int, count: int) -> int | None:
    """The byte just after the last review of a sync file (``REVIEWS_HEAD``, its reviews one a
    line, then ``_LAST``) that holds ``count`` reviews after byte ``cut``; None for any other
    file."""
    if not raw.startswith(REVIEWS_HEAD):
        return None
    start = max(cut, len(REVIEWS_HEAD))
    end = raw.find(_LAST, start)
    if end < 0:
        return None
    import msgspec

    listed_text: bytes | memoryview
    if start == len(REVIEWS_HEAD):  # from the file's own "[" to its "]": read in place
        listed_text = memoryview(raw)[start - 1 : end + len(_LAST) - 2]
    else:  # the reviews after ``cut`` (a day's), each after a comma
        text = raw[start:end]
        listed_text = b"[" + (text[1:] if text.startswith(b",") else text) + b"]"
    try:
        listed = msgspec.json.decode(listed_text, type=list[msgspec.Raw])
    except (msgspec.DecodeError, RecursionError):
        return None
    return end if len(listed) == count else None


_NEXT = b",\n    "  # between two reviews of a sync file
_LAST = b"\n  ],\n"  # after its last


def remember_merged(store: Store, plan: MergePlan) -> None:
    """Record that a file with nothing new was merged whole (so it is not read again); a
    store that cannot save just reads it again next time."""
    if plan.whole is not None and plan.empty:
        replica.remember_merged(store.db, plan.whole)


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
