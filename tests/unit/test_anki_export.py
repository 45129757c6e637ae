"""`quizapp export --anki`: the package read back (its zip and the collection SQLite inside),
note types and fields per kind, tags, and GUIDs that survive an edit; with the `anki` package
installed, imported into a real temporary Anki collection too."""

from __future__ import annotations

import html
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.content import load_library
from quizapp.decks.kinds import kind_of
from quizapp.decks.models import Trap
from quizapp.interop.anki import DEFAULT_DECK, MODEL_ID, MODEL_NAME, write_apkg
from tests.conftest import CONTENT
from tests.shipped import shipped_library
from tests.unit.progress_decks import checklist_item, faq, multiple_choice, write_deck

# Text a YAML deck can hold: no control characters (YAML refuses them) and no lone surrogates.
PRINTABLE = st.characters(blacklist_categories=("Cs", "Cc"))

TRAP = {
    "id": "trap-mse-everywhere",
    "kind": "trap",
    "section": 12,
    "tags": ["regression", "classification"],
    "claim": "We use MSE for every task.",
    "wrong": "MSE fits everything.",
    "correct": "Match the loss to the output: BCE for probabilities.",
    "why": "MSE on a sigmoid has vanishing gradients when it is confidently wrong.",
    "example": "p = 0.01 for y = 1: MSE's gradient is tiny, BCE's is large.",
}
FORMULA = {
    "id": "formula-mse",
    "kind": "formula",
    "section": 21,
    "tags": ["regression"],
    "name": "Mean squared error",
    "unicode": "L = (1/N) Σᵢ (yᵢ − ŷᵢ)²",
    "ascii": "(y - yhat)^2",
    "variables": {"y": "the target", "yhat": "the prediction"},
    "task": "Regression",
    "activation": "identity (linear)",
    "pros": ["smooth"],
    "cons": ["outliers dominate"],
}
INTERVIEW = {
    "id": "iq-why-ce",
    "kind": "interview_question",
    "section": 3,
    "tags": ["interview", "classification"],
    "question": "Why cross-entropy for classification?",
    "points": ["maximum likelihood", "strong gradients when wrong", "pairs with softmax"],
}


def _write(folder: Path, trap: dict) -> Path:
    return write_deck(
        folder,
        {
            "loss": [
                trap,
                FORMULA,
                INTERVIEW,
                multiple_choice("mc-pick"),
                faq("faq-a", tags=("fundamentals", "metrics")),
                checklist_item(1, ["faq-a"]),
            ]
        },
    )


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = _write(tmp_path / "content", TRAP)
    monkeypatch.setenv("QUIZAPP_CONTENT", str(folder))
    return folder


def read_apkg(path: Path) -> dict:
    """The package as Anki would read it: notes by card id with their note type, named fields,
    tags and GUID; the note types; the decks."""
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert "collection.anki2" in names and "media" in names, names
        db_bytes = zf.read("collection.anki2")
    db_path = path.with_suffix(".read.anki2")
    db_path.write_bytes(db_bytes)
    conn = sqlite3.connect(db_path)
    try:
        models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
        models = json.loads(models_json)
        decks = {d["name"]: int(i) for i, d in json.loads(decks_json).items()}
        notes = {}
        for guid, mid, tags, flds in conn.execute("SELECT guid, mid, tags, flds FROM notes"):
            model = models[str(mid)]
            names = [f["name"] for f in model["flds"]]
            fields = dict(zip(names, flds.split("\x1f"), strict=True))
            card_id = html.unescape(fields["Card id"])
            notes[card_id] = {
                "guid": guid,
                "model": model["name"],
                "model_id": int(mid),
                "fields": fields,
                "parts": {
                    "Front": _front(fields["Front"]),
                    **_parts(fields["Front"]),
                    **_parts(fields["Back"]),
                },
                "tags": tags.split(),
            }
        card_decks = {did for (did,) in conn.execute("SELECT did FROM cards")}
    finally:
        conn.close()
        db_path.unlink()
    return {"notes": notes, "models": models, "decks": decks, "card_decks": card_decks}


