"""Each package says, in the first paragraph of its docstring, what it holds and what it may import
("May import: decks, losses."); this test holds every module of the package to that sentence, so
the documented layering and the code cannot drift apart."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.test_architecture import PACKAGE_DIR, _imported_names, _module_name

# The words a "May import:" sentence may use, and the modules each stands for.
TOP_LEVEL = sorted(
    f"quizapp.{p.stem}"
    for p in PACKAGE_DIR.glob("*.py")
    if p.stem not in {"__init__", "__main__", "cli"}
)
PACKAGES = {
    "commands": "quizapp.commands",
    "decks": "quizapp.decks",
    "drills": "quizapp.drills",
    "interop": "quizapp.interop",
    "losses": "quizapp.losses",
    "mathcheck": "quizapp.mathcheck",
    "store": "quizapp.store",
    "ui": "quizapp.ui",
    "ui.screens": "quizapp.ui.screens",
    "ui.widgets": "quizapp.ui.widgets",
}
# The entry point is the one module that reaches every layer.
ENTRY = {"quizapp.cli", "quizapp.__main__"}


def allowed_by(sentence: str) -> set[str]:
    """The module prefixes a "May import: ..." sentence allows."""
    allowed: set[str] = set()
    if "nothing else of quizapp" in sentence:
        return allowed
    if re.search(r"\bthe core\b(?!'s)", sentence):
        allowed.update(TOP_LEVEL)
    core_only = re.search(r"the core's ([\w ,]+?) modules? only", sentence)
    if core_only:
        allowed.update(f"quizapp.{w}" for w in re.findall(r"\w+", core_only.group(1)) if w != "and")
    for word, module in PACKAGES.items():
        if re.search(rf"(?<![\w.]){re.escape(word)}(?![\w.])", sentence.split("(")[0]):
            allowed.add(module)
    return allowed


def may_import_sentence(package: Path) -> str:
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text("utf-8"))) or ""
    first = doc.split("\n\n")[0].replace("\n", " ")
    found = re.search(r"May import: ([^.]*(?:\.\w[^.]*)*?)\.(?:\s|$)", first)
    assert found, (
        f"{package.name}/__init__.py: the first paragraph says nothing of what it may import"
    )
    return found.group(1)


def _packages() -> list[Path]:
    return [
        PACKAGE_DIR,
        *sorted(p.parent for p in PACKAGE_DIR.rglob("__init__.py") if p.parent != PACKAGE_DIR),
    ]


def _owner(module: str) -> str:
    """The package a module belongs to: the deepest package, top-level modules to "quizapp"."""
    best = "quizapp"
    for package in _packages():
        name = _module_name(package / "__init__.py")
        if (module == name or module.startswith(name + ".")) and len(name) > len(best):
            best = name
    return best


@pytest.mark.parametrize("package", _packages(), ids=lambda p: p.name)
def test_every_package_imports_only_what_its_docstring_allows(package: Path) -> None:
    own = _module_name(package / "__init__.py")
    allowed = allowed_by(may_import_sentence(package)) | {own}
    if own.startswith("quizapp.ui."):
        allowed.add("quizapp.ui")  # a subpackage may use its parent package
    breaches: list[str] = []
    for path in sorted(package.rglob("*.py")):
        module = _module_name(path)
        if _owner(module) != own or module in ENTRY:
            continue
        for name in _imported_names(
            ast.parse(path.read_text("utf-8")), module, path.stem == "__init__"
        ):
            if not name.startswith("quizapp.") or name == own or name.startswith(own + "."):
                continue
            if own == "quizapp" and _owner(name) == "quizapp":
                continue  # top-level modules use each other
            target = next(
                (
                    a
                    for a in sorted(allowed, key=len, reverse=True)
                    if name == a or name.startswith(a + ".")
                ),
                None,
            )
            if target is None and name != "quizapp" and not name.startswith("quizapp.__"):
                breaches.append(f"{module} imports {name}")
    assert not breaches, f"{own} may import only {sorted(allowed)}: " + "; ".join(
        sorted(set(breaches))
    )


def test_the_rule_reader_sees_each_word() -> None:
    assert allowed_by("nothing else of quizapp (no UI)") == set()
    assert allowed_by("decks, losses, mathcheck") == {
        "quizapp.decks",
        "quizapp.losses",
        "quizapp.mathcheck",
    }
    assert allowed_by("the core's clock, paths and settings modules only") == {
        "quizapp.clock",
        "quizapp.paths",
        "quizapp.settings",
    }
    assert "quizapp.plan" in allowed_by("the core, decks (never ui)")
    assert "quizapp.ui" not in allowed_by("the core, decks (never ui)")
