"""Safe parsing and checking of typed math. Importing this package never imports sympy.

- ``parse`` (parser.py): the one safe parser for anything a learner types.
- ``evaluate`` / ``evaluate_number`` (numeric.py): numpy evaluation of a parsed tree.
- ``check_answer`` / ``preview_answer`` (checker.py): verdict and "interpreted as" preview for a
  gradient ``Problem``, in this process.
- ``Checker`` (worker.py): the same in a warm worker process with time and memory limits.
"""

from quizapp.mathcheck.checker import Preview, Verdict, check_answer, preview_answer
from quizapp.mathcheck.parser import FUNCTIONS, Parsed, ParseError, parse
from quizapp.mathcheck.problem import Pattern, Problem
from quizapp.mathcheck.worker import Checker, UnknownDrillError

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
