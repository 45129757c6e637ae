"""The core stays free of the UI: importing any non-ui module must not import Textual, the
checker must not import sympy until it is first used, and the core's import graph has no loop."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

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
        "quizapp.mathcheck.inprocess",
        "quizapp.mathcheck.warm_worker",
        "quizapp.mathcheck.judge",
        "quizapp.mathcheck.problem",
        "quizapp.commands.check",
    ):
        assert "sympy" not in _imported_after(module), module


def test_importing_the_checker_api_does_not_import_numpy_either() -> None:
    imported = _imported_after("quizapp.mathcheck")
    assert "numpy" not in imported


# --------------------------------------------------------------------------- import graph

PACKAGE_DIR = Path(quizapp.__file__).parent

# Known loops being removed on other branches; each entry is one edge (importer, imported) that
# is left out of the graph. Remove an entry once its branch is merged.
ALLOWED_EDGES: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _core_files() -> dict[str, Path]:
    files = {}
    for path in PACKAGE_DIR.rglob("*.py"):
        name = _module_name(path)
        if name.startswith("quizapp.ui") or name == "quizapp.__main__":
            continue
        files[name] = path
    return files


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Every module name ``tree`` imports at run time: at the top or inside a function (a
    deferred import is still a dependency), not under ``if TYPE_CHECKING:``."""
    names: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            if isinstance(child, ast.Import):
                names.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = module.split(".") if is_package else module.split(".")[:-1]
                    package = package[: len(package) - (child.level - 1)]
                    base = ".".join([*package, base] if base else package)
                names.update(f"{base}.{alias.name}" for alias in child.names)
                names.add(base)
            stack.append(child)
    return names


def core_import_graph() -> dict[str, set[str]]:
    """quizapp (without the UI) as module -> the core modules it imports. Importing a.b.c runs
    the package a.b first, so that package counts as imported too (except from inside it)."""
    files = _core_files()
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        targets: set[str] = set()
        names = _imported_names(ast.parse(path.read_text("utf-8")), module, path.stem == "__init__")
        for name in names:
            while name and name not in files:
                name = name.rpartition(".")[0]
            parts = name.split(".")
            for i in range(2, len(parts) + 1):
                target = ".".join(parts[:i])
                inside = module == target or module.startswith(target + ".")
                if target in files and not inside and (module, target) not in ALLOWED_EDGES:
                    targets.add(target)
        graph[module] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import loop as [a, b, ..., a], or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_graph_sees_the_core_and_finds_a_loop() -> None:
    graph = core_import_graph()
    assert len(graph) > 30 and "quizapp.ui.app" not in graph
    assert "quizapp.decks.models" in graph["quizapp.drills.numeric"]
    assert "quizapp.losses.text" in graph["quizapp.losses.regression"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_core_has_no_import_loop() -> None:
    cycle = find_cycle(core_import_graph())
    assert cycle is None, "import loop: " + " -> ".join(cycle or [])


def test_the_allowed_edges_still_exist() -> None:
    # An allow-list entry whose import is gone would hide nothing: drop it.
    files = _core_files()
    for importer, imported in ALLOWED_EDGES:
        names = _imported_names(ast.parse(files[importer].read_text("utf-8")), importer, False)
        assert imported in names, f"{importer} no longer imports {imported}: remove the entry"


def test_the_models_import_nothing_above_them() -> None:
    graph = core_import_graph()
    below = {m for m in graph if m.startswith("quizapp.decks")}
    assert below
    for module in below:
        outside = {t for t in graph[module] if not t.startswith("quizapp.decks")}
        assert outside <= {"quizapp.paths"}, (module, outside)


# --------------------------------------------------------------------------- card kinds

# A kind's name is spelled once, in the table of kinds (its model and its row). Elsewhere code
# asks the table (``quizapp.decks.kinds``) or names the model's constant (``Trap.kind``). These
# modules use the same word for something else: a CLI command, an area, a tab, a key, a binding.
SAME_WORD_ELSEWHERE: set[tuple[str, str]] = {
    ("quizapp.commands", "checklist"),  # the `quizapp checklist` command
    ("quizapp.commands.checklist", "checklist"),
    ("quizapp.ui.screens.areas", "checklist"),  # the Checklist area
    ("quizapp.ui.palette", "checklist"),  # opens the Checklist area
    ("quizapp.ui.screens.checklist", "checklist"),  # its stylesheet
    ("quizapp.ui.screens.stats", "checklist"),  # a stats field
    ("quizapp.ui.screens.cheatsheet", "pitch"),  # the elevator-pitch tab
    ("quizapp.ui.screens.study", "loss_curve"),  # the action that opens the loss-curve explorer
    ("quizapp.drills.numeric", "formula"),  # a drill's JSON key
}
KIND_HOMES = {"quizapp.decks.models", "quizapp.decks.kinds"}


def _all_files() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE_DIR.rglob("*.py")}


