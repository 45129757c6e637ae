"""Safe parsing and checking of typed math, proved with sympy. May import: decks. Importing this
package never imports sympy.

- ``parse`` (parser.py): the one safe parser for anything a learner types.
- ``evaluate`` / ``evaluate_number`` (numeric.py): numpy evaluation of a parsed tree.
- ``check_answer`` / ``preview_answer`` (inprocess.py): verdict and "interpreted as" preview for
  a gradient ``Problem``, in this process.
- ``Checker`` (warm_worker.py, its child worker_main.py): the same in a warm worker process with
  time and memory limits; ``ForkChecker`` (fork_checker.py): the one-shot CLI check.

The names below are loaded on first use, so importing one submodule (the one-shot CLI check
forks before it imports the parser) does not import them all.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quizapp.mathcheck.inprocess import Preview, Verdict, check_answer, preview_answer
    from quizapp.mathcheck.limits import UnknownDrillError
    from quizapp.mathcheck.parser import FUNCTIONS, Parsed, ParseError, parse
    from quizapp.mathcheck.problem import Pattern, Problem
    from quizapp.mathcheck.warm_worker import Checker

# Public name -> the submodule that defines it.
_HOMES = {
    "FUNCTIONS": "parser",
    "Checker": "warm_worker",
    "ParseError": "parser",
    "Parsed": "parser",
    "Pattern": "problem",
    "Preview": "inprocess",
    "Problem": "problem",
    "UnknownDrillError": "limits",
    "Verdict": "inprocess",
    "check_answer": "inprocess",
    "parse": "parser",
    "preview_answer": "inprocess",
}

__all__ = [
    "FUNCTIONS",
    "Checker",
    "ParseError",
    "Parsed",
    "Pattern",
    "Preview",
    "Problem",
    "UnknownDrillError",
    "Verdict",
    "check_answer",
    "parse",
    "preview_answer",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'quizapp.mathcheck' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"quizapp.mathcheck.{home}"), name)
    globals()[name] = value  # once: later lookups find it without this function
    return value
