"""Calendar helpers shared by the scheduler, the stats and the store (no store imports here,
so nothing that needs a day boundary has to import the store)."""

from __future__ import annotations

from datetime import UTC, datetime


def local_day_start(at: datetime) -> datetime:
    """Midnight (local time) of the day ``at`` falls on, as UTC."""
    local = at.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
