"""``quizapp export -o FILE`` on a disk that fills up: the export written before is left whole
(a new file is renamed over it only once complete), and the command says so in one line."""

from __future__ import annotations

from pathlib import Path

import fsrs
import pytest

from quizapp.cli import main
from quizapp.store import Store
from tests.unit.test_store_fault_injection import _fill, small_disk  # noqa: F401


def _study(home: Path, n: int, start: int = 0) -> None:
    with Store.open(home / "progress.db") as store:
        for i in range(start, start + n):
            store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq", answer="a" * 300)


def test_an_export_that_fills_the_disk_leaves_the_earlier_export_whole(
    small_disk: Path,  # noqa: F811
    quizapp_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _study(quizapp_home, 200)
    target = small_disk / "progress.json"
    assert main(["export", "-o", str(target)]) == 0
    before = target.read_bytes()
    _study(quizapp_home, 200, start=200)  # the next export is larger than the room left
    _fill(small_disk)
    capsys.readouterr()
    assert main(["export", "-o", str(target)]) == 1
    assert target.read_bytes() == before  # the earlier export, whole
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "No space left on device" in err[0], err
    assert "left as it was" in err[0]
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "progress.json"]
