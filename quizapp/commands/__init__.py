"""Subcommands. Each module has ``register(subparsers)`` which adds its parser and sets
``func``; ``func(args)`` returns an exit code or raises ``CliError`` with a one-line message."""

from __future__ import annotations

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
