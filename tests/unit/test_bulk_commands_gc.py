"""Import, sync and export (a whole history each) run with Python's cyclic garbage collector off,
and turn it back on however they end: ``main`` also runs in-process (tests, the app's own
calls), where a collector left off would let cyclic garbage pile up."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import fsrs
import pytest

from quizapp.cli import main
from quizapp.interop import merge
from quizapp.store import Store


def test_bulk_commands_run_without_the_collector_and_turn_it_back_on(
    quizapp_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store.open(quizapp_home / "progress.db") as store:
        store.record_review("mse-vs-mae", fsrs.Rating.Good, kind="faq")
    seen: list[bool] = []  # whether the collector ran while a file's fields were checked
    checked_progress = merge.checked_progress

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(gc.isenabled())
        return checked_progress(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(merge, "checked_progress", spy)
    gc.enable()  # (whatever a test before this one left)
    assert main(["export", "-o", str(tmp_path / "e.json")]) == 0
    assert gc.isenabled()
    assert main(["import", str(tmp_path / "e.json")]) == 0
    assert seen == [False] and gc.isenabled()
    assert main(["import", str(tmp_path / "missing.json")]) == 1  # a failed command too
    assert seen == [False] and gc.isenabled()
    (tmp_path / "shared").mkdir()
    other = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    other["machine"] = "other-machine"  # other bytes: read and checked, not known by digest
    (tmp_path / "shared" / "other.json").write_text(json.dumps(other), encoding="utf-8")
    assert main(["sync", str(tmp_path / "shared")]) == 0
    assert seen == [False, False] and gc.isenabled()
    assert main(["stats", "--json"]) == 0  # not a bulk command: the collector is left alone
    assert gc.isenabled()
