"""The Store's reads: scheduling states, the review log, checklist ticks, quiz sessions and the
export. A mixin, so core.py keeps only opening, writing and backups; every read goes through
``Store._read``, which classifies failures."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import fsrs

from quizapp.store.flags import flag_values
from quizapp.store.schema import (
    _CARD_COLUMNS,
    _REVIEW_COLUMNS,
    SCHEMA_VERSION,
    _card_state,
    _review,
)
from quizapp.store.values import CardState, QuizSession, Review, ReviewTotal, _dt, _ts, _utc

if TYPE_CHECKING:
    import threading

    from quizapp.settings import Settings

T = TypeVar("T")

_RATING_NAMES = {int(r): r.name.lower() for r in fsrs.Rating}
_STATE_NAMES = {int(s): s.name.lower() for s in fsrs.State}


class _Queries:
    """Reads. Needs ``_read``, ``_lock``, ``_generation`` and ``settings`` from the Store."""

    _lock: threading.RLock
    _generation: int

    def _read(self, fn: Callable[[sqlite3.Connection], T]) -> T:  # pragma: no cover - Store's
        raise NotImplementedError

    if TYPE_CHECKING:  # the Store's, from the mixins after this one in its MRO

        @property
        def machine(self) -> str: ...

        def cram_reviews(self, item_id: str | None = None) -> list[Any]: ...

    @property
    def settings(self) -> Settings:  # pragma: no cover - Store's
        raise NotImplementedError

    def card_state(self, item_id: str) -> CardState | None:
        """The item's scheduling state, or None when it has never been reviewed."""
        row = self._read(
            lambda c: c.execute(
                f"SELECT {_CARD_COLUMNS} FROM cards WHERE item_id = ?", (item_id,)
            ).fetchone()
        )
        return _card_state(row) if row else None

    def card_states(self) -> dict[str, CardState]:
        rows = self._read(lambda c: c.execute(f"SELECT {_CARD_COLUMNS} FROM cards").fetchall())
        return {r[0]: _card_state(r) for r in rows}

    def reviewed_ids(self) -> set[str]:
        """Ids of every item that has a scheduling state (was ever reviewed)."""
        return self._read(lambda c: {r[0] for r in c.execute("SELECT item_id FROM cards")})

    def iter_due(self, before: datetime) -> Iterator[tuple[str, fsrs.State, datetime]]:
        """(item id, state, due) of items due at or before ``before``, earliest first, read lazily
        in small chunks (the lock is not held between them, so stopping early is fine). When the
        store switches files meanwhile (saving stopped or resumed), it reads on from the new one
        without repeating an item."""
        stamp = _ts(_utc(before))
        seen: set[str] = set()
        while True:
            generation = self._generation
            cursor = self._read(
                lambda c: c.execute(
                    "SELECT item_id, state, due FROM cards WHERE due <= ? ORDER BY due", (stamp,)
                )
            )
            size = 16  # the queue usually needs only the first few

            def fetch(conn: sqlite3.Connection, n: int, cur: sqlite3.Cursor) -> list[Any] | None:
                # None: the store switched connections (a read that failed here moves it to
                # memory, and the retry gets the new one): the cursor's connection is gone.
                return cur.fetchmany(n) if cur.connection is conn else None

            while True:
                with self._lock:
                    if self._generation != generation:
                        break  # the cursor's connection is gone: query the new one
                    rows = self._read(lambda c, n=size, cur=cursor: fetch(c, n, cur))  # type: ignore[misc]
                if rows is None:
                    break
                if not rows:
                    return
                for item_id, state, due in rows:
                    if item_id not in seen:
                        seen.add(item_id)
                        yield item_id, fsrs.State(state), _dt(due)  # type: ignore[misc]
                size = min(size * 4, 1024)

    def first_reviewed_since(self, since: datetime) -> int:
        """How many items had their first review at or after ``since`` (new cards seen)."""
        return int(
            self._read(
                lambda c: c.execute(
                    "SELECT COUNT(*) FROM cards WHERE first_review >= ?", (_ts(_utc(since)),)
                ).fetchone()[0]
            )
        )

    def first_reviewed_ids_since(self, since: datetime) -> set[str]:
        """The items whose first review was at or after ``since``."""
        return self._read(
            lambda c: {
                row[0]
                for row in c.execute(
                    "SELECT item_id FROM cards WHERE first_review >= ?", (_ts(_utc(since)),)
                )
            }
        )

    def reviews(self, item_id: str | None = None, *, since: datetime | None = None) -> list[Review]:
        """Reviews, oldest first; of one item and/or from ``since`` on."""
        where, args = [], []
        if item_id is not None:
            where.append("item_id = ?")
            args.append(item_id)
        if since is not None:
            where.append("reviewed_at >= ?")
            args.append(_ts(_utc(since)))
        sql = f"SELECT {_REVIEW_COLUMNS} FROM reviews"
        if where:
            sql += " WHERE " + " AND ".join(where)
        rows = self._read(lambda c: c.execute(sql + " ORDER BY id", args).fetchall())
        return [_review(r) for r in rows]

    def review_count(
        self, *, since: datetime | None = None, item_ids: Iterable[str] | None = None
    ) -> int:
        """How many reviews (from ``since`` on, of ``item_ids`` only when given)."""
        where, args = _where(since, item_ids)
        sql = "SELECT COUNT(*) FROM reviews" + (f" WHERE {where}" if where else "")
        return int(self._read(lambda c: c.execute(sql, args).fetchone()[0]))

    def review_totals(self, item_ids: Iterable[str] | None = None) -> list[ReviewTotal]:
        """Reviews and right answers per (item, kind), of every item or of ``item_ids``."""
        sql = "SELECT item_id, kind, COUNT(*), SUM(rating > 1) FROM reviews"
        args: list[str] = []
        if item_ids is not None:
            args = sorted(set(item_ids))
            sql += f" WHERE item_id IN ({', '.join('?' * len(args))})"
        rows = self._read(lambda c: c.execute(sql + " GROUP BY item_id, kind", args).fetchall())
        return [ReviewTotal(*r) for r in rows]

    def reviews_per_day(
        self, *, since: datetime | None = None, item_ids: Iterable[str] | None = None
    ) -> dict[date, int]:
        """Reviews per local calendar day (of ``item_ids`` only when given)."""
        where, args = _where(since, item_ids)
        sql = "SELECT date(reviewed_at, 'localtime') AS d, COUNT(*) FROM reviews"
        sql += f" WHERE {where}" if where else ""
        rows = self._read(lambda c: c.execute(sql + " GROUP BY d", args).fetchall())
        return {date.fromisoformat(d): n for d, n in rows}

    def reviewed_between(self, start: datetime, end: datetime) -> bool:
        """Whether any review falls in [start, end): one seek in the time index."""
        return self._read(
            lambda c: (
                c.execute(
                    "SELECT 1 FROM reviews WHERE reviewed_at >= ? AND reviewed_at < ? LIMIT 1",
                    (_ts(_utc(start)), _ts(_utc(end))),
                ).fetchone()
                is not None
            )
        )

    def review_state_outcomes(
        self, *, since: datetime | None = None, item_ids: Iterable[str] | None = None
    ) -> tuple[int, int]:
        """(reviews of items in the Review state, how many of them were remembered): the data
        behind true retention (of ``item_ids`` only when given)."""
        where, args = _where(since, item_ids)
        sql = "SELECT COUNT(*), COALESCE(SUM(rating > 1), 0) FROM reviews WHERE state_before = 2"
        sql += f" AND {where}" if where else ""
        return self._read(lambda c: tuple(c.execute(sql, args).fetchone()))

    def ticks(self) -> dict[int, datetime]:
        rows = self._read(
            lambda c: c.execute("SELECT number, ticked_at FROM checklist_ticks").fetchall()
        )
        return {n: _dt(t) for n, t in rows}  # type: ignore[misc]

    def quiz_sessions(self) -> list[QuizSession]:
        """Every quiz session, oldest first, with how many answers and how many right."""
        rows = self._read(
            lambda c: c.execute(
                "SELECT s.id, s.mode, s.config, s.started_at, s.finished_at, "
                "COUNT(a.id), COALESCE(SUM(a.correct), 0) FROM quiz_sessions s "
                "LEFT JOIN quiz_answers a ON a.quiz_id = s.id GROUP BY s.id ORDER BY s.id"
            ).fetchall()
        )
        return [
            QuizSession(i, m, json.loads(cfg), _dt(s), _dt(f), n, k)  # type: ignore[arg-type]
            for i, m, cfg, s, f, n, k in rows
        ]

    def quiz_answers(self, quiz_id: int) -> list[dict[str, Any]]:
        rows = self._read(
            lambda c: c.execute(
                f"{_ANSWER_SELECT} WHERE quiz_id = ? ORDER BY id", (quiz_id,)
            ).fetchall()
        )
        return [_answer(row) for row in rows]

    # ---------------------------------------------------------------- export

    def export(self, *, raw_reviews: bool = False) -> dict[str, Any]:
        """All progress as JSON-serialisable data: what a learner owns. Built from the rows'
        stored text (times are already ISO 8601 UTC), not from value objects. With
        ``raw_reviews`` the reviews are a ``RawJsonList``: each review's JSON text as SQLite
        encoded it (``json_object``), for ``quizapp export``: 100k reviews without a Python
        dict (or any object but one string) each."""
        sessions = self.quiz_sessions()
        answers: dict[int, list[dict[str, Any]]] = {}
        for row in self._read(
            lambda c: c.execute(
                f"SELECT {', '.join(_ANSWER_KEYS)}, quiz_id FROM quiz_answers ORDER BY id"
            ).fetchall()
        ):
            answers.setdefault(row[-1], []).append(_answer(row[:-1]))
        if raw_reviews:
            reviews: list[Any] = self._read(
                lambda c: RawJsonList([r for (r,) in c.execute(_REVIEW_JSON).fetchall()])
            )
        else:
            reviews = self._review_dicts()
        return {
            "format": "quizapp-progress",
            "schema_version": SCHEMA_VERSION,
            "exported_at": datetime.now(UTC).isoformat(),
            "machine": self.machine,
            "settings": self.settings.to_json(),
            "registers": self._register_dicts(),
            "cram_reviews": [
                c.to_json()
                for c in sorted(self.cram_reviews(), key=lambda c: (c.reviewed_at, c.uuid))
            ],
            "cards": self._card_dicts(),
            "reviews": reviews,
            "quiz_sessions": [
                {
                    "id": s.id,
                    "mode": s.mode,
                    "config": s.config,
                    "started_at": s.started_at.isoformat(),
                    "finished_at": s.finished_at.isoformat() if s.finished_at else None,
                    "answers": answers.get(s.id, []),
                }
                for s in sessions
            ],
            "checklist_ticks": [
                {"number": n, "ticked_at": t.isoformat()} for n, t in sorted(self.ticks().items())
            ],
        }

    def _register_dicts(self) -> list[dict[str, Any]]:
        """The replicated registers (see quizapp.interop.merge): every setting, fit and tick
        with its stamp; a value kept from before stamps has the oldest stamp."""
        from quizapp.store.hlc import ZERO

        def read(conn: sqlite3.Connection) -> list[dict[str, Any]]:
            stamps = dict(conn.execute("SELECT key, stamp FROM registers").fetchall())
            values: dict[str, Any] = {k: None for k in stamps}
            for key, value in conn.execute("SELECT key, value FROM settings"):
                try:
                    values[f"setting:{key}"] = json.loads(value)
                except ValueError:
                    continue
            for number, at in conn.execute("SELECT number, ticked_at FROM checklist_ticks"):
                values[f"tick:{number}"] = at
            for key, value in flag_values(conn).items():
                if key in stamps:  # a flag set here (or merged) has its stamp
                    values[key] = value
            return [
                {"key": k, "value": values[k], "stamp": stamps.get(k, ZERO)} for k in sorted(values)
            ]

        return self._read(read)

    def _card_dicts(self) -> list[dict[str, Any]]:
        """Every card state as exported, by item id: from the rows, without an ``fsrs.Card``
        each (the times read exactly as a ``CardState``'s would, see ``_iso``)."""
        names = {int(s): s.name.lower() for s in fsrs.State}
        rows = self._read(
            lambda c: c.execute(f"SELECT {_CARD_COLUMNS} FROM cards ORDER BY item_id").fetchall()
        )
        return [
            {
                "item_id": item_id,
                "state": names[state],
                "step": step,
                "stability": stability,
                "difficulty": difficulty,
                "due": _iso(due),
                "last_review": _iso(last) if last else None,
                "reps": reps,
                "lapses": lapses,
                "first_review": _iso(first),
            }
            for item_id, state, step, stability, difficulty, due, last, reps, lapses, first in rows
        ]

    def _review_dicts(self) -> list[dict[str, Any]]:
        rating, state = _RATING_NAMES, _STATE_NAMES
        reviews: list[dict[str, Any]] = []
        for row in self._read(
            lambda c: c.execute(
                f"SELECT {_REVIEW_COLUMNS} FROM reviews ORDER BY reviewed_at, uuid"
            ).fetchall()
        ):
            rid, item_id, kind, r, at, duration, answer, verdict, seed, quiz, before, due, uid = row
            reviews.append(
                {
                    "id": rid,
                    "uuid": uid,
                    "item_id": item_id,
                    "kind": kind,
                    "rating": rating[r],
                    "reviewed_at": at,
                    "duration_ms": duration,
                    "answer": answer,
                    "verdict": verdict,
                    "seed": seed,
                    "quiz_id": quiz,
                    "state_before": None if before is None else state[before],
                    "due": due,
                }
            )
        return reviews


