"""The checker's worker process:
``python -m quizapp.mathcheck.worker_main FD MEMORY_MB SOFT_SECONDS``.

Started by ``quizapp.mathcheck.warm_worker.Checker``, never by hand. It reads ``(seq, kind, args)``
requests from the connection on file descriptor FD and answers ``(seq, status, payload)`` until
it gets "stop" or the parent goes away (end of file). Each request runs under a soft SIGALRM
deadline; the parent enforces the hard wall-clock limit by killing this process.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any


def limit_memory(budget_mb: int) -> int | None:
    """Cap this process's address space at its current size plus ``budget_mb``; the new limit
    in bytes, or None where the platform has no such limit."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    try:
        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):  # pragma: no cover - no /proc (macOS)
        current = 0
    limit = current + budget_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # pragma: no cover
        return None
    return limit


# Set once sympy is imported and warm; until then no request touches sympy, so none waits
# for the import (previews fall back to the plain explicit form meanwhile).
SYMPY_READY = threading.Event()


def _warm_sympy() -> None:
    try:
        from quizapp.mathcheck.parser import parse
        from quizapp.mathcheck.symbolic import pretty, simplified

        tree = parse("2*(yhat - y)/N + sigmoid(z)", ("y", "yhat", "N", "z")).tree
        pretty(tree)
        simplified(tree)  # the first simplify pays for loading half of sympy
        warm_prover()
    except Exception:  # pragma: no cover - warming is only an optimisation
        pass
    finally:
        _freeze_long_lived()
        SYMPY_READY.set()


def warm_prover() -> None:
    """One small proof, so the first real one does not pay for sympy's first calls."""
    from quizapp.mathcheck.parser import parse
    from quizapp.mathcheck.prove import prove

    names = ("y", "z", "d")
    answer = parse("sigmoid(z) - y if abs(z) < d else 1/(1 + exp(-z)) - y", names).tree
    reference = parse("exp(z)/(1 + exp(z)) - y", names).tree
    prove((("y", "binary"), ("z", "real"), ("d", "positive")), answer, reference)


def _freeze_long_lived() -> None:
    """Leave what is loaded now (numpy, sympy: ~100k objects) out of every later garbage
    collection. They live as long as the worker; with them, the occasional full collection took
    ~50-100 ms inside some check (a warm check's p95), without them well under 1 ms."""
    import gc

    gc.freeze()


def serve(conn: Any, memory_limit_mb: int, soft_seconds: float) -> None:
    """Answer requests on ``conn`` until "stop" or end of file."""
    # One BLAS thread: the arrays are tiny, and every thread reserves address space.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # Warm: the first check needs numpy and its random module (the sample points).
    import numpy.random  # noqa: F401

    from quizapp.mathcheck import judge  # noqa: F401  (and with it mistakes, compare)
    from quizapp.mathcheck.deadline import DeadlineExceeded, deadline
    from quizapp.mathcheck.inprocess import check_answer

    limit = limit_memory(memory_limit_mb)
    _freeze_long_lived()
    conn.send(("ready", os.getpid()))
    threading.Thread(target=_warm_sympy, name="warm-sympy", daemon=True).start()

    def pretty(tree: Any) -> str | None:
        if not SYMPY_READY.is_set():
            return None
        from quizapp.mathcheck.symbolic import pretty as render

        return render(tree)

    def check(problem: Any, text: str, explain: bool) -> Any:
        SYMPY_READY.wait()  # a verdict needs sympy's proof: the same cold or warm
        return check_answer(problem, text, explain=explain, use_sympy=True)

    def steps(problem: Any, lines: list[str]) -> Any:
        from quizapp.mathcheck.steps import check_steps

        SYMPY_READY.wait()

        return check_steps(problem, lines)

    def info() -> dict[str, Any]:
        return {"pid": os.getpid(), "memory_limit": limit, "sympy_ready": SYMPY_READY.is_set()}

    def hang() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # beat the soft deadline
        time.sleep(3600)

    handlers: dict[str, Callable[..., Any]] = {
        "check": check,
        "steps": steps,
        "pretty": pretty,
        "info": info,
        "debug-exit": lambda: os._exit(3),
        "debug-hang": hang,
    }
    while True:
        try:
            seq, kind, args = conn.recv()
        except (EOFError, OSError):
            return
        if kind == "stop":
            return
        try:
            with deadline(soft_seconds):
                reply = (seq, "ok", handlers[kind](*args))
        except DeadlineExceeded:
            reply = (seq, "timeout", None)
        except MemoryError:
            reply = (seq, "memory", None)
        except Exception as exc:
            reply = (seq, "error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


def main(argv: list[str]) -> int:
    from multiprocessing.connection import Connection

    fd, memory_mb, soft = int(argv[0]), int(argv[1]), float(argv[2])
    serve(Connection(fd), memory_mb, soft)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
