"""The learner's progress in one SQLite file, ``<data dir>/progress.db``: this package holds all
of it (the ``Store`` and its public values); the rest of quizapp imports from here. May import:
the core's clock, paths and settings modules only.

What it holds: each item's FSRS scheduling state (``cards``), every review ever made
(``reviews``: a stable uuid, item id, rating, when, how long, the answer typed, the verdict, the
drill seed), quiz sessions and their answers, revision-checklist ticks and the settings.

How it keeps them safe:

* WAL journal with ``synchronous=FULL`` and one short ``BEGIN IMMEDIATE`` transaction per user
  action, so a review is either fully on disk (review row and new card state together) or absent.
* Failures are classified once (connection.py: damage, full, read-only, busy, I/O). Only real
  damage (SQLITE_CORRUPT, SQLITE_NOTADB, a failed check) moves a file aside (never deleted; the
  newest good backup is restored). Anything else at start-up opens a read-only copy and says so.
* In the app, a write the file refuses moves the store to memory (the learner keeps studying and
  sees every rating), keeps the action in the pending journal (memory, plus the sidecar
  ``progress.db.pending`` when it can be written) and writes it all when saving works again or
  at the next start; ``on_notice`` tells the app at once. In a command (``strict``) the write
  raises ``StoreError`` whose ``kind`` gives the exit code.
* ``PRAGMA quick_check`` on open for commands; the app runs it after its first frame
  (``verify``). The schema version is ``PRAGMA user_version``; migrations run in one transaction,
  after a backup.
* Reviews have a uuid and AUTOINCREMENT ids (a restore keeps the high-water mark): an id is never
  handed out twice, and undo removes only a review this session recorded (by uuid).
* Settings are saved per changed key, so two processes never undo each other's change.
* Backups (``VACUUM INTO``) in ``<data dir>/backups/``, named by time and reason (names never
  change); retention in backups.py; ``restore`` never deletes its source, keeps a pre-restore
  backup and refuses while the app holds ``progress.db.lock``.

Where it lives (import from ``quizapp.store``): ``Store`` (core.py) has one ``Database``
(database.py: the connection, the lock, one transaction per action, the pending journal) and
hands each call to the module of its concept, plain functions over that database: reviews.py,
cards.py, flags.py (the browser's suspend/bury/reset), ticks.py (the checklist), quiz_sessions.py,
cram_reviews.py, fsrs_fit.py, settings_io.py, progress_export.py, replica.py (what a merge of
another machine's progress reads and writes; interop decides, it holds the SQL), backups.py
(files and the database's backup/restore) and saving.py (not saving, retrying, the file deleted
or replaced).
Below them: values.py (the values, StoreError, exit codes, stored times), connection.py
(connecting, classifying failures), schema.py (tables, migrations), recovery.py (opening whatever
state the file is in), ops.py (the SQL of each write, shared with the journal's replay),
pending.py (the pending journal), srs.py (the one scheduler), hlc.py and identity.py.
"""

from typing import TYPE_CHECKING, Any

from quizapp.clock import local_day_start  # moved to quizapp.clock; kept for old imports
from quizapp.settings import Settings
from quizapp.store.backups import BACKUP_EVERY, KEEP_DAILY_BACKUPS_DAYS, KEEP_RECENT_BACKUPS
from quizapp.store.connection import BUSY_TIMEOUT, classify, explain
from quizapp.store.core import Store
from quizapp.store.database import Database
from quizapp.store.schema import FORMAT_VERSION, SCHEMA_VERSION
from quizapp.store.values import (
    EXIT_CODES,
    Backup,
    CardState,
    QuizSession,
    Review,
    ReviewTotal,
    StoreError,
    as_utc,
    parse_time,
    time_text,
)

if TYPE_CHECKING:
    from quizapp.store.cram_reviews import CramReview
    from quizapp.store.flags import CardFlags, ItemSummary, ResetUndo
    from quizapp.store.progress_export import RawJsonList

# Values of modules that opening the file does not need: imported on first use (start-up time).
_LAZY = {
    "CramReview": "quizapp.store.cram_reviews",
    "CardFlags": "quizapp.store.flags",
    "ItemSummary": "quizapp.store.flags",
    "ResetUndo": "quizapp.store.flags",
    "RawJsonList": "quizapp.store.progress_export",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "BACKUP_EVERY",
    "BUSY_TIMEOUT",
    "EXIT_CODES",
    "FORMAT_VERSION",
    "KEEP_DAILY_BACKUPS_DAYS",
    "KEEP_RECENT_BACKUPS",
    "SCHEMA_VERSION",
    "Backup",
    "CardFlags",
    "CardState",
    "CramReview",
    "Database",
    "ItemSummary",
    "QuizSession",
    "RawJsonList",
    "ResetUndo",
    "Review",
    "ReviewTotal",
    "Settings",
    "Store",
    "StoreError",
    "as_utc",
    "classify",
    "explain",
    "local_day_start",
    "parse_time",
    "time_text",
]
