"""Import and sync speed with a heavy learner's history: 100,000 reviews from another machine.

Cases (each a real ``quizapp`` command in a fresh process, on the disk of the temporary folder,
so the figures are what a learner waits for, start-up and the pre-import backup included; each
with its CPU time, user + system, which a busy machine disturbs far less than wall time; it
includes the pre-merge backup's worker, which runs on another core while the file is read, so
CPU time can exceed wall time):

* import 100k reviews into an empty home;
* import them into a home holding 100k reviews of its own;
* import the same file again (nothing new);
* sync: a home with its own 100k reviews and the other machine's sync file (100k reviews) in
  the folder (merge, then write its own 200k-review file), then a sync with nothing new (the
  other file is known by its digest and not parsed; this machine's file already holds its
  progress and is only hashed, not written), and, once both machines hold every review, a sync
  a day later: the other machine studied 100 cards and synced, so its file grew by 100 reviews
  (only those are read) and this machine's file gets them after the 200k it holds;
* writing the sync file against ``export -o`` of the same home (both compact JSON).

Targets (issue 23): import <= 2 s into an empty or a populated home, <= 0.5 s when nothing is
new (each after start-up), sync <= 2 s, the sync file written as fast as export.

Run: .venv/bin/python benchmarks/sync.py [--reviews 100000] [--repeat N] [--quizapp PATH] [--steps]
     [--against PATH]
(--repeat: N rounds, each figure the least of them, wall and CPU apart: a busy machine only
ever adds time. --steps: each command runs through benchmarks/tools/sync_steps.py, and a table of
where its time went follows, each step the least of the rounds. --against PATH: another quizapp
command, e.g. a wrapper running an older checkout, its rounds interleaved with these on the same
files, first and second in turn, each case's figure for both: this VM's times drift by a fifth
within an hour, and a round runs faster or slower after another, so a before/after taken in two
runs, or always in the same order, can say the opposite of the truth.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

RATINGS = ["again", "hard", "good", "easy"]


def export_file(path: Path, machine: str, reviews: int, items: int, seed: int) -> None:
    """An export as ``quizapp export`` writes it: ``reviews`` reviews of ``items`` items."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    step = timedelta(days=600) / reviews
    rows = []
    for i in range(reviews):
        rows.append(
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "item_id": f"card-{machine}-{i % items:05d}" if i % 3 else f"card-{i % items:05d}",
                "kind": "faq",
                "rating": rng.choices(RATINGS, weights=(10, 10, 65, 15))[0],
                "reviewed_at": (
                    start + step * i + timedelta(seconds=seed, microseconds=1)
                ).isoformat(),
                "duration_ms": rng.randint(1500, 20000),
                "answer": None,
                "verdict": None,
                "seed": None,
            }
        )
    data = {
        "format": "quizapp-progress",
        "schema_version": 4,
        "exported_at": datetime.now(UTC).isoformat(),
        "settings": {"desired_retention": 0.9, "new_per_day": 20},
        "cards": [],
        "reviews": rows,
        "checklist_ticks": [],
    }
    path.write_text(json.dumps(data), encoding="utf-8")


def with_more(source: Path, path: Path, more: int, seed: int) -> None:
    """``source`` with ``more`` reviews after its last: the other machine a day later."""
    rng = random.Random(seed)
    data = json.loads(source.read_text(encoding="utf-8"))
    last = datetime.fromisoformat(data["reviews"][-1]["reviewed_at"])
    for i in range(more):
        data["reviews"].append(
            {
                "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "item_id": f"card-{rng.randrange(8000):05d}",
                "kind": "faq",
                "rating": rng.choice(RATINGS),
                "reviewed_at": (last + timedelta(minutes=i + 1)).isoformat(),
                "duration_ms": rng.randint(1500, 20000),
                "answer": None,
                "verdict": None,
                "seed": None,
            }
        )
    path.write_text(json.dumps(data), encoding="utf-8")


def _cpu() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


STEPS: dict[str, dict[str, float]] = {}  # --steps: case -> step -> least seconds
STEPPER = Path(__file__).parent / "tools" / "sync_steps.py"


