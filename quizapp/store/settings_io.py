"""The learner's settings in the progress file, and the FSRS scheduler they make: functions over
the ``Database`` (it imports quizapp.settings and the store's ops, srs and hlc, nothing above).

Settings are kept in memory (``Database.settings``) and read again when another process (the
CLI, a second window, a sync) has committed since (SQLite's ``PRAGMA data_version``); a save
writes only the keys that changed, so two processes changing different settings keep both."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from typing import TYPE_CHECKING, Any

from quizapp.settings import Settings, parse_stored_settings
from quizapp.store import hlc, ops, srs
from quizapp.store.srs import FIT_KEY, fitted_parameters
from quizapp.store.values import StoreError

if TYPE_CHECKING:
    from quizapp.store.database import Database


def new_stamps(db: Database, conn: sqlite3.Connection, keys: list[str]) -> dict[str, str]:
    """One new register stamp per key, each later than the one before."""
    out: dict[str, str] = {}
    now, machine = db.now(), db.machine
    last = conn.execute("SELECT max(stamp) FROM registers").fetchone()[0]
    for key in keys:
        last = out[key] = hlc.next_stamp(last, now, machine)
    return out


def load(db: Database) -> Settings:
    """The settings in the file (a default, with a notice, for an invalid value)."""
    try:
        rows = db.conn.execute("SELECT key, value FROM settings").fetchall()
    except sqlite3.Error:
        return Settings()
    data: dict[str, Any] = {}
    for key, value in rows:
        try:
            data[key] = json.loads(value)
        except ValueError:
            data[key] = object()  # unreadable: rejected below like any invalid value
    settings, rejected = parse_stored_settings(data)
    if rejected:
        db.notice(
            f"setting {rejected[0]} in {db.path.name} was invalid: using the default "
            "(change it with 'quizapp settings')"
        )
    return settings


def use(db: Database, settings: Settings) -> None:
    """Keep ``settings`` and the scheduler they make (with the learner's fitted parameters)."""
    db.settings = settings
    db.settings_seen = -1
    with contextlib.suppress(sqlite3.Error):
        db.settings_seen = db.conn.execute("PRAGMA data_version").fetchone()[0]
    # Kept, not built per review: the scheduler depends on the desired retention and on the
    # FSRS parameters fitted to the learner, when there are any.
    params = None
    with contextlib.suppress(sqlite3.Error, ValueError):
        # Straight from the connection: this runs while opening and while falling back.
        row = db.conn.execute("SELECT value FROM settings WHERE key = ?", (FIT_KEY,)).fetchone()
        params = fitted_parameters(json.loads(row[0])) if row else None
    db.scheduler = srs.make_scheduler(settings.desired_retention, params)


def reload(db: Database) -> None:
    """Read the settings again (the caller holds the lock or is opening)."""
    use(db, load(db))


def current(db: Database) -> Settings:
    """The settings, read again once another process (the CLI, a second window, a sync) has
    committed since they were read: an interview date set with 'quizapp settings' shows in an
    open app. Not while this database holds unsaved writes of its own."""
    with db.lock:
        try:
            seen = db.conn.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return db.settings
        if seen != db.settings_seen and not (db.journal is not None and len(db.journal)):
            reload(db)
        return db.settings


def save(db: Database, settings: Settings) -> None:
    """Validate and save the values that differ from the settings last read, key by key, so
    another process's change to another setting is kept; then read them all back. Raises
    StoreError with the first problem."""
    problems = settings.validate()
    if problems:
        raise StoreError(problems[0])
    old = db.settings.to_json()
    changed = {k: v for k, v in settings.to_json().items() if old.get(k) != v}
    if not changed:
        return

    # every card is derived with the retention it now has
    put_values(db, changed, recompute="desired_retention" in changed)


def put_values(db: Database, values: dict[str, Any], *, recompute: bool) -> None:
    """Write settings ``values`` (each with a fresh stamp) in one transaction, with every card
    derived again when ``recompute`` (a change to what the scheduler uses); then read the
    settings back. The pending journal replays the same write if the file is not taking them."""

    def write(conn: sqlite3.Connection) -> dict[str, str]:
        stamps = new_stamps(db, conn, sorted(values))
        ops.put_settings(conn, values, stamps)
        if recompute:
            ops.recompute(conn, ops.scheduler_in(conn))
        return stamps

    db.write(
        write,
        lambda stamps: {"op": "settings", "values": values, "stamps": stamps,
                        "recompute": recompute},
    )  # fmt: skip
    db.reload_settings()
