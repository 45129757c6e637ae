"""`quizapp export [--json] [--output FILE]`: all your progress as JSON;
`quizapp export --anki FILE.apkg [--deck NAME]`: the cards as an Anki deck."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from quizapp.commands import CliError
from quizapp.commands.common import named_path, open_store
from quizapp.interop.progress_file import json_chunks
from quizapp.paths import write_whole
from quizapp.wording import counted


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="export all your progress as JSON, or the cards as an Anki deck",
        description="Write all your progress (settings, card states, every review, quizzes, "
        "checklist ticks) as JSON: to stdout with --json, else to FILE (default "
        "quizapp-export-<date>.json in the current folder). With --anki, write the cards "
        "instead as an Anki package: one note type laid out per card kind, tags kept (and "
        "deck::NAME); exporting again after an edit updates the notes in Anki instead of "
        "adding copies.",
    )
    p.add_argument("--json", action="store_true", help="print the JSON to stdout")
    p.add_argument("--output", "-o", type=named_path, metavar="FILE", help="write the JSON to FILE")
    p.add_argument(
        "--anki",
        type=named_path,
        metavar="FILE.apkg",
        help="write the cards as an Anki package (every kind but checklist items, numeric "
        "drills and loss curves)",
    )
    from quizapp.interop.anki import DEFAULT_DECK

    p.add_argument(
        "--deck",
        metavar="NAME",
        help="with --anki: only the cards of one quizapp deck (e.g. loss, beyond), as the "
        f"subdeck '{DEFAULT_DECK}::NAME'",
    )
    p.add_argument(
        "--anki-deck",
        metavar="NAME",
        help=f"with --anki: the Anki deck's name (default '{DEFAULT_DECK}'; use A::B for a "
        "subdeck)",
    )
    p.add_argument(
        "--with-progress",
        action="store_true",
        help="with --anki: write each card's schedule too (FSRS memory state, due date), so "
        "Anki with FSRS continues where you are; import with 'Import any learning progress'",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.anki is not None:
        return _run_anki(args)
    if args.deck is not None or args.anki_deck is not None or args.with_progress:
        option = (
            "--deck"
            if args.deck is not None
            else "--anki-deck"
            if args.anki_deck is not None
            else "--with-progress"
        )
        raise CliError(f"export: {option} goes with --anki FILE.apkg", code=2)
    if args.json and args.output:
        raise CliError("export: use either --json (stdout) or --output FILE, not both", code=2)
    if args.output is not None and args.output.is_dir():  # ('' reads as '.', a folder too)
        raise CliError(
            f"export --output {args.output}: a folder, not a file; give a file name, e.g. "
            f"{args.output / 'progress.json'}",
            code=2,
        )
    with open_store(reads=True) as store:
        data = store.export(raw_reviews=True)
    if args.json:
        sys.stdout.writelines(json_chunks(data))
        return 0
    target = args.output or Path(f"quizapp-export-{datetime.now():%Y%m%d-%H%M%S}.json")
    db = store.path.resolve()
    if Path(target).resolve() in {db, *(Path(f"{db}{s}") for s in ("-wal", "-shm", "-journal"))}:
        raise CliError(
            f"export: {target} is your progress file itself; choose another name", code=2
        )
    try:
        _write_whole(Path(target), json_chunks(data))
    except OSError as exc:
        raise CliError(
            f"export: cannot write {target}: {exc.strerror or exc}"
            + ("; the file there is left as it was" if Path(target).is_file() else "")
        ) from None
    sys.stdout.write(
        f"exported {counted(len(data['reviews']), 'review')} and "
        f"{counted(len(data['cards']), 'card state')} to "
        f"{target}\n"
    )
    return 0


def _write_whole(target: Path, chunks: Iterable[str]) -> None:
    """Write ``target`` whole or not at all: a new file beside it, renamed over it once
    complete, so a full disk or a kill never leaves an earlier export cut short. A target that
    is not a regular file (``/dev/stdout``, a FIFO) is written as it is."""
    if target.exists() and not target.is_file():
        with open(target, "w", encoding="utf-8") as fh:
            fh.writelines(chunks)
        return
    real = target.resolve()  # a link: the file it points to is replaced, not the link
    write_whole(real, chunks)


def _run_anki(args: argparse.Namespace) -> int:
    from quizapp.commands.common import library_from_args, only_deck
    from quizapp.interop.anki import DEFAULT_DECK, write_apkg

    if args.json or args.output:
        raise CliError("export: --anki writes a deck, not progress; drop --json/--output", code=2)
    target: Path = args.anki
    if target.suffix.lower() != ".apkg":
        raise CliError(f"export: {target} should end in .apkg (Anki imports only that)", code=2)
    if args.anki_deck is not None:
        deck = args.anki_deck.strip()
    else:
        deck = DEFAULT_DECK if args.deck is None else f"{DEFAULT_DECK}::{args.deck}"
    if not deck:
        raise CliError(
            "export: --anki-deck needs a name, e.g. --anki-deck 'Loss functions'", code=2
        )
    if not target.parent.is_dir():
        raise CliError(f"export: cannot write {target}: no folder {target.parent}")
    # --deck selects a quizapp deck, as everywhere else (an unknown name is a usage error).
    library = only_deck(library_from_args(args), args.deck, "export")
    scheduled: list[int] = []
    schedule = _progress_writer(scheduled) if args.with_progress else None
    try:
        result = write_apkg(library.cards.values(), target, deck, schedule=schedule)
    except OSError as exc:
        raise CliError(f"export: cannot write {target}: {exc.strerror or exc}") from None
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(result.notes.items()))
    progress = (
        f", {scheduled[0]} of them with your schedule; import it in Anki with File > Import, "
        "'Import any learning progress' ticked, and turn FSRS on in the deck options"
        if scheduled
        else "; import it in Anki with File > Import"
    )
    sys.stdout.write(
        f"exported {counted(result.total, 'note')} to {target} (deck '{deck}': {kinds}){progress}\n"
    )
    return 0


def _progress_writer(written: list[int]) -> Callable[[Path, dict[str, str]], None]:
    """What writes the learner's schedule into the package (the count lands in ``written``)."""
    from quizapp.interop.anki_schedule import write_schedule

    with open_store(reads=True) as store:
        states = store.card_states()
        flags = store.card_flags()
        retention = store.settings.desired_retention
        parameters = list(store.scheduler.parameters)
    decay = parameters[20] if len(parameters) > 20 else None

    def write(db: Path, guids: dict[str, str]) -> None:
        written.append(
            write_schedule(db, guids, states, retention=retention, decay=decay, flags=flags)
        )

    return write
