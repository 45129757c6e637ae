"""`quizapp export [--json] [--output FILE]`: all your progress as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from quizapp.commands import CliError
from quizapp.commands.common import open_store, print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "export",
        help="export all your progress as JSON",
        description="Write all your progress (settings, card states, every review, quizzes, "
        "checklist ticks) as JSON: to stdout with --json, else to FILE (default "
        "quizapp-export-<date>.json in the current folder).",
    )
    p.add_argument("--json", action="store_true", help="print the JSON to stdout")
    p.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the JSON to FILE")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.json and args.output:
        raise CliError("export: use either --json (stdout) or --output FILE, not both", code=2)
    with open_store() as store:
        data = store.export()
    if args.json:
        print_json(data)
        return 0
    target = args.output or Path(f"quizapp-export-{datetime.now():%Y%m%d-%H%M%S}.json")
    try:
        target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CliError(f"export: cannot write {target}: {exc.strerror or exc}") from None
    sys.stdout.write(
        f"exported {len(data['reviews'])} reviews and {len(data['cards'])} card states to "
        f"{target}\n"
    )
    return 0
