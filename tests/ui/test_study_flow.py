"""Studying as a learner does it: reveal, rate, undo, session end, traps, interview questions."""

from __future__ import annotations

from fsrs import Rating
from textual.widgets import Input

from quizapp.decks.models import InterviewQuestion, Trap
from quizapp.ui.screens.study import StudyScreen
from quizapp.ui.widgets.card_view import CardView
from tests.ui.conftest import SIZE, reopen_store, visible_text, wait_until


def card_text(app) -> str:
    return " ".join(visible_text(app.screen.query_one(CardView)).split())


async def open_traps(pilot) -> tuple[StudyScreen, Trap]:
    """Traps from Home (t): the screen and its first trap."""
    await pilot.press("t")
    screen = pilot.app.screen
    assert isinstance(screen, StudyScreen)
    trap = screen.session.current
    assert isinstance(trap, Trap)
    return screen, trap


async def test_card_headers_point_at_no_notes_a_learner_cannot_open(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "space")
        assert "§" not in card_text(app) and "notes" not in card_text(app).split("──")[0]


async def test_rating_a_card_stores_the_review_at_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        first = screen.session.current
        assert first is not None
        # How many are left, not only how many were reviewed (20 new cards a day by default).
        assert "0 reviewed · 20 left" in visible_text(screen.query_one("#study-status"))
        await pilot.press("space")
        assert screen.revealed
        await pilot.press("3")
        await pilot.pause()
        # Written as the learner rated: a second connection already sees it.
        reviews = reopen_store().reviews(first.id)
        assert [r.rating for r in reviews] == [Rating.Good]
        assert reviews[0].kind == first.kind
        assert reviews[0].duration_ms is not None
        assert screen.session.current is not None and screen.session.current.id != first.id


async def test_rating_keys_do_nothing_before_the_answer_is_shown(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "3", "4")
        await pilot.pause()
        assert reopen_store().reviews() == []
        assert not app.screen.revealed


async def test_undo_takes_back_the_last_rating_and_shows_the_card_again(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        screen = app.screen
        first = screen.session.current
        await pilot.press("space", "1")
        await pilot.pause()
        assert len(reopen_store().reviews()) == 1
        await pilot.press("u")
        await pilot.pause()
        assert reopen_store().reviews() == []
        assert screen.session.current.id == first.id
        assert not screen.revealed  # question side again


async def test_rating_buttons_show_the_next_interval(make_app, notices) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "space")
        labels = [str(app.screen.query_one(f"#rate-{k}").label) for k in "1234"]
        assert labels[0].startswith("1 Again · ") and labels[3].startswith("4 Easy · ")
        # A new card: Again comes back in minutes, Easy in days.
        assert labels[0].endswith("m") and labels[3].endswith("d")
        for key in "2341":  # the toast after each rating repeats its button's words exactly
            label = str(app.screen.query_one(f"#rate-{key}").label)
            await pilot.press(key, "space")  # rate, and show the next card's answer
            name, back = label[2:].split(" · ")
            assert notices[-1] == f"{name} · back in {back}"


async def test_a_session_ends_with_a_summary(make_app, shipped) -> None:
    ids = [c.id for c in shipped.of_kind("faq")[:2]]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(StudyScreen(ids=ids, title="Two FAQs"))
        await pilot.pause()
        await pilot.press("space", "3", "space", "4")
        await pilot.pause()
        text = card_text(app)
        assert "Session complete" in text
        assert "2 cards reviewed" in text and "Good 1" in text and "Easy 1" in text


async def test_traps_ask_for_your_take_then_show_the_correct_claim(make_app, shipped) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, trap = await open_traps(pilot)
        assert screen.session.total == len(shipped.of_kind("trap"))
        assert trap.claim in card_text(app) and trap.correct not in card_text(app)
        # The answer box has focus: typed keys are words, not commands.
        await pilot.press(*"q3 it ignores gradients")
        assert not screen.revealed and reopen_store().reviews() == []
        await pilot.press("enter")
        assert screen.revealed
        assert " ".join(trap.correct.split()) in card_text(app)
        # The learner's words sit above the answer, where they compare the two.
        text = card_text(app)
        assert "You wrote q3 it ignores gradients" in text
        assert text.index("q3 it ignores gradients") < text.index(" ".join(trap.correct.split()))


