"""A file merged whole is not read again (its digest is recorded in the store), and that never
changes what an import or a sync does: a file changed in place (same size, same modification
time) is merged, a review undone since comes back as it always did, a restored store reads the
file again, and a file with reviews held back is read again until they merge."""

from __future__ import annotations

import io
import json
import os
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from quizapp.cli import main
from quizapp.interop.merge import merge_file
from quizapp.store import Store

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)


def _store(folder: Path) -> Store:
    folder.mkdir(parents=True, exist_ok=True)
    return Store.open(folder / "progress.db")


def _import(home: Path, file: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["import", str(file)])
    assert code == 0 and err.getvalue() == ""
    return out.getvalue()


def _uuids(home: Path) -> set[str]:
    with _store(home) as s:
        return {r.uuid for r in s.reviews()}


def _other_machine(tmp_path: Path, reviews: int = 4) -> tuple[Path, dict[str, Any]]:
    """Another machine's export: ``reviews`` reviews of one card, a day apart."""
    with _store(tmp_path / "other") as s:
        for day in range(reviews):
            s.record_review("faq-x", 3, kind="faq", now=T0 + timedelta(days=day))
        data = s.export()
    path = tmp_path / "other.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path, data


def test_a_file_changed_in_place_with_the_same_size_and_time_is_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, data = _other_machine(tmp_path)
    home = tmp_path / "me"
    assert "added 4 of the 4 reviews" in _import(home, path, monkeypatch)
    assert _import(home, path, monkeypatch).startswith(f"nothing new in {path}")
    # The other machine's tool rewrites the file: one review gets a new uuid and another
    # second; the bytes differ, the size and the modification time do not.
    info = path.stat()
    review = data["reviews"][-1]
    old_uuid, old_at = review["uuid"], review["reviewed_at"]
    review["uuid"] = ("0" if old_uuid[0] != "0" else "1") + old_uuid[1:]
    review["reviewed_at"] = old_at[:18] + ("7" if old_at[18] != "7" else "8") + old_at[19:]
    path.write_text(json.dumps(data), encoding="utf-8")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns
    assert "added 1 of the 4 reviews" in _import(home, path, monkeypatch)
    assert review["uuid"] in _uuids(home) and old_uuid in _uuids(home)


def test_a_review_undone_after_a_merge_comes_back_with_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "me"
    with _store(home) as mine:
        mine.record_review("faq-y", 3, kind="faq", now=T0)
        path = tmp_path / "mine.json"
        path.write_text(json.dumps(mine.export()), encoding="utf-8")
        # A sync folder holds this machine's review in another machine's file: merged whole.
        assert _import(home, path, monkeypatch).startswith(f"nothing new in {path}")
        undone = mine.undo_last_review()
        assert undone is not None and undone.uuid not in _uuids(home)
    # The file still holds it: merging it again brings it back, as it did before the record.
    assert "added 1 of the 1 review in" in _import(home, path, monkeypatch)
    assert undone.uuid in _uuids(home)


def test_a_store_restored_from_before_the_merge_reads_the_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = _other_machine(tmp_path)
    home = tmp_path / "me"
    with _store(home) as s:
        s.record_review("faq-z", 2, kind="faq", now=T0)
        backup = s.backup("manual")
    assert "added 4 of the 4 reviews" in _import(home, path, monkeypatch)
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert main(["restore", backup.name]) == 0
    assert len(_uuids(home)) == 1
    assert "added 4 of the 4 reviews" in _import(home, path, monkeypatch)
    assert len(_uuids(home)) == 5


def test_a_file_with_reviews_held_back_is_read_again_until_they_merge(tmp_path: Path) -> None:
    path, _ = _other_machine(tmp_path, reviews=3)  # T0, T0 + 1 day, T0 + 2 days
    with _store(tmp_path / "me") as s:
        early = merge_file(s, path, now=T0)  # this clock is two days behind the other one
        assert len(early.reviews) == 2 and len(early.held_back) == 1
        again = merge_file(s, path, now=T0 + timedelta(hours=1))
        assert again.reviews == [] and len(again.held_back) == 1
        later = merge_file(s, path, now=T0 + timedelta(days=2))
        assert len(later.reviews) == 1 and later.held_back == []
        assert len(s.reviews()) == 3
        done = merge_file(s, path, now=T0 + timedelta(days=3))
        assert done.empty and done.describe(done=True) == [
            f"nothing new in {path}: this store already has all of its 3 reviews"
        ]
