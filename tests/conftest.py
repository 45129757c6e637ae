"""Shared fixtures. Every test runs with its own empty data folder (QUIZAPP_HOME), and with the
open guard on (tests/open_guard.py): a test fails when this process, or any Python process it
starts (the `quizapp` command, `quizapp serve`, a `python -c`), opens a database file with a
Python file API while that process holds an SQLite connection to it."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from quizapp.decks import Library
from tests import open_guard, shipped

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"

open_guard.install()
# Children started outside a test (a session fixture) report here; each test has its own folder.
_SESSION_REPORTS = tempfile.mkdtemp(prefix="quizapp-guard-")
os.environ.update(open_guard.child_env(_SESSION_REPORTS))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``slow`` run first (otherwise in their usual order): with xdist's work
    stealing (pyproject's addopts), the last minute is then short tests on both workers, not
    one worker finishing a long test while the other idles."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    found = open_guard.child_violations(_SESSION_REPORTS)
    if found:
        print(f"\n{len(found)} open(s) of a database file in a child started outside a test:")
        print(found[0])
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def shipped_and_cache() -> tuple[Library, Path]:
    """The shipped decks, loaded cold once per test process, and the deck cache that load
    wrote (tests/shipped.py)."""
    return shipped.shipped_and_cache()


def _put_deck_cache(cache: Path, home: Path) -> None:
    (home / "cache").mkdir(parents=True, exist_ok=True)
    # A copy, never a link: a test may damage its own cache file on purpose.
    shutil.copyfile(cache, home / "cache" / "decks.json")


@pytest.fixture
def seed_deck_cache(shipped_and_cache: tuple[Library, Path]) -> Callable[[Path], Path]:
    """Give another data folder (a small disk's, a second machine's) the shipped decks' cache,
    as every test's own folder has it; returns the folder."""

    def seed(home: Path) -> Path:
        _put_deck_cache(shipped_and_cache[1], home)
        return home

    return seed


@pytest.fixture(autouse=True)
def quizapp_home(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A fresh learner data folder for each test; nothing touches the real one. It holds only
    the deck cache of the shipped decks, as after the learner's first start, so each `quizapp`
    command a test runs does not parse and check every card again (~3 s a cold start; the
    checks themselves are tested by `quizapp validate`, which never reads the cache). A test
    marked ``cold_decks`` gets an empty folder."""
    home = tmp_path_factory.mktemp("home")
    if request.node.get_closest_marker("cold_decks") is None:
        _put_deck_cache(request.getfixturevalue("shipped_and_cache")[1], home)
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    monkeypatch.delenv("QUIZAPP_CONTENT", raising=False)
    return home


@pytest.fixture(autouse=True)
def no_file_api_on_open_databases(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Fail the test if it (or the code it drives, on any thread, or any Python process it
    started) opened a database, its -wal, -shm or -journal with a Python file API while that
    process held a connection to it."""
    reports = tmp_path_factory.mktemp("guard")
    for name, value in open_guard.child_env(reports).items():
        monkeypatch.setenv(name, value)
    open_guard.GUARD.take()
    yield
    found = open_guard.GUARD.take()
    if found:
        pytest.fail(
            f"{len(found)} open(s) of a database file with a live SQLite connection in this "
            f"process (POSIX locks are per process; see tests/open_guard.py):\n" + found[0],
            pytrace=False,
        )
    found = open_guard.child_violations(reports)
    if found:
        pytest.fail(
            f"{len(found)} open(s) of a database file with a live SQLite connection in a child "
            f"process this test started (see tests/open_guard.py):\n" + found[0],
            pytrace=False,
        )
