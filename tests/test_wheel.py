"""Build the wheel, install it into a fresh venv and run it from outside the checkout, so a
missing package-data line (the decks) fails here rather than on a learner's machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.open_guard import REPORT_ENV, child_env, guarded_children

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_installed_wheel_finds_its_decks(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w",
         str(dist), str(REPO)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    (wheel,) = dist.glob("quizapp-*.whl")
    if shutil.which("cc") or shutil.which("gcc"):  # the replay's C loop is built into it
        with zipfile.ZipFile(wheel) as zf:
            assert any(
                n.startswith("quizapp/store/native_replay.") and n.endswith(".so")
                for n in zf.namelist()
            ), zf.namelist()
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    # Dependencies come from the test environment (appended after the fresh site-packages, so
    # the wheel's own quizapp wins over the editable checkout).
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    outside = tmp_path / "elsewhere"
    guard = child_env(os.environ[REPORT_ENV])  # the installed command with the open guard
    outside.mkdir()
    result = subprocess.run(
        [str(env_dir / "bin" / "quizapp"), "validate", "--json"],
        cwd=outside,
        capture_output=True,
        text=True,
        env={
            "PATH": "/usr/bin:/bin",
            "QUIZAPP_HOME": str(tmp_path / "home"),
            **guard,
        },
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["errors"] == []
    assert data["counts"]["trap"] >= 9
    # The installed entry point runs with the suite's open guard too (see tests/open_guard.py).
    ticked = subprocess.run(
        [str(env_dir / "bin" / "quizapp"), "checklist", "tick", "1"],
        cwd=outside,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "QUIZAPP_HOME": str(tmp_path / "home"), **guard},
    )
    assert ticked.returncode == 0, ticked.stderr
    assert [str(env_dir / "bin" / "quizapp"), "checklist", "tick", "1"] in guarded_children(
        os.environ[REPORT_ENV]
    )

    def printed(code: str) -> str:
        """What the installed quizapp prints for ``code``, run outside the checkout."""
        done = subprocess.run(
            [str(py), "-c", code], cwd=outside, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    where = printed("import quizapp, quizapp.paths as p; print(p.content_dir())")
    assert where.startswith(site), where
    if shutil.which("cc") or shutil.which("gcc"):  # and the installed one replays in C
        native = printed("from quizapp.store import srs; print(srs.NATIVE.__file__)")
        assert native.startswith(site), native
