"""The checker's limits, its failure messages and the unknown-drill error, shared by the warm
worker (``quizapp.mathcheck.warm_worker``) and the one-shot check
(``quizapp.mathcheck.fork_checker``).
A small module on purpose: the one-shot CLI check imports it before anything heavy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

# Seconds, wall clock, per check: only a safety net against a crash or a hang. The work of a
# check is bounded by sizes and counts (prove.py), so no verdict depends on this clock.
TIME_LIMIT = 10.0
PREVIEW_TIME_LIMIT = 1.0
MEMORY_LIMIT_MB = 512  # address space the worker may add to its size at start
STARTUP_TIMEOUT = 30.0  # a cold start on a busy machine; the per-check limit starts after it

FAILURE_MESSAGES = {
    "timeout": "checking took longer than {limit:g} s",
    "crash": "the checker stopped while working on it",
    "start": "the checker could not start",
    "memory": "checking needed more memory than allowed",
    "error": "the checker hit an internal error",
}


class UnknownDrillError(LookupError):
    """A drill id the checker was not given; the message suggests the closest one."""


T = TypeVar("T")


def look_up(problems: Mapping[str, T], drill_id: str) -> T:
    """``problems[drill_id]``, or ``UnknownDrillError`` naming the closest id."""
    try:
        return problems[drill_id]
    except KeyError:
        import difflib  # only for the message: keep it off the start-up path

        close = difflib.get_close_matches(drill_id, list(problems), n=1, cutoff=0.6)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UnknownDrillError(f"unknown gradient drill '{drill_id}'{hint}") from None
