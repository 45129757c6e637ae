"""Which declared name a typed word means, and what to say when it means none.

The parser (``parser.py``) asks ``resolve_name`` for every word that is not a function call,
and ``unknown_name_message`` for a word it cannot place. Both are pure functions of the word
and the drill's declared names, kept here so the grammar and the vocabulary advice stay apart.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection

from quizapp.mathcheck.lexer import FUNCTION_ALIASES, FUNCTIONS, NAME_ALIASES

# Words a learner may well type that are never names, with what to do instead.
SPECIAL_NAMES = {
    "nan": "type a finite expression",
    "inf": "infinity is not a value you can type; type a finite expression",
    "infinity": "infinity is not a value you can type; type a finite expression",
    "oo": "infinity is not a value you can type; type a finite expression",
    "pi": "constants other than numbers are not used in these answers",
    "hat": "for ŷ write yhat",
    "true": "conditions go after 'if', as in A if x <= 1 else B",
    "false": "conditions go after 'if', as in A if x <= 1 else B",
    "lambda": "only math is allowed: no code",
    "import": "only math is allowed: no code",
}


def resolve_name(word: str, names: Collection[str], is_call: bool) -> str | None:
    """The declared name ``word`` stands for (itself, an alias such as ŷ's spelling, y_i for
    y, p_1 for p1), or None when it stands for none. ``is_call``: a '(' follows the word."""
    if word in names:
        return word
    alias = NAME_ALIASES.get(word)
    if alias is not None and alias in names:
        return alias
    for suffix in ("_i", "_n"):
        if word.endswith(suffix) and word[: -len(suffix)] in names:
            return word[: -len(suffix)]
    # p_1 for p1, y_hat for yhat, pk for p_k: underscores never change which name is meant.
    bare = word.replace("_", "")
    same = [n for n in names if n.replace("_", "") == bare]
    if len(same) == 1 and bare and not is_call:
        return same[0]
    return None


def split_into_names(word: str, names: Collection[str]) -> list[str] | None:
    """Two declared names run together ("yp"), or None."""
    for k in range(1, len(word)):
        a, b = word[:k], word[k:]
        if a in names and b in names:
            return [a, b]
    return None


def unknown_name_message(word: str, is_call: bool, names: Collection[str]) -> str:
    """One line for a word that is neither a declared name nor an allowed function."""
    if is_call:
        allowed = ", ".join(sorted(f for f in FUNCTIONS if f not in FUNCTION_ALIASES))
        return f"'{word}' is not an allowed function; allowed: {allowed}"
    if word == "e" and "e" not in names:
        return "unknown name 'e'; for Euler's number write exp(1), for e^x write exp(x)"
    special = SPECIAL_NAMES.get(word.lower())
    if special:
        return f"'{word}' is not allowed: {special}"
    # "yp" or "wy" when both halves are names: a product written without its '*'. Names are
    # several letters long (yhat, delta), so such run-ons are refused rather than guessed.
    split = split_into_names(word, names)
    if split:
        return f"unknown name '{word}'; put * between " + " and ".join(f"'{p}'" for p in split)
    candidates = sorted(names) + sorted(FUNCTIONS)
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    if close:
        return f"unknown name '{word}' (did you mean '{close[0]}'?)"
    if names:
        return f"unknown name '{word}'; use: {', '.join(sorted(names))}"
    return f"unknown name '{word}'; only numbers and functions are allowed here"
