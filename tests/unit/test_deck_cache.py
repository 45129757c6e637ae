"""The deck cache makes repeat start-ups fast without ever hiding a change or an error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from quizapp.content import load_library

# Each test here starts from an empty data folder: no deck cache yet.
pytestmark = pytest.mark.cold_decks

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

FAQ = """cards:
  - id: faq-one
    kind: faq
    section: 8
    tags: [metrics]
    question: {question}
    answer: An answer.
"""


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "a.yaml").write_text(FAQ.format(question="First wording?"))
    return folder


def cached_load(folder: Path):
    return load_library([folder], include_user_decks=False, cache=True)


def test_a_cached_load_equals_a_fresh_one(quizapp_home: Path) -> None:
    shipped = load_library(include_user_decks=False)
    first = load_library(include_user_decks=False, cache=True)  # fills the cache
    again = load_library(include_user_decks=False, cache=True)  # served from it
    assert (quizapp_home / "cache" / "decks.json").exists()
    for library in (first, again):
        assert library.cards == shipped.cards
        assert [(c.source, c.line, c.deck) for c in library.cards.values()] == [
            (c.source, c.line, c.deck) for c in shipped.cards.values()
        ]


def test_an_edited_file_is_read_again(deck: Path) -> None:
    assert cached_load(deck).cards["faq-one"].question == "First wording?"
    path = deck / "a.yaml"
    path.write_text(FAQ.format(question="Second, longer wording?"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert cached_load(deck).cards["faq-one"].question == "Second, longer wording?"


def test_errors_are_replayed_from_the_cache(quizapp_home: Path, monkeypatch) -> None:
    broken = FIXTURES / "broken"
    monkeypatch.chdir(broken)
    fresh = [str(e) for e in load_library([broken], include_user_decks=False).errors]
    first = [str(e) for e in cached_load(broken).errors]
    again = [str(e) for e in cached_load(broken).errors]
    assert fresh and fresh == first == again


def test_duplicate_ids_across_files_are_still_caught(deck: Path) -> None:
    cached_load(deck)
    shutil.copy(deck / "a.yaml", deck / "b.yaml")
    errors = [str(e) for e in cached_load(deck).errors]
    assert len(errors) == 1 and "duplicate id 'faq-one'" in errors[0]
    (deck / "b.yaml").unlink()
    assert cached_load(deck).errors == []


def test_a_damaged_cache_is_ignored(deck: Path, quizapp_home: Path) -> None:
    cached_load(deck)
    cache = quizapp_home / "cache" / "decks.json"
    cache.write_text('{"stamp": "x", "files": ')
    assert "faq-one" in cached_load(deck).cards
    cache.write_bytes(b"\x00\xff garbage")
    assert "faq-one" in cached_load(deck).cards


def test_validate_never_trusts_the_cache(deck: Path, quizapp_home: Path) -> None:
    cached_load(deck)
    # Break the file but keep its size and mtime, so the cache still claims it is fine.
    path = deck / "a.yaml"
    before = path.stat()
    path.write_text(FAQ.format(question="[irst wording?"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    assert cached_load(deck).errors == []  # the app's fast path trusts size + mtime ...
    result = subprocess.run(
        [sys.executable, "-m", "quizapp", "validate", str(deck)],
        capture_output=True,
        text=True,
        env={**os.environ, "QUIZAPP_HOME": str(quizapp_home)},
    )
    assert result.returncode == 1  # ... validate reads every file afresh
    assert "YAML error" in result.stdout


def test_a_warm_start_does_not_import_numpy(quizapp_home: Path) -> None:
    code = (
        "import sys; from quizapp.content import load_library; "
        "load_library(cache=True); print('numpy' in sys.modules)"
    )
    env = {**os.environ, "QUIZAPP_HOME": str(quizapp_home)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    warm = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    assert warm.stdout.decode().strip() == "False"
