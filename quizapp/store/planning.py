"""What the interview plan keeps in the store: cram reviews and FSRS parameters fitted to the
learner. A mixin of ``Store`` (it needs ``_read``, ``_write`` and ``_lock`` from it)."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid as uuidlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import fsrs

from quizapp.store import ops, srs
from quizapp.store.srs import FIT_KEY, fitted_parameters

__all__ = ["FIT_KEY", "CramReview", "fitted_parameters"]
from quizapp.store.values import _dt, _ts, _utc

T = TypeVar("T")


@dataclass(frozen=True)
class CramReview:
    """One answer of a cram session: logged, never scheduled."""

    uuid: str
    item_id: str
    rating: fsrs.Rating
    reviewed_at: datetime
    duration_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "item_id": self.item_id,
            "rating": self.rating.name.lower(),
            "reviewed_at": self.reviewed_at.isoformat(),
            "duration_ms": self.duration_ms,
        }


class _Planning:
    _lock: threading.RLock

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:  # pragma: no cover - Store's
        raise NotImplementedError

    def _write(
        self,
        fn: Callable[[sqlite3.Connection], T],
        journal: Callable[[T], dict[str, Any]] | None = None,
    ) -> T:  # pragma: no cover - Store's
        raise NotImplementedError

    def _use_settings(self, settings: Any) -> None:  # pragma: no cover - Store's
        raise NotImplementedError

    @property
    def settings(self) -> Any:  # pragma: no cover - Store's
        raise NotImplementedError

    def _load_settings(self) -> Any:  # pragma: no cover - Store's
        raise NotImplementedError

    def _new_stamps(
        self, conn: sqlite3.Connection, keys: list[str]
    ) -> dict[str, str]:  # pragma: no cover - Store's
        raise NotImplementedError

    # ---------------------------------------------------------------- cram

    def record_cram(
        self,
        item_id: str,
        rating: fsrs.Rating | int,
        *,
        duration_ms: int | None = None,
        now: datetime | None = None,
    ) -> CramReview:
        """Log a cram answer. The item's FSRS state, its due date and its review history are
        left exactly as they were. Saved like any action (kept pending when the file refuses)."""
        review = CramReview(
            str(uuidlib.uuid4()), item_id, fsrs.Rating(int(rating)), _utc(now), duration_ms
        )
        entry = {"op": "cram", "uuid": review.uuid, "item_id": item_id,
                 "rating": int(review.rating), "at": _ts(review.reviewed_at),
                 "duration_ms": duration_ms}  # fmt: skip
        self._write(lambda c: ops.cram_in(c, entry), lambda _r: entry)
        return review

    def cram_reviews(self, item_id: str | None = None) -> list[CramReview]:
        """Cram answers, oldest first (of one item with ``item_id``)."""
        sql = "SELECT uuid, item_id, rating, reviewed_at, duration_ms FROM cram_reviews"
        args: tuple[Any, ...] = ()
        if item_id is not None:
            sql += " WHERE item_id = ?"
            args = (item_id,)
        rows = self._read(lambda c: c.execute(sql + " ORDER BY id", args).fetchall())
        return [
            CramReview(u, i, fsrs.Rating(r), _dt(at), d)  # type: ignore[arg-type]
            for u, i, r, at, d in rows
        ]

    # ---------------------------------------------------------------- fitted FSRS

    def fsrs_fit(self) -> dict[str, Any] | None:
        """The stored fit (``quizapp.fit.FitResult.to_json()``), or None when there is none."""
        row = self._read(
            lambda c: c.execute("SELECT value FROM settings WHERE key = ?", (FIT_KEY,)).fetchone()
        )
        if row is None:
            return None
        try:
            data = json.loads(row[0])
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def cards_with(self, parameters: tuple[float, ...]) -> dict[str, fsrs.Card]:
        """Every reviewed item's card as this store would derive it with ``parameters`` (and
        the desired retention in use): what keeping a fit would make of them. Changes nothing."""
        scheduler = srs.make_scheduler(self.settings.desired_retention, parameters)
        states, _ = self._read(lambda c: ops.derive(c, scheduler))
        return {s.item_id: s.card for s in states}

    def save_fsrs_fit(
        self, fit: dict[str, Any] | None, memory: dict[str, tuple[float, float]] | None = None
    ) -> None:
        """Keep a fit; None forgets it and the default parameters are used again. Every card is
        derived again from its log with the parameters now in use, in the same transaction (a
        card's state is a pure function of its log and the parameters, so a machine that merges
        the fit computes the same). ``memory`` is accepted for old callers and unused."""
        values = {FIT_KEY: fit}

        def write(conn: sqlite3.Connection) -> dict[str, str]:
            stamps = self._new_stamps(conn, [FIT_KEY])
            ops.put_settings(conn, values, stamps)
            ops.recompute(conn, ops.scheduler_in(conn))
            return stamps

        self._write(
            write,
            lambda stamps: {"op": "settings", "values": values, "stamps": stamps,
                            "recompute": True},
        )  # fmt: skip
        with self._lock:
            self._use_settings(self._load_settings())
