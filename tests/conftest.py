"""Shared fixtures. Every test runs with its own empty data folder (QUIZAPP_HOME)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTENT = REPO / "content"


@pytest.fixture(autouse=True)
def quizapp_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty learner data folder for each test; nothing touches the real one."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    monkeypatch.delenv("QUIZAPP_CONTENT", raising=False)
    return home
