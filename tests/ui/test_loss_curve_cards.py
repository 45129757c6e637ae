"""The "read the loss curve" kind under Pilot: the question shows both curves drawn in the
terminal, a wrong diagnosis is explained and recorded, the right one is accepted; a divergent run
says where it became NaN; and a snapshot pins the picture."""

from __future__ import annotations

from quizapp.quiz import Quiz
from quizapp.training_curves import curves
from quizapp.ui.screens.quiz import QuizRunScreen
from quizapp.ui.widgets.question import QuestionView
from tests.ui.conftest import SIZE, reopen_store, visible_text


def curve_quiz(app, item_id: str) -> Quiz:
    return app.new_quiz(item_ids=[item_id], seed=3)


async def open_question(pilot, app, item_id: str) -> QuestionView:
    await app.push_screen(QuizRunScreen(curve_quiz(app, item_id)))
    await pilot.pause()
    return app.screen.query_one(QuestionView)


async def test_the_question_draws_both_curves_and_grades_the_diagnosis(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_question(pilot, app, "curve-overfitting")
        prompt = visible_text(view.query_one(".q-prompt"))
        assert "READ THE LOSS CURVE" in visible_text(view.query_one(".q-header"))
        assert "train" in prompt and "validation" in prompt and "epoch" in prompt
        # Braille dots: the curves themselves are on screen, not only the axes.
        assert sum("\u2800" < ch <= "\u28ff" for ch in prompt) > 40
        choices = view.question.choices
        wrong = next(i for i, c in enumerate(choices) if not c.correct)
        await pilot.press("abcdef"[wrong])
        await pilot.pause()
        feedback = " ".join(visible_text(view.query_one(".q-feedback")).split())
        assert "✗" in feedback
        # The chosen option's explanation is shown, in the learner's words of the card.
        assert " ".join(choices[wrong].why.split())[:40] in feedback
    (review,) = reopen_store().reviews("curve-overfitting")
    assert review.verdict == "incorrect" and int(review.rating) == 1


async def test_the_right_diagnosis_is_accepted(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_question(pilot, app, "curve-lr-too-high-spikes")
        right = next(i for i, c in enumerate(view.question.choices) if c.correct)
        await pilot.press("abcdef"[right])
        await pilot.pause()
        assert "✓" in visible_text(view.query_one(".q-feedback"))
    assert [r.verdict for r in reopen_store().reviews("curve-lr-too-high-spikes")] == ["correct"]


async def test_a_diverging_run_says_where_the_loss_became_nan(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_question(pilot, app, "curve-divergence-nan")
        data = curves(app.library.cards["curve-divergence-nan"])
        first = next(i for i, v in enumerate(data["train"]) if v != v)
        prompt = visible_text(view.query_one(".q-prompt"))
        assert f"train loss: nan from epoch {first} on" in prompt


def test_snapshot_loss_curve_question(snap_compare, make_app) -> None:
    app = make_app()

    async def start(pilot) -> None:
        await app.push_screen(QuizRunScreen(curve_quiz(app, "curve-overfitting")))
        await pilot.pause()

    assert snap_compare(app, run_before=start, terminal_size=SIZE)


def test_snapshot_loss_curve_question_at_80x24(snap_compare, make_app) -> None:
    app = make_app()

    async def start(pilot) -> None:
        await app.push_screen(QuizRunScreen(curve_quiz(app, "curve-cyclic-lr-bumps")))
        await pilot.pause()

    assert snap_compare(app, run_before=start, terminal_size=(80, 24))


def test_the_epoch_axis_is_labelled_with_whole_epochs(shipped) -> None:
    import io
    import re

    from rich.console import Console

    from quizapp.ui.widgets.loss_curve import curve_renderable

    for card in shipped.of_kind("loss_curve"):
        console = Console(width=80, file=io.StringIO(), color_system=None, record=True)
        console.print(curve_renderable(card))
        lines = console.export_text().splitlines()
        axis = lines[next(i for i, line in enumerate(lines) if "└" in line) + 1]
        labels = re.findall(r"\S+", axis)
        assert labels and labels[0] == "0", (card.id, axis)
        assert all(label.isdigit() for label in labels), (card.id, axis)  # no 19.8, 39.5
