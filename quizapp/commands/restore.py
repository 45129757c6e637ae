"""`quizapp restore [FILE]`: list backups, or replace your progress with one of them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quizapp.commands import CliError
from quizapp.commands.common import open_store, require_saving
from quizapp.store import Store, StoreError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "restore",
        help="list backups, or restore one",
        description="Without FILE, list the backups, newest first. With FILE (a path, a backup's "
        "file name, or its number in the list), replace your progress with that backup; your "
        "progress just before is backed up first.",
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="the backup to restore")
    p.set_defaults(func=run)


def _find(store: Store, given: str) -> Path:
    path = Path(given).expanduser()
    if path.is_file():
        return path
    backups = store.list_backups()
    by_name = [b.path for b in backups if b.path.name == given]
    if by_name:
        return by_name[0]
    if given.isdigit() and 1 <= int(given) <= len(backups):
        return backups[int(given) - 1].path
    raise CliError(
        f"restore {given}: no such file or backup; run 'quizapp restore' to list backups", code=2
    )


def run(args: argparse.Namespace) -> int:
    out = sys.stdout.write
    with open_store() as store:
        if args.file is None:
            backups = store.list_backups()
            if not backups:
                out(f"no backups yet in {store.backups_dir}\n")
                return 0
            out(f"{len(backups)} backups in {store.backups_dir} (newest first):\n")
            for i, b in enumerate(backups, 1):
                when = b.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
                out(f"  {i:2}  {when}  {b.reason:<16} {b.size / 1024:7.0f} KB  {b.path.name}\n")
            out("restore one with 'quizapp restore N' or 'quizapp restore FILE'\n")
            return 0
        source = _find(store, args.file)
        require_saving(store, "restore")
        try:
            before = store.restore(source)
        except StoreError as exc:
            raise CliError(exc.message) from None
    out(f"restored {source.name}; your progress before it was backed up to {before.name}\n")
    return 0
