"""The installed `quizapp` in a real terminal (its own tmux server): Browse's `e` with an
$EDITOR that is not installed gives the terminal back to the app."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.helpers import quizapp_command
from tests.open_guard import REPORT_ENV, child_env

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


def _screen(server: str) -> str:
    done = subprocess.run(
        ["tmux", "-L", server, "capture-pane", "-p", "-t", "app"], capture_output=True, text=True
    )
    return done.stdout


def _wait_for(server: str, text: str, limit: float = 30) -> str:
    """Poll the terminal until ``text`` shows (a failure bound, not a wait for time)."""
    deadline = time.monotonic() + limit
    screen = ""
    while time.monotonic() < deadline:
        screen = _screen(server)
        if any(text in " ".join(row.split()) for row in screen.splitlines()):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear on screen; last screen:\n{screen}")


@pytest.mark.slow
def test_a_missing_editor_gives_the_terminal_back(quizapp_home: Path) -> None:
    """EDITOR=no-such-editor-x, Browse, e: the app handed the terminal to the editor, the
    editor could not start, and the screen stayed blank, echoing every key (^[) until killed."""
    server = f"quizapp-test-{uuid.uuid4().hex[:8]}"
    guard = " ".join(f"{k}={shlex.quote(v)}" for k, v in child_env(os.environ[REPORT_ENV]).items())
    editor = "no-such-editor-x"
    command = (
        f"env QUIZAPP_HOME={quizapp_home} TERM=xterm-256color EDITOR={editor} {guard} "
        f"{quizapp_command()}"
    )
    subprocess.run(
        ["tmux", "-L", server, "new-session", "-d", "-s", "app", "-x", "100", "-y", "30", command],
        check=True,
    )
    try:
        _wait_for(server, "Go to")
        subprocess.run(["tmux", "-L", server, "send-keys", "-t", "app", "b"], check=True)
        _wait_for(server, ".yaml:")  # the highlighted card's source: the rows are read
        subprocess.run(["tmux", "-L", server, "send-keys", "-t", "app", "e"], check=True)
        screen = _wait_for(server, "Could not start")  # the notice (wrapped in a toast)
        assert "sorted by" in screen  # Browse is drawn again, under the notice
        subprocess.run(["tmux", "-L", server, "send-keys", "-t", "app", "C-q"], check=True)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            alive = subprocess.run(
                ["tmux", "-L", server, "has-session", "-t", "app"], capture_output=True
            )
            if alive.returncode != 0:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"quizapp did not exit on ctrl+q; screen:\n{_screen(server)}")
    finally:
        subprocess.run(["tmux", "-L", server, "kill-server"], capture_output=True)
