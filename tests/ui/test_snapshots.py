"""Snapshot tests of the key screens at 100x30 (pytest-textual-snapshot). Update deliberately
with `pytest tests/ui/test_snapshots.py --snapshot-update` after looking at the report."""

from __future__ import annotations

from quizapp.ui.screens.study import StudyScreen
from tests.ui.conftest import SIZE


def test_home(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE)


def test_study_question_side(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), press=["s"], terminal_size=SIZE)


def test_study_answer_side(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), press=["s", "space"], terminal_size=SIZE)


def test_trap_answer_side(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), press=["t", "enter"], terminal_size=SIZE)


def test_formula_card_answer_side(snap_compare, make_app) -> None:
    async def open_formula(pilot) -> None:
        pilot.app.push_screen(StudyScreen(ids=["formula-huber"]))
        await pilot.pause()
        await pilot.press("space")

    assert snap_compare(make_app(), run_before=open_formula, terminal_size=SIZE)


def test_checklist(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), press=["c", "down"], terminal_size=SIZE)


def test_cheat_sheet(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), press=["h"], terminal_size=SIZE)


def test_home_at_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24))
