"""Many processes, one progress file: the real app (in-process, under Textual's Pilot) rates cards
while loops run `quizapp` commands against the same data folder (checklist tick/untick, settings,
import of generated export files, sync with a folder of generated peers' files, backup), a
`quizapp serve` tab studies over its websocket (soak_serve.py: another app process), and a killer
sends kill -9 to a random running command or the tab's app process. At the end every
acknowledged write must be in the file exactly once, the file must pass integrity_check, nothing
may have been moved aside, the app's -wal must never have been deleted while the app was open,
and no process may have opened the file with a Python file API while connected to it (every
child runs with tests/open_guard.py).

    .venv/bin/python benchmarks/soak.py --minutes 5 [--seed 1] [--home DIR]

prints participants, minutes, writes, kills, lost, duplicated (and the rest of the report as JSON).
The test suite runs a short one (tests/unit/test_soak.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

QUIZAPP = str(Path(sys.executable).parent / "quizapp")
TICKS = range(1, 13)
REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [p for p in (str(REPO), str(REPO / "benchmarks")) if p not in sys.path]

from soak_serve import Serve  # noqa: E402 - benchmarks/ is not a package

from tests import open_guard  # noqa: E402 - the guard every child runs with


@dataclass
class Report:
    participants: int = 0
    seconds: float = 0.0
    writes: int = 0  # acknowledged: a rating the app showed, a command that exited 0
    kills: int = 0
    lost: int = 0
    duplicated: int = 0
    app_reviews: int = 0
    commands: int = 0
    failed_commands: list[str] = field(default_factory=list)
    wrong_state: list[str] = field(default_factory=list)
    half_imports: int = 0  # an import killed mid-way that left some of its reviews, not all
    integrity: str = ""
    moved_aside: list[str] = field(default_factory=list)
    wal_gone: int = 0  # times the app's -wal was missing or a new file while the app was open
    syncs: int = 0  # `quizapp sync` runs that exited 0
    serve_reviews: int = 0  # ratings a served tab showed as counted
    serve_tabs: int = 0
    serve_kills: int = 0  # of the tab's app process
    guard_violations: list[str] = field(default_factory=list)  # standalone runs (see soak())
    guarded: int = 0  # child processes that connected with the open guard on

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.duplicated == 0
            and not self.failed_commands
            and not self.wrong_state
            and self.half_imports == 0
            and self.integrity == "ok"
            and not self.moved_aside
            and self.wal_gone == 0
            and not self.guard_violations
        )

    def line(self) -> str:
        return (
            f"participants {self.participants}, minutes {self.seconds / 60:.1f}, writes "
            f"{self.writes}, kills {self.kills}, lost {self.lost}, duplicated {self.duplicated}"
        )


class Loop:
    """One participant: runs its commands one after another in its own thread; the killer may
    kill the command that is running (its outcome is then unknown, not acknowledged)."""

    def __init__(self, name: str, home: Path, rng: random.Random, stop: threading.Event) -> None:
        self.name = name
        self.home = home
        self.rng = rng
        self.stop = stop
        self.proc: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()
        self.killed_now = False
        self.commands = 0
        self.acked_any = False  # a command of this loop exited 0
        self.failed: list[str] = []
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)

    def command(self, *args: str) -> bool | None:
        """True: acknowledged (exit 0); None: killed (unknown); False: failed (a defect)."""
        env = {**os.environ, "QUIZAPP_HOME": str(self.home)}
        with self.lock:
            self.killed_now = False
            self.proc = subprocess.Popen(
                [QUIZAPP, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            proc = self.proc
        _out, err = proc.communicate()
        with self.lock:
            self.proc = None
            killed = self.killed_now
        self.commands += 1
        if killed:
            return None
        self.acked_any |= proc.returncode == 0
        if proc.returncode != 0:
            self.failed.append(f"{self.name}: quizapp {' '.join(args)} -> {proc.returncode}: "
                               f"{err.decode(errors='replace').strip()[:300]}")  # fmt: skip
            return False
        return True

    def kill(self) -> bool:
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                return False
            self.killed_now = True
            self.proc.send_signal(signal.SIGKILL)
            return True

    def run(self) -> None:
        while not self.stop.is_set():
            self.step()

    def step(self) -> None:  # pragma: no cover - each loop's own
        raise NotImplementedError


class Ticks(Loop):
    def __init__(self, *args: Any) -> None:
        super().__init__("ticks", *args)
        # Per item: (acknowledged final value or None, values of later unknown outcomes)
        self.last: dict[int, bool | None] = {}
        self.unknown_after: dict[int, set[bool]] = {}
        self.acks = 0

    def step(self) -> None:
        n = self.rng.choice(TICKS)
        ticked = self.rng.random() < 0.5
        done = self.command("checklist", "tick" if ticked else "untick", str(n))
        if done:
            self.last[n] = ticked
            self.unknown_after[n] = set()
            self.acks += 1
        elif done is None:
            self.unknown_after.setdefault(n, set()).add(ticked)

    def check(self, ticks: set[int]) -> list[str]:
        wrong = []
        for n in TICKS:
            allowed = set(self.unknown_after.get(n, set()))
            allowed.add(self.last.get(n, False))
            if (n in ticks) not in allowed:
                wrong.append(f"item {n}: ticked={n in ticks}, expected one of {sorted(allowed)}")
        return wrong


class Settings(Loop):
    def __init__(self, *args: Any) -> None:
        super().__init__("settings", *args)
        self.last: float | None = None
        self.unknown_after: set[float] = set()
        self.acks = 0

    def step(self) -> None:
        value = round(self.rng.uniform(0.80, 0.95), 3)
        done = self.command("settings", "--retention", str(value))
        if done:
            self.last, self.unknown_after = value, set()
            self.acks += 1
        elif done is None:
            self.unknown_after.add(value)

    def check(self, retention: float | None) -> list[str]:
        allowed = {*self.unknown_after, self.last if self.last is not None else 0.9}
        return [] if retention in allowed else [f"retention {retention}, expected {allowed}"]


class Imports(Loop):
    """Imports export files of another machine, each holding a few new reviews."""

    def __init__(self, *args: Any) -> None:
        super().__init__("imports", *args)
        self.acked: list[set[str]] = []
        self.unknown: list[set[str]] = []
        self.files = Path(tempfile.mkdtemp(prefix="soak-exports-"))
        self.n = 0

    def make_file(self) -> tuple[Path, set[str]]:
        from quizapp.interop.progress_file import FORMAT
        from quizapp.store import FORMAT_VERSION

        self.n += 1
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        reviews = [
            {
                "uuid": str(uuid.uuid4()),
                "item_id": f"soak-import-{self.n}-{i}",
                "kind": "faq",
                "rating": self.rng.choice(["again", "good", "easy"]),
                "reviewed_at": at,
                "duration_ms": 1000,
                "answer": None,
                "verdict": None,
                "seed": None,
                "quiz_id": None,
            }
            for i in range(self.rng.randint(1, 5))
        ]
        path = self.files / f"export-{self.n}.json"
        data = {"format": FORMAT, "schema_version": FORMAT_VERSION, "reviews": reviews}
        path.write_text(json.dumps(data), encoding="utf-8")
        return path, {r["uuid"] for r in reviews}  # type: ignore[misc]

    def step(self) -> None:
        path, uuids = self.make_file()
        done = self.command("import", str(path))
        if done:
            self.acked.append(uuids)
        elif done is None:
            self.unknown.append(uuids)


class Sync(Loop):
    """`quizapp sync FOLDER` against a folder of other machines' files: before each run one of
    three generated peers studies a few cards (new reviews in its file, rewritten whole and
    renamed into place, as a syncing tool does). A sync that exits 0 has merged every file."""

    PEERS = 3

    def __init__(self, *args: Any) -> None:
        super().__init__("sync", *args)
        self.folder = Path(tempfile.mkdtemp(prefix="soak-sync-"))
        self.peers: dict[str, list[dict[str, Any]]] = {f"peer-{i}": [] for i in range(self.PEERS)}
        self.acked: set[str] = set()
        self.written: set[str] = set()
        self.acks = 0

    def study_on_a_peer(self) -> None:
        from quizapp.interop.progress_file import FORMAT
        from quizapp.store import FORMAT_VERSION

        peer = self.rng.choice(sorted(self.peers))
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        for _ in range(self.rng.randint(1, 4)):
            n = len(self.peers[peer])
            self.peers[peer].append({
                "uuid": str(uuid.uuid4()), "item_id": f"soak-{peer}-{n}", "kind": "faq",
                "rating": self.rng.choice(["again", "good", "easy"]), "reviewed_at": at,
                "duration_ms": 900, "answer": None, "verdict": None, "seed": None,
                "quiz_id": None,
            })  # fmt: skip
        data = {"format": FORMAT, "schema_version": FORMAT_VERSION, "machine": peer,
                "reviews": self.peers[peer]}  # fmt: skip
        tmp = self.folder / f".{peer}.json.tmp"
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(self.folder / f"{peer}.json")
        self.written |= {r["uuid"] for r in self.peers[peer]}

    def step(self) -> None:
        self.study_on_a_peer()
        everything = set(self.written)
        if self.command("sync", str(self.folder)):
            self.acked |= everything
            self.acks += 1


class Backups(Loop):
    def __init__(self, *args: Any) -> None:
        super().__init__("backups", *args)

    def step(self) -> None:
        self.command("backup")


class WalWatch:
    """Looks at the app's -wal while the app is open: it must exist, stay the same file, and
    never show as '(deleted)' among this process's open files."""

    def __init__(self, db: Path) -> None:
        self.wal = Path(f"{db}-wal")
        self.inode: int | None = None
        self.gone = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name="wal-watch", daemon=True)

    def run(self) -> None:
        while not self.stop.wait(0.05):
            try:
                inode = os.stat(self.wal).st_ino  # a stat, never an open
            except FileNotFoundError:
                self.gone += 1
                continue
            if self.inode is None:
                self.inode = inode
            elif inode != self.inode:
                self.gone += 1
                self.inode = inode
            if _deleted_wal_open(self.wal):
                self.gone += 1


