"""The SQL of each write, inside the caller's transaction. One body per action, shared by the
live write (core.py) and the replay of the pending journal (``replay``), so an action saved
late is saved exactly as it would have been on time."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import fsrs

from quizapp.store import hlc, pending, srs
from quizapp.store.rows import CARD_COLUMNS as _CARD_COLUMNS
from quizapp.store.rows import CARD_MARKS as _CARD_MARKS
from quizapp.store.rows import card_state_of as _card_state
from quizapp.store.rows import put_card as _put_card
from quizapp.store.values import Review, StoreError
from quizapp.store.values import parse_time as _dt
from quizapp.store.values import time_text as _ts

if TYPE_CHECKING:
    from quizapp.store.database import Database as Store


def review_in(
    scheduler: fsrs.Scheduler,
    conn: sqlite3.Connection,
    item_id: str,
    rating: fsrs.Rating,
    kind: str | None,
    at: datetime,
    duration_ms: int | None,
    answer: str | None,
    verdict: str | None,
    seed: int | None,
    quiz_id: int | None,
    uid: str,
) -> tuple[Review, tuple[Any, ...] | None]:
    """The body of a review, inside the caller's transaction. Returns the review and the
    item's cards row before it (None: it was new), which undo puts back."""
    row = conn.execute(
        f"SELECT {_CARD_COLUMNS} FROM cards WHERE item_id = ?", (item_id,)
    ).fetchone()
    before = _card_state(row) if row else None
    last = before.card.last_review if before else None
    new, state_before = srs.apply_review(scheduler, before, item_id, rating, at, duration_ms)
    new_card = new.card
    if last is None or last < at:
        _put_card(conn, item_id, new_card, reps=new.reps, lapses=new.lapses,
                  first_review=new.first_review)  # fmt: skip
    cursor = conn.execute(
        "INSERT INTO reviews (uuid, item_id, kind, rating, reviewed_at, duration_ms, answer, "
        "verdict, seed, quiz_id, state_before, due_after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (uid, item_id, kind, int(rating), _ts(at), duration_ms, answer, verdict, seed,
         quiz_id, state_before, _ts(new_card.due)),
    )  # fmt: skip
    if last is not None and last >= at:
        # A review from another machine is dated later (its clock runs ahead): the log's order
        # is by time, so the item is replayed whole, as every machine replays it.
        recompute(conn, scheduler, [item_id])
        state_before, due = conn.execute(
            "SELECT state_before, due_after FROM reviews WHERE uuid = ?", (uid,)
        ).fetchone()
        new_card.due = _dt(due)  # type: ignore[assignment]
    review = Review(
        id=cursor.lastrowid,  # type: ignore[arg-type]
        uuid=uid,
        item_id=item_id,
        kind=kind,
        rating=rating,
        reviewed_at=at,
        duration_ms=duration_ms,
        answer=answer,
        verdict=verdict,
        seed=seed,
        quiz_id=quiz_id,
        state_before=fsrs.State(state_before) if state_before is not None else None,
        due=new_card.due,
    )
    return review, row


_LOG_SQL = (
    "SELECT id, item_id, rating, reviewed_at, duration_ms, state_before, due_after, uuid, NULL "
    "FROM reviews {where} ORDER BY item_id, reviewed_at, uuid"
)


def derive(
    conn: sqlite3.Connection,
    scheduler: fsrs.Scheduler,
    item_ids: Any | None = None,
    extra: list[tuple[Any, ...]] | None = None,
) -> tuple[list[Any], list[tuple[int | None, str, Any]]]:
    """The cards of ``item_ids`` (None: every reviewed item) derived from their review logs
    (time order, uuid on a tie) with ``scheduler``, and the (state before, due after, id) of
    each review whose stored values differ. ``extra``: reviews not in the file yet, as
    ``_LOG_SQL`` rows with id None (their time may be given parsed as a ninth element, a UTC
    datetime); theirs come back with their uuid in place of the id. Reads only."""
    replays, updates = _replay(conn, scheduler, item_ids, extra)
    return [srs.state_of(item, p) for item, p in replays], updates


