"""Practising under Pilot: gradient drills with named mistakes, numeric drills, a whole quiz,
and a mock interview ended early."""

from __future__ import annotations

import random

import pytest

from quizapp.quiz import Quiz
from quizapp.ui.screens.drills import DrillRunScreen, DrillsScreen
from quizapp.ui.screens.mock import MockInterviewScreen, MockReportScreen
from quizapp.ui.screens.quiz import QuizResultsScreen, QuizRunScreen, QuizSetupScreen
from quizapp.ui.widgets.question import QuestionView
from tests.ui.conftest import SIZE, reopen_store, visible_text, wait_until


def feedback_text(view: QuestionView) -> str:
    return " ".join(visible_text(view.query_one(".q-feedback")).split())


async def wait_for_feedback(pilot, view: QuestionView) -> str:
    """The feedback panel's text once the answer is graded (a gradient is checked in a worker)."""

    def graded() -> bool:
        text = feedback_text(view)
        return bool(text) and "Checking" not in text

    await wait_until(pilot, graded, what="the answer's feedback")
    return feedback_text(view)


async def open_drill(pilot, app, item_id: str, seed: int = 1) -> QuestionView:
    quiz = app.new_quiz(item_ids=[item_id], seed=seed, mode="drill")
    await app.push_screen(DrillRunScreen(item_id, quiz))
    await pilot.pause()
    return app.screen.view


async def run_quiz(pilot, item_ids: list[str], **options: object) -> QuestionView:
    """A quiz of ``item_ids`` on screen (``options``: seed, kinds, mode); its first question."""
    app = pilot.app
    await app.push_screen(QuizRunScreen(app.new_quiz(item_ids=item_ids, **options)))
    await pilot.pause()
    return app.screen.view