def _deleted_wal_open(wal: Path) -> bool:
    fds = Path("/proc/self/fd")
    if not fds.exists():
        return False
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target == f"{wal} (deleted)":
            return True
    return False


async def _rate_cards(app: Any, pilot: Any, stop: threading.Event) -> list[str]:
    """The learner: study screen, reveal, rate (the screen's own actions, on the UI thread);
    returns the uuid of every review the app recorded (acknowledged when the rating shows)."""
    from quizapp.ui.screens.study import StudyScreen

    rng = random.Random(1)
    acked: list[str] = []
    app.open_area("study")
    await pilot.pause()
    while not stop.is_set():
        screen = app.screen
        if not isinstance(screen, StudyScreen) or screen.session is None:
            app.open_area("study")
            await pilot.pause()
            continue
        if screen.session.current is None:  # nothing left to study now
            await asyncio.sleep(0.2)  # pacing the learner, not waiting for a result
            app.open_area("study")
            await pilot.pause()
            continue
        screen.action_reveal()  # and the rating in the same tick, as keys typed together
        if not screen.revealed:
            continue
        before = len(app.store.db.undo)
        screen.action_rate(rng.choice([1, 3, 3, 4]))
        if len(app.store.db.undo) > before:
            acked.append(app.store.db.undo[-1][0])
        await pilot.pause()
        await asyncio.sleep(rng.uniform(0.05, 0.3))  # the learner's pace
    return acked


