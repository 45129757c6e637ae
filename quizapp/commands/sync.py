"""`quizapp sync FOLDER`: share progress between machines through a synced folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from quizapp.commands import CliError
from quizapp.commands.common import open_store
from quizapp.wording import counted

SHOWN_SKIPPED = 10  # files that cannot be merged named one by one; more are counted


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sync",
        help="share progress with your other machines through a synced folder",
        description="Merge the progress every other machine left in FOLDER (a Syncthing or "
        "Dropbox folder, a network share, a git repository) into yours, then write yours there "
        "as FOLDER/<this machine's id>.json. Run it on each machine, before and after studying; "
        "reviews made on two machines between syncs are all kept.",
    )
    # A str, not a Path: Path("") is ".", so an empty FOLDER (an unset variable in a script)
    # would sync with, and write a progress file into, whatever folder the shell is in.
    p.add_argument("folder", metavar="FOLDER", help="the folder your machines share")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quizapp.interop.sync import sync_folder
    from quizapp.store import StoreError

    if not args.folder.strip():
        raise CliError(
            "sync: the folder is empty (''); give the folder your machines share", code=2
        )
    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        raise CliError(
            f"sync: {folder} is a file, not a folder; give the folder your machines share"
        )
    if not folder.is_dir():
        raise CliError(
            f"sync: no folder {folder}; create it, or give the folder your machines share"
        )
    with open_store(changes="sync") as store, store.pending_backup("pre-sync") as backup:
        try:
            me = store.machine
            for line in store.new_notices():
                sys.stderr.write(f"quizapp: {line}\n")
            # A backup before the first merge that changes something (none when nothing is new).
            # (It starts early, in another process, once a large file is being read.)
            result = sync_folder(store, folder, me, backup.take, on_parse=backup.start)
        except StoreError as exc:
            raise CliError(f"sync: {exc.message}", code=exc.exit_code) from None
        except OSError as exc:
            raise CliError(f"sync: cannot read {folder}: {exc.strerror or exc}") from None
    for plan in result.merged:
        for line in plan.describe(done=True):
            sys.stdout.write(line + "\n")
    for line in result.notes:
        sys.stdout.write(line + "\n")
    for line in result.failed[:SHOWN_SKIPPED]:
        sys.stderr.write(f"quizapp: sync: skipped {line}\n")
    if len(result.failed) > SHOWN_SKIPPED:  # (a folder shared with other tools' files)
        more = len(result.failed) - SHOWN_SKIPPED
        sys.stderr.write(
            f"quizapp: sync: skipped {counted(more, 'more file')} in {folder} that cannot be "
            "merged; give quizapp a folder of its own\n"
        )
    machines = len(result.merged)
    merged = f"merged {counted(result.added, 'new review')} from {counted(machines, 'machine')}"
    if result.write_error:
        raise CliError(
            f"sync: {merged} (saved in your progress), but {result.write_error}; the other "
            "machines get your progress once it can be written: run sync again"
        )
    if result.up_to_date:
        held = counted(result.written_reviews, "review")
        sys.stdout.write(f"{merged}; {result.own} already holds your {held}\n")
    else:
        wrote = counted(result.written_reviews, "review")
        sys.stdout.write(f"{merged}; wrote {wrote} to {result.own}\n")
    return 1 if result.failed else 0
