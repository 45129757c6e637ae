"""The same counts, with the same words, on home, the stats screen and `quizapp stats`."""

from __future__ import annotations

import re

import fsrs

from quizapp.cli import main
from quizapp.ui.screens.stats import StatsScreen
from tests.ui.conftest import SIZE, home_figures_shown, reopen_store, visible_text, workers_done


def seed(shipped) -> None:
    """Cards in every state: learning steps (due within minutes), review cards, practice."""
    store = reopen_store()
    faqs = [c.id for c in shipped.of_kind("faq")]
    for item in faqs[:3]:
        store.record_review(item, fsrs.Rating.Again, kind="faq")  # learning, due in a minute
    for item in faqs[3:5]:
        store.record_review(item, fsrs.Rating.Easy, kind="faq")  # review, due in days
    for mc in shipped.of_kind("multiple_choice")[:2]:
        store.record_review(mc.id, fsrs.Rating.Again, kind="multiple_choice")
    store.close()


def numbers(text: str, *labels: str, number_first: bool = False) -> list[int]:
    """The count after each label ("Cards due 3", "Cards due: 3"), or before it ("3 cards due")."""
    flat = " ".join(text.split())
    out = []
    for label in labels:
        pattern = rf"(\d+) {label}" if number_first else rf"{label}:? (\d+)"
        found = re.search(pattern, flat, flags=re.I)
        assert found, (label, flat)
        out.append(int(found.group(1)))
    return out


async def test_home_stats_and_the_cli_show_the_same_due_counts(make_app, shipped, capsys) -> None:
    seed(shipped)
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    cli = numbers(out, "Cards due", "Practice due", "New today")
    # Right after one pass, including cards just failed, nothing is ranked weak or strong yet.
    assert "Weakest" not in out and "7 cards seen once are not ranked" in out
    assert cli[0] == 3 and cli[1] == 2  # the learning steps due within minutes count as due
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await home_figures_shown(pilot)
        home = visible_text(app.screen.query_one("#today"))
        assert numbers(home, "Cards due", "Practice due", "New today") == cli
        await app.push_screen(StatsScreen())
        await workers_done(app)
        await pilot.pause()
        tile = visible_text(app.screen.query_one("#key-due"))
        shown = numbers(tile, "Cards due", "Practice due", "New today", number_first=True)
        assert shown == cli


async def test_home_the_plan_and_study_agree_on_new_cards_after_quizzes(make_app, tmp_path) -> None:
    """Quiz questions and drills use up no new-card limit: with the plan raising the pace, the
    number of new cards home says, the plan says and Study serves is one number."""
    import dataclasses
    from datetime import date, timedelta

    from quizapp.ui.screens.plan import PlanScreen
    from quizapp.ui.screens.study import StudyScreen
    from tests.ui.conftest import wait_until
    from tests.unit.progress_decks import faq, library_of, multiple_choice

    cards = [faq(f"faq-{i:02d}") for i in range(12)]
    practice = [multiple_choice(f"mc-{i}") for i in range(6)]
    library = library_of(tmp_path / "decks", {"basics": cards + practice})
    app = make_app(library)
    store = app.store
    interview = date.today() + timedelta(days=3)
    store.save_settings(
        dataclasses.replace(store.settings, new_per_day=4, interview_date=interview)
    )
    for i in range(4):  # a quiz this morning: four questions met for the first time
        store.record_review(f"mc-{i}", fsrs.Rating.Good, kind="multiple_choice")
    store.record_review("faq-00", fsrs.Rating.Easy, kind="faq")  # one new card studied
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: app.guide is not None, what="the plan's guide")
        await home_figures_shown(pilot)  # worked out again with the plan's guide
        home = visible_text(app.screen.query_one("#today"))
        (home_new,) = numbers(home, "New today")
        await pilot.press("p")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, PlanScreen) and app.screen.plan is not None,
            what="the plan",
        )
        plan = app.screen.plan
        assert plan.raised and plan.new_per_day == 6  # 11 cards left, two days to introduce
        head = " ".join(visible_text(app.screen.query_one("#plan-head")).split())
        assert f"{plan.today.new} new cards (s)" in head
        await pilot.press("escape", "s")
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        served = []
        while screen.session.current is not None:
            served.append(screen.session.current.id)
            await pilot.press("space", "4")
        assert len(served) == len(set(served))  # Easy: none comes back today
    # 6 a day, one already studied: five more, whatever the quiz met.
    assert home_new == plan.today.new == len(served) == 5
