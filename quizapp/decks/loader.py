"""Load and validate YAML decks into typed cards.

Every problem becomes a ``ContentError`` that names the file, the line, the card id and the field,
for example ``content/loss/traps.yaml:42: card 'trap-mse-everywhere': missing field 'correct'``.
Loading never raises on bad content: it returns every card that is valid and every error found.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from quizapp.decks.cache import CachedFile, DeckCache
from quizapp.decks.kinds import MODELS
from quizapp.decks.library import ContentError, Library
from quizapp.decks.models import ID_PATTERN, SECTIONS, TAGS, Card
from quizapp.decks.schema import FieldError, build_all, closest, coerce, describe, dump, revive

# A kind's checks beyond field types: (field, message) for each problem with a valid card.
Check = Callable[[Card], list[tuple[str, str]]]
YAML_SUFFIXES = (".yaml", ".yml")
COMMON_FIELDS = ("id", "kind", "section", "tags")


def display_path(path: Path) -> str:
    """A path as the learner would type it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


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
    """Accumulates cards from many files, then runs the cross-card checks in ``finish``.

    ``checks`` maps a card kind to its checks beyond field types (see ``quizapp.content.CHECKS``,
    which also checks formulas parse and drills work); a kind without an entry has none.
    """

    def __init__(self, checks: Mapping[str, Check], cache: DeckCache | None = None) -> None:
        self.library = Library()
        self.checks = checks
        self._where: dict[str, str] = {}
        self.cache = cache

    def add_paths(self, paths: Iterable[Path]) -> None:
        for path, root in deck_files(paths):
            self.add_file(path, _deck_name(path, root))

    def add_missing_path(self, path: Path) -> None:
        self.library.errors.append(
            ContentError(display_path(path), None, "no such file or folder; check the path")
        )

    def add_file(self, path: Path, deck: str) -> None:
        shown = display_path(path)
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

        # Here, not at the top: a warm start from the cache never reads YAML.
        from quizapp.decks.positions import LineMapping, read_yaml

        data, errors = read_yaml(path, shown)
        for error in errors:
            file_error(error)
        if errors or data is None:
            if data is None and not errors:
                file_error(ContentError(shown, 1, "the file is empty"))
            return deck
        cards = data.get("cards") if isinstance(data, dict) else data
        if isinstance(data, LineMapping):  # every YAML mapping is one
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
                record.append({"kind": card.kind, "fields": dump(card), "line": card.line})
                self._admit(card, shown)
        return deck

    def _replay(self, cached: CachedFile, shown: str) -> None:
        """Rebuild a file's cards from the cache: validated before, so no checks run again."""
        for item in cached.items:
            if "error" in item:
                self.library.errors.append(ContentError(file=shown, **item["error"]))
                continue
            values = revive(MODELS[item["kind"]], item["fields"])
            card = MODELS[item["kind"]](**values, deck=cached.deck, source=shown, line=item["line"])
            self._admit(card, shown)

    def _validate_card(self, raw: Any, shown: str, deck: str) -> Card | None:
        """One card checked on its own (cross-file checks come in ``_admit``/``finish``)."""
        from quizapp.decks.positions import LineMapping

        if not isinstance(raw, LineMapping):  # every YAML mapping is one
            self.library.errors.append(
                ContentError(shown, None, f"each card must be a mapping, got {describe(raw)}")
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
        if kind not in MODELS:
            close = closest(str(kind), MODELS)
            hint = f" (did you mean '{close}'?)" if close else f"; known: {', '.join(MODELS)}"
            err(f"unknown kind {kind!r}{hint}" if kind else "missing field 'kind'", "kind")
            return None
        cls = MODELS[kind]
        # Every problem of the card is reported, not only the first.
        problems = self._common_field_problems(raw, line)
        preset = {
            "id": card_id,
            "section": raw.get("section"),
            "tags": self._tags(raw),
            "deck": deck,
            "source": shown,
            "line": line,
        }
        card, errors = build_all(cls, raw, line, preset=preset, ignore=COMMON_FIELDS)
        problems += errors
        for problem in problems:
            self.library.errors.append(
                ContentError(
                    shown,
                    problem.line or line,
                    problem.message,
                    card_id,
                    _field_of(problem.message),
                )
            )
        if problems:
            return None
        check = self.checks.get(kind)
        found = check(card) if check is not None else []
        for field_name, message in found:
            err(f"field '{field_name}': {message}", field_name)
        return None if found else card

    @staticmethod
    def _tags(raw: Any) -> tuple[str, ...]:
        try:
            tags = coerce(raw.get("tags"), tuple[str, ...], None)
        except FieldError:
            return ()
        return tuple(tags)

    @staticmethod
    def _common_field_problems(raw: Any, line: int) -> list[FieldError]:
        """What is wrong with a card's section and tags, every problem."""
        key_lines = raw.key_lines
        problems: list[FieldError] = []
        section = raw.get("section")
        # Optional: a card of a deck that goes beyond the notes cites no section.
        if "section" in raw and (
            isinstance(section, bool) or not isinstance(section, int) or section not in SECTIONS
        ):
            problems.append(
                FieldError(
                    "field 'section': expected a section number 1-22 of the notes, got "
                    f"{describe(section)}",
                    key_lines.get("section"),
                )
            )
        if "tags" not in raw:
            problems.append(FieldError("missing field 'tags'", line))
            return problems
        try:
            tags = coerce(raw["tags"], tuple[str, ...], key_lines.get("tags"))
        except FieldError as exc:
            exc.message = f"field 'tags': {exc.message}"
            return [*problems, exc]
        for tag in tags:
            if tag not in TAGS:
                close = closest(tag, TAGS)
                hint = (
                    f" (did you mean '{close}'?)"
                    if close
                    else f"; known: {', '.join(sorted(TAGS))}"
                )
                problems.append(
                    FieldError(f"field 'tags': unknown tag '{tag}'{hint}", key_lines.get("tags"))
                )
        return problems

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
                    close = closest(link, lib.cards)
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


def load_decks(
    roots: Iterable[Path], checks: Mapping[str, Check], cache: DeckCache | None = None
) -> Library:
    """Every card under ``roots`` (files or folders) checked with ``checks``, and every problem.
    With ``cache``, files unchanged since they were last checked are rebuilt from it."""
    loader = Loader(checks, cache)
    roots = list(roots)
    for root in roots:
        if not root.exists():
            loader.add_missing_path(root)
    loader.add_paths(r for r in roots if r.exists())
    if cache is not None:
        cache.save()
    return loader.finish()


def _error_fields(error: ContentError) -> dict[str, Any]:
    return {"line": error.line, "message": error.message, "id": error.id, "field": error.field}
