"""Run one ``quizapp`` command with a wall-clock timer around each step of an import or a sync,
for ``benchmarks/sync.py --steps``: where a 100k-review merge spends its time.

    .venv/bin/python benchmarks/tools/sync_steps.py OUT.json import FILE
    .venv/bin/python benchmarks/tools/sync_steps.py OUT.json sync FOLDER

Writes ``{step: seconds}`` to OUT.json (each step's time includes the steps nested in it, as
``STEPS`` lists them). Wall time, not a profiler's: cProfile's cost per call makes code of many
small calls (a check per review) look several times slower than it is.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from typing import Any

START = time.perf_counter()

# (module, function, step name), in the order the steps run: the names are indented as the calls
# nest (the time of a step includes the steps indented under it).
STEPS = [
    ("quizapp.interop.merge", "plan_file", "plan the file"),
    ("quizapp.interop.merge", "read_bytes", "  read the bytes"),
    ("quizapp.interop.merge", "known_reviews", "  read the store's reviews (uuid, item, time)"),
    ("quizapp.interop.merge", "checked_progress", "  parse and check the file"),
    # the fast reader (msgspec for the reviews, a column at a time), which takes any export ...
    ("quizapp.interop.progress_fast", "parse_fast", "    parse the JSON (fast reader)"),
    ("quizapp.interop.progress_fast", "check_fast", "    check every field (fast reader)"),
    # ... and the old way, for a file it did not take
    ("quizapp.interop.merge", "parse_json", "    parse the JSON (a file the fast reader left)"),
    ("quizapp.interop.merge", "check_progress", "    check every field (a file it left)"),
    ("quizapp.interop.merge", "plan_merge", "  plan (new, held back, collisions)"),
    # (for a large store taken by another process while the file is read: the wait for it)
    ("quizapp.store.backups", "PendingBackup.take", "pre-import backup (copy, check)"),
    ("quizapp.interop.merge", "apply_merge", "merge (one transaction, commit)"),
    ("quizapp.store.replica", "write_merge", "  write"),
    ("quizapp.store.ops", "recompute", "    derive the touched cards"),
    ("quizapp.store.ops", "_log", "      read and sort their logs"),
    ("quizapp.store.srs", "replay_rows", "      FSRS replay (its card rows)"),
    ("quizapp.interop.sync", "_write_own", "write this machine's file"),
    ("quizapp.store.replica", "export_fingerprint", "  fingerprint"),
    ("quizapp.store.progress_export", "export", "  export (rows as JSON)"),
]


def _timed(step: str, fn: Callable[..., Any], spent: dict[str, float]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        began = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[step] = spent.get(step, 0.0) + time.perf_counter() - began

    return run


def main() -> int:
    import importlib

    out, args = sys.argv[1], sys.argv[2:]
    spent: dict[str, float] = {}
    for module, name, step in STEPS:
        owner: Any = importlib.import_module(module)
        *classes, name = name.split(".")  # a method: "Class.method"
        for cls in classes:
            owner = getattr(owner, cls)
        setattr(owner, name, _timed(step, getattr(owner, name), spent))
    from quizapp.cli import main as quizapp

    try:
        code = quizapp(args)
    finally:
        whole = time.perf_counter() - START
        ordered = {"the whole command (from the interpreter's start)": whole}
        ordered.update((step, spent[step]) for _, _, step in STEPS if step in spent)
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(ordered, fh)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
