"""`quizapp settings [--retention R] [--interview-date YYYY-MM-DD|none] [--new-per-day N]`."""

from __future__ import annotations

import argparse
import sys

from quizapp.commands import CliError
from quizapp.commands.common import open_store, print_json
from quizapp.settings import DEFAULT_THEME, Settings, SettingsError, parse_settings
from quizapp.store import StoreError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "settings",
        help="show or change retention, interview date and new cards per day",
        description="Show your settings, or change them with the options below.",
    )
    p.add_argument(
        "--retention",
        metavar="R",
        help="desired retention, the recall chance reviews aim for: 0.70 to 0.99 (default 0.9)",
    )
    p.add_argument(
        "--interview-date",
        metavar="DATE",
        help="your interview date as YYYY-MM-DD ('none' to clear): the checklist predicts recall "
        "for that day",
    )
    p.add_argument(
        "--new-per-day", metavar="N", help="new cards introduced per day: 0 to 1000 (default 20)"
    )
    p.add_argument("--json", action="store_true", help="print the settings as JSON")
    p.set_defaults(func=run)


_FLAGS = {"retention": "--retention", "interview_date": "--interview-date",
          "new_per_day": "--new-per-day"}  # fmt: skip


def _parse(args: argparse.Namespace, current: Settings) -> tuple[Settings, bool]:
    """The settings after the command's flags, and whether any flag changed something."""
    if args.interview_date is not None and not args.interview_date.strip():
        # An unset variable ("--interview-date $DAY") cleared the date; 'none' does that.
        raise CliError(
            "settings --interview-date: empty; give a date as YYYY-MM-DD, or 'none' to clear it",
            code=2,
        )
    try:
        settings = parse_settings(
            current,
            retention=args.retention,
            interview_date=args.interview_date,
            new_per_day=args.new_per_day,
        )
    except SettingsError as exc:
        raise CliError(f"settings {_FLAGS[exc.field]}: {exc.message}", code=2) from None
    given = (args.retention, args.interview_date, args.new_per_day)
    return settings, any(v is not None for v in given)


def run(args: argparse.Namespace) -> int:
    changing = any(v is not None for v in (args.retention, args.interview_date, args.new_per_day))
    with open_store(reads=True, changes="change settings" if changing else None) as store:
        settings, changed = _parse(args, store.settings)
        if changed:
            try:
                store.save_settings(settings)
            except StoreError as exc:
                if exc.kind is not None:  # not saved: cli.py gives the condition's exit code
                    raise
                raise CliError(f"settings: {exc.message}", code=2) from None
        settings = store.settings
    if args.json:
        print_json(settings.to_json())
        return 0
    out = sys.stdout.write
    if changed:
        out("saved.\n")
    out(f"retention       {settings.desired_retention:.2f}\n")
    out(f"interview date  {settings.interview_date or 'not set'}\n")
    out(f"new per day     {settings.new_per_day}\n")
    out(f"theme           {settings.theme or DEFAULT_THEME}\n")  # the name the app shows
    return 0
