"""The open guard (tests/open_guard.py) catches what it is there for, and only that."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.store import Store
from tests.conftest import REPO
from tests.helpers import run_quizapp
from tests.open_guard import (
    GUARD_SITE,
    REPORT_ENV,
    child_violations,
    expect_child_violation,
    expect_violation,
    guarded_children,
)


def test_reading_the_file_of_an_open_store_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.set_ticked(1, True)
        with expect_violation() as seen:
            path.read_bytes()
        assert len(seen) == 1 and "progress.db" in seen[0]
        with expect_violation() as seen:
            os.close(os.open(f"{path}-wal", os.O_RDONLY))
            shutil.copyfile(f"{path}-shm", tmp_path / "copy")
        assert len(seen) == 2


def test_a_plain_sqlite_connection_counts_and_a_closed_one_does_not(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(f"file:{path}?mode=rwc", uri=True)
    conn.execute("CREATE TABLE t (x)")
    with expect_violation() as seen, open(path, "rb") as fh:
        fh.read(16)
    assert len(seen) == 1
    conn.close()
    with expect_violation() as seen:
        path.read_bytes()  # nobody holds it now: fine
        (tmp_path / "unrelated.txt").write_text("x")
    assert seen == []


def test_a_file_read_before_the_first_connection_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    Store.open(path).close()
    with expect_violation() as seen:
        header = path.read_bytes()[:16]
        with Store.open(path) as store:
            store.set_ticked(2, True)
    assert header == b"SQLite format 3\x00" and seen == []


# A `quizapp stats` whose store, once open, reads its own file with a Python file API: the
# mistake the guard is there for, made in a child process (the real CLI, one function wrapped).
PEEKING_STATS = """
import sys
from quizapp.cli import main
from quizapp.store import Store

real_open = Store.open.__func__

def open_and_peek(cls, *args, **kwargs):
    store = real_open(cls, *args, **kwargs)
    store.path.read_bytes()  # the mistake
    return store

Store.open = classmethod(open_and_peek)
sys.exit(main(["stats", "--json"]))
"""


def test_a_child_reading_its_own_open_database_is_reported(quizapp_home: Path) -> None:
    with expect_child_violation() as seen:
        done = subprocess.run(
            [sys.executable, "-c", PEEKING_STATS], capture_output=True, text=True, timeout=300
        )
    assert done.returncode == 0, done.stderr  # the guard reports; it does not change the child
    assert len(seen) >= 1, "the child's open was not reported"
    assert str(quizapp_home / "progress.db") in seen[0]
    assert "open_and_peek" in seen[0] and "read_bytes" in seen[0]  # its stack


def test_the_installed_command_runs_with_the_guard() -> None:
    done = run_quizapp("checklist", "tick", "1", timeout=300)  # a bound for a busy machine
    assert done.returncode == 0, done.stderr
    folder = os.environ[REPORT_ENV]
    argvs = guarded_children(folder)
    assert any(a[0].endswith("quizapp") and a[1:] == ["checklist", "tick", "1"] for a in argvs)
    assert child_violations(folder) == []


INNER_TEST = f"""
import subprocess, sys
PEEKING_STATS = {PEEKING_STATS!r}

def test_a_command_that_peeks():
    done = subprocess.run([sys.executable, "-c", PEEKING_STATS], capture_output=True, timeout=300)
    assert done.returncode == 0
"""


@pytest.mark.slow
def test_a_test_whose_child_breaks_the_rule_fails(tmp_path: Path) -> None:
    # The suite's own fixture (tests/conftest.py, loaded as a plugin) in an inner pytest run.
    (tmp_path / "test_inner.py").write_text(INNER_TEST, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([GUARD_SITE, str(REPO)])}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / "test_inner.py")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    # Found at the test's teardown: pytest names it an error of that test.
    assert "ERROR test_inner.py::test_a_command_that_peeks" in done.stdout
    assert "in a child process this test started" in done.stdout
    assert "progress.db' opened with a Python file API" in done.stdout
    assert "open_and_peek" in done.stdout
