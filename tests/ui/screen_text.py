"""What the terminal shows: the current screen rendered as the learner sees it, one string a row
(every widget, scrolled where it is scrolled, clipped where the terminal ends)."""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App


def screen_rows(app: App[object]) -> list[str]:
    """The text of each row of the terminal, as drawn now."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        color_system=None,
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True))
    rows = console.export_text().splitlines()
    return rows[:height]


def on_screen(app: App[object], words: str) -> bool:
    """Whether ``words`` appear on one row of the terminal (spaces squeezed)."""
    return any(words in " ".join(row.split()) for row in screen_rows(app))