def _iso(text: str) -> str:
    """A stored time as ``_dt(text).isoformat()`` gives it. The form ``_ts`` stores
    (2026-11-18T13:41:25.920584+00:00) reads back as itself unless its microseconds are 0,
    so it is returned as it is: parsing 24k times was a fifth of exporting 100k reviews."""
    canonical = (
        len(text) == 32
        and text[10] == "T"
        and text[19] == "."
        and text.endswith("+00:00")
        and text[20:26].isdigit()
        and text[20:26] != "000000"
    )
    if canonical:
        return text
    parsed = _dt(text)
    assert parsed is not None
    return parsed.isoformat()


class RawJsonList(list[str]):
    """A list whose items are JSON texts already encoded (by SQLite): written out as they are."""


_REVIEW_JSON = (
    "SELECT json_object('id', id, 'uuid', uuid, 'item_id', item_id, 'kind', kind, 'rating', "
    "CASE rating "
    + " ".join(f"WHEN {k} THEN '{v}'" for k, v in _RATING_NAMES.items())
    + " END, 'reviewed_at', reviewed_at, 'duration_ms', duration_ms, 'answer', answer, "
    "'verdict', verdict, 'seed', seed, 'quiz_id', quiz_id, 'state_before', CASE state_before "
    + " ".join(f"WHEN {k} THEN '{v}'" for k, v in _STATE_NAMES.items())
    + " END, 'due', due_after) FROM reviews ORDER BY reviewed_at, uuid"
)

_ANSWER_KEYS = (
    "item_id",
    "correct",
    "answer",
    "verdict",
    "duration_ms",
    "answered_at",
    "review_id",
)
_ANSWER_SELECT = f"SELECT {', '.join(_ANSWER_KEYS)} FROM quiz_answers"


def _answer(row: tuple[Any, ...]) -> dict[str, Any]:
    data = dict(zip(_ANSWER_KEYS, row, strict=True))
    data["correct"] = bool(data["correct"])
    return data


def _where(since: datetime | None, item_ids: Iterable[str] | None) -> tuple[str, list[str]]:
    """A WHERE clause (without the word) and its arguments: reviews from ``since`` on, of
    ``item_ids`` when given (one deck's items)."""
    parts: list[str] = []
    args: list[str] = []
    if since is not None:
        parts.append("reviewed_at >= ?")
        args.append(_ts(_utc(since)))
    if item_ids is not None:
        ids = sorted(set(item_ids))
        parts.append(f"item_id IN ({', '.join('?' * len(ids))})" if ids else "0")
        args += ids
    return " AND ".join(parts), args
