"""A gradient drill answered as a learner does under Pilot: a derivation typed line by line with
one wrong step, checked, marked in the gutter; a one-line answer graded as before; the hint
ladder; and the keys a hurried learner presses (check twice, check with nothing, leave while
checking). Real decks, real SQLite file, the real checker worker."""

from __future__ import annotations

import re

from quizapp.ui.screens.drills import DrillRunScreen
from quizapp.ui.widgets.question import QuestionView
from tests.ui.conftest import SIZE, reopen_store, visible_text, wait_until, workers_done
from tests.ui.screen_text import on_screen, screen_rows

# grad-mse, L = (y - yhat)^2: line 3 drops the chain factor's sign, line 4 follows from it.
SLIPPED = ["e = y - yhat", "dL/de = 2*e", "dL/dyhat = 2*e", "2*(y - yhat)"]


async def open_drill(pilot, app, item_id: str) -> QuestionView:
    quiz = app.new_quiz(item_ids=[item_id], seed=1, mode="drill")
    await app.push_screen(DrillRunScreen(item_id, quiz))
    await pilot.pause()
    return app.screen.view


async def type_lines(pilot, lines: list[str]) -> None:
    for i, line in enumerate(lines):
        await pilot.press(*line)
        if i < len(lines) - 1:
            await pilot.press("enter")


async def checked(pilot, view: QuestionView) -> str:
    """The feedback panel's text once the check is back."""

    def back() -> bool:
        return view.stage != "checking" and bool(
            visible_text(view.query_one(".q-feedback")).strip()
        )

    await wait_until(pilot, back, what="the check's verdict")
    return visible_text(view.query_one(".q-feedback"))


def line_of(text: str, start: str) -> str:
    found = [line.strip() for line in text.splitlines() if line.strip().startswith(start)]
    assert found, f"no line starting {start!r} in:\n{text}"
    return found[0]


