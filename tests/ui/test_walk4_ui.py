"""What the sixth newcomer walkthrough (walker4) found in the app, at the sizes it was seen."""

from __future__ import annotations

import random
import re

import pytest

from tests.ui.conftest import wait_until
from tests.ui.screen_text import screen_rows

# The notice seen on a full disk at 80x24: its last word ("again") was not drawn.
FULL_DISK = (
    "cannot save to /mnt/x4/home/quizapp/progress.db (the disk is full): NOT SAVING (your "
    "progress so far is shown); every answer is kept in progress.db.pending and saved as soon "
    "as the file can be written again"
)


def _messages() -> list[str]:
    rng = random.Random(4)
    made = [FULL_DISK]
    for _ in range(12):
        words = [
            "".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 20)))
            for _ in range(rng.randint(8, 40))
        ]
        made.append(" ".join(words))
    return made


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_a_long_notice_shows_every_word(make_app, size) -> None:
    """A notice wrapped to a line exactly as wide as the toast lost its last line: the holder
    of the toast was laid out for a width the rack's scrollbar did not leave."""
    app = make_app()
    async with app.run_test(size=size, notifications=True) as pilot:
        rack = app.screen.query_one("#textual-toastrack")
        for message in _messages():
            app.clear_notifications()
            app.notify(message, severity="warning", timeout=60, markup=False)

            def shown(message: str = message) -> bool:
                toasts = [t for t in rack.query("Toast") if t.region]
                return len(toasts) == 1 and toasts[0]._notification.message == message

            await wait_until(pilot, shown, what="the notice on screen")
            region = next(t for t in rack.query("Toast") if t.region).region
            rows = screen_rows(app)[region.y : region.bottom + 1]
            drawn = " ".join(row[region.x : region.right] for row in rows)
            words = drawn.replace("▌", " ").split()
            assert words[: len(message.split())] == message.split(), rows


@pytest.mark.parametrize("key,box", [("o", "#settings-box"), ("z", "#setup-box")])
@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_settings_and_the_quiz_set_up_stand_in_the_middle(make_app, key, box, size) -> None:
    """At 200x50 the Settings form and the New quiz form hugged the left edge, 120 empty
    columns on their right; at 80 columns they fill the width as before."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press(key)
        await wait_until(pilot, lambda: bool(app.screen.query(box)), what="the form")
        await wait_until(pilot, lambda: app.screen.query_one(box).region.width > 0, what="laid out")
        region = app.screen.query_one(box).region
        left, right = region.x, size[0] - region.right
        assert abs(left - right) <= 3, (left, right)
        assert region.width <= size[0]


async def _in_a_mock(app, pilot):
    from quizapp.ui.screens.mock import MockInterviewScreen

    await pilot.press("m")
    await wait_until(
        pilot,
        lambda: isinstance(app.screen, MockInterviewScreen) and app.screen.view is not None,
        what="the interview",
    )
    return app.screen


@pytest.mark.parametrize("search", ["Open Stats", "Huber loss formula"])
async def test_the_palette_does_not_leave_a_mock_interview_without_ending_it(
    make_app, notices, search
) -> None:
    """Mid-interview, ctrl+p "Open Stats" (or a card) swapped the interview for Stats at once:
    no second esc, as ending it asks, and no report. It stays, says how to end it, and esc esc
    then gives the report."""
    from quizapp.ui.screens.mock import MockReportScreen
    from tests.ui.conftest import palette_search

    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        mock = await _in_a_mock(app, pilot)
        assert await palette_search(pilot, search)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is mock, what="back on the interview")
        await wait_until(pilot, lambda: any("press esc twice" in n for n in notices), what="why")
        assert app.screen is mock and not mock.ended
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MockReportScreen), what="report")


async def test_q_does_not_quit_the_app_in_the_middle_of_a_mock_interview(make_app, notices) -> None:
    """On a question with no text box (a multiple choice), q quit the whole app mid-interview,
    report and all; ctrl+q still quits at once."""
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        mock = await _in_a_mock(app, pilot)
        app.set_focus(None)  # as on a multiple-choice question: no text box takes the q
        await pilot.press("q")
        await wait_until(pilot, lambda: any("ctrl+q quits" in n for n in notices), what="why")
        assert app.is_running and app.screen is mock
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: not app.is_running, what="the app closed")


async def test_the_plans_today_says_how_many_of_its_reviews_are_due_now(make_app, shipped) -> None:
    """Plan said "Today: 1 review" while Home said "Cards due 0": the card comes due later
    today (Home counts what is due now). The plan now says which is which."""
    from datetime import timedelta

    import fsrs

    from quizapp.settings import Settings
    from quizapp.ui.screens.plan import PlanScreen
    from tests.ui.conftest import visible_text
    from tests.ui.history import NOW, utc

    with utc():
        app = make_app()
        store = app.store
        store.save_settings(Settings(interview_date=(NOW + timedelta(days=10)).date()))
        card = next(c for c in shipped.cards.values() if c.kind == "concept")
        # A new card answered Easy comes back in 8 days: here, at 15:00 on NOW's day (noon).
        store.record_review(
            card.id, fsrs.Rating.Easy, kind=card.kind, now=NOW + timedelta(hours=3, days=-8)
        )
        assert store.card_state(card.id).due == NOW + timedelta(hours=3)
        async with app.run_test(size=(80, 24)) as pilot:
            await app.push_screen(PlanScreen(now=NOW))

            def loaded() -> bool:
                return not app.screen.query_one("#plan-body").loading

            await wait_until(pilot, loaded, what="the plan")
            head = " ".join(visible_text(app.screen.query_one("#plan-head")).split())
            assert "Today: 1 review (0 due now, 1 later today)," in head, head


async def test_quitting_with_answers_not_yet_saved_says_where_they_wait(
    make_app, quizapp_home
) -> None:
    """Quitting on a full disk (here: a lock another program holds) with an answer kept in
    progress.db.pending printed nothing: the title bar's NOT SAVING went with the app."""
    from quizapp.ui.app import exit_note
    from tests.helpers import held_lock
    from tests.ui.conftest import reopen_store

    app = make_app()
    app.store.db.busy_timeout = 0.2
    app.store.db.conn.execute("PRAGMA busy_timeout = 200")
    path = quizapp_home / "progress.db"
    with held_lock(path):
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("s")
            await wait_until(pilot, lambda: app.screen.session.current is not None, what="card")
            first = app.screen.session.current.id
            await pilot.press("space", "3")
            await wait_until(pilot, lambda: "NOT SAVING" in app.sub_title, what="NOT SAVING")
            await pilot.press("ctrl+q")
        note = exit_note(app.store)
        assert note is not None
        assert "1 answer of this session is not in" in note and str(path) in note
        assert "progress.db.pending" in note and "next time quizapp starts" in note
    with reopen_store() as store:  # as the note said: saved at the next start
        assert [r.item_id for r in store.reviews()] == [first]
        assert exit_note(store) is None


