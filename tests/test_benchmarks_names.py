"""Every name of quizapp a benchmark uses still exists: what each script under benchmarks/
imports from quizapp, and the functions benchmarks/tools/sync_steps.py times by name. A rename
inside the package broke ``benchmarks/store.py`` for weeks (``make bench`` stopped at its
import) without a test noticing; the benchmarks themselves are too slow to run in the suite."""

from __future__ import annotations

import ast
import importlib
import runpy
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPTS = sorted(BENCHMARKS.rglob("*.py"))


def _quizapp_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of each ``from quizapp... import name`` in the script, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("quizapp"):
            found += [(node.module or "", alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, "") for a in node.names if a.name.startswith("quizapp")]
    return found


def test_there_are_benchmarks_to_check() -> None:
    assert len(SCRIPTS) >= 10
    assert sum(len(_quizapp_imports(p)) for p in SCRIPTS) >= 10


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(BENCHMARKS)))
def test_what_a_benchmark_imports_from_quizapp_exists(script: Path) -> None:
    missing = []
    for module, name in _quizapp_imports(script):
        owner = importlib.import_module(module)
        if name and not hasattr(owner, name):
            try:  # a submodule imported by name
                importlib.import_module(f"{module}.{name}")
            except ModuleNotFoundError:
                missing.append(f"{module}.{name}")
    assert missing == [], f"{script.name} imports names quizapp no longer has: {missing}"


def test_every_step_the_sync_benchmark_times_exists() -> None:
    steps = runpy.run_path(str(BENCHMARKS / "tools" / "sync_steps.py"))["STEPS"]
    assert len(steps) >= 10
    missing = []
    for module, name, _ in steps:
        owner = importlib.import_module(module)
        for part in name.split("."):
            if not hasattr(owner, part):
                missing.append(f"{module}.{name}")
                break
            owner = getattr(owner, part)
    assert missing == [], f"sync_steps.py times functions that are gone: {missing}"
