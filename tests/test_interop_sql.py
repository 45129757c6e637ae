"""Interop decides what a merge or a sync changes; the store writes it (quizapp.store.replica).
No interop module runs SQL on the store's tables or reaches past the ``Database``'s functions
(``db.read``, ``db.write``, ``db.conn``): only the Anki modules run SQL, on an Anki collection
they open themselves."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from quizapp.store import Store

INTEROP_DIR = Path(__file__).resolve().parent.parent / "quizapp" / "interop"
# Modules that open an Anki collection (its own SQLite file, with its own ``cards`` table).
ANKI_MODULES = {"anki.py", "anki_import.py", "anki_schedule.py"}
_SQL = re.compile(
    r"\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM|FROM|JOIN|PRAGMA"
    r"|CREATE\s+(?:TEMP\s+)?TABLE(?:\s+IF\s+NOT\s+EXISTS)?|DROP\s+TABLE)\s+(\w+)",
    re.IGNORECASE,
)
_DATABASE_INNARDS = {"read", "write", "conn", "batch"}


def store_tables(tmp: Path) -> set[str]:
    """Every table a store file holds (the local ones made on first use too), and PRAGMA."""
    store = Store.open(tmp / "progress.db", strict=True)
    try:
        names = store.db.read(lambda c: {n for (n,) in c.execute("SELECT name FROM sqlite_master")})
    finally:
        store.close()
    return {n.lower() for n in names} | {"merged_files", "sync_written", "sqlite_master"}


def sql_uses(source: str, tables: set[str]) -> list[tuple[int, str]]:
    """(line, text) of each string in ``source`` that runs SQL on one of ``tables`` (or a
    PRAGMA), and of each use of a ``Database``'s connection or transaction functions."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for match in _SQL.finditer(node.value):
                target = match.group(1).lower()
                if target in tables or match.group(0).upper().startswith("PRAGMA"):
                    found.append((node.lineno, match.group(0)))
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in _DATABASE_INNARDS
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "db"
        ):
            found.append((node.lineno, ast.unparse(node)))
    return found


@pytest.fixture(scope="module")
def tables(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    return store_tables(tmp_path_factory.mktemp("store"))


def test_the_finder_sees_sql_on_a_store_table(tables: set[str]) -> None:
    source = (
        'conn.execute("SELECT uuid FROM reviews")\n'
        "x = 1\n"
        'conn.execute(f"INSERT OR REPLACE INTO registers (key) VALUES (?)")\n'
        'store.db.read(lambda c: c.execute("PRAGMA cache_size"))\n'
        'print("updated from a file")\n'
    )
    assert sorted(line for line, _ in sql_uses(source, tables)) == [1, 3, 4, 4]
    assert {"reviews", "cards", "registers", "settings", "checklist_ticks"} <= tables
    assert sql_uses('print("SELECT a FROM elsewhere")\n', tables) == []


def test_no_interop_module_runs_sql_on_the_store(tables: set[str]) -> None:
    with_sql = []
    for path in sorted(INTEROP_DIR.glob("*.py")):
        if path.name in ANKI_MODULES:
            continue
        for line, text in sql_uses(path.read_text("utf-8"), tables):
            with_sql.append(f"{path.name}:{line}: {text}")
    assert not with_sql, "move these into quizapp.store (replica.py):\n" + "\n".join(with_sql)


def test_the_anki_modules_run_sql_only_on_a_collection_they_open() -> None:
    for name in sorted(ANKI_MODULES):
        source = (INTEROP_DIR / name).read_text("utf-8")
        assert "sqlite3.connect(" in source, f"{name} no longer opens an Anki collection"
        assert not [u for u in sql_uses(source, set()) if ".db." in u[1]], name
