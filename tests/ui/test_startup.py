"""Start-up: the home screen's first frame comes before the decks and the figures (both loaded
by a worker), without anything moving when the figures arrive."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from quizapp.content import load_library
from quizapp.decks import Library
from quizapp.store import Store
from quizapp.ui.app import QuizApp
from quizapp.ui.screens.errors import ContentErrorsScreen
from quizapp.ui.screens.home import PENDING, HomeScreen
from tests.ui.conftest import SIZE, home_figures_shown, visible_text, wait_until

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


async def test_home_keeps_its_layout_when_the_figures_arrive(shipped: Library) -> None:
    release = threading.Event()

    def slow_decks() -> Library:  # the decks arrive only when the test says so
        release.wait(timeout=60)
        return shipped

    app = QuizApp(slow_decks, Store.open())
    async with app.run_test(size=SIZE) as pilot:
        home = app.screen
        assert isinstance(home, HomeScreen)
        today, menu = home.query_one("#today"), home.query_one("#menu")
        before = visible_text(today)
        regions = (today.region, menu.region)
        assert home.figures is None and before.count(PENDING) == 7  # 5 figures, the checklist
        assert "Cards due" in before and "No interview date set" in before
        release.set()
        await home_figures_shown(pilot)
        after = visible_text(today)
        assert PENDING not in after
        assert f"0 of {len(shipped.checklist)} ticked" in after
        assert (today.region, menu.region) == regions
        assert len(after.splitlines()) == len(before.splitlines())


async def test_decks_loaded_after_the_first_frame_show_their_errors(quizapp_home: Path) -> None:
    def decks() -> Library:
        return load_library([FIXTURES / "broken", FIXTURES / "good"], include_user_decks=False)

    app = QuizApp(decks, Store.open())
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: isinstance(app.screen, ContentErrorsScreen), what="the errors"
        )
        lines = [visible_text(s).strip() for s in app.screen.query(".error-line")]
        assert len(lines) == len(app.library.errors) >= 14
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("s")  # the valid cards still study
        assert app.screen.session.current is not None


FIRST_FRAME = r"""
import sys
from textual.app import App
import quizapp.ui.app as appmod

QuizApp = appmod.QuizApp
QuizApp.run = lambda self, **kw: App.run(self, headless=True, **kw)
original = QuizApp.on_mount

def on_mount(self):
    original(self)
    def first_frame():
        heavy = ("quizapp.decks", "quizapp.scheduling", "yaml", "numpy", "sympy",
                 "quizapp.store.reviews", "quizapp.store.flags", "textual.widgets._footer")
        print(" ".join(m for m in heavy if m in sys.modules) or "none", flush=True)
        self.exit()
    self.screen.call_after_refresh(first_frame)

QuizApp.on_mount = on_mount
from quizapp.cli import main
sys.exit(main([]))
"""


@pytest.mark.cold_decks  # a first start, then a start from the deck cache
def test_the_first_frame_needs_no_decks_scheduler_or_maths(quizapp_home: Path) -> None:
    """What home draws first needs only the store's file: the decks, the scheduler, the maths
    libraries, the store's other modules and Textual's Footer load after it, if at all (a
    regression here costs start-up time)."""
    for _ in range(2):  # the second start finds the deck cache the first one wrote
        done = subprocess.run(
            [sys.executable, "-c", FIRST_FRAME], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.splitlines()[0] == "none"


async def test_the_full_check_after_the_first_frame_finds_damage_the_open_skipped(
    quizapp_home: Path, shipped: Library, notices: list[str]
) -> None:
    """The app opens the file without a check (start-up time) and runs the full one once the
    first frame is painted: damage only integrity_check sees still stops saving, with a notice."""
    import sqlite3

    with Store.open() as store:
        for i in range(20):
            store.record_review(f"card-{i:03d}", 3, kind="faq")
    conn = sqlite3.connect(quizapp_home / "progress.db")
    conn.execute("PRAGMA writable_schema=ON")  # an index that no longer matches its rows
    conn.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX reviews_time ON reviews(item_id)' "
        "WHERE name = 'reviews_time'"
    )
    conn.commit()
    conn.close()
    app = QuizApp(shipped, Store.open(quick_check=False))  # as run_app opens it
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: any("damaged while open" in n for n in notices), what="the notice"
        )
        assert "NOT SAVING" in app.sub_title
        assert isinstance(app.screen, HomeScreen)