def _log(
    conn: sqlite3.Connection, item_ids: Any | None, extra: list[tuple[Any, ...]] | None
) -> list[Any]:
    """The review log rows of ``item_ids`` (None: all) and ``extra``, by item, time, uuid."""
    # (with extra rows, all are sorted below: SQLite need not sort them first)
    sql = _LOG_SQL if not extra else _LOG_SQL.partition(" ORDER BY")[0]
    if item_ids is None:
        rows = conn.execute(sql.format(where="")).fetchall()
    else:
        wanted = sorted(set(item_ids))
        rows = []
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            rows += conn.execute(
                sql.format(where=f"WHERE item_id IN ({','.join('?' * len(chunk))})"), chunk
            ).fetchall()
        if not extra:  # (with extra rows, all are sorted below)
            rows.sort(key=itemgetter(1))  # stable: keeps time and uuid order within an item
    if extra:
        if len(extra[0]) == 8:  # without their parsed times
            extra = [(*r, None) for r in extra]
        rows += extra
        # item, time, uuid: by time and uuid, then (stable) by item; the same order as one sort
        # by the three, in half the time (a file's reviews come in time order already)
        rows.sort(key=itemgetter(3, 7))
        rows.sort(key=itemgetter(1))
    return rows


def _replay(
    conn: sqlite3.Connection,
    scheduler: fsrs.Scheduler,
    item_ids: Any | None,
    extra: list[tuple[Any, ...]] | None,
    fresh: dict[str, tuple[int | None, str]] | None = None,
) -> tuple[list[tuple[str, srs.Progress]], list[tuple[int | None, str, Any]]]:
    """``derive``'s work: each item's replay (``srs.Progress``) and the changed reviews
    (``extra``'s in ``fresh`` when given: see ``srs.replay_log``)."""
    return srs.replay_log(scheduler, _log(conn, item_ids, extra), _resets(conn), fresh)


def _resets(conn: sqlite3.Connection) -> dict[str, str]:
    """item -> the time its progress was reset (its state is derived from later reviews)."""
    try:
        return dict(
            conn.execute("SELECT item_id, reset_at FROM card_flags WHERE reset_at IS NOT NULL")
        )
    except sqlite3.OperationalError:  # a file not migrated to v6 yet (inside a migration)
        return {}


def recompute(
    conn: sqlite3.Connection,
    scheduler: fsrs.Scheduler,
    item_ids: Any | None = None,
    extra: list[tuple[Any, ...]] | None = None,
) -> dict[str, tuple[int | None, str]]:
    """Derive the cards of ``item_ids`` (None: every reviewed item) from their review logs with
    ``scheduler`` (``derive``), and each review's state before and due after: a card's state is
    a pure function of its log, the desired retention and the FSRS parameters, so every machine
    holding the same log computes the same state. Items without reviews lose their card row.
    Returns the state before and due after of each ``extra`` review, by uuid (the caller
    inserts them)."""
    fresh: dict[str, tuple[int | None, str]] = {}
    cards, updates = srs.replay_rows(scheduler, _log(conn, item_ids, extra), _resets(conn), fresh)
    seen = {c[0] for c in cards}
    conn.executemany("UPDATE reviews SET state_before = ?, due_after = ? WHERE id = ?", updates)
    if item_ids is None:
        old = {r[0]: r for r in conn.execute(f"SELECT {_CARD_COLUMNS} FROM cards")}
        changed = [c for c in cards if old.get(c[0]) != c]
        gone = [(k,) for k in old if k not in seen]
    else:
        changed = cards
        gone = [(k,) for k in set(item_ids) if k not in seen]
    conn.executemany(f"INSERT OR REPLACE INTO cards ({_CARD_COLUMNS}) VALUES ({_CARD_MARKS})",
                     changed)  # fmt: skip
    conn.executemany("DELETE FROM cards WHERE item_id = ?", gone)
    return fresh


