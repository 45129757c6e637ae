"""Schema coercion: a YAML mapping checked against a model's field annotations and turned into
the model, with a one-line message per problem; and the round trip through plain JSON that the
deck cache uses."""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from typing import Any


def describe(value: Any) -> str:
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


class FieldError(Exception):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _text(value: Any, line: int | None) -> str:
    if not isinstance(value, str):
        raise FieldError(f"expected text, got {describe(value)}", line)
    if not value.strip():
        raise FieldError("is empty; write the text or remove the field", line)
    return value.strip()


def _flag(value: Any, line: int | None) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"expected true or false, got {describe(value)}", line)
    return value


def _whole(value: Any, line: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError(f"expected a whole number, got {describe(value)}", line)
    return value


def _number(value: Any, line: int | None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(f"expected a number, got {describe(value)}", line)
    return float(value)


_SCALARS: dict[Any, Callable[[Any, int | None], Any]] = {
    str: _text,
    bool: _flag,
    int: _whole,
    float: _number,
}


def coerce(value: Any, hint: Any, line: int | None) -> Any:
    """Check ``value`` against a type annotation and return it in model form."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        if value is None:
            return None
        return coerce(value, inner[0], line)
    scalar = _SCALARS.get(hint)
    if scalar is not None:
        return scalar(value, line)
    if origin is tuple:
        if not isinstance(value, list):
            raise FieldError(f"expected a list, got {describe(value)}", line)
        if not value:
            raise FieldError("is an empty list", line)
        # List items carry no line of their own.
        return tuple(coerce(v, args[0], line) for v in value)
    if origin is dict:
        if not isinstance(value, dict):
            raise FieldError(f"expected a mapping, got {describe(value)}", line)
        if not value:
            raise FieldError("is an empty mapping", line)
        key_lines = getattr(value, "key_lines", {})
        return {str(k): coerce(v, args[1], key_lines.get(k, line)) for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise FieldError(f"expected a mapping, got {describe(value)}", line)
        return build(hint, value, getattr(value, "line", line))  # type: ignore[arg-type]
    raise TypeError(f"unsupported field type {hint!r}")  # pragma: no cover - a model bug


@functools.cache
def model_hints(cls: type) -> dict[str, Any]:
    """Resolved field annotations of a model (resolving them is slow; models never change)."""
    return typing.get_type_hints(cls)


# Fields the loader fills in itself (not stored in the cache).
_PLACED = ("deck", "source", "line")


def dump(record: Any) -> dict[str, Any]:
    """A validated model's field values as JSON-able data (tuples become lists)."""

    def plain(value: Any) -> Any:
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if dataclasses.is_dataclass(value):
            return dump(value)
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
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            model: type = hint
            return lambda v: model(**revive(model, v))
        return None  # str, int, float, bool and dict[str, ...] come back from JSON as they were

    hints = model_hints(cls)
    return tuple(
        (f.name, reviver(hints[f.name]))
        for f in dataclasses.fields(cls)
        if f.init and f.name not in _PLACED
    )


def revive(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments for ``cls`` from ``dump`` output, without validating again."""
    out = {}
    for name, revive in _revivers(cls):
        if name in data:
            value = data[name]
            out[name] = revive(value) if revive is not None and value is not None else value
    return out


def build(
    cls: type,
    data: dict[str, Any],
    line: int | None,
    preset: dict[str, Any] | None = None,
    ignore: Sequence[str] = (),
) -> Any:
    """Build ``cls`` from a YAML mapping, or raise the first ``FieldError``."""
    record, errors = build_all(cls, data, line, preset, ignore)
    if errors:
        raise errors[0]
    return record


def build_all(
    cls: type,
    data: dict[str, Any],
    line: int | None,
    preset: dict[str, Any] | None = None,
    ignore: Sequence[str] = (),
) -> tuple[Any, list[FieldError]]:
    """Build ``cls`` from a YAML mapping: ``preset`` fields are given, ``ignore`` keys skipped.
    Returns the record, or None and every problem found (one per field)."""
    preset = preset or {}
    hints = model_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init and f.name not in preset}
    key_lines = getattr(data, "key_lines", {})
    errors: list[FieldError] = []
    for key in data:
        if key not in fields and key not in ignore:
            close = closest(key, fields)
            hint = f" (did you mean '{close}'?)" if close else f"; allowed: {', '.join(fields)}"
            errors.append(FieldError(f"unknown field '{key}'{hint}", key_lines.get(key, line)))
    kwargs = dict(preset)
    for name, f in fields.items():
        if name not in data:
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if required:
                errors.append(FieldError(f"missing field '{name}'", line))
            continue
        try:
            kwargs[name] = coerce(data[name], hints[name], key_lines.get(name, line))
        except FieldError as exc:
            if not exc.message.startswith("field '"):
                exc.message = f"field '{name}': {exc.message}"
            errors.append(exc)
    if errors:
        return None, errors
    return cls(**kwargs), []


def closest(word: str, options: Iterable[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return found[0] if found else None
