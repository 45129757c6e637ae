"""Fast paths give exactly what the slow ones they replace gave: the checker's median (without
numpy.ma's import) and the export's stored times (without parsing each)."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.mathcheck.numeric import median
from quizapp.store.progress_export import iso_time
from quizapp.store.values import parse_time, time_text

floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=300, deadline=None)
@given(st.lists(floats, max_size=40))
def test_median_is_numpys_median(values: list[float]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy warns on an empty list; the value is what counts
        expected = float(np.median(np.array(values, dtype=float)))
    got = median(np.array(values, dtype=float))
    assert got == expected or (np.isnan(got) and np.isnan(expected))


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from([UTC, None]),
    ),
    st.sampled_from([0, 1, 999_999, None]),
)
def test_an_exported_time_reads_as_the_card_states_would(when: datetime, micro: int | None) -> None:
    if micro is not None:
        when = when.replace(microsecond=micro)
    stored = time_text(when.replace(tzinfo=UTC) if when.tzinfo is None else when)
    parsed = parse_time(stored)
    assert parsed is not None
    assert iso_time(stored) == parsed.isoformat()


def test_times_not_in_the_stored_form_are_parsed() -> None:
    base = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    for text in (
        base.isoformat(),  # no microseconds
        (base + timedelta(microseconds=5)).astimezone().isoformat(),  # another offset
        "2026-03-01 12:00:00.000005+00:00",  # a space, not a T
        "2026-03-01T12:00:00.000005",  # naive
    ):
        parsed = parse_time(text)
        assert parsed is not None
        assert iso_time(text) == parsed.isoformat()
