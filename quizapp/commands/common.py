"""Helpers shared by the subcommands."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from quizapp.commands import CliError
from quizapp.decks import Library, load_library
from quizapp.paths import ContentNotFoundError

if TYPE_CHECKING:
    import argparse

    from quizapp.store import Store


def library_from_args(
    args: argparse.Namespace, *, strict: bool = True, cache: bool = True
) -> Library:
    """The shipped decks, the learner's decks folder and any ``--content`` paths.

    With ``strict``, content errors stop the command with the first error and a pointer to
    ``quizapp validate``. ``cache`` reuses what unchanged files held last time (see
    ``quizapp.decks.loader.DeckCache``).
    """
    from quizapp import paths

    try:
        roots = [paths.content_dir(), *getattr(args, "content", [])]
    except ContentNotFoundError as exc:
        raise CliError(str(exc)) from None
    for root in roots[1:]:
        if not root.exists():
            raise CliError(f"--content {root}: no such file or folder", code=2)
    library = load_library(roots, cache=cache)
    if strict and library.errors:
        n = len(library.errors)
        raise CliError(
            f"{library.errors[0]} ({n} content error{'s' if n > 1 else ''}; "
            "run 'quizapp validate' to see them all)"
        )
    return library


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def open_store() -> Store:
    """Open the progress store and print its notices (damage recovered, read-only, ...) as
    one line each on stderr; they never stop a command by themselves."""
    from quizapp.store import Store

    store = Store.open()
    for notice in store.new_notices():
        sys.stderr.write(f"quizapp: {notice}\n")
    return store


def require_saving(store: Store, action: str) -> None:
    """Stop a command that changes progress when the store cannot save this run."""
    if store.read_only:
        raise CliError(
            f"cannot {action}: progress is not being saved this run (see the message above); "
            "nothing was changed"
        )


def only_deck(library: Library, deck: str | None, command: str) -> Library:
    """``library`` narrowed to ``deck`` (--deck), or a usage error naming the decks there are."""
    if deck is None:
        return library
    if deck not in library.decks:
        raise CliError(
            f"{command} --deck {deck}: no such deck; the decks are {', '.join(library.decks)}",
            code=2,
        )
    return library.only_deck(deck)
