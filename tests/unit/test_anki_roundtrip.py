"""The Anki round trip with the real Anki backend (the `anki` package): study here, export with
the schedule, Anki (FSRS on) continues from it, answers made in Anki's scheduler come back with
`quizapp import FILE.colpkg|.apkg`: each once, in order, the card rescheduled from the merged
log; importing again adds nothing; a note that is not quizapp's is counted and skipped."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.interop.anki import note_guid
from quizapp.interop.anki_import import review_uuid
from quizapp.store import Store
from tests.unit.progress_decks import faq, use_faq_deck, write_deck

anki_collection = pytest.importorskip(
    "anki.collection", reason="the anki package is not installed (pip install anki)"
)

CARDS = ["faq-one", "faq-two", "faq-three"]


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_faq_deck(tmp_path, monkeypatch, CARDS)


def _state(card: Any) -> dict[str, Any]:
    memory = card.memory_state
    return {
        "type": card.type, "queue": card.queue, "due": card.due, "ivl": card.ivl,
        "reps": card.reps, "lapses": card.lapses,
        "stability": round(memory.stability, 3) if memory else None,
        "difficulty": round(memory.difficulty, 3) if memory else None,
    }  # fmt: skip


def _quizapp_state(item: str) -> dict[str, Any]:
    with Store.open() as store:
        state = store.card_state(item)
    assert state is not None
    return {
        "state": state.card.state.name, "due": state.due.isoformat(timespec="seconds"),
        "stability": round(state.card.stability, 3), "difficulty": round(state.card.difficulty, 3),
        "reps": state.reps, "lapses": state.lapses,
    }  # fmt: skip


def _anki_cards(col: Any) -> dict[str, Any]:
    out = {}
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        note = card.note()
        if "Card id" in note:
            out[note["Card id"]] = card
    return out


def test_study_here_continue_in_anki_and_bring_the_reviews_back_once(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with Store.open() as store:
        for days, rating in ((30, 3), (25, 3), (12, 3)):
            store.record_review("faq-one", rating, kind="faq", now=now - timedelta(days=days))
        store.record_review("faq-two", 3, kind="faq", now=now - timedelta(days=9))
        retention = store.settings.desired_retention
    before = _quizapp_state("faq-one")

    apkg = tmp_path / "deck.apkg"
    assert main(["export", "--anki", str(apkg), "--with-progress"]) == 0

    from anki.collection import ExportAnkiPackageOptions
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        col.set_config("fsrs", True)
        options = ImportAnkiPackageOptions(with_scheduling=True)
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options))
        # A note of the learner's own, not quizapp's, answered too: counted and skipped.
        basic = col.new_note(col.models.by_name("Basic"))
        basic["Front"] = "the learner's own card"
        col.add_note(basic, 1)
        cards = _anki_cards(col)
        in_anki = _state(cards["faq-one"])
        assert in_anki["stability"] == before["stability"]  # Anki starts from quizapp's state

        # Answers through Anki's own scheduler (FSRS): one, two, one again, and the other note.
        answers = [("faq-one", 3), ("faq-two", 1), ("faq-one", 2), (None, 3)]
        for item, ease in answers:
            card = col.get_card(cards[item].id) if item else basic.cards()[0]
            card.start_timer()
            col.sched.answerCard(card, ease)
        after_anki = _state(col.get_card(cards["faq-one"].id))
        # Anki continued from the exported state: a Good on a 12-day-old memory of stability S
        # gives a longer stability, not a new card's.
        assert after_anki["stability"] > before["stability"] > 5
        # The answers at fixed times (Anki stamps them with its clock; the ids are the times).
        times = [now - timedelta(hours=3) + timedelta(minutes=10 * i) for i in range(4)]
        ids = [row[0] for row in col.db.all("SELECT id FROM revlog ORDER BY id")]
        assert len(ids) == 4
        for old, at in zip(ids, times, strict=True):
            col.db.execute("UPDATE revlog SET id = ? WHERE id = ?", int(at.timestamp() * 1000), old)
        colpkg = tmp_path / "collection.colpkg"
        legacy_apkg = tmp_path / "with-scheduling.apkg"
        col.export_anki_package(
            out_path=str(legacy_apkg),
            options=ExportAnkiPackageOptions(
                with_scheduling=True, with_deck_configs=False, with_media=False, legacy=True
            ),
            limit=None,
        )
        col.export_collection_package(str(colpkg), include_media=False, legacy=False)
    finally:
        col.close()
    with zipfile.ZipFile(colpkg) as zf:
        assert "collection.anki21b" in zf.namelist()  # Anki's current, zstd-compressed format

    capsys.readouterr()
    assert main(["import", str(colpkg), "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert (
        "would add 3 of the 3 reviews" in dry
        and "skipped 1 note that is not quizapp's (1 answer)" in dry
    )
    with Store.open() as store:
        assert len(store.reviews()) == 4  # a dry run changes nothing

    assert main(["import", str(colpkg)]) == 0
    out = capsys.readouterr().out
    assert "added 3 of the 3 reviews" in out
    with Store.open() as store:
        reviews = store.reviews()
        mine = [(r.item_id, int(r.rating), r.reviewed_at) for r in reviews]
        uuids = {(r.item_id, r.reviewed_at): r.uuid for r in reviews}
        states = store.card_states()
    from_anki = [(item, ease, at) for (item, ease), at in zip(answers, times, strict=True) if item]
    for entry in from_anki:
        assert mine.count(entry) == 1, (entry, mine)
    assert [m for m in mine if m in from_anki] == from_anki  # in order
    assert len(reviews) == 4 + 3
    guid = note_guid("faq-one")
    revlog_id = int(times[0].timestamp() * 1000)
    assert uuids[("faq-one", times[0])] == review_uuid(guid, revlog_id)

    # The card's state is rebuilt from the merged log: quizapp's reviews, then Anki's.
    scheduler = fsrs.Scheduler(desired_retention=retention, enable_fuzzing=False)
    card = fsrs.Card(card_id=0)
    log = sorted((r.reviewed_at, r.rating) for r in reviews if r.item_id == "faq-one")
    for at, rating in log:
        card, _ = scheduler.review_card(card, rating, at)
    assert states["faq-one"].card.stability == pytest.approx(card.stability)
    assert states["faq-one"].reps == 5
    after_import = _quizapp_state("faq-one")

    # Again, from the colpkg or the same answers in an apkg with scheduling: nothing new.
    for package in (colpkg, legacy_apkg):
        assert main(["import", str(package)]) == 0
        assert "nothing new" in capsys.readouterr().out
    # The package quizapp wrote has no answers yet: nothing to import, and it says why.
    assert main(["import", str(apkg)]) == 0
    assert "no answers to them" in capsys.readouterr().out
    with Store.open() as store:
        assert len(store.reviews()) == 7
    record = {
        "before export (quizapp)": before,
        "imported into Anki": in_anki,
        "after Anki's answers": after_anki,
        "after the import back (quizapp)": after_import,
    }
    print(json.dumps(record, indent=1))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("not a zip"), "not an Anki package (not a zip file)"),
        (lambda p: zipfile.ZipFile(p, "w").writestr("media", "{}"), "no Anki collection inside"),
        (
            lambda p: zipfile.ZipFile(p, "w").writestr("collection.anki21b", b"garbage"),
            "the Anki collection inside is damaged",
        ),
        (
            lambda p: zipfile.ZipFile(p, "w").writestr("collection.anki2", b"x" * 4096),
            "not a readable Anki collection",
        ),
        (lambda p: p.mkdir(), "is a folder"),
        (lambda p: None, "no such file"),
        # Refused before a byte is read: a FIFO never has to wait for a writer, a device is
        # not read for ever.
        (lambda p: os.mkfifo(p), "is a FIFO (named pipe), not an Anki package; nothing was read"),
        (lambda p: p.symlink_to("/dev/zero"), "is a character device, not an Anki package"),
    ],
)
def test_a_bad_anki_file_says_what_in_one_line_and_changes_nothing(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, message: str
) -> None:
    path = tmp_path / "bad.colpkg"
    make(path)
    code = main(["import", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err and str(path) in err and err.count("\n") == 1
    assert "Traceback" not in err and "nothing was changed" in err


def _package_with_answers(tmp: Path, library: Any, rows: list[tuple[int, str, int]]) -> Path:
    """quizapp's own export with Anki answers added to its review log, as Anki would write
    them: (time in ms, card id, button); a note of the learner's own with one answer too."""
    from quizapp.interop.anki import write_apkg

    apkg = tmp / "answered.apkg"

    def add_answers(db: Path, guids: dict[str, str]) -> None:
        import sqlite3

        conn = sqlite3.connect(db)
        with conn:
            cards = {
                guids[g]: cid
                for cid, g in conn.execute(
                    "SELECT cards.id, notes.guid FROM cards JOIN notes ON cards.nid = notes.id"
                )
            }
            conn.execute(
                "INSERT INTO notes VALUES (1, 'not-quizapps', 1, 0, -1, '', 'x', 'x', 0, 0, '')"
            )
            conn.execute(
                "INSERT INTO cards VALUES (1, 1, 1, 0, 0, -1, 2, 2, 1, 1, 2500, 1, 0, 0, 0, 0, 0, "
                "'')"
            )
            answers = [(ms, cards[item], button) for ms, item, button in rows]
            answers.append((1_500_000_000_000, 1, 3))  # before any of ``rows``
            for ms, cid, button in answers:
                conn.execute(
                    "INSERT INTO revlog VALUES (?, ?, -1, ?, 1, 0, 2500, 4000, 1)",
                    (ms, cid, button),
                )
        conn.close()

    write_apkg(library.cards.values(), apkg, schedule=add_answers)
    return apkg


