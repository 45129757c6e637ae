"""The app opened on a home that imported a hostile export (impossible card states: a negative
learning step, an infinite stability, a review state without memory) studies that card like any
other: card states are derived from the reviews, never read from a file."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fsrs import Rating

from quizapp.cli import main
from quizapp.decks import Library
from quizapp.ui.screens.study import StudyScreen
from tests.ui.conftest import SIZE, reopen_store


def _hostile_export(path: Path, item_id: str) -> None:
    at = (datetime.now(UTC) - timedelta(minutes=30)).isoformat(timespec="microseconds")
    state = {"item_id": item_id, "state": "review", "due": at, "last_review": None,
             "first_review": at, "reps": 1, "lapses": 0}  # fmt: skip
    data = {
        "format": "quizapp-progress",
        "schema_version": 4,
        "settings": {},
        "cards": [
            {**state, "step": -7, "stability": 1e308, "difficulty": 5.0},
            {**state, "step": None, "stability": None, "difficulty": None},
        ],
        "reviews": [{"uuid": "0f0e0d0c-0000-4000-8000-000000000001", "item_id": item_id,
                     "kind": "faq", "rating": "again", "reviewed_at": at}],
        "checklist_ticks": [],
    }  # fmt: skip
    path.write_text(json.dumps(data), encoding="utf-8")


async def test_a_card_from_a_hostile_file_is_studied_normally(
    make_app, shipped: Library, tmp_path: Path
) -> None:
    item = next(c.id for c in shipped.cards.values() if c.kind == "faq")
    path = tmp_path / "hostile.json"
    _hostile_export(path, item)
    with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
        assert main(["import", str(path)]) == 0
    state = reopen_store().card_state(item)
    assert state is not None and state.card.step != -7 and state.card.stability < 100
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert screen.session.current is not None and screen.session.current.id == item
        await pilot.press("space")
        assert screen.revealed
        await pilot.press("3")
        await pilot.pause()
        assert [r.rating for r in reopen_store().reviews(item)] == [Rating.Again, Rating.Good]
        assert app.is_running
