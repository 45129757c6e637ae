"""Regenerate the README's screenshots (SVG) by driving the real app under Pilot.

    .venv/bin/python assets/screenshots.py

A temporary data folder gets three weeks of review history, so the dashboard and stats show
something; the decks are the shipped ones.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = (100, 30)


def seed(library) -> None:  # type: ignore[no-untyped-def]
    from quizapp.store import Store

    random.seed(1)
    rng = random.Random(2)
    ids = [c.id for c in library.cards.values() if c.kind in ("faq", "trap", "concept")][:40]
    now = datetime.now(UTC)
    store = Store.open()
    with store.batch():
        for ago in range(21, 0, -1):
            for item in rng.sample(ids, rng.randint(4, 12)):
                rating = rng.choice([1, 3, 3, 3, 4])
                store.record_review(
                    item, rating, kind=library.cards[item].kind, now=now - timedelta(days=ago)
                )
        store.set_ticked(1, True)
        store.set_ticked(5, True)
        settings = store.settings
        store.save_settings(
            settings.__class__(
                **{**settings.__dict__, "interview_date": date.today() + timedelta(days=12)}
            )
        )
    store.close()


async def shoot() -> None:
    from quizapp.content import load_library
    from quizapp.store import Store
    from quizapp.ui.app import QuizApp
    from quizapp.ui.screens.drills import DrillRunScreen
    from quizapp.ui.screens.study import StudyScreen

    library = load_library(include_user_decks=False)
    seed(library)

    async def session(name: str, steps) -> None:  # type: ignore[no-untyped-def]
        app = QuizApp(library, Store.open())
        async with app.run_test(size=SIZE) as pilot:
            await steps(app, pilot)
            await pilot.pause(0.3)
            app.save_screenshot(str(HERE / f"{name}.svg"))
            print("wrote", HERE / f"{name}.svg")

    async def home(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()

    async def study(app, pilot) -> None:  # type: ignore[no-untyped-def]
        app.push_screen(StudyScreen(ids=["formula-huber"]))
        await pilot.pause()
        await pilot.press("space")

    async def trap(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("t")
        await pilot.press(*"it ignores the gradients of 0/1 targets", "enter")

    async def gradient(app, pilot) -> None:  # type: ignore[no-untyped-def]
        app.checker().warm_up(sympy=True)
        quiz = app.new_quiz(item_ids=["grad-bce-logit"], seed=1, mode="drill")
        app.push_screen(DrillRunScreen("grad-bce-logit", quiz))
        await pilot.pause()
        await pilot.press(*"y - sigmoid(z)")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(1.0)

    async def stats(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("i")
        await pilot.pause(1.0)

    async def curves(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("v")
        await pilot.pause(0.5)

    for name, steps in [
        ("home", home),
        ("study", study),
        ("trap", trap),
        ("gradient", gradient),
        ("stats", stats),
        ("curves", curves),
    ]:
        await session(name, steps)


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        os.environ["QUIZAPP_HOME"] = home
        asyncio.run(shoot())
    return 0


if __name__ == "__main__":
    sys.exit(main())
