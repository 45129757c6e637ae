"""``Checker``: checks and previews typed answers in a warm worker process.

Why a process: whatever a learner types, the app must answer and go on. The parser's limits
make slow input unlikely, but sympy (the preview, the symbolic fallback, simplify for feedback)
is large pure-Python code with no time limit of its own. So every check runs in a child process
that the parent can kill:

- the child (``quizapp.mathcheck.worker_main``) starts once as a fresh interpreter, imports numpy,
  tells the parent it is ready, then imports sympy in the background while it already serves
  checks;
- it caps its own address space (``RLIMIT_AS``: its size at start plus ``memory_limit_mb``) and
  sets a soft SIGALRM deadline per request;
- the parent waits at most ``time_limit`` seconds (wall clock) for each reply. On a timeout or a
  crash it kills the child, starts a fresh one at once, and the verdict is ``unchecked`` (never
  ``incorrect``).

``Checker`` is safe to call from any thread (one request at a time, under a lock). It imports
neither numpy nor sympy in the calling process, except that previews parse there (the parser may
import numpy to fold a constant exponent).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from quizapp.mathcheck.inprocess import Preview, Verdict, parse_for_preview, preview_parsed
from quizapp.mathcheck.limits import (
    FAILURE_MESSAGES,
    MEMORY_LIMIT_MB,
    PREVIEW_TIME_LIMIT,
    STARTUP_TIMEOUT,
    TIME_LIMIT,
    look_up,
)
from quizapp.mathcheck.parser import ParseError
from quizapp.mathcheck.problem import Problem
from quizapp.mathcheck.steps import Derivation, Step, split_lines


@dataclass(frozen=True)
class _Failure:
    kind: str  # "timeout" | "crash" | "start" | "error" | "memory"
    detail: str = ""


_FAILURE_MESSAGES = FAILURE_MESSAGES


class _Worker:
    """One child process (``python -m quizapp.mathcheck.worker_main``) and our end of its pipe.

    A plain subprocess rather than ``multiprocessing.Process``: the spawn start method re-runs
    the caller's ``__main__`` in the child, which breaks scripts without a main guard; this child
    imports only quizapp. The pipe is a ``multiprocessing`` connection over an inherited socket.
    """

    def __init__(self, memory_limit_mb: int, soft_seconds: float) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        # The child must import this very quizapp, even when it is not installed.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        debug = bool(os.environ.get("QUIZAPP_DEBUG"))
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "quizapp.mathcheck.worker_main",
                    str(theirs.fileno()),
                    str(memory_limit_mb),
                    repr(soft_seconds),
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=None if debug else subprocess.DEVNULL,  # never scribble on the TUI
                env=env,
                start_new_session=True,  # Ctrl-C in the terminal is the parent's to handle
            )
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False
        self.pid: int | None = None
        # A Checker that is never closed still leaves no process behind when it is collected
        # or when the interpreter exits.
        weakref.finalize(self, _reap, self.process, self.conn)

    def wait_ready(self, timeout: float) -> bool:
        if self.ready:
            return True
        try:
            if not self.conn.poll(timeout):
                return False
            message = self.conn.recv()
        except (EOFError, OSError):
            return False
        if isinstance(message, tuple) and message and message[0] == "ready":
            self.ready = True
            self.pid = message[1]
        return self.ready

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, polite: bool = True) -> None:
        if polite and self.alive():
            try:
                self.conn.send((0, "stop", ()))
                self.process.wait(0.5)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        if self.alive():
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(2.0)
        self.conn.close()


def _library_problems(library: Any) -> list[Problem]:
    from quizapp.mathcheck.cards import gradient_problems

    return gradient_problems(library)


def _reap(process: subprocess.Popen[bytes], conn: Connection) -> None:
    if process.poll() is None:
        process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(2.0)
    conn.close()


class Checker:
    """Check and preview answers to gradient drills in a warm, limited worker process.

    >>> with Checker.from_library(library) as checker:          # doctest: +SKIP
    ...     checker.check("grad-mse", "2*(yhat - y)").verdict
    'correct'

    The worker starts when the ``Checker`` is made (unless ``start=False``), so it is warm by the
    first check. ``check`` and ``preview`` never raise for any text; an unknown drill id raises
    ``UnknownDrillError``.
    """

    def __init__(
        self,
        problems: Iterable[Problem] | Mapping[str, Problem],
        *,
        time_limit: float = TIME_LIMIT,
        preview_time_limit: float = PREVIEW_TIME_LIMIT,
        memory_limit_mb: int = MEMORY_LIMIT_MB,
        start: bool = True,
    ) -> None:
        items = problems.values() if isinstance(problems, Mapping) else problems
        self.problems: dict[str, Problem] = {p.id: p for p in items}
        self.time_limit = time_limit
        self.preview_time_limit = preview_time_limit
        self.memory_limit_mb = memory_limit_mb
        self._lock = threading.Lock()
        self._worker: _Worker | None = None
        self._seq = 0
        self.restarts = 0  # workers replaced after a timeout or a crash
        if start:
            with self._lock:
                self._spawn()

    @classmethod
    def from_library(cls, library: Any, **options: Any) -> Checker:
        """A checker for every ``gradient_drill`` card of a loaded ``Library``."""
        return cls(_library_problems(library), **options)

    def add_library(self, library: Any) -> None:
        """Add the ``gradient_drill`` cards of ``library``: make the ``Checker`` first (its
        worker starts warming at once), load the decks meanwhile, then add them."""
        self.problems.update({p.id: p for p in _library_problems(library)})

    # -- public API

    def check(self, drill_id: str, text: str, *, explain: bool = False) -> Verdict:
        """Check ``text`` as the answer to ``drill_id``; ``explain`` adds sympy's simplification
        of a wrong answer (slower)."""
        problem = self.problem(drill_id)
        reply = self._call("check", (problem, text, explain), self.time_limit)
        if isinstance(reply, Verdict):
            return reply
        interpreted = None
        with contextlib.suppress(ParseError):
            interpreted = problem.parse(text).explicit()
        failure = reply if isinstance(reply, _Failure) else _Failure("error", repr(reply))
        reason = _FAILURE_MESSAGES[failure.kind].format(limit=self.time_limit)
        return Verdict(
            "unchecked",
            f"Not checked: {reason}; your answer was not marked wrong.",
            interpreted=interpreted,
        )

    def check_steps(self, drill_id: str, lines: list[str]) -> Derivation:
        """Check a derivation line by line (see ``quizapp.mathcheck.steps``); a time-out or crash
        gives the verdict "unchecked" with every line unchecked, never "wrong"."""
        problem = self.problem(drill_id)
        reply = self._call("steps", (problem, list(lines)), self.time_limit * 2)
        if isinstance(reply, Derivation):
            return reply
        failure = reply if isinstance(reply, _Failure) else _Failure("error", repr(reply))
        reason = _FAILURE_MESSAGES[failure.kind].format(limit=self.time_limit * 2)
        numbered = split_lines("\n".join(lines))
        return Derivation(
            drill_id,
            "unchecked",
            None,
            tuple(Step(n, t, "unchecked", f"not checked: {reason}") for n, t in numbered),
            f"Not checked: {reason}; your derivation was not marked wrong.",
        )

    def preview(self, drill_id: str, text: str) -> Preview:
        """The "interpreted as" preview; errors come back in ``Preview.error``, never raised."""
        problem = self.problem(drill_id)
        parsed = parse_for_preview(problem, text)
        if isinstance(parsed, Preview):
            return parsed
        reply = self._call("pretty", (parsed.tree,), self.preview_time_limit)
        # Without the worker's rendering, the explicit one-line form still shows the reading.
        pretty = reply if isinstance(reply, str) else parsed.explicit()
        return preview_parsed(problem, parsed, pretty=pretty)

    def problem(self, drill_id: str) -> Problem:
        return look_up(self.problems, drill_id)

    def warm_up(self, timeout: float = STARTUP_TIMEOUT, *, sympy: bool = False) -> bool:
        """Block until the worker is ready (it starts in the background otherwise); with
        ``sympy``, also until it has loaded sympy, so previews are drawn and ``explain`` works
        (before that, previews show the one-line explicit form). True when ready in time."""
        give_up = time.monotonic() + timeout
        with self._lock:
            if self._ready_worker(timeout) is None:
                return False
        while sympy and not self.worker_info().get("sympy_ready"):
            if time.monotonic() > give_up:
                return False
            time.sleep(0.02)
        return True

    def worker_info(self) -> dict[str, Any]:
        """The worker's ``pid``, its address-space limit in bytes (``memory_limit``) and
        whether sympy is loaded and warm (``sympy_ready``)."""
        reply = self._call("info", (), self.time_limit)
        return reply if isinstance(reply, dict) else {}

    def close(self) -> None:
        with self._lock:
            if self._worker is not None:
                self._worker.stop()
                self._worker = None

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the worker

    def _spawn(self) -> None:
        self._worker = _Worker(self.memory_limit_mb, soft_seconds=max(0.1, self.time_limit * 0.8))

    def _replace(self) -> None:
        if self._worker is not None:
            self._worker.stop(polite=False)
        self.restarts += 1
        self._spawn()  # starts warming now, while the learner reads the verdict

    def _ready_worker(self, timeout: float) -> _Worker | None:
        if self._worker is None or not self._worker.alive():
            if self._worker is not None:
                self._worker.stop(polite=False)
            self._spawn()
        assert self._worker is not None
        if self._worker.wait_ready(timeout):
            return self._worker
        self._replace()
        return None

    def _call(self, kind: str, args: tuple[Any, ...], limit: float) -> Any:
        with self._lock:
            worker = self._ready_worker(STARTUP_TIMEOUT)
            if worker is None:
                return _Failure("start")
            self._seq += 1
            seq = self._seq
            try:
                worker.conn.send((seq, kind, args))
            except (OSError, ValueError):
                # Died while idle: not the answer's fault, so try once more with a fresh worker.
                self._replace()
                worker = self._ready_worker(STARTUP_TIMEOUT)
                if worker is None:
                    return _Failure("start")
                worker.conn.send((seq, kind, args))
            deadline = time.monotonic() + limit
            while True:
                left = deadline - time.monotonic()
                try:
                    if left <= 0 or not worker.conn.poll(left):
                        self._replace()
                        return _Failure("timeout")
                    reply_seq, status, payload = worker.conn.recv()
                except (EOFError, OSError):
                    self._replace()
                    return _Failure("crash")
                if reply_seq == seq:
                    break  # anything else is a stale reply: keep waiting for ours
            if status == "ok":
                return payload
            if status in ("memory", "error"):
                self._replace()  # its state is suspect after either
            return _Failure(status, str(payload or ""))

    def _debug(self, kind: str, limit: float | None = None) -> Any:
        """Tests only: make the worker exit ("debug-exit") or hang ("debug-hang")."""
        return self._call(kind, (), self.time_limit if limit is None else limit)
