"""The open app sees what other processes commit, with no restart and no key pressed: a real
`quizapp` command run in a subprocess against the same data folder ticks an item, sets the
interview date, imports reviews; the screen on top shows it. Each step waits for the app to
have noticed the commit (its counter), never for a fixed time."""

from __future__ import annotations

import asyncio
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import fsrs
from textual.pilot import Pilot
from textual.widgets import Input, Static

from quizapp.store import Store
from quizapp.ui.app import QuizApp
from quizapp.ui.screens.checklist import ChecklistScreen
from quizapp.ui.screens.settings import SettingsScreen
from tests.helpers import run_quizapp
from tests.ui.conftest import SIZE, home_figures_shown, visible_text, workers_done


async def _shell(app: QuizApp, pilot: Pilot[None], *args: str) -> None:
    """Run ``quizapp ARGS`` in another process (the app keeps running meanwhile), then wait
    until the app has noticed the commit and every worker it started is done."""
    app.outside_commit_seen.clear()
    done = await asyncio.to_thread(run_quizapp, *args)
    assert done.returncode == 0, done.stderr
    await asyncio.wait_for(app.outside_commit_seen.wait(), timeout=60)
    await workers_done(app)
    await pilot.pause()


def _home_text(app: QuizApp) -> str:
    return visible_text(app.screen.query_one("#today", Static))


def _export_with_reviews(folder: Path, n: int) -> Path:
    """An export file from another machine holding ``n`` reviews made today."""
    with Store.open(folder / "progress.db") as other:
        for i in range(n):
            other.record_review(f"faq-other-{i}", fsrs.Rating.Good, kind="faq")
        data = other.export()
    out = folder / "export.json"
    out.write_text(json.dumps(data, default=str), encoding="utf-8")
    return out


async def test_the_home_screen_shows_a_tick_a_date_and_imported_reviews_from_the_shell(
    make_app, tmp_path: Path
) -> None:
    app = make_app()
    export = _export_with_reviews(tmp_path, 7)
    async with app.run_test(size=SIZE) as pilot:
        items = len(app.library.checklist)
        await home_figures_shown(pilot)
        assert f"0 of {items} ticked" in _home_text(app)
        assert "No interview date set" in _home_text(app)
        await _shell(app, pilot, "checklist", "tick", "3")
        assert f"1 of {items} ticked" in _home_text(app)
        day = date.today() + timedelta(days=9)
        await _shell(app, pilot, "settings", "--interview-date", day.isoformat())
        assert "Interview in 9 days" in _home_text(app)
        assert app.store.settings.interview_date == day
        await _shell(app, pilot, "import", str(export))
        text = " ".join(_home_text(app).split())
        assert "Reviews today 7" in text
        assert "Ready " in text  # readiness for the new date, worked out again


async def test_the_checklist_and_settings_screens_follow_the_shell(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        assert isinstance(app.screen, ChecklistScreen)
        await _shell(app, pilot, "checklist", "tick", "2")
        assert 2 in {s.number for s in app.screen.statuses if s.ticked}
        assert "1 of" in visible_text(app.screen.query_one("#checklist-summary", Static))

        app.open_area("settings")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        new_per_day = app.screen.query_one("#new-per-day", Input)
        new_per_day.value = "13"  # the learner is editing this one
        await _shell(app, pilot, "settings", "--interview-date", "2030-01-02", "--new-per-day", "5")
        assert app.screen.query_one("#interview-date", Input).value == "2030-01-02"
        assert new_per_day.value == "13"  # an edit in progress is never overwritten


async def test_the_data_folder_deleted_under_the_app_is_said_and_nothing_is_lost(
    make_app, quizapp_home: Path
) -> None:
    with Store.open() as store:
        for i in range(3):
            store.record_review(f"faq-{i}", fsrs.Rating.Good, kind="faq")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.outside_commit_seen.clear()
        shutil.rmtree(quizapp_home)  # names only: no file of the open store is opened
        await asyncio.wait_for(app.outside_commit_seen.wait(), timeout=60)
        await pilot.pause()
        assert app.is_running and "NOT SAVING" not in app.sub_title
        assert any("was deleted while quizapp was open" in n.message for n in app._notifications)
        app.store.set_ticked(5, True)  # saving goes on, into the file written back
    with Store.open() as store:
        assert len(store.reviews()) == 3 and set(store.ticks()) == {5}


async def test_the_stats_and_plan_screens_follow_the_shell(make_app, tmp_path: Path) -> None:
    from quizapp.ui.screens.plan import PlanScreen
    from quizapp.ui.screens.stats import StatsScreen

    app = make_app()
    export = _export_with_reviews(tmp_path, 4)
    async with app.run_test(size=SIZE) as pilot:
        app.open_area("stats")
        await workers_done(app)
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await _shell(app, pilot, "import", str(export))
        tile = " ".join(visible_text(app.screen.query_one("#key-reviews", Static)).split())
        assert tile.split()[0] == "4" and "4 today" in tile and "reviews" in tile

        app.open_area("plan")
        await workers_done(app)
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
        day = date.today() + timedelta(days=12)
        await _shell(app, pilot, "settings", "--interview-date", day.isoformat())
        assert app.screen.plan is not None and app.screen.plan.interview_date == day