async def test_a_long_option_wraps_under_its_own_text_in_the_feedback(make_app, shipped) -> None:
    """At 80 columns an option or its explanation longer than a line went on at the left edge,
    under the marks ("✓ a  Reward hacking: ... far from the" / "reference; raise β ..."), so the
    options ran together. Each continues under its own text now."""
    from quizapp.ui.screens.quiz import QuizRunScreen
    from tests.ui.conftest import visible_text

    card = max(
        (c for c in shipped.cards.values() if c.kind == "multiple_choice"),
        key=lambda c: max(len(o.text) for o in c.options),
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await app.push_screen(QuizRunScreen(app.new_quiz(item_ids=[card.id], mode="quiz")))
        await wait_until(pilot, lambda: getattr(app.screen, "view", None), what="the question")
        await pilot.press("a")
        panel = app.screen.query_one(".q-feedback")
        await wait_until(pilot, lambda: "←" in visible_text(panel), what="the feedback")
        lines = [line.rstrip() for line in visible_text(panel).splitlines()]
        start = next(i for i, line in enumerate(lines) if line.startswith(("✓ a", "✗ a")))
        body = [line for line in lines[start:] if line.strip()]
        assert len(body) > 2 * len(card.options), body  # some option or reason did wrap
        for line in body:  # a mark and letter, or text under the text column
            assert line.startswith(("✓ ", "✗ ")) or line.startswith(" " * 5), body


async def test_a_long_checklist_item_wraps_under_its_own_words(make_app) -> None:
    """At 80 columns the second line of a long item ("of gradients).") started at the left
    edge, under the percentages and ticks, as if it were a row of its own."""
    from textual.widgets import OptionList

    from quizapp.ui.screens.checklist import ChecklistScreen
    from tests.ui.screen_text import screen_rows

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ChecklistScreen), what="checklist")
        items = app.screen.query_one("#items", OptionList)
        await wait_until(pilot, lambda: items.option_count > 0, what="the items")
        rows = [
            row[items.region.x + 1 : items.region.right - 2].rstrip()
            for row in screen_rows(app)[items.region.y + 1 : items.region.bottom - 1]
        ]
        starts = [r for r in rows if r.strip() and r[:6].strip()]  # text within the marks
        assert len(starts) < len([r for r in rows if r.strip()]), rows  # some item did wrap
        for row in starts:  # each is an item's first line: its marks and number
            assert re.match(r"^ *(·|\d+%) \[[x ]\] \d+\. ", row), rows


async def test_a_long_unknown_tag_in_browse_shows_its_start_not_just_no_tag(make_app) -> None:
    """At 80 columns a search for a long tag that does not exist showed only "no tag": the
    quoted name did not fit the one-row status line and wrapped, whole, to a row never shown."""
    from textual.widgets import Input

    from tests.ui.conftest import browser_with_rows
    from tests.ui.screen_text import screen_rows

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        browser = await browser_with_rows(pilot)
        browser.query_one("#browse-search", Input).value = "tag:" + "lossy" * 30
        status = browser.query_one("#browse-status")
        await wait_until(pilot, lambda: browser.query_problem is not None, what="the problem")
        await wait_until(
            pilot, lambda: "no tag 'lossylossy" in screen_rows(app)[status.region.y], what="it"
        )
        assert screen_rows(app)[status.region.y].rstrip().endswith("…")
