"""Textual's Footer, redrawn once for a burst of binding changes.

Textual's Footer rebuilds all its keys (a dozen widgets, each styled) after every change of the
screen's bindings, and a screen that opens changes them twice before its first frame (the focus
moves in, the screen resumes): two rebuilds where one shows the same keys. This footer queues
one rebuild at a time; a change that comes while one is queued is covered by it, since the
rebuild reads the bindings as they are when it runs.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class QuietFooter(Footer):
    """A Footer that rebuilds its keys once per burst of binding changes."""

    _rebuild_queued = False

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True  # as Footer.bindings_changed: compose shows the keys now
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_queued:
            self._rebuild_queued = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_queued = False
        await self.recompose()
