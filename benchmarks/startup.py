"""Start-up time: from process start to the home screen's first frame, as a ratio against a bare
Textual "hello" app measured in the same run (median of N runs each, in a real pseudo-terminal).

    .venv/bin/python benchmarks/startup.py [--runs 9]

    .venv/bin/python benchmarks/startup.py --instructions   # also a deterministic count

    .venv/bin/python benchmarks/startup.py --reviews 100000  # with a 100k-review history

    .venv/bin/python benchmarks/startup.py --home DIR        # with the progress in DIR (copied)

Targets (issue 25): ratio <= 1.3 without history, <= 1.5 with a 100k-review history
(--reviews 100000). Wall-clock and CPU time to the first frame are reported; on a
shared two-core VM both swing by tens of milliseconds between runs, so --instructions also counts
the instructions executed (valgrind callgrind), which are the same on every run.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

# Each child writes the wall-clock time of its first painted frame to $BENCH_OUT, then exits.
# (Textual draws on stderr, so both stdout and stderr are the pseudo-terminal.)
HELLO = r"""
import os, sys, time
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("Hello")
    def on_mount(self):
        self.call_after_refresh(self.done)
    def done(self):
        open(os.environ["BENCH_OUT"], "w").write(f"{time.time()} {time.process_time()}")
        if os.environ.get("BENCH_EXIT_NOW"):
            os._exit(0)
        self.exit()
Hello().run()
"""

QUIZAPP = r"""
import os, sys, time
import quizapp.ui.app as appmod
original = appmod.QuizApp.on_mount
def on_mount(self):
    original(self)
    def done():
        open(os.environ["BENCH_OUT"], "w").write(f"{time.time()} {time.process_time()}")
        if os.environ.get("BENCH_EXIT_NOW"):
            os._exit(0)
        self.exit()
    # The home screen is the default screen: run once its first refresh has been painted.
    self.screen.call_after_refresh(done)
appmod.QuizApp.on_mount = on_mount
from quizapp.cli import main
sys.exit(main([]))
"""


def first_frame_seconds(code: str, env: dict[str, str]) -> tuple[float, float]:
    """Run ``code`` in a 100x30 pseudo-terminal; return (wall seconds from spawn to the first
    frame, CPU seconds the process used by then). CPU time is far less noisy on a shared VM."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    out = Path(tempfile.mkdtemp()) / "first-frame"
    start = time.time()
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**env, "BENCH_OUT": str(out)},
        close_fds=True,
    )
    os.close(slave)
    deadline = start + 30
    while proc.poll() is None and time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 65536)  # drain the terminal so the app never blocks on output
            except OSError:  # the child closed the terminal: it is exiting
                break
    try:
        proc.wait(timeout=max(1.0, deadline - time.time()))
    except subprocess.TimeoutExpired:
        proc.kill()
        raise RuntimeError("child did not exit within 30 s") from None
    os.close(master)
    if not out.exists():
        raise RuntimeError(f"no first frame reported (exit code {proc.returncode})")
    wall, cpu = (float(x) for x in out.read_text().split())
    return wall - start, cpu


def instructions(code: str, env: dict[str, str]) -> int:
    """Instructions executed up to the first frame, counted by valgrind's callgrind:
    the same on every run, so small changes can be compared where wall time cannot."""
    import re
    import shutil

    if shutil.which("valgrind") is None:
        raise RuntimeError("valgrind is not installed")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    out = Path(tempfile.mkdtemp())
    proc = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out / 'cg.out'}",
         sys.executable, "-c", code],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        # Counted up to the first frame: the process ends there, so workers started after it
        # (the decks, the plan, the file check) are not counted, however threads interleave.
        env={**env, "BENCH_OUT": str(out / "first-frame"), "PYTHONHASHSEED": "0",
             "BENCH_EXIT_NOW": "1"},
    )  # fmt: skip
    os.close(slave)
    while proc.poll() is None:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                break
    proc.wait()
    os.close(master)
    err = proc.stderr.read().decode() if proc.stderr else ""
    found = re.search(r"Collected : (\d+)", err)
    if not found:
        raise RuntimeError(f"callgrind gave no count:\n{err[-400:]}")
    return int(found.group(1))


def fill(path: Path, n: int) -> None:
    """``n`` reviews of 80% of the shipped cards spread over 180 days, as a long-time learner's
    history (in batches: only the fill is batched)."""
    import random
    from datetime import UTC, datetime, timedelta

    from quizapp import paths
    from quizapp.content import load_library
    from quizapp.store import Store

    library = load_library([paths.content_dir()])
    ids = list(library.cards)[: max(1, len(library.cards) * 4 // 5)]
    rng = random.Random(7)
    start = datetime.now(UTC) - timedelta(days=180)
    step = timedelta(days=180) / n
    with Store.open(path) as store:
        for first in range(0, n, 10_000):
            with store.batch():
                for i in range(first, min(first + 10_000, n)):
                    store.record_review(
                        ids[i % len(ids)],
                        rng.choice([1, 2, 3, 3, 3, 4]),
                        kind="faq",
                        duration_ms=rng.randint(1500, 20000),
                        now=start + step * i,
                    )
    for extra in path.parent.glob("backups/*"):
        extra.unlink()  # the measurement starts from the history alone


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count instructions with valgrind (deterministic; about a minute)",
    )
    parser.add_argument(
        "--home",
        type=Path,
        help="a data folder to start with (copied first), e.g. one with 100k reviews",
    )
    parser.add_argument(
        "--reviews",
        type=int,
        default=0,
        help="first fill the data folder with this many reviews of the shipped cards",
    )
    args = parser.parse_args()
    target = "1.5x" if args.reviews or args.home else "1.3x"
    # An installed wheel has byte-code compiled by pip; an editable checkout needs it compiled
    # once (PYTHONDONTWRITEBYTECODE may be set, as on this machine), or every start recompiles.
    import compileall

    import quizapp

    compileall.compile_dir(str(Path(quizapp.__file__).parent), quiet=1)
    with tempfile.TemporaryDirectory() as home:
        if args.home:
            import shutil

            shutil.copytree(args.home, home, dirs_exist_ok=True)
        if args.reviews:
            fill(Path(home) / "progress.db", args.reviews)
        env = {**os.environ, "QUIZAPP_HOME": home, "TERM": "xterm-256color"}
        # Warm the OS file cache and create the store once, outside the measurement.
        first_frame_seconds(HELLO, env)
        first_frame_seconds(QUIZAPP, env)
        hello, quiz = [], []
        for _ in range(args.runs):  # interleaved, so drift hits both equally
            hello.append(first_frame_seconds(HELLO, env))
            quiz.append(first_frame_seconds(QUIZAPP, env))
        counted = (
            (instructions(HELLO, env), instructions(QUIZAPP, env)) if args.instructions else None
        )
    for i, what in enumerate(("wall time", "CPU time")):
        h = statistics.median(r[i] for r in hello)
        q = statistics.median(r[i] for r in quiz)
        print(
            f"{what:9s}: hello {h * 1000:6.1f} ms, quizapp {q * 1000:6.1f} ms (medians of "
            f"{args.runs}), ratio {q / h:.2f}x (target <= {target})"
        )
    if counted:
        h_i, q_i = counted
        print(
            f"instructions: hello {h_i / 1e6:.0f} M, quizapp {q_i / 1e6:.0f} M, "
            f"ratio {q_i / h_i:.3f}x (target <= {target})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