def stamp_in(conn: sqlite3.Connection, machine: str, now: datetime) -> str:
    """The next register stamp: later than every stamp this file holds (see hlc.py)."""
    last = conn.execute("SELECT max(stamp) FROM registers").fetchone()[0]
    return hlc.next_stamp(last, now, machine)


def register_stamps(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, stamp FROM registers").fetchall())


def _stamp(conn: sqlite3.Connection, key: str, stamp: str | None) -> None:
    if stamp is not None:
        conn.execute("INSERT OR REPLACE INTO registers (key, stamp) VALUES (?, ?)", (key, stamp))


def put_settings(
    conn: sqlite3.Connection, values: dict[str, Any], stamps: dict[str, str] | None = None
) -> None:
    """Save settings (the fitted parameters too: ``fsrs_fit``, None removes them) with their
    register stamps, when given."""
    FIT_KEY = srs.FIT_KEY

    for key, value in values.items():
        if key == FIT_KEY and value is None:
            conn.execute("DELETE FROM settings WHERE key = ?", (key,))
        else:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                (key, json.dumps(value)),
            )
        _stamp(conn, f"setting:{key}", (stamps or {}).get(key))


def scheduler_in(conn: sqlite3.Connection) -> fsrs.Scheduler:
    """The scheduler the file's saved settings and fitted parameters make (inside a write,
    before the store has read them back)."""
    from quizapp.settings import Settings, parse_stored_settings

    FIT_KEY, fitted_parameters = srs.FIT_KEY, srs.fitted_parameters

    rows = dict(
        conn.execute(
            "SELECT key, value FROM settings WHERE key IN ('desired_retention', ?)", (FIT_KEY,)
        ).fetchall()
    )
    retention = Settings().desired_retention
    params = None
    with contextlib.suppress(ValueError, TypeError):
        if "desired_retention" in rows:
            parsed, _ = parse_stored_settings(
                {"desired_retention": json.loads(rows["desired_retention"])}
            )
            retention = parsed.desired_retention
        if FIT_KEY in rows:
            params = fitted_parameters(json.loads(rows[FIT_KEY]))
    return srs.make_scheduler(retention, params)


def tick_in(
    conn: sqlite3.Connection,
    number: int,
    ticked: bool,
    at: str,
    machine: str | None = None,
    stamp: str | None = None,
) -> str | None:
    """Tick (at ``at``) or untick an item. A change gets a register stamp (``stamp``, or a new
    one for ``machine``), returned; ticking an already ticked item keeps its time and stamp."""
    row = conn.execute("SELECT 1 FROM checklist_ticks WHERE number = ?", (number,)).fetchone()
    if (row is not None) == ticked:
        return None
    if ticked:
        conn.execute("INSERT INTO checklist_ticks (number, ticked_at) VALUES (?, ?)", (number, at))
    else:
        conn.execute("DELETE FROM checklist_ticks WHERE number = ?", (number,))
    if stamp is None and machine is not None:
        stamp = stamp_in(conn, machine, _dt(at))  # type: ignore[arg-type]
    _stamp(conn, f"tick:{number}", stamp)
    return stamp


def start_quiz_in(conn: sqlite3.Connection, mode: str, config: str, at: str) -> int:
    return conn.execute(  # type: ignore[return-value]
        "INSERT INTO quiz_sessions (mode, config, started_at) VALUES (?, ?, ?)", (mode, config, at)
    ).lastrowid


def finish_quiz_in(conn: sqlite3.Connection, quiz_id: int, at: str) -> None:
    conn.execute(
        "UPDATE quiz_sessions SET finished_at = ? WHERE id = ? AND finished_at IS NULL",
        (at, quiz_id),
    )