async def test_space_in_an_empty_take_box_shows_the_answer_as_the_button_says(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        screen = app.screen
        assert isinstance(screen.focused, Input)  # the take box, ready for typing
        await pilot.press("space")
        assert screen.revealed
        assert "You wrote" not in card_text(app)
        await pilot.press("3")  # and the rating keys work at once
        await pilot.pause()
        assert len(reopen_store().reviews()) == 1
        # Once the learner has typed, space is a space again.
        await pilot.press(*"a b")
        assert not screen.revealed
        assert screen.query_one("#take", Input).value == "a b"


async def test_interview_question_ticks_suggest_the_rating(make_app, shipped) -> None:
    question = shipped.of_kind("interview_question")[0]
    assert isinstance(question, InterviewQuestion)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(StudyScreen(ids=[question.id]))
        await pilot.pause()
        await pilot.press("space")
        points = app.screen.query_one("#points")
        assert points.option_count == len(question.points)
        for point in question.points:  # each in full, not cut at the list's width
            assert " ".join(point.split()) in card_text(app)
        # The first point is highlighted: space, down, space ticks the first two.
        await pilot.press("space", "down", "space")
        assert sorted(points.selected) == [0, 1]
        points.select_all()
        await pilot.pause()
        # The suggestion sits on the tick list's border, beside the ticks it counts.
        assert f"{len(question.points)} of {len(question.points)} key points · suggested Easy" in (
            str(points.border_title)
        )
        await pilot.press("a")
        await pilot.pause()
        assert [r.rating for r in reopen_store().reviews(question.id)] == [Rating.Easy]


async def test_s_on_the_summary_studies_on_when_more_is_allowed(make_app, notices) -> None:
    import dataclasses

    from quizapp.store import Store

    store = Store.open()
    store.save_settings(dataclasses.replace(store.settings, new_per_day=2))
    store.close()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "space", "4", "space", "4")
        await pilot.pause()
        screen = app.screen
        assert "Session complete" in card_text(app)
        # Nothing is left: say when the next card comes and how to get more new ones.
        text = card_text(app)
        assert "Nothing else is due now; the next card comes due at" in text
        assert "Today's 2 new cards are used" in text and "Settings (o)" in text
        await pilot.press("s")  # does not do nothing: it says the same
        await pilot.pause()
        assert any("next card comes due" in n for n in notices), notices
        app.store.save_settings(dataclasses.replace(app.store.settings, new_per_day=3))
        await pilot.press("s")
        await pilot.pause()
        assert screen.session.current is not None  # a third new card
        assert "Session complete" not in card_text(app)


async def test_space_on_the_answer_side_rates_good_as_the_footer_says(make_app, shipped) -> None:
    ids = [c.id for c in shipped.of_kind("faq")[:2]]
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await app.push_screen(StudyScreen(ids=ids))
        await pilot.press("space")  # the answer side
        active = app.screen.active_bindings
        footer = {key: b.binding.description for key, b in active.items() if b.enabled}
        assert footer["space"] == "Good"
        await pilot.press("space")
        assert app.screen.session.current.id == ids[1]
        await pilot.press("space", "enter")  # enter: the Good button, which has the focus
        assert app.screen.session.current is None
    assert [int(r.rating) for r in reopen_store().reviews()] == [3, 3]


async def test_q_in_study_goes_back_and_does_not_quit(make_app) -> None:
    from quizapp.ui.screens.home import HomeScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "space", "3", "q")
        assert app.is_running and isinstance(app.screen, HomeScreen)
        await pilot.press("t")  # a trap: q typed in its answer box is a letter
        assert isinstance(app.screen.focused, Input)
        await pilot.press("q")
        assert isinstance(app.screen, StudyScreen) and app.screen.focused.value == "q"
    assert len(reopen_store().reviews()) == 1


async def test_a_long_take_is_cut_short_above_the_answer(make_app) -> None:
    """A pasted essay as the take: its first 400 characters and its length show, then the
    answer, not 70 lines further down; a short take shows whole."""
    from quizapp.ui.widgets.card_view import TAKE_SHOWN

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, trap = await open_traps(pilot)
        essay = "mse is wrong here " * 300
        screen.query_one("#take", Input).value = essay
        await pilot.press("enter")
        await pilot.pause()
        assert screen.revealed
        text = card_text(app)
        assert f"({len(essay.strip()):,} characters; the first {TAKE_SHOWN} shown)" in text
        shown = text.split("You wrote ", 1)[1].split("…", 1)[0].strip()
        assert essay.startswith(shown) and len(shown) <= TAKE_SHOWN
        assert " ".join(trap.correct.split())[:60] in text
        await pilot.press("3")
        await pilot.pause()
        screen.query_one("#take", Input).value = "it ignores the noise model"
        await pilot.press("enter")
        await pilot.pause()
        text = card_text(app)
        assert "You wrote it ignores the noise model" in text and "characters;" not in text


async def test_the_take_box_lines_up_with_the_card_on_a_wide_terminal(make_app) -> None:
    """At 200 columns the card's text is a centred column; the take box sits under it, not at
    the left edge (it did), and still takes the whole width at 80."""
    for size in ((200, 50), (80, 24)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            screen, _trap = await open_traps(pilot)
            card_view, take_box = screen.query_one(CardView), screen.query_one("#take", Input)
            await wait_until(
                pilot,
                lambda c=card_view, t=take_box: c.content_region.width and t.region.width,
                what="the card and the take box laid out",
            )
            card, take = card_view.content_region, take_box.region
            assert abs(take.x - card.x) <= 2 and abs(take.right - card.right) <= 2, (card, take)
            assert screen.focused is take_box
