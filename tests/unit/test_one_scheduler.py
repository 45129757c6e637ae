"""One FSRS scheduler: built in one place (quizapp.store.srs.make_scheduler, re-exported by
quizapp.scheduling), from the learner's
desired retention and fitted parameters, and used by the rating buttons as by the store."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fsrs import Rating
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.scheduling import DEFAULT_PARAMETERS, StudyQueue, format_interval
from quizapp.store import Settings, Store
from tests.unit.progress_decks import faq, library_of

ROOT = Path(__file__).resolve().parents[2] / "quizapp"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
# A learner whose memory decays slower than FSRS's default one (a plausible fit).
FITTED = tuple(
    round(p * f, 4)
    for p, f in zip(DEFAULT_PARAMETERS, [1.8, 1.6, 1.5, 1.4] + [1.0] * 17, strict=True)
)


def test_the_scheduler_is_built_in_one_place_only() -> None:
    builders = []
    for path in sorted(ROOT.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bScheduler\(", line) and path.name != "srs.py":
                builders.append(f"{path.relative_to(ROOT.parent)}:{n}: {line.strip()}")
    assert builders == []
    text = (ROOT / "store" / "srs.py").read_text(encoding="utf-8")
    assert text.count("return fsrs.Scheduler(") == 2  # inside make_scheduler's builder only
    # One function applies a review (and the lapse rule): no other module calls review_card
    # on a stored card.
    appliers = [
        str(p.relative_to(ROOT.parent))
        for p in ROOT.rglob("*.py")
        if "State.Review" in p.read_text(encoding="utf-8")
        and "lapses += 1" in p.read_text(encoding="utf-8")
    ]
    assert appliers == ["quizapp/store/srs.py"]


@pytest.mark.parametrize("fitted", [False, True], ids=["default", "fitted"])
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # At least a minute apart: nobody rates one card twice in the same microsecond (two reviews
    # at one instant are ordered by uuid, as on every machine, not by which came first).
    steps=st.lists(
        st.tuples(st.sampled_from(list(Rating)), st.integers(1, 60 * 24 * 40)),
        min_size=1,
        max_size=8,
    ),
    retention=st.sampled_from([0.8, 0.9, 0.95]),
)
def test_the_buttons_show_the_interval_the_store_then_schedules(
    tmp_path_factory: pytest.TempPathFactory,
    fitted: bool,
    steps: list[tuple[Rating, int]],
    retention: float,
) -> None:
    home = tmp_path_factory.mktemp("home")
    library = library_of(home / "decks", {"basics": [faq("card-a")]})
    with Store.open(home / "progress.db") as store:
        store.save_settings(Settings(desired_retention=retention))
        if fitted:
            store.save_fsrs_fit({"parameters": list(FITTED), "reviews": 500})
            assert tuple(store.scheduler.parameters) == FITTED
        queue = StudyQueue(store, library, now=T0)
        at = T0
        for rating, minutes in steps:
            queue.now = at
            shown = queue.preview("card-a")
            labels = {r: format_interval(d) for r, d in shown.items()}
            due = queue.rate("card-a", rating)
            assert due - at == shown[rating]
            assert format_interval(due - at) == labels[rating]
            at = at + timedelta(minutes=minutes)


def test_a_fit_changes_what_the_buttons_show(tmp_path: Path) -> None:
    library = library_of(tmp_path / "decks", {"basics": [faq("card-a")]})
    with Store.open(tmp_path / "progress.db") as store:
        queue = StudyQueue(store, library, now=T0)
        queue.rate("card-a", Rating.Good)
        queue.now = T0 + timedelta(minutes=10)
        queue.rate("card-a", Rating.Good)
        queue.now = T0 + timedelta(days=3)
        before = queue.preview("card-a")[Rating.Good]
        store.save_fsrs_fit({"parameters": list(FITTED), "reviews": 500})
        after = queue.preview("card-a")[Rating.Good]
        assert after != before
        assert queue.rate("card-a", Rating.Good) - queue.now == after
