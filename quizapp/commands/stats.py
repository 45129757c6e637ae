"""`quizapp stats [--json]`: reviews, retention, streak, due forecast, weakest cards."""

from __future__ import annotations

import argparse
import sys

from quizapp.commands.common import KEEP, fill, library_from_args, only_deck, open_store, print_json
from quizapp.wording import counted


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "stats",
        help="show your progress: reviews, retention, streak, what is due",
        description="Show reviews per day, true retention, accuracy per tag and kind, your "
        "streak, the due forecast for 14 days and your weakest cards.",
    )
    p.add_argument("--json", action="store_true", help="print everything as JSON")
    p.add_argument("--deck", metavar="NAME", help="only the cards of one deck (e.g. loss, beyond)")
    p.set_defaults(func=run)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def run(args: argparse.Namespace) -> int:
    from quizapp.stats import DUE_WORDS, compute_stats

    library = library_from_args(args, strict=False)
    only_deck(library, args.deck, "stats")  # an unknown name is a usage error
    with open_store(reads=True) as store:
        stats = compute_stats(store, library, deck=args.deck)
    if args.json:
        print_json(stats.to_json())
        return 0
    out = sys.stdout.write
    plural = "" if stats.streak_days == 1 else "s"
    out(
        f"Reviews: {stats.reviews_total} in total, {stats.reviews_today} today; "
        f"streak {stats.streak_days} day{plural}\n"
    )
    out(
        " · ".join(
            f"{DUE_WORDS[key][0]}: {value}"
            for key, value in (
                ("cards", stats.due.cards),
                ("practice", stats.due.practice),
                ("new", stats.due.new),
            )
        )
        + "\n"
    )
    if stats.retention_reviews:
        out(
            f"True retention: {_pct(stats.retention)} of "
            f"{counted(stats.retention_reviews, 'review')} of "
            f"review cards; last 30 days {_pct(stats.retention_30d)}\n"
        )
    else:  # (it read "True retention: - of 0 reviews of review cards; last 30 days -")
        out("True retention: none yet (no reviews of review cards)\n")
    out(
        f"Checklist: {stats.checklist_done} of {stats.checklist_total} ticked, "
        f"{stats.checklist_ready} ready\n"
    )
    forecast = ", ".join(f"{d:%a}{KEEP}{d:%d}{KEEP}{n}" for d, n in stats.due_forecast)
    out(fill(f"Due in the next 14 days: {forecast}") + "\n")
    for title, table in (("kind", stats.accuracy_by_kind), ("tag", stats.accuracy_by_tag)):
        if table:
            cells = ", ".join(
                f"{k}{KEEP}{_pct(a.rate)}{KEEP}({a.reviews})" for k, a in table.items()
            )
            out(fill(f"Accuracy by {title}: {cells}") + "\n")
    if stats.weakest:
        out("Weakest cards (most lapses, then wrong answers):\n")
        for w in stats.weakest:
            out(
                f"  {counted(w.lapses, 'lapse')}, {w.wrong} of {w.reviews} wrong  {w.item_id}  "
                f"{w.title}\n"
            )
    if stats.seen_once:
        seen = counted(stats.seen_once, "card seen once is", "cards seen once are")
        out(f"{seen} not ranked as weak or strong yet.\n")
    return 0
