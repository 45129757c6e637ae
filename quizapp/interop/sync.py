"""Progress on several machines through one shared folder (Syncthing, Dropbox, a network share,
a git repository): each machine writes only its own file, ``<machine id>.json`` (an export), and
merges every other machine's file into its store. No two machines ever write the same file, so
the folder tool never has a conflict to resolve, and since the merge is a union of logs and
last-writer-wins registers (quizapp.interop.merge), studying on two machines between syncs loses
nothing.

Files in the shared folder are read only when they are regular files (a link, a FIFO or a device
is skipped with its reason), and this machine's file is written through a new temporary file
(``O_EXCL``, never following a link someone planted) renamed over it; such a temporary file
left by a write that was killed is removed by a later sync once it is an hour old.

Speed: a file merged whole before is not parsed again, and of one that only grew since, by
reviews after those it held, only the rest is read (``merge.plan_file``). This machine's file
is not written again when it already holds exactly what it would hold: the store records the
digest of the bytes it last wrote there with a fingerprint of everything the file shows
(``quizapp.store.replica``), and the file is rewritten unless both still match (the file's
bytes are read and hashed each time, so a file changed in place, even at the same size and
time, is written again). When it is written, the reviews it holds are kept byte for byte and
only those stored since are added after them (``_write_own``): a day's sync with 200k reviews
encodes a day's reviews, not 200k."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from quizapp import __version__
from quizapp.interop.merge import MergeError, MergePlan, apply_merge, plan_file
from quizapp.interop.progress_file import REVIEWS_HEAD, json_members, not_quizapp, read_bytes
from quizapp.paths import write_whole
from quizapp.store import Store, progress_export, replica
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
    """Write this machine's file, ``folder/<me>.json`` (see ``_write_own``): a new temporary
    file made with O_EXCL|O_NOFOLLOW, fsynced, renamed over the old one. Skipped when the file
    there already holds exactly this store's progress (see the module's notes). Returns the
    number of reviews the file holds; raises OSError."""
    return _write_own(store, folder, me)[0]


# The file's layout: its reviews first, one a line in the order they were stored here, then the
# rest of an export. The bytes up to the end of the last review's line only ever grow, so a
# later write keeps them and adds the reviews stored since (a day's reviews, not all 200k
# encoded again). LAYOUT names this layout and the reviews' fields; a file written by another
# version or layout is written whole.
_SEP = ",\n    "
LAYOUT = f"reviews-first 1 ({__version__})"


def _write_own(store: Store, folder: Path, me: str) -> tuple[int, bool]:
    """``write_own_file``, and whether the file was written (False: it was up to date).

    The file is this store's export, with two differences no reader sees: its reviews come
    first, in the order they were stored here, and each is what travels (uuid, card, rating,
    time, duration, answer, its row and quiz ids), without the state before and due after
    that a replay derives again (a reader derives them; see ``progress_export.logged_reviews``).
    The reviews already in the file are kept as they are when the file is exactly what was last
    written (its digest) and no review written there has gone since (an undo); the others are
    added after them. Anything else writes it whole."""
    target = folder / f"{me}.json"
    _remove_stale(folder, me)
    key = str(target.absolute())
    fingerprint = replica.export_fingerprint(store.db, repr((me, LAYOUT)))
    last = replica.last_written(store.db, key)
    kept = _kept(store, target, last, fingerprint)
    if kept == "up to date":
        assert last is not None
        return last.reviews, False
    db = store.db
    head: bytes | memoryview
    if kept is None:
        head, head_hash, count, after = REVIEWS_HEAD, None, 0, 0
    else:
        head, head_hash, count, after = kept
    text, new, last_id = progress_export.logged_reviews(db, after, _SEP)
    added = ((_SEP if count else "\n    ") + text).encode() if new else b""
    rest = progress_export.export_parts(db)
    chunks: list[str | bytes | memoryview] = [head, added, b"\n  ],\n", *json_members(rest)]
    chunks.append("}\n")
    digest = write_whole(target, chunks, 0o644, digest=True, head_hashed=head_hash)
    assert digest is not None
    count += new
    review_end = len(head) + len(added)
    replica.record_written(
        db, key, replica.Written(digest, fingerprint, count, review_end, last_id, LAYOUT)
    )
    return count, True


def _kept(
    store: Store, target: Path, last: replica.Written | None, fingerprint: str
) -> Literal["up to date"] | tuple[memoryview, Any, int, int] | None:
    """What of the file there can stay: "up to date" (all of it: it is exactly what was last
    written, and the store has not changed since), or its reviews' bytes (with their hash, how
    many reviews and the last one's row id), or None (nothing: write it whole)."""
    if last is None:
        return None
    old = _own_bytes(target)
    if old is None:
        return None
    # The bytes up to the end of its reviews are hashed apart, to go on from in the next write.
    end, last_id = last.review_end, last.last_id
    keep = last.layout == LAYOUT and end is not None and last_id is not None
    cut = end if keep and end is not None and len(REVIEWS_HEAD) <= end <= len(old) else 0
    head = hashlib.sha256(memoryview(old)[:cut])
    whole = head.copy()
    whole.update(memoryview(old)[cut:])
    if whole.hexdigest() != last.digest:
        return None  # not what was written there: changed in place, replaced
    if last.fingerprint == fingerprint:
        return "up to date"
    if not cut or last_id is None:
        return None
    if replica.reviews_up_to(store.db, last_id) != last.reviews:
        return None  # a review written there was undone since
    return memoryview(old)[:cut], head, last.reviews, last_id


STALE_SECONDS = 3600  # a temporary file of ours this old was left by a write that died


def _remove_stale(folder: Path, me: str) -> None:
    """Remove this machine's temporary files that a killed or crashed write left in the shared
    folder (each can be as large as the file itself). Only those an hour old: a sync running
    beside this one on the same machine may be writing its own right now. Never follows a link
    (unlink removes the link itself); anything that cannot be removed stays."""
    prefix = f".{me}.json.tmp-"
    now = time.time()
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.startswith(prefix):
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                    os.unlink(entry.path)


def _own_bytes(path: Path) -> bytes | None:
    """The bytes of this machine's file (None: missing, a link, not a regular file, unreadable,
    too large)."""
    try:
        return read_bytes(path, follow_links=False)
    except MergeError:
        return None


_NOT_OURS = "only quizapp's files belong in the sync folder: move it elsewhere"


def sync_folder(
    store: Store,
    folder: Path,
    me: str,
    before_change: Callable[[], object] | None = None,
    on_parse: Callable[[], object] | None = None,
) -> SyncResult:
    """Merge every other machine's file in ``folder`` into ``store``, then write this machine's
    file. A file that cannot be merged is skipped with its reason in ``failed``; the others still
    are. A failed write of this machine's file is in ``write_error`` (what was merged stays).
    ``before_change`` (a backup) runs once, before the first merge that changes the store;
    ``on_parse`` before each file that is parsed (``merge.plan_file``)."""
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
            plan = plan_file(store, path, follow_links=False, on_parse=on_parse)
        except MergeError as exc:
            result.failed.append(
                not_quizapp(path, "sync file", _NOT_OURS) if exc.foreign else exc.message
            )
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
