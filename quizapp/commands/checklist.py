"""`quizapp checklist [--json]`, `quizapp checklist tick N`, `quizapp checklist untick N`."""

from __future__ import annotations

import argparse
import sys

from quizapp.commands import CliError
from quizapp.commands.common import fill, library_from_args, open_store, print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "checklist",
        help="show the revision checklist, or tick / untick an item",
        description="Show the revision checklist with the evidence for each item (linked cards "
        "answered right and their predicted recall on your interview date, else today), or "
        "tick / untick item N by hand.",
    )
    p.add_argument("action", nargs="?", choices=("tick", "untick"), help="tick or untick item N")
    p.add_argument("number", nargs="?", metavar="N", help="the checklist item number")
    p.add_argument("--json", action="store_true", help="print the checklist as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from quizapp.checklist import checklist_status

    library = library_from_args(args, strict=False)
    numbers = [item.number for item in library.checklist]
    if args.action:
        if args.number is None:
            raise CliError(f"checklist {args.action}: give the item number, e.g. 3", code=2)
        try:
            number = int(args.number)
        except ValueError:
            raise CliError(
                f"checklist {args.action} {args.number}: not a number; give an item number like 3",
                code=2,
            ) from None
        if number not in numbers:
            have = f"items are {min(numbers)}-{max(numbers)}" if numbers else "no checklist items"
            raise CliError(
                f"checklist {args.action} {number}: no such item ({have}; see 'quizapp checklist')",
                code=2,
            )
    elif args.number is not None:
        raise CliError("checklist: say 'tick N' or 'untick N'", code=2)

    changes = f"{args.action} item {number}" if args.action else None
    with open_store(reads=not args.action, changes=changes) as store:
        already = False
        if args.action:
            already = (number in store.ticks()) == (args.action == "tick")
            if not already:
                store.set_ticked(number, args.action == "tick")
        items = checklist_status(store, library)
        interview = store.settings.interview_date
    if args.json:
        print_json([item.to_json() for item in items])
        return 0
    out = sys.stdout.write
    if args.action:
        item = next(i for i in items if i.number == number)
        state = "ticked" if item.ticked else "unticked"
        if already:  # nothing changed: say so, not "unticked 5" as if it had been ticked
            out(f"{item.number}. {item.text}: already {state}, nothing changed\n")
        else:
            out(f"{state} {item.number}. {item.text}\n")
        return 0
    if not items:
        out("no checklist items in the decks\n")
        return 0
    when = (
        f"on {interview.isoformat()}"
        if interview and items[0].recall_at.date() >= interview
        else "now"
    )
    for item in items:
        box = "[x]" if item.ticked else "[ ]"
        ready = "ready" if item.ready else "not ready"
        line = (
            f"{box} {item.number}. {item.text}  ({ready}: {item.answered_right}/{len(item.links)} "
            "answered right)"
        )
        out(fill(line, indent="    ") + "\n")
        for link in item.links:
            recall = "new" if link.recall is None else f"recall {when} {link.recall:.0%}"
            out(f"      {link.item_id}: {link.correct}/{link.reviews} right, {recall}\n")
    return 0