def quiz_answer_in(
    store: Store, conn: sqlite3.Connection, e: dict[str, Any], quiz_id: int
) -> tuple[Review, tuple[Any, ...] | None]:
    """A quiz answer and its review (see ``Store.record_quiz_answer``) from its journal entry."""
    mode = conn.execute("SELECT mode FROM quiz_sessions WHERE id = ?", (quiz_id,)).fetchone()
    at = _dt(e["at"])
    if mode is None and store.read_only:
        # Not saving, and the stand-in in memory never saw this quiz (the file went bad under
        # it): the answer still counts as a review; the journal keeps its quiz for the replay.
        return review_in(store.scheduler,
            conn, e["item_id"], fsrs.Rating(e["rating"]), e["kind"], at,  # type: ignore[arg-type]
            e["duration_ms"], e["answer"], e["verdict"], e["seed"], None, e["uuid"],
        )  # fmt: skip
    if mode is None:
        raise StoreError(f"quiz {quiz_id} does not exist; start a quiz first")
    review, before = review_in(store.scheduler,
        conn, e["item_id"], fsrs.Rating(e["rating"]), e["kind"] or mode[0], at,  # type: ignore[arg-type]
        e["duration_ms"], e["answer"], e["verdict"], e["seed"], quiz_id, e["uuid"],
    )  # fmt: skip
    conn.execute(
        "INSERT INTO quiz_answers (quiz_id, item_id, correct, answer, verdict, "
        "duration_ms, answered_at, review_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (quiz_id, e["item_id"], int(e["correct"]), e["answer"], e["verdict"], e["duration_ms"],
         e["at"], review.id),
    )  # fmt: skip
    return review, before


def cram_in(conn: sqlite3.Connection, e: dict[str, Any]) -> None:
    """A cram review (see ``Store.record_cram``) from its journal entry; never touches cards."""
    conn.execute(
        "INSERT OR IGNORE INTO cram_reviews (uuid, item_id, rating, reviewed_at, duration_ms) "
        "VALUES (?, ?, ?, ?, ?)",
        (e["uuid"], e["item_id"], int(e["rating"]), e["at"], e["duration_ms"]),
    )


def undo_in(
    conn: sqlite3.Connection,
    item_id: str,
    uid: str,
    before: tuple[Any, ...] | None,
    scheduler: fsrs.Scheduler | None = None,
) -> bool:
    """Delete review ``uid`` and put the item's card row back as ``before`` (with
    ``scheduler``: derive it again from the rest of its log, as every machine would); False
    (nothing done) when it is not the item's newest review (reviewed elsewhere since)."""
    newest = conn.execute(
        "SELECT uuid, id FROM reviews WHERE item_id = ? ORDER BY id DESC LIMIT 1", (item_id,)
    ).fetchone()
    if newest is None or newest[0] != uid:
        return False
    conn.execute("DELETE FROM quiz_answers WHERE review_id = ?", (newest[1],))
    conn.execute("DELETE FROM reviews WHERE id = ?", (newest[1],))
    forget_merged_files(conn)
    conn.execute("DELETE FROM cards WHERE item_id = ?", (item_id,))
    if scheduler is not None:
        recompute(conn, scheduler, [item_id])
    elif before is not None:
        conn.execute(f"INSERT INTO cards ({_CARD_COLUMNS}) VALUES ({_CARD_MARKS})", tuple(before))
    return True


def forget_merged_files(conn: sqlite3.Connection) -> None:
    """A review left the log: a file merged whole before may hold it, so each such file is
    read again (see quizapp.interop.merge.plan_file)."""
    for table in ("merged_files", "merged_prefixes"):
        if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone():
            conn.execute(f"DELETE FROM {table}")


