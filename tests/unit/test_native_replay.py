"""The review-log replay's C loop (quizapp/store/native_replay.c) gives exactly what the Python
replay gives: the same card fields bit for bit, the same due texts, the same reviews to update,
for random logs of several items, random parameters, retentions, learning steps and resets. A
machine with the module and one without derive the same states from the same merged log. Where
it does not reproduce something (a time not in the stored form, a bad rating), it leaves the
replay to Python, so the result (or the error) is Python's."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.store import srs
from quizapp.store.values import time_text
from tests.unit.test_fast_step import parameter_sets

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.skipif(srs.NATIVE is None, reason="quizapp._replay is not built here")

gaps = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 3599).map(lambda s: timedelta(seconds=s)),
    st.integers(1, 3 * 86400).map(lambda s: timedelta(seconds=s)),
    st.integers(1, 900).map(lambda d: timedelta(days=d, microseconds=d * 7)),
    st.integers(-3, -1).map(lambda d: timedelta(days=d)),  # a log out of time order
)
step_lists = st.lists(st.integers(1, 90 * 60).map(lambda s: timedelta(seconds=s)), max_size=4)


def _python(scheduler: fsrs.Scheduler, rows: list[Any], resets: dict[str, str], fresh: Any) -> Any:
    native, srs.NATIVE = srs.NATIVE, None
    try:
        return srs.replay_log(scheduler, rows, resets, fresh)
    except Exception as exc:  # the error, to compare
        return type(exc)
    finally:
        srs.NATIVE = native


def _both(
    scheduler: fsrs.Scheduler, rows: list[Any], resets: dict[str, str], fresh: bool
) -> tuple[Any, Any, Any, Any]:
    mine: dict[str, Any] | None = {} if fresh else None
    theirs: dict[str, Any] | None = {} if fresh else None
    try:
        native = srs.replay_log(scheduler, rows, resets, mine)
    except Exception as exc:
        native = type(exc)
    return native, _python(scheduler, rows, resets, theirs), mine, theirs


@st.composite
def logs(draw: st.DrawFn) -> tuple[list[Any], dict[str, str]]:
    """Rows as ops._log gives them: (id, item, rating, time text, duration, state before, due
    after, uuid, parsed time or None), by item; some stored (an id, old derived values), some
    new (id None); and resets of some items at some time."""
    rows: list[Any] = []
    resets: dict[str, str] = {}
    for n in range(draw(st.integers(1, 4))):
        item = f"card-{n}"
        at = T0
        times = []
        for rating, gap in draw(
            st.lists(st.tuples(st.integers(1, 4), gaps), min_size=1, max_size=25)
        ):
            at += gap
            times.append(at)
            text = time_text(at)
            stored = draw(st.booleans())
            old = draw(st.sampled_from([(None, None), (2, text), (1, time_text(T0))]))
            rows.append(
                (
                    len(rows) + 1 if stored else None,
                    item,
                    rating,
                    text,
                    1000,
                    *old,
                    f"u-{len(rows):05d}",
                    None if stored or draw(st.booleans()) else at,
                )
            )
        if draw(st.integers(0, 4)) == 0:
            resets[item] = time_text(draw(st.sampled_from(times)))
    return rows, resets


@st.composite
def schedulers(draw: st.DrawFn) -> fsrs.Scheduler:
    scheduler = srs.make_scheduler(draw(st.floats(0.7, 0.97)), draw(parameter_sets()))
    if draw(st.booleans()):  # other learning steps (a copy: make_scheduler's are shared)
        scheduler = copy.copy(scheduler)
        scheduler.learning_steps = tuple(draw(step_lists))
        scheduler.relearning_steps = tuple(draw(step_lists))
        scheduler.maximum_interval = draw(st.sampled_from([36500, 365, 30, 1]))
    return scheduler


@settings(max_examples=300, deadline=None)
@given(schedulers(), logs(), st.booleans())
def test_the_c_replay_is_the_python_replay(
    scheduler: fsrs.Scheduler, log: tuple[list[Any], dict[str, str]], fresh: bool
) -> None:
    rows, resets = log
    native, python, mine, theirs = _both(scheduler, rows, resets, fresh)
    assert native == python
    assert mine == theirs
    if isinstance(native, tuple):  # bit for bit, not only ==
        for (_, (a, *_)), (_, (b, *_)) in zip(native[0], python[0], strict=True):
            assert a[2].hex() == b[2].hex() and a[3].hex() == b[3].hex()


@settings(max_examples=150, deadline=None)
@given(schedulers(), logs())
def test_the_c_card_rows_are_the_python_card_rows(
    scheduler: fsrs.Scheduler, log: tuple[list[Any], dict[str, str]]
) -> None:
    """``replay_rows`` (each item's cards row, as the store writes it) agrees too."""
    rows, resets = log
    mine: dict[str, Any] = {}
    theirs: dict[str, Any] = {}
    try:
        native: Any = srs.replay_rows(scheduler, rows, resets, mine)
    except Exception as exc:
        native = type(exc)
    real, srs.NATIVE = srs.NATIVE, None
    try:
        python: Any = srs.replay_rows(scheduler, rows, resets, theirs)
    except Exception as exc:
        python = type(exc)
    finally:
        srs.NATIVE = real
    assert native == python and mine == theirs
    if isinstance(native, tuple):
        assert all(type(row) is tuple and len(row) == 10 for row in native[0])


def test_it_is_used_for_a_plain_log() -> None:
    """The C loop really runs (a fake that records its calls stands in for nothing else)."""
    rows = [(None, "card-a", 3, time_text(T0), None, None, None, "u1", None)]
    calls: list[int] = []
    real = srs.NATIVE
    assert real is not None

    class Spy:
        @staticmethod
        def replay(*args: Any) -> Any:
            calls.append(1)
            return real.replay(*args)

    srs.NATIVE, native = Spy(), srs.NATIVE  # type: ignore[assignment]
    try:
        replays, _ = srs.replay_log(srs.make_scheduler(), rows, {}, {})
    finally:
        srs.NATIVE = native
    assert calls == [1] and replays[0][0] == "card-a"


@pytest.mark.parametrize(
    "text, rating",
    [
        ("2026-03-01T09:00:00+00:00", 3),  # no microseconds: not the stored form
        ("2026-03-01T09:00:00.000000+01:00", 3),  # another offset
        ("2026-02-30T09:00:00.000000+00:00", 3),  # no such day
        (time_text(T0), 5),  # no such rating: Python's KeyError
        (time_text(T0), 2.0),
        ("9999-12-31T09:00:00.000000+00:00", 3),  # its due date is past year 9999
    ],
)
def test_what_it_does_not_reproduce_is_left_to_python(text: str, rating: Any) -> None:
    first = (None, "card-a", 3, time_text(T0 - timedelta(days=2)), None, None, None, "u0", None)
    rows = [first, (None, "card-a", rating, text, None, None, None, "u1", None)]
    native, python, mine, theirs = _both(srs.make_scheduler(), rows, {}, True)
    assert native == python and mine == theirs


def test_a_fresh_build_compiles_without_warnings(tmp_path: Path) -> None:
    """The module compiles cleanly with every warning on (what the build hook compiles)."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler")
    import sysconfig

    done = subprocess.run(
        [compiler, "-O2", "-fPIC", "-shared", "-ffp-contract=off", "-std=c11", "-Wall",
         "-Wextra", "-Werror", f"-I{sysconfig.get_paths()['include']}",
         str(REPO / "quizapp" / "store" / "native_replay.c"), "-o", str(tmp_path / "r.so"), "-lm"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_pure_replay_can_be_asked_for() -> None:
    """QUIZAPP_PURE_REPLAY=1 replays in Python (the benchmarks compare the two)."""
    code = "from quizapp.store import srs; print(srs.NATIVE is None)"
    env = dict(os.environ, QUIZAPP_PURE_REPLAY="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "True", out.stderr


@pytest.mark.parametrize("stability", [2.5, 3.5, 12.5])
def test_an_interval_half_way_between_two_days_rounds_to_even(stability: float) -> None:
    """Python's round() takes a half to the even day (2.5 -> 2, 3.5 -> 4): so does the C loop.
    A first Good with no learning steps gives stability w[2] exactly; a Hard the same day
    keeps it (its short-term factor is below 1), and at 0.9 retention the interval is the
    stability in days."""
    params = list(srs.DEFAULT_PARAMETERS)
    params[2] = stability
    scheduler = copy.copy(srs.make_scheduler(0.9, params))
    scheduler.learning_steps = ()
    step = srs.fast_step(scheduler)
    assert (stability / step.factor) * step.interval_term == stability
    rows = [
        (None, "card-a", 3, time_text(T0), None, None, None, "u0", None),
        (None, "card-a", 2, time_text(T0 + timedelta(hours=1)), None, None, None, "u1", None),
    ]
    native, python, mine, theirs = _both(scheduler, rows, {}, True)
    assert native == python and mine == theirs
    ((_, ((_, _, s, _, due, last), *_)),) = native[0]
    assert s == stability and (due - last).days == round(stability)
