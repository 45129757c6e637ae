"""What the fourth newcomer walkthrough (walker2) found in the shell, as the learner runs it."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.settings import INTERVIEW_HORIZON_DAYS
from tests.helpers import held_lock, run_quizapp


def shown_settings() -> dict[str, object]:
    done = run_quizapp("settings", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_an_interview_date_thousands_of_years_away_is_refused_in_one_line() -> None:
    """`settings --interview-date 9999-12-31` was saved, and then `quizapp plan` (and the Plan
    screen) simulated every day up to it: over a minute of CPU and no output."""
    before = shown_settings()
    done = run_quizapp("settings", "--interview-date", "9999-12-31")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "9999-12-31 is more than five years away" in done.stderr
    assert shown_settings() == before  # nothing was saved


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    days=st.integers(
        min_value=INTERVIEW_HORIZON_DAYS + 1, max_value=(date(9999, 12, 31) - date.today()).days
    )
)
def test_a_date_beyond_two_years_is_refused_and_the_last_day_is_not(days: int) -> None:
    """The farthest interview date is the horizon's last day (README: five years ahead); any
    later day is refused, naming that last day."""
    assert 5 * 365 <= INTERVIEW_HORIZON_DAYS <= 5 * 366
    today = date.today()
    last = today + timedelta(days=INTERVIEW_HORIZON_DAYS)
    far = run_quizapp("settings", "--interview-date", (today + timedelta(days=days)).isoformat())
    assert far.returncode == 2 and f"up to {last.isoformat()}" in far.stderr
    near = run_quizapp("settings", "--interview-date", last.isoformat())
    assert near.returncode == 0, near.stderr
    assert shown_settings()["interview_date"] == last.isoformat()


def test_sync_with_an_empty_folder_argument_writes_nothing_where_the_shell_is(
    tmp_path: Path,
) -> None:
    """`quizapp sync ""` (an unset variable in a script) synced with the current folder and wrote
    this machine's progress file there."""
    done = run_quizapp("sync", "", cwd=tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "quizapp: sync: the folder is empty (''); give the folder your machines share\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_write_refused_by_a_lock_names_the_file_then_the_reason(quizapp_home: Path) -> None:
    """The message read "not saved: /…/progress.db locked by another program" (and "…progress.db
    the disk is full" on a full disk): the file and the reason ran together."""
    assert run_quizapp("checklist", "tick", "2").returncode == 0
    path = quizapp_home / "progress.db"
    with held_lock(path, "write"):
        done = run_quizapp("checklist", "tick", "3")
    assert done.returncode == 12, done.stderr
    assert done.stderr == (
        f"quizapp: not saved: {path}: locked by another program; try again in a moment\n"
    )


def test_validate_refuses_what_is_no_deck_file_or_folder(tmp_path: Path) -> None:
    """`quizapp validate /dev/null`, a named pipe or an empty folder said "0 cards in 0 files …
    all decks valid" and exit 0: nothing had been checked."""
    pipe = tmp_path / "deck.yaml"
    os.mkfifo(pipe)
    empty = tmp_path / "empty"
    empty.mkdir()
    for path, said in (
        ("/dev/null", "validate: /dev/null: not a file or folder"),
        (str(pipe), f"validate: {pipe}: not a file or folder"),  # and it is never opened
        (str(empty), f"validate: no deck files (.yaml) in {empty}; nothing was checked"),
    ):
        done = run_quizapp("validate", path)
        assert done.returncode == 2 and done.stdout == "", (path, done.stdout)
        assert done.stderr.startswith(f"quizapp: {said}") and done.stderr.count("\n") == 1
    deck = empty / "mine.yaml"
    deck.write_text("cards: []\n")
    assert run_quizapp("validate", str(empty)).returncode == 0  # a deck file, even empty


def test_plan_days_below_one_is_a_usage_error() -> None:
    """`quizapp plan --days 0` and `--days -1` showed one day (and "... 14 more days")."""
    assert run_quizapp("settings", "--interview-date", date.today().isoformat()).returncode == 0
    for days in ("0", "-1"):
        done = run_quizapp("plan", "--days", days)
        assert done.returncode == 2 and done.stdout == "", done.stdout
        assert f"argument --days: {days}: show at least 1 day" in done.stderr
        assert done.stderr.count("\n") == 1
    assert run_quizapp("plan", "--days", "1").returncode == 0


def test_serve_with_an_empty_host_does_not_open_the_app_to_the_network() -> None:
    """`quizapp serve --host ""` (an unset variable) listened on every interface, as 0.0.0.0
    does, with a warning that read "listening on : other devices on the network can reach"."""
    done = run_quizapp("serve", "--host", "", "--port", "0", timeout=30)
    assert done.returncode == 2 and done.stdout == ""
    assert "argument --host: empty: that would listen on every network interface" in done.stderr
    assert done.stderr.count("\n") == 1


def test_a_far_interview_date_merged_from_another_machine_is_planned_in_seconds(
    tmp_path: Path,
) -> None:
    """An interview date beyond the horizon can still arrive by import or sync (a machine on an
    older version saved 9999-12-31): `quizapp plan` then ran day by day for minutes. It plans
    the horizon's days and says the interview is further away."""
    soon = (date.today() + timedelta(days=10)).isoformat()
    assert run_quizapp("settings", "--interview-date", soon).returncode == 0
    mine = tmp_path / "mine.json"
    assert run_quizapp("export", "-o", str(mine)).returncode == 0
    data = json.loads(mine.read_text())
    data["settings"]["interview_date"] = "9999-12-31"
    (register,) = [r for r in data["registers"] if r["key"] == "setting:interview_date"]
    millis, counter, machine = register["stamp"].split(".")
    register.update(value="9999-12-31", stamp=f"{int(millis) + 1}.{counter}.{machine}zz")
    data["machine"] += "zz"
    theirs = tmp_path / "theirs.json"
    theirs.write_text(json.dumps(data))
    assert run_quizapp("import", str(theirs)).returncode == 0
    assert shown_settings()["interview_date"] == "9999-12-31"
    done = run_quizapp("plan", "--json", timeout=120)
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert len(plan["per_day"]) == INTERVIEW_HORIZON_DAYS + 1  # and the interview's own row
    assert f"planned for the next {INTERVIEW_HORIZON_DAYS} days only" in plan["message"]
