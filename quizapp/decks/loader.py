"""Load and validate YAML decks into typed cards.

Every problem becomes a ``ContentError`` that names the file, the line, the card id and the field,
for example ``content/loss/traps.yaml:42: card 'trap-mse-everywhere': missing field 'correct'``.
Loading never raises on bad content: it returns every card that is valid and every error found.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quizapp.decks.models import ID_PATTERN, KINDS, SECTIONS, TAGS, Card, ChecklistItem

YAML_SUFFIXES = (".yaml", ".yml")
COMMON_FIELDS = ("id", "kind", "section", "tags")


@dataclass(frozen=True)
class ContentError:
    file: str
    line: int | None
    message: str
    id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        who = f" card '{self.id}':" if self.id else ""
        what = f" field '{self.field}'" if self.field and self.field not in self.message else ""
        sep = ":" if what else ""
        text = f"{where}:{who}{what}{sep} {self.message}"
        # One line always, whatever the file held.
        return text.replace("\r", "\\r").replace("\n", "\\n")

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "id": self.id,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class Library:
    """All loaded cards, by id, in file order."""

    cards: dict[str, Card] = field(default_factory=dict)
    errors: list[ContentError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[Card]:
        return [c for c in self.cards.values() if c.kind in kinds]

    def with_tag(self, tag: str) -> list[Card]:
        return [c for c in self.cards.values() if tag in c.tags]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KINDS, 0)
        for card in self.cards.values():
            counts[card.kind] = counts.get(card.kind, 0) + 1
        return counts

    @property
    def checklist(self) -> list[ChecklistItem]:
        items = [c for c in self.cards.values() if isinstance(c, ChecklistItem)]
        return sorted(items, key=lambda c: c.number)

    @property
    def tags(self) -> list[str]:
        return sorted({t for c in self.cards.values() for t in c.tags})

    @property
    def decks(self) -> list[str]:
        """The deck names, in the order their first card was loaded."""
        return list(dict.fromkeys(c.deck for c in self.cards.values()))

    def only_deck(self, deck: str | None) -> Library:
        """The cards of one deck (every card when ``deck`` is None), as a library of its own."""
        if deck is None:
            return self
        cards = {k: c for k, c in self.cards.items() if c.deck == deck}
        return Library(cards=cards, errors=self.errors, files=self.files)


# --------------------------------------------------------------------------- YAML with lines


class _Mapping(dict):
    """A dict that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


