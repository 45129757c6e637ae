"""`quizapp check DRILL_ID "ANSWER" [--json]` and `quizapp check --batch FILE|-`.

Checks typed derivatives against the gradient drills, in the same limited worker process the app
uses. Batch mode reads JSON lines ``{"drill": ..., "answer": ...}`` and writes one JSON line per
input line: ``{"drill", "answer", "verdict", "message", "interpreted"}``, flushed as it goes, so
it can also be driven interactively through a pipe.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from quizapp.commands import CliError
from quizapp.commands.common import library_from_args, print_json

# Exit codes of a single check (documented in --help).
EXIT = {"correct": 0, "incorrect": 1, "invalid": 3, "unchecked": 4}

EPILOG = (
    "Exit status: 0 correct, 1 incorrect, 2 usage error or unknown drill, 3 invalid answer, "
    "4 not checked (time or memory limit). With --batch: 0 when every line was a valid request, "
    "1 when some were not (each still gets an output line with verdict 'invalid'). "
    'Example: quizapp check grad-bce-logit "sigmoid(z) - y". An answer that starts with "-" '
    "works as it is: quizapp check grad-mse '-2*(y-yhat)'."
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="check a typed derivative against a gradient drill",
        description=(
            "Check ANSWER, the derivative you worked out, against gradient drill DRILL_ID "
            "(see 'quizapp drill list'). Prints the verdict, what your answer was read as and, "
            "when it is wrong, the mistake it matches."
        ),
        epilog=EPILOG,
    )
    p.add_argument(
        "drill", nargs="?", metavar="DRILL_ID", help="a gradient drill id, e.g. grad-mse"
    )
    p.add_argument(
        "answer", nargs="?", metavar="ANSWER", help='the derivative, e.g. "2*(yhat - y)"'
    )
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument(
        "--batch",
        metavar="FILE",
        help='read JSON lines {"drill", "answer"} from FILE (\'-\' for standard input)',
    )
    # Answers such as -2*(y-yhat) start with '-': read them as values, not as unknown options.
    p._negative_number_matcher = re.compile(r"^-(?!-)(?!h$)")  # type: ignore[attr-defined]
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.batch is not None:
        if args.drill is not None or args.answer is not None:
            raise CliError("check: give either DRILL_ID and ANSWER, or --batch FILE", code=2)
        if args.json:
            raise CliError("check: --batch always prints JSON lines; drop --json", code=2)
        return _run_batch(args)
    if args.drill is None or args.answer is None:
        raise CliError(
            'check: give a drill id and an answer, e.g. quizapp check grad-mse "2*(yhat - y)", '
            "or --batch FILE",
            code=2,
        )
    from quizapp.mathcheck import Checker, UnknownDrillError

    with Checker([]) as checker:  # the worker warms up while the decks load
        checker.add_library(library := library_from_args(args))
        try:
            verdict = checker.check(args.drill, args.answer)
        except UnknownDrillError as exc:
            card = library.cards.get(args.drill)
            if card is not None and card.kind == "numeric_drill":  # the other kind of drill
                raise CliError(
                    f"check: '{args.drill}' is a numeric drill, graded by 'quizapp drill answer "
                    f"{args.drill} --seed N ANSWER' ('quizapp check' grades gradients)",
                    code=2,
                ) from None
            raise CliError(f"check: {exc}; see 'quizapp drill list'", code=2) from None
    if args.json:
        print_json({"drill": args.drill, "answer": args.answer, **verdict.to_dict()})
        return EXIT[verdict.verdict]
    if verdict.verdict == "invalid":
        raise CliError(f"check: {verdict.message}", code=EXIT["invalid"])
    out = sys.stdout
    out.write(f"{verdict.message}\n")
    if verdict.interpreted:
        out.write(f"  read as: {verdict.interpreted}\n")
    for note in verdict.notes:
        out.write(f"  note: {note}\n")
    if verdict.hint:
        out.write(f"  hint: {verdict.hint}\n")
    return EXIT[verdict.verdict]


def _open_batch(name: str) -> TextIO:
    if name == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    path = Path(name)
    if not path.is_file():
        raise CliError(f"check: --batch {name}: no such file", code=2)
    try:
        return path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise CliError(f"check: --batch {name}: cannot read ({exc.strerror})", code=2) from None


def _run_batch(args: argparse.Namespace) -> int:
    from quizapp.mathcheck import Checker, UnknownDrillError

    source = _open_batch(args.batch)
    bad_lines = 0
    with Checker([]) as checker, source:  # the worker warms up while the decks load
        checker.add_library(library_from_args(args))
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            request, problem = _read_request(line, number)
            if problem:
                bad_lines += 1
                _emit({**request, "verdict": "invalid", "message": problem, "interpreted": None})
                continue
            try:
                verdict = checker.check(request["drill"], request["answer"])
            except UnknownDrillError as exc:
                bad_lines += 1
                message = f"line {number}: {exc}"
                _emit({**request, "verdict": "invalid", "message": message, "interpreted": None})
                continue
            _emit({**request, **verdict.to_dict()})
    return 1 if bad_lines else 0


def _read_request(line: str, number: int) -> tuple[dict[str, Any], str | None]:
    """The request's drill and answer, and what is wrong with the line (None when fine)."""
    empty: dict[str, Any] = {"drill": None, "answer": None}
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return empty, f"line {number}: not JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(data, dict):
        return empty, f'line {number}: expected an object like {{"drill": ..., "answer": ...}}'
    request = {"drill": data.get("drill"), "answer": data.get("answer")}
    for key in ("drill", "answer"):
        if not isinstance(data.get(key), str):
            return request, f"line {number}: '{key}' must be a string"
    return request, None


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()
