"""`quizapp import` of an Anki package made by hand, not by Anki: quizapp's own export with its
collection edited (times Anki never writes, values of the wrong type, a view for a table, a
schema Anki does not open, another deck's notes, millions of answers) is refused whole, in one
short line, exit 1, nothing written; an answer dated days ahead is held back and says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizapp.cli import main
from quizapp.store import Store
from tests.unit.progress_decks import use_faq_deck

CARDS = ["faq-one", "faq-two", "faq-three"]


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_faq_deck(tmp_path, monkeypatch, CARDS)


def _edited_package(tmp: Path, sql: str) -> Path:
    """quizapp's own export of the fixture deck with ``sql`` run on its collection (CID: the
    first quizapp card's id): a package made by hand, not by Anki."""
    import sqlite3

    from quizapp.content import load_library
    from quizapp.interop.anki import write_apkg

    library = load_library(include_user_decks=False)
    path = tmp / "hand-made.apkg"

    def edit(db: Path, guids: dict[str, str]) -> None:
        conn = sqlite3.connect(db)
        (cid,) = conn.execute("SELECT id FROM cards ORDER BY id LIMIT 1").fetchone()
        conn.executescript(sql.replace("CID", str(cid)))
        conn.commit()
        conn.close()

    write_apkg(library.cards.values(), path, schedule=edit)
    return path


ANSWER = "INSERT INTO revlog VALUES ({id}, CID, -1, {ease}, 1, 0, 2500, 4000, {type});"
LOOSE_REVLOG = (
    "DROP TABLE revlog; CREATE TABLE revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type);"
)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        # Times Anki never writes: past the year 9999 (no date at all), before 1970, before
        # Anki, after 2100.
        (ANSWER.format(id=10**18, ease=3, type=1), "an answer dated outside 2006 to 2100"),
        (ANSWER.format(id=-(10**14), ease=3, type=1), "an answer dated outside 2006 to 2100"),
        (ANSWER.format(id=1000, ease=3, type=1), "(revlog id 1000); not a time Anki writes"),
        (ANSWER.format(id=7_258_118_400_000, ease=3, type=1), "outside 2006 to 2100"),
        # Values of the wrong type in a table without Anki's column types.
        (LOOSE_REVLOG + ANSWER.format(id="'abc'", ease=3, type=1), "id 'abc'"),
        (LOOSE_REVLOG + ANSWER.format(id="NULL", ease=3, type=1), "id None"),
        # A huge value, with newlines: the message stays one short line.
        (
            LOOSE_REVLOG
            + ANSWER.format(id="'x' || char(10) || hex(zeroblob(500000))", ease=3, type=1),
            "(id 'x\\n0000",
        ),
        (
            "UPDATE col SET ver = 'v' || hex(zeroblob(500000));",
            "schema 'v0000",
        ),
        (LOOSE_REVLOG + ANSWER.format(id="1.7e12", ease=3, type=1), "id 1700000000000.0"),
        (LOOSE_REVLOG + ANSWER.format(id=1_700_000_000_000, ease="'x'", type=1), "button 'x'"),
        (LOOSE_REVLOG + ANSWER.format(id=1_700_000_000_000, ease=3, type="NULL"), "type None"),
        # Tables missing, or a view in place of one (a recursive view would never end).
        ("DROP TABLE revlog;", "not an Anki collection: table revlog is missing"),
        ("DROP TABLE cards;", "table cards is missing"),
        ("DROP TABLE col;", "table col is missing"),
        (
            "DROP TABLE revlog; CREATE VIEW revlog AS WITH RECURSIVE c(x) AS (SELECT 1 UNION "
            "ALL SELECT x + 1 FROM c) SELECT x + 1600000000000 AS id, CID AS cid, 3 AS ease, "
            "0 AS time, 1 AS type FROM c;",
            "revlog is a view, not a table",
        ),
        # Schema versions Anki itself does not open.
        ("UPDATE col SET ver = 99;", "schema 99 is not one quizapp reads (11 to 18); export"),
        ("UPDATE col SET ver = 1;", "schema 1 is not one quizapp reads"),
        ("UPDATE col SET ver = 'x';", "schema 'x' is not one"),
        ("DELETE FROM col;", "not an Anki collection: its col table has 0 rows, not 1"),
        # Another deck: none of quizapp's notes.
        ("UPDATE notes SET guid = 'other' || id;", "has none of quizapp's notes (3 other notes)"),
    ],
)
def test_a_hand_made_package_is_refused_in_one_line_and_nothing_is_written(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], sql: str, message: str
) -> None:
    # An answer Anki would write, so that only the hand-made part can be what is refused.
    good = ANSWER.format(id=1_700_000_000_000, ease=3, type=1)
    path = _edited_package(tmp_path, good + sql)
    with Store.open() as store:
        store.record_review("faq-two", 3, kind="faq")
        before = store.export()
    code = main(["import", str(path)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith(f"quizapp: import: {path}") and "nothing was changed" in err
    assert len(err) < len(str(path)) + 300  # a short line, whatever the file holds
    with Store.open() as store:
        assert store.export()["reviews"] == before["reviews"]


def test_an_answer_dated_days_ahead_is_held_back_and_says_whose_clock(
    content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ahead = datetime.now(UTC) + timedelta(days=3)
    ms = int(ahead.timestamp() * 1000)
    path = _edited_package(tmp_path, ANSWER.format(id=ms, ease=3, type=1))
    assert main(["import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "already here" not in out  # it is not: it was held back
    assert "held back 1 answer dated more than a day ahead" in out
    assert f"the latest {ahead:%Y-%m-%d %H:%M} UTC" in out and "the machine Anki ran on" in out
    with Store.open() as store:
        assert store.reviews() == []


def test_more_answers_than_anyone_gives_is_refused_without_reading_them_all(
    content: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from quizapp.interop import anki_import

    monkeypatch.setattr(anki_import, "MAX_ANSWERS", 2)
    answers = "".join(ANSWER.format(id=1_700_000_000_000 + i, ease=3, type=1) for i in range(3))
    path = _edited_package(tmp_path, answers)
    assert main(["import", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: more than 2 answers to quizapp's notes" in err and err.count("\n") == 1
    with Store.open() as store:
        assert store.reviews() == []
    monkeypatch.setattr(anki_import, "MAX_ANSWERS", 3)  # at the limit: all of them come in
    assert main(["import", str(path)]) == 0
    with Store.open() as store:
        assert len(store.reviews()) == 3
