"""The learner's progress in one SQLite file, ``<data dir>/progress.db``.

What it holds: each item's FSRS scheduling state (``cards``), every review ever made
(``reviews``: item id, rating, when, how long, the answer typed, the verdict, the drill seed),
quiz sessions and their answers, revision-checklist ticks and the settings.

How it keeps them safe:

* WAL journal with ``synchronous=FULL`` and one short ``BEGIN IMMEDIATE`` transaction per user
  action, so a review is either fully on disk (review row and new card state together) or absent,
  whatever happens to the process.
* ``PRAGMA quick_check`` on every open. The schema version lives in ``PRAGMA user_version``;
  migrations run in one transaction, after a backup.
* Backups with SQLite's backup API in ``<data dir>/backups/``: after a session with changes (and
  during one, at most every 30 minutes), before every migration and restore, and on demand;
  rotated to the newest 10 plus the newest of each day for 30 days (pre-migration backups are kept).

What ``Store.open`` does with a bad file (it never raises; each case adds one line to ``notices``):

* damaged (not a database, truncated, fails quick_check, or user_version 0 with foreign tables):
  the file is moved aside with its -wal/-shm as ``progress.db.damaged-<time>`` (never deleted) and
  the newest backup that passes quick_check is restored; with no good backup, progress starts empty;
* written by a newer quizapp (user_version above ``SCHEMA_VERSION``): left untouched; its data is
  copied into memory when its tables have every column this version reads, else progress starts
  empty; either way ``read_only`` is True;
* locked by another program for longer than the busy timeout, a data folder or file that cannot
  be written, or a disk that fills up mid-session: the store carries on in memory
  (``read_only`` True), so the learner can still study; nothing after that point is saved.

Two quizapps may run at once: WAL lets both read and write, and each write waits at most the busy
timeout for the other; a write that still cannot get the lock raises ``StoreError`` (try again).

Where it lives (import everything from ``quizapp.store``; the modules are its internals):

* ``values.py``: the values handed out (CardState, Review, ReviewTotal, QuizSession, Backup),
  StoreError and the UTC time helpers;
* ``connection.py``: connecting, and one-line reasons for failures;
* ``schema.py``: the SQL schema of each version, telling which one a file holds without
  changing it, rows <-> values, the migrations;
* ``backups.py``: taking, checking, listing and rotating backups;
* ``recovery.py``: what ``Store.open`` does with a new, old, damaged, newer, locked or
  unwritable file;
* ``core.py``: the ``Store`` class.
"""

from quizapp.clock import local_day_start  # moved to quizapp.clock; kept for old imports
from quizapp.settings import Settings
from quizapp.store.backups import BACKUP_EVERY, KEEP_DAILY_BACKUPS_DAYS, KEEP_RECENT_BACKUPS
from quizapp.store.connection import BUSY_TIMEOUT
from quizapp.store.core import Store
from quizapp.store.schema import SCHEMA_VERSION
from quizapp.store.values import (
    EXIT_CODES,
    Backup,
    CardState,
    QuizSession,
    Review,
    ReviewTotal,
    StoreError,
)

__all__ = [
    "BACKUP_EVERY",
    "BUSY_TIMEOUT",
    "EXIT_CODES",
    "KEEP_DAILY_BACKUPS_DAYS",
    "KEEP_RECENT_BACKUPS",
    "SCHEMA_VERSION",
    "Backup",
    "CardState",
    "QuizSession",
    "Review",
    "ReviewTotal",
    "Settings",
    "Store",
    "StoreError",
    "local_day_start",
]
