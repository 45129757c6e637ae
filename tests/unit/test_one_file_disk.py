"""A disk that is (almost) full at open, a -shm nobody may write: exit codes and messages as the
README says, never a crash. Both need root (a small tmpfs, chattr +i) and are skipped without."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run_quizapp


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int) -> None:
    (disk / "fill").unlink(missing_ok=True)
    st = os.statvfs(disk)
    size = st.f_bavail * st.f_frsize - leave
    with open(disk / "fill", "wb") as fh:  # a file of the test's own, not a database
        fh.write(b"\0" * max(size, 0))


@pytest.mark.parametrize("free_kib", [28, 12, 0])
def test_a_full_disk_at_open_is_exit_10_with_the_disk_is_full(
    small_disk: Path, free_kib: int, seed_deck_cache
) -> None:
    env = {"QUIZAPP_HOME": str(seed_deck_cache(small_disk / "q"))}
    assert run_quizapp("checklist", "tick", "2", env=env).returncode == 0
    shutil.rmtree(small_disk / "q" / "backups")
    _fill(small_disk, free_kib * 1024)
    done = run_quizapp("checklist", "tick", "1", env=env)
    assert done.returncode == 10, done.stderr
    assert "the disk is full" in done.stderr and "Traceback" not in done.stderr
    (small_disk / "fill").unlink()
    assert run_quizapp("checklist", "tick", "1", env=env).returncode == 0  # nothing was harmed
    shown = json.loads(run_quizapp("checklist", "--json", env=env).stdout)
    assert {item["number"] for item in shown if item["ticked"]} == {1, 2}


def test_an_immutable_shm_is_said_plainly(tmp_path: Path, seed_deck_cache) -> None:
    if shutil.which("chattr") is None or os.geteuid() != 0:
        pytest.skip("needs chattr and root")
    home = seed_deck_cache(tmp_path / "q")
    env = {"QUIZAPP_HOME": str(home)}
    assert run_quizapp("checklist", "tick", "2", env=env).returncode == 0
    shm = home / "progress.db-shm"
    shm.write_bytes(os.urandom(8192))  # no connection is open: quizapp has exited
    if subprocess.run(["chattr", "+i", str(shm)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable flag")
    try:
        done = run_quizapp("checklist", "tick", "1", env=env)
        assert done.returncode == 11, (done.returncode, done.stderr)
        assert "progress.db-shm cannot be written" in done.stderr
        assert done.returncode > 0 and "Traceback" not in done.stderr  # never SIGBUS (-7)
    finally:
        subprocess.run(["chattr", "-i", str(shm)], check=False)
