"""The learner's settings in the store, and the FSRS scheduler they make. A mixin of ``Store``
(it needs ``_conn``, ``_lock``, ``_write`` and ``_notice`` from it).

Settings are kept in memory and read again when another process (the CLI, a second window, a
sync) has committed since (SQLite's ``PRAGMA data_version``); a save writes only the keys that
changed, so two processes changing different settings keep both."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import fsrs

from quizapp.settings import Settings, parse_stored_settings
from quizapp.store import hlc, ops, srs
from quizapp.store.identity import machine_id
from quizapp.store.srs import FIT_KEY, fitted_parameters
from quizapp.store.values import StoreError

T = TypeVar("T")


class _SettingsIO:
    _conn: sqlite3.Connection
    _lock: threading.RLock
    _settings: Settings
    _settings_seen: int
    _scheduler: fsrs.Scheduler
    path: Path
    _notice: Callable[[str], None]
    # The wall clock the register stamps read (tests give a machine a skewed clock).
    clock: Callable[[], datetime] | None = None
    _machine: str | None = None

    @property
    def machine(self) -> str:
        """This data folder's machine id (quizapp.store.identity): what stamps its changes."""
        if self._machine is None:
            self._machine = machine_id(self.path.parent, self._notice)
        return self._machine

    def now(self) -> datetime:
        """This machine's clock (``clock`` when set)."""
        return (self.clock() if self.clock else datetime.now(UTC)).astimezone(UTC)

    def _new_stamps(self, conn: sqlite3.Connection, keys: list[str]) -> dict[str, str]:
        """One new register stamp per key, each later than the one before."""
        out: dict[str, str] = {}
        now, machine = self.now(), self.machine
        last = conn.execute("SELECT max(stamp) FROM registers").fetchone()[0]
        for key in keys:
            last = out[key] = hlc.next_stamp(last, now, machine)
        return out

    @property
    def unsaved(self) -> int:  # pragma: no cover - Store's (from _Saving)
        raise NotImplementedError

    def _write(
        self,
        fn: Callable[[sqlite3.Connection], T],
        journal: Callable[[T], dict[str, Any]] | None = None,
    ) -> T:  # pragma: no cover - Store's
        raise NotImplementedError

    def _load_settings(self) -> Settings:
        try:
            rows = self._conn.execute("SELECT key, value FROM settings").fetchall()
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
            self._notice(
                f"setting {rejected[0]} in {self.path.name} was invalid: using the default "
                "(change it with 'quizapp settings')"
            )
        return settings

    @property
    def settings(self) -> Settings:
        """The settings, read again once another process (the CLI, a second window, a sync)
        has committed since they were read: an interview date set with 'quizapp settings' shows
        in an open app. Not while this store holds unsaved writes of its own."""
        with self._lock:
            try:
                seen = self._conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                return self._settings
            if seen != self._settings_seen and not self.unsaved:
                self._use_settings(self._load_settings())
            return self._settings

    def save_settings(self, settings: Settings) -> None:
        """Validate and save the values that differ from the settings this store last read,
        key by key, so another process's change to another setting is kept; then read them all
        back. Raises StoreError with the first problem."""
        problems = settings.validate()
        if problems:
            raise StoreError(problems[0])
        old = self._settings.to_json()
        changed = {k: v for k, v in settings.to_json().items() if old.get(k) != v}
        if not changed:
            return

        rescheduled = "desired_retention" in changed

        def write(conn: sqlite3.Connection) -> dict[str, str]:
            stamps = self._new_stamps(conn, sorted(changed))
            ops.put_settings(conn, changed, stamps)
            if rescheduled:  # every card is derived with the retention it now has
                ops.recompute(conn, ops.scheduler_in(conn))
            return stamps

        self._write(
            write,
            lambda stamps: {"op": "settings", "values": changed, "stamps": stamps,
                            "recompute": rescheduled},
        )  # fmt: skip
        with self._lock:
            self._use_settings(self._load_settings())

    def _use_settings(self, settings: Settings) -> None:
        self._settings = settings
        self._settings_seen = -1
        with contextlib.suppress(sqlite3.Error):
            self._settings_seen = self._conn.execute("PRAGMA data_version").fetchone()[0]
        # Kept, not built per review: the scheduler depends on the desired retention and on the
        # FSRS parameters fitted to the learner, when there are any.
        params = None
        with contextlib.suppress(sqlite3.Error, ValueError):
            # Straight from the connection: this runs while opening and while falling back.
            row = self._conn.execute(
                "SELECT value FROM settings WHERE key = ?", (FIT_KEY,)
            ).fetchone()
            params = fitted_parameters(json.loads(row[0])) if row else None
        self._scheduler = srs.make_scheduler(settings.desired_retention, params)

    @property
    def scheduler(self) -> fsrs.Scheduler:
        """The fsrs scheduler for the current desired retention."""
        return self._scheduler
