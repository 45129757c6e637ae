"""``python -m quizapp.store.backup_worker DB BACKUPS REASON TIMEOUT``: take one backup of the
database at DB into the folder BACKUPS (``backups.take_backup``) in a process of its own, and
print one JSON line: ``{"path": ...}``, or ``{"error": ..., "kind": ...}`` (exit 1).

A command merging a large file starts it before reading the file (``backups.EarlyBackup``): the
copy and its check run on another core while the file is parsed and checked. A process, not a
thread: the copy's check reads every row back in Python, and a thread would wait for the
interpreter's lock behind the parse. Its own connection, never one made before a fork."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from quizapp.store.backups import take_backup
    from quizapp.store.connection import connect, file_uri
    from quizapp.store.values import StoreError

    db, folder, reason, timeout = argv
    try:
        conn = connect(file_uri(Path(db), "mode=rw"), float(timeout), uri=True)  # never made
        try:
            target = take_backup(conn, Path(folder), reason)
        finally:
            conn.close()
    except StoreError as exc:
        print(json.dumps({"error": exc.message, "kind": exc.kind}), flush=True)
        return 1
    print(json.dumps({"path": str(target)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
