"""The pending journal: every action taken while the progress file cannot be written (a full
disk, a lock held too long, a read-only folder, a file damaged while open), kept in memory and,
where it can be written, in a sidecar file ``progress.db.pending`` (one JSON object a line,
each line fsynced), so a rating the learner saw as recorded survives a kill or a power cut.
The store writes the journal into the file when saving works again, or at the next start."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Collection
from pathlib import Path
from typing import Any

from quizapp.store.connection import explain as _why


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".pending")


class PendingJournal:
    """Unsaved actions, oldest first, mirrored to the sidecar file when it can be written."""

    def __init__(self, path: Path) -> None:
        self.file = sidecar(path)
        self.entries: list[dict[str, Any]] = []
        self.on_disk = True  # every entry so far is also in the sidecar
        self.problem: str | None = None  # why the sidecar could not be written

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)
        if self.on_disk:
            self.on_disk = self._append([entry])
        else:  # the sidecar missed some: rewrite it whole once it can be written again
            self.on_disk = self._rewrite()

    def drop(self, predicate: Any) -> None:
        """Remove the entries ``predicate`` accepts (an undone pending review)."""
        self.entries = [e for e in self.entries if not predicate(e)]
        self.on_disk = self._rewrite()

    def clear(self) -> None:
        self.entries = []
        with contextlib.suppress(FileNotFoundError):
            self.file.unlink()
        self.on_disk = True

    def _append(self, entries: list[dict[str, Any]]) -> bool:
        try:
            fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                data = "".join(json.dumps(e, sort_keys=True) + "\n" for e in entries).encode()
                if os.write(fd, data) != len(data):
                    raise OSError(28, "No space left on device")
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            self.problem = _why(exc)
            return False
        self.problem = None
        return True

    def _rewrite(self) -> bool:
        tmp = self.file.with_name(self.file.name + ".tmp")
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                for e in self.entries:
                    fh.write(json.dumps(e, sort_keys=True) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.file)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            self.problem = _why(exc)
            return False
        self.problem = None
        return True


def load(path: Path) -> list[dict[str, Any]]:
    """The entries in the sidecar of ``path`` (see ``read``)."""
    return read(path)[0]


def read(path: Path) -> tuple[list[dict[str, Any]], list[bytes]]:
    """The entries in the sidecar of ``path``, each once (a line written twice, by a rewrite
    that was cut short, counts once), and the lines that are not entries (bytes that do not
    decode, text that is not a JSON object with an "op"): only those lines are left out. A torn
    last line (a kill mid-write: the call that wrote it had not returned) is dropped silently."""
    try:
        data = sidecar(path).read_bytes()
    except OSError:
        return [], []
    lines = data.split(b"\n")
    torn = lines.pop() if lines else b""  # the text after the last newline: never finished
    out: list[dict[str, Any]] = []
    bad: list[bytes] = []
    seen: set[bytes] = set()
    for line in lines:
        if not line.strip() or line in seen:
            continue
        seen.add(line)
        try:
            entry = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            bad.append(line)
            continue
        if isinstance(entry, dict) and isinstance(entry.get("op"), str):
            out.append(entry)
        else:
            bad.append(line)
    del torn
    return out, bad


def rejected_file(path: Path) -> Path:
    return path.with_name(path.name + ".pending.rejected")


def keep_rejected(path: Path, lines: list[bytes]) -> Path | None:
    """Append lines the replay could not use to ``progress.db.pending.rejected`` (0600), so
    nothing the learner did is thrown away; None when that file cannot be written."""
    target = rejected_file(path)
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, b"".join(line.rstrip(b"\n") + b"\n" for line in lines))
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        return None
    return target


def saved_quiz(
    conn: sqlite3.Connection, entry: dict[str, Any], claimed: Collection[int]
) -> int | None:
    """The quiz session an earlier replay of this same ``start_quiz`` entry saved, if one did (a
    kill between its commit and the sidecar's removal replays the whole sidecar again), so the
    replay maps the entry to it instead of starting the quiz a second time; None: not saved yet.

    A session is known by what its entry holds: its mode, its config and its start time to the
    microsecond; sessions of this sidecar that share all three (a clock that did not move) are
    told apart by their order, ``claimed`` being the ones the replay has matched so far."""
    rows = conn.execute(
        "SELECT id FROM quiz_sessions WHERE mode = ? AND config = ? AND started_at = ? ORDER BY id",
        (entry["mode"], entry["config"], entry["at"]),
    )
    return next((quiz for (quiz,) in rows if quiz not in claimed), None)
