"""Small fixture decks for the progress tests (the shipped content is written elsewhere)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from quizapp.content import load_library
from quizapp.decks import Library


def faq(card_id: str, *, tags: tuple[str, ...] = ("fundamentals",), text: str = "") -> dict:
    return {
        "id": card_id,
        "kind": "faq",
        "section": 1,
        "tags": list(tags),
        "question": f"What about {card_id}? {text}".strip(),
        "answer": f"The answer for {card_id}.",
    }


def multiple_choice(card_id: str, *, tags: tuple[str, ...] = ("classification",)) -> dict:
    return {
        "id": card_id,
        "kind": "multiple_choice",
        "section": 2,
        "tags": list(tags),
        "question": f"Pick one for {card_id}",
        "options": [{"text": "right", "why": "it is"}, {"text": "wrong", "why": "it is not"}],
        "answer": "right",
    }


def checklist_item(number: int, links: list[str]) -> dict:
    return {
        "id": f"checklist-{number}",
        "kind": "checklist",
        "section": 22,
        "tags": ["interview"],
        "number": number,
        "text": f"I can explain topic {number}",
        "links": links,
    }


def write_deck(folder: Path, decks: dict[str, list[dict]]) -> Path:
    """Write ``{deck name: cards}`` as one YAML file per deck under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, cards in decks.items():
        (folder / f"{name}.yaml").write_text(
            yaml.safe_dump({"deck": name, "cards": cards}, sort_keys=False), encoding="utf-8"
        )
    return folder


def use_faq_deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cards: list[str]) -> Path:
    """A deck "loss" of one FAQ per id in ``cards``, as the only decks quizapp loads here
    ($QUIZAPP_CONTENT); returns its folder."""
    folder = write_deck(tmp_path / "content", {"loss": [faq(c) for c in cards]})
    monkeypatch.setenv("QUIZAPP_CONTENT", str(folder))
    return folder


def library_of(folder: Path, decks: dict[str, list[dict]]) -> Library:
    library = load_library([write_deck(folder, decks)], include_user_decks=False)
    assert not library.errors, [str(e) for e in library.errors]
    return library
