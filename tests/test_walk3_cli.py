"""What the fifth newcomer walkthrough (walker3) found in the shell, as the learner runs it."""

from __future__ import annotations

import json
import os
import re
from datetime import date, timedelta

import pytest

from tests.helpers import read_terminal, run_quizapp


@pytest.mark.parametrize("option", ["--retention", "--new-per-day", "--interview-date"])
def test_a_huge_setting_value_is_refused_in_one_short_line(option: str) -> None:
    """`quizapp settings --retention 999...` (400 digits, a paste gone wrong) printed all 400
    digits back in its one line of error."""
    done = run_quizapp("settings", option, "9" * 400)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert len(done.stderr) < 160, done.stderr
    assert "999…" in done.stderr  # the start of what was typed, cut where it was cut


SUBCOMMANDS = [
    *[
        "validate",
        "stats",
        "plan",
        "checklist",
        "cards",
        "card",
        "suspend",
        "unsuspend",
        "bury",
        "unbury",
        "reset",
        "settings",
    ],
    *["backup", "restore", "export", "import", "sync", "loss", "check", "serve"],
    *(("drill", action) for action in ("list", "sample", "answer")),
]


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n")]


@pytest.mark.parametrize(
    "command",
    SUBCOMMANDS,
    ids=[c if isinstance(c, str) else " ".join(c) for c in SUBCOMMANDS],
)
def test_each_subcommands_help_reads_as_sentences_and_names_each_argument(command) -> None:
    """`quizapp cards --help` read "... and last answer. words and filters: ..." (a sentence
    starting in lower case), and `quizapp drill sample --help` listed its ID with no word on
    what it is."""
    args = [command] if isinstance(command, str) else list(command)
    done = run_quizapp(*args, "--help", env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    description = _paragraphs(done.stdout)[1]
    for sentence in re.split(r"(?<!e\.g)(?<!i\.e)\. ", description)[1:]:
        assert not sentence[:1].islower(), (command, sentence[:40])
    positional = done.stdout.split("positional arguments:\n", 1)
    if len(positional) == 2:
        for line in positional[1].split("\n\n", 1)[0].splitlines():
            if line.startswith("  ") and not line.startswith("    "):  # an argument's own line
                assert len(line.split()) > 1, (command, f"{line.strip()} has no help")


def _count(*args: str) -> int:
    done = run_quizapp("cards", *args, "--json")
    assert done.returncode == 0, done.stderr
    return len(json.loads(done.stdout))


def test_a_search_may_start_with_its_negation() -> None:
    """`quizapp cards -s '-tag:ranking'` (Browse's '-' negates, first): "argument --search/-s:
    expected one argument", exit 2."""
    every, ranking = _count(), _count("-s", "tag:ranking")
    assert 0 < ranking < every
    assert _count("-s", "-tag:ranking") == every - ranking
    assert _count("--search", "-tag:ranking kind:trap") == _count("-s", "kind:trap -tag:ranking")


@pytest.mark.parametrize(
    ("search", "said"),
    [
        ("deck:nope", "no deck 'nope' (the decks are beyond, frontier, loss)"),
        ("tag:regresion", "no tag 'regresion' (did you mean tag:regression?)"),
        ("kind:trap tag:zzz", "no tag 'zzz'"),
    ],
)
def test_a_search_naming_no_deck_or_tag_says_so(search: str, said: str) -> None:
    """`cards -s deck:nope` said "no card matches 'deck:nope'" (exit 0), where `kind:nope` and
    `stats --deck nope` name what there is."""
    done = run_quizapp("cards", "-s", search)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"quizapp: cards --search {search!r}: {said}\n"


def test_a_known_deck_or_tag_that_matches_nothing_else_is_no_error() -> None:
    done = run_quizapp("cards", "-s", "deck:loss is:suspended")
    assert done.returncode == 0 and "no card matches" in done.stdout


@pytest.mark.parametrize("empty", ["", "  "])
def test_an_empty_interview_date_is_refused_not_taken_as_none(empty: str) -> None:
    """`quizapp settings --interview-date "$DAY"` with DAY unset cleared the interview date
    ("saved."): 'none' clears it, an empty value is a mistake."""
    day = (date.today() + timedelta(days=30)).isoformat()
    assert run_quizapp("settings", "--interview-date", day).returncode == 0
    done = run_quizapp("settings", "--interview-date", empty)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "quizapp: settings --interview-date: empty; give a date as YYYY-MM-DD, or 'none' to "
        "clear it\n"
    )
    shown = run_quizapp("settings", "--json")
    assert json.loads(shown.stdout)["interview_date"] == day
    cleared = run_quizapp("settings", "--interview-date", "none", "--json")
    assert cleared.returncode == 0 and json.loads(cleared.stdout)["interview_date"] is None


def _in_a_terminal(*args: str, columns: int = 80) -> str:
    """What `quizapp ARGS` prints into a real terminal (a pty) ``columns`` wide."""
    import fcntl
    import pty
    import struct
    import subprocess
    import termios

    from tests.helpers import quizapp_command

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [quizapp_command(), *args], stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    text = read_terminal(leader)
    assert proc.wait(60) == 0
    os.close(leader)
    return text