def _plain(field: str) -> str:
    # `code` is shown as code: back to the backticks it was written with.
    field = re.sub(r"<code>(.*?)</code>", r"`\1`", field.replace("<br>", "\n"))
    return html.unescape(field)


PART = re.compile(r'<div class="label">(.*?)</div><div[^>]*>(.*?)</div>', re.S)


def _parts(back: str) -> dict[str, str]:
    """The labelled parts of a rendered side, label -> HTML."""
    return dict(PART.findall(back))


def _front(front: str) -> str:
    match = re.match(r'<div class="front">(.*?)</div>', front, re.S)
    assert match, front
    return match.group(1)


def test_export_anki_writes_one_note_per_card_with_the_fields_a_learner_needs(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "loss.apkg"
    assert main(["export", "--anki", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"exported 5 notes to {target}" in out
    package = read_apkg(target)
    notes = package["notes"]
    # The checklist item is a to-do, not a question: left out.
    assert set(notes) == {"trap-mse-everywhere", "formula-mse", "iq-why-ce", "mc-pick", "faq-a"}

    # One note type for every kind (a kind may change; Anki cannot move a note to another
    # note type), the kind shown on the card.
    assert {n["model"] for n in notes.values()} == {MODEL_NAME}
    trap = notes["trap-mse-everywhere"]
    assert trap["fields"]["Kind"] == "Trap"
    assert _plain(trap["parts"]["Front"]) == TRAP["claim"]
    for name in ("wrong", "correct", "why", "example"):
        assert _plain(trap["parts"][name.capitalize()]) == TRAP[name]
    assert sorted(trap["tags"]) == ["classification", "deck::loss", "regression"]
    assert trap["fields"]["Section"] == "notes §12"

    formula = notes["formula-mse"]["parts"]
    # The Unicode formula as text, not MathJax: readable in any Anki client.
    assert _plain(formula["Formula"]) == "L = (1/N) Σᵢ (yᵢ − ŷᵢ)²"
    assert "\\(" not in formula["Formula"]
    assert "<b>yhat</b>: the prediction" in formula["Variables"]
    assert formula["Task"] == "Regression" and formula["Pairing"] == "identity (linear)"

    points = notes["iq-why-ce"]["parts"]["Key points"]
    assert all(f"<li>{p}</li>" in points for p in INTERVIEW["points"])

    mc = notes["mc-pick"]["parts"]
    assert "right" in mc["Options"] and "wrong" in mc["Options"]
    assert _plain(mc["Answer"]).endswith("right")
    # Every option's explanation, the wrong one's too.
    assert "it is not" in mc["Explanations"] and "it is" in mc["Explanations"]
    assert sorted(notes["faq-a"]["tags"]) == ["deck::loss", "fundamentals", "metrics"]
    # An absent part leaves no bare label.
    assert "Tip" not in notes["faq-a"]["parts"]

    # Every note lands in the one named deck.
    assert package["decks"][DEFAULT_DECK] in package["card_decks"]
    assert len(package["card_decks"]) == 1
    template = package["models"][str(MODEL_ID)]["tmpls"][0]
    assert "{{Front}}" in template["qfmt"] and "{{FrontSide}}" in template["afmt"]


def test_reexport_after_an_edit_keeps_every_guid_and_updates_the_field(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    assert main(["export", "--anki", str(first)]) == 0
    edited = _write(tmp_path / "edited", {**TRAP, "claim": "MSE is fine for classification."})
    monkeypatch.setenv("QUIZAPP_CONTENT", str(edited))
    assert main(["export", "--anki", str(second)]) == 0
    before, after = read_apkg(first), read_apkg(second)
    assert {k: n["guid"] for k, n in before["notes"].items()} == {
        k: n["guid"] for k, n in after["notes"].items()
    }
    assert len({n["guid"] for n in after["notes"].values()}) == len(after["notes"])
    trap_after = after["notes"]["trap-mse-everywhere"]
    assert _plain(trap_after["parts"]["Front"]) == "MSE is fine for classification."
    # The same note types and deck, so Anki updates rather than adds.
    assert {n["model_id"] for n in before["notes"].values()} == {
        n["model_id"] for n in after["notes"].values()
    }
    assert before["decks"] == after["decks"]


def test_a_named_deck_gets_its_own_stable_id(content: Path, tmp_path: Path) -> None:
    a, b = tmp_path / "a.apkg", tmp_path / "b.apkg"
    assert main(["export", "--anki", str(a), "--anki-deck", "Interview::Losses"]) == 0
    assert main(["export", "--anki", str(b), "--anki-deck", "Interview::Losses"]) == 0
    deck_a, deck_b = read_apkg(a)["decks"], read_apkg(b)["decks"]
    assert deck_a["Interview::Losses"] == deck_b["Interview::Losses"]
    assert DEFAULT_DECK not in deck_a


def test_the_shipped_decks_export_every_studyable_card(tmp_path: Path) -> None:
    library = shipped_library()
    assert not library.errors
    target = tmp_path / "shipped.apkg"
    result = write_apkg(library.cards.values(), target)
    expected = {c.id for c in library.cards.values() if kind_of(c).anki}
    assert set(read_apkg(target)["notes"]) == expected
    assert result.total == len(expected)
    skipped = {c.kind for c in library.cards.values() if not kind_of(c).anki}
    assert set(result.skipped) == skipped


def test_a_field_separator_in_a_card_never_splits_its_note(tmp_path: Path) -> None:
    card = Trap(
        id="trap-x", section=1, tags=("numerics",), claim="a\x1fb", wrong="w", correct="c",
        why="y", example="e",
    )  # fmt: skip
    target = tmp_path / "x.apkg"
    write_apkg([card], target)
    assert _plain(read_apkg(target)["notes"]["trap-x"]["parts"]["Front"]) == "a b"


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    claim=st.text(PRINTABLE, min_size=1, max_size=40)
    | st.builds(
        "{}`{}`{}".format,
        st.text(PRINTABLE, max_size=5),
        st.text(PRINTABLE, min_size=1, max_size=5),
        st.text(PRINTABLE),
    )
)
def test_any_text_reads_back_as_written(tmp_path: Path, claim: str) -> None:
    # '<', '&' and quotes in a card are text, never markup that breaks the note.
    card = Trap(
        id="trap-x", section=1, tags=("numerics",), claim=claim, wrong="w", correct="c",
        why="y", example="e",
    )  # fmt: skip
    target = tmp_path / "x.apkg"
    write_apkg([card], target)
    assert _plain(read_apkg(target)["notes"]["trap-x"]["parts"]["Front"]) == claim


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--anki", "out.txt"], "should end in .apkg"),
        (["--anki", "no-such-dir/x.apkg"], "no folder no-such-dir"),
        (["--anki", "x.apkg", "--anki-deck", "  "], "--anki-deck needs a name"),
        (["--anki", "x.apkg", "--deck", "nope"], "--deck nope: no such deck; the decks are"),
        (["--anki", "x.apkg", "--json"], "drop --json"),
        (["--deck", "D"], "--deck goes with --anki"),
        (["--anki-deck", "D"], "--anki-deck goes with --anki"),
    ],
)
def test_bad_anki_exports_say_what_in_one_line_and_write_nothing(
    content: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    code = main(["export", *argv])
    err = capsys.readouterr().err
    assert code != 0
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert set(tmp_path.iterdir()) == before


def test_real_anki_imports_it_and_updates_notes_on_reimport(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anki_collection = pytest.importorskip(
        "anki.collection", reason="the anki package is not installed (pip install anki)"
    )
    from anki.import_export_pb2 import (
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
        ImportAnkiPackageUpdateCondition,
    )

    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    assert main(["export", "--anki", str(first)]) == 0
    edited = _write(tmp_path / "edited", {**TRAP, "claim": "MSE is fine for classification."})
    monkeypatch.setenv("QUIZAPP_CONTENT", str(edited))
    assert main(["export", "--anki", str(second)]) == 0
    # Notes carry a modification time in whole seconds; a re-export is later in real use.
    bump_note_mtime(second, seconds=5)

    col = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        always = ImportAnkiPackageUpdateCondition.Value(
            "IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS"
        )
        options = ImportAnkiPackageOptions(update_notes=always)
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(first), options=options))
        assert col.note_count() == 5
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(second), options=options))
        assert col.note_count() == 5  # updated in place, not duplicated
        notes = [col.get_note(n) for n in col.find_notes("")]
        (note,) = [n for n in notes if n["Kind"] == "Trap"]
        assert "MSE is fine for classification." in note["Front"]  # the edit, in place
        assert sorted(note.tags) == ["classification", "deck::loss", "regression"]
        assert col.decks.by_name(DEFAULT_DECK) is not None
    finally:
        col.close()


