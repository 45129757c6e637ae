"""The backup before a merge of a large file is taken by another process while the file is
read and checked (``backups.PendingBackup``): the learner gets the same backup, of the progress
just before the merge, and the same refusal when it cannot be written; a merge that changes
nothing, or a file that cannot be merged, leaves no backup behind. Real SQLite files, the real
worker process; ``EARLY_BYTES`` is set to 0 so a small store takes the early path."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.cli import main
from quizapp.store import Store, backups

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)


def _run(home: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(out), redirect_stderr(err):
        mp.setenv("QUIZAPP_HOME", str(home))
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def _home(root: Path, name: str, item: str, reviews: int) -> Path:
    home = root / name
    home.mkdir()
    with Store.open(home / "progress.db") as store:
        for day in range(reviews):
            store.record_review(item, 3, kind="faq", now=T0 + timedelta(days=day))
    return home


def _export(home: Path, path: Path) -> Path:
    with Store.open(home / "progress.db") as store:
        path.write_text(json.dumps(store.export()), encoding="utf-8")
    return path


def _reviews_in(db: Path) -> int:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM reviews").fetchone()[0])
    finally:
        conn.close()


def _backups(home: Path, reason: str) -> list[Path]:
    return sorted((home / "backups").glob(f"*-{reason}.db"))


def _leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "backups").glob("*") if not p.name.endswith(".db"))


@pytest.fixture
def early(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every store is large enough for the early backup, and this process never takes a
    merge's backup itself (the worker, another process, does)."""
    monkeypatch.setattr(backups, "EARLY_BYTES", 0)
    take = backups.take_backup

    def not_here(conn: sqlite3.Connection, folder: Path, reason: str) -> Path:
        if reason.startswith("pre-"):
            raise AssertionError("the backup was taken in this process, not by the worker")
        return take(conn, folder, reason)  # the session backup when a store closes

    monkeypatch.setattr(backups, "take_backup", not_here)


def test_a_large_import_is_backed_up_by_another_process_before_the_merge(
    tmp_path: Path, early: None
) -> None:
    home = _home(tmp_path, "home", "faq-a", 3)
    theirs = _export(_home(tmp_path, "other", "faq-b", 2), tmp_path / "theirs.json")
    code, out, err = _run(home, "import", str(theirs))
    assert code == 0, err
    assert "added 2 of the 2 reviews" in out
    (backup,) = _backups(home, "pre-import")
    assert _reviews_in(backup) == 3  # the progress just before the merge
    with Store.open(home / "progress.db") as store:
        assert len(store.export()["reviews"]) == 5
    assert _leftovers(home) == []


def test_a_parsed_file_with_nothing_new_leaves_no_backup_behind(
    tmp_path: Path, early: None
) -> None:
    home = _home(tmp_path, "home", "faq-a", 3)
    mine = _export(home, tmp_path / "mine.json")  # bytes never merged here: parsed
    code, out, err = _run(home, "import", str(mine))
    assert code == 0, err
    assert "nothing new in" in out
    assert _backups(home, "pre-import") == []
    assert _leftovers(home) == []


def test_a_file_that_cannot_be_merged_leaves_no_backup_behind(tmp_path: Path, early: None) -> None:
    home = _home(tmp_path, "home", "faq-a", 3)
    bad = _export(_home(tmp_path, "other", "faq-b", 2), tmp_path / "bad.json")
    data = json.loads(bad.read_text())
    data["reviews"][1]["rating"] = 9
    bad.write_text(json.dumps(data))
    code, _out, err = _run(home, "import", str(bad))
    assert code != 0
    assert "reviews[1].rating" in err and "nothing was changed" in err
    assert _backups(home, "pre-import") == []
    assert _leftovers(home) == []
    assert _reviews_in(home / "progress.db") == 3


def test_a_backup_that_cannot_be_written_refuses_the_import_as_one_taken_here_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = _export(_home(tmp_path, "other", "faq-b", 2), tmp_path / "theirs.json")
    said = []
    for name, early_bytes in (("early", 0), ("here", 10**12)):
        home = _home(tmp_path, name, "faq-a", 3)
        shutil.rmtree(home / "backups", ignore_errors=True)
        (home / "backups").write_text("a file where the backups folder goes")
        monkeypatch.setattr(backups, "EARLY_BYTES", early_bytes)
        code, out, err = _run(home, "import", str(theirs))
        assert out == ""
        assert _reviews_in(home / "progress.db") == 3  # nothing was changed
        said.append((code, err.replace(str(home), "HOME")))
    assert said[0] == said[1]
    code, err = said[0]
    assert code != 0 and "cannot write a backup in HOME/backups" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_worker_that_dies_without_a_word_is_replaced_by_a_backup_taken_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backups, "EARLY_BYTES", 0)
    monkeypatch.setattr(backups, "worker_command", lambda *_a: [sys.executable, "-c", "pass"])
    home = _home(tmp_path, "home", "faq-a", 3)
    theirs = _export(_home(tmp_path, "other", "faq-b", 2), tmp_path / "theirs.json")
    code, _out, err = _run(home, "import", str(theirs))
    assert code == 0, err
    (backup,) = _backups(home, "pre-import")
    assert _reviews_in(backup) == 3


def test_a_large_sync_is_backed_up_by_another_process_only_when_it_changes_something(
    tmp_path: Path, early: None
) -> None:
    shared = tmp_path / "Sync"
    shared.mkdir()
    other = _home(tmp_path, "other", "faq-b", 2)
    code, _out, err = _run(other, "sync", str(shared))
    assert code == 0, err
    home = _home(tmp_path, "home", "faq-a", 3)
    code, out, err = _run(home, "sync", str(shared))
    assert code == 0, err
    assert "added 2 of the 2 reviews" in out
    (backup,) = _backups(home, "pre-sync")
    assert _reviews_in(backup) == 3
    # The other machine studies; this one syncs twice: a new backup (only the newest pre-sync
    # backup is kept), then none.
    with Store.open(other / "progress.db") as store:
        store.record_review("faq-c", 4, kind="faq", now=T0)
    assert _run(other, "sync", str(shared))[0] == 0
    assert _run(home, "sync", str(shared))[0] == 0
    (second,) = _backups(home, "pre-sync")
    assert second != backup and _reviews_in(second) == 5
    assert _run(home, "sync", str(shared))[0] == 0
    assert _backups(home, "pre-sync") == [second]
    assert _leftovers(home) == []
