"""The one FSRS scheduler and the one way to apply a review to a card state.

Every part of quizapp that schedules or predicts (the rating buttons' previews, the store's
reviews, undo, merges and migrations, readiness, the plan, cram's readiness, the fit) builds its
scheduler with ``make_scheduler`` from the learner's desired retention and fitted parameters, and
applies reviews with ``apply_review`` (a test fails if ``fsrs.Scheduler(`` appears anywhere else).
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import fsrs

from quizapp.store.values import CardState

try:  # replay_log's loop in C (native_replay.c), built with the package when a compiler is there
    from quizapp.store import native_replay
except ImportError:  # pragma: no cover - without it, the same replay in Python
    native_replay = None  # type: ignore[assignment]
# The C module, or None: the Python replay (QUIZAPP_PURE_REPLAY=1 asks for it; the benchmarks
# and tests compare the two).
NATIVE: ModuleType | None = None if os.environ.get("QUIZAPP_PURE_REPLAY") else native_replay


@functools.lru_cache(maxsize=32)
def _build(retention: float, parameters: tuple[float, ...] | None) -> fsrs.Scheduler:
    if parameters is None:
        return fsrs.Scheduler(desired_retention=retention, enable_fuzzing=False)
    return fsrs.Scheduler(parameters=parameters, desired_retention=retention, enable_fuzzing=False)


def make_scheduler(
    retention: float = 0.9, parameters: Sequence[float] | None = None
) -> fsrs.Scheduler:
    """The FSRS scheduler for a desired retention and (fitted) parameters: the only place one
    is built. No fuzzing: a card's state is a pure function of its review log, the retention and
    the parameters, so every machine computes the same state from the same merged log, and the
    rating buttons show exactly the interval the store then schedules. Raises ValueError for
    parameters fsrs cannot use."""
    params = None if parameters is None else tuple(float(p) for p in parameters)
    return _build(float(retention), params)


DEFAULT_PARAMETERS: tuple[float, ...] = tuple(make_scheduler().parameters)


# A card's scheduling fields as plain values: (state, step, stability, difficulty, due,
# last_review); state is the int of fsrs.State, stability/difficulty None before the first review.
Fields = tuple[int, int | None, float | None, float | None, datetime, datetime | None]

_LEARNING, _REVIEW, _RELEARNING = int(fsrs.State.Learning), int(fsrs.State.Review), 3
_STABILITY_MIN, _MIN_D, _MAX_D = 0.001, 1.0, 10.0
_E = math.e


def _us(interval: timedelta) -> int:
    """A timedelta in whole microseconds (exact)."""
    return (interval.days * 86_400 + interval.seconds) * 1_000_000 + interval.microseconds


class FastStep:
    """py-fsrs's ``Scheduler.review_card`` (fuzzing off) on plain values: the same formulas in
    the same operation order, so every float agrees with fsrs bit for bit (a property test
    compares them), without copying a Card per review. Built once per scheduler."""

    def __init__(self, scheduler: fsrs.Scheduler) -> None:
        if scheduler.enable_fuzzing:
            raise ValueError("FastStep reproduces fsrs without fuzzing only")
        w = self.w = tuple(scheduler.parameters)
        self._days: dict[int, timedelta] = {}  # _interval's timedelta per day count
        self.retention = scheduler.desired_retention
        self.learning = tuple(scheduler.learning_steps)
        self.relearning = tuple(scheduler.relearning_steps)
        self.max_interval = scheduler.maximum_interval
        self.decay = -w[20]
        self.factor = 0.9 ** (1 / self.decay) - 1
        # _next_interval's constant factor; (stability / factor) * this, as fsrs computes it
        self.interval_term = (self.retention ** (1 / self.decay)) - 1
        # _initial_difficulty(Easy, clamp=False), the mean-reversion target
        self.easy_d = w[4] - (_E ** (w[5] * (4 - 1))) + 1
        self.forget_short = _E ** (w[17] * w[18])
        self.e8 = _E ** (w[8])
        # Per rating (index 1-4), the factors of the formulas that do not depend on the card,
        # each computed exactly as the formula computes it (so the floats are the same).
        self.short_k = (0.0, *(_E ** (w[17] * (r - 3 + w[18])) for r in (1, 2, 3, 4)))
        self.delta = (0.0, *(-(w[6] * (r - 3)) for r in (1, 2, 3, 4)))
        # hard * easy of _long: one of them is 1 for every rating, so one factor is exact
        self.hard_easy = (0.0, 1.0, w[15], 1.0, w[16])
        # A new card's fields after its first rating: (state, step, s, d, interval)
        self.first: tuple[Any, ...] = (None,)
        self._native_params: tuple[tuple[Any, ...] | None] | None = (
            None  # (native_params,) once known
        )
        for r in (1, 2, 3, 4):
            s = max(w[r - 1], _STABILITY_MIN)
            d = min(max(w[4] - (_E ** (w[5] * (r - 1))) + 1, _MIN_D), _MAX_D)
            state, step, interval = self._steps(_LEARNING, self.learning, 0, s, r)
            self.first += ((state, step, s, d, interval),)

    def matches(self, scheduler: fsrs.Scheduler) -> bool:
        return (
            self.w == tuple(scheduler.parameters)
            and self.retention == scheduler.desired_retention
            and self.learning == tuple(scheduler.learning_steps)
            and self.relearning == tuple(scheduler.relearning_steps)
            and self.max_interval == scheduler.maximum_interval
            and not scheduler.enable_fuzzing
        )

    def native_params(self) -> tuple[Any, ...] | None:
        """What native_replay needs to replay with these settings (its layout is read by
        read_params in native_replay.c), or None when it cannot: unusual parameters or steps."""
        if self._native_params is not None:
            return self._native_params[0]
        params = None
        if (
            len(self.w) == 21
            and len(self.learning) <= 64
            and len(self.relearning) <= 64
            and 1 <= self.max_interval <= 10_000_000
        ):
            first = (None, *((st, step, s, d, _us(i)) for st, step, s, d, i in self.first[1:]))
            params = (
                self.w, self.factor, self.decay, self.interval_term, self.easy_d,
                self.forget_short, self.e8, self.short_k, self.delta, self.hard_easy, first,
                self._table(_LEARNING, self.learning), self._table(_RELEARNING, self.relearning),
                _us(self.relearning[0]) if self.relearning else -1, int(self.max_interval),
            )  # fmt: skip
        self._native_params = (params,)
        return params

    def _table(self, state: int, steps: tuple[timedelta, ...]) -> tuple[Any, ...]:
        """``_steps`` for each step (0 to the number of steps; a step past it acts as it) and
        rating: None when the card graduates to Review, else (next step, interval in us)."""
        rows = []
        for step in range(len(steps) + 1):
            row = []
            for r in (1, 2, 3, 4):
                after, nxt, interval = self._steps(state, steps, step, 1.0, r)
                row.append(None if after == _REVIEW else (nxt, _us(interval)))
            rows.append(tuple(row))
        return tuple(rows)

    def _interval(self, stability: float) -> timedelta:
        days = round((stability / self.factor) * self.interval_term)
        interval = self._days.get(days)
        if interval is None:
            interval = self._days[days] = timedelta(days=min(max(days, 1), self.max_interval))
        return interval

    def _short(self, s: float, r: int) -> float:
        w = self.w
        inc: float = (_E ** (w[17] * (r - 3 + w[18]))) * (s ** -w[19])
        if r != 1:
            inc = max(inc, 1.0)
        return max(s * inc, _STABILITY_MIN)

    def _difficulty(self, d: float, r: int) -> float:
        w = self.w
        delta = -(w[6] * (r - 3))
        arg_2 = d + (10.0 - d) * delta / 9.0
        d2: float = w[7] * self.easy_d + (1 - w[7]) * arg_2
        return min(max(d2, _MIN_D), _MAX_D)

    def _long(self, s: float, d: float, r: int, elapsed: int | None) -> float:
        w = self.w
        # get_card_retrievability: 0 without a last review
        ret: float = 0 if elapsed is None else (1 + self.factor * max(0, elapsed) / s) ** self.decay
        if r == 1:
            nxt: float = min(
                w[11] * (d ** -w[12]) * (((s + 1) ** (w[13])) - 1) * (_E ** ((1 - ret) * w[14])),
                s / self.forget_short,
            )
        else:
            hard = w[15] if r == 2 else 1
            easy = w[16] if r == 4 else 1
            nxt = s * (
                1
                + self.e8
                * (11 - d)
                * (s ** -w[9])
                * ((_E ** ((1 - ret) * w[10])) - 1)
                * hard
                * easy
            )
        return max(nxt, _STABILITY_MIN)

    def _steps(
        self, state: int, steps: tuple[timedelta, ...], step: int, s: float, r: int
    ) -> tuple[int, int | None, timedelta]:
        """(Re)learning: the state, step and interval after rating ``r``."""
        n = len(steps)
        if n == 0 or (step >= n and r != 1) or r == 4 or (r == 3 and step + 1 == n):
            return _REVIEW, None, self._interval(s)
        if r == 1:
            return state, 0, steps[0]
        if r == 2:
            if step == 0 and n == 1:
                return state, step, steps[0] * 1.5
            if step == 0:
                return state, step, (steps[0] + steps[1]) / 2.0
            return state, step, steps[step]
        return state, step + 1, steps[step + 1]

    def __call__(self, f: Fields | None, r: int, at: datetime) -> Fields:
        """The fields after rating ``r`` (1-4) at ``at`` (UTC); ``f`` None: a new card.
        ``_short``, ``_long``, ``_difficulty`` and ``_interval`` inlined (the same operations
        in the same order: this runs once per review of every replay)."""
        if f is None:
            state, step, s, d, interval = self.first[r]
            return state, step, s, d, at + interval, at
        state, step, s, d, _, last = f
        elapsed = (at - last).days if last is not None else None
        w = self.w
        if state != _REVIEW and (s is None or d is None):
            s = max(w[r - 1], _STABILITY_MIN)
            d = min(max(w[4] - (_E ** (w[5] * (r - 1))) + 1, _MIN_D), _MAX_D)
        else:
            assert s is not None and d is not None
            if elapsed is not None and elapsed < 1:  # _short
                inc: float = self.short_k[r] * (s ** -w[19])
                if r != 1:
                    inc = max(inc, 1.0)
                s = max(s * inc, _STABILITY_MIN)
            else:  # _long
                ret: float = (
                    0 if elapsed is None else (1 + self.factor * max(0, elapsed) / s) ** self.decay
                )
                if r == 1:
                    nxt: float = min(
                        w[11] * (d ** -w[12]) * (((s + 1) ** (w[13])) - 1)
                        * (_E ** ((1 - ret) * w[14])),
                        s / self.forget_short,
                    )  # fmt: skip
                else:
                    nxt = s * (
                        1
                        + self.e8 * (11 - d) * (s ** -w[9])
                        * ((_E ** ((1 - ret) * w[10])) - 1) * self.hard_easy[r]
                    )  # fmt: skip
                s = max(nxt, _STABILITY_MIN)
            # _difficulty
            arg_2 = d + (10.0 - d) * self.delta[r] / 9.0
            d2: float = w[7] * self.easy_d + (1 - w[7]) * arg_2
            d = min(max(d2, _MIN_D), _MAX_D)
        if state == _REVIEW:
            if r == 1 and self.relearning:
                state, step, interval = _RELEARNING, 0, self.relearning[0]
            else:
                interval = self._interval(s)
        else:
            assert step is not None
            steps = self.learning if state == _LEARNING else self.relearning
            state, step, interval = self._steps(state, steps, step, s, r)
        return state, step, s, d, at + interval, at


# An item's replay so far: its fields (None: new), reviews, lapses and first review time.
Progress = tuple[Fields | None, int, int, datetime | None]
NEW: Progress = (None, 0, 0, None)


def advance(step: FastStep, p: Progress, rating: int, at: datetime) -> tuple[Progress, int | None]:
    """One review (rating 1-4, at a UTC time) applied to an item's replay: the new replay and
    the fsrs state before it (None: it was new). The lapse rule lives here: an Again given in
    the Review state is a lapse."""
    fields, reps, lapses, first = p
    if fields is None:
        before, first = None, at
    else:
        before = fields[0]
        if rating == 1 and before == _REVIEW:
            lapses += 1
    return (step(fields, rating, at), reps + 1, lapses, first), before


def replay_rows(
    scheduler: fsrs.Scheduler,
    rows: Iterable[Sequence[Any]],
    resets: dict[str, str],
    fresh: dict[str, tuple[int | None, str]] | None = None,
) -> tuple[list[tuple[Any, ...]], list[tuple[int | None, str, Any]]]:
    """``replay_log`` with each item's replay as its cards row (``card_row``)."""
    done = _in_c(scheduler, rows, resets, fresh, as_rows=True)
    if done is not None:
        return done
    replays, updates = replay_log(scheduler, rows, resets, fresh, native=False)
    return [card_row(item, p) for item, p in replays], updates


