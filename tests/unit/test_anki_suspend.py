"""A card suspended or unsuspended in Anki comes back so with `quizapp import FILE.colpkg`, with
the real Anki backend: Anki's suspension is a register stamped with the time Anki last changed
the card, newer than the one here or not; a card whose last change in Anki was an answer keeps
its suspension here (Anki did not know of it); a change here after the import wins over the
same package imported again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from quizapp.cli import main
from quizapp.store import Store
from tests.unit.progress_decks import use_faq_deck

anki_collection = pytest.importorskip(
    "anki.collection", reason="the anki package is not installed (pip install anki)"
)

CARDS = ["faq-one", "faq-two", "faq-three"]


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_faq_deck(tmp_path, monkeypatch, CARDS)


def _card_ids(col: Any) -> dict[str, int]:
    out = {}
    for cid in col.find_cards(""):
        note = col.get_card(cid).note()
        out[note["Card id"]] = cid
    return out


def _suspended_here() -> set[str]:
    with Store.open() as store:
        return {item for item, f in store.card_flags().items() if f.suspended}


def _import(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    capsys.readouterr()
    assert main(["import", str(path), *extra]) == 0
    return capsys.readouterr().out


def test_a_suspension_made_in_anki_comes_back_and_the_newer_change_wins(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with Store.open() as store:
        for item in CARDS:
            store.record_review(item, 3, kind="faq", now=now - timedelta(days=10))
    apkg = tmp_path / "deck.apkg"
    assert main(["export", "--anki", str(apkg), "--with-progress"]) == 0

    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    options = ImportAnkiPackageOptions(with_scheduling=True)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options))
    ids = _card_ids(col)
    # Here, after the export: faq-three suspended (Anki does not know).
    with Store.open() as store:
        store.set_suspended(["faq-three"])
    later = int(datetime.now(UTC).timestamp()) + 60  # Anki's changes: after that, in s

    def export(name: str) -> Path:
        path = tmp_path / name
        col.export_collection_package(str(path), include_media=False, legacy=False)
        return path

    try:
        # In Anki: faq-two suspended; faq-three studied (its last change is that answer).
        col.sched.suspend_cards([ids["faq-two"]])
        col.db.execute("UPDATE cards SET mod = ? WHERE id = ?", later + 60, ids["faq-two"])
        card = col.get_card(ids["faq-three"])
        card.start_timer()
        col.sched.answerCard(card, 3)
        col.db.execute("UPDATE revlog SET id = ? WHERE cid = ?", later * 1000, ids["faq-three"])
        col.db.execute("UPDATE cards SET mod = ? WHERE id = ?", later, ids["faq-three"])
        first = export("first.colpkg")
    finally:
        col.close()

    dry = _import(first, capsys, "--dry-run")
    assert "would suspend faq-two (changed" in dry and "on Anki)" in dry, dry
    assert "faq-three" not in dry and "faq-one" not in dry
    assert _suspended_here() == {"faq-three"}  # a dry run changes nothing

    out = _import(first, capsys)
    assert "added 1 of the 1 review" in out and "suspended faq-two (changed" in out, out
    assert "unsuspended" not in out
    assert _suspended_here() == {"faq-two", "faq-three"}
    with Store.open() as store:
        hidden = store.hidden_ids()
    assert {"faq-two", "faq-three"} <= hidden and "faq-one" not in hidden  # study skips them

    again = _import(first, capsys)
    assert "nothing new" in again and "suspend" not in again, again

    # Unsuspended here after the import: the same package again does not suspend it back.
    with Store.open() as store:
        store.set_suspended(["faq-two"], False)
    assert "suspend" not in _import(first, capsys)
    assert _suspended_here() == {"faq-three"}

    # Unsuspended in Anki later still (faq-three too, by hand this time): both come back.
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        col.sched.suspend_cards([ids["faq-one"]])
        col.sched.unsuspend_cards([ids["faq-two"]])
        for item in ("faq-one", "faq-two"):
            col.db.execute("UPDATE cards SET mod = ? WHERE id = ?", later + 3600, ids[item])
        second = export("second.colpkg")
    finally:
        col.close()
    out = _import(second, capsys)
    assert "suspended faq-one" in out and "faq-two" not in out, out
    assert _suspended_here() == {"faq-one", "faq-three"}


def test_a_card_row_anki_never_wrote_refuses_the_package_in_one_line(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apkg = tmp_path / "deck.apkg"
    assert main(["export", "--anki", str(apkg)]) == 0
    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(apkg), options=ImportAnkiPackageOptions(with_scheduling=True)
            )
        )
        col.db.execute("UPDATE cards SET mod = ? WHERE id = ?", "soon", _card_ids(col)["faq-one"])
        bad = tmp_path / "bad.colpkg"
        col.export_collection_package(str(bad), include_media=False, legacy=False)
    finally:
        col.close()
    capsys.readouterr()
    assert main(["import", str(bad)]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cards table has a row that is not Anki's" in err, err
    assert "'soon'" in err


def test_a_suspension_alone_comes_back_without_a_nothing_to_import_line(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cards suspended in Anki before any was answered: the import says so, and only that."""
    apkg = tmp_path / "deck.apkg"
    assert main(["export", "--anki", str(apkg)]) == 0
    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    try:
        col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(apkg), options=ImportAnkiPackageOptions(with_scheduling=True)
            )
        )
        col.sched.suspend_cards([_card_ids(col)["faq-one"]])
        package = tmp_path / "suspended.colpkg"
        col.export_collection_package(str(package), include_media=False, legacy=False)
    finally:
        col.close()
    out = _import(package, capsys)
    assert out.splitlines()[0].startswith("suspended faq-one (changed"), out
    assert "nothing to import" not in out and len(out.splitlines()) == 1
    assert _suspended_here() == {"faq-one"}
