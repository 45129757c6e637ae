"""The core stays free of the UI: importing any non-ui module must not import Textual, and the
checker must not import sympy until it is first used."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import quizapp

CORE_MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(quizapp.__path__, prefix="quizapp.")
    if not m.name.startswith("quizapp.ui") and not m.name.endswith("__main__")
)


def _imported_after(module: str) -> set[str]:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        "print('\\n'.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_core_modules_exist() -> None:
    assert "quizapp.decks.loader" in CORE_MODULES
    assert "quizapp.mathcheck.parser" in CORE_MODULES


def test_no_core_module_imports_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"core modules imported Textual: {out.stdout.strip()}"


def test_cli_and_parser_do_not_import_sympy() -> None:
    for module in ("quizapp.cli", "quizapp.mathcheck", "quizapp.decks"):
        assert "sympy" not in _imported_after(module), module


def test_the_checker_modules_do_not_import_sympy_until_used() -> None:
    # The app imports these on its way to the first frame; sympy (~0.4 s) loads in the worker.
    for module in (
        "quizapp.mathcheck.checker",
        "quizapp.mathcheck.worker",
        "quizapp.mathcheck.judge",
        "quizapp.mathcheck.problem",
        "quizapp.commands.check",
    ):
        assert "sympy" not in _imported_after(module), module


def test_importing_the_checker_api_does_not_import_numpy_either() -> None:
    imported = _imported_after("quizapp.mathcheck")
    assert "numpy" not in imported
