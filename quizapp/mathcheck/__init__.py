"""Safe parsing and checking of typed math. Importing this package never imports sympy."""

from quizapp.mathcheck.parser import FUNCTIONS, Parsed, ParseError, parse

__all__ = ["FUNCTIONS", "ParseError", "Parsed", "parse"]