def _shipped_notes(tmp_path: Path, name: str = "shipped.apkg") -> dict:
    library = shipped_library()
    target = tmp_path / name
    write_apkg(library.cards.values(), target)
    return read_apkg(target)["notes"]


def test_multiple_choice_options_are_shuffled_per_note_and_the_answer_letter_is_spread(
    tmp_path: Path,
) -> None:
    notes = _shipped_notes(tmp_path)
    again = _shipped_notes(tmp_path, "again.apkg")
    letters: list[str] = []
    for card_id, note in notes.items():
        if note["fields"]["Kind"] != "Multiple choice":
            continue
        parts = note["parts"]
        options = re.findall(r"<li><b>([A-Z])\.</b> (.*?)</li>", parts["Options"], re.S)
        answer = re.match(r"<b>([A-Z])\.</b> (.*)", parts["Answer"], re.S)
        assert answer, parts["Answer"]
        letter, text = answer.groups()
        # The letter on the back is the letter the right option has on the front.
        assert (letter, text) in options, (card_id, letter, options)
        assert "✓" in parts["Explanations"].split(f"<b>{letter}.</b>")[0].rsplit("<li>", 1)[-1]
        # Fixed per note: a re-export shows the same order.
        assert again[card_id]["parts"]["Options"] == parts["Options"]
        letters.append(letter)
    spread = {x: letters.count(x) for x in "ABCD"}
    print(f"answer letters over {len(letters)} multiple-choice notes: {spread}")
    assert len(letters) >= 40
    # In the YAML the right option comes first: unshuffled, every answer would be A.
    assert all(0.10 <= n / len(letters) <= 0.40 for n in spread.values()), spread


