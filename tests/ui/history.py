"""A fixed review history for the stats screen's tests and snapshot: written through the real
Store at fixed times, with fsrs's interval fuzz seeded, so every run stores the same rows."""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from quizapp.decks import Library
from quizapp.store import Store

# Noon UTC: the same calendar day in every time zone within ±11 h of UTC.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@contextmanager
def utc() -> Iterator[None]:
    """Local time = UTC while inside, so local days (and the plots' dates) do not depend on the
    machine's zone."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def seed_history(library: Library, days: int = 21) -> Counter[date]:
    """Reviews of a dozen shipped flashcards over the ``days`` before NOW (a rest day every
    fifth day), some forgotten. Returns how many reviews each day got."""
    random.seed(20260310)  # fsrs fuzzes intervals with the random module
    rng = random.Random(7)
    ids = [c.id for c in library.cards.values() if c.kind in ("faq", "trap", "formula")][:12]
    per_day: Counter[date] = Counter()
    store = Store.open()
    try:
        with store.batch():
            for ago in range(days, -1, -1):
                if ago % 5 == 3:
                    continue
                for item in rng.sample(ids, rng.randint(2, 7)):
                    at = NOW - timedelta(days=ago, hours=rng.uniform(0, 3))
                    rating = rng.choice([1, 2, 3, 3, 3, 4])
                    store.record_review(item, rating, kind=library.cards[item].kind, now=at)
                    per_day[at.date()] += 1
    finally:
        store.close()
    return per_day
