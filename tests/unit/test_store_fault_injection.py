"""Fault injection for issue 11: each fault a learner's progress met, reproduced for real where
the machine allows it (a full tmpfs, a lock held by a plain sqlite3 connection, bytes
overwritten while the store is open, kill -9 during the first open and during a migration).
What every test asserts is what the learner would notice: no good file moved aside, no rating
that was shown as recorded lost, one clear line and the right exit code from a command."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from quizapp.cli import main
from quizapp.store import EXIT_CODES, Store, StoreError
from quizapp.store.schema import SCHEMA_V1
from tests.helpers import held_lock, overwrite_pages

# --------------------------------------------------------------------------- a real full disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs (a real full disk), or skip when this machine may not mount one."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()[:80]})")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(folder: Path) -> Path:
    """Fill the disk to the last byte; remove the returned file to free it again."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"x" * size)
    finally:
        os.close(fd)
    return filler


def _killed_writer(path: Path, n: int) -> None:
    """n reviews by a process killed before it could close: they are in the WAL only."""
    code = (
        "import os, sys\nfrom pathlib import Path\nfrom quizapp.store import Store\n"
        "s = Store.open(Path(sys.argv[1]))\n"
        f"for i in range({n}): s.record_review(f'card-{{i}}', 3, kind='faq')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(path)], check=True)


def _damaged(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*damaged*")]


def test_a_full_disk_at_start_up_never_moves_a_good_file_aside(small_disk: Path) -> None:
    path = small_disk / "progress.db"
    # 20 reviews: their WAL (each commit appends its pages) must fit the 1 MiB disk.
    _killed_writer(path, 20)
    Path(f"{path}-shm").unlink()  # as after a reboot: reading the WAL needs a new -shm
    filler = _fill(small_disk)
    for _ in range(3):  # every start, not just the first
        store = Store.open(path)
        assert store.read_only and "studying without saving" in store.notices[0]
        assert "damaged" not in " ".join(store.notices)
        assert len(store.reviews()) == 20  # the WAL's reviews too
        store.close()
    assert _damaged(small_disk) == []
    filler.unlink()
    with Store.open(path) as store:
        assert not store.read_only and len(store.reviews()) == 20


def test_the_disk_filling_mid_session_keeps_every_rating_and_says_so(small_disk: Path) -> None:
    path = small_disk / "progress.db"
    store = Store.open(path)
    store.retry_every = 0
    heard: list[str] = []
    store.on_notice = heard.append
    store.record_review("early", fsrs.Rating.Good, kind="faq")
    filler = _fill(small_disk)
    shown = ["early"]
    for i in range(40):
        store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq", answer="y" * 2000)
        shown.append(f"card-{i}")
        if store.read_only:
            break
    assert store.read_only, "the disk never filled up"
    assert "NOT SAVING" in heard[0] and "disk is full" in heard[0]  # said at once
    for i in range(3):
        store.record_review(f"later-{i}", fsrs.Rating.Again, kind="faq")
        shown.append(f"later-{i}")
    assert [r.item_id for r in store.reviews()] == shown  # the session shows every rating
    assert store.unsaved >= 4
    filler.unlink()  # space again: the next rating writes everything pending
    store.record_review("after", fsrs.Rating.Good, kind="faq")
    shown.append("after")
    assert not store.read_only and store.unsaved == 0
    assert any(n.startswith("saving again") for n in heard)
    store.close()
    with Store.open(path) as store:
        assert [r.item_id for r in store.reviews()] == shown  # 0 lost
        assert store.notices == []


def test_pending_ratings_survive_a_kill_in_the_sidecar_and_are_saved_at_next_start(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.db"
    code = (
        "import os, sys\nfrom pathlib import Path\nfrom quizapp.store import Store\n"
        "s = Store.open(Path(sys.argv[1]))\n"
        "s.record_review('saved', 3, kind='faq')\n"
        "s.db.conn.execute('PRAGMA max_page_count = ' + "
        "str(s.db.conn.execute('PRAGMA page_count').fetchone()[0]))\n"
        "for i in range(30):\n"
        "    s.record_review(f'card-{i}', 3, kind='faq', answer='z' * 3000)\n"
        "assert s.read_only and s.unsaved > 0, s.notices\n"
        "print(len(s.reviews()), flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    shown = int(done.stdout.strip())
    assert Path(f"{path}.pending").exists()
    with Store.open(path) as store:
        assert len(store.reviews()) == shown == 31
        assert "saved 30 actions" in store.notices[0] or "saved" in store.notices[0]
    assert not Path(f"{path}.pending").exists()


def test_a_command_on_a_full_disk_exits_non_zero_and_says_nothing_was_saved(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUIZAPP_HOME", str(small_disk))
    with Store.open() as store:  # a real history, and WAL room used up
        for i in range(20):
            store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq", answer="w" * 3000)
    _fill(small_disk)
    code = main(["checklist", "tick", "5"])
    out, err = capsys.readouterr()
    assert code in (EXIT_CODES["full"], EXIT_CODES["io"]) and "ticked" not in out
    assert err.strip() and "internal error" not in err
    assert err.strip().splitlines()[-1].startswith("quizapp: ")


# --------------------------------------------------------------------------- locks


@pytest.fixture
def one_review(quizapp_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder holding one review, and a short wait for locks (each test holds one)."""
    monkeypatch.setattr("quizapp.store.connection.BUSY_TIMEOUT", 0.2)
    monkeypatch.setattr("quizapp.store.core.BUSY_TIMEOUT", 0.2)
    with Store.open() as store:
        store.record_review("a", fsrs.Rating.Good, kind="faq")
    return quizapp_home


def test_a_lock_held_by_any_program_is_reported_as_such_with_its_own_exit_code(
    one_review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = one_review / "progress.db"
    with held_lock(path, "write"):
        code = main(["checklist", "tick", "2"])
        out, err = capsys.readouterr()
    assert code == EXIT_CODES["busy"] and out == ""
    assert "locked by another program" in err and "another quizapp" not in err
    assert "internal error" not in err and err.count("\n") == 1
    with Store.open() as store:
        assert store.ticks() == {}  # not saved, and said so


def test_saving_again_says_how_many_actions_it_wrote_in_words(one_review: Path) -> None:
    """Opened while another program locks the file out: studying without saving; once the lock
    goes, the retry says what it wrote (one action, several, or that nothing was waiting)."""
    path = one_review / "progress.db"
    for ratings in (0, 1, 2):
        with held_lock(path, "exclusive"):
            store = Store.open(path, busy_timeout=0.2)
            assert store.read_only
            heard: list[str] = []
            store.on_notice = heard.append
            for i in range(ratings):
                store.record_review(f"faq-{i}", 3, kind="faq")
        store.retry_every = 0
        assert store.retry_saving()
        store.close()
        said = {
            0: "saving again to progress.db (nothing was waiting to be saved)",
            1: "saving again: 1 unsaved action was written to progress.db",
            2: "saving again: 2 unsaved actions were written to progress.db",
        }
        assert heard[-1] == said[ratings]


@pytest.mark.parametrize(
    ("args", "doing"),
    [
        (["checklist", "tick", "2"], "tick item 2"),
        (["settings", "--new-per-day", "30"], "change settings"),
        (["backup"], "back up"),
        (["suspend", "bf-brier"], "suspend bf-brier"),
    ],
)
def test_a_file_locked_away_stops_a_change_in_one_line_that_says_why(
    one_review: Path, capsys: pytest.CaptureFixture[str], args: list[str], doing: str
) -> None:
    """Locked against readers too (an exclusive lock): a command that would change progress
    stops before changing anything, in one line naming the lock, with the lock's exit code;
    never the app's "studying without saving" nor a second line pointing at the first."""
    with held_lock(one_review / "progress.db", "exclusive"):
        code = main(args)
        out, err = capsys.readouterr()
    assert code == EXIT_CODES["busy"] and out == ""
    assert err == f"quizapp: cannot {doing}: progress.db is locked by another program; " \
        "nothing was changed\n"  # fmt: skip
    with Store.open() as store:
        assert store.ticks() == {} and store.settings.new_per_day == 20 and not store.card_flags()


def test_a_file_locked_away_is_read_by_a_command_that_only_reads_saying_so_in_its_words(
    one_review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with held_lock(one_review / "progress.db", "exclusive"):
        code = main(["stats", "--json"])
        out, err = capsys.readouterr()
    assert code == 0 and '"reviews_total"' in out
    assert err.count("\n") == 1 and "locked by another program" in err
    assert "nothing is saved this run" in err and "studying" not in err


# --------------------------------------------------------------------------- damage while open


def test_bytes_overwritten_while_open_cost_a_notice_not_the_session(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        for i in range(300):
            store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq", answer="v" * 200)
        store.backup("manual")
    store = Store.open(path)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    overwrite_pages(path)
    store.db.conn.execute("PRAGMA cache_size = 0")  # read what is on disk now
    heard: list[str] = []
    store.on_notice = heard.append
    store.review_totals()  # a stats read: no exception reaches the caller
    assert store.read_only and "damaged while open" in heard[0]
    store.record_review("after-damage", fsrs.Rating.Good, kind="faq")  # still studying
    assert store.unsaved == 1
    store.close()
    assert Path(f"{path}.pending").exists()
    with Store.open(path) as store:  # recovered from the backup, and the rating replayed
        assert "was damaged" in store.notices[0]
        items = [r.item_id for r in store.reviews()]
        assert len(items) == 301 and items[-1] == "after-damage"


# --------------------------------------------------------------------------- kill -9 mid-open

FIRST_OPEN = r"""
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 2")  # spill to the file at once: the journal is hot
conn.execute("BEGIN IMMEDIATE")
conn.execute("CREATE TABLE filler (x TEXT)")
for i in range(400):
    conn.execute("INSERT INTO filler VALUES (?)", ("f" * 900,))
print("ready", flush=True)
import time; time.sleep(60)
"""


def test_a_kill_during_the_very_first_open_leaves_a_file_that_opens_clean(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", FIRST_OPEN, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    proc.kill()
    proc.wait()
    assert Path(f"{path}-journal").exists() and path.stat().st_size > 0
    with Store.open(path) as store:
        assert store.notices == [] and not store.read_only
        store.record_review("a", fsrs.Rating.Good, kind="faq")
    assert _damaged(tmp_path) == []


def _make_v1(path: Path, n: int) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA_V1)
    conn.execute("PRAGMA user_version = 1")
    card = fsrs.Card(card_id=1, due=datetime(2026, 1, 1, tzinfo=UTC)).to_json()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    conn.executemany(
        "INSERT INTO review_log (item_id, rating, reviewed_at, duration_ms) VALUES (?, 3, ?, 1)",
        [(f"card-{i % 50}", (start + timedelta(minutes=i)).isoformat()) for i in range(n)],
    )
    conn.executemany(
        "INSERT INTO card_state VALUES (?, ?)", [(f"card-{i}", card) for i in range(50)]
    )
    conn.commit()
    conn.close()


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_a_kill_during_a_migration_loses_nothing_and_damages_nothing(
    tmp_path: Path, seed: int
) -> None:
    path = tmp_path / "progress.db"
    _make_v1(path, 3000)
    code = "import sys\nfrom pathlib import Path\nfrom quizapp.store import Store\n"
    code += "print('opening', flush=True)\nStore.open(Path(sys.argv[1]))\n"
    proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"opening"
    time.sleep(random.Random(seed).uniform(0.0, 0.6))
    proc.kill()
    proc.wait()
    with Store.open(path) as store:
        assert not store.read_only and not any("damaged" in n for n in store.notices)
        assert len(store.reviews()) == 3000
    assert _damaged(tmp_path) == []


# --------------------------------------------------------------------------- restore


def _backup_at(store: Store, reason: str) -> Path:
    time.sleep(0.002)  # distinct names
    return store.backup(reason)


def test_restoring_the_oldest_backup_keeps_it_and_a_pre_restore_backup(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.record_review("first", fsrs.Rating.Good, kind="faq")
        oldest = _backup_at(store, "manual")
        for i in range(9):  # the oldest is now the last of the ten the count keeps
            store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq")
            _backup_at(store, "session")
    with Store.open(path) as store:
        assert oldest in [b.path for b in store.list_backups()]
        before = store.restore(oldest)
        assert oldest.exists() and before.exists()
        assert [r.item_id for r in store.reviews()] == ["first"]
        # Restoring again and again never wipes the history the learner had.
        for _ in range(12):
            store.restore(oldest)
        names = {b.path.name for b in store.list_backups()}
        assert oldest.name in names and sum("session" in n for n in names) == 9
        assert sum("pre-restore" in n for n in names) == 10  # their own quota


def test_restore_refuses_while_the_app_has_the_file_open(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    app = Store.open(path)
    app.hold_app_lock()
    app.record_review("a", fsrs.Rating.Good, kind="faq")
    taken = app.backup("manual")
    with Store.open(path, strict=True) as cli, pytest.raises(StoreError) as err:
        cli.restore(taken)
    assert err.value.kind == "app-open" and "close it first" in err.value.message
    app.close()  # then it works
    with Store.open(path, strict=True) as cli:
        cli.restore(taken)


# --------------------------------------------------------------------------- review ids


def test_review_ids_are_never_reused_and_undo_touches_only_its_own_review(
    tmp_path: Path,
) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        store.record_review("old", fsrs.Rating.Good, kind="faq")
        taken = store.backup("manual")
    app = Store.open(path)  # an open app rates a card
    mine = app.record_review("mine", fsrs.Rating.Good, kind="faq")
    with Store.open(path, strict=True) as other:  # meanwhile: a restore, then another card
        other.restore(taken)
        theirs = other.record_review("theirs", fsrs.Rating.Good, kind="faq")
    assert theirs.id > mine.id and theirs.uuid != mine.uuid
    assert app.undo_last_review() is None  # its review is gone; it deletes nothing else
    app.close()
    with Store.open(path) as store:
        assert [r.item_id for r in store.reviews()] == ["old", "theirs"]
        assert all(uuid.UUID(r.uuid).version == 4 for r in store.reviews())


# --------------------------------------------------------------------------- settings


def test_two_processes_changing_different_settings_keep_both(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    app = Store.open(path)
    with Store.open(path, strict=True) as cli:
        cli.save_settings(cli.settings.__class__(desired_retention=0.8))
    import dataclasses

    app.save_settings(dataclasses.replace(app.settings, theme="nord"))
    app.close()
    with Store.open(path) as store:
        assert store.settings.desired_retention == 0.8 and store.settings.theme == "nord"


def test_an_open_app_sees_settings_another_process_saved(tmp_path: Path) -> None:
    """'quizapp settings --interview-date ...' while the app is open: the app's plan, cram and
    home line must use the new date without a restart."""
    import dataclasses
    from datetime import date

    path = tmp_path / "progress.db"
    app = Store.open(path)
    assert app.settings.interview_date is None
    with Store.open(path, strict=True) as cli:
        cli.save_settings(
            dataclasses.replace(cli.settings, interview_date=date(2026, 12, 10), new_per_day=7)
        )
    assert app.settings.interview_date == date(2026, 12, 10)
    assert app.settings.new_per_day == 7
    app.save_settings(dataclasses.replace(app.settings, theme="nord"))  # and its own still save
    app.close()
    with Store.open(path) as store:
        assert store.settings.theme == "nord" and store.settings.new_per_day == 7


# --------------------------------------------------------------------------- backups


def test_commands_coalesce_backups_and_stray_temporary_files_are_cleaned(
    quizapp_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bdir = quizapp_home / "backups"
    bdir.mkdir(parents=True)
    stray = bdir / "progress-20200101T000000.000000Z-session.tmp"
    extras = [stray, *(Path(f"{stray}{s}") for s in ("-journal", "-wal", "-shm"))]
    for p in extras:
        p.write_bytes(b"half")
        os.utime(p, (time.time() - 7200, time.time() - 7200))
    for n in ("1", "2", "3", "4"):
        assert main(["checklist", "tick", n]) == 0
    assert len(list(bdir.glob("*-session.db"))) == 1  # one backup for four quick commands
    assert main(["backup"]) == 0
    assert [p for p in extras if p.exists()] == []
    assert main(["backup", "--list"]) == 0
    out = capsys.readouterr().out
    assert "MB in all" in out and "kept:" in out and "one a day" in out


def test_a_quiz_answered_after_the_file_went_bad_is_kept_and_saved_later(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    with Store.open(path) as store:
        for i in range(300):
            store.record_review(f"card-{i}", fsrs.Rating.Good, kind="faq", answer="v" * 200)
        store.backup("manual")
    store = Store.open(path)
    quiz = store.start_quiz("mixed", {"n": 2})
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    overwrite_pages(path)
    store.db.conn.execute("PRAGMA cache_size = 0")
    store.review_count()
    assert store.read_only
    review = store.record_quiz_answer(
        quiz, "card-x", correct=True, kind="faq", rating=fsrs.Rating.Good
    )
    store.finish_quiz(quiz)  # no error for a quiz the stand-in never saw
    assert review.item_id == "card-x" and store.unsaved >= 1
    store.close()
    with Store.open(path) as store:
        assert [r.item_id for r in store.reviews()][-1] == "card-x"


FIRST_STORE_OPEN = (
    "import sys\nfrom pathlib import Path\nfrom quizapp.store import Store\n"
    "import quizapp.store.core\n"  # imports done before the signal to kill
    "print('opening', flush=True)\nStore.open(Path(sys.argv[1])).close()\n"
    "print('opened', flush=True)\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_kill_9_at_a_random_moment_of_the_very_first_open(tmp_path: Path, seed: int) -> None:
    path = tmp_path / "progress.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", FIRST_STORE_OPEN, str(path)], stdout=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == b"opening"
    time.sleep(random.Random(seed).uniform(0.0, 0.05))
    proc.kill()
    proc.wait()
    with Store.open(path) as store:
        assert not store.read_only and store.notices == []
        store.record_review("a", fsrs.Rating.Good, kind="faq")
    assert _damaged(tmp_path) == []