def test_shipped_notes_carry_their_deck_tag_no_section_none_and_no_raw_backticks(
    tmp_path: Path,
) -> None:
    library = shipped_library()
    notes = _shipped_notes(tmp_path)
    for card_id, note in notes.items():
        card = library.cards[card_id]
        assert f"deck::{card.deck}" in note["tags"]
        assert "None" not in note["fields"]["Section"]
        assert note["fields"]["Section"] == (
            "" if card.section is None else f"notes §{card.section}"
        )
        for value in (note["fields"]["Front"], note["fields"]["Back"]):
            assert "`" not in value, card_id
    assert {t for n in notes.values() for t in n["tags"] if t.startswith("deck::")} >= {
        "deck::loss",
        "deck::beyond",
    }
    statement = notes["grad-huber"]["parts"]["Front"]
    assert "<code>A if abs(e) &lt;= delta else B</code>" in statement


def test_real_anki_shows_no_section_line_without_a_section_and_updates_a_changed_kind(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    anki_collection = pytest.importorskip(
        "anki.collection", reason="the anki package is not installed (pip install anki)"
    )
    from anki.import_export_pb2 import ImportAnkiPackageRequest

    # A card of a deck beyond the notes has no section.
    faq_card = {k: v for k, v in faq("faq-a").items() if k != "section"}
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    folder = write_deck(tmp_path / "one", {"beyond": [faq_card]})
    monkeypatch.setenv("QUIZAPP_CONTENT", str(folder))
    assert main(["export", "--anki", str(first)]) == 0
    as_concept = {
        "id": "faq-a", "kind": "concept", "tags": ["fundamentals"],
        "question": "What is it now?", "answer": "A concept.",
    }  # fmt: skip
    folder = write_deck(tmp_path / "two", {"beyond": [as_concept]})
    monkeypatch.setenv("QUIZAPP_CONTENT", str(folder))
    assert main(["export", "--anki", str(second)]) == 0

    (tmp_path / "col").mkdir()
    col = anki_collection.Collection(str(tmp_path / "col" / "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(first)))
        (card,) = [col.get_card(c) for c in col.find_cards("")]
        answer = card.answer()
        assert "§" not in answer and "None" not in answer and "faq-a" in answer
        # Anki's default import: update a note when the file's is newer (mtime in seconds).
        bump_note_mtime(second, seconds=5)
        log = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(second))).log
        assert (len(log.updated), len(log.conflicting), len(log.new)) == (1, 0, 0)
        (note,) = [col.get_note(n) for n in col.find_notes("")]
        assert note["Kind"] == "Concept" and "What is it now?" in note["Front"]
        assert "deck::beyond" in note.tags
    finally:
        col.close()


def bump_note_mtime(apkg: Path, seconds: int) -> None:
    """Make the package's notes ``seconds`` newer, as a later export would be (Anki updates a
    note only from a newer one; notes carry their time in whole seconds)."""
    with zipfile.ZipFile(apkg) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    db = apkg.with_suffix(".bump.anki2")
    db.write_bytes(members["collection.anki2"])
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE notes SET mod = mod + ?", (seconds,))
    conn.close()
    members["collection.anki2"] = db.read_bytes()
    db.unlink()
    with zipfile.ZipFile(apkg, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_a_cards_source_is_on_the_back_of_its_note(tmp_path: Path) -> None:
    library = load_library([CONTENT / "frontier"])
    cited = [c for c in library.cards.values() if getattr(c, "cite", None) and kind_of(c).anki]
    assert cited
    target = tmp_path / "frontier.apkg"
    write_apkg(cited[:5], target)
    notes = read_apkg(target)["notes"]
    for card in cited[:5]:
        source = _plain(notes[card.id]["parts"]["Source"])
        assert card.cite.split(",")[0] in source


def test_deck_exports_only_that_quizapp_decks_cards(tmp_path: Path, capsys) -> None:
    """--deck selects a quizapp deck, as in stats and drill list; its subdeck is named after it."""
    library = shipped_library()
    target = tmp_path / "beyond.apkg"
    assert main(["export", "--anki", str(target), "--deck", "beyond"]) == 0
    assert f"deck '{DEFAULT_DECK}::beyond'" in capsys.readouterr().out
    exported = read_apkg(target)
    expected = {c.id for c in library.only_deck("beyond").cards.values() if kind_of(c).anki}
    assert set(exported["notes"]) == expected
    assert f"{DEFAULT_DECK}::beyond" in exported["decks"]


def test_real_anki_shows_audio_tags_in_a_card_as_text_and_plays_nothing(tmp_path: Path) -> None:
    """Anki reads '[sound:FILE]' and '[anki:tts]' in a field as audio: a card's text that holds
    them must still read as written, and Anki must not look for a file to play."""
    anki_collection = pytest.importorskip(
        "anki.collection", reason="the anki package is not installed (pip install anki)"
    )
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    claim = "Say [sound:../../evil.mp3] then [anki:tts lang=en_US]hi[/anki:tts] and E[x]"
    card = Trap(
        id="trap-x", section=1, tags=("numerics",), claim=claim, wrong="w [sound:a.mp3]",
        correct="c", why="y", example="e", cite="Book [sound:b.mp3]",
    )  # fmt: skip
    target = tmp_path / "x.apkg"
    write_apkg([card], target)
    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(package_path=str(target), options=ImportAnkiPackageOptions())
        )
        (cid,) = col.find_cards("")
        shown = col.get_card(cid)
        assert shown.question_av_tags() == [] and shown.answer_av_tags() == []
        answer = html.unescape(re.sub(r"<[^>]+>", "", shown.answer()))
        for text in (claim, "w [sound:a.mp3]", "Book [sound:b.mp3]"):
            assert text in answer
    finally:
        col.close()
