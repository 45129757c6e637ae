"""The `quizapp` command as a learner runs it: help, version, validate, usage errors."""

from __future__ import annotations

import json
from pathlib import Path

from quizapp import __version__
from quizapp.commands import COMMAND_MODULES
from tests.helpers import run_quizapp

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_version() -> None:
    result = run_quizapp("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"quizapp {__version__}"


def test_help_lists_every_subcommand() -> None:
    result = run_quizapp("--help")
    assert result.returncode == 0
    for name in COMMAND_MODULES:
        assert f"\n    {name} " in result.stdout, name


def test_unknown_subcommand_is_a_one_line_usage_error() -> None:
    result = run_quizapp("studdy")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "invalid choice: 'studdy'" in lines[0]
    assert "Traceback" not in result.stderr


def test_validate_broken_decks_lists_every_error_and_fails(tmp_path: Path) -> None:
    result = run_quizapp("validate", str(FIXTURES / "broken"))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert sum("04-cards.yaml:" in line for line in lines) == 12  # faq-typo-field has two
    assert lines[-1] == "15 errors; fix them and run validate again"
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_json_reports_counts_and_structured_errors() -> None:
    result = run_quizapp("validate", "--json", str(FIXTURES / "broken"))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["counts"]["faq"] == 1 and data["counts"]["checklist"] == 1
    first_card_error = next(e for e in data["errors"] if e["id"] == "trap-missing")
    assert first_card_error["line"] == 2
    assert first_card_error["field"] == "example"
    assert first_card_error["file"].endswith("04-cards.yaml")


def test_validate_good_deck_passes() -> None:
    result = run_quizapp("validate", str(FIXTURES / "good"))
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "all decks valid"


def test_validate_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run_quizapp("validate", str(tmp_path / "nope"))
    assert result.returncode == 2
    assert (
        result.stderr.strip() == f"quizapp: validate: {tmp_path / 'nope'}: no such file or folder"
    )


def test_bad_content_override_is_one_line(tmp_path: Path) -> None:
    result = run_quizapp("validate", env={"QUIZAPP_CONTENT": str(tmp_path / "missing")})
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "QUIZAPP_CONTENT" in result.stderr and "no such folder" in result.stderr


def test_a_terminal_that_is_not_utf8_gets_question_marks_not_an_error(
    tmp_path: Path,
) -> None:
    """LANG=C or PYTHONIOENCODING=ascii: a card's σ or ‖ is shown as '?', the rest as it is."""
    from tests.shipped import shipped_library

    card = next(c for c in shipped_library().cards.values() if not c.title.isascii())
    env = {"QUIZAPP_HOME": str(tmp_path / "home")}
    utf8 = run_quizapp("card", card.id, env={**env, "PYTHONIOENCODING": "utf-8"})
    ascii_ = run_quizapp("card", card.id, env={**env, "PYTHONIOENCODING": "ascii"})
    assert utf8.returncode == 0 and not utf8.stdout.isascii()
    assert ascii_.returncode == 0 and ascii_.stderr == ""
    assert ascii_.stdout == "".join(ch if ch.isascii() else "?" for ch in utf8.stdout)
