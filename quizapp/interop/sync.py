"""Progress on several machines through one shared folder (Syncthing, Dropbox, a network share,
a git repository): each machine writes only its own file, ``<machine id>.json`` (an export), and
merges every other machine's file into its store. No two machines ever write the same file, so
the folder tool never has a conflict to resolve, and since the merge is a union, studying on two
machines between syncs loses nothing."""

from __future__ import annotations

import json
import os
import re
import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from quizapp.interop.merge import MergeError, MergePlan, merge_file
from quizapp.store import Store


def machine_id(data_dir: Path) -> str:
    """This data folder's id, made once and kept in ``<data dir>/machine-id``: the host name
    (readable in the shared folder) and a random part (two data folders on one host differ)."""
    path = data_dir / "machine-id"
    try:
        existing = path.read_text(encoding="utf-8").strip()
    except OSError:
        existing = ""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}", existing):
        return existing
    host = re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname()).strip("-")[:40] or "machine"
    made = f"{host}-{uuid.uuid4().hex[:8]}"
    data_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".machine-id.tmp-{os.getpid()}")
    tmp.write_text(made + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return made


@dataclass
class SyncResult:
    own: Path
    merged: list[MergePlan] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # one line per file that was skipped
    written_reviews: int = 0

    @property
    def added(self) -> int:
        return sum(len(p.reviews) for p in self.merged)


def sync_folder(store: Store, folder: Path, me: str) -> SyncResult:
    """Merge every other machine's file in ``folder`` into ``store``, then write this machine's
    file (atomically: another machine never reads half of it). A file that cannot be merged is
    skipped with its reason in ``failed``; the others still are. Raises OSError when this
    machine's file cannot be written."""
    own = folder / f"{me}.json"
    result = SyncResult(own=own)
    # Hidden files are other tools' temporaries (ours too, while being written).
    others = sorted(p for p in folder.glob("*.json") if p != own and not p.name.startswith("."))
    for path in others:
        try:
            plan = merge_file(store, path)
        except MergeError as exc:
            result.failed.append(exc.message)
            continue
        if not plan.empty:
            result.merged.append(plan)
    data = store.export()
    result.written_reviews = len(data["reviews"])
    tmp = folder / f".{me}.json.tmp-{os.getpid()}"
    try:
        tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, own)
    finally:
        tmp.unlink(missing_ok=True)
    return result
