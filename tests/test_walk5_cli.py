"""What the seventh newcomer walkthrough (walker5) found in the shell, as the learner runs it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import quizapp_command, run_quizapp

FULL = Path("/dev/full")  # every write to it fails with "No space left on device"


@pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "command",
    [("--help",), ("--version",), ("stats",), ("cards", "--json"), ("drill", "list"),
     ("export", "--json")],
)  # fmt: skip
def test_output_to_a_full_disk_says_so_in_one_line_and_fails(command: tuple[str, ...]) -> None:
    """`quizapp stats > /dev/full` said "internal error: OSError ... please report it" (exit
    70), and `quizapp --help > /dev/full` said nothing and exited 0, as if the help had been
    written. The output's own disk refused it: one line says so, exit 1."""
    with FULL.open("w") as full:
        done = subprocess.run(
            [quizapp_command(), *command], stdout=full, stderr=subprocess.PIPE, text=True,
            timeout=60,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "could not write the output" in done.stderr
    assert "No space left on device" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", [("--help",), ("--version",), ("checklist", "--help")])
def test_help_cut_by_a_closed_pipe_exits_141_and_whole_help_exits_0(
    command: tuple[str, ...],
) -> None:
    """`quizapp --help` into a pipe whose reader had gone (`quizapp --help | true`) exited 0
    as if it had been read, where every other command gives 141; read whole (the help fits a
    pipe, so `quizapp --help | head` too) it is 0, as for git or ls."""
    reader, writer = os.pipe()
    os.close(reader)  # the reader has gone before the first byte
    try:
        cut = subprocess.run(
            [quizapp_command(), *command], stdout=writer, stderr=subprocess.PIPE, timeout=60
        )
    finally:
        os.close(writer)
    assert cut.returncode == 141
    assert cut.stderr == b""
    whole = run_quizapp(*command)
    assert whole.returncode == 0 and whole.stderr == ""
    assert whole.stdout.startswith(("usage: quizapp", "quizapp "))


@pytest.mark.parametrize(
    "command",
    [
        ("--content", "", "stats"),
        ("import", ""),
        ("import", "", "--dry-run"),
        ("export", "-o", ""),
        ("export", "--anki", ""),
        ("validate", ""),
    ],
    ids=["content", "import", "import-dry-run", "export-o", "export-anki", "validate"],
)
def test_an_empty_file_name_is_refused_not_read_as_the_current_folder(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    """An empty name (`--content "$DECKS"` with DECKS unset) was taken as ".": `--content ''`
    loaded every YAML file under the current folder (424 content errors in a checkout),
    `validate ''` checked the whole folder, `import ''` said ". is a folder". It is a usage
    mistake, said in one line, and nothing is read or written."""
    (tmp_path / "stray.yaml").write_text("cards: [{id: Bad Id}]\n")  # what "." would load
    done = run_quizapp(*command, cwd=tmp_path)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "the name is empty" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stray.yaml"]  # nothing written
