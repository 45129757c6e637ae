"""`quizapp validate [PATH ...] [--json]`: check decks and report every error."""

from __future__ import annotations

import argparse
import sys

from quizapp.commands import CliError
from quizapp.commands.common import fill, library_from_args, named_path, print_json
from quizapp.content import load_library
from quizapp.wording import counted


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "validate",
        help="check decks for errors and count cards per kind",
        description=(
            "Check the shipped decks (and your own, and any --content), or only the PATHs given. "
            "Exit 0 when valid, 1 when any error is found, 2 for a usage error."
        ),
    )
    p.add_argument(
        "paths", nargs="*", type=named_path, metavar="PATH", help="YAML files or folders"
    )
    p.add_argument("--json", action="store_true", help="print counts and errors as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.paths:
        missing = [p for p in args.paths if not p.exists()]
        if missing:
            raise CliError(f"validate: {missing[0]}: no such file or folder", code=2)
        odd = [p for p in args.paths if not (p.is_file() or p.is_dir())]
        if odd:  # /dev/null, a pipe: never read, and once reported as "all decks valid"
            raise CliError(
                f"validate: {odd[0]}: not a file or folder; give a deck file (.yaml) or a folder",
                code=2,
            )
        library = load_library(args.paths, include_user_decks=False)
        if not library.files:
            raise CliError(
                f"validate: no deck files (.yaml) in {', '.join(map(str, args.paths))}; "
                "nothing was checked",
                code=2,
            )
    else:
        library = library_from_args(args, strict=False, cache=False, warn=False)
    counts = {k: n for k, n in library.counts().items()}
    if args.json:
        print_json({"counts": counts, "errors": [e.to_dict() for e in library.errors]})
        return 1 if library.errors else 0
    for error in library.errors:
        sys.stdout.write(f"{error}\n")
    total = sum(counts.values())
    files = len(library.files)
    summary = ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)
    plural = "s" if files != 1 else ""
    # ("1 cards in 1 file" for a deck of one card)
    line = f"{counted(total, 'card')} in {files} file{plural}: {summary or '-'}"
    sys.stdout.write(fill(line) + "\n")
    if library.errors:
        n = len(library.errors)
        sys.stdout.write(f"{n} error{'s' if n != 1 else ''}; fix them and run validate again\n")
        return 1
    sys.stdout.write("all decks valid\n")
    return 0
