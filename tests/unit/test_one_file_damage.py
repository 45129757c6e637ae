"""Damage the quick check misses: found by the full check (the app's, after its first frame,
and every backup's), never copied in as a backup, never a crash, recovered at the next start."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from quizapp.cli import main
from quizapp.store import Store, StoreError
from tests.helpers import overwrite_pages


def _progress(path: Path, n: int = 20) -> None:
    with Store.open(path) as store:
        for i in range(n):
            store.record_review(f"card-{i:03d}", fsrs.Rating.Good, kind="faq")
        store.backup("manual")


def _break_an_index(path: Path) -> None:
    """The reviews_time index now claims to be on item_id: rows are 'missing from' it, which
    integrity_check reports and quick_check does not look at."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA writable_schema=ON")
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX reviews_time ON reviews(item_id)' "
        "WHERE name = 'reviews_time'"
    )
    conn.commit()
    conn.close()


def _scramble_text(path: Path) -> None:
    """Bytes that are not UTF-8 inside a row, as a bad sector might leave them: every check
    SQLite has passes, every screen that reads the row fails."""
    conn = sqlite3.connect(path)
    conn.execute("UPDATE reviews SET item_id = CAST(x'c328ff41' AS TEXT) WHERE id = 3")
    conn.execute("UPDATE cards SET item_id = CAST(x'ff' AS TEXT) WHERE item_id = 'card-004'")
    conn.commit()
    conn.close()


def test_the_apps_full_check_finds_what_quick_check_misses_and_the_next_start_recovers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.db"
    _progress(path)
    _break_an_index(path)
    store = Store.open(path, quick_check=False)  # as the app opens it
    assert not store.read_only
    heard: list[str] = []
    store.on_notice = heard.append
    assert store.verify() is False
    assert store.read_only and "damaged while open" in heard[0]
    assert "missing from index" in heard[0]
    store.record_review("after", fsrs.Rating.Good, kind="faq")  # kept pending, not lost
    store.close()
    with Store.open(path) as again:  # quick_check alone would pass: the mark says check it all
        assert any("was damaged" in n and "restored backup" in n for n in again.notices)
        items = [r.item_id for r in again.reviews()]
        assert len(items) == 21 and items[-1] == "after"
    aside = [p for p in tmp_path.glob("progress.db.damaged-*") if p.name[-1].isdigit()]
    assert len(aside) == 1  # moved aside, never deleted


def test_text_that_does_not_decode_is_damage_exit_13_and_is_never_backed_up(
    tmp_path: Path, quizapp_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = quizapp_home / "progress.db"
    _progress(path)
    backups = sorted((quizapp_home / "backups").iterdir())
    _scramble_text(path)
    assert main(["backup"]) == 13
    err = capsys.readouterr().err
    assert "damaged" in err and err.count("\n") == 1 and "Traceback" not in err
    assert sorted((quizapp_home / "backups").iterdir()) == backups  # nothing copied in
    # The next command checks the whole file, moves it aside and restores the good backup.
    assert main(["stats", "--json"]) == 0
    out = capsys.readouterr()
    assert "was damaged" in out.err and json.loads(out.out)["reviews_total"] == 20


def test_a_read_that_hits_scrambled_text_in_the_app_is_a_notice_not_a_crash(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.db"
    _progress(path)
    _scramble_text(path)
    store = Store.open(path, quick_check=False)
    heard: list[str] = []
    store.on_notice = heard.append
    totals = store.review_totals()  # Stats: no exception reaches the screen
    assert store.read_only and "damaged while open" in heard[0]
    assert all(t.item_id.isascii() for t in totals)
    store.close()


def test_the_due_list_survives_damage_while_it_is_being_read(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    past = datetime.now(UTC) - timedelta(days=30)
    with Store.open(path) as store, store.batch():
        for i in range(3000):
            store.record_review(f"card-{i:04d}", fsrs.Rating.Again, kind="faq", now=past)
    store = Store.open(path, quick_check=False)
    store.db.conn.execute("PRAGMA cache_size = 1")  # read what is on disk now
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    due = store.iter_due(datetime.now(UTC))
    first = [next(due) for _ in range(20)]
    overwrite_pages(path, 8192)
    rest = list(due)  # no "Cannot operate on a closed database"
    assert store.read_only
    seen = [item for item, _state, _due in first + rest]
    assert len(seen) == len(set(seen))  # never the same item twice
    store.close()


def test_a_damaged_file_is_never_copied_in_by_store_backup(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    _progress(path)
    _scramble_text(path)
    with Store.open(path, strict=True) as store, pytest.raises(StoreError) as err:
        store.backup("manual")
    assert err.value.kind == "damage" and "not backed up" in err.value.message
    assert not list((tmp_path / "backups").glob("*.tmp*"))
