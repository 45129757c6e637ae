"""A proved gradient's proof, as the learner sees it under Pilot at 80x24 and 200x50: the verdict
says how to unfold it, `p` shows the canonical forms and the regions on the screen, `p` folds it
again; a wrong answer has no proof and no `p`. Real decks, real SQLite file, the real checker."""

from __future__ import annotations

import pytest

from tests.ui.conftest import visible_text, wait_until
from tests.ui.test_derivation_ui import checked, open_drill, type_lines


def screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """Every row of the terminal as the learner sees it now."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def offered(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {a.binding.action for a in app.active_bindings.values() if a.enabled}


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_p_unfolds_the_proof_of_a_right_answer_on_screen_and_folds_it(
    make_app, size: tuple[int, int]
) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        expected = app.checker().check("grad-bce-logit", "sigmoid(z) - y")
        assert expected.verdict == "correct" and expected.proof
        view = await open_drill(pilot, app, "grad-bce-logit")
        await pilot.press(*"sigmoid(z) - y", "ctrl+s")
        text = " ".join((await checked(pilot, view)).split())
        assert text.startswith("✓ Correct — proved: in each case (y = 0, y = 1)")
        assert "▸ The proof: press p to see the canonical forms and regions" in text
        assert "both reduce to" not in text  # folded
        assert "proof" in offered(app)

        await pilot.press("p")
        await wait_until(
            pilot,
            lambda: "▾ The proof" in screen_text(app),
            what="the unfolded proof on the screen",
        )
        panel = " ".join(visible_text(view.query_one(".q-feedback")).split())
        for line in expected.proof:  # every line of the proof, as the checker gave it
            assert " ".join(line.split()) in panel
        shown = " ".join(screen_text(app).split())
        assert "when y = 0, both reduce to:" in shown  # scrolled into view, not below the fold
        assert "region: y = 0: everywhere" in panel and "region: y = 1: everywhere" in panel

        await pilot.press("p")
        await wait_until(
            pilot,
            lambda: "▸ The proof" in visible_text(view.query_one(".q-feedback")),
            what="the proof folded again",
        )
        assert "both reduce to" not in visible_text(view.query_one(".q-feedback"))


async def test_a_proved_derivation_unfolds_the_proof_of_its_last_line(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_drill(pilot, app, "grad-huber")
        await type_lines(pilot, ["u = yhat - y", "clip(u, -delta, delta)"])
        await pilot.press("ctrl+s")
        text = " ".join((await checked(pilot, view)).split())
        assert text.startswith("✓ Correct") and "first wrong step" not in text
        assert "▸ The proof" in text
        await pilot.press("p")
        await wait_until(
            pilot,
            lambda: "▾ The proof" in visible_text(view.query_one(".q-feedback")),
            what="the unfolded proof",
        )
        panel = " ".join(visible_text(view.query_one(".q-feedback")).split())
        # Huber's derivative switches at |e| = delta: each region between the switches is named.
        assert panel.count("region:") >= 3 and "delta" in panel


async def test_a_wrong_answer_has_no_proof_to_unfold(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_drill(pilot, app, "grad-bce-logit")
        await pilot.press(*"y - sigmoid(z)", "ctrl+s")
        text = await checked(pilot, view)
        assert text.startswith("✗") and "The proof" not in text
        assert "proof" not in offered(app)
        await pilot.press("p")  # nothing to unfold: the key does nothing
        assert "The proof" not in visible_text(view.query_one(".q-feedback"))
