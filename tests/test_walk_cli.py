"""What the third newcomer walkthrough found in the shell, as the learner runs it."""

from __future__ import annotations

import json

import fsrs

from quizapp.decks import kinds as registry
from quizapp.store import Store
from tests.helpers import run_quizapp
from tests.shipped import shipped_library


def stats_json(*args: str) -> dict[str, object]:
    result = run_quizapp("stats", "--json", *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_a_deck_shows_no_more_new_cards_than_the_daily_limit_leaves() -> None:
    """New cards started in one deck use up the one daily limit: narrowed to another deck,
    stats shows what is left of it, never more than all decks together."""
    started = 2
    assert run_quizapp("settings", "--new-per-day", "3").returncode == 0
    library = shipped_library()
    study = set(registry.names(study=True))
    loss_cards = [c.id for c in library.only_deck("loss").cards.values() if c.kind in study]
    store = Store.open()
    for item_id in loss_cards[:started]:
        store.record_review(item_id, fsrs.Rating.Good, kind=library.cards[item_id].kind)
    store.close()

    left = 3 - started
    assert stats_json()["new_today"] == left
    for deck in ("beyond", "frontier", "loss"):
        assert stats_json("--deck", deck)["new_today"] == left, deck


def test_sync_to_a_file_says_it_is_a_file(tmp_path) -> None:
    """`quizapp sync export.json` once said "no folder export.json" of a file that exists."""
    target = tmp_path / "export.json"
    target.write_text("{}")
    result = run_quizapp("sync", str(target))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"quizapp: sync: {target} is a file, not a folder; give the folder your machines share\n"
    )
