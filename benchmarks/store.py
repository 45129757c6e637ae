"""Progress-store speed with a heavy learner's history: 10,000 cards and 100,000 reviews.

Measures, on the disk that holds the temporary folder:

* picking the next card (``StudyQueue.next``) and recording a review (``StudyQueue.rate``, a
  durable WAL commit with synchronous=FULL), alternating as in a study session;
* the queue counts shown beside the card;
* opening the store (header check, read-only quick_check, WAL set-up).

Targets from the issue: next card and record review <= 5 ms median, open <= 100 ms. Each figure
is also printed as a ratio to a baseline measured in the same run on the same disk: a bare
indexed SELECT for picking, one bare INSERT + COMMIT for recording, and a bare connect +
quick_check for opening, so slow hardware shows up as slow baselines, not as a regression.

Run: .venv/bin/python benchmarks/store.py [--cards 10000] [--reviews 100000] [--rounds 300]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs

from quizapp.checklist import checklist_status
from quizapp.decks import Library
from quizapp.decks.models import ChecklistItem, Faq
from quizapp.interop.progress_file import json_chunks
from quizapp.scheduling import StudyQueue
from quizapp.stats import compute_stats
from quizapp.store import Store

TAGS = ("regression", "classification", "imbalance", "gradients", "numerics")


def build_library(n: int) -> Library:
    library = Library()
    for i in range(n):
        card = Faq(
            id=f"card-{i:05d}",
            section=1 + i % 22,
            tags=(TAGS[i % len(TAGS)],),
            question=f"Question {i}?",
            answer=f"Answer {i}.",
            deck=f"deck-{i % 10}",
        )
        library.cards[card.id] = card
    for number in range(1, 10):
        item = ChecklistItem(
            id=f"checklist-{number}",
            section=22,
            tags=("interview",),
            number=number,
            text=f"Item {number}",
            links=tuple(f"card-{number * 100 + k:05d}" for k in range(5)),
        )
        library.cards[item.id] = item
    return library


def fill(store: Store, library: Library, reviews: int, start: datetime, span: timedelta) -> None:
    """``reviews`` reviews spread over ``span``, cycling through 80% of the cards (the rest stay
    new, so the queue has due, learning and new cards)."""
    ids = list(library.cards)[: len(library.cards) * 4 // 5]
    rng = random.Random(7)
    ratings = [fsrs.Rating.Again, fsrs.Rating.Hard, fsrs.Rating.Good, fsrs.Rating.Easy]
    step = span / reviews
    chunk = 10_000
    for first in range(0, reviews, chunk):
        with store.batch():  # one transaction per chunk: only the fill is batched
            for i in range(first, min(first + chunk, reviews)):
                rating = rng.choices(ratings, weights=(10, 10, 65, 15))[0]
                store.record_review(
                    ids[i % len(ids)],
                    rating,
                    kind="faq",
                    duration_ms=rng.randint(1500, 20000),
                    answer=None,
                    now=start + step * i,
                )


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def median_ms(samples: list[float]) -> str:
    return (
        f"{statistics.median(samples):7.3f} ms (p90 {statistics.quantiles(samples, n=10)[-1]:.3f})"
    )


def baselines(path: Path, rounds: int) -> dict[str, float]:
    """Bare SQLite on the same disk: the floor each operation is compared with."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE IF NOT EXISTS bench (id INTEGER PRIMARY KEY, x TEXT)")
    commits = []
    for i in range(rounds):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO bench (x) VALUES (?)", (str(i),))
        conn.execute("COMMIT")
        commits.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return {"commit": statistics.median(commits)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=10_000)
    parser.add_argument("--reviews", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()

    library = build_library(args.cards)
    with tempfile.TemporaryDirectory(prefix="quizapp-bench-") as tmp:
        folder = Path(tmp)
        path = folder / "progress.db"
        now = datetime.now(UTC)
        span = timedelta(days=180)

        t0 = time.perf_counter()
        with Store.open(path) as store:
            fill(store, library, args.reviews, now - span, span)
        fill_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / 1e6
        print(
            f"store: {args.cards} cards, {args.reviews} reviews, {size_mb:.1f} MB "
            f"(filled in {fill_s:.1f} s) in {folder}"
        )

        opens = []
        for _ in range(9):
            t0 = time.perf_counter()
            store = Store.open(path)
            opens.append((time.perf_counter() - t0) * 1000)
            assert not store.notices, store.notices
            store.close()
        app_opens = []  # the app defers quick_check to after its first frame (Store.verify)
        for _ in range(9):
            t0 = time.perf_counter()
            store = Store.open(path, quick_check=False)
            app_opens.append((time.perf_counter() - t0) * 1000)
            store.close()
        raw_opens = []
        for _ in range(9):
            t0 = time.perf_counter()
            conn = sqlite3.connect(path)
            conn.execute("PRAGMA quick_check").fetchall()
            conn.close()
            raw_opens.append((time.perf_counter() - t0) * 1000)

        store = Store.open(path)
        queue = StudyQueue(store, library)
        counts = queue.counts()
        print(f"queue at start: due {counts.due}, learning {counts.learning}, new {counts.new}")
        picks, rates, count_times, raw_picks, deck_picks = [], [], [], [], []
        rng = random.Random(3)
        for _ in range(args.rounds):
            got: list[str] = []
            picks.append(timed(lambda got=got: got.extend(queue.next())))
            item = got[0]
            rating = rng.choice([fsrs.Rating.Good, fsrs.Rating.Again, fsrs.Rating.Easy])
            rates.append(timed(lambda item=item, rating=rating: queue.rate(item, rating)))
            count_times.append(timed(queue.counts))
            deck_picks.append(timed(lambda: queue.next(deck="deck-3")))
        conn = sqlite3.connect(path)
        stamp = datetime.now(UTC).isoformat(timespec="microseconds")
        for _ in range(args.rounds):
            raw_picks.append(
                timed(
                    lambda: conn.execute(
                        "SELECT item_id FROM cards WHERE due <= ? ORDER BY due LIMIT 1", (stamp,)
                    ).fetchone()
                )
            )
        conn.close()
        stats_times = [timed(lambda: compute_stats(store, library)) for _ in range(5)]
        checklist_times = [timed(lambda: checklist_status(store, library)) for _ in range(5)]
        # quizapp export without the interpreter start: the data and the JSON text.
        export_times = [
            timed(lambda: sum(len(c) for c in json_chunks(store.export(raw_reviews=True))))
            for _ in range(3)
        ]
        store.close()
        base = baselines(folder / "baseline.db", args.rounds)

        rows = [
            (
                "next card (StudyQueue.next)",
                picks,
                5.0,
                statistics.median(raw_picks),
                "bare SELECT",
            ),
            ("next card in one deck of ten", deck_picks, 5.0, None, ""),
            ("record review (StudyQueue.rate)", rates, 5.0, base["commit"], "bare INSERT+COMMIT"),
            ("queue counts", count_times, None, None, ""),
            ("stats (compute_stats)", stats_times, None, None, ""),
            ("checklist status", checklist_times, None, None, ""),
            ("export everything as JSON", export_times, 1000.0, None, ""),
            ("open as the app (no quick_check)", app_opens, 20.0, None, ""),
            (
                "open with quick_check",
                opens,
                100.0,
                statistics.median(raw_opens),
                "bare quick_check",
            ),
        ]
        print(f"{'operation':34} {'median':>10}            target   ratio to baseline")
        for name, samples, target, baseline, label in rows:
            med = statistics.median(samples)
            verdict = "" if target is None else ("ok" if med <= target else "OVER")
            tgt = "-" if target is None else f"<= {target:g} ms {verdict}"
            ratio = (
                "" if baseline is None else f"{med / baseline:6.1f}x {label} ({baseline:.3f} ms)"
            )
            print(f"{name:34} {median_ms(samples)}  {tgt:14} {ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