@functools.cache
def _line_loader() -> type:
    """A safe YAML loader that records lines (built on first use: a warm start from the deck
    cache never imports yaml)."""
    import yaml

    base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def construct_mapping(loader: Any, node: Any) -> _Mapping:
        mapping = _Mapping()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise yaml.MarkedYAMLError(
                    problem=f"key {key!r} must be text", problem_mark=key_node.start_mark
                )
            if key in mapping:
                raise yaml.MarkedYAMLError(
                    problem=f"duplicate key '{key}' (first at line {mapping.key_lines[key]})",
                    problem_mark=key_node.start_mark,
                )
            mapping[key] = loader.construct_object(value_node, deep=True)
            mapping.key_lines[key] = line
        return mapping

    loader = type("LineLoader", (base,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return loader


def _display(path: Path) -> str:
    """A path as the learner would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


def _read_yaml(path: Path, shown: str) -> tuple[Any, list[ContentError]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [ContentError(shown, None, f"cannot read: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            ContentError(shown, line, f"not UTF-8 (byte {exc.start}); save the file as UTF-8")
        ]
    import yaml

    try:
        return yaml.load(text, Loader=_line_loader()), []  # a SafeLoader subclass: no Python tags
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        tag = re.search(r"tag '([^']+)'", problem)
        if tag and "constructor" in problem:
            shown_tag = tag.group(1).replace("tag:yaml.org,2002:", "!!")
            problem = f"the tag {shown_tag} is not allowed in a deck (plain YAML only)"
        elif exc.context and exc.context_mark:
            problem = f"{exc.context} (line {exc.context_mark.line + 1}): {problem}"
        return None, [ContentError(shown, line, f"YAML error: {problem}")]
    except yaml.YAMLError as exc:
        return None, [ContentError(shown, None, f"YAML error: {exc}")]


# --------------------------------------------------------------------------- type checking


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value; put it in quotes for text)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


class _FieldError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _coerce(value: Any, hint: Any, line: int | None) -> Any:
    """Check ``value`` against a type annotation and return it in model form."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if value is None:
            return None
        return _coerce(value, inner[0], line)
    if hint is str:
        if not isinstance(value, str):
            raise _FieldError(f"expected text, got {_describe(value)}", line)
        if not value.strip():
            raise _FieldError("is empty; write the text or remove the field", line)
        return value.strip()
    if hint is bool:
        if not isinstance(value, bool):
            raise _FieldError(f"expected true or false, got {_describe(value)}", line)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _FieldError(f"expected a whole number, got {_describe(value)}", line)
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _FieldError(f"expected a number, got {_describe(value)}", line)
        return float(value)
    if origin is tuple:
        if not isinstance(value, list):
            raise _FieldError(f"expected a list, got {_describe(value)}", line)
        if not value:
            raise _FieldError("is an empty list", line)
        return tuple(
            _coerce(v, args[0], line) for v in value
        )  # list items carry no line of their own
    if origin is dict:
        if not isinstance(value, dict):
            raise _FieldError(f"expected a mapping, got {_describe(value)}", line)
        if not value:
            raise _FieldError("is an empty mapping", line)
        out = {}
        for k, v in value.items():
            key_line = getattr(value, "key_lines", {}).get(k, line)
            out[str(k)] = _coerce(v, args[1], key_line)
        return out
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise _FieldError(f"expected a mapping, got {_describe(value)}", line)
        return _build(hint, value, getattr(value, "line", line))  # type: ignore[arg-type]
    raise TypeError(f"unsupported field type {hint!r}")  # pragma: no cover - a model bug


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """Resolved field annotations of a model (resolving them is slow; models never change)."""
    return typing.get_type_hints(cls)


# Fields the loader fills in itself (not stored in the cache).
_PLACED = ("deck", "source", "line")


def _dump(record: Any) -> dict[str, Any]:
    """A validated model's field values as JSON-able data (tuples become lists)."""

    def plain(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if dataclasses.is_dataclass(value):
            return _dump(value)
        return value

    return {
        f.name: plain(getattr(record, f.name))
        for f in dataclasses.fields(record)
        if f.init and f.name not in _PLACED
    }


@functools.cache
def _revivers(cls: type) -> tuple[tuple[str, Any], ...]:
    """Per field of ``cls``: how to turn cached JSON back into the model's value."""

    def reviver(hint: Any) -> Any:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (types.UnionType, typing.Union):
            inner = reviver(next(a for a in args if a is not type(None)))
            return None if inner is None else (lambda v: None if v is None else inner(v))
        if origin is tuple:
            item = reviver(args[0])
            return (lambda v: tuple(v)) if item is None else (lambda v: tuple(map(item, v)))
        if dataclasses.is_dataclass(hint):
            return lambda v: hint(**_revive(hint, v))
        return None  # str, int, float, bool and dict[str, ...] come back from JSON as they were

    hints = _hints(cls)
    return tuple(
        (f.name, reviver(hints[f.name]))
        for f in dataclasses.fields(cls)
        if f.init and f.name not in _PLACED
    )


def _revive(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``cls`` from ``_dump`` output, without validating again."""
    out = {}
    for name, revive in _revivers(cls):
        if name in data:
            value = data[name]
            out[name] = revive(value) if revive is not None and value is not None else value
    return out


def _build(
    cls: type,
    data: dict[str, Any],
    line: int | None,
    preset: dict[str, Any] | None = None,
    ignore: Sequence[str] = (),
) -> Any:
    """Build ``cls`` from a YAML mapping: ``preset`` fields are given, ``ignore`` keys skipped."""
    preset = preset or {}
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name not in preset}
    key_lines = getattr(data, "key_lines", {})
    unknown = [k for k in data if k not in fields and k not in ignore]
    if unknown:
        key = unknown[0]
        close = _closest(key, fields)
        hint = f" (did you mean '{close}'?)" if close else f"; allowed: {', '.join(fields)}"
        raise _FieldError(f"unknown field '{key}'{hint}", key_lines.get(key, line))
    kwargs = dict(preset)
    for name, f in fields.items():
        if name not in data:
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if required:
                raise _FieldError(f"missing field '{name}'", line)
            continue
        try:
            kwargs[name] = _coerce(data[name], hints[name], key_lines.get(name, line))
        except _FieldError as exc:
            if not exc.message.startswith("field '"):
                exc.message = f"field '{name}': {exc.message}"
            raise
    return cls(**kwargs)


def _closest(word: str, options: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return found[0] if found else None


# --------------------------------------------------------------------------- loading


def deck_files(paths: Iterable[Path]) -> list[tuple[Path, Path]]:
    """Every YAML file under ``paths`` as (file, root) pairs, sorted within each root."""
    found: list[tuple[Path, Path]] = []
    for root in paths:
        if root.is_file():
            found.append((root, root.parent))
        elif root.is_dir():
            found.extend(
                (p, root)
                for p in sorted(root.rglob("*"))
                if p.suffix in YAML_SUFFIXES and p.is_file()
            )
    return found


def _deck_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root)
    return rel.parts[0] if len(rel.parts) > 1 else root.name or path.stem


class Loader:
    """Accumulates cards from many files, then runs the cross-card checks in ``finish``."""

    def __init__(self, cache: DeckCache | None = None) -> None:
        self.library = Library()
        self._where: dict[str, str] = {}
        self.cache = cache

    def add_paths(self, paths: Iterable[Path]) -> None:
        for path, root in deck_files(paths):
            self.add_file(path, _deck_name(path, root))

    def add_missing_path(self, path: Path) -> None:
        self.library.errors.append(
            ContentError(_display(path), None, "no such file or folder; check the path")
        )

    def add_file(self, path: Path, deck: str) -> None:
        shown = _display(path)
        self.library.files.append(shown)
        cached = self.cache.lookup(path) if self.cache else None
        if cached is not None:
            self._replay(cached, shown)
            return
        record: list[dict[str, Any]] = []
        deck = self._parse_file(path, shown, deck, record)
        if self.cache is not None:
            self.cache.store(path, deck, record)

    def _parse_file(self, path: Path, shown: str, deck: str, record: list[dict[str, Any]]) -> str:
        """Read and validate one file; ``record`` receives what a cache needs to replay it."""

        def file_error(error: ContentError) -> None:
            self.library.errors.append(error)
            record.append({"error": _error_fields(error)})

        data, errors = _read_yaml(path, shown)
        for error in errors:
            file_error(error)
        if errors or data is None:
            if data is None and not errors:
                file_error(ContentError(shown, 1, "the file is empty"))
            return deck
        cards = data.get("cards") if isinstance(data, dict) else data
        if isinstance(data, dict):
            extra = [k for k in data if k not in ("cards", "deck")]
            if extra:
                line = data.key_lines.get(extra[0], data.line)
                file_error(
                    ContentError(shown, line, f"unknown top-level key '{extra[0]}'; use 'cards:'")
                )
            if isinstance(data.get("deck"), str):
                deck = data["deck"]
        if not isinstance(cards, list):
            file_error(
                ContentError(
                    shown, getattr(data, "line", 1), "expected a list of cards under 'cards:'"
                )
            )
            return deck
        for raw in cards:
            before = len(self.library.errors)
            card = self._validate_card(raw, shown, deck)
            for error in self.library.errors[before:]:
                record.append({"error": _error_fields(error)})
            if card is not None:
                record.append({"kind": card.kind, "fields": _dump(card), "line": card.line})
                self._admit(card, shown)
        return deck

    def _replay(self, cached: CachedFile, shown: str) -> None:
        """Rebuild a file's cards from the cache: validated before, so no checks run again."""
        for item in cached.items:
            if "error" in item:
                self.library.errors.append(ContentError(file=shown, **item["error"]))
                continue
            values = _revive(KINDS[item["kind"]], item["fields"])
            card = KINDS[item["kind"]](**values, deck=cached.deck, source=shown, line=item["line"])
            self._admit(card, shown)

    def _validate_card(self, raw: Any, shown: str, deck: str) -> Card | None:
        """One card checked on its own (cross-file checks come in ``_admit``/``finish``)."""
        if not isinstance(raw, dict):
            self.library.errors.append(
                ContentError(shown, None, f"each card must be a mapping, got {_describe(raw)}")
            )
            return None
        line = raw.line
        key_lines = raw.key_lines
        card_id = raw.get("id")

        def err(message: str, field_name: str | None = None) -> None:
            at = key_lines.get(field_name, line) if field_name else line
            shown_id = card_id if isinstance(card_id, str) and ID_PATTERN.match(card_id) else None
            self.library.errors.append(ContentError(shown, at, message, shown_id, field_name))

        if "id" not in raw:
            err("missing field 'id'", "id")
            return None
        if not isinstance(card_id, str) or not ID_PATTERN.match(card_id):
            err(
                f"id {card_id!r} must be lower-case letters, digits and dashes (e.g. trap-mse)",
                "id",
            )
            return None
        kind = raw.get("kind")
        if kind not in KINDS:
            close = _closest(str(kind), KINDS)
            hint = f" (did you mean '{close}'?)" if close else f"; known: {', '.join(KINDS)}"
            err(f"unknown kind {kind!r}{hint}" if kind else "missing field 'kind'", "kind")
            return None
        cls = KINDS[kind]
        try:
            section = raw.get("section")
            # Optional: a card of a deck that goes beyond the notes cites no section.
            if "section" in raw and (
                isinstance(section, bool) or not isinstance(section, int) or section not in SECTIONS
            ):
                raise _FieldError(
                    "field 'section': expected a section number 1-22 of the notes, got "
                    f"{_describe(section)}",
                    key_lines.get("section"),
                )
            if "tags" not in raw:
                raise _FieldError("missing field 'tags'", line)
            try:
                tags = _coerce(raw["tags"], tuple[str, ...], key_lines.get("tags"))
            except _FieldError as exc:
                exc.message = f"field 'tags': {exc.message}"
                raise
            for tag in tags:
                if tag not in TAGS:
                    close = _closest(tag, TAGS)
                    hint = (
                        f" (did you mean '{close}'?)"
                        if close
                        else f"; known: {', '.join(sorted(TAGS))}"
                    )
                    raise _FieldError(
                        f"field 'tags': unknown tag '{tag}'{hint}", key_lines.get("tags")
                    )
            preset = {
                "id": card_id,
                "section": section,
                "tags": tags,
                "deck": deck,
                "source": shown,
                "line": line,
            }
            card = _build(cls, raw, line, preset=preset, ignore=COMMON_FIELDS)
        except _FieldError as exc:
            self.library.errors.append(
                ContentError(shown, exc.line or line, exc.message, card_id, _field_of(exc.message))
            )
            return None
        problems = card.check()
        for field_name, message in problems:
            err(f"field '{field_name}': {message}", field_name)
        if problems:
            return None
        return card

    def _admit(self, card: Card, shown: str) -> None:
        """Add a valid card unless its id is already taken (checked across all files)."""
        if card.id in self.library.cards:
            first = self._where[card.id]
            self.library.errors.append(
                ContentError(
                    shown,
                    card.line,
                    f"duplicate id '{card.id}' (first defined at {first})",
                    card.id,
                    "id",
                )
            )
            return
        self.library.cards[card.id] = card
        self._where[card.id] = f"{shown}:{card.line}"

    def finish(self) -> Library:
        lib = self.library
        for item in lib.checklist:
            for link in item.links:
                if link not in lib.cards:
                    close = _closest(link, lib.cards)
                    hint = f" (did you mean '{close}'?)" if close else ""
                    lib.errors.append(
                        ContentError(
                            item.source,
                            item.line,
                            f"field 'links': '{link}' is not the id of any card{hint}",
                            item.id,
                            "links",
                        )
                    )
        numbers = [i.number for i in lib.checklist]
        for n in sorted({n for n in numbers if numbers.count(n) > 1}):
            item = next(i for i in lib.checklist if i.number == n)
            lib.errors.append(
                ContentError(
                    item.source, item.line, f"checklist number {n} is used twice", item.id, "number"
                )
            )
        return lib


def _field_of(message: str) -> str | None:
    for marker in ("field '", "missing field '", "unknown field '"):
        if marker in message:
            return message.split(marker, 1)[1].split("'", 1)[0]
    return None


def load_library(
    paths: Sequence[Path] | None = None,
    *,
    include_user_decks: bool = True,
    cache: bool = False,
) -> Library:
    """Load the shipped decks (or ``paths``) plus the learner's own decks folder.

    With ``cache``, files unchanged since an earlier load are rebuilt from the cache in the data
    folder instead of being parsed and checked again (``quizapp validate`` never uses it).
    """
    from quizapp import paths as qpaths

    deck_cache = DeckCache.open(qpaths.data_dir() / "cache" / "decks.json") if cache else None
    loader = Loader(deck_cache)
    roots = list(paths) if paths else [qpaths.content_dir()]
    if include_user_decks:
        user = qpaths.user_decks_dir()
        if user.is_dir():
            roots.append(user)
    for root in roots:
        if not root.exists():
            loader.add_missing_path(root)
    loader.add_paths(r for r in roots if r.exists())
    if deck_cache is not None:
        deck_cache.save()
    return loader.finish()


def _error_fields(error: ContentError) -> dict[str, Any]:
    return {"line": error.line, "message": error.message, "id": error.id, "field": error.field}


# --------------------------------------------------------------------------- cache


@dataclass(frozen=True)
class CachedFile:
    deck: str
    items: list[dict[str, Any]]


def _code_stamp() -> str:
    """Changes whenever quizapp's validation code changes (version or any core module)."""
    import quizapp

    root = Path(quizapp.__file__).parent
    parts = [quizapp.__version__]
    for py in sorted(root.rglob("*.py")):
        if "ui" in py.relative_to(root).parts:
            continue
        st = py.stat()
        parts.append(f"{py.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


class DeckCache:
    """What each deck file held when last validated, keyed by its path, size and mtime.

    Plain JSON (never pickle): a damaged or foreign cache file is ignored and rebuilt.
    """

    def __init__(self, path: Path, stamp: str, files: dict[str, Any]) -> None:
        self.path = path
        self.stamp = stamp
        self.files = files
        self.dirty = False
        self.used: set[str] = set()

    @classmethod
    def open(cls, path: Path) -> DeckCache:
        stamp = _code_stamp()
        files: dict[str, Any] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("stamp") == stamp:
                files = data.get("files") or {}
        except (OSError, ValueError):
            pass
        return cls(path, stamp, files if isinstance(files, dict) else {})

    @staticmethod
    def _signature(path: Path) -> list[int] | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns]

    def lookup(self, path: Path) -> CachedFile | None:
        key = str(path.resolve())
        entry = self.files.get(key)
        sig = self._signature(path)
        if not isinstance(entry, dict) or sig is None or entry.get("sig") != sig:
            return None
        try:
            cached = CachedFile(str(entry["deck"]), list(entry["items"]))
        except (KeyError, TypeError):
            return None
        self.used.add(key)
        return cached

    def store(self, path: Path, deck: str, items: list[dict[str, Any]]) -> None:
        sig = self._signature(path)
        if sig is None:
            return
        try:
            # Round-trip now, so only JSON-safe data (no YAML dates, odd keys) is ever cached.
            items = json.loads(json.dumps(items, allow_nan=False))
        except (TypeError, ValueError):
            return
        key = str(path.resolve())
        self.files[key] = {"sig": sig, "deck": deck, "items": items}
        self.used.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write the cache (atomically); never fails the load."""
        stale = set(self.files) - self.used
        if not self.dirty and not stale:
            return
        for key in stale:  # files that were removed or not loaded this time
            del self.files[key]
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"stamp": self.stamp, "files": self.files}), "utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass
