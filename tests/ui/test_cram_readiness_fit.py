"""Interview readiness in the app, as a learner meets it: a cram session that leaves the schedule
alone, readiness on the checklist and stats screens, fitting FSRS from the Plan screen, and the
deck filter of Drills and Stats. Real shipped decks (a fixture deck where a case needs one), the
real SQLite file in a temporary QUIZAPP_HOME."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from textual.widgets import OptionList

from quizapp.decks.kinds import names
from quizapp.plan import gather, readiness
from quizapp.stats import compute_stats
from quizapp.ui.screens.checklist import ChecklistScreen
from quizapp.ui.screens.cram import TITLE, CramScreen
from quizapp.ui.screens.drills import DrillsScreen
from quizapp.ui.screens.help import HelpScreen
from quizapp.ui.screens.plan import PlanScreen
from quizapp.ui.screens.stats import StatsScreen
from tests.ui.conftest import SIZE, reopen_store, visible_text, wait_until
from tests.unit.progress_decks import faq, library_of


async def _until(pilot, condition: Callable[[], bool], what: str) -> None:
    await wait_until(pilot, condition, what=what)


def _set_interview(store, days: int) -> date:
    day = date.today() + timedelta(days=days)
    store.save_settings(dataclasses.replace(store.settings, interview_date=day))
    return day


CRAMMED = names(cram=True)


def _review_everything_long_ago(store, library, kinds=CRAMMED) -> list[str]:
    """One review of every card of ``kinds``, weeks ago, with mixed ratings: all are seen, and
    most are below target on the morning."""
    rng = random.Random(5)
    ids = [c.id for c in library.cards.values() if c.kind in kinds]
    with store.batch():
        for item in ids:
            at = datetime.now(UTC) - timedelta(days=rng.randint(20, 40))
            store.record_review(item, rng.choice([1, 2, 3]), kind=library.cards[item].kind, now=at)
    return ids


def _cram_loaded(app) -> bool:
    screen = app.screen
    return isinstance(screen, CramScreen) and not screen.query_one("#card-scroll").loading


# --------------------------------------------------------------------------- cram


async def test_cram_answers_are_logged_apart_and_leave_every_fsrs_state_as_it_was(
    make_app, shipped
) -> None:
    app = make_app()
    _set_interview(app.store, 2)
    _review_everything_long_ago(app.store, shipped)
    states_before = {i: s.card.to_dict() for i, s in app.store.card_states().items()}
    reviews_before = len(app.store.reviews())
    expected = readiness(gather(app.store, shipped))
    weakest = [i for i in expected.below if shipped.cards[i].kind in CRAMMED]
    async with app.run_test(size=SIZE) as pilot:
        plan = await _open_plan(pilot, app)
        # The plan and cram count the same cards: "N to cram (c)" there, "1 of N to cram" here.
        head = " ".join(visible_text(plan.query_one("#plan-head")).split())
        assert f"{len(expected.below)} cards below target: {len(weakest)} to cram (c)" in head
        await pilot.press("c")
        await _until(pilot, lambda: _cram_loaded(app), "the cram list loads")
        screen = app.screen
        assert TITLE in visible_text(screen.query_one("#study-status"))
        assert f"1 of {len(weakest)} to cram" in visible_text(screen.query_one("#study-status"))
        shown = []
        for rating in ("3", "1", "4"):
            shown.append(screen.session.current.id)
            await pilot.press("space")
            await pilot.pause()
            assert "back in" not in str(screen.query_one("#rate-3").label)  # schedules nothing
            await pilot.press(rating)
            await pilot.pause()
        assert shown == weakest[:3]  # weakest first
        assert not screen.check_action("undo", ())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PlanScreen)
    with reopen_store() as store:
        assert [(c.item_id, int(c.rating)) for c in store.cram_reviews()] == list(
            zip(shown, (3, 1, 4), strict=True)
        )
        assert len(store.reviews()) == reviews_before
        states_after = {i: s.card.to_dict() for i, s in store.card_states().items()}
        assert states_after == states_before
        assert all(i in states_before for i in shown)  # crammed cards had a schedule to keep


async def test_a_finished_cram_session_shows_the_count_and_readiness_before_and_after(
    make_app, tmp_path: Path
) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq(f"faq-{i}") for i in range(4)]})
    app = make_app(library)
    _set_interview(app.store, 3)
    _review_everything_long_ago(app.store, library)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CramScreen())
        await _until(pilot, lambda: _cram_loaded(app), "the cram list loads")
        screen = app.screen
        total = screen.session.total
        assert total == 4
        for _ in range(total):
            await pilot.press("space", "3")
            await pilot.pause()
        await _until(pilot, lambda: screen.after is not None, "readiness after is worked out")
        text = visible_text(screen.query_one("#card"))
        assert "Crammed 4, remembered 4" in text
        before = f"before  {screen.before.overall.ready:.0%} · {len(screen.before.below)} below"
        assert before in text and "after   " in text and "…" not in text
    with reopen_store() as store:
        assert len(store.cram_reviews()) == 4


async def test_cram_without_an_interview_date_says_how_to_set_one(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CramScreen())
        await _until(pilot, lambda: _cram_loaded(app), "the cram screen loads")
        text = visible_text(app.screen.query_one("#card"))
        assert "no interview date is set" in text and "--interview-date" in text
        assert not app.screen.check_action("reveal", ())
        await pilot.press("space", "3")
        await pilot.pause()
    with reopen_store() as store:
        assert store.cram_reviews() == []


async def test_cram_with_every_card_at_target_says_there_is_nothing_to_cram(
    make_app, tmp_path: Path
) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq(f"faq-{i}") for i in range(3)]})
    app = make_app(library)
    _set_interview(app.store, 1)
    for card_id in library.cards:
        app.store.record_review(card_id, 4, kind="faq")  # Easy now: held well past tomorrow
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(CramScreen())
        await _until(pilot, lambda: _cram_loaded(app), "the cram screen loads")
        assert "Nothing to cram" in visible_text(app.screen.query_one("#card"))


async def test_a_cram_answer_while_another_program_locks_the_file_is_kept_and_saved_later(
    make_app, quizapp_home: Path, tmp_path: Path, notices
) -> None:
    from tests.helpers import held_lock

    library = library_of(tmp_path / "decks", {"basics": [faq(f"faq-{i}") for i in range(3)]})
    app = make_app(library)
    _set_interview(app.store, 3)
    _review_everything_long_ago(app.store, library)
    app.store.db.busy_timeout = 0.2
    app.store.db.conn.execute("PRAGMA busy_timeout = 200")
    with held_lock(quizapp_home / "progress.db") as holder:
        async with app.run_test(size=SIZE) as pilot:
            await app.push_screen(CramScreen())
            await _until(pilot, lambda: _cram_loaded(app), "the cram list loads")
            first = app.screen.session.current.id
            await pilot.press("space", "3")
            await pilot.pause()
            assert app.is_running and "NOT SAVING" in app.sub_title
            assert any("locked by another program" in n for n in notices), notices
            holder.kill()
            holder.wait()
            app.store.retry_every = 0
            app._retry_saving()
            await pilot.pause()
            assert "NOT SAVING" not in app.sub_title
        with reopen_store() as store:
            assert [c.item_id for c in store.cram_reviews()] == [first]


# --------------------------------------------------------------------------- readiness


async def test_the_checklist_shows_each_items_predicted_recall_on_the_morning(
    make_app, shipped
) -> None:
    app = make_app()
    day = _set_interview(app.store, 4)
    flashcards = [c.id for c in shipped.cards.values() if c.kind == "faq"][:30]
    with app.store.batch():
        for item in flashcards:
            app.store.record_review(item, 3, kind="faq", now=datetime.now(UTC) - timedelta(days=2))
    expected = readiness(gather(app.store, shipped))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await _until(
            pilot,
            lambda: isinstance(app.screen, ChecklistScreen) and app.screen.ready is not None,
            "the checklist's readiness arrives",
        )
        screen = app.screen
        items = screen.query_one("#items", OptionList)
        first = expected.by_checklist[0]
        assert str(items.get_option_at_index(0).prompt).startswith(f"{first.ready:>4.0%} [ ] 1. ")
        summary = " ".join(visible_text(screen.query_one("#checklist-summary")).split())
        assert "%: predicted recall on the interview morning" in summary
        evidence = visible_text(screen.query_one("#evidence"))
        assert f"{day:%d %b}" in evidence
        assert (
            f"Predicted recall on the morning: {first.ready:.0%} on average, {first.below} of "
            f"{first.items} cards below" in evidence
        )


async def test_stats_show_readiness_overall_per_deck_and_tag(make_app, shipped) -> None:
    app = make_app()
    day = _set_interview(app.store, 6)
    _review_everything_long_ago(app.store, shipped, kinds=("faq", "trap"))
    expected = readiness(gather(app.store, shipped))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("i")
        await _until(
            pilot,
            lambda: isinstance(app.screen, StatsScreen) and app.screen.ready is not None,
            "the stats load",
        )
        panel = app.screen.query_one("#stats-ready")
        text = visible_text(panel)
        assert f"Ready on {day:%a %d %b} (all decks): {expected.overall.ready:.0%} · " in text
        assert f"{len(expected.below)} below 90%" in text
        for group in expected.by_deck:
            assert f"{group.name} {group.ready:.0%} ({group.below} below)" in text
        weakest = min(expected.by_tag, key=lambda g: (g.ready, g.name))
        assert f"{weakest.name} {weakest.ready:.0%}" in text


# --------------------------------------------------------------------------- fit


async def _open_plan(pilot, app) -> PlanScreen:
    await pilot.press("p")
    await _until(
        pilot,
        lambda: (
            isinstance(app.screen, PlanScreen) and not app.screen.query_one("#plan-body").loading
        ),
        "the plan loads",
    )
    return app.screen


async def test_fit_with_too_few_reviews_says_how_far_off_it_is(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_plan(pilot, app)
        assert "0 of about 400 reviews before your own" in visible_text(
            screen.query_one("#plan-fit")
        )
        await pilot.press("f")
        await _until(pilot, lambda: not screen.fitting, "the fit worker ends")
        note = visible_text(screen.query_one("#plan-fit"))
        assert "Not fitted: 0 of about 400 reviews before your own parameters" in note
    with reopen_store() as store:
        assert store.fsrs_fit() is None


async def test_fit_runs_in_a_worker_keeps_the_parameters_and_shows_the_change(
    make_app, shipped
) -> None:
    from tests.unit.test_fit import _synthetic_log

    app = make_app()
    _set_interview(app.store, 10)
    ids = [c.id for c in shipped.cards.values() if c.kind in ("faq", "trap", "concept")]
    with app.store.batch():
        for r in _synthetic_log(200, seed=3):
            item = ids[int(r.item_id.split("-")[1]) % len(ids)]
            app.store.record_review(
                item, r.rating, kind=shipped.cards[item].kind, now=r.reviewed_at
            )
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_plan(pilot, app)
        await pilot.press("f")
        await pilot.pause()
        assert screen.fitting and "Fitting FSRS" in visible_text(screen.query_one("#plan-fit"))
        await pilot.press("question_mark")  # the app answers keys while the optimiser runs
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await _until(pilot, lambda: screen.fit_note is not None, "the fit ends")
        note = visible_text(screen.query_one("#plan-fit"))
        assert "FSRS fitted to you on" in note and "log-loss" in note
        assert "Predicted recall now of the cards you have seen:" in note
        assert "Ready on the morning:" in note and "->" in note
    with reopen_store() as store:
        stored = store.fsrs_fit()
        assert stored is not None and stored["log_loss_fitted"] < stored["log_loss_default"]
        assert list(store.scheduler.parameters) == stored["parameters"]


# --------------------------------------------------------------------------- deck filter


def _drill_ids(screen: DrillsScreen) -> list[str]:
    drills = screen.query_one("#drill-list", OptionList)
    options = (drills.get_option_at_index(i) for i in range(drills.option_count))
    return [o.id for o in options if o.id]


async def test_the_deck_filter_narrows_drills_and_stats_for_the_session(make_app, shipped) -> None:
    app = make_app()
    decks = shipped.decks
    assert len(decks) >= 2
    drill_kinds = ("numeric_drill", "gradient_drill")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DrillsScreen)
        everything = _drill_ids(screen)
        assert {shipped.cards[i].deck for i in everything} == set(decks)
        for deck in decks:
            await pilot.press("f")
            await pilot.pause()
            listed = _drill_ids(screen)
            assert listed and {shipped.cards[i].deck for i in listed} == {deck}
            in_deck = [c for c in shipped.only_deck(deck).cards.values() if c.kind in drill_kinds]
            assert len(listed) == len(in_deck)
            assert f"deck {deck}" in visible_text(screen.query_one("#drills-status"))
        await pilot.press("f")  # back to all
        await pilot.pause()
        assert _drill_ids(screen) == everything
        await pilot.press("f")  # the first deck again, then over to Stats: still that deck
        await pilot.press("escape", "i")
        await _until(
            pilot,
            lambda: isinstance(app.screen, StatsScreen) and app.screen.stats is not None,
            "the stats load",
        )
        stats = app.screen
        only = compute_stats(app.store, shipped, deck=decks[0])
        every = compute_stats(app.store, shipped)
        assert only.checklist_total != every.checklist_total
        tile = visible_text(stats.query_one("#key-checklist"))
        assert f"0 of {only.checklist_total}" in tile
        ready_text = visible_text(stats.query_one("#stats-ready"))
        assert f"deck {decks[0]}" in ready_text
        deck_line = next(line for line in ready_text.splitlines() if line.startswith("Decks:"))
        assert f"{decks[0]} " in deck_line and f"{decks[1]} " not in deck_line
