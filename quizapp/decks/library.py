"""The loaded content: every valid card by id, and every problem found as a ``ContentError``
that names the file, the line, the card id and the field."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from quizapp.decks.kinds import MODELS
from quizapp.decks.models import Card, ChecklistItem


@dataclass(frozen=True)
class ContentError:
    file: str
    line: int | None
    message: str
    id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        who = f" card '{self.id}':" if self.id else ""
        what = f" field '{self.field}'" if self.field and self.field not in self.message else ""
        sep = ":" if what else ""
        text = f"{where}:{who}{what}{sep} {self.message}"
        # One line always, whatever the file held.
        return text.replace("\r", "\\r").replace("\n", "\\n")

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "id": self.id,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class Library:
    """All loaded cards, by id, in file order."""

    cards: dict[str, Card] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[Card]:
        return [c for c in self.cards.values() if c.kind in kinds]

    def with_tag(self, tag: str) -> list[Card]:
        return [c for c in self.cards.values() if tag in c.tags]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(MODELS, 0)
        for card in self.cards.values():
            counts[card.kind] = counts.get(card.kind, 0) + 1
        return counts

    @property
    def checklist(self) -> list[ChecklistItem]:
        items = [c for c in self.cards.values() if isinstance(c, ChecklistItem)]
        return sorted(items, key=lambda c: c.number)

    @property
    def tags(self) -> list[str]:
        return sorted({t for c in self.cards.values() for t in c.tags})

    @property
    def decks(self) -> list[str]:
        """The deck names, in the order their first card was loaded."""
        return list(dict.fromkeys(c.deck for c in self.cards.values()))

    def only_deck(self, deck: str | None) -> Library:
        """The cards of one deck (every card when ``deck`` is None), as a library of its own."""
        if deck is None:
            return self
        cards = {k: c for k, c in self.cards.items() if c.deck == deck}
        return Library(cards=cards, errors=self.errors, files=self.files)
