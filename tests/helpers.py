"""Helpers for tests that drive the installed `quizapp` command as a learner would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def quizapp_command() -> str:
    """The installed console script next to this interpreter."""
    path = BIN / "quizapp"
    assert path.exists(), f"quizapp is not installed in {BIN}; run 'make install-test'"
    return str(path)


def run_quizapp(
    *args: str,
    input: str | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [quizapp_command(), *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
    )
