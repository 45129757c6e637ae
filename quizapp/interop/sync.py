"""Progress on several machines through one shared folder (Syncthing, Dropbox, a network share,
a git repository): each machine writes only its own file, ``<machine id>.json`` (an export), and
merges every other machine's file into its store. No two machines ever write the same file, so
the folder tool never has a conflict to resolve, and since the merge is a union of logs and
last-writer-wins registers (quizapp.interop.merge), studying on two machines between syncs loses
nothing.

Files in the shared folder are read only when they are regular files (a link, a FIFO or a device
is skipped with its reason), and this machine's file is written through a new temporary file
(``O_EXCL``, never following a link someone planted) renamed over it."""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from quizapp.interop.merge import MergeError, MergePlan, merge_file
from quizapp.store import Store
from quizapp.store.identity import machine_id

__all__ = ["SyncResult", "machine_id", "sync_folder", "write_own_file"]


@dataclass
class SyncResult:
    own: Path
    merged: list[MergePlan] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line per file that was skipped
    notes: list[str] = field(default_factory=list)  # held back, collisions: said, not failures
    written_reviews: int = 0
    write_error: str | None = None  # why this machine's file could not be written

    @property
    def added(self) -> int:
        return sum(len(p.reviews) for p in self.merged)


def write_own_file(store: Store, folder: Path, me: str) -> int:
    """Write this machine's export as ``folder/<me>.json`` (compact JSON, as fast as
    ``export``): a new temporary file made with O_EXCL|O_NOFOLLOW, fsynced, renamed over the old
    one. Returns the number of reviews written; raises OSError."""
    from quizapp.interop.progress_file import json_chunks

    data = store.export(raw_reviews=True)
    tmp = folder / f".{me}.json.tmp-{uuid.uuid4().hex}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(tmp, flags, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.writelines(json_chunks(data))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, folder / f"{me}.json")
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return len(data["reviews"])


def sync_folder(store: Store, folder: Path, me: str) -> SyncResult:
    """Merge every other machine's file in ``folder`` into ``store``, then write this machine's
    file. A file that cannot be merged is skipped with its reason in ``failed``; the others still
    are. A failed write of this machine's file is in ``write_error`` (what was merged stays)."""
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
            plan = merge_file(store, path, follow_links=False)
        except MergeError as exc:
            result.failed.append(exc.message)
            continue
        if not plan.empty:
            result.merged.append(plan)
        elif plan.held_back or plan.collisions:
            result.notes += plan.describe(done=True)[1:]
    try:
        result.written_reviews = write_own_file(store, folder, me)
    except OSError as exc:
        result.write_error = f"cannot write {own}: {exc.strerror or exc}"
    return result
