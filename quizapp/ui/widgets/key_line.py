"""The home screen's footer: its keys as one line of text.

Textual's Footer is a scrolling container that builds one widget per key (and rebuilds them all
once the screen's bindings are known, just after the first frame); home shows two keys that
never change. This draws the same keys, in the same places and colours, as one widget: a
fraction of the cost on the way to the first frame. A click on a key presses it, and the key under
the mouse is highlighted, as the Footer's are."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


class KeyLine(Widget):
    """The screen's shown bindings on the left, the command palette's key docked right."""

    COMPONENT_CLASSES = {
        "key-line--key",
        "key-line--description",
        "key-line--separator",
        "key-line--hover",
    }
    ALLOW_SELECT = False

    def __init__(self) -> None:
        super().__init__()
        # (first column, end column, key) of each key drawn, for clicks.
        self._spans: list[tuple[int, int, str]] = []
        self._hover: str | None = None  # the key under the mouse

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen[Any]) -> None:
        self.refresh()

    def _keys(self) -> tuple[list[tuple[str, str, str]], tuple[str, str, str] | None]:
        """(key, how it shows, description) of each shown binding, and the palette's."""
        app = self.app
        active = self.screen.active_bindings
        keys: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        for _node, binding, _enabled, _tooltip in active.values():
            if binding.show and binding.action not in seen:
                seen.add(binding.action)
                keys.append((binding.key, app.get_key_display(binding), binding.description))
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            binding = active[app.COMMAND_PALETTE_BINDING].binding
            palette = (binding.key, app.get_key_display(binding), binding.description)
        return keys, palette

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-line--key")
        description_style = self.get_component_rich_style("key-line--description")
        keys, palette = self._keys()
        text = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, str]] = []
        hover = self.get_component_rich_style("key-line--hover")
        for key, shown, description in keys:
            start = text.cell_len
            lit = hover if key == self._hover else None
            text.append(f" {shown} ", key_style + lit if lit else key_style)
            text.append(f"{description} ", description_style + lit if lit else description_style)
            spans.append((start, text.cell_len, key))
        if palette is not None:
            key, shown, description = palette
            # Drawn as Textual's Footer draws it: a thin rule, the key, the description.
            lit = hover if key == self._hover else None
            right = Text.assemble(
                ("▏", self.get_component_rich_style("key-line--separator")),
                (shown, key_style + lit if lit else key_style),
                (f" {description}", description_style + lit if lit else description_style),
                " ",
            )
            gap = self.size.width - text.cell_len - right.cell_len
            if gap >= 0:
                text.append(" " * gap)
                spans.append((text.cell_len + 1, text.cell_len + right.cell_len, key))
                text.append_text(right)
        self._spans = spans
        return text

    def _key_at(self, x: int) -> str | None:
        return next((key for start, end, key in self._spans if start <= x < end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        key = self._key_at(event.x)
        if key is not None:
            self.app.simulate_key(key)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._set_hover(self._key_at(event.x))

    def on_leave(self, _event: events.Leave) -> None:
        self._set_hover(None)

    def _set_hover(self, key: str | None) -> None:
        if key != self._hover:
            self._hover = key
            self.refresh()
