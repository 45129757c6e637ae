"""Snapshot tests of the key screens (pytest-textual-snapshot): home, study, quiz, cheat sheet,
loss curves and stats at 80x24 and 160x50, and a few more views at 100x30. Update deliberately
with `pytest tests/ui/test_snapshots.py --snapshot-update` after looking at the report."""

from __future__ import annotations

import pytest

from quizapp.ui.screens.quiz import QuizRunScreen
from quizapp.ui.screens.stats import StatsScreen
from quizapp.ui.screens.study import StudyScreen
from tests.ui.conftest import SIZE, wait_until, workers_done
from tests.ui.history import NOW, seed_history, utc

SIZES = pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])


def pressing(*keys: str):
    """A run_before for snap_compare: press ``keys``, then let every worker the screen started
    (the plan, readiness, the file check) finish and its result reach the screen."""

    async def run(pilot) -> None:
        await pilot.press(*keys)
        await settle(pilot)

    return run


async def settle(pilot) -> None:
    await workers_done(pilot.app)
    await pilot.pause()  # the workers' messages, posted before they ended, are handled


@SIZES
def test_home(snap_compare, make_app, size) -> None:
    assert snap_compare(make_app(), run_before=pressing(), terminal_size=size)


@SIZES
def test_study_answer_side(snap_compare, make_app, size) -> None:
    assert snap_compare(make_app(), run_before=pressing("s", "space"), terminal_size=size)


@SIZES
def test_quiz_question(snap_compare, make_app, size) -> None:
    app = make_app()

    async def start(pilot) -> None:
        quiz = app.new_quiz(item_ids=["mc-outliers-huber", "num-huber-large"], seed=4)
        await app.push_screen(QuizRunScreen(quiz))
        await pilot.pause()

    assert snap_compare(app, run_before=start, terminal_size=size)


@SIZES
def test_cheat_sheet(snap_compare, make_app, size) -> None:
    assert snap_compare(make_app(), press=["h"], terminal_size=size)


@SIZES
def test_loss_curves(snap_compare, make_app, size) -> None:
    assert snap_compare(make_app(), press=["v"], terminal_size=size)


async def _open_stats(pilot) -> None:
    await pilot.app.push_screen(StatsScreen(now=NOW))
    await workers_done(pilot.app)
    await pilot.pause()


@SIZES
def test_stats(snap_compare, make_app, shipped, size) -> None:
    with utc():
        seed_history(shipped)
        assert snap_compare(make_app(), run_before=_open_stats, terminal_size=size)


def test_stats_with_no_history(snap_compare, make_app) -> None:
    with utc():
        assert snap_compare(make_app(), run_before=_open_stats, terminal_size=SIZE)


def test_trap_answer_side(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), run_before=pressing("t", "enter"), terminal_size=SIZE)


def test_formula_card_answer_side(snap_compare, make_app) -> None:
    async def open_formula(pilot) -> None:
        await pilot.app.push_screen(StudyScreen(ids=["formula-huber"]))
        await pilot.press("space")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=open_formula, terminal_size=SIZE)


def test_checklist(snap_compare, make_app) -> None:
    async def open_checklist(pilot) -> None:
        await pilot.press("c", "down")
        await settle(pilot)  # readiness comes from a worker

    assert snap_compare(make_app(), run_before=open_checklist, terminal_size=SIZE)


def test_loss_curves_bce_gradient(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), run_before=pressing("v", "2", "g"), terminal_size=SIZE)


def test_checked_derivation(snap_compare, make_app) -> None:
    """A derivation with one wrong step (line 3), checked: the gutter marks and the verdict."""
    from tests.ui.test_derivation_ui import SLIPPED, open_drill, type_lines

    async def check(pilot) -> None:
        view = await open_drill(pilot, pilot.app, "grad-mse")
        await type_lines(pilot, SLIPPED)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: view.stage == "answered", what="the verdict")
        await settle(pilot)

    assert snap_compare(make_app(), run_before=check, terminal_size=(100, 40))