def _killer(loops: list[Any], rng: random.Random, stop: threading.Event, kills: list[int]) -> None:
    """kill -9 a random participant's running process now and then (a command, the tab's app)."""
    while not stop.wait(rng.uniform(0.5, 2.5)):
        if rng.choice(loops).kill():
            kills[0] += 1


def _stopper(seconds: float, longest: float, loops: list[Loop], serve: Serve, stop: Any) -> None:
    """Stop after ``seconds``, or later (up to ``longest``) while a participant has not had one
    write acknowledged yet (a short run on a busy machine: serve's first tab takes a while)."""
    started = time.monotonic()
    stop.wait(seconds)
    while time.monotonic() - started < longest and not stop.is_set():
        if serve.acked and all(loop.acked_any for loop in loops):
            break
        stop.wait(0.2)  # the soak's own clock, not a wait for a result
    stop.set()


async def soak(seconds: float, home: Path, seed: int = 1, longest: float = 0) -> Report:
    """Run the soak for ``seconds`` (up to ``longest`` until every participant had a write
    acknowledged) in ``home`` (a fresh data folder) and check the file."""
    from quizapp.content import load_library
    from quizapp.store import Store
    from quizapp.ui.app import QuizApp

    home.mkdir(parents=True, exist_ok=True)
    os.environ["QUIZAPP_HOME"] = str(home)
    # Every child runs with the open guard. Under pytest the test's fixture owns the report
    # folder (and fails the test on a violation, with its stack); a standalone run makes its own.
    standalone = open_guard.REPORT_ENV not in os.environ
    if standalone:
        os.environ.update(open_guard.child_env(tempfile.mkdtemp(prefix="soak-guard-")))
        open_guard.install()
    db = home / "progress.db"
    with Store.open(db) as first:  # many new cards a day, so the learner never runs out
        import dataclasses

        first.save_settings(dataclasses.replace(first.settings, new_per_day=1000))
    rng = random.Random(seed)
    stop = threading.Event()
    loops: list[Loop] = [
        Ticks(home, random.Random(rng.random()), stop),
        Settings(home, random.Random(rng.random()), stop),
        Imports(home, random.Random(rng.random()), stop),
        Sync(home, random.Random(rng.random()), stop),
        Backups(home, random.Random(rng.random()), stop),
    ]
    serve = Serve(QUIZAPP, home, stop)
    kills = [0]
    library = load_library(include_user_decks=False)
    app = QuizApp(library, Store.open(db, quick_check=False), content_errors=library.errors)
    watch = WalWatch(db)
    started = time.monotonic()
    async with app.run_test(size=(100, 30)) as pilot:
        watch.thread.start()
        serve.thread.start()
        for loop in loops:
            loop.thread.start()
        victims = [*loops, serve]
        killer = threading.Thread(target=_killer, args=(victims, rng, stop, kills), daemon=True)
        killer.start()
        timer = threading.Thread(
            target=_stopper, args=(seconds, longest, loops, serve, stop), daemon=True
        )
        timer.start()
        acked_reviews = await _rate_cards(app, pilot, stop)
        for thread in [*(loop.thread for loop in loops), serve.thread]:
            await asyncio.to_thread(thread.join)
        killer.join()
        await app.workers.wait_for_complete()
        watch.stop.set()
        watch.thread.join()
    elapsed = time.monotonic() - started
    report = _check(db, loops, serve, acked_reviews, kills[0], watch, elapsed)
    if standalone:
        folder = os.environ[open_guard.REPORT_ENV]
        report.guard_violations = open_guard.child_violations(folder) + open_guard.GUARD.take()
        report.guarded = len(open_guard.guarded_children(folder))
    return report