@pytest.mark.parametrize("command", ["stats", "checklist"])
def test_long_lines_wrap_between_words_in_an_80_column_terminal(command: str) -> None:
    """`quizapp stats` in an 80-column terminal: "Due in the next 14 days: ..." ran to 200
    characters and the terminal cut it anywhere ("... Sat 1" / "2 0, Sun 13 ..."); so did the
    checklist's longer items ("... source of gradients" / ")."). Into a pipe each stays one
    line, for scripts."""
    shown = _in_a_terminal(command)
    lines = shown.splitlines()
    assert lines and all(len(line) <= 80 for line in lines), shown
    piped = run_quizapp(command)
    assert piped.returncode == 0
    if command == "stats":
        forecast = [line for line in lines if line.startswith(("Due in the next", "  "))]
        assert len(forecast) >= 2, shown  # wrapped, each further line indented
        cell = r"\w{3} \d\d \d+"
        for line in forecast:  # whole "Sat 12 0" cells on every line, none cut in two
            body = line.removeprefix("Due in the next 14 days:").strip()
            assert re.fullmatch(rf"({cell}, )*{cell},?", body), line
        assert len(re.findall(cell, " ".join(forecast))) == 14
        assert re.search(r"^Due in the next 14 days: .*(, \w{3} \d\d \d+){13}$", piped.stdout, re.M)
    else:
        item = next(i for i, line in enumerate(lines) if line.startswith("[ ] 2."))
        assert lines[item + 1].startswith("    ") and "answered right)" in lines[item + 1]
        assert any(len(line) > 80 for line in piped.stdout.splitlines())


def test_stats_with_no_reviews_says_there_is_no_retention_yet() -> None:
    """A fresh `quizapp stats` read "True retention: - of 0 reviews of review cards; last 30
    days -"."""
    done = run_quizapp("stats")
    assert done.returncode == 0, done.stderr
    assert "True retention: none yet (no reviews of review cards)\n" in done.stdout
    assert "- of 0" not in done.stdout


@pytest.mark.parametrize("args", [("plan",), ("card", "mc-outliers-huber")], ids=["plan", "card"])
def test_plan_and_card_fit_an_80_column_terminal(args: tuple[str, ...]) -> None:
    """`quizapp plan`'s weakest tags and FSRS lines, and `quizapp card`'s question, ran past 80
    columns and the terminal cut them where the row ended."""
    day = (date.today() + timedelta(days=30)).isoformat()
    assert run_quizapp("settings", "--interview-date", day).returncode == 0
    shown = _in_a_terminal(*args)
    lines = shown.splitlines()
    assert len(lines) > 3 and all(len(line) <= 80 for line in lines), shown
    assert any(line.startswith("  ") and line.strip()[:1].isalpha() for line in lines), shown


def test_one_backup_is_listed_as_one_backup_and_the_rules_fit_80_columns() -> None:
    """`quizapp backup --list` with one backup said "1 backups, ..."; in an 80-column terminal
    the line on what is kept was cut inside "the newest 10" ("1" / "0 pre-restore")."""
    assert run_quizapp("stats").returncode == 0  # the progress file exists
    taken = run_quizapp("backup")
    assert taken.returncode == 0, taken.stderr
    listed = run_quizapp("backup", "--list")
    assert listed.returncode == 0 and listed.stdout.startswith("1 backup, "), listed.stdout
    shown = _in_a_terminal("backup", "--list")
    kept = [line for line in shown.splitlines() if "pre-restore" in line or "newest 10" in line]
    assert kept and all(len(line) <= 80 for line in kept), shown
    assert "the newest 10 pre-restore" in " ".join(" ".join(kept).split()), shown


def test_validate_counts_a_deck_of_one_card_in_the_singular(tmp_path) -> None:
    """`quizapp validate` on a deck of one card said "1 cards in 1 file"."""
    deck = tmp_path / "mine" / "one.yaml"
    deck.parent.mkdir()
    deck.write_text(
        "cards:\n"
        "  - id: faq-only-one\n"
        "    kind: faq\n"
        "    section: 1\n"
        "    tags: [fundamentals]\n"
        "    question: What is a loss?\n"
        "    answer: One number that scores how wrong the predictions are.\n",
        encoding="utf-8",
    )
    done = run_quizapp("validate", str(deck))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("1 card in 1 file: faq 1"), done.stdout


def test_serve_on_an_address_this_machine_does_not_have_points_at_host_not_port() -> None:
    """`quizapp serve --host 192.0.2.55` (an address of no interface here; nothing listens)
    ended "...: cannot assign requested address); try another --port": the port was fine."""
    pytest.importorskip("textual_serve", reason="textual-serve is not installed")
    done = run_quizapp("serve", "--host", "192.0.2.55", "--port", "0", timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("quizapp: serve: cannot listen on 192.0.2.55:0 ("), last
    assert last.endswith("; give an address of this machine with --host (e.g. 127.0.0.1)")
    assert "--port" not in last
