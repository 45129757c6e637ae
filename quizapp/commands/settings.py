"""`quizapp settings [--retention R] [--interview-date YYYY-MM-DD|none] [--new-per-day N]`."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from typing import Any

from quizapp.commands import CliError
from quizapp.commands.common import open_store, print_json, require_saving
from quizapp.store import Settings, StoreError


def register(sub: argparse._SubParsersAction) -> None:
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


def _parse(args: argparse.Namespace, current: Settings) -> tuple[Settings, bool]:
    """The settings after the command's flags, and whether any flag changed something."""
    changes: dict[str, Any] = {}
    if args.retention is not None:
        text = args.retention.strip()
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise CliError(
                f"--retention {args.retention}: not a number; give e.g. 0.9", code=2
            ) from None
        if not 0.7 <= value <= 0.99:
            raise CliError(
                f"--retention {args.retention}: must be from 0.70 to 0.99 (e.g. 0.9)", code=2
            )
        changes["desired_retention"] = value
    if args.interview_date is not None:
        text = args.interview_date.strip()
        if text.lower() in ("none", ""):
            changes["interview_date"] = None
        else:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise CliError(
                    f"--interview-date {text}: not a date; use YYYY-MM-DD (or 'none' to clear it)",
                    code=2,
                ) from None
            if day < date.today():
                raise CliError(
                    f"--interview-date {text} is in the past; give a date from today on, or 'none'",
                    code=2,
                )
            changes["interview_date"] = day
    if args.new_per_day is not None:
        try:
            n = int(args.new_per_day)
        except ValueError:
            raise CliError(
                f"--new-per-day {args.new_per_day}: not a whole number; give e.g. 20", code=2
            ) from None
        if not 0 <= n <= 1000:
            raise CliError(f"--new-per-day {n}: must be from 0 to 1000", code=2)
        changes["new_per_day"] = n
    return replace(current, **changes), bool(changes)


def run(args: argparse.Namespace) -> int:
    with open_store() as store:
        settings, changed = _parse(args, store.settings)
        if changed:
            require_saving(store, "change settings")
            try:
                store.save_settings(settings)
            except StoreError as exc:
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
    out(f"theme           {settings.theme or 'default'}\n")
    return 0
