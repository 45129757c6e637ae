"""Counts in words: "1 review", "2 reviews", "0 reviews" (what a learner reads, never
"1 reviews")."""

from __future__ import annotations

import re


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the number ``n`` takes: ``counted(1, "review")`` is "1 review";
    ``plural`` when adding an s is wrong (``counted(2, "is", "are")``...)."""
    return f"{n} {plural_of(n, noun, plural)}"


def plural_of(n: int, noun: str, plural: str | None = None) -> str:
    """The noun alone in the number ``n`` takes ("review", "reviews")."""
    if n == 1:
        return noun
    return plural if plural is not None else noun + "s"


def shown(text: str) -> str:
    """``text`` safe to write to a terminal on one line: each control character (an escape
    sequence's ESC, a bell, a newline...) written as its escape (``\\x1b``), as repr would."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
