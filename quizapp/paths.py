"""Where quizapp finds its decks and keeps a learner's data.

Content (the shipped YAML decks), in order of precedence:

1. ``$QUIZAPP_CONTENT`` when set;
2. ``quizapp/content`` inside an installed wheel (hatchling force-includes it);
3. ``content/`` at the top of a checkout or an editable install.

User data lives in the platformdirs user data folder, or in ``$QUIZAPP_HOME`` when set
(tests always set it to a temporary folder).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

APP_NAME = "quizapp"
_PACKAGE_DIR = Path(__file__).resolve().parent


class ContentNotFoundError(RuntimeError):
    """No deck folder could be found; the message says where we looked."""


def content_dir() -> Path:
    """Return the folder holding the shipped decks."""
    override = os.environ.get("QUIZAPP_CONTENT")
    if override:
        path = Path(override).expanduser()
        if not path.is_dir():
            raise ContentNotFoundError(
                f"QUIZAPP_CONTENT={override}: no such folder; point it at a folder of YAML decks "
                "or unset it"
            )
        return path
    for candidate in (_PACKAGE_DIR / "content", _PACKAGE_DIR.parent / "content"):
        if candidate.is_dir():
            return candidate
    raise ContentNotFoundError(
        f"no content folder next to {_PACKAGE_DIR}; reinstall quizapp or set QUIZAPP_CONTENT"
    )


def data_dir() -> Path:
    """Return the learner's data folder (not created here)."""
    override = os.environ.get("QUIZAPP_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def user_decks_dir() -> Path:
    """Extra decks a learner adds load from here, beside the shipped ones."""
    return data_dir() / "decks"


def db_path() -> Path:
    """The SQLite progress file."""
    return data_dir() / "progress.db"


def backups_dir() -> Path:
    return data_dir() / "backups"


_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a file that is not a regular one is, for a message: "a FIFO (named pipe)"."""
    return next((text for test, text in _KINDS if test(mode)), "not a regular file")


def regular_file(path: Path) -> str | None:
    """None when ``path`` is a regular file (links followed), else what it is instead ("no such
    file", "a character device"...), found with a stat: nothing is opened, so a FIFO never
    waits for a writer."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    return None if stat.S_ISREG(mode) else f"is {kind_of(mode)}"


def write_whole(
    target: Path,
    chunks: Iterable[str | bytes | memoryview],
    mode: int = 0o666,
    *,
    digest: bool = False,
    head_hashed: Any = None,
) -> str | None:
    """Write ``target`` whole or not at all (text chunks as UTF-8, bytes as they are): a new
    file beside it, with a name no one can guess, made with O_EXCL and never through a link
    planted there, fsynced, then renamed over ``target``; a full disk or a kill leaves what was
    there as it was. Returns the SHA-256 of the bytes written when ``digest`` (else None);
    ``head_hashed``, a ``hashlib.sha256`` of the first chunk's bytes, saves hashing them again.
    Raises OSError."""
    tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
    hashed = (head_hashed or hashlib.sha256()) if digest else None
    try:
        with os.fdopen(fd, "wb") as fh:
            for n, chunk in enumerate(chunks):
                raw = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
                if hashed is not None and not (n == 0 and head_hashed is not None):
                    hashed.update(raw)
                fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return None if hashed is None else hashed.hexdigest()