def _in_c(
    scheduler: fsrs.Scheduler,
    rows: Iterable[Sequence[Any]],
    resets: dict[str, str],
    fresh: dict[str, tuple[int | None, str]] | None,
    *,
    as_rows: bool,
) -> tuple[list[Any], list[tuple[int | None, str, Any]]] | None:
    """The replay by the C module (native_replay.c: the same operations, a tenth of the
    time), or None: no module, rows not in a list, settings or a row it does not reproduce
    (the Python replay, which writes every entry of ``fresh`` again, says what)."""
    if NATIVE is None or not isinstance(rows, list):
        return None
    params = fast_step(scheduler).native_params()
    if params is None:
        return None
    done: tuple[list[Any], list[tuple[int | None, str, Any]]] | None
    done = NATIVE.replay(rows, resets, params, fresh, as_rows)
    return done


def card_row(item_id: str, p: Progress) -> tuple[Any, ...]:
    """The cards row of a replay (the row the store writes for its ``state_of``)."""
    (state, step, stability, difficulty, due, last), reps, lapses, first = p  # type: ignore[misc]
    return (
        item_id, state, step, stability, difficulty, _iso(due), _iso(last) if last else None,
        reps, lapses, _iso(first),  # type: ignore[arg-type]
    )  # fmt: skip


