"""Hybrid logical clock stamps for the replicated registers (settings, fitted parameters,
checklist ticks): ``<ms since epoch, 13 digits>.<counter, 5 digits>.<machine id>``. Fixed width,
so comparing the text compares the stamps; the machine id breaks a tie the same way everywhere.

A new stamp is later than every stamp this store has seen (its own and every merged one), even
when this machine's clock runs behind: a change made after a merge always wins over what was
merged, so a machine whose clock ran days ahead cannot freeze a key."""

from __future__ import annotations

import re
from datetime import UTC, datetime

ZERO = "0000000000000.00000."  # the stamp of a value kept from before stamps (schema < 5)
# ASCII digits only: "\d" also takes other scripts' digits, which sort after every ASCII one (a
# stamp of them would win over every change made anywhere, for ever).
STAMP = re.compile(r"[0-9]{13}\.[0-9]{5}\.[A-Za-z0-9._-]{0,81}")
_MAX_COUNTER = 99999
# A stamp's time is before 2200 (as every time a file may hold): a stamp that far ahead could
# only come from a broken clock, and the next one after it would no longer fit 13 digits.
LATEST_MS = int(datetime(2200, 1, 1, tzinfo=UTC).timestamp() * 1000)


def valid(stamp: object) -> bool:
    return (
        isinstance(stamp, str)
        and STAMP.fullmatch(stamp) is not None
        and int(stamp[:13]) < LATEST_MS
    )


def next_stamp(last: str | None, now: datetime, machine: str) -> str:
    """A stamp later than ``last`` (the newest seen here; None: none) and than ``now``."""
    ms = int(now.astimezone(UTC).timestamp() * 1000)
    counter = 0
    if last and valid(last):
        last_ms, last_counter = int(last[:13]), int(last[14:19])
        if last_ms >= ms:
            ms, counter = last_ms, last_counter + 1
            if counter > _MAX_COUNTER:
                ms, counter = ms + 1, 0
    return f"{ms:013d}.{counter:05d}.{machine}"


def stamp_time(stamp: str) -> datetime:
    """The wall-clock part of a stamp."""
    return datetime.fromtimestamp(int(stamp[:13]) / 1000, UTC)
