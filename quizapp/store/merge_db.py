"""Merging another quizapp database into this one, as SQL sees both: each review and cram
answer once (by its uuid, or its item, time and rating), each register by its latest change;
what a replaced file lacks of the session (adopt.py), and what a damaged file still holds
beyond the backup restored in its place (recovery.py). It imports the store's replica and
values modules only."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from quizapp.store import replica
from quizapp.store.values import parse_time


@dataclass(frozen=True)
class _Review:
    """A review of the session's copy, as ``replica`` merges it (a ``NewReview``)."""

    uuid: str
    item_id: str
    kind: str | None
    rating: int
    at: str
    reviewed_at: datetime
    duration_ms: int | None
    answer: str | None
    verdict: str | None
    seed: int | None


@dataclass(frozen=True)
class _Cram:
    uuid: str
    item_id: str
    rating: int
    reviewed_at: datetime
    duration_ms: int | None


@dataclass(frozen=True)
class _Register:
    key: str
    value: Any
    stamp: str


@dataclass
class Merge:
    reviews: list[_Review]
    cram: list[_Cram]
    registers: list[_Register]

    @property
    def empty(self) -> bool:
        return not (self.reviews or self.cram or self.registers)

    def describe(self) -> str:
        parts = [
            f"{n} {what}{'' if n == 1 else 's'}"
            for n, what in (
                (len(self.reviews), "review"),
                (len(self.cram), "cram answer"),
                (len(self.registers), "setting, tick or card flag change"),
            )
            if n
        ]
        return ", ".join(parts)


def _order(stamp: str, value: Any) -> tuple[str, str]:
    return stamp, json.dumps(value, sort_keys=True)


def plan(source: sqlite3.Connection, target: sqlite3.Connection) -> Merge:
    """What of ``source`` (another quizapp database) ``target`` lacks. A damaged source gives
    what could be read of it: the rows before the first unreadable page of each table."""
    known = {
        uuid: (item, at, rating)
        for uuid, item, at, rating in target.execute(
            "SELECT uuid, item_id, reviewed_at, rating FROM reviews"
        )
    }
    keys = set(known.values())
    reviews = []
    for row in _rows(
        source,
        "SELECT uuid, item_id, kind, rating, reviewed_at, duration_ms, answer, verdict, seed "
        "FROM reviews ORDER BY id",
    ):
        uuid, item, kind, rating, at = row[:5]
        when = _when(at)
        if uuid in known or (item, at, rating) in keys or when is None or rating not in RATINGS:
            continue
        known[uuid] = (item, at, rating)
        keys.add((item, at, rating))
        reviews.append(_Review(uuid, item, kind, rating, at, when, *row[5:]))
    have = {u for (u,) in target.execute("SELECT uuid FROM cram_reviews")}
    cram = []
    for uuid, item, rating, at, ms in _rows(
        source, "SELECT uuid, item_id, rating, reviewed_at, duration_ms FROM cram_reviews"
    ):
        when = _when(at)
        if uuid not in have and when is not None and rating in RATINGS:
            have.add(uuid)
            cram.append(_Cram(uuid, item, rating, when, ms))
    local = replica.registers_in(target)
    try:
        theirs = replica.registers_in(source)
    except (sqlite3.DatabaseError, ValueError):
        theirs = {}
    registers = [
        _Register(key, value, stamp)
        for key, (stamp, value) in sorted(theirs.items())
        if key not in local or _order(stamp, value) > _order(*local[key])
    ]
    return Merge(reviews, cram, registers)


RATINGS = (1, 2, 3, 4)


def _rows(conn: sqlite3.Connection, sql: str) -> list[tuple[Any, ...]]:
    """The rows of ``sql`` up to the first that cannot be read."""
    out: list[tuple[Any, ...]] = []
    with contextlib.suppress(sqlite3.DatabaseError):
        for row in conn.execute(sql):
            out.append(row)
    return out


def _when(at: object) -> datetime | None:
    try:
        return parse_time(at) if isinstance(at, str) else None
    except ValueError:
        return None
