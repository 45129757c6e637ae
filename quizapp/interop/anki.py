"""Export the cards as an Anki package (.apkg) with genanki, for studying on a phone.

One Anki note type per card kind, with the fields a person wants to see: a trap shows its claim,
then the wrong and the correct view, why, and an example; a formula its Unicode formula (readable
without MathJax), variables, task and pairing; and so on.

Exporting again after an edit must update the notes already in Anki, not add duplicates. Anki
matches notes by GUID, so every GUID comes from the card id alone (``genanki.guid_for``), never
from the field contents (genanki's default, which changes with every edit); the note-type ids
and the deck id are fixed constants for the same reason (a new id would be a new note type).
"""

from __future__ import annotations

import hashlib
import html
import os
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quizapp.decks.kinds import handler, kind_of, register
from quizapp.decks.models import Card as DeckCard
from quizapp.decks.models import (
    CheatSheetRow,
    Concept,
    Faq,
    Formula,
    GradientDrill,
    InterviewQuestion,
    MultipleChoice,
    Ordering,
    Pitch,
    SelfCheck,
    Trap,
)

DEFAULT_DECK = "Loss functions (quizapp)"
# Anki ids are 64-bit, but ids in [2**30, 2**31) are the convention genanki documents for
# hand-picked ones. The default deck's id is a constant; another --deck name gets one derived
# from its name, so it is stable too.
DEFAULT_DECK_ID = 1_736_551_901
# Kinds left out (``Kind.anki`` in quizapp.decks.kinds): checklist items are a to-do list, not
# questions; a numeric drill's numbers are drawn fresh each time and a loss-curve card is read
# off a plot the app draws, which a static card cannot do.

CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 19px;
        text-align: left; color: #1d1d1f; background: #fff; line-height: 1.4; }