def raise_review_ids(conn: sqlite3.Connection, high: int) -> None:
    """Make the next review id at least ``high`` + 1 (after a restore brought back a file whose
    mark is lower), so no id this file ever handed out is handed out again."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'reviews'").fetchone()
    if row is None:
        conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('reviews', ?)", (high,))
    elif row[0] < high:
        conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'reviews'", (high,))


# Journal entries of actions written by other store modules (flags.py): op -> its replay.
EXTRA_REPLAYS: dict[str, Callable[[Any, sqlite3.Connection, dict[str, Any]], None]] = {}


def replay(
    store: Any,
    conn: sqlite3.Connection,
    entries: list[dict[str, Any]],
    rejected: list[dict[str, Any]] | None = None,
) -> None:
    """Apply journal entries in order inside the caller's transaction. Reviews are keyed by
    uuid, so an entry already saved (a kill between commit and removing the sidecar) is skipped.
    A database error of the file (full, locked, I/O) propagates: the whole replay is rolled back
    and stays pending. An entry this version cannot use (a missing field, a number SQLite cannot
    hold, a constraint it breaks) is undone alone (a savepoint each) and put in ``rejected``."""
    quiz_ids: dict[int, int] = {}  # quiz ids handed out while not saving -> ids in the file
    for e in entries:
        conn.execute("SAVEPOINT replay_entry")
        try:
            op = e["op"]
            if op == "start_quiz":  # once, even if an earlier replay saved it (pending.py)
                quiz = pending.saved_quiz(conn, e, quiz_ids.values())
                if quiz is None:
                    quiz = start_quiz_in(conn, e["mode"], e["config"], e["at"])
                quiz_ids[e["ref"]] = quiz
            elif op == "finish_quiz":
                finish_quiz_in(conn, quiz_ids.get(e["quiz"], e["quiz"]), e["at"])
            elif op == "tick":
                tick_in(conn, int(e["number"]), bool(e["ticked"]), e["at"], None, e.get("stamp"))
                if e.get("stamp") is None:  # an unstamped change: a merged file may win again
                    forget_merged_files(conn)
            elif op == "settings":
                put_settings(conn, dict(e["values"]), e.get("stamps"))
                if not e.get("stamps"):
                    forget_merged_files(conn)
                if e.get("recompute"):
                    recompute(conn, scheduler_in(conn))
            elif op in ("review", "quiz_answer"):
                if conn.execute("SELECT 1 FROM reviews WHERE uuid = ?", (e["uuid"],)).fetchone():
                    continue
                quiz = quiz_ids.get(e["quiz"], e["quiz"]) if op == "quiz_answer" else None
                exists = (
                    quiz is not None
                    and conn.execute("SELECT 1 FROM quiz_sessions WHERE id = ?", (quiz,)).fetchone()
                )
                if exists:
                    quiz_answer_in(store, conn, e, quiz)  # type: ignore[arg-type]
                else:  # its quiz is gone (a restore): the review still feeds the scheduler
                    review_in(store.scheduler,
                        conn, e["item_id"], fsrs.Rating(e["rating"]), e["kind"],
                        _dt(e["at"]), e["duration_ms"], e["answer"], e["verdict"],  # type: ignore[arg-type]
                        e["seed"], None, e["uuid"],
                    )  # fmt: skip
            elif op == "cram":
                cram_in(conn, e)
            elif op in EXTRA_REPLAYS:
                EXTRA_REPLAYS[op](store, conn, e)
            elif op == "undo":
                row = conn.execute(
                    "SELECT item_id FROM reviews WHERE uuid = ?", (e["uuid"],)
                ).fetchone()
                if row is not None:
                    undo_in(conn, row[0], e["uuid"], e["before"], store.scheduler)
        except (KeyError, TypeError, ValueError, OverflowError, StoreError, sqlite3.IntegrityError):
            # An entry this version cannot use: undone alone, the rest still saved.
            conn.execute("ROLLBACK TO replay_entry")
            if rejected is not None:
                rejected.append(e)
        finally:
            conn.execute("RELEASE replay_entry")
