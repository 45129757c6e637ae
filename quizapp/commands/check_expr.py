"""``quizapp check --expr ANSWER --ref REFERENCE --vars 'x:real,p:prob,y:binary'``: the
checker's equivalence test without a drill, for deck authors (a reference, a mistake pattern,
a worked step). The same engine and verdicts as ``quizapp check DRILL_ID ANSWER``."""

from __future__ import annotations

import argparse
import re
import sys

from quizapp.commands import CliError

# A verdict's exit status (quizapp check and check --expr alike).
EXIT = {"correct": 0, "incorrect": 1, "invalid": 3, "unchecked": 4}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_vars(text: str) -> tuple[tuple[str, str], ...]:
    """'x:real,p:prob' -> (('x', 'real'), ('p', 'prob')); CliError (exit 2) naming the bad part."""
    from quizapp.mathcheck.domains import DOMAINS

    out: list[tuple[str, str]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, domain = (s.strip() for s in part.partition(":"))
        if not sep or not _NAME.match(name):
            raise CliError(f"check: --vars: '{part}' is not NAME:DOMAIN (e.g. x:real)", code=2)
        if domain not in DOMAINS:
            known = ", ".join(DOMAINS)
            raise CliError(
                f"check: --vars: '{name}' has unknown domain '{domain}'; known: {known}", code=2
            )
        if any(name == seen for seen, _ in out):
            raise CliError(f"check: --vars: '{name}' is given twice", code=2)
        out.append((name, domain))
    if not out:
        raise CliError("check: --vars needs at least one NAME:DOMAIN, e.g. 'x:real'", code=2)
    return tuple(out)


def run_expr(args: argparse.Namespace) -> int:
    from quizapp.commands.common import fill, print_json
    from quizapp.mathcheck.domains import CONTINUOUS
    from quizapp.mathcheck.fork_checker import one_shot_checker
    from quizapp.mathcheck.parser import ParseError
    from quizapp.mathcheck.problem import Problem

    if args.drill is not None or args.answer is not None or args.batch or args.steps:
        raise CliError("check: --expr takes no DRILL_ID, ANSWER, --steps or --batch", code=2)
    if not args.ref or not args.vars:
        raise CliError("check: --expr needs --ref REFERENCE and --vars 'x:real,...'", code=2)
    domains = parse_vars(args.vars)
    wrt = next((n for n, d in domains if d in CONTINUOUS), domains[0][0])
    problem = Problem(id="expr", wrt=wrt, loss=args.ref, reference=args.ref, domains=domains)
    try:
        problem.parse(args.ref)
    except ParseError as exc:
        raise CliError(f"check: --ref: {exc.describe()}", code=2) from None
    with one_shot_checker(f"{args.expr} {args.ref}") as checker:  # sympy only if likely needed
        checker.problems[problem.id] = problem
        verdict = checker.check(problem.id, args.expr)
    message = verdict.message.replace("the derivative", "the reference")
    proof = [
        line.replace("derivative:", "reference:").replace("the derivative", "the reference")
        for line in verdict.proof
    ]
    if args.json:
        data = {**verdict.to_dict(), "message": message, "proof": proof}
        print_json({"expr": args.expr, "ref": args.ref, "vars": args.vars, **data})
        return EXIT[verdict.verdict]
    if verdict.verdict == "invalid":
        raise CliError(f"check: {verdict.message}", code=EXIT["invalid"])
    out = sys.stdout  # in a terminal, long lines wrap between words
    out.write(fill(message) + "\n")
    if verdict.interpreted:
        out.write(f"  read as: {verdict.interpreted}\n")
    for line in proof:
        out.write(fill(line, first="  ", indent="    ") + "\n")
    return EXIT[verdict.verdict]
