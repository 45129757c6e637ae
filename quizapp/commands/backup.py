"""`quizapp backup [--list]`: copy your progress into the backups folder now, or list them."""

from __future__ import annotations

import argparse
import sys

from quizapp.commands.common import fill, open_store
from quizapp.wording import counted


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "backup",
        help="back up your progress now, or list the backups",
        description="Copy progress.db into the backups folder; with --list, list the backups "
        "and what is kept. 'quizapp restore NAME' restores one.",
    )
    p.add_argument("--list", action="store_true", help="list the backups, newest first")
    p.set_defaults(func=run)


def list_backups(store: object) -> None:
    """Print the backups, newest first, by their stable names, and the retention rules."""
    from quizapp.store.backups import RETENTION, is_future

    out = sys.stdout.write
    backups = store.list_backups()  # type: ignore[attr-defined]
    folder = store.backups_dir  # type: ignore[attr-defined]
    if not backups:
        out(f"no backups yet in {folder}\n")
        return
    total = sum(b.size for b in backups)
    # ("1 backups, ..." with one)
    head = f"{counted(len(backups), 'backup')}, {total / 1024**2:.1f} MB in all, in {folder}"
    out(f"{head} (newest first):\n")
    for b in backups:
        when = b.taken_at.astimezone().strftime("%Y-%m-%d %H:%M")
        future = (
            "  dated in the future (a wrong clock): not counted as newest" if is_future(b) else ""
        )
        out(f"  {b.path.name}  {when}  {b.reason:<18} {b.size / 1024:8.0f} KB{future}\n")
    out(fill(RETENTION) + "\n")
    out("restore one with 'quizapp restore NAME' (a name above; names never change)\n")


def run(args: argparse.Namespace) -> int:
    with open_store(changes=None if args.list else "back up") as store:
        if args.list:
            list_backups(store)
            return 0
        path = store.backup("manual")
    sys.stdout.write(f"backed up to {path}\n")
    return 0
