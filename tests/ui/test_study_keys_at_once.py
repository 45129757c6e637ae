"""Keys that arrive together (a fast typist, a key held down, a terminal that delivers "space3"
in one read) are handled one after another with nothing in between: showing a card's answer
and rating it in the same tick must do exactly what the same two keys do pressed one by one (a
rating, or on an interview question's points a tick), for every kind studied with a reveal
step, and never crash the app (it once raised OptionDoesNotExist on interview questions)."""

from __future__ import annotations

import pytest
from textual import events

from quizapp.decks.kinds import names
from quizapp.ui.screens.study import StudyScreen
from tests.ui.conftest import SIZE, reopen_store, wait_until

# Every kind studied with a reveal step, and the trap once more in the Traps area (t), where a
# box for the learner's take has focus and space in it shows the answer.
CASES = [*((kind, False) for kind in names(study=True)), ("trap", True)]


def send_at_once(app, *keys: str) -> None:
    """Queue ``keys`` for the app in one go, as one read of the terminal would (Pilot's press
    lets the app go idle between keys)."""
    for key in keys:
        event = events.Key(key, " " if key == "space" else key)
        event.set_sender(app)
        app._driver.send_message(event)


def outcome(app, screen: StudyScreen) -> tuple[object, ...]:
    """What the learner sees and what the file holds after the keys."""
    with reopen_store() as store:
        reviews = [(r.item_id, int(r.rating)) for r in store.reviews()]
    points = screen.query_one("#points")
    current = screen.session.current.id if screen.session.current else None
    take = screen.query_one("#take").value
    return app.screen is screen, reviews, current, screen.revealed, sorted(points.selected), take


async def _run(make_app, ids: list[str], take: bool, keys: tuple[str, str], expected=None):
    """The keys one by one (no ``expected``: returns what they did), or all at once, waiting for
    ``expected``."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = StudyScreen(ids=ids, ask_for_take=take)
        await app.push_screen(screen)
        await wait_until(pilot, lambda: screen.session is not None, what="the study screen")
        assert screen.session.current.id == ids[0] and not screen.revealed
        if expected is None:
            await pilot.press(*keys)  # one by one, idle in between
            await pilot.pause()
            return outcome(app, screen)
        send_at_once(app, *keys)
        await wait_until(
            pilot, lambda: outcome(app, screen) == expected, what=f"the outcome {expected}"
        )
        # And the screen goes on working: the next card shows its answer.
        if screen.session.current is not None and not screen.revealed:
            await pilot.press("space")
            assert screen.revealed
        return outcome(app, screen)


@pytest.mark.parametrize(("kind", "take"), CASES)
@pytest.mark.parametrize("rate", ["1", "space", "enter"])
async def test_showing_and_rating_in_one_go_is_as_one_by_one(
    make_app, shipped, tmp_path, monkeypatch, kind, take, rate
) -> None:
    ids = [card.id for card in shipped.of_kind(kind)[:2]]
    one_by_one = await _run(make_app, ids, take, ("space", rate))
    if rate == "1" or kind != "interview_question":  # a rating key on the answer side: rated
        assert one_by_one[1] == [(ids[0], 1 if rate == "1" else 3)]
    else:  # space or enter on the key points ticks the first one, as the README says
        assert one_by_one[1] == [] and one_by_one[3:5] == (True, [0])
    monkeypatch.setenv("QUIZAPP_HOME", str(tmp_path / "at-once"))  # a fresh data folder
    await _run(make_app, ids, take, ("space", rate), expected=one_by_one)
