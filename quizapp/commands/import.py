"""`quizapp import FILE [--dry-run]`: merge an `export` file into this store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quizapp.commands import CliError
from quizapp.commands.common import open_store, require_saving


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import",
        help="merge progress exported on another machine (or an old export) into yours",
        description="Merge a file written by 'quizapp export' into your progress: every review "
        "either side has is kept (once), the cards they touch are rescheduled by replaying the "
        "merged reviews, and settings, fitted parameters and checklist ticks take the latest "
        "change made anywhere. Importing the same file again changes nothing. A backup is "
        "taken first. Quiz history stays on the machine it was taken on (its reviews travel).",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="a file from 'quizapp export'")
    p.add_argument("--dry-run", action="store_true", help="say what would be added; change nothing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quizapp.interop.merge import (
        MergeError,
        apply_merge,
        known_reviews,
        plan_merge,
        read_progress_file,
    )
    from quizapp.store import StoreError

    with open_store() as store:
        # The reviews already here are read first: the file's copies of them are only matched
        # by uuid, item, time and rating (nothing else of them would be used).
        known = known_reviews(store)
        try:
            progress = read_progress_file(args.file, known=known)
        except MergeError as exc:
            raise CliError(f"import: {exc.message}; nothing was changed") from None
        plan = plan_merge(store, progress, known=known)
        if not args.dry_run and not plan.empty:
            require_saving(store, "import")
            try:
                store.backup("pre-import")
                apply_merge(store, plan)
            except StoreError as exc:
                raise CliError(
                    f"import: {exc.message}; nothing was changed", code=exc.exit_code
                ) from None
    for line in plan.describe(done=not args.dry_run):
        sys.stdout.write(line + "\n")
    return 0
