"""A progress file found damaged is moved aside and the newest good backup restored: what the
damaged file still holds beyond that backup (answers, ticks) is merged back, not lost with the
pages that broke."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.cli import main

# Random bytes over one page of a file, from another process.
_SCRIBBLE = """
import os, sys
path, page, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "r+b") as fh:
    fh.seek((page - 1) * size)
    fh.write(os.urandom(size))
"""


# A session killed before its session backup: 300 answers and a tick after the last backup, in
# the file itself (checkpointed), not in any backup.
_KILLED = """
import os, sys
from pathlib import Path
from quizapp.store import Store
store = Store.open(Path(sys.argv[1]))
for i in range(5):
    store.record_review(f"old-{i}", 3, kind="faq")
store.backup("manual")
for i in range(300):
    store.record_review(f"new-{i}", 2, kind="faq", answer="v" * 100)
store.set_ticked(4, True)
store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
os._exit(0)
"""


def _pages_of(path: Path, name: str) -> tuple[list[int], int]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        pages = [p for (p,) in conn.execute("SELECT pageno FROM dbstat WHERE name = ?", (name,))]
        return pages, conn.execute("PRAGMA page_size").fetchone()[0]


@pytest.mark.parametrize("index", ["reviews_time", "reviews_item"])
def test_answers_a_damaged_file_still_holds_beyond_the_backup_are_merged_back(
    quizapp_home: Path, capsys: pytest.CaptureFixture[str], index: str
) -> None:
    path = quizapp_home / "progress.db"
    subprocess.run([sys.executable, "-c", _KILLED, str(path)], check=True)
    pages, size = _pages_of(path, index)
    page = pages[len(pages) // 2]
    subprocess.run([sys.executable, "-c", _SCRIBBLE, str(path), str(page), str(size)], check=True)
    assert main(["stats", "--json"]) == 0
    out = capsys.readouterr()
    assert "was damaged" in out.err and "restored backup" in out.err
    assert "merged back: 300 reviews, 1 setting, tick or card flag change" in out.err
    assert json.loads(out.out)["reviews_total"] == 305
    assert main(["checklist", "--json"]) == 0
    ticked = [i["number"] for i in json.loads(capsys.readouterr().out) if i["ticked"]]
    assert ticked == [4]
