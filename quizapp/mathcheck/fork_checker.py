"""``ForkChecker``: the one-shot check of ``quizapp check DRILL_ID ANSWER``.

A fresh worker interpreter (``Checker``) costs a second interpreter start, a second import of
quizapp, a ready handshake and a polite stop: most of a one-shot command's time. Here the CLI
process forks as soon as the command starts; the forked child already has quizapp imported,
imports numpy and the judge while the parent loads the decks (and sympy, in a thread, when the
answer has a part the exact fast path leaves to sympy), then checks the one answer and
exits. Most right answers are proved without sympy (``fastprove.py``); sympy is imported when
a proof needs it. The protection is the worker's: the child caps its address space and runs
under a soft SIGALRM deadline, and the parent waits at most ``time_limit`` for the verdict and
kills the child after that. The child runs the very ``check_answer`` the worker runs, so
verdicts are the same.

Fork is only used where it is safe: a POSIX system and a parent with a single thread (a fork
from a threaded process could inherit a lock held by another thread). Elsewhere
``one_shot_checker`` returns a plain ``Checker``. Before the fork only the parser and the
verdict's class are imported (both processes need them); numpy, the judge and the decks after.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

# Only the small limits module before the fork: the child should start as early as possible.
from quizapp.mathcheck.limits import (
    FAILURE_MESSAGES,
    MEMORY_LIMIT_MB,
    STARTUP_TIMEOUT,
    TIME_LIMIT,
    look_up,
)

if TYPE_CHECKING:
    from quizapp.mathcheck.inprocess import Verdict
    from quizapp.mathcheck.problem import Problem
    from quizapp.mathcheck.warm_worker import Checker

_READY = b"R"


def _can_fork() -> bool:
    return hasattr(os, "fork") and threading.active_count() == 1


# Parts of an answer the exact fast path (fastprove.py) mostly leaves to sympy (a root, an
# equality): for those the child starts importing sympy at once. Only the timing depends on
# this guess, never a verdict.
_SYMPY_HINTS = ("sqrt", "√", "==", "!=")


def may_need_sympy(answer: str | None) -> bool:
    """Whether proving ``answer`` will likely need sympy (None: not known, so yes)."""
    return answer is None or any(hint in answer for hint in _SYMPY_HINTS)


def one_shot_checker(answer: str | None = None) -> ForkChecker | Checker:
    """A checker for one check in this process: forked where that is safe, else a worker.

    ``answer``, when known, says whether the child should import sympy while the decks load
    (an answer with a root or an equality) or only if its proof needs it (most never do)."""
    if _can_fork():
        # Both processes need the parser and the verdict's class: importing them before the
        # fork does it once (~50 ms of CPU the child would repeat; on a busy machine all CPU
        # counts), and the child still starts long before the decks are loaded.
        import quizapp.mathcheck.inprocess  # noqa: F401

        try:
            return ForkChecker(prefetch_sympy=may_need_sympy(answer))
        except OSError:  # no fork now (a process limit, no memory): the worker's way instead
            pass
    from quizapp.mathcheck.warm_worker import Checker

    return Checker([])


def _import_sympy() -> None:
    with contextlib.suppress(BaseException):  # the check imports it again and reports
        import sympy  # noqa: F401


def _child(
    requests: int, replies: int, memory_limit_mb: int, soft_seconds: float, prefetch: bool
) -> None:
    """The forked child: warm up, say ready, check one request, reply, exit. Never returns."""
    status = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        # One BLAS thread: the arrays are tiny, and every thread reserves address space.
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
        if prefetch:
            # sympy (half a second of CPU) in a thread while the parent loads the decks; the
            # check's own "import sympy", if it comes first, waits on the same import lock.
            threading.Thread(target=_import_sympy, daemon=True).start()
        # While the parent loads the decks: numpy and its random module (the sample points).
        import numpy.random  # noqa: F401

        from quizapp.mathcheck import judge  # noqa: F401
        from quizapp.mathcheck.deadline import DeadlineExceeded, deadline
        from quizapp.mathcheck.inprocess import check_answer
        from quizapp.mathcheck.worker_main import limit_memory

        limit_memory(memory_limit_mb)
        os.write(replies, _READY)
        with os.fdopen(requests, "rb") as source:
            problem, text = pickle.load(source)
        try:
            with deadline(soft_seconds):
                reply: tuple[str, Any] = ("ok", check_answer(problem, text))
        except DeadlineExceeded:
            reply = ("timeout", None)
        except MemoryError:
            reply = ("memory", None)
        except Exception as exc:
            reply = ("error", f"{type(exc).__name__}: {exc}")
        data = pickle.dumps(reply)
        while data:
            data = data[os.write(replies, data) :]
        status = 0
    except BaseException:  # nothing may escape a forked child: the parent reports "crash"
        pass
    finally:
        os._exit(status)


class ForkChecker:
    """Checks one answer in a child forked from this process, under the worker's limits.

    The child is forked when the ``ForkChecker`` is made, so it warms up while the decks load.
    ``add_library``, ``problem`` and ``check`` work as the ``Checker``'s; only one check.
    """

    def __init__(
        self,
        *,
        time_limit: float = TIME_LIMIT,
        memory_limit_mb: int = MEMORY_LIMIT_MB,
        prefetch_sympy: bool = True,
    ) -> None:
        self.problems: dict[str, Problem] = {}
        self.time_limit = time_limit
        request_r, self._requests = os.pipe()
        self._replies, reply_w = os.pipe()
        sys.stdout.flush()  # nothing buffered may be written twice
        sys.stderr.flush()
        try:
            self._pid: int | None = os.fork()
        except OSError:
            for fd in (request_r, self._requests, self._replies, reply_w):
                os.close(fd)
            raise
        if self._pid == 0:  # pragma: no cover - the child's coverage is not collected
            os.close(self._requests)
            os.close(self._replies)
            soft = max(0.1, time_limit * 0.8)
            _child(request_r, reply_w, memory_limit_mb, soft, prefetch_sympy)
        os.close(request_r)
        os.close(reply_w)

    def add_library(self, library: Any) -> None:
        """Add the ``gradient_drill`` cards of a loaded ``Library``."""
        from quizapp.mathcheck.cards import gradient_problems

        self.problems.update({p.id: p for p in gradient_problems(library)})

    def problem(self, drill_id: str) -> Problem:
        return look_up(self.problems, drill_id)

    def check(self, drill_id: str, text: str, *, explain: bool = False) -> Verdict:
        """Check ``text`` against ``drill_id`` in the forked child (``explain`` is ignored)."""
        from quizapp.mathcheck.inprocess import Verdict
        from quizapp.mathcheck.parser import ParseError

        problem = self.problem(drill_id)
        status, payload = self._ask(problem, text)
        if status == "ok" and isinstance(payload, Verdict):
            return payload
        interpreted = None

        with contextlib.suppress(ParseError):
            interpreted = problem.parse(text).explicit()
        kind = status if status in FAILURE_MESSAGES else "error"
        reason = FAILURE_MESSAGES[kind].format(limit=self.time_limit)
        return Verdict(
            "unchecked",
            f"Not checked: {reason}; your answer was not marked wrong.",
            interpreted=interpreted,
        )

    def _read(self, until: float, size: int | None = None) -> bytes | None:
        """Bytes from the child until end of file (or ``size`` bytes); None at the deadline."""
        chunks: list[bytes] = []
        got = 0
        while size is None or got < size:
            left = until - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                return None
            chunk = os.read(self._replies, 65536 if size is None else size - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _ask(self, problem: Any, text: str) -> tuple[str, Any]:
        if self._pid is None:
            return "start", None
        ready = self._read(time.monotonic() + STARTUP_TIMEOUT, size=1)
        if ready != _READY:
            return ("start" if ready is None else "crash"), None
        try:
            request = pickle.dumps((problem, text))
            while request:
                request = request[os.write(self._requests, request) :]
            os.close(self._requests)
            self._requests = -1
        except OSError:
            return "crash", None
        data = self._read(time.monotonic() + self.time_limit)
        if data is None:
            self._kill()
            return "timeout", None
        try:
            status, payload = pickle.loads(data)
        except Exception:  # the child died mid-reply
            return "crash", None
        return str(status), payload

    def _kill(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)

    def close(self) -> None:
        if self._pid is not None:
            pid, self._pid = self._pid, None
            with contextlib.suppress(OSError):
                # A finished child has exited already; one that never got a request is stopped.
                done, _ = os.waitpid(pid, os.WNOHANG)
                if done == 0:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
        for fd in (self._requests, self._replies):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._requests = self._replies = -1

    def __enter__(self) -> ForkChecker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
