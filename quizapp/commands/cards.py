"""`quizapp cards`, `quizapp card ID`, `quizapp suspend|unsuspend|bury|reset ID ...`: the card
browser from the shell (the same search and rows as the app's Browse screen)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from quizapp.commands import CliError, read_dashes_as_values
from quizapp.commands.common import (
    fill,
    fit_fields,
    library_from_args,
    open_store,
    print_json,
)
from quizapp.wording import counted

SEARCH_HELP = (
    "words and filters: tag:NAME kind:NAME deck:NAME due:DAYS is:new is:due is:suspended "
    "is:buried is:weak; -TERM negates (e.g. 'kind:trap is:weak -tag:ranking')"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from quizapp.browse import COLUMNS

    p = sub.add_parser(
        "cards",
        help="list every card with its schedule; search and sort as in the app's browser",
        description="Every card of every deck with kind, deck, due date, stability, "
        "difficulty, reviews, lapses and last answer. --search takes " + SEARCH_HELP + ".",
    )
    p.add_argument("--search", "-s", default="", metavar="QUERY", help=SEARCH_HELP)
    # A search may start with its negation: -s '-tag:ranking' ("expected one argument").
    read_dashes_as_values(p)
    p.add_argument("--sort", default="due", choices=sorted(COLUMNS), help="column to sort by")
    p.add_argument("--reverse", action="store_true", help="sort in reverse")
    p.add_argument("--json", action="store_true", help="print the rows as JSON")
    p.set_defaults(func=run_cards)

    p = sub.add_parser(
        "card",
        help="one card: its schedule and the history of every answer",
        description="One card's info: kind, deck, tags, source file and line, its FSRS state "
        "and every answer (date, rating, interval, how it was answered).",
    )
    p.add_argument("id", metavar="ID", help="the card id (see 'quizapp cards')")
    p.add_argument("--json", action="store_true", help="print it as JSON")
    p.set_defaults(func=run_card)

    for name, text in (
        ("suspend", "leave cards out of study, cram, plan and readiness until unsuspended"),
        ("unsuspend", "bring suspended cards back"),
        ("bury", "leave cards out until tomorrow (or --days N)"),
        ("unbury", "bring buried cards back now"),
        ("reset", "forget cards' schedules: they are new again (their history is kept)"),
    ):
        p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        p.add_argument("ids", nargs="+", metavar="ID", help="card ids (see 'quizapp cards')")
        if name == "bury":
            p.add_argument("--days", type=int, default=1, help="days to bury for (default 1)")
        p.set_defaults(func=run_flag, action=name)


def _now() -> datetime:
    return datetime.now(UTC)


def run_cards(args: argparse.Namespace) -> int:
    from quizapp.browse import (
        QueryError,
        filter_rows,
        load_rows,
        parse_query,
        sort_rows,
        status,
        unknown_name,
        when,
    )

    library = library_from_args(args, strict=False)
    now = _now()
    with open_store(reads=True) as store:
        rows = load_rows(store, library, now=now)
    try:
        terms = parse_query(args.search, finished=True)
    except QueryError as exc:
        raise CliError(f"cards --search {args.search!r}: {exc}", code=2) from None
    found = filter_rows(rows, terms, now=now)
    if not found and (problem := unknown_name(terms, rows)):
        raise CliError(f"cards --search {args.search!r}: {problem}", code=2)
    rows = found
    rows = sort_rows(rows, args.sort, reverse=args.reverse)
    if args.json:
        print_json([r.to_json() for r in rows])
        return 0
    out = sys.stdout.write
    if not rows:
        out(f"no card matches {args.search!r}\n")
        return 0
    for r in rows:
        stab = f"{r.stability:.1f}d" if r.stability is not None else "—"
        flag = status(r)
        fields = [
            f"{r.card.id:<36} ",
            f"{r.card.kind:<18} ",
            f"{r.card.deck:<8} ",
            f"due {when(r.due, now):<10} ",
            f"stab {stab:<7} ",
            f"revs {r.reviews:<3} ",
            f"lapses {r.lapses}",
            f"  [{flag}]" if flag else "",
        ]
        out(fit_fields(fields) + "\n")
    out(f"{len(rows)} card{'s' if len(rows) != 1 else ''}\n")
    return 0


def _card_or_error(library: Any, item_id: str, command: str) -> Any:
    card = library.cards.get(item_id)
    if card is None and not item_id.strip():
        raise CliError(
            f"{command}: the card id is empty; give one ('quizapp cards' lists them)", code=2
        )
    if card is None:
        import difflib

        close = difflib.get_close_matches(item_id, list(library.cards), n=1)
        hint = f"; did you mean {close[0]}?" if close else "; see 'quizapp cards'"
        raise CliError(f"{command} {item_id}: no such card{hint}", code=2)
    return card


def run_card(args: argparse.Namespace) -> int:
    from quizapp.browse import history, interval_text, load_rows, when

    library = library_from_args(args, strict=False)
    card = _card_or_error(library, args.id, "card")
    now = _now()
    with open_store(reads=True) as store:
        row = next(r for r in load_rows(store, library, now=now) if r.card.id == card.id)
        entries = history(store, card.id)
    if args.json:
        data = row.to_json()
        data["source"] = f"{card.source}:{card.line}" if card.source else None
        data["history"] = [e.to_json() for e in entries]
        print_json(data)
        return 0
    out = sys.stdout.write
    out(f"{card.id}  ({card.label or card.kind}, deck {card.deck})\n")
    out(fill(f"  {card.title}") + "\n")
    out(f"  tags: {', '.join(card.tags)}\n")
    if card.source:
        out(f"  source: {card.source}:{card.line}\n")
    if row.suspended or row.buried:
        out(f"  {'suspended' if row.suspended else 'buried'}\n")
    if row.scheduled:
        out(
            f"  due {when(row.due, now)} · stability {row.stability or 0:.1f} days · difficulty "
            f"{row.difficulty or 0:.2f} · {counted(row.reviews, 'review')}, "
            f"{counted(row.lapses, 'lapse')}\n"
        )
    else:
        out(f"  new (never studied{', or reset' if entries else ''})\n")
    if not entries:
        out("  no answers yet\n")
    for e in entries:
        from quizapp.browse import RATING_WORDS

        stamp = e.at.astimezone().strftime("%Y-%m-%d %H:%M")
        rating = RATING_WORDS.get(e.rating, "?")
        out(f"  {stamp}  {rating:<5}  {interval_text(e.interval):>6}  {e.how}\n")
    return 0


def run_flag(args: argparse.Namespace) -> int:
    library = library_from_args(args, strict=False)
    ids = [_card_or_error(library, i, args.action).id for i in args.ids]
    if args.action == "bury" and not 1 <= args.days <= 3650:
        raise CliError(f"bury --days {args.days}: give 1 to 3650 days", code=2)
    action = f"{args.action} {' '.join(ids)}"
    with open_store(changes=action) as store:
        before = store.card_flags()
        now = _now()
        lines = []
        for item_id in ids:
            flags = before.get(item_id)
            suspended = bool(flags and flags.suspended)
            buried = bool(flags and flags.buried(now))
            if args.action == "suspend":
                lines.append(
                    f"{item_id} was already suspended" if suspended else f"suspended {item_id}"
                )
            elif args.action == "unsuspend":
                lines.append(
                    f"unsuspended {item_id}" if suspended else f"{item_id} was not suspended"
                )
            elif args.action == "unbury":
                lines.append(f"unburied {item_id}" if buried else f"{item_id} was not buried")
        if args.action in ("suspend", "unsuspend"):
            store.set_suspended(ids, args.action == "suspend")
        elif args.action == "bury":
            from quizapp.clock import local_day_start

            until = local_day_start(now + timedelta(days=args.days))
            store.bury(ids, until)
            stamp = until.astimezone().strftime("%Y-%m-%d %H:%M")
            lines = [f"buried {item_id} until {stamp}" for item_id in ids]
        elif args.action == "unbury":
            store.bury(ids, None)
        else:
            for item_id in ids:
                had = store.card_state(item_id) is not None
                store.reset_progress(item_id)
                lines.append(
                    f"reset {item_id}: new again (its history is kept)"
                    if had
                    else f"{item_id} had no progress to reset"
                )
    for line in lines:
        sys.stdout.write(line + "\n")
    return 0
