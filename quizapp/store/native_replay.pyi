"""quizapp/store/native_replay.c: srs.replay_log's loop in C (see srs.replay_log)."""

from typing import Any

def replay(
    rows: list[Any],
    resets: dict[str, str],
    params: tuple[Any, ...],
    fresh: dict[str, tuple[int | None, str]] | None,
    as_rows: bool = False,
) -> tuple[list[Any], list[tuple[int | None, str, Any]]] | None: ...