def _iso(dt: datetime) -> str:
    """``values._ts`` for a time already in UTC (every replayed time is)."""
    return (dt if dt.tzinfo is UTC else dt.astimezone(UTC)).isoformat(timespec="microseconds")


def replay_log(
    scheduler: fsrs.Scheduler,
    rows: Iterable[Sequence[Any]],
    resets: dict[str, str],
    fresh: dict[str, tuple[int | None, str]] | None = None,
    *,
    native: bool = True,
) -> tuple[list[tuple[str, Progress]], list[tuple[int | None, str, Any]]]:
    """Replay review logs: ``rows`` as ``(id, item, rating, time text, duration, state before,
    due after, uuid, time parsed or None)``, grouped by item in log order; ``resets``: item -> the
    time text of its reset (reviews up to it are kept, not replayed). Returns each item's
    replay and the (state before, due after, id) of each review whose stored values differ
    (an id None: the uuid in its place, and a review before a reset gives (None, its time)).
    ``fresh``: the reviews with id None go there instead, uuid -> (state before, due after).
    ``advance`` inlined: this runs once per review of every log replayed. In C when it can be
    (``_in_c``; ``native`` False: in Python)."""
    done = _in_c(scheduler, rows, resets, fresh, as_rows=False) if native else None
    if done is not None:
        return done
    step = fast_step(scheduler)
    updates: list[tuple[int | None, str, Any]] = []
    replays: list[tuple[str, Progress]] = []
    rating_of = {int(r): int(r) for r in fsrs.Rating}  # a bad stored rating: KeyError
    parse = datetime.fromisoformat  # stored times are UTC text (+00:00): no conversion needed
    add = updates.append
    days: dict[int, str] = {}  # a date's text by its ordinal
    item: Any = None
    fields: Fields | None = None
    reps = lapses = 0
    first: datetime | None = None
    for rid, item_id, rating, at_text, _duration, old_before, old_due, uid, parsed in rows:
        if item_id != item:
            if fields is not None:
                replays.append((item, (fields, reps, lapses, first)))
            item, fields, reps, lapses, first = item_id, None, 0, 0, None
        if resets and at_text <= resets.get(item_id, ""):
            if rid is None:
                if fresh is None:
                    add((None, at_text, uid))
                else:
                    fresh[uid] = (None, at_text)
            continue
        at = parsed or parse(at_text)
        if at.tzinfo is not UTC:
            at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        r = rating_of[rating]
        if fields is None:  # advance: the state before, the lapse rule, the counts
            before, first = None, at
        else:
            before = fields[0]
            if r == 1 and before == _REVIEW:
                lapses += 1
        fields = step(fields, r, at)
        reps += 1
        when = fields[4]
        ahead = when - at
        if (
            not (ahead.seconds or ahead.microseconds)
            and len(at_text) == 32
            and (at_text[10] == "T" and at_text[19] == "." and at_text[26:] == "+00:00")
        ):  # whole days after a stored time: its time of day, another date (a third as long)
            day = when.toordinal()
            date = days.get(day)
            if date is None:
                date = days[day] = when.date().isoformat()
            due = date + at_text[10:]
        else:
            due = when.isoformat()  # as _ts writes it: faster than timespec="microseconds"
            if not when.microsecond:
                due = due[:19] + ".000000" + due[19:]
        if rid is None:
            if fresh is None:
                add((before, due, uid))
            else:
                fresh[uid] = (before, due)
        elif before != old_before or due != old_due:
            add((before, due, rid))
    if fields is not None:
        replays.append((item, (fields, reps, lapses, first)))
    return replays, updates