def _kind_strings(path: Path, kind_names: set[str]) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if node.value in kind_names
    ]


def test_no_kind_name_is_spelled_outside_the_table_of_kinds() -> None:
    from quizapp.decks.kinds import REGISTRY

    names = set(REGISTRY)
    found = []
    for module, path in sorted(_all_files().items()):
        if module in KIND_HOMES:
            continue
        for line, word in _kind_strings(path, names):
            if (module, word) not in SAME_WORD_ELSEWHERE:
                found.append(f"{path.relative_to(PACKAGE_DIR.parent)}:{line}: '{word}'")
    assert not found, "ask quizapp.decks.kinds (or use Model.kind) instead of:\n" + "\n".join(found)


def test_the_same_word_entries_are_still_needed() -> None:
    from quizapp.decks.kinds import REGISTRY

    files = _all_files()
    for module, word in SAME_WORD_ELSEWHERE:
        assert word in {w for _, w in _kind_strings(files[module], set(REGISTRY))}, (module, word)


def test_the_kind_finder_sees_a_bare_kind_string(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('if card.kind == "trap":\n    pass\nx = "traps"\n', "utf-8")
    assert _kind_strings(sample, {"trap"}) == [(1, "trap")]


def _card_models() -> set[str]:
    from quizapp.decks.kinds import REGISTRY

    return {k.model.__name__ for k in REGISTRY.values()}


def _isinstance_models(function: ast.AST, models: set[str]) -> set[str]:
    """The card models a function tests with isinstance (its own body, not nested functions)."""
    found: set[str] = set()
    for node in ast.walk(function):
        call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        if call and node.func.id == "isinstance" and len(node.args) == 2:  # type: ignore[attr-defined]
            for name in ast.walk(node.args[1]):  # type: ignore[attr-defined]
                if isinstance(name, ast.Name) and name.id in models:
                    found.add(name.id)
    return found


def test_no_function_dispatches_on_the_class_of_a_card() -> None:
    # One isinstance per function (narrowing a card a handler was given) is fine; a chain over
    # several kinds is what the table of kinds replaces.
    models = _card_models()
    chains = []
    for module, path in sorted(_all_files().items()):
        if module.startswith("quizapp.decks"):
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                tested = _isinstance_models(node, models)
                if len(tested) > 1:
                    chains.append(f"{module}.{node.name}: {sorted(tested)}")
    assert not chains, "dispatch through quizapp.decks.kinds instead: " + "; ".join(chains)


# --------------------------------------------------------------------------- the store's API

REPO_DIR = PACKAGE_DIR.parent
STORE_DIR = PACKAGE_DIR / "store"


def _private_store_uses(source: str) -> list[tuple[int, str]]:
    """(line, name) of each underscore name ``source`` takes from ``quizapp.store``: imported
    (``from quizapp.store.x import _y``) or read off a store module (``ops._y``)."""
    tree = ast.parse(source)
    found: list[tuple[int, str]] = []
    store_modules: set[str] = set()  # local names bound to a quizapp.store module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("quizapp.store"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append((node.lineno, f"{node.module}.{alias.name}"))
                elif alias.name[:1].islower():
                    store_modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("quizapp.store"):
                    store_modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            if node.attr.startswith("__"):
                continue
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in store_modules:
                found.append((node.lineno, f"{ast.unparse(node.value)}.{node.attr}"))
    return found


def test_the_private_import_finder_sees_one() -> None:
    source = (
        "from quizapp.store.values import _ts, Review\n"
        "from quizapp.store import ops\n"
        "import quizapp.store.schema\n"
        "ops._resets(c)\n"
        "quizapp.store.schema._migrate(c)\n"
        "ops.recompute(c)\n"
    )
    assert _private_store_uses(source) == [
        (1, "quizapp.store.values._ts"),
        (4, "ops._resets"),
        (5, "quizapp.store.schema._migrate"),
    ]
    assert _private_store_uses("from quizapp.store import Store\nstore._x = 1\n") == []


def test_nothing_outside_the_store_uses_its_private_names() -> None:
    # The store's public API (``quizapp.store`` and its modules' public names) is what interop,
    # the commands, the UI, the tests and the benchmarks use.
    found = []
    for top in ("quizapp", "tests", "benchmarks", "assets"):
        for path in sorted((REPO_DIR / top).rglob("*.py")):
            if path.is_relative_to(STORE_DIR):
                continue
            for line, name in _private_store_uses(path.read_text("utf-8")):
                found.append(f"{path.relative_to(REPO_DIR)}:{line}: {name}")
    assert not found, "give these a public name in quizapp.store:\n" + "\n".join(found)


def test_no_store_module_takes_another_ones_private_names() -> None:
    found = []
    for path in sorted(STORE_DIR.glob("*.py")):
        for line, name in _private_store_uses(path.read_text("utf-8")):
            found.append(f"{path.relative_to(REPO_DIR)}:{line}: {name}")
    assert not found, "\n".join(found)


def test_the_store_is_composed_not_mixed_in() -> None:
    # One database object and modules of functions over it: Store's only base is object, and no
    # store function is a stand-in that only raises NotImplementedError.
    from quizapp.store import Store
    from quizapp.store.database import Database

    assert Store.__bases__ == (object,) and Database.__bases__ == (object,)
    stand_ins = []
    for path in sorted(STORE_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = [n for n in node.body if not isinstance(n, ast.Expr)]
                if len(body) == 1 and isinstance(body[0], ast.Raise):
                    raised = body[0].exc
                    if isinstance(raised, ast.Call):
                        raised = raised.func
                    if isinstance(raised, ast.Name) and raised.id == "NotImplementedError":
                        stand_ins.append(f"{path.name}:{node.lineno} {node.name}")
    assert not stand_ins, stand_ins


# The composed store's modules (ops, srs and pending are others' work this round).
COMPOSED = [
    "__init__", "database", "saving", "backups", "recovery", "connection", "values", "schema",
    "rows", "core", "reviews", "cards", "flags", "ticks", "quiz_sessions", "cram_reviews",
    "fsrs_fit", "settings_io", "progress_export", "replica",
]  # fmt: skip


def test_each_store_module_says_what_it_holds_and_may_import() -> None:
    for name in COMPOSED:
        doc = ast.get_docstring(ast.parse((STORE_DIR / f"{name}.py").read_text("utf-8")))
        assert doc, f"{name}.py has no docstring"
        assert "import" in doc, f"{name}.py: say what it may import"


def test_the_store_imports_only_what_its_package_docstring_says() -> None:
    graph = core_import_graph()
    allowed = {"quizapp", "quizapp.settings", "quizapp.clock", "quizapp.paths"}
    for module, targets in graph.items():
        if module == "quizapp.store" or module.startswith("quizapp.store."):
            above = {t for t in targets if not t.startswith("quizapp.store")}
            assert above <= allowed, (module, above - allowed)
