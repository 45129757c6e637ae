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
import sys
import types
from pathlib import Path
from typing import Any, TextIO

from quizapp.commands import CliError, read_dashes_as_values

# quizapp.commands.common (the decks) is imported inside the functions: a single check forks
# its checking child first, so the child warms up while this process loads the decks.
# Exit codes of a single check (documented in --help).
from quizapp.commands.check_expr import EXIT

EPILOG = (
    "Exit status: 0 correct, 1 incorrect, 2 usage error or unknown drill, 3 invalid answer, "
    "4 not checked (time or memory limit). With --batch: 0 when every line was a valid request, "
    "1 when some were not (each still gets an output line with verdict 'invalid'). "
    'Example: quizapp check grad-bce-logit "sigmoid(z) - y". An answer that starts with "-" '
    "works as it is: quizapp check grad-mse '-2*(y-yhat)'."
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        "--expr",
        metavar="ANSWER",
        help="without a drill: check ANSWER against --ref REFERENCE over --vars (deck authors)",
    )
    p.add_argument("--ref", metavar="REFERENCE", help="with --expr: the expression to match")
    p.add_argument(
        "--vars",
        metavar="NAME:DOMAIN,...",
        help="with --expr: the variables and their domains, e.g. 'x:real,p:prob,y:binary'",
    )
    p.add_argument(
        "--steps",
        action="store_true",
        help="check a whole derivation: ANSWER is a FILE (or '-' for standard input) with one "
        "step per line; helpers may be defined as 'u = y - yhat'; the first wrong line is named",
    )
    p.add_argument(
        "--batch",
        metavar="FILE",
        help='read JSON lines {"drill", "answer"} from FILE (\'-\' for standard input)',
    )
    # Answers such as -2*(y-yhat) start with '-': read them as values, not as unknown options.
    read_dashes_as_values(p)
    # Options anywhere: "check ID --json -- ANSWER" as well as "check --json ID -- ANSWER".
    # Plain argparse fills both positionals from the first run of words, leaving ANSWER after
    # an option unrecognised; intermixed parsing reads all options first, then the words.
    p.parse_known_args = types.MethodType(_parse_intermixed, p)  # type: ignore[method-assign]
    p.set_defaults(func=run)


def _parse_intermixed(
    self: argparse.ArgumentParser, args: Any = None, namespace: Any = None
) -> tuple[argparse.Namespace, list[str]]:
    if getattr(self, "_intermixed_busy", False):  # the inner passes of the intermixed parse
        return argparse.ArgumentParser.parse_known_args(self, args, namespace)
    self._intermixed_busy = True  # type: ignore[attr-defined]
    try:
        return self.parse_known_intermixed_args(args, namespace)
    finally:
        self._intermixed_busy = False  # type: ignore[attr-defined]


def run(args: argparse.Namespace) -> int:
    if args.expr is not None:
        from quizapp.commands.check_expr import run_expr

        return run_expr(args)
    if args.ref is not None or args.vars is not None:
        raise CliError("check: --ref and --vars go with --expr ANSWER", code=2)
    if args.batch is not None:
        if args.drill is not None or args.answer is not None:
            raise CliError("check: give either DRILL_ID and ANSWER, or --batch FILE", code=2)
        if args.json:
            raise CliError("check: --batch always prints JSON lines; drop --json", code=2)
        return _run_batch(args)
    if args.steps:
        return _run_steps(args)
    if args.drill is None or args.answer is None:
        raise CliError(
            'check: give a drill id and an answer, e.g. quizapp check grad-mse "2*(yhat - y)", '
            "or --batch FILE",
            code=2,
        )
    for what, text in (("drill id", args.drill), ("answer", args.answer)):
        if _has_surrogate(text):  # bytes that are not UTF-8 arrive as lone surrogates
            raise CliError(
                f"check: the {what} contains bytes that are not UTF-8 text; retype it",
                code=EXIT["invalid"] if what == "answer" else 2,
            )
    from quizapp.mathcheck import UnknownDrillError
    from quizapp.mathcheck.fork_checker import one_shot_checker

    # One check: a child forked now warms up while the decks load (a worker where fork is
    # unsafe); either way under the worker's time and memory limits.
    with one_shot_checker(args.answer) as checker:
        from quizapp.commands.common import fill, library_from_args, print_json

        checker.add_library(library := library_from_args(args))
        try:
            verdict = checker.check(args.drill, args.answer)
        except UnknownDrillError as exc:
            from quizapp.decks.models import NumericDrill

            card = library.cards.get(args.drill)
            if card is not None and card.kind == NumericDrill.kind:  # the other kind of drill
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
    out = sys.stdout  # in a terminal, long lines wrap between words ("s|implifies" was cut)
    out.write(fill(verdict.message) + "\n")
    if verdict.interpreted:
        out.write(f"  read as: {verdict.interpreted}\n")
    for note in verdict.notes:
        out.write(fill(note, first="  note: ", indent="    ") + "\n")
    if verdict.hint:
        out.write(fill(verdict.hint, first="  hint: ", indent="    ") + "\n")
    return EXIT[verdict.verdict]


