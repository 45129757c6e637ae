"""The plan screen as a learner meets it: without a date it says how to set one; with a date it
shows readiness, the plan's message and one row per day up to the interview."""

from __future__ import annotations

from datetime import date, timedelta

import fsrs

from quizapp.ui.screens.plan import PlanScreen
from quizapp.ui.screens.settings import SettingsScreen
from tests.ui.conftest import SIZE, visible_text, wait_until


async def _wait_loaded(pilot, app) -> None:
    def loaded() -> bool:
        return isinstance(app.screen, PlanScreen) and not app.screen.query_one("#plan-body").loading

    await wait_until(pilot, loaded, what="the plan's numbers")


async def test_without_a_date_the_plan_says_how_to_set_one(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await _wait_loaded(pilot, app)
        head = visible_text(app.screen.query_one("#plan-head"))
        assert "No interview date is set" in head and "Press o" in head
        assert not app.screen.query_one("#plan-days").display
        await pilot.press("o")
        assert isinstance(app.screen, SettingsScreen)
        # The date field has the focus: what is typed is the date, not the retention.
        date_field = app.screen.query_one("#interview-date")
        assert app.screen.focused is date_field
        day = date.today() + timedelta(days=7)
        await pilot.press(*day.isoformat(), "ctrl+s")
        # Saved, and back on the plan (not home), worked out for the new date.
        await wait_until(
            pilot,
            lambda: (
                isinstance(app.screen, PlanScreen)
                and "in 7 days" in visible_text(app.screen.query_one("#plan-head"))
            ),
            what="the plan for the new date",
        )
        assert app.store.settings.interview_date == day
        assert app.store.settings.desired_retention == 0.9


async def test_with_a_date_it_shows_readiness_and_every_day(make_app, shipped) -> None:
    app = make_app()
    interview = date.today() + timedelta(days=5)
    store = app.store
    store.save_settings(store.settings.__class__(interview_date=interview))
    first = next(c.id for c in shipped.cards.values() if c.kind == "concept")
    store.record_review(first, fsrs.Rating.Good, kind="concept")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("p")
        await _wait_loaded(pilot, app)
        screen = app.screen
        assert isinstance(screen, PlanScreen) and screen.plan is not None
        head = visible_text(screen.query_one("#plan-head"))
        assert "in 5 days" in head
        assert "cards below target" in head
        assert "raised from 20" in head  # too many unseen cards for 20 a day in five days
        table = visible_text(screen.query_one("#plan-days-table"))
        assert "today" in table and f"{interview:%a %d %b} ★" in table
        # Reviews, new cards and new questions or drills: all three columns, at any width.
        head = table.split()
        assert head[:4] == ["day", "rev", "new", "quiz"], table
        today = next(line for line in table.splitlines() if line.strip().startswith("today"))
        first = screen.plan.days[0]
        assert today.split()[1:4] == [str(first.reviews), str(first.new), str(first.new_practice)]
        assert len(screen.plan.days) == 6
        ready = visible_text(screen.query_one("#plan-ready-text"))
        assert "loss" in ready and "Checklist items" in ready
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PlanScreen)
