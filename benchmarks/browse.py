"""The card browser's speed with a heavy learner's history (100,000 reviews of the shipped
cards): the browser's first frame after pressing b, the rows ready to search, and the time each
keystroke's filter takes to redraw the table.

Targets (issue 26): first frame <= 300 ms, each keystroke's filter <= 50 ms.

Run: .venv/bin/python benchmarks/browse.py [--reviews 100000] [--keys 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from startup import fill


async def measure(keys: int) -> tuple[float, float, list[float]]:
    from quizapp.content import load_library
    from quizapp.store import Store
    from quizapp.ui.app import QuizApp
    from quizapp.ui.screens.browse import BrowseScreen

    library = load_library(include_user_decks=False)
    app = QuizApp(library, Store.open())
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()  # the home screen's own workers are done
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("b")
        await pilot.pause()  # the first frame: the screen is mounted and drawn
        first = time.perf_counter() - start
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        ready = time.perf_counter() - start
        samples = []
        words = "kind:trap huber outlier tag:regression -is:new "
        for ch in (words * 4)[:keys]:
            t = time.perf_counter()
            await pilot.press(ch if ch != " " else "space") if screen.query_one(
                "#browse-search"
            ).has_focus else await pilot.press("slash", ch)
            samples.append(time.perf_counter() - t)
    return first, ready, samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--home", help="a data folder to keep (filled once) between runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(args.home or scratch)
        home.mkdir(parents=True, exist_ok=True)
        os.environ["QUIZAPP_HOME"] = str(home)
        if not (home / "progress.db").exists():
            t = time.perf_counter()
            fill(home / "progress.db", args.reviews)
            print(f"filled {args.reviews} reviews in {time.perf_counter() - t:.1f} s")
        first, ready, samples = asyncio.run(measure(args.keys))
    ms = [s * 1000 for s in samples]
    p95 = sorted(ms)[int(len(ms) * 0.95) - 1]
    print(f"first frame after b:       {first * 1000:7.1f} ms (target <= 300)")
    print(f"rows read and shown:       {ready * 1000:7.1f} ms")
    print(
        f"keystroke filter + redraw: median {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(ms):.1f} ms over {len(ms)} keys (target <= 50)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
