"""This data folder's machine id, and noticing when the folder was copied.

The id is made once and kept in ``<data dir>/machine-id``: the host name (readable in a shared
folder) and a random part. The file also records the host and its own inode: a copy of the data
folder (a new laptop set up from the old one, a backup restored elsewhere) has a different inode
or host, and two machines must never write under one id (both would write the same
``<id>.json`` in a sync folder, skip it as their own and overwrite each other). Such a copy
gets a new id, and ``machine_id`` says so once."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import stat
import uuid
from collections.abc import Callable
from pathlib import Path

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,80}")


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname()).strip("-")[:40] or "machine"


def _read(path: Path) -> tuple[str, str, bool] | None:
    """(id, the host it recorded ("" when none), whether its recorded inode is its own), or
    None without a usable id (missing, unreadable, not a regular file)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > 4096:
            return None
        lines = os.read(fd, 4096).decode("utf-8", "replace").split()
    finally:
        os.close(fd)
    if not lines or not ID.fullmatch(lines[0]):
        return None
    if len(lines) >= 3 and lines[2].isdigit():
        return lines[0], lines[1], int(lines[2]) == info.st_ino
    return lines[0], "", False


def _write(path: Path, made: str) -> None:
    """Write ``made`` with this host and the file's own inode (kept by the rename)."""
    tmp = path.with_name(f".machine-id.tmp-{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        inode = os.fstat(fd).st_ino
        os.write(fd, f"{made}\n{_host()} {inode}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def new_machine_id(data_dir: Path) -> str:
    """Make, keep and return a new id for ``data_dir``."""
    made = f"{_host()}-{uuid.uuid4().hex[:8]}"
    with contextlib.suppress(OSError):
        data_dir.mkdir(parents=True, exist_ok=True)
        _write(data_dir / "machine-id", made)
    return made


def machine_id(data_dir: Path, notice: Callable[[str], None] | None = None) -> str:
    """This data folder's id (made on first use). A folder copied from another machine or
    restored here gets a new id, and ``notice`` gets one line saying so."""
    path = data_dir / "machine-id"
    found = _read(path)
    if found is None:
        return new_machine_id(data_dir)
    existing, host, same_file = found
    if not host:
        # Written before copies were detected: record this host and inode from now on.
        with contextlib.suppress(OSError):
            _write(path, existing)
        return existing
    if same_file and host == _host():
        return existing
    made = new_machine_id(data_dir)
    if notice is not None:
        notice(
            f"{data_dir} was copied or restored from another machine (it had machine id "
            f"{existing}): this machine is now {made}"
        )
    return made