def state_of(item_id: str, p: Progress) -> CardState:
    """The CardState (with its fsrs.Card) of a replay holding at least one review."""
    fields, reps, lapses, first = p
    assert fields is not None and first is not None
    return CardState(item_id, card_of(fields), reps, lapses, first)


_STEPS: dict[int, tuple[fsrs.Scheduler, FastStep]] = {}


def fast_step(scheduler: fsrs.Scheduler) -> FastStep:
    """The FastStep of a scheduler (kept per scheduler object: ``make_scheduler`` caches
    them; a scheduler is unhashable and could be changed, so its settings are compared)."""
    hit = _STEPS.get(id(scheduler))
    if hit is not None and hit[0] is scheduler and hit[1].matches(scheduler):
        return hit[1]
    if len(_STEPS) > 64:
        _STEPS.clear()
    step = FastStep(scheduler)
    _STEPS[id(scheduler)] = (scheduler, step)
    return step


def fields_of(card: fsrs.Card) -> Fields:
    return (int(card.state), card.step, card.stability, card.difficulty, card.due,
            card.last_review)  # fmt: skip


def card_of(f: Fields) -> fsrs.Card:
    return fsrs.Card(card_id=0, state=fsrs.State(f[0]), step=f[1], stability=f[2],
                     difficulty=f[3], due=f[4], last_review=f[5])  # fmt: skip


