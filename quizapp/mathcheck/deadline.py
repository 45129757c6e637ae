"""A soft time limit for slow pure-Python work (sympy) in the main thread.

``with deadline(0.5): ...`` raises ``DeadlineExceeded`` inside the block once the time is up,
using SIGALRM, so it can only interrupt Python code, not one long C call; the checker's worker
process adds a hard wall-clock limit on top (the parent kills it). Outside the main thread, or
where SIGALRM does not exist, the block simply runs unlimited: callers there rely on the worker.
Deadlines nest: an inner one never extends an outer one.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class DeadlineExceeded(BaseException):
    """The time given to a ``deadline`` block ran out. A ``BaseException`` (as
    ``KeyboardInterrupt``), so the ``except Exception`` that guards a sympy call against sympy's
    own refusals does not turn the clock into a reason ("sympy could not handle it
    (DeadlineExceeded)") and carry on past the limit."""


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    if not _usable():
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise DeadlineExceeded(f"took longer than {seconds:g} s")

    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, on_alarm)
    limit = seconds if outer_left <= 0 else min(seconds, outer_left)
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_left > 0:
            left = outer_left - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))