.nightMode .card, .card.nightMode { color: #eee; background: #1e1e1e; }
.kind { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; opacity: .6; }
.front { font-size: 22px; font-weight: 600; margin: .3em 0 .6em; }
.label { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; opacity: .6;
         margin-top: .8em; }
.formula { font-family: "STIX Two Math", "Cambria Math", "DejaVu Sans", serif;
           font-size: 24px; margin: .3em 0; }
.right { color: #1a7f37; } .wrong { color: #cf222e; }
.meta { font-size: 12px; opacity: .5; margin-top: 1.5em; }
ul, ol { margin: .2em 0; padding-left: 1.3em; }
"""


def _text(value: str | None) -> str:
    """Plain text as HTML: escaped (a '<' in a formula is not a tag), newlines kept."""
    return html.escape(value or "", quote=False).replace("\n", "<br>")


def _items(values: Iterable[str], tag: str = "ul") -> str:
    rows = "".join(f"<li>{_text(v)}</li>" for v in values)
    return f"<{tag}>{rows}</{tag}>" if rows else ""


def _terms(mapping: dict[str, str] | None) -> str:
    return _items_html(f"<b>{_text(k)}</b>: {_text(v)}" for k, v in (mapping or {}).items())


def _items_html(rows: Iterable[str], tag: str = "ul") -> str:
    body = "".join(f"<li>{r}</li>" for r in rows)
    return f"<{tag}>{body}</{tag}>" if body else ""


def _letter(i: int) -> str:
    return chr(ord("A") + i)


def _options(card: MultipleChoice) -> str:
    return _items_html(
        (f"<b>{_letter(i)}.</b> {_text(o.text)}" for i, o in enumerate(card.options)), "ul"
    )


def _explanations(card: MultipleChoice) -> str:
    rows = []
    for i, option in enumerate(card.options):
        right = option.text == card.answer
        mark = '<span class="right">✓</span>' if right else '<span class="wrong">✗</span>'
        rows.append(f"{mark} <b>{_letter(i)}.</b> {_text(option.text)}: {_text(option.why)}")
    return _items_html(rows)


def _shuffled_steps(card: Ordering) -> str:
    # Shuffled the same way on every export (seeded by the id), so re-exporting changes nothing.
    steps = list(card.steps)
    random.Random(card.id).shuffle(steps)
    if steps == list(card.steps):
        steps.reverse()
    return _items(steps)


@dataclass(frozen=True)
class NoteType:
    """One Anki note type: its fixed id, its fields (the first ``front`` of them on the front of
    the card, the rest on the back) and how a card fills them."""

    kind: str
    model_id: int
    name: str
    fields: tuple[str, ...]
    front: int
    fill: Callable[[Any], tuple[str, ...]]

    def all_fields(self) -> tuple[str, ...]:
        return (*self.fields, *_META_FIELDS)

    def templates(self) -> list[dict[str, str]]:
        kind = f'<div class="kind">{html.escape(self.name.removeprefix("quizapp "))}</div>'
        first, *rest_front = self.fields[: self.front]
        front = [kind, f'<div class="front">{{{{{first}}}}}</div>']
        front += [_section(name) for name in rest_front]
        back = ["{{FrontSide}}", '<hr id="answer">']
        back += [_section(name) for name in self.fields[self.front :]]
        back.append('<div class="meta">notes §{{Section}} · {{Card id}}</div>')
        return [{"name": "Card 1", "qfmt": "\n".join(front), "afmt": "\n".join(back)}]


_META_FIELDS = ("Section", "Card id")


def _section(name: str) -> str:
    # Optional fields (a FAQ's tip, ...) vanish when empty instead of leaving a bare label.
    css = ' class="formula"' if name == "Formula" else ""
    return (
        f'{{{{#{name}}}}}<div class="label">{name}</div><div{css}>{{{{{name}}}}}</div>'
        f"{{{{/{name}}}}}"
    )


NOTE_TYPES: dict[str, NoteType] = {
    t.kind: t
    for t in (
        NoteType(
            Trap.kind,
            1_736_551_001,
            "quizapp Trap",
            ("Claim", "Wrong", "Correct", "Why", "Example"),
            1,
            lambda c: (
                _text(c.claim),
                _text(c.wrong),
                _text(c.correct),
                _text(c.why),
                _text(c.example),
            ),
        ),
        NoteType(
            Formula.kind,
            1_736_551_002,
            "quizapp Formula",
            ("Name", "Formula", "Variables", "Task", "Pairing", "Pros", "Cons", "Note"),
            1,
            lambda c: (
                _text(c.name),
                _text(c.unicode),
                _terms(c.variables),
                _text(c.task),
                _text(c.activation),
                _items(c.pros),
                _items(c.cons),
                _text(c.note),
            ),
        ),
        NoteType(
            InterviewQuestion.kind,
            1_736_551_003,
            "quizapp Interview question",
            ("Question", "Key points"),
            1,
            lambda c: (_text(c.question), _items(c.points)),
        ),
        NoteType(
            MultipleChoice.kind,
            1_736_551_004,
            "quizapp Multiple choice",
            ("Question", "Options", "Answer", "Explanations"),
            2,
            lambda c: (
                _text(c.question),
                _options(c),
                f"<b>{_letter(c.correct_index)}.</b> {_text(c.answer)}",
                _explanations(c),
            ),
        ),
        NoteType(
            Faq.kind,
            1_736_551_005,
            "quizapp FAQ",
            ("Question", "Answer", "Tip", "Example"),
            1,
            lambda c: (_text(c.question), _text(c.answer), _text(c.tip), _text(c.example)),
        ),
        NoteType(
            Concept.kind,
            1_736_551_006,
            "quizapp Concept",
            ("Question", "Answer", "Example"),
            1,
            lambda c: (_text(c.question), _text(c.answer), _text(c.example)),
        ),
        NoteType(
            SelfCheck.kind,
            1_736_551_007,
            "quizapp Self-check",
            ("Question", "Answer"),
            1,
            lambda c: (_text(c.question), _text(c.answer)),
        ),
        NoteType(
            Ordering.kind,
            1_736_551_008,
            "quizapp Ordering",
            ("Question", "Steps", "Order", "Explanation"),
            2,
            lambda c: (
                _text(c.question),
                _shuffled_steps(c),
                _items(c.steps, "ol"),
                _text(c.explanation),
            ),
        ),
        NoteType(
            CheatSheetRow.kind,
            1_736_551_009,
            "quizapp Cheat sheet",
            ("Concept", "Rule"),
            1,
            lambda c: (_text(c.concept), _text(c.rule)),
        ),
        NoteType(
            Pitch.kind,
            1_736_551_010,
            "quizapp Elevator pitch",
            ("Pitch", "Key points"),
            1,
            lambda c: (
                _text(f"Your {c.length} elevator pitch on loss functions"),
                _items(c.points),
            ),
        ),
        NoteType(
            GradientDrill.kind,
            1_736_551_011,
            "quizapp Gradient drill",
            ("Statement", "Variables", "Answer", "Steps"),
            2,
            lambda c: (
                _text(c.statement),
                _terms(c.variables),
                _text(c.reference),
                _items(c.steps, "ol"),
            ),
        ),
    )
}
for _note_type in NOTE_TYPES.values():
    register(_note_type.kind, "anki")(_note_type)


def deck_id(name: str) -> int:
    """The Anki deck id for a deck name: a constant for the default, else derived from the name
    (the same name always gives the same id, so re-importing updates that deck)."""
    if name == DEFAULT_DECK:
        return DEFAULT_DECK_ID
    digest = hashlib.sha256(f"quizapp deck {name}".encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def note_guid(card_id: str) -> str:
    """The note's GUID: from the card id only, so an edited card keeps it."""
    import genanki

    return str(genanki.guid_for("quizapp", card_id))


@dataclass(frozen=True)
class AnkiExport:
    """What an export wrote: notes per kind and the kinds left out."""

    path: Path
    deck: str
    notes: dict[str, int]
    skipped: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.notes.values())


def _anki_tag(tag: str) -> str:
    # Anki tags are space-separated words; deck tags are already single words.
    return "_".join(tag.split())


def write_apkg(cards: Iterable[DeckCard], path: Path, deck: str = DEFAULT_DECK) -> AnkiExport:
    """Write ``cards`` as one Anki deck named ``deck`` to ``path`` (replaced atomically).

    Raises OSError when the file cannot be written and ValueError for an empty deck name.
    """
    import genanki

    deck = deck.strip()
    if not deck:
        raise ValueError("the deck name is empty")
    models: dict[str, Any] = {}
    anki_deck = genanki.Deck(deck_id(deck), deck)
    notes: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    for card in cards:
        if not kind_of(card).anki:
            skipped[card.kind] += 1
            continue
        note_type: NoteType = handler(card.kind, "anki")
        if card.kind not in models:
            models[card.kind] = genanki.Model(
                note_type.model_id,
                note_type.name,
                fields=[{"name": f} for f in note_type.all_fields()],
                templates=note_type.templates(),
                css=CSS,
            )
        values = (*note_type.fill(card), str(card.section), html.escape(card.id, quote=False))
        anki_deck.add_note(
            genanki.Note(
                model=models[card.kind],
                fields=list(values),
                tags=[_anki_tag(t) for t in card.tags],
                guid=note_guid(card.id),
            )
        )
        notes[card.kind] += 1
    # Written beside the target and moved over it: a failed export never leaves half a file.
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        genanki.Package(anki_deck).write_to_file(str(tmp))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return AnkiExport(path=path, deck=deck, notes=dict(notes), skipped=dict(skipped))