@settings(max_examples=15, deadline=None)
@given(
    answers=st.lists(
        st.tuples(
            st.integers(1_600_000_000_000, 1_760_000_000_000),  # all in the past: a review
            # dated ahead of this clock would be held back (tests/unit/test_replication.py)
            st.sampled_from(CARDS),
            st.integers(0, 4),
        ),
        max_size=12,
        unique_by=lambda a: a[0],
    )
)
def test_any_anki_log_comes_back_once_in_order_and_a_second_import_adds_nothing(
    answers: list[tuple[int, str, int]],
) -> None:
    from quizapp.content import load_library
    from quizapp.interop.anki_import import plan_anki_import, read_anki_reviews
    from quizapp.interop.merge import apply_merge

    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        library = load_library(
            [write_deck(tmp / "content", {"loss": [faq(c) for c in CARDS]})],
            include_user_decks=False,
        )
        apkg = _package_with_answers(tmp, library, answers)
        with Store.open(tmp / "progress.db") as store:
            found = read_anki_reviews(apkg, library.cards.values())
            assert (found.foreign_notes, found.foreign_reviews) == (1, 1)
            apply_merge(store, plan_anki_import(store, found))
            again = plan_anki_import(store, read_anki_reviews(apkg, library.cards.values()))
            assert again.reviews == []
            got = [
                (round(r.reviewed_at.timestamp() * 1000), r.item_id, int(r.rating))
                for r in store.reviews()
            ]
    # Every answer (button 1-4) once, at its millisecond, oldest first; button 0 (a manual
    # reschedule) is no answer.
    assert got == sorted(a for a in answers if a[2] != 0)