def apply_review(
    scheduler: fsrs.Scheduler,
    state: CardState | None,
    item_id: str,
    rating: fsrs.Rating,
    at: datetime,
    duration_ms: int | None = None,
) -> tuple[CardState, int | None]:
    """One review applied to an item's state (None: new): the new state and the fsrs state
    before it (None: it was new), as ``advance`` computes it."""
    if at.tzinfo is None or at.tzinfo != UTC:
        raise ValueError("datetime must be timezone-aware and set to UTC")
    p: Progress = NEW
    if state is not None:
        p = (fields_of(state.card), state.reps, state.lapses, state.first_review)
    p, before = advance(fast_step(scheduler), p, int(rating), at)
    return state_of(item_id, p), before


def replay_item(
    scheduler: fsrs.Scheduler,
    item_id: str,
    reviews: Iterable[tuple[fsrs.Rating, datetime, int | None]],
) -> tuple[CardState | None, list[tuple[int | None, datetime]]]:
    """An item's state from its whole log (rating, when, duration; in log order: time, then
    uuid), and each review's state before and due after. None for an empty log."""
    state: CardState | None = None
    derived: list[tuple[int | None, datetime]] = []
    for rating, at, duration in reviews:
        state, before = apply_review(scheduler, state, item_id, rating, at, duration)
        derived.append((before, state.card.due))
    return state, derived


FIT_KEY = "fsrs_fit"  # the settings key of the fitted parameters (quizapp.fit.FitResult)


def fitted_parameters(data: dict[str, Any] | None) -> tuple[float, ...] | None:
    """The parameters of a stored fit when they are usable by fsrs, else None."""
    if not data:
        return None
    try:
        params = tuple(float(x) for x in data["parameters"])
        make_scheduler(parameters=params)
    except (KeyError, TypeError, ValueError):
        return None
    return params