def run(exe: str, home: Path, *args: str, case: str = "") -> tuple[float, float]:
    """The wall time of one command and its CPU time (user + system: far less noisy on a busy
    machine). With --steps (``case`` given and ``exe`` the stepper) its steps go to STEPS."""
    env = dict(os.environ, QUIZAPP_HOME=str(home))
    command = [exe, *args]
    out = home.parent / f"steps-{home.name}.json"
    if case and STEPPER_ON:
        command = [sys.executable, str(STEPPER), str(out), *args]
    c0, t0 = _cpu(), time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    if case and STEPPER_ON:
        best = STEPS.setdefault(case, {})
        for step, spent in json.loads(out.read_text(encoding="utf-8")).items():
            best[step] = min(best.get(step, spent), spent)
    return elapsed, _cpu() - c0


STEPPER_ON = False


def one_round(exe: str, root: Path, file_a: Path, file_b: Path) -> list[tuple[str, float, float]]:
    """Every case once, in fresh homes under ``root``: (case, wall, CPU)."""
    startup = min(run(exe, root / "empty", "--version") for _ in range(3))
    rows = [("start-up (quizapp --version)", *startup)]

    def case(name: str, home: str, *args: str) -> None:
        rows.append((name, *run(exe, root / home, *args, case=name)))

    case("import into an empty home", "h1", "import", str(file_a))
    run(exe, root / "h2", "import", str(file_b))
    case("import into a populated home", "h2", "import", str(file_a))
    rows.append(("import again (nothing new)", *run(exe, root / "h2", "import", str(file_a))))
    shared = root / "Sync"
    shared.mkdir()
    # The other machine: 100k reviews of its own, and its sync file in the folder.
    run(exe, root / "h4", "import", str(file_a))
    run(exe, root / "h4", "sync", str(shared))
    run(exe, root / "h3", "import", str(file_b))
    case("sync (merge 100k, write 200k)", "h3", "sync", str(shared))
    again = run(exe, root / "h3", "sync", str(shared))
    rows.append(("sync (nothing new, file up to date)", *again))
    # Both in step (each holds the other's reviews); a day later the other machine studies 100
    # cards and syncs, then this one does: it merges those 100 and adds them to its file.
    run(exe, root / "h4", "sync", str(shared))
    run(exe, root / "h3", "sync", str(shared))
    run(exe, root / "h4", "import", str(file_a.with_name("a-day-later.json")))
    run(exe, root / "h4", "sync", str(shared))
    case("sync a day later (100 new, write 200,100)", "h3", "sync", str(shared))
    rows.append(("export -o (200k)", *run(exe, root / "h3", "export", "-o", str(root / "e.json"))))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=8_000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="rounds; each figure is the least of them"
    )
    parser.add_argument("--quizapp", default=str(Path(sys.executable).with_name("quizapp")))
    parser.add_argument(
        "--steps", action="store_true", help="also where each merge's time goes, step by step"
    )
    parser.add_argument(
        "--against", help="another quizapp command, its rounds interleaved with these"
    )
    args = parser.parse_args()
    global STEPPER_ON
    STEPPER_ON = args.steps
    best: dict[str, tuple[float, float]] = {}
    other: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        file_a, file_b = root / "a.json", root / "b.json"
        export_file(file_a, "a", args.reviews, args.items, 1)
        export_file(file_b, "b", args.reviews, args.items, 2)
        with_more(file_a, root / "a-day-later.json", 100, 3)
        for n in range(args.repeat):
            runs = [(args.quizapp, best, "")]
            if args.against:
                runs.append((args.against, other, "-against"))
            # (in turn first and second: a round runs faster or slower after another)
            for exe, into, suffix in runs if n % 2 == 0 else runs[::-1]:
                for name, wall, cpu in one_round(exe, root / f"round{n}{suffix}", file_a, file_b):
                    old = into.get(name, (wall, cpu))
                    into[name] = (min(old[0], wall), min(old[1], cpu))
    width = max(map(len, best))
    for name, (wall, cpu) in best.items():
        line = f"{name:<{width}}  {wall:6.2f} s wall  {cpu:6.2f} s CPU"
        if name in other:
            line += f"   against: {other[name][0]:6.2f} s wall  {other[name][1]:6.2f} s CPU"
        print(line)
    for name, steps in STEPS.items():
        print(f"\n{name}: where the time went (wall s; a step includes those indented under it)")
        width = max(map(len, steps))
        for step, spent in steps.items():
            print(f"  {step:<{width}}  {spent:6.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