@pytest.mark.parametrize("name", ["collection.anki21", "collection.anki21b"])
@pytest.mark.parametrize("declared", [True, False], ids=["declared", "streamed"])
def test_a_collection_that_unpacks_past_the_limit_is_refused_without_filling_memory(
    content: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    declared: bool,
) -> None:
    """A few kB that unpack to gigabytes (a zip or zstd bomb) are refused by size: a zip entry
    by the size it declares, a zstd stream (whose size is not declared) as it is unpacked,
    chunk by chunk, never whole in memory."""
    import zstandard

    from quizapp.interop import anki_import

    monkeypatch.setattr(anki_import, "MAX_COLLECTION", 1 << 20)
    zeros = b"\0" * (3 << 20)
    path = tmp_path / "bomb.colpkg"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        if name.endswith("b"):
            packed = zstandard.ZstdCompressor().compress(zeros) if declared else b""
            if not declared:  # a stream that does not say how large it is
                out = zstandard.ZstdCompressor().compressobj()
                packed = out.compress(zeros) + out.flush()
            zf.writestr(name, packed)
        else:
            zf.writestr(name, zeros)
    assert path.stat().st_size < 100_000
    code = main(["import", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1, err
    assert f"{path}: its Anki collection is more than 1 MB uncompressed" in err
    assert "nothing was changed" in err


def test_a_preview_in_a_filtered_deck_comes_back_as_a_cram_answer_not_a_review(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Anki's filtered deck without rescheduling leaves the card's schedule alone (its answer
    is logged with type 3); here it is a cram answer, which leaves the schedule alone too."""
    apkg = tmp_path / "deck.apkg"
    assert main(["export", "--anki", str(apkg)]) == 0
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        col.set_config("fsrs", True)
        options = ImportAnkiPackageOptions(with_scheduling=True)
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options))
        cards = _anki_cards(col)
        did = col.decks.new_filtered("Preview")
        deck = col.decks.get(did)
        deck["resched"] = False
        deck["terms"] = [['"Card id:faq-one"', 10, 0]]
        col.decks.save(deck)
        col.sched.rebuild_filtered_deck(did)
        col.decks.select(did)
        card = col.sched.getCard()
        assert card is not None and card.id == cards["faq-one"].id
        card.start_timer()
        col.sched.answerCard(card, 4)
        assert col.get_card(card.id).type == 0  # still new in Anki
        col.sched.empty_filtered_deck(did)
        colpkg = tmp_path / "collection.colpkg"
        col.export_collection_package(str(colpkg), include_media=False, legacy=False)
    finally:
        col.close()
    capsys.readouterr()
    assert main(["import", str(colpkg)]) == 0
    out = capsys.readouterr().out
    assert "added 1 answer in" in out and "as cram answers (the schedule is untouched" in out
    with Store.open() as store:
        assert store.reviews() == [] and store.card_state("faq-one") is None
        assert [(c.item_id, int(c.rating)) for c in store.cram_reviews()] == [("faq-one", 4)]
    assert main(["import", str(colpkg)]) == 0  # again: nothing new
    assert "nothing new" in capsys.readouterr().out
    with Store.open() as store:
        assert len(store.cram_reviews()) == 1


def test_answers_to_a_card_type_added_in_anki_are_not_the_cards_own(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A learner who adds a reverse template to quizapp's note type in Anki studies two cards
    per note; only the note's own card (the first) is quizapp's card."""
    apkg = tmp_path / "deck.apkg"
    assert main(["export", "--anki", str(apkg)]) == 0
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        options = ImportAnkiPackageOptions(with_scheduling=True)
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options))
        model = col.models.by_name("quizapp card")
        reverse = col.models.new_template("Reverse")
        reverse["qfmt"], reverse["afmt"] = "{{Back}}", "{{FrontSide}}<hr>{{Front}}"
        col.models.add_template(model, reverse)
        col.models.update_dict(model)
        (nid,) = col.find_notes('"Card id:faq-one"')
        own, added = sorted(col.get_note(nid).cards(), key=lambda c: c.ord)
        assert (own.ord, added.ord) == (0, 1)
        for card, ease in ((added, 1), (own, 3)):
            card.start_timer()
            col.sched.answerCard(card, ease)
        colpkg = tmp_path / "collection.colpkg"
        col.export_collection_package(str(colpkg), include_media=False, legacy=False)
    finally:
        col.close()
    capsys.readouterr()
    assert main(["import", str(colpkg)]) == 0
    out = capsys.readouterr().out
    assert "added 1 of the 1 review" in out
    assert "skipped 1 answer to cards of a card type added in Anki" in out
    with Store.open() as store:
        assert [(r.item_id, int(r.rating)) for r in store.reviews()] == [("faq-one", 3)]


# --------------------------------------------------------------------------- suspensions
# A card suspended or unsuspended in Anki comes back so: Anki's suspension is a register stamped
# with the time Anki last changed the card, newer than the one here or not; a card whose last
# change in Anki was an answer keeps its suspension here (Anki did not know of it); a change
# here after the import wins over the same package imported again.


def _into_anki(tmp_path: Path, apkg: Path) -> Any:
    """A new Anki collection (under ``tmp_path/anki``) with the package imported, scheduling
    included."""
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    (tmp_path / "anki").mkdir()
    col = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    options = ImportAnkiPackageOptions(with_scheduling=True)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(apkg), options=options))
    return col


