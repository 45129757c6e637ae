"""The deck cache: what each deck file held when last validated, so a warm start rebuilds the
cards without parsing YAML or running the checks again."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CachedFile:
    deck: str
    items: list[dict[str, Any]]


def _code_stamp() -> str:
    """Changes whenever quizapp's validation code changes (version or any core module)."""
    import quizapp

    # os.scandir, not Path.rglob: this runs at every start, and pathlib's walk and
    # relative_to cost ~30 ms of a one-shot command.
    found: list[tuple[tuple[str, ...], str]] = []

    def walk(folder: str, rel: tuple[str, ...]) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in ("ui", "__pycache__"):
                        walk(entry.path, (*rel, entry.name))
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    name = "/".join((*rel, entry.name))
                    found.append(((*rel, entry.name), f"{name}:{st.st_size}:{st.st_mtime_ns}"))

    walk(str(Path(quizapp.__file__).parent), ())
    return "|".join([quizapp.__version__, *(text for _, text in sorted(found))])


class DeckCache:
    """What each deck file held when last validated, keyed by its path, size and mtime.

    Plain JSON (never pickle): a damaged or foreign cache file is ignored and rebuilt.
    """

    def __init__(self, path: Path, stamp: str, files: dict[str, Any]) -> None:
        self.path = path
        self.stamp = stamp
        self.files = files
        self.dirty = False
        self.used: set[str] = set()

    @classmethod
    def open(cls, path: Path) -> DeckCache:
        stamp = _code_stamp()
        files: dict[str, Any] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("stamp") == stamp:
                files = data.get("files") or {}
        except (OSError, ValueError):
            pass
        return cls(path, stamp, files if isinstance(files, dict) else {})

    @staticmethod
    def _signature(path: Path) -> list[int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns]

    def lookup(self, path: Path) -> CachedFile | None:
        key = str(path.resolve())
        entry = self.files.get(key)
        sig = self._signature(path)
        if not isinstance(entry, dict) or sig is None or entry.get("sig") != sig:
            return None
        try:
            cached = CachedFile(str(entry["deck"]), list(entry["items"]))
        except (KeyError, TypeError):
            return None
        self.used.add(key)
        return cached

    def store(self, path: Path, deck: str, items: list[dict[str, Any]]) -> None:
        sig = self._signature(path)
        if sig is None:
            return
        try:
            # Round-trip now, so only JSON-safe data (no YAML dates, odd keys) is ever cached.
            items = json.loads(json.dumps(items, allow_nan=False))
        except (TypeError, ValueError):
            return
        key = str(path.resolve())
        self.files[key] = {"sig": sig, "deck": deck, "items": items}
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write the cache (atomically); never fails the load."""
        stale = set(self.files) - self.used
        if not self.dirty and not stale:
            return
        for key in stale:  # files that were removed or not loaded this time
            del self.files[key]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"stamp": self.stamp, "files": self.files}), "utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass
