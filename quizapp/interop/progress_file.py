"""Reading an ``export --json`` file (another machine's progress, an old export, a sync folder's
file) safely, and checking every field before anything is merged.

* Only a regular file is read: a FIFO, a device, a folder or a link to one is refused before a
  single byte is read (opened with O_NONBLOCK, then ``fstat``), and so is a file over
  ``MAX_BYTES``.
* UTF-8, with or without a byte-order mark; JSON nested deeper than any export is refused.
* Every field is checked (type, range, choice, time); the first bad one is named with its
  position (``reviews[12].rating``). A uuid given twice is refused.
* Card states in the file are never read: every machine derives them from the merged log.

What travels (see ``quizapp.interop.merge``): the review log and the cram log (grow-only sets
keyed by uuid) and the registers (settings, fitted parameters, checklist ticks; last writer wins
per key by its hybrid-logical-clock stamp). Files from before registers (schema < 5) still
import: their settings (those not at the default) and ticks count as registers with the oldest
stamp, so any change stamped anywhere wins over them.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsrs

from quizapp.paths import kind_of
from quizapp.settings import Settings, parse_stored_settings
from quizapp.store import FORMAT_VERSION, RawJsonList, hlc
from quizapp.store.srs import FIT_KEY, fitted_parameters
from quizapp.store.values import time_text as _ts

FORMAT = "quizapp-progress"
# A card id as the decks allow it (lower-case letters, digits, dashes), for the flags' keys.
ITEM_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")
MAX_BYTES = 256 * 1024 * 1024
RATINGS = {r.name.lower(): r for r in fsrs.Rating}
_UUID = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
_ITEM = re.compile(r"[^\x00-\x1f\x7f]{1,200}")
_MAX_TEXT = 100_000
_MAX_DURATION = 7 * 24 * 3600 * 1000
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_NAMESPACE = uuidlib.UUID("5d6f0e62-5a55-4a3e-9b1c-7a1f0c2b9e11")


class MergeError(ValueError):
    """The file cannot be merged; ``message`` is one line naming the file and the problem.
    ``foreign``: the file is valid JSON but not quizapp's at all (a sync folder says so in its
    own words)."""

    def __init__(self, message: str, *, foreign: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.foreign = foreign


class FileReview:
    """One review as it travels. ``uuid`` identifies it everywhere (a file from before uuids
    gets one derived from its item, time and rating, the same on every machine). A plain class
    with slots, not a dataclass: a file holds 100k of them, and a frozen dataclass takes five
    times as long to make. Treat it as immutable."""

    __slots__ = ("answer", "at", "duration_ms", "item_id", "kind", "rating", "reviewed_at",
                 "seed", "uuid", "verdict")  # fmt: skip

    def __init__(
        self,
        uuid: str,
        item_id: str,
        kind: str | None,
        rating: fsrs.Rating,
        reviewed_at: datetime,
        duration_ms: int | None = None,
        answer: str | None = None,
        verdict: str | None = None,
        seed: int | None = None,
        at: str = "",
    ) -> None:
        self.uuid, self.item_id, self.kind, self.rating = uuid, item_id, kind, rating
        self.reviewed_at, self.duration_ms, self.answer = reviewed_at, duration_ms, answer
        self.verdict, self.seed = verdict, seed
        # ``reviewed_at`` as the store keeps it (UTC, microseconds): made from it when not given
        self.at = at or _ts(reviewed_at)

    def _fields(self) -> tuple[Any, ...]:
        return (self.uuid, self.item_id, self.kind, self.rating, self.reviewed_at,
                self.duration_ms, self.answer, self.verdict, self.seed)  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FileReview):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"FileReview{self._fields()!r}"

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.item_id, self.at, int(self.rating))


@dataclass(frozen=True)
class FileCram:
    uuid: str
    item_id: str
    rating: fsrs.Rating
    reviewed_at: datetime
    duration_ms: int | None = None


@dataclass(frozen=True)
class Register:
    """A replicated value: ``setting:<name>`` (JSON value; for ``setting:fsrs_fit`` None means
    no fit) or ``tick:<number>`` (the tick time as ISO text, None: unticked)."""

    key: str
    value: Any
    stamp: str


@dataclass
class ProgressFile:
    path: Path
    machine: str | None
    reviews: list[FileReview] = field(default_factory=list)
    cram: list[FileCram] = field(default_factory=list)
    registers: dict[str, Register] = field(default_factory=dict)
    already: int = 0  # reviews skipped because the store has them already (see ``known``)


def review_key(item_id: str, reviewed_at: datetime, rating: int) -> tuple[str, str, int]:
    """(item, time to the microsecond, rating): a second identity of a review, for logs from
    before uuids."""
    return (item_id, reviewed_at.astimezone(UTC).isoformat(timespec="microseconds"), rating)


def legacy_uuid(key: tuple[str, str, int]) -> str:
    """The uuid a review without one gets: the same on every machine."""
    return str(uuidlib.uuid5(_NAMESPACE, "\x1f".join(map(str, key))))


# --------------------------------------------------------------------------- reading the bytes


def open_regular(path: Path, what: str, *, follow_links: bool = True) -> int:
    """A file descriptor of ``path`` opened for reading when it is a regular file; anything else
    (a FIFO, a device, a folder, a socket) is refused before a byte is read, without waiting
    for a FIFO's writer (MergeError; ``what``: what the file should be, "an export file")."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_links:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise MergeError(f"{path}: no such file") from None
    except OSError as exc:
        if not follow_links and path.is_symlink():
            raise MergeError(f"{path}: a link, not a file; links are not followed here") from None
        raise MergeError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise MergeError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise MergeError(f"{path}: is {kind_of(mode)}, not {what}; nothing was read")
    return fd


def read_bytes(path: Path, *, follow_links: bool = True, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file; anything else is refused before reading (MergeError)."""
    fd = open_regular(path, "an export file", follow_links=follow_links)
    try:
        info = os.fstat(fd)
        if info.st_size > limit:
            raise MergeError(
                f"{path}: {info.st_size / 1e6:.0f} MB, more than the {limit / 1e6:.0f} MB an "
                "export file can be; is it really a quizapp export?"
            )
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise MergeError(f"{path}: more than the {limit / 1e6:.0f} MB an export can be")
        return b"".join(chunks)
    except OSError as exc:
        raise MergeError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    finally:
        os.close(fd)


def not_quizapp(
    path: Path, what: str = "export", hint: str = "make one with 'quizapp export'"
) -> str:
    """The message for a JSON file that is not quizapp's (no "format" of ours): what it is not
    and what to do."""
    return f'{path}: not a quizapp {what} (no "format": "{FORMAT}"); {hint}'


def parse_json(path: Path, raw: bytes) -> dict[str, Any]:
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MergeError(f"{path}: not a quizapp export (not UTF-8 text)") from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise MergeError(f"{path}: not a quizapp export: JSON nested too deeply") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise MergeError(f"{path}: not a quizapp export: not valid JSON{where}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise MergeError(not_quizapp(path), foreign=True)
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise MergeError(f"{path}: schema_version: {version!r} is not a format version (1, 2, ...)")
    if version > FORMAT_VERSION:
        raise MergeError(
            f"{path}: written by a newer quizapp (progress format {version}, this one reads up "
            f"to {FORMAT_VERSION}); update quizapp to import it"
        )
    return data


# Half of a UTF-16 surrogate pair: a \udXXX escape alone is valid JSON but no character, and a
# text holding one could neither be saved nor printed.
_SURROGATE = re.compile("[\ud800-\udfff]")
_HALF_PAIR = (
    "a text holds half of a UTF-16 surrogate pair (\\ud800-\\udfff alone); fix or remove it"
)


def _no_character(text: str) -> bool:
    """Whether ``text`` holds a lone surrogate (an ASCII text never does: the quick test)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


# --------------------------------------------------------------------------- field checks


class _Fields:
    """Checks for one file: each raises MergeError naming the file and the field's position."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, at: str, problem: str) -> MergeError:
        return MergeError(f"{self.path}: {at}: {problem}")

    def time(self, value: Any, at: str) -> datetime:
        if not isinstance(value, str) or len(value) > 40:
            raise self.fail(at, f"expected a date and time, got {_short(value)}")
        try:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=UTC)
            elif parsed.utcoffset():
                parsed = parsed.astimezone(UTC)
        except (ValueError, OverflowError):
            raise self.fail(at, f"{_short(value)} is not a date and time") from None
        if not _EARLIEST <= parsed < _LATEST:
            raise self.fail(at, f"{value} is outside 2000-2199")
        return parsed

    def stored_time(self, value: Any, at: str) -> tuple[datetime, str]:
        """A time and its stored text (UTC, microseconds); the text as it is when it already
        is in that form (every export's reviews are), which saves formatting 100k times."""
        parsed = self.time(value, at)
        canonical = len(value) == 32 and value[19] == "." and value.endswith("+00:00")
        return parsed, value if canonical else _ts(parsed)

    def text(self, value: Any, at: str, *, optional: bool = True, limit: int = _MAX_TEXT) -> Any:
        if value is None and optional:
            return None
        if not isinstance(value, str) or len(value) > limit:
            raise self.fail(
                at, f"expected a text of at most {limit} characters, got {_short(value)}"
            )
        if _no_character(value):
            raise self.fail(at, _HALF_PAIR)
        return value

    def integer(self, value: Any, at: str, low: int, high: int) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(at, f"{_short(value)} is not a whole number from {low} to {high}")
        return value

    def item(self, value: Any, at: str) -> str:
        if not isinstance(value, str) or not _ITEM.fullmatch(value) or not value.strip():
            raise self.fail(at, f"{_short(value)} is not an item id")
        if _no_character(value):
            raise self.fail(at, _HALF_PAIR)
        return value

    def rating(self, value: Any, at: str) -> fsrs.Rating:
        if not isinstance(value, str) or value not in RATINGS:
            raise self.fail(at, f"{_short(value)} is not one of {', '.join(RATINGS)}")
        return RATINGS[value]

    def uuid(self, value: Any, at: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or not _UUID.fullmatch(value):
            raise self.fail(at, f"{_short(value)} is not a uuid")
        return value

    def objects(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, "expected a list")
        for i, entry in enumerate(value):
            if not isinstance(entry, dict):
                raise self.fail(f"{key}[{i}]", "expected an object")
        return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


_RATING_NUMBERS = {name: int(r) for name, r in RATINGS.items()}


def _plain_uuid(text: str) -> bool:
    """``_UUID.fullmatch(text)`` for a str, with string methods (three times as fast): ASCII
    letters, digits and dashes, 1 to 64 of them, not starting with a dash."""
    return (
        0 < len(text) <= 64
        and text.isascii()
        and text[0] != "-"
        and text.replace("-", "").isalnum()
    )


def _reviews(
    check: _Fields, data: dict[str, Any], known: dict[str, tuple[str, str, int]] | None = None
) -> tuple[list[FileReview], int]:
    """The file's reviews, checked, and how many were skipped as already known: a review whose
    uuid ``known`` maps to exactly its item, stored time text and rating is the store's own
    (nothing of it would be used), so its other fields are not read."""
    out: list[FileReview] = []
    where: dict[str, int] = {}
    item_ok = _ITEM.fullmatch
    uuid_ok = _UUID.fullmatch
    items_ok: set[str] = set()
    known = known or {}
    numbers = _RATING_NUMBERS
    skipped = 0
    parse = datetime.fromisoformat
    for i, r in enumerate(check.objects(data, "reviews")):
        uid = r.get("uuid")
        raw_rating = r.get("rating")
        if type(raw_rating) is not str:  # (a list or an object cannot even be looked up)
            raw_rating = None
        if type(uid) is str and uid in known:
            if uid in where:
                raise check.fail(
                    f"reviews[{i}].uuid", f"{uid} is also reviews[{where[uid]}]'s uuid"
                )
            where[uid] = i
            mine = known[uid]
            if (r.get("item_id"), r.get("reviewed_at"), numbers.get(raw_rating)) == mine:  # type: ignore[arg-type]
                skipped += 1
                continue
        item_id = r.get("item_id")
        # Each item id is checked once (a file has 100k reviews of a few thousand items).
        if type(item_id) is not str or item_id not in items_ok:
            if (
                not isinstance(item_id, str)
                or not item_ok(item_id)
                or not item_id.strip()
                or _no_character(item_id)
            ):
                check.item(item_id, f"reviews[{i}].item_id")
            items_ok.add(item_id)  # type: ignore[arg-type]
        rating = RATINGS.get(raw_rating)  # type: ignore[arg-type]
        if rating is None:
            check.rating(r.get("rating"), f"reviews[{i}].rating")
        text: Any = r.get("reviewed_at")
        try:  # every export's times are canonical (UTC, microseconds): one parse, no format
            when = (
                parse(text)
                if type(text) is str and len(text) == 32 and text[19] == "."
                and text[26:] == "+00:00" and "2000" <= text < "2200"
                else None
            )  # fmt: skip
        except ValueError:
            when = None
        if when is None:  # anything else, and every error message, as check.time says it
            when, text = check.stored_time(text, f"reviews[{i}].reviewed_at")
        if uid is None:
            uid = legacy_uuid((item_id, text, int(rating)))  # type: ignore[arg-type]
        elif not (type(uid) is str and _plain_uuid(uid)) and not (
            isinstance(uid, str) and uuid_ok(uid)
        ):
            check.uuid(uid, f"reviews[{i}].uuid")
        if where.get(uid, i) != i:
            raise check.fail(f"reviews[{i}].uuid", f"{uid} is also reviews[{where[uid]}]'s uuid")
        where[uid] = i
        kind, duration, answer, verdict, seed = (
            r.get("kind"), r.get("duration_ms"), r.get("answer"), r.get("verdict"), r.get("seed"),
        )  # fmt: skip
        if kind is not None and (type(kind) is not str or len(kind) > 100 or not kind.isascii()):
            check.text(kind, f"reviews[{i}].kind", limit=100)
        if duration is not None and (
            type(duration) is not int or not 0 <= duration <= _MAX_DURATION
        ):
            check.integer(duration, f"reviews[{i}].duration_ms", 0, _MAX_DURATION)
        if answer is not None:
            check.text(answer, f"reviews[{i}].answer")
        if verdict is not None:
            check.text(verdict, f"reviews[{i}].verdict")
        if seed is not None:
            check.integer(seed, f"reviews[{i}].seed", -(2**63), 2**63 - 1)
        out.append(
            FileReview(uid, item_id, kind, rating, when, duration, answer, verdict, seed, text)  # type: ignore[arg-type]
        )
    return out, skipped


def _cram(check: _Fields, data: dict[str, Any]) -> list[FileCram]:
    out: list[FileCram] = []
    where: dict[str, int] = {}
    for i, r in enumerate(check.objects(data, "cram_reviews")):
        at = f"cram_reviews[{i}]"
        uid = check.uuid(r.get("uuid"), f"{at}.uuid")
        if uid is None:
            raise check.fail(f"{at}.uuid", "missing")
        if uid in where:
            raise check.fail(f"{at}.uuid", f"{uid} is also cram_reviews[{where[uid]}]'s uuid")
        where[uid] = i
        out.append(
            FileCram(
                uuid=uid,
                item_id=check.item(r.get("item_id"), f"{at}.item_id"),
                rating=check.rating(r.get("rating"), f"{at}.rating"),
                reviewed_at=check.time(r.get("reviewed_at"), f"{at}.reviewed_at"),
                duration_ms=check.integer(
                    r.get("duration_ms"), f"{at}.duration_ms", 0, _MAX_DURATION
                ),
            )
        )
    return out


_SETTING_NAMES = {f.name for f in fields(Settings)}


# A tick's register key as every machine writes it: ``tick:3``, never ``tick:03`` or another
# script's digits (two spellings of one item would be two registers, and never converge).
_TICK_NUMBER = re.compile(r"[1-9][0-9]{0,3}")


def register_value(check: _Fields, key: str, value: Any, at: str, key_at: str | None = None) -> Any:
    """``value`` checked for register ``key`` (raises MergeError naming ``at``, or ``key_at``
    for a key that is no register)."""
    if isinstance(value, str) and _no_character(value):
        raise check.fail(at, _HALF_PAIR)
    kind, _, name = key.partition(":")
    if kind == "tick" and _TICK_NUMBER.fullmatch(name) and int(name) <= 1000:
        return None if value is None else _ts(check.time(value, at))
    if kind == "setting" and name == FIT_KEY:
        if value is not None and (not isinstance(value, dict) or fitted_parameters(value) is None):
            raise check.fail(at, "not a usable FSRS fit")
        return value
    if kind == "setting" and name in _SETTING_NAMES:
        if parse_stored_settings({name: value})[1]:
            raise check.fail(at, f"{_short(value)} is not a valid {name}")
        return value
    if kind in ("suspend", "bury", "reset") and ITEM_ID.fullmatch(name):
        if value is None:
            return None
        if kind == "suspend":
            if value is not True:
                raise check.fail(at, f"{_short(value)} is not true or null")
            return True
        return _ts(check.time(value, at))
    raise check.fail(
        key_at or at, f"{_short(key)} is not a setting, a checklist tick or a card flag"
    )


def _registers(check: _Fields, data: dict[str, Any]) -> dict[str, Register]:
    out: dict[str, Register] = {}
    for i, r in enumerate(check.objects(data, "registers")):
        at = f"registers[{i}]"
        key = r.get("key")
        if not isinstance(key, str) or key in out:
            raise check.fail(f"{at}.key", f"{_short(key)} is not a new register key")
        stamp = r.get("stamp")
        if not isinstance(stamp, str) or not hlc.valid(stamp):
            raise check.fail(f"{at}.stamp", f"{_short(stamp)} is not a stamp")
        value = register_value(check, key, r.get("value"), f"{at}.value", f"{at}.key")
        out[key] = Register(key, value, stamp)
    return out


def _legacy_registers(check: _Fields, data: dict[str, Any]) -> dict[str, Register]:
    """Settings (those not at their default) and ticks of a file from before registers."""
    out: dict[str, Register] = {}
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise check.fail("settings", "expected an object")
    defaults = Settings().to_json()
    for name, value in settings.items():
        if name in _SETTING_NAMES and value != defaults.get(name):
            key = f"setting:{name}"
            out[key] = Register(
                key, register_value(check, key, value, f"settings.{name}"), hlc.ZERO
            )
    if FIT_KEY in settings and settings[FIT_KEY] is not None:
        key = f"setting:{FIT_KEY}"
        out[key] = Register(
            key, register_value(check, key, settings[FIT_KEY], f"settings.{FIT_KEY}"), hlc.ZERO
        )
    for i, t in enumerate(check.objects(data, "checklist_ticks")):
        at = f"checklist_ticks[{i}]"
        number = check.integer(t.get("number"), f"{at}.number", 1, 1000)
        if number is None:
            raise check.fail(f"{at}.number", "missing")
        key = f"tick:{number}"
        out[key] = Register(key, _ts(check.time(t.get("ticked_at"), f"{at}.ticked_at")), hlc.ZERO)
    return out


def _machine_and_registers(
    check: _Fields, data: dict[str, Any]
) -> tuple[str | None, dict[str, Register]]:
    """The file's machine id and registers, checked (what ``check_progress`` checks before the
    reviews)."""
    machine = data.get("machine")
    if machine is not None and (
        not isinstance(machine, str) or not re.fullmatch(r"[A-Za-z0-9._-]{1,81}", machine)
    ):
        raise check.fail("machine", f"{_short(machine)} is not a machine id")
    registers = _legacy_registers(check, data)  # checked even when registers say it all
    if "registers" in data:
        registers = _registers(check, data)
    return machine, registers


def check_progress(
    path: Path, data: dict[str, Any], known: dict[str, tuple[str, str, int]] | None = None
) -> ProgressFile:
    """The checked content of a parsed export (MergeError on the first bad field); reviews
    ``known`` already (uuid -> item, stored time, rating) are counted, not returned."""
    check = _Fields(path)
    machine, registers = _machine_and_registers(check, data)
    reviews, already = _reviews(check, data, known)
    return ProgressFile(
        path=path,
        machine=machine,
        reviews=reviews,
        cram=_cram(check, data),
        registers=registers,
        already=already,
    )


# How a sync file begins (quizapp.interop.sync): its reviews first, one a line.
REVIEWS_HEAD = b'{\n  "reviews": ['


def json_chunks(data: dict[str, Any]) -> Iterator[str]:
    """``data`` as indented JSON, except that each element of a top-level list is one compact
    line: the same JSON value, readable and diffable, and written by the C encoder (indent
    makes json fall back to pure Python, 4x slower for 100k reviews)."""
    yield "{\n"
    yield from json_members(data)
    yield "}\n"


def _compact(value: Any) -> str:
    """One element of a top-level list as compact JSON, by msgspec (24k card states: 0.03 s,
    against 0.2 s by ``json``; the same numbers, floats in their shortest exact form); by
    ``json`` anything msgspec does not encode (an integer beyond 64 bits)."""
    import msgspec

    try:
        return msgspec.json.encode(value).decode()
    except (TypeError, ValueError, OverflowError, msgspec.EncodeError):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_members(data: dict[str, Any]) -> Iterator[str]:
    """The members of ``data`` as ``json_chunks`` writes them, without the braces around."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    items = list(data.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if isinstance(value, list) and value:
            yield f"  {dumps(key)}: [\n"
            # Already encoded (the reviews, by SQLite) or encoded here: one element a line.
            texts = value if isinstance(value, RawJsonList) else map(_compact, value)
            yield "    " + ",\n    ".join(texts) + "\n"
            yield f"  ]{comma}\n"
        else:
            yield f"  {dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}\n"