async def test_a_flipped_sign_is_named_and_a_right_answer_is_stored(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_drill(pilot, app, "grad-bce-logit")
        await pilot.press(*"y - sigmoid(z)")
        # The preview shows how the text was read, as it is typed.
        await wait_until(
            pilot,
            lambda: "interpreted as" in visible_text(view.query_one(".q-preview")),
            what="the preview",
        )
        await pilot.press("ctrl+s")
        feedback = await wait_for_feedback(pilot, view)
        assert "sign" in feedback.lower() and "✗" in feedback
        reviews = reopen_store().reviews("grad-bce-logit")
        assert [(r.verdict, int(r.rating)) for r in reviews] == [("incorrect", 1)]
        await pilot.press("r")  # retry the same derivation
        await pilot.pause()
        view = app.screen.view
        assert view.question.item_id == "grad-bce-logit" and view.feedback is None
        await pilot.press(*"sigmoid(z) - y", "ctrl+s")
        retried = await wait_for_feedback(pilot, view)
        # Right, but just after the answer was shown: Again, as after the full derivation.
        assert "✓" in retried and "scheduled as Again: a retry after the answer" in retried
        await pilot.press("n")  # another: the next derivation
        view = app.screen.view
        assert view.question.item_id != "grad-bce-logit"
        await pilot.press("escape")
        view = await open_drill(pilot, app, "grad-bce-logit")
        await pilot.press(*"sigmoid(z) - y", "ctrl+s")
        feedback = await wait_for_feedback(pilot, view)
        assert "✓" in feedback
    reviews = reopen_store().reviews("grad-bce-logit")
    assert [r.verdict for r in reviews] == ["incorrect", "correct", "correct"]
    # The retry is Again; the same drill answered fresh in a new sitting is rated as usual.
    assert [int(r.rating) for r in reviews][:2] == [1, 1] and int(reviews[2].rating) >= 3


async def test_a_hint_makes_a_right_gradient_count_as_hard(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_drill(pilot, app, "grad-mse")
        await pilot.press("ctrl+t")
        assert "Hint 1" in visible_text(view.query_one(".q-hint"))
        await pilot.press(*"2*(yhat - y)", "ctrl+s")
        await wait_for_feedback(pilot, view)
    (review,) = reopen_store().reviews("grad-mse")
    assert int(review.rating) == 2  # Hard


async def test_numeric_drill_right_then_wrong_with_the_slip_named(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_drill(pilot, app, "num-mse", seed=5)
        drill = view.question.drill
        assert drill is not None
        table = visible_text(view.query_one(".q-prompt"))
        assert "Tolerance" in table and " ".join(drill.formula.split()) in " ".join(table.split())
        await pilot.press(*f"{drill.answer:.6f}", "enter")
        assert "✓" in await wait_for_feedback(pilot, view)
        await pilot.press("n")  # another: fresh numbers for the same template
        view = app.screen.view
        fresh = view.question.drill
        assert fresh is not None and fresh.seed != drill.seed
        slip = next(s for s in fresh.slips if s.id == "sum-not-mean")
        await pilot.press(*f"{slip.value:.6f}", "enter")
        feedback = await wait_for_feedback(pilot, view)
        assert "✗" in feedback and slip.name in feedback
        assert "Worked solution" in feedback
        await pilot.press("r")  # retry: the same numbers again
        await pilot.pause()
        view = app.screen.view
        assert view.question.drill.seed == fresh.seed and view.feedback is None
        await pilot.press(*f"{fresh.answer:.6f}", "enter")
        retried = await wait_for_feedback(pilot, view)
        assert "✓" in retried and "scheduled as Again: a retry after the answer" in retried
        await pilot.press("r")  # nothing to retry after a right answer
        await pilot.pause()
        assert app.screen.view is view
    reviews = reopen_store().reviews("num-mse")
    assert [r.verdict for r in reviews] == ["correct", "incorrect", "correct"]
    assert [r.seed for r in reviews] == [drill.seed, fresh.seed, fresh.seed]
    assert int(reviews[0].rating) >= 3 and [int(r.rating) for r in reviews[1:]] == [1, 1]


async def test_a_whole_quiz_from_setup_to_saved_results(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("z")
        assert isinstance(app.screen, QuizSetupScreen)
        app.screen.query_one("#count").value = "4"
        kinds = app.screen.query_one("#kinds")
        kinds.deselect_all()
        kinds.select("multiple_choice")
        kinds.select("trap")
        await pilot.press("ctrl+s")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, QuizRunScreen)
        assert len(screen.session.questions) == 4
        for i, q in enumerate(screen.session.questions):
            right = next(j for j, c in enumerate(q.choices) if c.correct)
            pick = right if i % 2 == 0 else (right + 1) % len(q.choices)
            await pilot.press("abcdef"[pick])
            await pilot.pause()
            assert screen.view.feedback is not None
            await pilot.press("n")
            await pilot.pause()
        assert isinstance(app.screen, QuizResultsScreen)
        body = " ".join(visible_text(app.screen.query_one("#results-body")).split())
        assert "Score: 2 of 4 right (50%)" in body and "Missed" in body
        await pilot.press("r")  # retry the missed
        await pilot.pause()
        retry = app.screen
        assert isinstance(retry, QuizRunScreen) and len(retry.session.questions) == 2
        q = retry.session.questions[0]
        await pilot.press("abcdef"[next(j for j, c in enumerate(q.choices) if c.correct)])
        # Right, but its explanation was shown a minute ago: rated Again, and it says so.
        text = " ".join(visible_text(retry.view.query_one(".q-feedback")).split())
        assert "scheduled as Again: a retry after the answer was shown" in text
    store = reopen_store()
    first = store.quiz_sessions()[0]
    assert (first.answered, first.correct) == (4, 2) and first.finished_at is not None
    assert int(store.reviews(q.item_id)[-1].rating) == 1


@pytest.fixture
def mock_clock(monkeypatch):
    """The mock interview screen's clock, still unless the test moves it: its double-esc window
    and its 15 minutes do not race a busy machine."""
    from quizapp.ui.screens import mock as mock_screen

    class Clock:
        now = 1000.0

        def monotonic(self) -> float:
            return self.now

    clock = Clock()
    monkeypatch.setattr(mock_screen, "time", clock)
    return clock


async def test_a_mock_interview_ended_early_keeps_its_answers(make_app, mock_clock) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, MockInterviewScreen)
        assert "left" in visible_text(screen.query_one("#run-status"))
        answered = 0
        while answered < 2:
            q = screen.view.question
            if q.choices:
                await pilot.press("a")
                answered += 1
            if screen.view.feedback:
                await pilot.press("n")
            else:
                await screen.action_next()  # skip what this test does not answer
            await pilot.pause()
        await pilot.press("escape")  # one stray escape does not end an interview ...
        await pilot.pause()
        assert isinstance(app.screen, MockInterviewScreen)
        await pilot.press("escape")  # ... a second one does
        await pilot.pause()
        assert isinstance(app.screen, MockReportScreen)
        body = " ".join(visible_text(app.screen.query_one("#report-body")).split())
        assert "2 answered" in body
    (session,) = reopen_store().quiz_sessions()
    assert session.mode == "mock" and session.answered == 2


async def test_the_drills_list_opens_a_drill(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        assert isinstance(app.screen, DrillsScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DrillRunScreen)
        assert app.screen.view.question.kind == "numeric_drill"


def quiz_for_snapshot(app) -> Quiz:
    return app.new_quiz(item_ids=["mc-outliers-huber", "num-huber-large"], seed=4)


def test_snapshot_quiz_question(snap_compare, make_app) -> None:
    app = make_app()

    async def start(pilot) -> None:
        await app.push_screen(QuizRunScreen(quiz_for_snapshot(app)))
        await pilot.pause()

    assert snap_compare(app, run_before=start, terminal_size=SIZE)


def test_snapshot_drill_feedback(snap_compare, make_app) -> None:
    app = make_app()

    async def answer_wrong(pilot) -> None:
        quiz = app.new_quiz(item_ids=["num-huber-large"], seed=4, mode="drill")
        await app.push_screen(DrillRunScreen("num-huber-large", quiz))
        await pilot.pause()
        slip = quiz.questions[0].drill.slips[0]
        await pilot.press(*f"{slip.value:.6f}", "enter")
        await pilot.pause()

    random.seed(0)
    assert snap_compare(app, run_before=answer_wrong, terminal_size=SIZE)


async def test_a_question_open_when_the_mock_times_out_is_counted(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, MockInterviewScreen)
        open_card = screen.view.question.card
        screen.seconds = 0  # the time is up with the first question open
        screen.tick()
        await pilot.pause()
        assert isinstance(app.screen, MockReportScreen)
        body = " ".join(visible_text(app.screen.query_one("#report-body")).split())
        assert "Nothing missed" not in body
        assert "1 question open when the time ran out" in body and open_card.title[:30] in body


async def test_multiple_choice_explains_every_option_and_ordering_gives_the_numbers(
    make_app, shipped
) -> None:
    mc = shipped.of_kind("multiple_choice")[0]
    ordering = shipped.of_kind("ordering")[0]
    app = make_app()
    async with app.run_test(size=(100, 60)) as pilot:
        await run_quiz(pilot, [mc.id, ordering.id], seed=3)
        while app.screen.view.question.kind != "multiple_choice":
            await app.screen.action_next()
        view = app.screen.view
        right = next(i for i, c in enumerate(view.question.choices) if c.correct)
        await pilot.press("abcdef"[right])
        feedback = await wait_for_feedback(pilot, view)
        for option in mc.options:  # every option's explanation, not only two
            assert " ".join(option.why.split())[-40:] in feedback
        assert "Right. Right." not in feedback and feedback.count("Right.") == 1
        assert "your answer" in feedback
    async with make_app().run_test(size=(100, 60)) as pilot:
        app = pilot.app
        await run_quiz(pilot, [ordering.id], seed=3)
        view = app.screen.view
        shown = list(view.question.steps)
        numbers = " ".join(str(shown.index(s) + 1) for s in ordering.steps)
        wrong = " ".join(str(i) for i in range(len(shown), 0, -1))
        if wrong == numbers:
            wrong = " ".join(str(i) for i in range(1, len(shown) + 1))
        await pilot.press(*wrong, "enter")
        feedback = await wait_for_feedback(pilot, view)
        assert f"As step numbers: {numbers}" in feedback


async def test_an_explain_question_ticks_the_points_the_keys_say(make_app, shipped) -> None:

    question = shipped.of_kind("interview_question")[0]
    app = make_app()
    async with app.run_test(size=(100, 50)) as pilot:
        await run_quiz(pilot, [question.id], kinds=[question.kind], mode="quiz")
        await pilot.press("enter")  # show the key points
        await pilot.pause()
        view = app.screen.view
        help_text = " ".join(visible_text(view.query_one(".q-help")).split())
        for point in question.points:  # each in full
            assert " ".join(point.split()) in help_text
        # The first point is highlighted: space ticks it, not nothing.
        await pilot.press("space", "down", "space", "down", "down", "space")
        assert sorted(view.query_one(".q-points").selected) == [0, 1, 3]


async def test_a_quiz_ended_early_does_not_say_nothing_was_missed(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        quiz = app.new_quiz(item_ids=["mc-outliers-huber", "num-huber-large", "grad-mse"], seed=4)
        await app.push_screen(QuizRunScreen(quiz))
        q = app.screen.session.questions[0]
        await pilot.press("abcdef"[next(j for j, c in enumerate(q.choices) if c.correct)])
        await pilot.press("escape")  # ended after one of three
        assert isinstance(app.screen, QuizResultsScreen)
        body = " ".join(visible_text(app.screen.query_one("#results-body")).split())
        assert "Score: 1 of 1 right" in body
        assert "2 not answered (the quiz was ended early)" in body
        assert "Nothing missed" not in body


async def test_a_mock_with_no_answer_does_not_claim_answers_were_saved(
    make_app, mock_clock
) -> None:
    from quizapp.ui.screens.mock import ESCAPE_WINDOW

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        screen = app.screen
        assert isinstance(screen, MockInterviewScreen)
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, MockReportScreen)
        body = " ".join(visible_text(app.screen.query_one("#report-body")).split())
        assert "nothing was recorded" in body and "Every answer was saved" not in body
    assert ESCAPE_WINDOW >= 2  # long enough to read the notice and press again


async def test_the_mocks_second_esc_works_as_long_as_the_notice_says_so(
    make_app, monkeypatch, mock_clock
) -> None:
    from textual.app import App

    from quizapp.ui.screens import mock as mock_screen

    shown: list[float] = []
    real = App.notify

    def spy(self, message, *args, **kwargs):
        if "esc again" in str(message):
            shown.append(kwargs["timeout"])
        return real(self, message, *args, **kwargs)

    clock = mock_clock  # moved by the test: no waiting on a busy machine
    monkeypatch.setattr(App, "notify", spy)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m")
        await pilot.press("escape")
        assert shown == [mock_screen.ESCAPE_WINDOW]  # the notice stays up for the window
        clock.now += mock_screen.ESCAPE_WINDOW - 0.1  # the notice is still up: esc ends it
        await pilot.press("escape")
        assert isinstance(app.screen, MockReportScreen)
    shown.clear()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("m", "escape")
        clock.now += mock_screen.ESCAPE_WINDOW + 0.1  # the notice has gone: esc asks again
        await pilot.press("escape")
        assert isinstance(app.screen, MockInterviewScreen) and len(shown) == 2


async def test_the_footer_names_the_letters_of_the_options_there_are(make_app, shipped) -> None:
    """Four options: the footer says a-d, and e (no option) chooses nothing."""
    mc = shipped.of_kind("multiple_choice")[0]
    trap = shipped.of_kind("trap")[0]
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await run_quiz(pilot, [mc.id, trap.id], seed=3)
        for _question in range(2):
            view = app.screen.view
            count = len(view.question.choices)
            shown = {k: b.binding for k, b in app.screen.active_bindings.items() if b.enabled}
            assert shown["a"].show and shown["a"].key_display == "a-" + "abcdef"[count - 1]
            if count < 6:
                await pilot.press("abcdef"[count])  # a letter past the last option
                await pilot.pause()
                assert view.feedback is None
            await pilot.press("abcdef"[count - 1])
            await wait_for_feedback(pilot, view)
            assert "a" not in {k for k, b in app.screen.active_bindings.items() if b.enabled}
            if app.screen.view is view and _question == 0:
                await app.screen.action_next()
                await pilot.pause()


async def test_the_drills_list_starts_each_section_with_the_notes_basics(make_app, shipped) -> None:
    """The notes' drills (sections of the notes: MSE, BCE, cross-entropy) come before those of
    the decks beyond them, in file order, so enter on a fresh list opens a basic one."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        screen = app.screen
        assert isinstance(screen, DrillsScreen)
        drills = screen.query_one("#drill-list")
        ids = [drills.get_option_at_index(i).id for i in range(drills.option_count)]
        for kind in ("numeric_drill", "gradient_drill"):
            listed = [shipped.cards[i] for i in ids if i and shipped.cards[i].kind == kind]
            assert {c.id for c in listed} == {c.id for c in shipped.of_kind(kind)}
            notes = [c for c in listed if c.section is not None]
            assert notes and listed[: len(notes)] == notes
            beyond = [c for c in shipped.of_kind(kind) if c.section is None]
            assert listed[len(notes) :] == beyond  # the rest in file order
        await pilot.press("enter")
        await pilot.pause()
        first = app.screen.view.question.card
        assert first.section is not None and first.kind == "numeric_drill"
