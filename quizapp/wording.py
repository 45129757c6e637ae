"""Counts in words: "1 review", "2 reviews", "0 reviews" (what a learner reads, never
"1 reviews")."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the number ``n`` takes: ``counted(1, "review")`` is "1 review";
    ``plural`` when adding an s is wrong (``counted(2, "is", "are")``...)."""
    return f"{n} {plural_of(n, noun, plural)}"


def plural_of(n: int, noun: str, plural: str | None = None) -> str:
    """The noun alone in the number ``n`` takes ("review", "reviews")."""
    if n == 1:
        return noun
    return plural if plural is not None else noun + "s"