def _check(
    db: Path,
    loops: list[Loop],
    serve: Serve,
    app_reviews: list[str],
    kills: int,
    watch: WalWatch,
    secs: float,
) -> Report:
    ticks_loop, settings_loop, imports_loop, sync_loop = loops[0], loops[1], loops[2], loops[3]
    assert isinstance(ticks_loop, Ticks) and isinstance(settings_loop, Settings)
    assert isinstance(imports_loop, Imports) and isinstance(sync_loop, Sync)
    report = Report(participants=2 + len(loops), seconds=secs, kills=kills, wal_gone=watch.gone)
    report.app_reviews = len(app_reviews)
    report.commands = sum(loop.commands for loop in loops)
    report.failed_commands = [f for loop in loops for f in loop.failed] + serve.failed
    report.syncs, report.serve_reviews, report.serve_tabs = sync_loop.acks, serve.acked, serve.tabs
    report.serve_kills = serve.kills
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        report.integrity = conn.execute("PRAGMA integrity_check").fetchall()[0][0]
        counts = dict(conn.execute("SELECT uuid, COUNT(*) FROM reviews GROUP BY uuid").fetchall())
        ticks = {r[0] for r in conn.execute("SELECT number FROM checklist_ticks")}
        row = conn.execute("SELECT value FROM settings WHERE key = 'desired_retention'").fetchone()
    finally:
        conn.close()
    retention = json.loads(row[0]) if row else None
    if isinstance(retention, dict):  # a register (value with its clock), when settings have one
        retention = retention.get("value")
    imported = [u for batch in imports_loop.acked for u in batch]
    acked = list(app_reviews) + imported + sorted(sync_loop.acked)
    report.writes = (
        len(acked) + ticks_loop.acks + settings_loop.acks + len(imports_loop.acked)
        + sync_loop.acks + serve.acked
    )  # fmt: skip
    report.lost = sum(1 for u in acked if u not in counts)
    report.duplicated = sum(n - 1 for n in counts.values() if n > 1)
    # The served tab's reviews are known by count (the tab shows "N reviewed", not uuids): the
    # reviews nobody else made. At least what the tabs showed, at most that and those in flight.
    others = set(app_reviews) | sync_loop.written | {u for b in imports_loop.unknown for u in b}
    served = len(set(counts) - others - set(imported))
    report.lost += max(0, serve.acked - served)
    report.duplicated += max(0, served - serve.acked - serve.in_flight)
    report.half_imports = sum(
        1 for b in imports_loop.unknown if 0 < sum(u in counts for u in b) < len(b)
    )
    report.wrong_state = ticks_loop.check(ticks) + settings_loop.check(retention)
    report.moved_aside = sorted(p.name for p in db.parent.glob("progress.db.damaged-*"))
    report.moved_aside += sorted(p.name for p in db.parent.glob("progress.db.pending.rejected"))
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--home", type=Path, default=None, help="a fresh data folder")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="soak-")) / "quizapp"
    report = asyncio.run(soak(args.minutes * 60, home, args.seed))
    print(report.line())
    print(json.dumps({**report.__dict__, "ok": report.ok, "home": str(home)}, indent=1))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
