"""The command line's subcommands, one module each. May import: the core, decks, drills,
interop, losses, mathcheck, store (never ui).

Each module has ``register(subparsers)`` which adds its parser and sets
``func``; ``func(args)`` returns an exit code or raises ``CliError`` with a one-line message."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

# Order is the order shown in `quizapp --help`.
COMMAND_MODULES: tuple[str, ...] = (
    "validate",
    "stats",
    "plan",
    "checklist",
    "cards",
    "settings",
    "backup",
    "restore",
    "export",
    "import",
    "sync",
    "loss",
    "drill",
    "check",
    "serve",
)

# Commands registered by another command's module (name -> module).
COMMAND_OWNERS: dict[str, str] = {
    name: "cards" for name in ("card", "suspend", "unsuspend", "bury", "unbury", "reset")
}


class CliError(Exception):
    """A failure the learner can act on: one line saying what, where and what to do."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def read_dashes_as_values(parser: argparse.ArgumentParser, *, numbers_only: bool = False) -> None:
    """Let a word that starts with '-' be a value, not an unknown option: an answer such as
    ``-ln(0.9)``, ``-2*(y-yhat)`` or ``--2*(yhat-y)`` (every such word except ``-h``, ``--`` and
    ``--long`` options), or
    with ``numbers_only`` values such as ``-1,1`` and ``-.5`` after an option.

    argparse has no public switch for this; it decides what looks like a negative number with
    the private ``_negative_number_matcher``, and this is the one place that sets it.
    """
    import re

    # "--2*(y - yhat)" (a double minus) is a value too: only "--" itself and "--" before a
    # letter are options.
    pattern = r"^-[\d.]" if numbers_only else r"^-(?!h$|-$|-[A-Za-z])"
    parser._negative_number_matcher = re.compile(pattern)
