"""`quizapp backup`: copy your progress into the backups folder now."""

from __future__ import annotations

import argparse
import sys

from quizapp.commands import CliError
from quizapp.commands.common import open_store, require_saving
from quizapp.store import StoreError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "backup",
        help="back up your progress now",
        description="Copy progress.db into the backups folder (the last 10 backups and one a day "
        "for 30 days are kept). 'quizapp restore' lists and restores them.",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with open_store() as store:
        require_saving(store, "back up")
        try:
            path = store.backup("manual")
        except StoreError as exc:
            raise CliError(exc.message) from None
    sys.stdout.write(f"backed up to {path}\n")
    return 0
