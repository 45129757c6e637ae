"""'↓ more below': a status line's note that a scrolled area goes on under the screen's edge
(at 80x24 a loss curve's plot pushes a question's options below the fold)."""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import ScrollableContainer
from textual.widget import Widget

NOTE = "↓ PgDn for more"


def more_below(area: ScrollableContainer) -> bool:
    """Whether a row of ``area``'s content lies under its bottom edge (the areas this is for
    end in one row of padding, which is not more to see)."""
    return area.max_scroll_y - area.scroll_y >= 2


def follow(
    owner: Widget, area: ScrollableContainer, changed: Callable[[bool], None]
) -> Callable[[], None]:
    """Call ``changed(more)`` whenever whether ``area`` has more below changes: it scrolls or
    its content grows or shrinks (judged once the layout settles). Returns the check, for the
    owner to call when it is resized."""
    state = {"more": False}

    def check() -> None:
        more = more_below(area)
        if more != state["more"]:
            state["more"] = more
            changed(more)

    def settle() -> None:
        owner.call_after_refresh(check)

    for name in ("scroll_y", "virtual_size"):
        owner.watch(area, name, settle, init=False)
    settle()
    return settle
