"""`quizapp import FILE [--dry-run]`: merge an `export` file, or the reviews of quizapp's notes
in an Anki package (.colpkg, .apkg), into this store."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from quizapp.commands import CliError
from quizapp.commands.common import named_path, open_store

if TYPE_CHECKING:
    from quizapp.interop.merge import MergePlan
    from quizapp.store import Store
    from quizapp.store.backups import PendingBackup


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import",
        help="merge progress exported on another machine (or an old export) into yours",
        description="Merge a file written by 'quizapp export' into your progress: every review "
        "either side has is kept (once), the cards they touch are rescheduled by replaying the "
        "merged reviews, and settings, fitted parameters and checklist ticks take the latest "
        "change made anywhere. Importing the same file again changes nothing. A backup is "
        "taken first. Quiz history stays on the machine it was taken on (its reviews travel). "
        "An Anki package (.colpkg, or .apkg exported with scheduling) brings back the reviews "
        "of quizapp's notes made in Anki, the same way.",
    )
    p.add_argument(
        "file",
        type=named_path,
        metavar="FILE",
        help="a file from 'quizapp export', or an Anki .colpkg/.apkg",
    )
    p.add_argument("--dry-run", action="store_true", help="say what would be added; change nothing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quizapp.interop import ANKI_SUFFIXES
    from quizapp.interop.merge import MergeError, plan_file

    if args.file.suffix.lower() in ANKI_SUFFIXES:
        return _run_anki(args)
    with (
        open_store(changes=None if args.dry_run else "import") as store,
        store.pending_backup("pre-import") as backup,
    ):
        try:
            plan = plan_file(store, args.file, on_parse=None if args.dry_run else backup.start)
        except MergeError as exc:
            raise CliError(f"import: {exc.message}; nothing was changed") from None
        _apply(store, plan, args.dry_run, backup)
    for line in plan.describe(done=not args.dry_run):
        sys.stdout.write(line + "\n")
    return 0


def _run_anki(args: argparse.Namespace) -> int:
    from quizapp.commands.common import library_from_args
    from quizapp.interop.anki_import import describe, plan_anki_import, read_anki_reviews
    from quizapp.interop.merge import MergeError

    library = library_from_args(args, strict=False)
    try:
        found = read_anki_reviews(args.file, library.cards.values())
    except MergeError as exc:
        raise CliError(f"import: {exc.message}; nothing was changed") from None
    with (
        open_store(changes=None if args.dry_run else "import") as store,
        store.pending_backup("pre-import") as backup,
    ):
        plan = plan_anki_import(store, found)
        _apply(store, plan, args.dry_run, backup)
    for line in describe(found, plan, done=not args.dry_run):
        sys.stdout.write(line + "\n")
    return 0


def _apply(store: Store, plan: MergePlan, dry_run: bool, backup: PendingBackup) -> None:
    from quizapp.interop.merge import apply_merge, remember_merged
    from quizapp.store import StoreError

    if dry_run:
        return
    if plan.empty:
        remember_merged(store, plan)  # the same file again: not even read
        return
    try:
        backup.take()
        apply_merge(store, plan)
    except StoreError as exc:
        raise CliError(f"import: {exc.message}; nothing was changed", code=exc.exit_code) from None
