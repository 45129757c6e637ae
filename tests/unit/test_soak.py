"""The soak (benchmarks/soak.py), short: the real app rating cards under Pilot while `quizapp`
commands tick, change settings, import, sync with a folder of other machines' files and back
up against the same file, a `quizapp serve` tab studies over its websocket (another app
process), and commands and the tab's app are killed with kill -9. Nothing acknowledged may be
lost or doubled, the file stays sound, nothing is moved aside, the app's -wal is never deleted
while it is open, and no child opens the file with a Python file API while connected (each
runs with the open guard, which fails this test through tests/conftest.py)."""

from __future__ import annotations

import asyncio
import importlib.util
import os
import sys
from pathlib import Path

import pytest

from tests import open_guard
from tests.conftest import REPO


def _soak_module():  # benchmarks/ is not a package
    spec = importlib.util.spec_from_file_location("soak", REPO / "benchmarks" / "soak.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_many_processes_one_file_nothing_lost(quizapp_home: Path) -> None:
    soak = _soak_module()
    # 30 s, longer (up to 55 s) only while a participant has not had a write acknowledged.
    report = asyncio.run(soak.soak(30, quizapp_home / "soak", seed=3, longest=55))
    print(report.line())
    # On a loaded two-core machine a handful of each is what 30 s allow.
    assert report.writes >= 10 and report.app_reviews >= 1 and report.commands >= 10
    assert report.syncs >= 1 and report.serve_reviews >= 1
    assert report.kills >= 1
    assert report.failed_commands == []
    assert report.lost == 0 and report.duplicated == 0 and report.half_imports == 0
    assert report.wrong_state == []
    assert report.integrity == "ok" and report.moved_aside == []
    assert report.wal_gone == 0
    # The guard was on in the children: the commands, and the app process of the served tab.
    argvs = open_guard.guarded_children(os.environ[open_guard.REPORT_ENV])
    assert any(a[1:2] == ["sync"] for a in argvs)
    assert any(a[0].endswith(os.path.join("quizapp", "__main__.py")) for a in argvs)
