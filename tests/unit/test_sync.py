"""`quizapp sync FOLDER`: two data folders sharing one folder, studying in turns and at the same
time between syncs, end with every review on both and the same progress."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.cli import main
from quizapp.store import Store
from tests.unit.test_import_merge import _progress

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)


def _sync(home: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["sync", str(folder)])
    return code, out.getvalue(), err.getvalue()


def _study(home: Path, item: str, start: int, n: int, rating: int = 3) -> None:
    home.mkdir(parents=True, exist_ok=True)
    with Store.open(home / "progress.db") as store:
        for i in range(n):
            # Each machine at its own time of day.
            at = T0 + timedelta(days=start + i, hours=len(home.name))
            store.record_review(item, rating, kind="faq", now=at)


def test_interleaved_study_on_two_machines_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, shared = tmp_path / "laptop", tmp_path / "desktop", tmp_path / "Sync"
    shared.mkdir()
    _study(a, "faq-1", 0, 3)
    assert _sync(a, shared, monkeypatch)[0] == 0
    code, out, _ = _sync(b, shared, monkeypatch)
    assert code == 0 and "added 3 of the 3 reviews" in out
    # Both study between syncs, some of it the same card.
    _study(a, "faq-1", 5, 2)
    _study(a, "faq-2", 5, 1, rating=1)
    _study(b, "faq-1", 6, 2, rating=2)
    _study(b, "faq-3", 4, 4)
    for home in (a, b, a):
        code, _, err = _sync(home, shared, monkeypatch)
        assert code == 0 and err == ""
    files = sorted(p.name for p in shared.iterdir())
    assert len(files) == 2 and all(f.endswith(".json") for f in files)
    progress_a, progress_b = _progress(a), _progress(b)
    assert len(progress_a["reviews"]) == 3 + 2 + 1 + 2 + 4
    assert progress_a == progress_b
    # The files in the folder hold it all too, and another sync finds nothing new.
    for f in shared.iterdir():
        assert len(json.loads(f.read_text())["reviews"]) == 12
    code, out, _ = _sync(b, shared, monkeypatch)
    assert code == 0 and out.startswith("merged 0 new reviews from 0 machines")
    assert _progress(b) == progress_b


def test_each_data_folder_keeps_its_own_machine_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, shared = tmp_path / "a", tmp_path / "Sync"
    shared.mkdir()
    _study(a, "faq-1", 0, 1)
    _sync(a, shared, monkeypatch)
    _sync(a, shared, monkeypatch)
    (own,) = shared.iterdir()
    assert own.name == (a / "machine-id").read_text().split()[0] + ".json"


def _with_bs_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shared folder ``tmp_path/Sync`` holding machine b's file (two reviews of faq-1)."""
    shared = tmp_path / "Sync"
    shared.mkdir()
    _study(tmp_path / "b", "faq-1", 0, 2)
    _sync(tmp_path / "b", shared, monkeypatch)
    return shared


def test_a_bad_file_in_the_folder_is_skipped_with_a_line_and_the_rest_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, shared = tmp_path / "a", _with_bs_file(tmp_path, monkeypatch)
    (shared / "notes.json").write_text("{not json")
    code, out, err = _sync(a, shared, monkeypatch)
    assert code == 1
    assert err == f"quizapp: sync: skipped {shared / 'notes.json'}: not a quizapp export: " + (
        "not valid JSON (line 1)\n"
    )
    assert "added 2 of the 2 reviews" in out
    assert len(_progress(a)["reviews"]) == 2


def test_a_missing_folder_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = _sync(tmp_path / "a", tmp_path / "nowhere", monkeypatch)
    assert code == 1 and out == ""
    assert err == f"quizapp: sync: no folder {tmp_path / 'nowhere'}; create it, or give the " + (
        "folder your machines share\n"
    )


@pytest.mark.parametrize("written", [True, False], ids=["file-written", "file-up-to-date"])
def test_a_killed_writes_temporary_file_is_removed_by_a_later_sync_once_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: bool
) -> None:
    """A sync killed while writing (kill -9, a crash) leaves its hidden temporary file in the
    shared folder, as large as the file. A later sync of the same machine removes those an hour
    old, and leaves a younger one (a sync beside it may be writing it), another machine's, and
    whatever a link points at."""
    import os
    import time

    a, shared = tmp_path / "a", tmp_path / "Sync"
    shared.mkdir()
    _study(a, "faq-1", 0, 1)
    assert _sync(a, shared, monkeypatch)[0] == 0
    (me,) = [p.stem for p in shared.glob("*.json")]
    if written:
        _study(a, "faq-2", 1, 1)  # so the next sync writes the file again
    hour = time.time() - 3700
    stale, fresh = shared / f".{me}.json.tmp-dead", shared / f".{me}.json.tmp-live"
    theirs = shared / ".vm-0ther000.json.tmp-dead"
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    link = shared / f".{me}.json.tmp-link"
    link.symlink_to(target)
    for path in (stale, fresh, theirs):
        path.write_text("{half a file")
    for path in (stale, theirs):
        os.utime(path, (hour, hour))
    os.utime(link, (hour, hour), follow_symlinks=False)
    code, out, err = _sync(a, shared, monkeypatch)
    assert code == 0, err
    assert ("wrote 2 reviews" in out) == written
    assert not stale.exists() and not link.is_symlink()
    assert fresh.exists() and theirs.exists() and target.read_text() == "keep me"


def test_a_folder_full_of_other_files_names_ten_and_counts_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder shared with another tool's 300 JSON files printed 300 lines on every sync."""
    a, shared = tmp_path / "a", _with_bs_file(tmp_path, monkeypatch)
    for i in range(25):
        (shared / f"notes-{i:02d}.json").write_text('{"other": "tool"}')
    code, out, err = _sync(a, shared, monkeypatch)
    assert code == 1 and "added 2 of the 2 reviews" in out
    lines = err.splitlines()
    assert len(lines) == 11
    # Valid JSON but not quizapp's: said as a sync folder's problem, with what to do there.
    assert all(
        lines[i]
        == f"quizapp: sync: skipped {shared / f'notes-{i:02d}.json'}: not a quizapp sync file "
        '(no "format": "quizapp-progress"); only quizapp\'s files belong in the sync folder: '
        "move it elsewhere"
        for i in range(10)
    ), lines
    assert lines[10] == (
        f"quizapp: sync: skipped 15 more files in {shared} that cannot be merged; give quizapp "
        "a folder of its own"
    )
