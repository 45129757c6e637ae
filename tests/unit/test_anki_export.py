"""`quizapp export --anki`: the package read back (its zip and the collection SQLite inside),
note types and fields per kind, tags, and GUIDs that survive an edit; with the `anki` package
installed, imported into a real temporary Anki collection too."""

from __future__ import annotations

import html
import json
import sqlite3
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.decks.models import Trap
from quizapp.interop.anki import DEFAULT_DECK, NOTE_TYPES, SKIPPED_KINDS, write_apkg
from quizapp.library import load_library
from tests.conftest import CONTENT
from tests.unit.progress_decks import checklist_item, faq, multiple_choice, write_deck

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
                "tags": tags.split(),
            }
        card_decks = {did for (did,) in conn.execute("SELECT did FROM cards")}
    finally:
        conn.close()
        db_path.unlink()
    return {"notes": notes, "models": models, "decks": decks, "card_decks": card_decks}


def _plain(field: str) -> str:
    return html.unescape(field.replace("<br>", "\n"))


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

    trap = notes["trap-mse-everywhere"]
    assert trap["model"] == "quizapp Trap"
    assert list(trap["fields"])[:5] == ["Claim", "Wrong", "Correct", "Why", "Example"]
    for name in ("claim", "wrong", "correct", "why", "example"):
        assert _plain(trap["fields"][name.capitalize()]) == TRAP[name]
    assert sorted(trap["tags"]) == ["classification", "regression"]
    assert trap["fields"]["Section"] == "12"

    formula = notes["formula-mse"]["fields"]
    # The Unicode formula as text, not MathJax: readable in any Anki client.
    assert _plain(formula["Formula"]) == "L = (1/N) Σᵢ (yᵢ − ŷᵢ)²"
    assert "\\(" not in formula["Formula"]
    assert "<b>yhat</b>: the prediction" in formula["Variables"]
    assert formula["Task"] == "Regression" and formula["Pairing"] == "identity (linear)"

    points = notes["iq-why-ce"]["fields"]["Key points"]
    assert all(f"<li>{p}</li>" in points for p in INTERVIEW["points"])

    mc = notes["mc-pick"]["fields"]
    assert "right" in mc["Options"] and "wrong" in mc["Options"]
    assert _plain(mc["Answer"]).endswith("right")
    # Every option's explanation, the wrong one's too.
    assert "it is not" in mc["Explanations"] and "it is" in mc["Explanations"]
    assert sorted(notes["faq-a"]["tags"]) == ["fundamentals", "metrics"]

    # Every note lands in the one named deck; each kind has its own note type and template.
    assert package["decks"][DEFAULT_DECK] in package["card_decks"]
    assert len(package["card_decks"]) == 1
    for kind in ("trap", "formula", "interview_question", "multiple_choice", "faq"):
        model = package["models"][str(NOTE_TYPES[kind].model_id)]
        template = model["tmpls"][0]
        first = NOTE_TYPES[kind].fields[0]
        assert "{{" + first + "}}" in template["qfmt"]
        assert "{{FrontSide}}" in template["afmt"]


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
    assert _plain(trap_after["fields"]["Claim"]) == "MSE is fine for classification."
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
    library = load_library([CONTENT], include_user_decks=False)
    assert not library.errors
    target = tmp_path / "shipped.apkg"
    result = write_apkg(library.cards.values(), target)
    expected = {c.id for c in library.cards.values() if c.kind not in SKIPPED_KINDS}
    assert set(read_apkg(target)["notes"]) == expected
    assert result.total == len(expected)
    assert set(result.skipped) <= set(SKIPPED_KINDS)
    # Every kind a learner studies or is quizzed on has a note type.
    assert {c.kind for c in library.cards.values()} - set(SKIPPED_KINDS) <= set(NOTE_TYPES)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(claim=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_any_text_reads_back_as_written(tmp_path: Path, claim: str) -> None:
    # '<', '&' and quotes in a card are text, never markup that breaks the note.
    card = Trap(
        id="trap-x", section=1, tags=("numerics",), claim=claim, wrong="w", correct="c",
        why="y", example="e",
    )  # fmt: skip
    target = tmp_path / "x.apkg"
    write_apkg([card], target)
    assert _plain(read_apkg(target)["notes"]["trap-x"]["fields"]["Claim"]) == claim


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
    # Notes carry a modification time in whole seconds; a re-export is later in real use.
    time.sleep(1.1)
    edited = _write(tmp_path / "edited", {**TRAP, "claim": "MSE is fine for classification."})
    monkeypatch.setenv("QUIZAPP_CONTENT", str(edited))
    assert main(["export", "--anki", str(second)]) == 0

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
        (note,) = [n for n in notes if n.note_type()["name"] == "quizapp Trap"]
        assert note["Claim"] == "MSE is fine for classification."  # the edit, in place
        assert sorted(note.tags) == ["classification", "regression"]
        assert col.decks.by_name(DEFAULT_DECK) is not None
    finally:
        col.close()


def test_deck_exports_only_that_quizapp_decks_cards(tmp_path: Path, capsys) -> None:
    """--deck selects a quizapp deck, as in stats and drill list; its subdeck is named after it."""
    library = load_library([CONTENT], include_user_decks=False)
    target = tmp_path / "beyond.apkg"
    assert main(["export", "--anki", str(target), "--deck", "beyond"]) == 0
    assert f"deck '{DEFAULT_DECK}::beyond'" in capsys.readouterr().out
    exported = read_apkg(target)
    expected = {
        c.id for c in library.only_deck("beyond").cards.values() if c.kind not in SKIPPED_KINDS
    }
    assert set(exported["notes"]) == expected
    assert f"{DEFAULT_DECK}::beyond" in exported["decks"]
