"""Shared fixtures. Every test runs with its own empty data folder (QUIZAPP_HOME), and with the
open guard on (tests/open_guard.py): a test fails when this process opens a database file with
a Python file API while it holds an SQLite connection to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import open_guard

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"

open_guard.install()


@pytest.fixture(autouse=True)
def quizapp_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty learner data folder for each test; nothing touches the real one."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    monkeypatch.delenv("QUIZAPP_CONTENT", raising=False)
    return home


@pytest.fixture(autouse=True)
def no_file_api_on_open_databases() -> Iterator[None]:
    """Fail the test if it (or the code it drives, on any thread) opened a database, its -wal,
    -shm or -journal with a Python file API while this process held a connection to it."""
    open_guard.GUARD.take()
    yield
    found = open_guard.GUARD.take()
    if found:
        pytest.fail(
            f"{len(found)} open(s) of a database file with a live SQLite connection in this "
            f"process (POSIX locks are per process; see tests/open_guard.py):\n" + found[0],
            pytrace=False,
        )
