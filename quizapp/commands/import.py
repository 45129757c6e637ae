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
        "merged reviews, checklist ticks are combined, and a setting you never changed here "
        "takes the file's value. Importing the same file again changes nothing. A backup is "
        "taken first. Quiz history stays on the machine it was taken on (its reviews travel).",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="a file from 'quizapp export'")
    p.add_argument("--dry-run", action="store_true", help="say what would be added; change nothing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quizapp.interop.merge import MergeError, apply_merge, plan_merge, read_progress_file
    from quizapp.store import StoreError

    try:
        progress = read_progress_file(args.file)
    except MergeError as exc:
        raise CliError(f"import: {exc.message}; nothing was changed") from None
    with open_store() as store:
        plan = plan_merge(store, progress)
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
