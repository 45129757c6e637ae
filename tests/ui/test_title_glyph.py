"""Issue 26 item 19: the title bar draws only glyphs every common monospace font has, so the
browser (quizapp serve, Chromium's monospace font) shows no missing-glyph box where "⭘" was."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from quizapp.ui.widgets.title_bar import ICON, TitleBar
from tests.ui.screen_text import screen_rows

# WGL4, the set the common monospace fonts cover (Consolas, Courier New, Lucida Console, Menlo,
# DejaVu Sans Mono, Liberation Mono), the parts a title bar might use: ASCII, Latin-1, general
# punctuation and the mathematical operators WGL4 has.
WGL4_PARTS = (
    {chr(c) for c in range(0x20, 0x7F)}
    | {chr(c) for c in range(0xA0, 0x100)}
    | set("–—‘’‚“”„†‡•…‰‹›‼⁄€")
    | set("∂∆∏∑−∕∙√∞∟∩∫≈≠≡≤≥")
)


async def test_the_title_bar_draws_only_glyphs_every_monospace_font_has(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.sub_title = "read-only"  # the subtitle's dash too
        await pilot.pause()
        bar = screen_rows(app)[0]
        assert ICON in bar and "quizapp" in bar and "read-only" in bar
        assert set(bar) <= WGL4_PARTS, set(bar) - WGL4_PARTS
        assert "⭘" not in bar
        await pilot.click(TitleBar)  # the icon's bar still opens the palette
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="no fontconfig to ask")
def test_every_installed_monospace_font_has_the_icon() -> None:
    """Where fontconfig can say so: each monospace font on this machine (the browser test's
    Chromium picks one of them) has a glyph for the icon."""

    def families(pattern: str) -> set[str]:
        out = subprocess.run(["fc-list", pattern, "family"], capture_output=True, text=True)
        return {line.strip() for line in out.stdout.splitlines() if line.strip()}

    mono = families(":spacing=mono")
    if not mono:
        pytest.skip("no monospace font installed")
    assert families(f":charset={ord(ICON):x}:spacing=mono") == mono
