# ruff: noqa: E501  (a table of bad files, one line each)
"""Bad input to `import` and `sync`, refused cleanly: one line naming the file and the first bad
field with its position, a non-zero exit, nothing written, no hang, no traceback."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from quizapp.store import Store
from tests.unit.test_import_merge import _import
from tests.unit.test_sync import _sync

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)


def _home_with_reviews(home: Path, n: int = 2) -> dict[str, Any]:
    home.mkdir(parents=True, exist_ok=True)
    with Store.open(home / "progress.db") as store:
        for i in range(n):
            store.record_review(f"faq-{i}", 3, kind="faq", now=T0 + timedelta(hours=i))
        return store.export()


def _unchanged(home: Path) -> int:
    home.mkdir(parents=True, exist_ok=True)
    with Store.open(home / "progress.db") as store:
        return len(store.reviews())


def test_a_device_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _import(tmp_path / "b", Path("/dev/zero"), monkeypatch)
    assert code == 1 and out == ""
    assert err == "quizapp: import: /dev/zero: is a character device, not an export file; " + (
        "nothing was read; nothing was changed\n"
    )


def test_a_fifo_is_refused_without_waiting_for_a_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code, _, err = _import(tmp_path / "b", fifo, monkeypatch)
    assert code == 1 and "is a FIFO (named pipe), not an export file" in err


def test_a_folder_and_a_huge_file_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _import(tmp_path / "b", tmp_path, monkeypatch)
    assert code == 1 and "is a folder, not an export file" in err
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fh:
        fh.truncate(300 * 1024 * 1024)  # sparse: nothing is really written
    code, _, err = _import(tmp_path / "b", huge, monkeypatch)
    assert code == 1 and "more than the 268 MB an export file can be" in err


def test_a_byte_order_mark_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _home_with_reviews(tmp_path / "a")
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode())
    code, out, _ = _import(tmp_path / "b", path, monkeypatch)
    assert code == 0 and "added 2 of the 2 reviews" in out


def test_deeply_nested_json_gets_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    code, _, err = _import(tmp_path / "b", path, monkeypatch)
    assert code == 1 and "JSON nested too deeply" in err and "Traceback" not in err


BAD_FIELDS = [
    ("schema_version", lambda d: d.update(schema_version="4"), "schema_version: '4' is not a format version"),
    ("schema_version", lambda d: d.update(schema_version=0), "schema_version: 0 is not a format version"),
    ("schema_version", lambda d: d.pop("schema_version"), "schema_version: None is not a format version"),
    ("rating", lambda d: d["reviews"][1].update(rating="great"), "reviews[1].rating: 'great' is not one of"),
    ("time", lambda d: d["reviews"][0].update(reviewed_at="yesterday"), "reviews[0].reviewed_at: 'yesterday' is not a date and time"),
    ("year", lambda d: d["reviews"][0].update(reviewed_at="0001-01-01T00:00:00"), "reviews[0].reviewed_at: 0001-01-01T00:00:00 is outside 2000-2199"),
    ("duration", lambda d: d["reviews"][1].update(duration_ms=-5), "reviews[1].duration_ms: -5 is not a whole number"),
    ("seed", lambda d: d["reviews"][1].update(seed=2**70), "reviews[1].seed: 1180591620717411303424 is not a whole number"),
    ("item", lambda d: d["reviews"][0].update(item_id=""), "reviews[0].item_id: '' is not an item id"),
    ("kind", lambda d: d["reviews"][0].update(kind=5), "reviews[0].kind: expected a text"),
    ("uuid", lambda d: d["reviews"][1].update(uuid=d["reviews"][0]["uuid"]), "reviews[1].uuid: "),
    ("uuid-list", lambda d: d["reviews"][1].update(uuid=[1]), "reviews[1].uuid: [1] is not a uuid"),
    ("uuid-object", lambda d: d["reviews"][0].update(uuid={"a": 1}), "reviews[0].uuid: {'a': 1} is not a uuid"),
    ("rating-list", lambda d: d["reviews"][1].update(rating=["good"]), "reviews[1].rating: ['good'] is not one of"),
    ("item-list", lambda d: d["reviews"][1].update(item_id=["x"]), "reviews[1].item_id: ['x'] is not an item id"),
    ("register", lambda d: d["registers"].append({"key": "setting:new_per_day", "value": -3, "stamp": "1796597737993.00000.x"}), "is not a valid new_per_day"),
    ("stamp", lambda d: d["registers"].append({"key": "tick:3", "value": None, "stamp": "tomorrow"}), ".stamp: 'tomorrow' is not a stamp"),
    ("machine", lambda d: d.update(machine="../../etc"), "machine: '../../etc' is not a machine id"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "spoil", "message"), BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
def test_every_field_is_checked_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, spoil: Any, message: str
) -> None:
    data = _home_with_reviews(tmp_path / "a")
    spoil(data)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data))
    code, out, err = _import(tmp_path / "b", path, monkeypatch)
    assert code == 1 and out == ""
    assert err.startswith(f"quizapp: import: {path}: ") and message in err, err
    assert err.count("\n") == 1 and err.endswith("; nothing was changed\n")
    assert _unchanged(tmp_path / "b") == 0


def test_a_uuid_already_here_for_another_review_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = _home_with_reviews(tmp_path / "b", 1)
    data = _home_with_reviews(tmp_path / "a", 2)
    data["reviews"][1]["uuid"] = mine["reviews"][0]["uuid"]
    path = tmp_path / "collide.json"
    path.write_text(json.dumps(data))
    code, out, _ = _import(tmp_path / "b", path, monkeypatch)
    assert code == 0
    assert f"its uuid {mine['reviews'][0]['uuid']} is already here for another review" in out


def test_odd_files_in_the_sync_folder_are_skipped_and_the_rest_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "Sync"
    shared.mkdir()
    _home_with_reviews(tmp_path / "b")
    assert _sync(tmp_path / "b", shared, monkeypatch)[0] == 0
    os.mkfifo(shared / "fifo.json")
    (shared / "zero.json").symlink_to("/dev/zero")
    code, out, err = _sync(tmp_path / "a", shared, monkeypatch)
    assert code == 1
    assert "added 2 of the 2 reviews" in out
    lines = err.splitlines()
    assert len(lines) == 2
    assert "fifo.json: is a FIFO (named pipe)" in lines[0]
    assert "zero.json: a link, not a file; links are not followed here" in lines[1]


def test_a_sync_that_cannot_write_says_what_it_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "Sync"
    shared.mkdir()
    _home_with_reviews(tmp_path / "b")
    _sync(tmp_path / "b", shared, monkeypatch)
    (tmp_path / "a").mkdir()
    with Store.open(tmp_path / "a" / "progress.db") as store:
        me = store.machine
    (shared / f"{me}.json").mkdir()  # something in the way of this machine's file
    code, out, err = _sync(tmp_path / "a", shared, monkeypatch)
    assert code == 1
    assert "added 2 of the 2 reviews" in out
    assert "merged 2 new reviews from 1 machine (saved in your progress), but cannot write" in err
    assert _unchanged(tmp_path / "a") == 2


def test_a_link_planted_as_this_machines_file_is_replaced_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "Sync"
    shared.mkdir()
    _home_with_reviews(tmp_path / "a")
    with Store.open(tmp_path / "a" / "progress.db") as store:
        me = store.machine
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (shared / f"{me}.json").symlink_to(victim)
    assert _sync(tmp_path / "a", shared, monkeypatch)[0] == 0
    assert victim.read_text() == "keep me"
    own = shared / f"{me}.json"
    assert not own.is_symlink() and json.loads(own.read_text())["machine"] == me
    assert [p.name for p in shared.iterdir() if p.name.startswith(".")] == []
