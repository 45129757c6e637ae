"""Export the cards as an Anki package (.apkg) with genanki, for studying on a phone.

Each kind has its layout, with the parts a person wants to see: a trap shows its claim, then the
wrong and the correct view, why, and an example; a formula its Unicode formula (readable without
MathJax), variables, task and pairing; and so on. The layout is rendered here into the note's
Front and Back fields of one note type, "quizapp card".

Exporting again after an edit must update the notes already in Anki, not add duplicates. Anki
matches notes by GUID, so every GUID comes from the card id alone (``genanki.guid_for``), never
from the field contents (genanki's default, which changes with every edit) nor the kind; the
note-type id and the deck id are fixed constants for the same reason. One note type for every
kind, because Anki cannot move a note to another note type on import: a card whose kind changed
(a FAQ become a concept) would be reported as "conflicting" and keep its old content.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import os
import random
import re
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


_CODE = re.compile(r"`([^`\n]+)`")


def _escape(value: str) -> str:
    """Text as HTML that Anki shows as written: '<' and '&' escaped, and '[' as an entity, since
    Anki reads '[sound:FILE]' and '[anki:tts]...' in a field as audio to play (the text vanished
    from the card and Anki looked for the file)."""
    return html.escape(value, quote=False).replace("[", "&#91;")


def _text(value: str | None) -> str:
    """A card's text as HTML: escaped (a '<' in a formula is not a tag), newlines kept, and the
    decks' one piece of markup, `code`, shown as code rather than as raw backticks."""
    escaped = _escape(value or "").replace("\n", "<br>")
    return _CODE.sub(r"<code>\1</code>", escaped)


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


def option_order(card: MultipleChoice) -> list[int]:
    """The order a note shows ``card``'s options in (indices into ``card.options``): shuffled, as
    the app shows them, but seeded by the card id, so a re-export shows the same order (and a
    learner's memory of "C" stays right)."""
    order = list(range(len(card.options)))
    random.Random(f"quizapp options {card.id}").shuffle(order)
    return order


def answer_letter(card: MultipleChoice) -> str:
    """The letter the right option has on the note."""
    return _letter(option_order(card).index(card.correct_index))


def _options(card: MultipleChoice) -> str:
    rows = (
        f"<b>{_letter(i)}.</b> {_text(card.options[k].text)}"
        for i, k in enumerate(option_order(card))
    )
    return _items_html(rows, "ul")


def _explanations(card: MultipleChoice) -> str:
    rows = []
    for i, k in enumerate(option_order(card)):
        option = card.options[k]
        mark = (
            '<span class="right">✓</span>'
            if k == card.correct_index
            else ('<span class="wrong">✗</span>')
        )
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
class Layout:
    """How one kind's card reads in Anki: its parts (the first ``front`` of them on the front,
    the rest on the back) and how a card fills them (HTML, empty for an absent part)."""

    kind: str
    label: str
    parts: tuple[str, ...]
    front: int
    fill: Callable[[Any], tuple[str, ...]]

    def render(self, card: Any) -> tuple[str, str]:
        """The note's Front and Back fields for ``card``."""
        values = self.fill(card)
        first = f'<div class="front">{values[0]}</div>'
        front = [
            first,
            *(
                _part(n, v)
                for n, v in zip(self.parts[1 : self.front], values[1 : self.front], strict=True)
            ),
        ]
        back = [
            _part(n, v) for n, v in zip(self.parts[self.front :], values[self.front :], strict=True)
        ]
        return "".join(front), "".join(back)


def _part(name: str, value: str) -> str:
    # An absent part (a FAQ without a tip) leaves nothing, not a bare label.
    if not value:
        return ""
    css = ' class="formula"' if name == "Formula" else ""
    return f'<div class="label">{name}</div><div{css}>{value}</div>'


MODEL_ID = 1_736_551_100
MODEL_NAME = "quizapp card"
FIELDS = ("Front", "Back", "Kind", "Section", "Card id")
FRONT_TEMPLATE = '<div class="kind">{{Kind}}</div>\n{{Front}}'
BACK_TEMPLATE = (
    '{{FrontSide}}\n<hr id="answer">\n{{Back}}\n'
    '<div class="meta">{{#Section}}{{Section}} · {{/Section}}{{Card id}}</div>'
)


