"""What the fourth newcomer walkthrough (walker2) found in the app, at the sizes it was seen."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from rich.console import Console

from quizapp.ui.screens.quiz import QuizRunScreen
from quizapp.ui.widgets.loss_curve import WIDTH, curve_renderable, fit_height
from tests.ui.conftest import browser_with_rows, wait_until
from tests.ui.screen_text import on_screen, screen_rows


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_typed_answer_that_cannot_be_read_is_said_in_view(make_app, size) -> None:
    """At 80x24 an ordering question fills the screen: "1 1 1 1 1" enter put "Type each step
    number 1-5 once" below the answer box, out of view, and the learner saw nothing happen."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        quiz = app.new_quiz(item_ids=["order-production-loss-choice"], seed=1)
        await app.push_screen(QuizRunScreen(quiz))
        await wait_until(pilot, lambda: app.screen.view is not None, what="the question")
        await pilot.press(*"1 1 1 1 1", "enter")
        said = "Type each step number 1-5 once"
        await wait_until(pilot, lambda: on_screen(app, said), what=f"{said!r} in view")
        assert on_screen(app, "1 1 1 1 1"), screen_rows(app)  # the answer box stays in view too


def _labels(rows: list[str], pattern: str) -> list[tuple[int, float]]:
    found = ((i, re.search(pattern, row)) for i, row in enumerate(rows))
    return [(i, float(m.group(1).replace("−", "-"))) for i, m in found if m]


@pytest.mark.parametrize("terminal_rows", [22, 23, 24, 25, 26, 27, 50])
def test_a_loss_curves_value_axis_steps_evenly(shipped, terminal_rows) -> None:
    """At 80x24 a curve's axis read 3.01, 2.51, 2.02, 1.03, 0.54, 0.05 on six rows in a row:
    plotext put each label on the row nearest its value, and one step held two. Every label of
    either axis now stands on its own row, and equal row steps are equal value steps."""
    height = fit_height(terminal_rows)
    for card in shipped.of_kind("loss_curve"):
        console = Console(width=100, file=io.StringIO(), color_system=None, record=True)
        console.print(curve_renderable(card, WIDTH, height))
        rows = console.export_text().splitlines()
        for side in (r"^\s*(−?[0-9.]+)┤", r"├(−?[0-9.]+)\s*$"):
            labels = _labels(rows, side)
            if not labels and side.startswith("├"):
                continue  # no right-hand axis on this card
            assert len(labels) >= 3, (card.id, height, rows)
            slopes = [(b[1] - a[1]) / (b[0] - a[0]) for a, b in itertools.pairwise(labels)]
            assert max(slopes) - min(slopes) <= 1e-9 * abs(slopes[0]), (card.id, height, labels)


async def test_an_editor_setting_that_cannot_be_read_is_said_not_a_crash(
    make_app, monkeypatch, notices
) -> None:
    """EDITOR="vim 'x" (a quote left open): `e` in Browse ended the app with a traceback."""
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "vim 'x")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await browser_with_rows(pilot)
        await pilot.press("e")
        said = "Cannot read $EDITOR (vim 'x): No closing quotation"
        await wait_until(pilot, lambda: said in notices, what="the notice")
        assert app.is_running and app.screen is screen
