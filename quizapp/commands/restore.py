"""`quizapp restore [NAME]`: list backups, or replace your progress with one of them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quizapp.commands import CliError
from quizapp.commands.backup import list_backups
from quizapp.commands.common import open_store
from quizapp.store import Store


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "restore",
        help="list backups, or restore one",
        description="Without NAME, list the backups, newest first. With NAME (a backup's file "
        "name as listed, or a path to a backup file), replace your progress with that backup; "
        "your progress just before is backed up first (as a pre-restore backup, which is kept). "
        "The backup restored is never deleted. Close quizapp first.",
    )
    p.add_argument("file", nargs="?", metavar="NAME", help="the backup to restore")
    p.set_defaults(func=run)


def _find(store: Store, given: str) -> Path:
    backups = store.list_backups()
    by_name = [b.path for b in backups if b.path.name == given]
    if by_name:
        return by_name[0]
    path = Path(given).expanduser()
    if path.is_file():
        return path
    hint = "run 'quizapp restore' to list backups by name"
    if given.isdigit():  # numbers shifted under the learner with every backup; names do not
        hint = "backups are restored by name, which never changes; " + hint
    raise CliError(f"restore {given}: no such file or backup; {hint}", code=2)


def run(args: argparse.Namespace) -> int:
    out = sys.stdout.write
    with open_store(changes=None if args.file is None else "restore") as store:
        if args.file is None:
            list_backups(store)
            return 0
        source = _find(store, args.file)
        before = store.restore(source)
    out(f"restored {source.name}; your progress before it was backed up to {before.name}\n")
    return 0
