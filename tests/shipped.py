"""The shipped decks, loaded once per test process (each xdist worker) and shared read-only by
every test and test module that needs them, plus the deck cache that load wrote.

The load is the app's cold first start: every card parsed and checked, with the deck cache on,
into a data folder of its own. tests/conftest.py copies that cache into each test's data folder,
so a `quizapp` command a test runs starts warm instead of checking every card again.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path

from quizapp.decks import Library

_ENV = ("QUIZAPP_HOME", "QUIZAPP_CONTENT")


@functools.cache
def shipped_and_cache() -> tuple[Library, Path]:
    """The shipped decks as loaded cold, and the deck cache file that load wrote."""
    from quizapp.content import load_library

    home = Path(tempfile.mkdtemp(prefix="quizapp-warm-home-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    saved = {name: os.environ.get(name) for name in _ENV}
    os.environ["QUIZAPP_HOME"] = str(home)
    os.environ.pop("QUIZAPP_CONTENT", None)
    try:
        library = load_library(include_user_decks=False, cache=True)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    assert not library.errors, library.errors[:3]
    cache = home / "cache" / "decks.json"
    assert cache.is_file()
    return library, cache


def shipped_library() -> Library:
    """The shipped decks (read only: every test of this process shares them)."""
    return shipped_and_cache()[0]
