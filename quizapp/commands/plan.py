"""`quizapp plan [--json]`: readiness for the interview morning and a day-by-day plan to it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from quizapp.commands import CliError
from quizapp.commands.common import (
    KEEP,
    fill,
    library_from_args,
    open_store,
    print_json,
    whole_number,
)
from quizapp.wording import counted

NO_DATE = (
    "no interview date is set: set one with 'quizapp settings --interview-date YYYY-MM-DD' "
    "(or in the app's Settings, key o)"
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "plan",
        help="your plan to the interview: readiness on the morning and what to do each day",
        description="Predict how much you will recall on the interview morning (overall, per "
        "deck, tag and checklist item) and plan each day's reviews and new cards so that every "
        "card reaches the target by then. Needs an interview date (quizapp settings "
        "--interview-date).",
    )
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.add_argument(
        "--fit",
        action="store_true",
        help="fit FSRS to your own review history (once there are enough reviews) and keep "
        "the parameters; says how far off a fit is otherwise",
    )
    p.add_argument(
        "--days",
        type=_days,
        default=14,
        metavar="N",
        help="show at most N days of the plan in the text output (default 14; --json has all)",
    )
    p.set_defaults(func=run)


def _days(text: str) -> int:
    """--days N: one or more (0 and -1 once showed one day anyway)."""
    return whole_number(text, 1, ": show at least 1 day")


def _fit(store: Any, library: Any, as_json: bool) -> None:
    """Fit FSRS to the store's reviews, keep the result and print what it changes."""
    from quizapp.fit import FitError, fit, logged_reviews, progress_line
    from quizapp.plan import fit_change, gather

    logged = logged_reviews(store)
    try:
        result = fit(logged)
    except FitError as exc:
        raise CliError(f"plan --fit: {exc.message}") from None
    cards = store.cards_with(result.parameters)
    # Before saving: the predictions with the parameters in use until now.
    change = fit_change(gather(store, library), result.parameters, cards=cards)
    store.save_fsrs_fit(result.to_json())
    line = progress_line(result.reviews, result)
    if as_json:
        print_json({"fsrs": line, "fit": result.to_json(), "change": change.to_json()})
        return
    sys.stdout.write("\n".join([line, *change.lines()]) + "\n")


def run(args: argparse.Namespace) -> int:
    from quizapp.cram import cram_list
    from quizapp.due_words import later_today
    from quizapp.fit import fsrs_status
    from quizapp.plan import gather, guide_for_today, make_plan
    from quizapp.scheduling import StudyQueue
    from quizapp.stats import due_counts

    library = library_from_args(args, strict=False)
    with open_store(changes="keep the fitted FSRS parameters" if args.fit else None) as store:
        if args.fit:
            _fit(store, library, args.json)
            return 0
        inputs = gather(store, library)
        fsrs_line = fsrs_status(store)
        plan = make_plan(inputs)
        due_now = None
        if plan is not None:  # Home's cards and practice due, for the Today line
            guide = guide_for_today(plan, inputs.new_per_day)
            due = due_counts(StudyQueue(store, library, guide=guide))
            due_now = due.cards + due.practice
    if inputs.interview_date is None:
        raise CliError(NO_DATE)
    if plan is None or due_now is None:
        raise CliError(
            f"the interview date {inputs.interview_date.isoformat()} has passed: set the next "
            "one with 'quizapp settings --interview-date YYYY-MM-DD'"
        )
    if args.json:
        print_json({**plan.to_json(), "fsrs": fsrs_line})
        return 0
    out = sys.stdout.write
    ready = plan.readiness
    days = (
        "today"
        if plan.days_left == 0
        else f"in {plan.days_left} day" + ("s" if plan.days_left != 1 else "")
    )
    out(f"Interview {plan.interview_date.isoformat()} ({days}); target recall {plan.target:.0%}\n")
    listed = cram_list(ready, library)
    cram_note = (
        f": {len(listed.ids)} to cram, {counted(listed.other, 'drill')}" if ready.below else ""
    )
    out(fill(f"{ready.summary()}{cram_note} ({ready.unseen} not seen yet)") + "\n")
    if inputs.hidden:
        hidden = counted(
            inputs.hidden, "suspended or buried card is", "suspended or buried cards are"
        )
        out(f"{hidden} left out (see 'quizapp cards')\n")
    if ready.by_deck:
        cells = ", ".join(f"{g.name} {g.ready:.0%}" for g in ready.by_deck)
        out(f"By deck: {cells}\n")
    weak_tags = sorted(ready.by_tag, key=lambda g: g.ready)[:5]
    if weak_tags:
        tags = ", ".join(f"{g.name}{KEEP}{g.ready:.0%}" for g in weak_tags)
        out(fill(f"Weakest tags: {tags}") + "\n")
    out(fill(f"Plan: {plan.message}") + "\n")
    today = plan.today
    cram = f"; cram {plan.cram} below target" if plan.cram else ""
    practice = (
        f", {counted(today.new_practice, 'new question or drill', 'new questions or drills')}"
        if today.new_practice
        else ""
    )
    later = later_today(today.reviews, due_now)
    today_line = (
        f"Today: {counted(today.reviews, 'review')}{later}, {counted(today.new, 'new card')}"
    )
    out(fill(f"{today_line}{practice}{cram}") + "\n")
    shown = plan.days[: max(args.days, 1)]
    out(f"  {'day':<10}  {'reviews':>7}  {'new cards':>9}  {'new practice':>12}\n")
    for day in shown:
        out(f"  {day.date:%a %d %b}  {day.reviews:7d}  {day.new:9d}  {day.new_practice:12d}\n")
    if len(plan.days) > len(shown):
        out(f"  ... {len(plan.days) - len(shown)} more days (--days N or --json)\n")
    out(
        f"If you follow it: {plan.predicted.overall.ready:.0%} predicted recall on the morning, "
        f"{len(plan.predicted.below)} below target\n"
    )
    again = "fits them again" if fsrs_line.startswith("FSRS fitted") else "fits them"
    out(fill(f"{fsrs_line} ('quizapp plan --fit' {again})") + "\n")
    return 0