# Marks for a checked line, as in the app's gutter.
_MARKS = {
    "follows": "✓",
    "wrong": "✗",
    "follows-from-wrong": "↳",
    "definition": "=",
    "invalid": "!",
    "unchecked": "?",
}


def _run_steps(args: argparse.Namespace) -> int:
    if args.drill is None or args.answer is None:
        raise CliError(
            "check --steps: give a drill id and a file with one step per line ('-' for "
            "standard input), e.g. quizapp check --steps grad-mse steps.txt",
            code=2,
        )
    source = _open_batch(args.answer, what="--steps")
    with source:
        try:
            lines = source.read().splitlines()
        except OSError as exc:
            raise CliError(f"check --steps: cannot read {args.answer} ({exc})", code=2) from None
    from quizapp.commands.common import fill, library_from_args, print_json
    from quizapp.mathcheck import Checker, UnknownDrillError
    from quizapp.mathcheck.steps import MAX_LINES

    numbered = [line for line in lines if line.strip()]
    if not numbered:
        raise CliError(f"check --steps: {args.answer} has no steps (one per line)", code=3)
    if len(numbered) > MAX_LINES:
        raise CliError(
            f"check --steps: {len(numbered)} steps; at most {MAX_LINES} are checked", code=3
        )
    with Checker([]) as checker:
        checker.add_library(library_from_args(args))
        try:
            derivation = checker.check_steps(args.drill, lines)
        except UnknownDrillError as exc:
            raise CliError(f"check: {exc}; see 'quizapp drill list'", code=2) from None
    if args.json:
        print_json(derivation.to_json())
        return EXIT[derivation.verdict]
    out = sys.stdout
    for step in derivation.steps:
        text = step.text.strip()
        if len(text) > 76:  # a pasted wall of text is named, not echoed whole
            text = text[:75] + "…"
        out.write(f"{_MARKS[step.status]} {step.line:>2}  {text}\n")
        out.write(fill(f"{step.status}: {step.message}", first=" " * 7, indent=" " * 9) + "\n")
    if derivation.first_wrong is not None:
        out.write(f"First wrong step: line {derivation.first_wrong}.\n")
    final = {
        "correct": "Result: correct, the last line is the derivative.",
        "incorrect": "Result: incorrect, the last line is not the derivative.",
        "invalid": f"Result: invalid, {derivation.message}.",
        "unchecked": "Result: not checked; nothing was marked wrong.",
    }[derivation.verdict]
    if derivation.last_right and derivation.verdict != "correct":
        final = f"Result: {derivation.verdict}: {derivation.message}."
    out.write(fill(final) + "\n")
    return EXIT[derivation.verdict]


def _open_batch(name: str, what: str = "--batch") -> TextIO:
    # utf-8-sig: a byte-order mark at the start (Windows editors write one) is not JSON.
    if name == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="replace")
    path = Path(name)
    if not path.is_file():
        raise CliError(f"check: {what} {name}: no such file", code=2)
    try:
        return path.open(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise CliError(f"check: {what} {name}: cannot read ({exc.strerror})", code=2) from None


def _run_batch(args: argparse.Namespace) -> int:
    from quizapp.commands.common import library_from_args
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
                _emit(
                    {
                        **request,
                        "verdict": "invalid",
                        "message": problem,
                        "interpreted": None,
                        "proof": [],
                    }
                )
                continue
            try:
                verdict = checker.check(request["drill"], request["answer"])
            except UnknownDrillError as exc:
                bad_lines += 1
                message = f"line {number}: {exc}"
                _emit(
                    {
                        **request,
                        "verdict": "invalid",
                        "message": message,
                        "interpreted": None,
                        "proof": [],
                    }
                )
                continue
            except Exception as exc:  # one bad line never stops the batch
                message = f"line {number}: not checked: internal error ({type(exc).__name__})"
                _emit(
                    {
                        **request,
                        "verdict": "unchecked",
                        "message": message,
                        "interpreted": None,
                        "proof": [],
                    }
                )
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
    except RecursionError:
        return empty, f"line {number}: JSON nested too deeply; send a flat object"
    except ValueError:  # an integer of thousands of digits (Python refuses to convert it)
        return empty, f"line {number}: a number in it has too many digits"
    if not isinstance(data, dict):
        return empty, f'line {number}: expected an object like {{"drill": ..., "answer": ...}}'
    request = {"drill": data.get("drill"), "answer": data.get("answer")}
    for key in ("drill", "answer"):
        if not isinstance(data.get(key), str):
            shown = {k: v if isinstance(v, str) else None for k, v in request.items()}
            return _printable(shown), f"line {number}: '{key}' must be a string"
    for key in ("drill", "answer"):
        if _has_surrogate(str(request[key])):
            return _printable(request), (
                f"line {number}: '{key}' contains a lone surrogate (an escape such as \\ud800 "
                "that is no character); retype it"
            )
    return request, None


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable(request: dict[str, Any]) -> dict[str, Any]:
    """The request with lone surrogates written as escapes, so it can be echoed as UTF-8."""
    return {
        k: v.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(v, str) else v
        for k, v in request.items()
    }


def _emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()
