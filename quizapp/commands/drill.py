"""`quizapp drill list|sample|answer`: the drills from the shell.

`list` shows every drill, one row each with its type, so that other drill types (gradient
drills) can be listed beside the numeric ones. `sample ID --seed N` shows one generated numeric
drill (`--json` for tools: id, prompt, data, answer, ...); `answer ID --seed N TEXT` grades a
typed answer.
"""

from __future__ import annotations

import argparse
import difflib
import secrets
import sys
from typing import Any

from quizapp.commands import CliError, read_dashes_as_values
from quizapp.commands.common import (
    fill,
    library_from_args,
    only_deck,
    print_json,
    whole_number,
)
from quizapp.decks import Library
from quizapp.decks.models import GradientDrill, NumericDrill


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "drill",
        help="list drills, show a numeric drill, or grade an answer to one",
        description="Practise the numeric 'compute this loss' drills from the shell.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list every drill with its type and title")
    listing.add_argument("--json", action="store_true", help="print the rows as JSON")
    listing.add_argument("--deck", metavar="NAME", help="only the drills of one deck")
    listing.set_defaults(func=run_list)

    sample = actions.add_parser(
        "sample",
        help="show the drill ID with the data of seed N",
        description=(
            "Show a numeric drill. The same ID and seed always give the same numbers; without "
            "--seed a random one is picked and shown."
        ),
    )
    sample.add_argument("id", metavar="ID", help="a numeric drill's id (see 'quizapp drill list')")
    sample.add_argument("--seed", type=_seed, help="which data to draw (a whole number >= 0)")
    sample.add_argument("--solution", action="store_true", help="also show the answer and steps")
    sample.add_argument("--json", action="store_true", help="print the drill, answer included")
    sample.set_defaults(func=run_sample)

    answer = actions.add_parser(
        "answer",
        help="grade TEXT as the answer to drill ID with seed N",
        description=(
            "Grade an answer: a number (0.25), a fraction (3/4), scientific notation (2.5e-2) or "
            "a short expression (-ln(0.9), (0.04+0.25)/2). Exit 0 when right, 1 when wrong, 2 "
            "when the answer cannot be read."
        ),
    )
    # An answer may start with '-' (-ln(0.9)); argparse would take that for an option. Only -h
    # and --... are options here, so read every other '-...' word as the answer.
    read_dashes_as_values(answer)
    answer.add_argument("id", metavar="ID", help="a numeric drill's id (see 'quizapp drill list')")
    answer.add_argument("text", metavar="TEXT", help="your answer (quote it in the shell)")
    answer.add_argument("--seed", type=_seed, required=True, help="the seed of the drill")
    answer.add_argument("--json", action="store_true", help="print the verdict as JSON")
    answer.set_defaults(func=run_answer)


def _seed(text: str) -> int:
    return whole_number(text, 0, " is negative; use 0 or more")


# --------------------------------------------------------------------------- list


def drill_rows(library: Library) -> list[dict[str, Any]]:
    """One row per drill of every type: numeric ("compute this loss") then gradient."""
    return numeric_rows(library) + gradient_rows(library)


def numeric_rows(library: Library) -> list[dict[str, Any]]:
    return [
        {
            "id": card.id,
            "type": "numeric",
            "title": card.title,
            "loss": card.loss,
            "section": card.section,
            "tags": list(card.tags),
        }
        for card in library.cards.values()
        if isinstance(card, NumericDrill)
    ]


def gradient_rows(library: Library) -> list[dict[str, Any]]:
    return [
        {
            "id": card.id,
            "type": "gradient",
            "title": card.title,
            "wrt": card.wrt,
            "variables": list(card.variables),
            "domains": dict(card.domains),
            "section": card.section,
            "tags": list(card.tags),
        }
        for card in library.cards.values()
        if isinstance(card, GradientDrill)
    ]


def run_list(args: argparse.Namespace) -> int:
    rows = drill_rows(only_deck(library_from_args(args), args.deck, "drill list"))
    if args.json:
        print_json(rows)
        return 0
    width = max((len(r["id"]) for r in rows), default=2)
    for row in rows:
        ahead = f"{row['id']:<{width}}  {row['type']:<8}  "
        sys.stdout.write(fill(row["title"], first=ahead, indent=" " * len(ahead)) + "\n")
    sys.stdout.write(f"{len(rows)} drill{'s' if len(rows) != 1 else ''}\n")
    return 0


# --------------------------------------------------------------------------- sample and answer


def find_template(library: Library, drill_id: str) -> Any:
    """The numeric drill template ``drill_id``, or a usage error with a suggestion."""
    card = library.cards.get(drill_id)
    if card is not None and card.kind == NumericDrill.kind:
        return card
    ids = [c.id for c in library.of_kind(NumericDrill.kind)]
    if card is not None and card.kind == GradientDrill.kind:
        raise CliError(
            f"drill: '{drill_id}' is a gradient drill: check an answer with "
            f"'quizapp check {drill_id} ANSWER'",
            2,
        )
    if card is not None:
        raise CliError(f"drill: '{drill_id}' is a {card.label.lower()}, not a numeric drill", 2)
    close = difflib.get_close_matches(drill_id, ids, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise CliError(f"drill: unknown drill '{drill_id}'; {hint}see 'quizapp drill list'", 2)


def run_sample(args: argparse.Namespace) -> int:
    from quizapp.drills.numeric import make_drill

    template = find_template(library_from_args(args), args.id)
    seed = args.seed if args.seed is not None else secrets.randbelow(1_000_000)
    drill = make_drill(template, seed)
    if args.json:
        print_json(drill.to_dict())
        return 0
    out = sys.stdout
    out.write(f"{drill.title}  ({drill.id}, seed {drill.seed})\n\n{drill.prompt}\n\n")
    out.write(f"  {drill.formula}\n\n")
    out.write(_table(drill.columns, drill.data()))
    out.write(f"\nTolerance: {drill.tolerance_text}.\n")
    if args.solution:
        out.write(f"\nAnswer: {_num(drill.answer)}\n")
        out.writelines(f"  {line}\n" for line in drill.steps)
    else:
        out.write(
            f"Answer with: quizapp drill answer {drill.id} --seed {drill.seed} 'YOUR ANSWER'\n"
        )
    return 0


def run_answer(args: argparse.Namespace) -> int:
    from quizapp.drills.numeric import grade, make_drill

    drill = make_drill(find_template(library_from_args(args), args.id), args.seed)
    result = grade(drill, args.text)
    code = {"correct": 0, "incorrect": 1, "invalid": 2}[result.verdict]
    if args.json:
        print_json(
            {
                "id": drill.id,
                "seed": drill.seed,
                "answer": args.text,
                "verdict": result.verdict,
                "message": result.message,
                "value": result.value,
                "slip": None if result.slip is None else result.slip.id,
                "expected": drill.answer,
            }
        )
        return code
    if result.verdict == "invalid":
        raise CliError(f"drill answer: {result.message}", code)
    sys.stdout.write(fill(result.message) + "\n")  # in a terminal, wrapped between words
    sys.stdout.writelines(fill(line, first="  ", indent="    ") + "\n" for line in drill.steps)
    return code


def _num(value: float) -> str:
    from quizapp.losses.text import num

    return num(value, 6)


def _table(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, list):
            return "[" + ", ".join(_num(v) for v in value) + "]"
        return _num(value)

    cells = [[cell(row[c]) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  " + "  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  " + "  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines) + "\n"