def _card_ids(col: Any) -> dict[str, int]:
    return {item: card.id for item, card in _anki_cards(col).items()}


def _changed_in_anki(tmp_path: Path, change: Callable[[Any, dict[str, int]], object]) -> Path:
    """The deck (no progress) exported here, imported into Anki, changed there by ``change``
    (the collection, the card ids by item), and Anki's collection package of it."""
    apkg = tmp_path / "deck.apkg"
    assert main(["export", "--anki", str(apkg)]) == 0
    col = _into_anki(tmp_path, apkg)
    try:
        change(col, _card_ids(col))
        package = tmp_path / "changed.colpkg"
        col.export_collection_package(str(package), include_media=False, legacy=False)
    finally:
        col.close()
    return package


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

    col = _into_anki(tmp_path, apkg)
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
    bad = _changed_in_anki(
        tmp_path,
        lambda col, ids: col.db.execute(
            "UPDATE cards SET mod = ? WHERE id = ?", "soon", ids["faq-one"]
        ),
    )
    capsys.readouterr()
    assert main(["import", str(bad)]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cards table has a row that is not Anki's" in err, err
    assert "'soon'" in err


def test_a_suspension_alone_comes_back_without_a_nothing_to_import_line(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cards suspended in Anki before any was answered: the import says so, and only that."""
    package = _changed_in_anki(tmp_path, lambda col, ids: col.sched.suspend_cards([ids["faq-one"]]))
    out = _import(package, capsys)
    assert out.splitlines()[0].startswith("suspended faq-one (changed"), out
    assert "nothing to import" not in out and len(out.splitlines()) == 1
    assert _suspended_here() == {"faq-one"}
