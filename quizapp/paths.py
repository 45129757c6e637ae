"""Where quizapp finds its decks and keeps a learner's data.

Content (the shipped YAML decks), in order of precedence:

1. ``$QUIZAPP_CONTENT`` when set;
2. ``quizapp/content`` inside an installed wheel (hatchling force-includes it);
3. ``content/`` at the top of a checkout or an editable install.

User data lives in the platformdirs user data folder, or in ``$QUIZAPP_HOME`` when set
(tests always set it to a temporary folder).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

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
