"""What the sixth newcomer walkthrough (walker4) found in the shell commands."""

from __future__ import annotations

import json
import os

import pytest

from tests.helpers import read_terminal, run_quizapp
from tests.test_walk3_cli import _in_a_terminal

WIDE = [
    ("validate",),
    ("cards", "--search", "tag:ranking"),
    ("drill", "list"),
    ("loss", "focal", "--y", "1,0", "--pred", "0.9,0.3"),
    ("check", "grad-bce-logit", "sigmoid(z) - y"),
]


@pytest.mark.parametrize("command", WIDE, ids=lambda c: c[0])
def test_wide_rows_wrap_between_words_in_an_80_column_terminal(command: tuple[str, ...]) -> None:
    """In an 80-column terminal the terminal cut these lines anywhere: `cards` rows ran to 100
    columns ('stab 0.2d' at the start of the next row, under the ids), `drill list` cut 'predi' /
    'ction', `validate` 'int' / 'erview_question', `loss focal` a number in two ('0.2891^2 = 0'
    / '.08355'). Into a pipe each row stays one line, for scripts."""
    shown = _in_a_terminal(*command)
    piped = run_quizapp(*command)
    assert piped.returncode == 0, piped.stderr
    lines = shown.splitlines()
    assert lines and all(len(line) <= 80 for line in lines), shown
    # Every word of the piped output is in the terminal's, whole and in order.
    assert shown.split() == piped.stdout.split()
    wide = [line for line in piped.stdout.splitlines() if len(line) > 80]
    assert wide, "nothing to wrap: the test lost its point"
    # Each wide row continues on indented lines: a line at the left edge starts a row.
    rows = piped.stdout.splitlines()
    assert len(lines) > len(rows)
    starts = [line for line in lines if not line.startswith(" ")]
    assert all(any(row.startswith(line) for row in rows) for line in starts), shown


@pytest.mark.parametrize("command", [("cards", "--json"), ("checklist", "tick", "4")])
def test_output_cut_by_a_closed_pipe_exits_141_without_a_traceback(
    command: tuple[str, ...],
) -> None:
    """`quizapp cards --json | head -1` exited 0 as if all was written (with `set -o pipefail`
    a script could not tell its output was cut); a Unix tool killed by SIGPIPE gives 141. No
    traceback either way, and a change the command made before its output is kept."""
    import os
    import subprocess

    from tests.helpers import quizapp_command

    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before the first byte: every write is refused
    try:
        done = subprocess.run(
            [quizapp_command(), *command], stdout=writer, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(writer)
    assert done.returncode == 141
    assert done.stderr == b""
    if command[0] == "checklist":
        ticked = run_quizapp("checklist", "--json")
        assert any(item["number"] == 4 and item["ticked"] for item in json.loads(ticked.stdout))


def test_plans_today_line_says_how_many_reviews_are_due_now_as_stats_does(
    shipped_and_cache,
) -> None:
    """`quizapp plan` said "Today: 1 review" while `quizapp stats` (and Home) said 0 due: the
    card comes due later today. The plan now says which is which, in the stats' own count."""
    import re
    from datetime import UTC, datetime, timedelta

    import fsrs

    from quizapp.store import Store

    now = datetime.now(UTC)
    # A zone where it is about noon now, so an hour from now is still today there.
    shift = 12 - now.hour
    # POSIX: 'QZT-3' is three hours ahead of UTC. The name needs 3 letters or more: with 'QZ'
    # the zone was UTC, and the test failed every day from 23:00 UTC on.
    env = {"TZ": f"QZT{-shift:+d}"}
    shipped, _cache = shipped_and_cache
    card = next(c for c in shipped.cards.values() if c.kind == "concept")
    store = Store.open()
    try:
        # A new card answered Easy comes back in 8 days: here, an hour from now.
        at = now + timedelta(hours=1, days=-8)
        store.record_review(card.id, fsrs.Rating.Easy, kind=card.kind, now=at)
    finally:
        store.close()
    day = (now + timedelta(days=10)).date().isoformat()
    assert run_quizapp("settings", "--interview-date", day, env=env).returncode == 0
    stats = json.loads(run_quizapp("stats", "--json", env=env).stdout)
    due_now = stats["cards_due"] + stats["practice_due"]
    plan = run_quizapp("plan", env=env)
    assert plan.returncode == 0, plan.stderr
    today = re.search(
        r"^Today: (\d+) reviews? \((\d+) due now, (\d+) later today\)", plan.stdout, re.M
    )
    assert today, plan.stdout
    reviews, now_count, later = map(int, today.groups())
    assert now_count == due_now and now_count + later == reviews and later >= 1


def test_an_error_wraps_between_words_in_an_80_column_terminal(tmp_path) -> None:
    """`quizapp import` of a JSON file that is no export: the one-line error was cut by the
    terminal inside a word ('qui' / 'zapp-progress'); into a pipe it stays one line."""
    import fcntl
    import pty
    import struct
    import subprocess
    import termios

    from tests.helpers import quizapp_command

    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    piped = run_quizapp("import", bad.name, cwd=tmp_path)  # a short path: no word is too long
    assert piped.returncode == 1 and len(piped.stderr.rstrip()) > 80, piped.stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [quizapp_command(), "import", bad.name],
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    shown = read_terminal(leader)
    assert proc.wait(60) == 1
    os.close(leader)
    lines = shown.splitlines()
    assert len(lines) > 1 and all(len(line) <= 80 for line in lines), shown
    assert shown.split() == piped.stderr.split()
    assert lines[0].startswith("quizapp: import:") and lines[1].startswith("  ")
