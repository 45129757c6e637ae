"""The loss-curve explorer and the stats screen under Pilot: what they plot, and how a learner
reaches them."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from quizapp.ui.screens import stats as stats_screen
from quizapp.ui.screens.curves import LossCurvesScreen
from quizapp.ui.screens.home import HomeScreen
from quizapp.ui.screens.stats import StatsScreen
from quizapp.ui.screens.study import StudyScreen
from quizapp.ui.widgets.plots import Chart
from tests.ui.conftest import SIZE, visible_text, wait_until, workers_done
from tests.ui.history import NOW, seed_history, utc


def status(app) -> str:
    return visible_text(app.screen.query_one("#curves-status"))


async def open_curves(app, pilot, panel: str = "regression") -> LossCurvesScreen:
    await app.push_screen(LossCurvesScreen(panel=panel))
    await pilot.pause()
    assert isinstance(app.screen, LossCurvesScreen)
    return app.screen


def loss_curve_offered(app) -> bool:
    """Whether the footer offers v (Loss curve) right now."""
    binding = app.active_bindings.get("v")
    return binding is not None and binding.enabled and binding.binding.description == "Loss curve"


# --------------------------------------------------------------------------- loss curves


async def test_g_flips_every_panel_between_loss_and_gradient(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_curves(app, pilot)
        chart = screen.query_one("#chart-regression", Chart)
        assert chart.ylabel == "loss" and "the loss (g flips)" in status(app)
        # At e = −4: MSE = 16 and MAE = 4 ...
        assert chart.drawn["MSE"][0] == 16 and chart.drawn["MAE"][0] == 4
        await pilot.press("g")
        assert chart.ylabel == "∂L/∂ŷ" and "the gradient (g flips)" in status(app)
        # ... and their pull on ŷ there: 2(ŷ − y) = 8 and sign(ŷ − y) = 1.
        assert chart.drawn["MSE"][0] == 8 and chart.drawn["MAE"][0] == 1
        bce = screen.query_one("#chart-bce", Chart)
        assert bce.ylabel == "∂L/∂p" and bce.drawn["y = 1"][0] == pytest.approx(-100)
        await pilot.press("g")
        assert chart.ylabel == "loss" and chart.drawn["MSE"][0] == 16


async def test_plus_and_minus_move_huber_delta_within_its_range(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_curves(app, pilot)
        chart = screen.query_one("#chart-regression", Chart)
        mse = chart.drawn["MSE"]
        assert "δ = 1 " in status(app) and "Huber δ=1" in chart.drawn
        await pilot.press("+")
        assert "δ = 1.25" in status(app)
        # Huber at e = −4 with δ = 1.25: 1.25 (4 − 0.625).
        assert chart.drawn["Huber δ=1.25"][0] == pytest.approx(4.21875)
        assert chart.drawn["MSE"] == mse  # only Huber moves
        facts = visible_text(screen.query_one("#facts-regression"))
        assert "Huber(δ=1.25) 4.22" in facts
        for _ in range(10):
            await pilot.press("-")
        assert "δ = 0.25" in status(app)  # the floor
        assert "Huber δ=0.25" in chart.drawn
        for _ in range(20):
            await pilot.press("+")
        assert "δ = 3" in status(app)  # the ceiling


async def test_number_keys_switch_panels(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_curves(app, pilot)
        await pilot.press("3")
        assert screen.panel_name == "focal"
        facts = visible_text(screen.query_one("#facts-focal"))
        assert "100× less" in facts
        await pilot.press("2")
        assert screen.panel_name == "bce"


async def test_v_on_a_formula_card_opens_its_panel_and_escape_returns_to_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(StudyScreen(ids=["formula-bce", "formula-focal"]))
        await pilot.pause()
        study = app.screen
        assert loss_curve_offered(app)
        await pilot.press("space", "v")
        await pilot.pause()
        assert isinstance(app.screen, LossCurvesScreen)
        assert app.screen.panel_name == "bce"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is study
        assert study.session.current.id == "formula-bce" and study.revealed
        await pilot.press("3")  # rate Good: on to the focal card
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.panel_name == "focal"


async def test_v_does_nothing_on_cards_without_a_curve(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Hinge loss has a formula card but no panel; a trap is not a formula at all.
        await app.push_screen(StudyScreen(ids=["formula-hinge", "trap-mse-everywhere"]))
        await pilot.pause()
        study = app.screen
        for card in ("formula-hinge", "trap-mse-everywhere"):
            assert study.session.current.id == card
            assert not loss_curve_offered(app)
            await pilot.press("v")
            await pilot.pause()
            assert app.screen is study
            await pilot.press("space", "3")


async def test_home_keys_open_the_explorer_and_stats(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, LossCurvesScreen)
        assert app.screen.panel_name == "regression"
        await pilot.press("escape", "i")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)


# --------------------------------------------------------------------------- stats


async def test_stats_show_the_seeded_reviews(make_app, shipped) -> None:
    with utc():
        per_day = seed_history(shipped)
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await app.push_screen(StatsScreen(now=NOW))
            await wait_until(pilot, app.screen.settled, what="the stats drawn")
            screen = app.screen
            total = sum(per_day.values())
            tile = visible_text(screen.query_one("#key-reviews")).splitlines()
            # Each number with its own words (not "56  56 today / reviews").
            assert tile[:2] == [f"{total} reviews", f"{per_day[NOW.date()]} today"]
            reviews = screen.query_one("#chart-reviews", Chart).drawn["reviews"]
            days = [NOW.date() - timedelta(days=n) for n in range(29, -1, -1)]
            assert reviews == [per_day.get(d, 0) for d in days]
            assert "streak" in visible_text(screen.query_one("#key-streak"))
            accuracy = screen.query_one("#chart-accuracy", Chart).drawn["accuracy"]
            assert accuracy and all(0 <= a <= 100 for a in accuracy)
            assert accuracy == sorted(accuracy)  # weakest tag first
            weakest = visible_text(screen.query_one("#weakest"))
            assert screen.stats is not None
            assert screen.stats.weakest[0].title[:20] in weakest
            assert not screen.query_one("#stats-empty").display


async def test_stats_with_no_history_say_so(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await workers_done(app)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StatsScreen)
        assert "No reviews yet" in visible_text(screen.query_one("#stats-empty"))
        assert not screen.query_one("#stats-grid").display
        await pilot.press("s")  # the way out the message offers
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)


async def test_stats_load_in_a_worker_while_the_screen_stays_live(make_app, monkeypatch) -> None:
    release = threading.Event()
    real = stats_screen.compute_stats

    def slow(*args, **kwargs):
        release.wait(timeout=10)
        return real(*args, **kwargs)

    monkeypatch.setattr(stats_screen, "compute_stats", slow)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(StatsScreen(now=NOW))
        await pilot.pause()
        body = app.screen.query_one("#stats-body")
        assert body.loading  # a loading indicator, and the event loop still runs:
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        release.set()
        await workers_done(app)
        await pilot.pause()
        assert not body.loading
        assert "No reviews yet" in visible_text(app.screen.query_one("#stats-empty"))


@pytest.mark.parametrize("size", [(80, 24), (160, 50)])
async def test_the_legend_never_covers_a_curve(make_app, size) -> None:
    import re

    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_curves(app, pilot)
        await pilot.pause()
        chart = screen.query_one("#chart-regression", Chart)
        chart.render()
        text = re.sub(r"\x1b\[[0-9;]*m", "", chart.plt.build())
        legend_rows = [line for line in text.splitlines() if "MSE" in line or "Huber" in line]
        assert len(legend_rows) >= 2
        for row in legend_rows:
            # The legend's own marker is the only braille on its rows: no curve under it.
            braille = [c for c in row if "\u2800" <= c <= "\u28ff" and c != "⢕"]
            assert not braille, row
