"""The installed `quizapp` command in a real terminal (tmux), driven by keystrokes as a person
would: open, study one card, quit, and find the review in the progress file."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from quizapp.store import Store
from tests.helpers import quizapp_command
from tests.open_guard import REPORT_ENV, child_env

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def _wait_for(session: str, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear on screen; last screen:\n{screen}")


@pytest.mark.slow
def test_study_one_card_in_a_real_terminal(quizapp_home: Path) -> None:
    session = f"quizapp-test-{uuid.uuid4().hex[:8]}"
    guard = " ".join(f"{k}={shlex.quote(v)}" for k, v in child_env(os.environ[REPORT_ENV]).items())
    command = f"env QUIZAPP_HOME={quizapp_home} TERM=xterm-256color {guard} {quizapp_command()}"
    _tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        _wait_for(session, "Go to")
        _wait_for(session, "New today")
        _tmux("send-keys", "-t", session, "s")
        _wait_for(session, "Show answer")
        _tmux("send-keys", "-t", session, "Space")
        _wait_for(session, "Good")
        _tmux("send-keys", "-t", session, "3")
        _wait_for(session, "1 reviewed")
        _tmux("send-keys", "-t", session, "C-q")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            alive = subprocess.run(["tmux", "has-session", "-t", session], capture_output=True)
            if alive.returncode != 0:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("quizapp did not exit on ctrl+q")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    os.environ["QUIZAPP_HOME"] = str(quizapp_home)
    store = Store.open()
    reviews = store.reviews()
    assert len(reviews) == 1 and int(reviews[0].rating) == 3
    store.close()
