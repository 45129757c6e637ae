"""The same counts, with the same words, on home, the stats screen and `quizapp stats`."""

from __future__ import annotations

import re

import fsrs

from quizapp.cli import main
from quizapp.ui.screens.stats import StatsScreen
from tests.ui.conftest import SIZE, reopen_store, visible_text


def seed(shipped) -> None:
    """Cards in every state: learning steps (due within minutes), review cards, practice."""
    store = reopen_store()
    faqs = [c.id for c in shipped.of_kind("faq")]
    for item in faqs[:3]:
        store.record_review(item, fsrs.Rating.Again, kind="faq")  # learning, due in a minute
    for item in faqs[3:5]:
        store.record_review(item, fsrs.Rating.Easy, kind="faq")  # review, due in days
    for mc in shipped.of_kind("multiple_choice")[:2]:
        store.record_review(mc.id, fsrs.Rating.Again, kind="multiple_choice")
    store.close()


def numbers(text: str, *labels: str, number_first: bool = False) -> list[int]:
    """The count after each label ("Cards due 3", "Cards due: 3"), or before it ("3 cards due")."""
    flat = " ".join(text.split())
    out = []
    for label in labels:
        pattern = rf"(\d+) {label}" if number_first else rf"{label}:? (\d+)"
        found = re.search(pattern, flat, flags=re.I)
        assert found, (label, flat)
        out.append(int(found.group(1)))
    return out


async def test_home_stats_and_the_cli_show_the_same_due_counts(make_app, shipped, capsys) -> None:
    seed(shipped)
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    cli = numbers(out, "Cards due", "Practice due", "New today")
    # Right after one pass, including cards just failed, nothing is ranked weak or strong yet.
    assert "Weakest" not in out and "7 cards seen once are not ranked" in out
    assert cli[0] == 3 and cli[1] == 2  # the learning steps due within minutes count as due
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        home = visible_text(app.screen.query_one("#today"))
        assert numbers(home, "Cards due", "Practice due", "New today") == cli
        await app.push_screen(StatsScreen())
        await app.workers.wait_for_complete()
        await pilot.pause()
        tile = visible_text(app.screen.query_one("#key-due"))
        shown = numbers(tile, "Cards due", "Practice due", "New today", number_first=True)
        assert shown == cli
