"""YAML with positions: a safe loader that remembers the line of every mapping and key, so
each problem can point at the line to fix."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, cast

from quizapp.decks.library import ContentError


class LineMapping(dict[str, Any]):
    """A dict that remembers the line of itself and of each key."""

    line: int = 0
    key_lines: dict[str, int]


@functools.cache
def _line_loader() -> type:
    """A safe YAML loader that records lines (built on first use: a warm start from the deck
    cache never imports yaml)."""
    import yaml

    base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def construct_mapping(loader: Any, node: Any) -> LineMapping:
        mapping = LineMapping()
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

    loader: Any = type("LineLoader", (base,), {})
    loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return cast(type, loader)


# A deck file this large is not a deck (a 23 MB JSON file given as --content took minutes to
# parse as YAML); the largest shipped deck is under 100 kB.
MAX_DECK_BYTES = 2 << 20


def read_yaml(path: Path, shown: str) -> tuple[Any, list[ContentError]]:
    try:
        size = path.stat().st_size
        if size > MAX_DECK_BYTES:
            return None, [
                ContentError(
                    shown,
                    None,
                    f"{size / 1e6:.1f} MB, more than the {MAX_DECK_BYTES >> 20} MB a deck file "
                    "can be; split it into several files",
                )
            ]
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
        at = mark.line + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        tag = re.search(r"tag '([^']+)'", problem)
        if tag and "constructor" in problem:
            shown_tag = tag.group(1).replace("tag:yaml.org,2002:", "!!")
            problem = f"the tag {shown_tag} is not allowed in a deck (plain YAML only)"
        elif exc.context and exc.context_mark:
            problem = f"{exc.context} (line {exc.context_mark.line + 1}): {problem}"
        return None, [ContentError(shown, at, f"YAML error: {problem}")]
    except yaml.YAMLError as exc:
        return None, [ContentError(shown, None, f"YAML error: {exc}")]
