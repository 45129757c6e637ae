"""Helpers shared by the subcommands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from quizapp.commands import CliError
from quizapp.paths import ContentNotFoundError

if TYPE_CHECKING:
    import argparse

    from quizapp.decks import Library
    from quizapp.store import Store


def library_from_args(
    args: argparse.Namespace, *, strict: bool = True, cache: bool = True, warn: bool = True
) -> Library:
    """The shipped decks, the learner's decks folder and any ``--content`` paths.

    With ``strict``, content errors stop the command with the first error and a pointer to
    ``quizapp validate``; otherwise (with ``warn``) one line on stderr says how many problems
    were found and that the cards they affect were skipped. ``cache`` reuses what unchanged
    files held last time (see ``quizapp.decks.cache.DeckCache``).
    """
    from quizapp import paths
    from quizapp.content import load_library  # here: commands without decks skip its import

    try:
        roots = [paths.content_dir(), *getattr(args, "content", [])]
    except ContentNotFoundError as exc:
        raise CliError(str(exc)) from None
    for root in roots[1:]:
        if not root.exists():
            raise CliError(f"--content {root}: no such file or folder", code=2)
        problem = None if root.is_dir() else paths.regular_file(root)
        if problem is not None:
            # (a FIFO or a device was skipped without a word: the shipped decks alone were used)
            raise CliError(f"--content {root}: {problem}, not a deck file or folder", code=2)
    library = load_library(roots, cache=cache)
    if strict and library.errors:
        n = len(library.errors)
        raise CliError(
            f"{library.errors[0]} ({n} content error{'s' if n > 1 else ''}; "
            "run 'quizapp validate' to see them all)"
        )
    if warn and library.errors:
        n = len(library.errors)
        cards = len({e.id for e in library.errors if e.id})
        sys.stderr.write(
            f"quizapp: {n} content error{'s' if n > 1 else ''}, {cards} card"
            f"{'' if cards == 1 else 's'} skipped (first: {library.errors[0]}); "
            "run 'quizapp validate' to see them all\n"
        )
    return library


def whole_number(text: str, minimum: int, below: str) -> int:
    """An option's whole number of at least ``minimum`` (argparse's ``type``: its error is the
    usage line); ``below`` says what is wrong with a smaller one."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{value}{below}")
    return value


def named_path(text: str) -> Path:
    """A file or folder argument (argparse's ``type``): an empty one is refused, not taken as
    "." (`--content "$UNSET"` loaded every YAML file under the current folder; `import ''`
    said ". is a folder")."""
    import argparse

    if not text.strip():
        raise argparse.ArgumentTypeError("the name is empty; give a file or folder name")
    return Path(text)


KEEP = "\u00a0"  # in a text for fill(): a space it never breaks a line at


def _terminal_width(stream: TextIO | None = None) -> int | None:
    """The terminal's width when ``stream`` (stdout by default) is one (at least 40), else None
    (a pipe, a file)."""
    if not (stream or sys.stdout).isatty():
        return None
    import shutil

    return max(shutil.get_terminal_size().columns, 40)


def fill(text: str, *, indent: str = "  ", first: str = "", stream: TextIO | None = None) -> str:
    """``text`` wrapped at spaces to the terminal's width, each further line indented by
    ``indent``, when the output is a terminal (the terminal cut a long line anywhere: "Sat 1" at
    the end of one row, "2 0" at the start of the next); as it is into a pipe or a file, where a
    script reads one line. ``first`` goes before the first line either way; ``stream`` is where
    it is written (stdout by default). A no-break space (U+00A0) keeps words together ("Sat 12
    0") and is written as a space."""
    width = _terminal_width(stream)
    if width is None:
        return (first + text).replace(KEEP, " ")
    import textwrap

    return textwrap.fill(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ).replace(KEEP, " ")


def fit_fields(fields: list[str], *, indent: str = "    ") -> str:
    """A table row made of ``fields`` (each already padded to its column): one line into a pipe
    or a file, as scripts read it; in a terminal narrower than the row, as many whole fields a
    line as fit, further lines indented by ``indent`` (the terminal cut the row anywhere, 'due
    in 8m' on one line and 'stab 2.3d' at the start of the next, under the id column)."""
    width = _terminal_width()
    row = "".join(fields)
    if width is None or len(row.rstrip()) <= width:
        return row.rstrip() if width is not None else row
    lines = [""]
    for field in fields:
        if lines[-1].strip() and len((lines[-1] + field).rstrip()) > width:
            lines.append(indent)
        lines[-1] += field if lines[-1].strip() else field.lstrip()
    return "\n".join(line.rstrip() for line in lines)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def open_store(*, reads: bool = False, changes: str | None = None) -> Store:
    """Open the progress store (strict: a write that does not commit raises StoreError, which
    ``quizapp.cli`` turns into one line and the failure class's exit code) and print its
    notices (damage recovered, read-only, ...) as one line each on stderr. With ``reads``, a
    command whose output is the progress stops (exit 15) when none could be read at all, rather
    than report it as empty. ``changes`` (what the command is about to do: "tick item 4") stops
    it when the file cannot be saved this run (locked, read-only, full...), in one line that
    says why, with the exit code of the reason."""
    from quizapp.store import EXIT_CODES, Store
    from quizapp.store.recovery import not_saved_reason

    store = Store.open(strict=True)
    notices = store.new_notices()
    if changes is not None and store.read_only:
        # One line: what was refused and why (a notice about the copy is folded into it).
        reasons = [r for r in map(not_saved_reason, notices) if r is not None]
        for notice in notices:
            if not_saved_reason(notice) is None:  # (a damaged file moved aside, a newer file)
                sys.stderr.write(f"quizapp: {notice}\n")
        why = reasons[-1] if reasons else "progress is not being saved this run (see above)"
        code = EXIT_CODES.get(store.problem or "", 1)
        store.close()
        raise CliError(f"cannot {changes}: {why}; nothing was changed", code=code)
    for notice in notices:
        sys.stderr.write(f"quizapp: {notice}\n")
    if reads and store.unreadable:
        store.close()
        raise CliError(
            f"no progress could be read from {store.path} (see the message above)",
            code=EXIT_CODES["unusable"],
        )
    return store


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