async def test_a_derivation_with_one_wrong_step_is_marked_line_by_line(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_drill(pilot, app, "grad-mse")
        await type_lines(pilot, SLIPPED)
        # The line being typed is previewed, with the helper e spelled out.
        await wait_until(
            pilot,
            lambda: "line 4 interpreted as" in visible_text(view.query_one(".q-preview")),
            what="the preview of the line being typed",
        )
        await pilot.press("ctrl+s")
        text = await checked(pilot, view)
        assert line_of(text, "= 1").endswith("e = y - yhat")
        assert line_of(text, "= 2").endswith("dL/de = 2*e")
        wrong = line_of(text, "✗ 3")
        assert "dL/dyhat = 2*e" in wrong and "first wrong step" in wrong
        assert line_of(text, "↳ 4").endswith("2*(y - yhat)")
        flat = " ".join(text.split())
        assert "follows from line 3, which was wrong" in flat
        assert "The first wrong step is line 3" in flat
        assert "sign" in flat and "(scheduled as Again)" in flat
        assert view.stage == "answered" and view.query_one(".q-answer").read_only
    (review,) = reopen_store().reviews("grad-mse")
    assert (review.verdict, int(review.rating)) == ("incorrect", 1)


async def test_one_line_is_graded_as_a_final_answer_as_before(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        expected = app.checker().check("grad-bce-logit", "y - sigmoid(z)")
        view = await open_drill(pilot, app, "grad-bce-logit")
        # Enter adds a line; enter again on the empty last line checks.
        await pilot.press(*"y - sigmoid(z)", "enter", "enter")
        text = " ".join((await checked(pilot, view)).split())
        assert text.startswith(f"✗ {expected.message}")
        assert f"Read as: {expected.interpreted}" in text
        assert "✓ follows" not in text  # no gutter marks for a final answer
    (review,) = reopen_store().reviews("grad-bce-logit")
    assert review.verdict == expected.verdict == "incorrect"


async def test_the_hint_ladder_shows_one_rung_a_press_and_costs_the_rating(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_drill(pilot, app, "grad-mse")
        card = view.question.card
        await pilot.press("ctrl+t")
        hint = " ".join(visible_text(view.query_one(".q-hint")).split())
        assert "Hint 1 of 3 · the idea" in hint and "2 more" in hint and "Hard" in hint
        assert card.derivation[-2] not in hint  # the derivation is not given away yet
        await pilot.press("ctrl+t", "ctrl+t")
        hint = " ".join(visible_text(view.query_one(".q-hint")).split())
        assert "Hint 3 of 3 · the full derivation" in hint and "Again" in hint
        for line in card.derivation:
            assert line in hint
        offered = {a.binding.action for a in app.active_bindings.values() if a.enabled}
        assert "hint" not in offered and "check" in offered  # the footer drops the hint key
        await pilot.press("ctrl+t")  # nothing more to show
        assert view.hint_level == 3
        await pilot.press(*"2*(yhat - y)", "ctrl+s")
        assert "✓" in await checked(pilot, view)
    (review,) = reopen_store().reviews("grad-mse")
    assert (review.verdict, int(review.rating)) == ("correct", 1)  # copied: Again


async def test_hurried_keys_grade_once_and_never_break(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_drill(pilot, app, "grad-mse")
        await pilot.press("ctrl+s")  # nothing typed
        await pilot.pause()
        told = visible_text(view.query_one(".q-feedback"))
        assert "Type an answer first" in told and view.stage == "answering"
        await pilot.press("enter", "enter")  # blank lines are still nothing
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert view.stage == "answering"
        await type_lines(pilot, ["e = y - yhat", "2*e*(-1)"])
        await pilot.press("ctrl+s", "ctrl+s", "ctrl+j")  # three checks, fast
        assert "✓" in await checked(pilot, view)
        await pilot.press("r")  # a right answer has nothing to retry
        # Leave while a check is running: no error, nothing shown on a gone screen.
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"2*(yhat - y)", "ctrl+s", "escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DrillRunScreen), what="leaving")
        await workers_done(app)
    assert [r.verdict for r in reopen_store().reviews("grad-mse")] == ["correct"]


async def test_a_pasted_wall_of_lines_gets_one_clear_line(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        view = await open_drill(pilot, app, "grad-mse")
        editor = view.query_one(".q-answer")
        editor.insert("\n".join("2*(yhat - y) + ŷ·0" for _ in range(200)))
        await pilot.press("ctrl+s")
        text = " ".join((await checked(pilot, view)).split())
        assert "At most 30 lines, got 200." in text and "check again" in text
        assert view.stage == "answering"  # nothing recorded; the learner may cut it down
        # At 80x24 the whole (full-height) editor and the whole message under it are on
        # screen (the prompt above scrolls up to make room; the message's last line was cut).
        prompt, box = view.query_one(".q-prompt").region, editor.region
        assert prompt.height > 0 and box.height >= 9
        assert prompt.y < box.y and box.y >= 2 and box.bottom <= 23  # under the status line
        for words in ("At most 30 lines, got 200.", "check again."):
            assert on_screen(app, words), screen_rows(app)
    assert reopen_store().reviews("grad-mse") == []


async def test_the_quiz_score_gives_half_a_point_for_a_named_slip(make_app) -> None:
    from quizapp.ui.screens.quiz import QuizResultsScreen, QuizRunScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        quiz = app.new_quiz(item_ids=["grad-mse"], seed=1)
        await app.push_screen(QuizRunScreen(quiz))
        await pilot.pause()
        view = app.screen.view
        await type_lines(pilot, SLIPPED)
        await pilot.press("ctrl+s")
        assert "sign" in await checked(pilot, view)
        await pilot.pause()  # the screen hears the answer after the view shows it
        status = " ".join(visible_text(app.screen.query_one("#run-status")).split())
        assert "½ of 1 right so far" in status
        await pilot.press("n")  # the last question: on to the results
        await pilot.pause()
        assert isinstance(app.screen, QuizResultsScreen)
        body = " ".join(visible_text(app.screen.query_one("#results-body")).split())
        assert "Score: ½ of 1 right (50%); ½ for 1 with a named slip" in body
        assert "Missed" in body  # half a point is still one to revise
        # The table by tag counts the same half point as the score (not 0 of 1).
        for tag in quiz.questions[0].tags:
            assert re.search(rf"{tag} +½/1 +50%", body), body