LAYOUTS: dict[str, Layout] = {
    t.kind: t
    for t in (
        Layout(
            Trap.kind,
            "Trap",
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
        Layout(
            Formula.kind,
            "Formula",
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
        Layout(
            InterviewQuestion.kind,
            "Interview question",
            ("Question", "Key points"),
            1,
            lambda c: (_text(c.question), _items(c.points)),
        ),
        Layout(
            MultipleChoice.kind,
            "Multiple choice",
            ("Question", "Options", "Answer", "Explanations"),
            2,
            lambda c: (
                _text(c.question),
                _options(c),
                f"<b>{answer_letter(c)}.</b> {_text(c.answer)}",
                _explanations(c),
            ),
        ),
        Layout(
            Faq.kind,
            "FAQ",
            ("Question", "Answer", "Tip", "Example"),
            1,
            lambda c: (_text(c.question), _text(c.answer), _text(c.tip), _text(c.example)),
        ),
        Layout(
            Concept.kind,
            "Concept",
            ("Question", "Answer", "Example"),
            1,
            lambda c: (_text(c.question), _text(c.answer), _text(c.example)),
        ),
        Layout(
            SelfCheck.kind,
            "Self-check",
            ("Question", "Answer"),
            1,
            lambda c: (_text(c.question), _text(c.answer)),
        ),
        Layout(
            Ordering.kind,
            "Ordering",
            ("Question", "Steps", "Order", "Explanation"),
            2,
            lambda c: (
                _text(c.question),
                _shuffled_steps(c),
                _items(c.steps, "ol"),
                _text(c.explanation),
            ),
        ),
        Layout(
            CheatSheetRow.kind,
            "Cheat sheet",
            ("Concept", "Rule"),
            1,
            lambda c: (_text(c.concept), _text(c.rule)),
        ),
        Layout(
            Pitch.kind,
            "Elevator pitch",
            ("Pitch", "Key points"),
            1,
            lambda c: (
                _text(f"Your {c.length} elevator pitch on loss functions"),
                _items(c.points),
            ),
        ),
        Layout(
            GradientDrill.kind,
            "Gradient drill",
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

for _layout in LAYOUTS.values():
    register(_layout.kind, "anki")(_layout)


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


def note_tags(card: DeckCard) -> list[str]:
    """The card's tags, and ``deck::NAME`` for its quizapp deck (a hierarchical tag in Anki)."""
    tags = [_anki_tag(t) for t in card.tags]
    if card.deck:
        tags.append(f"deck::{_anki_tag(card.deck)}")
    return tags


def note_fields(card: DeckCard) -> list[str] | None:
    """The note's fields (see FIELDS) for ``card``; None for a kind left out."""
    if not kind_of(card).anki:
        return None
    layout: Layout = handler(card.kind, "anki")
    front, back = layout.render(card)
    if card.cite:
        back += _part("Source", _escape(card.cite))
    section = "" if card.section is None else f"notes §{card.section}"
    fields = [front, back, layout.label, section, _escape(card.id)]
    # Anki separates a note's fields with \x1f: one inside a field would split it in two.
    return [f.replace("\x1f", " ") for f in fields]


def anki_model() -> Any:
    import genanki

    return genanki.Model(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": f} for f in FIELDS],
        templates=[{"name": "Card 1", "qfmt": FRONT_TEMPLATE, "afmt": BACK_TEMPLATE}],
        css=CSS,
    )


def write_apkg(
    cards: Iterable[DeckCard],
    path: Path,
    deck: str = DEFAULT_DECK,
    *,
    schedule: Callable[[Path, dict[str, str]], None] | None = None,
) -> AnkiExport:
    """Write ``cards`` as one Anki deck named ``deck`` to ``path`` (replaced atomically).

    ``schedule``, when given, is called with the package's collection file (unzipped, before it
    is packed) and the card id of each note's GUID, to write the learner's progress into it.
    Raises OSError when the file cannot be written and ValueError for an empty deck name.
    """
    import genanki

    deck = deck.strip()
    if not deck:
        raise ValueError("the deck name is empty")
    model = anki_model()
    anki_deck = genanki.Deck(deck_id(deck), deck)
    notes: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    guids: dict[str, str] = {}
    for card in cards:
        fields = note_fields(card)
        if fields is None:
            skipped[card.kind] += 1
            continue
        guid = note_guid(card.id)
        guids[guid] = card.id
        anki_deck.add_note(
            genanki.Note(model=model, fields=fields, tags=note_tags(card), guid=guid)
        )
        notes[card.kind] += 1
    # Written beside the target and moved over it: a failed export never leaves half a file.
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        package = genanki.Package(anki_deck)
        if schedule is None:
            package.write_to_file(str(tmp))
        else:
            _write_with_schedule(package, tmp, lambda db: schedule(db, guids))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return AnkiExport(path=path, deck=deck, notes=dict(notes), skipped=dict(skipped))


def _write_with_schedule(package: Any, target: Path, edit: Callable[[Path], None]) -> None:
    """genanki's ``write_to_file``, with ``edit`` run on the collection before it is zipped."""
    import sqlite3
    import tempfile
    import time
    import zipfile

    with tempfile.TemporaryDirectory(prefix="quizapp-anki-") as folder:
        db = Path(folder) / "collection.anki2"
        conn = sqlite3.connect(db)
        try:
            package.write_to_db(
                conn.cursor(), time.time(), itertools.count(int(time.time() * 1000))
            )
            conn.commit()
        finally:
            conn.close()
        edit(db)
        with zipfile.ZipFile(target, "w") as zf:
            zf.write(db, "collection.anki2")
            zf.writestr("media", "{}")
