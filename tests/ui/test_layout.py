"""Layouts that fit: 80x24 (nothing cut mid-word, nothing below the fold that matters) and wide
terminals (a readable line length), with notifications over nothing the learner needs."""

from __future__ import annotations

from quizapp.ui.screens.areas import AREAS
from quizapp.ui.widgets.card_view import CardView
from tests.ui.conftest import visible_text, wait_until, workers_done


async def test_the_home_menu_fits_80_columns_without_cutting_a_word(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        menu = app.screen.query_one("#menu")
        text = str(menu.render())
        assert "…" not in text
        for area in AREAS:
            assert area.short in text or area.description in text


async def test_the_loss_comparison_is_readable_at_80_columns(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h", "2")
        await pilot.pause()
        text = visible_text(app.screen.query_one("#comparison-table"))
        assert "…" not in text
        assert "Regression" in text and "Mean squared error" in text


async def test_card_text_keeps_a_readable_width_on_a_wide_terminal(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("s", "space")
        await pilot.pause()
        card = app.screen.query_one(CardView)
        assert card.size.width <= 100
        # ... and centred, not hugging the left edge.
        assert card.region.x > 20


async def test_a_rating_notice_covers_no_rating_button(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("s", "space")
        # A notice as long as a rating's, kept up long enough to measure on a busy machine.
        app.notify("Good · back in 10m", timeout=60)
        rack = app.screen.query_one("#textual-toastrack")
        # Toasts are mounted on a later refresh ("Toast" is their widget's type name).
        await wait_until(
            pilot, lambda: any(t.region for t in rack.query("Toast")), what="the notice on screen"
        )
        toasts = list(rack.query("Toast"))
        buttons = [b.region for b in app.screen.query("#actions Button") if b.display]
        assert buttons
        for toast in toasts:
            assert toast.region.height <= 2
            for button in buttons:
                assert not toast.region.overlaps(button)


async def test_the_tag_chart_draws_as_many_bars_as_its_subtitle_says(make_app, shipped) -> None:
    import re

    from quizapp.ui.screens.stats import StatsScreen
    from quizapp.ui.widgets.plots import Chart
    from tests.ui.history import NOW, seed_history, utc

    with utc():
        seed_history(shipped)
        for size in ((80, 24), (160, 50)):
            app = make_app()
            async with app.run_test(size=size) as pilot:
                await app.push_screen(StatsScreen(now=NOW))
                await wait_until(pilot, app.screen.settled, what="the stats drawn")
                drawn = app.screen.query_one("#chart-accuracy", Chart).drawn["accuracy"]
                subtitle = str(app.screen.query_one("#panel-accuracy").border_subtitle)
                said = re.search(r"weakest (\d+) of", subtitle)
                if said:
                    assert int(said.group(1)) == len(drawn), (size, subtitle)
                chart = app.screen.query_one("#chart-accuracy", Chart)
                assert chart.size.height == len(drawn) + 3  # one row per bar, each bar shown


async def test_the_stats_panels_are_drawn_alike_whenever_the_numbers_arrive(
    make_app, shipped, monkeypatch
) -> None:
    """The numbers come from a worker: before the screen's first layout or long after it, the
    readiness strip and the tag chart end up drawn the same (the snapshot raced on this)."""
    import threading

    from quizapp.ui.screens import stats as stats_screen
    from tests.ui.history import NOW, seed_history, utc

    real = stats_screen.compute_stats
    gate = threading.Event()

    def gated(*args, **kwargs):
        assert gate.wait(60), "the test never let the numbers through"
        return real(*args, **kwargs)

    monkeypatch.setattr(stats_screen, "compute_stats", gated)
    drawn = []
    with utc():
        seed_history(shipped)
        for early in (True, False):
            gate.clear()
            if early:
                gate.set()
            app = make_app()
            async with app.run_test(size=(80, 24)) as pilot:
                screen = stats_screen.StatsScreen(now=NOW)
                await app.push_screen(screen)
                if not early:  # the screen is laid out, loading, when the numbers come
                    await wait_until(pilot, lambda s=screen: s.size.height > 0, what="a layout")
                    gate.set()
                await wait_until(pilot, screen.settled, what="the stats drawn")
                drawn.append(
                    (
                        str(screen.query_one("#panel-accuracy").border_subtitle),
                        visible_text(screen.query_one("#stats-ready")),
                    )
                )
    assert drawn[0] == drawn[1]
    assert "weakest" in drawn[0][0]


async def test_home_gives_today_more_room_on_a_wide_terminal(make_app) -> None:
    """At 80 columns Today keeps its width; at 200 it widens so its lines do not wrap."""
    widths = {}
    for size in ((80, 24), (200, 50)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await workers_done(app)
            await pilot.pause()
            widths[size[0]] = app.screen.query_one("#today").size.width
    assert widths[200] >= widths[80] + 20  # 80 columns keep the old layout (the snapshot)
