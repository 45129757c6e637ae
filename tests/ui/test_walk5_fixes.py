"""What the seventh newcomer walkthrough (walker5) found in the app, as the learner sees it."""

from __future__ import annotations

from quizapp.ui.screens.study import StudyScreen
from tests.ui.conftest import wait_until
from tests.ui.screen_text import screen_rows


async def test_a_long_tag_line_stays_on_the_badges_row_at_80_columns(make_app, shipped) -> None:
    """At 80x24 a trap's answer side (its scroll bar taking two columns) wrapped its tags:
    "TRAP regression · classification · gradients · probabilistic ·" and "interview" alone on
    the next row. The tags that do not fit are counted instead ("+1 tag")."""
    card = max(
        (c for c in shipped.cards.values() if c.kind == "trap"),
        key=lambda c: len(" · ".join(c.tags)),
    )
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(StudyScreen(ids=[card.id], title="One card"))
        await wait_until(pilot, lambda: isinstance(app.screen, StudyScreen), what="study")
        for side in ("question", "answer"):
            if side == "answer":
                await pilot.press("space")
                await wait_until(pilot, lambda: app.screen.revealed, what="the answer side")
            await pilot.pause()
            rows = screen_rows(app)
            at = next(i for i, row in enumerate(rows) if f" {card.header.upper()} " in row)
            badge_row = rows[at].split(card.header.upper(), 1)[1]
            words = [w.strip() for w in badge_row.split("·")]
            shown = [w for w in words if w in card.tags]
            hidden = len(card.tags) - len(shown)
            assert shown == list(card.tags[: len(shown)]), rows[at]  # whole tags, in order
            if hidden:
                assert words[-1] == f"+{hidden} tag{'s' if hidden > 1 else ''}", rows[at]
            assert rows[at + 1].strip() == "", f"{side}: a wrapped tag line: {rows[at + 1]!r}"
            assert not any(rows[at + 1].strip() == tag for tag in card.tags)
