"""The progress commands: stats, checklist, settings, backup, restore, export."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import fsrs
import pytest

from quizapp.cli import main
from quizapp.store import EXIT_CODES, Store
from tests.unit.progress_decks import checklist_item, faq, write_deck


@pytest.fixture(autouse=True)
def decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_deck(
        tmp_path / "content",
        {
            "basics": [faq("faq-a"), faq("faq-b")],
            "checklist": [checklist_item(n, ["faq-a"]) for n in range(1, 10)],
        },
    )
    monkeypatch.setenv("QUIZAPP_CONTENT", str(folder))
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_stats_json_counts_what_was_done(capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        store.record_review("faq-a", fsrs.Rating.Good, kind="faq")
        store.set_ticked(4, True)
    code, out, err = run(capsys, "stats", "--json")
    data = json.loads(out)
    assert code == 0 and err == ""
    assert data["reviews_total"] == 1 and data["reviews_today"] == 1
    assert (data["checklist_done"], data["checklist_total"]) == (1, 9)
    assert data["new_available"] == 1 and data["streak_days"] == 1
    code, out, _ = run(capsys, "stats")
    assert code == 0 and "1 in total" in out and "Checklist: 1 of 9 ticked" in out


def test_checklist_tick_and_untick_persist(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "checklist", "tick", "3")
    assert code == 0 and out.startswith("ticked 3.")
    code, out, _ = run(capsys, "checklist", "--json")
    items = json.loads(out)
    assert [i["number"] for i in items if i["ticked"]] == [3]
    assert items[0]["links"][0]["item_id"] == "faq-a"
    code, out, _ = run(capsys, "checklist")
    assert "[x] 3." in out and "[ ] 1." in out
    code, out, _ = run(capsys, "checklist", "untick", "3")
    assert code == 0 and out.startswith("unticked 3.")
    with Store.open() as store:
        assert store.ticks() == {}


def test_ticking_twice_or_unticking_an_unticked_item_says_nothing_changed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "checklist", "untick", "5")
    assert code == 0 and out.startswith("5. ") and "already unticked, nothing changed" in out
    run(capsys, "checklist", "tick", "5")
    with Store.open() as store:
        first = store.ticks()[5]
    code, out, _ = run(capsys, "checklist", "tick", "5")
    assert code == 0 and "already ticked, nothing changed" in out
    with Store.open() as store:
        assert store.ticks() == {5: first}  # the first tick's time is kept


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["checklist", "tick", "12"], "no such item (items are 1-9"),
        (["checklist", "tick", "three"], "not a number"),
        (["checklist", "tick"], "give the item number"),
        (["settings", "--retention", "1.2"], "must be from 0.70 to 0.99"),
        (["settings", "--retention", "high"], "not a number"),
        (["settings", "--interview-date", "20-12-2026"], "use YYYY-MM-DD"),
        (["settings", "--interview-date", "2001-01-01"], "is in the past"),
        (["settings", "--new-per-day", "-3"], "must be from 0 to 1000"),
        (["settings", "--new-per-day", "many"], "not a whole number"),
        (["restore", "no-such-backup.db"], "no such file or backup"),
        (["export", "--json", "--output", "x.json"], "not both"),
    ],
)
def test_bad_input_gets_one_line_and_a_non_zero_exit(
    capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code != 0 and out == ""
    assert err.count("\n") == 1 and says in err


def test_settings_show_and_change(capsys: pytest.CaptureFixture[str]) -> None:
    future = (date.today() + timedelta(days=60)).isoformat()
    argv = ["--retention", "0.85", "--interview-date", future, "--new-per-day", "15"]
    code, out, _ = run(capsys, "settings", *argv)
    assert code == 0 and "saved." in out
    code, out, _ = run(capsys, "settings", "--json")
    assert json.loads(out) == {
        "desired_retention": 0.85,
        "interview_date": future,
        "theme": None,
        "new_per_day": 15,
    }
    run(capsys, "settings", "--interview-date", "none")
    with Store.open() as store:
        assert store.settings.interview_date is None and store.settings.new_per_day == 15


def test_backup_then_restore_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        store.record_review("faq-a", fsrs.Rating.Good, kind="faq")
    code, out, _ = run(capsys, "backup")
    assert code == 0 and "backed up to" in out
    with Store.open() as store:
        store.record_review("faq-b", fsrs.Rating.Good, kind="faq")
    code, out, _ = run(capsys, "restore")
    assert code == 0 and "manual" in out and "kept:" in out
    manual = next(line.split()[0] for line in out.splitlines() if "manual" in line)
    code, out, _ = run(capsys, "restore", manual)
    assert code == 0 and "restored progress-" in out and "pre-restore" in out
    with Store.open() as store:
        assert [r.item_id for r in store.reviews()] == ["faq-a"]
    # The same name means the same backup however many backups came since: restoring twice
    # gives the same progress, and the source is still there.
    code, out, _ = run(capsys, "restore", manual)
    assert code == 0
    with Store.open() as store:
        assert [r.item_id for r in store.reviews()] == ["faq-a"]
    code, out, err = run(capsys, "restore", "1")
    assert code == 2 and "by name" in err


def test_export_writes_every_review(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with Store.open() as store:
        for item in ("faq-a", "faq-b", "faq-a"):
            store.record_review(item, fsrs.Rating.Good, kind="faq", answer="typed")
    code, out, _ = run(capsys, "export", "--json")
    assert code == 0 and len(json.loads(out)["reviews"]) == 3
    target = tmp_path / "mine.json"
    code, out, _ = run(capsys, "export", "--output", str(target))
    assert code == 0 and str(target) in out
    assert [r["answer"] for r in json.loads(target.read_text())["reviews"]] == ["typed"] * 3


def test_a_damaged_file_is_reported_in_one_line_and_the_command_still_works(
    capsys: pytest.CaptureFixture[str], quizapp_home: Path
) -> None:
    with Store.open() as store:
        store.record_review("faq-a", fsrs.Rating.Good, kind="faq")
    (quizapp_home / "progress.db").write_bytes(b"this is not a database" * 50)
    code, out, err = run(capsys, "stats", "--json")
    assert code == 0 and json.loads(out)["reviews_total"] == 1
    assert err.count("\n") == 1 and "was damaged" in err and "restored backup" in err


def test_changing_progress_when_it_cannot_be_saved_is_refused_clearly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("QUIZAPP_HOME", str(blocker / "home"))
    code, out, err = run(capsys, "checklist", "tick", "2")
    assert code == EXIT_CODES["io"] and out == ""  # the folder's path runs through a file
    (line,) = err.splitlines()  # one line: what was refused, why, and that nothing changed
    assert line.startswith("quizapp: cannot tick item 2: cannot create the data folder ")
    assert line.endswith("; nothing was changed")
    # A script reading progress is not told "0 reviews" when there is no progress to read.
    code, out, err = run(capsys, "stats", "--json")
    assert code == EXIT_CODES["unusable"] and out == "" and "no progress could be read" in err


def test_the_cli_names_the_default_theme_as_the_app_does(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from quizapp.ui.app import QuizApp
    from tests.shipped import shipped_library

    with Store.open() as store:
        app_theme = QuizApp(shipped_library(), store).theme
    code, out, _ = run(capsys, "settings")
    assert code == 0
    (line,) = [line for line in out.splitlines() if line.startswith("theme")]
    assert line.split()[-1] == app_theme == "textual-dark"


# (An empty name is refused as empty before any folder is looked at: tests/test_walk5_cli.py.)
@pytest.mark.parametrize("given", [".", "folder"])
def test_export_to_a_folder_is_a_usage_error_naming_a_file_to_give(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    given: str,
) -> None:
    (tmp_path / "folder").mkdir()
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    code, out, err = run(capsys, "export", "-o", given)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "a folder, not a file; give a file name, e.g. " in err and err.rstrip().endswith(
        "progress.json"
    )
    assert sorted(tmp_path.rglob("*")) == before  # nothing written
