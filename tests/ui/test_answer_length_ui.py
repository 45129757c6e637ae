"""Issue 26 item 15 as the learner sees it: a long paste into a gradient drill's box gets one
count from the live preview and the same words from the check (real checker process)."""

from __future__ import annotations

import pytest
from textual import events

from quizapp.mathcheck.lexer import MAX_LENGTH
from quizapp.ui.screens.drills import DrillRunScreen
from quizapp.ui.widgets.derivation import DerivationEditor
from tests.ui.conftest import visible_text, wait_until


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_long_paste_is_counted_alike_by_the_preview_and_the_check(make_app, size) -> None:
    body = "sigmoid(z) - y + 0." + "0" * (MAX_LENGTH + 1 - 19)  # one character too many
    pasted = " " + body + " "  # a paste often brings a space at each end
    said = f"answer too long: {MAX_LENGTH + 1} characters (at most {MAX_LENGTH})"
    app = make_app()
    async with app.run_test(size=size) as pilot:
        quiz = app.new_quiz(item_ids=["grad-bce-logit"], seed=1, mode="drill")
        screen = DrillRunScreen("grad-bce-logit", quiz)
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.view is not None, what="the drill")
        view = screen.view
        editor = view.query_one(DerivationEditor)
        app.post_message(events.Paste(pasted))  # as the terminal delivers a paste
        await wait_until(pilot, lambda: editor.text == pasted, what="the paste in the box")
        preview = view.query_one(".q-preview")
        await wait_until(
            pilot, lambda: said in " ".join(visible_text(preview).split()), what="the preview"
        )
        await pilot.press("ctrl+s")
        feedback = view.query_one(".q-feedback")
        await wait_until(
            pilot,
            lambda: said in " ".join(visible_text(feedback).split()),
            what="the check's message",
        )
        assert view.feedback is None  # not graded: the learner shortens it and checks again
        editor.action_cursor_line_end()
        await pilot.press("backspace", "backspace")  # the space and one 0: now at the limit
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: view.feedback is not None, what="the verdict")
        assert view.feedback.correct is True
