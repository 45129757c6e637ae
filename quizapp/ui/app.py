"""The quizapp Textual application: wiring only. Screens live in quizapp/ui/screens/."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input

from quizapp.store import Store, StoreError
from quizapp.ui.palette import CardCommands, DeckCommands, ScreenCommands, TagCommands
from quizapp.wording import counted

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.notifications import SeverityLevel

    from quizapp.decks import ContentError, Library
    from quizapp.mathcheck.warm_worker import Checker
    from quizapp.quiz import Quiz
    from quizapp.scheduling import Guide, StudyQueue

# How often (seconds) the app looks for other processes' commits: one cheap read of a counter.
WATCH_EVERY = 1.0


class QuizApp(App[None]):
    """Home dashboard at the bottom of the screen stack; every area is pushed on top of it."""

    CSS_PATH = "styles/app.tcss"
    TITLE = "quizapp"
    SUB_TITLE = "loss functions, interview-ready"
    COMMANDS = App.COMMANDS | {CardCommands, ScreenCommands, TagCommands, DeckCommands}
    BINDINGS = [
        Binding("q", "quit_idle", "Quit", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        library: Library | Callable[[], Library],
        store: Store,
        *,
        content_errors: Sequence[ContentError] = (),
    ) -> None:
        """``library`` is the decks, or a function that loads them: then they are loaded after
        the first frame (in a worker, or on first use, whichever comes first) and their content
        errors, if any, get their screen then."""
        super().__init__()
        self._library: Library | None = None
        self._load_library: Callable[[], Library] | None = None
        if callable(library):
            self._load_library = library
        else:
            self._library = library
        self._library_lock = threading.Lock()
        self.store = store
        self.content_errors = list(content_errors)
        # The collector paused for start-up (by the CLI) is turned back on after the first frame.
        self._resume_gc = not gc.isenabled()
        self._checker: Checker | None = None
        # From the plan to the interview (worked out in a worker, see refresh_plan).
        self.guide: Guide | None = None
        self.readiness_line: str | None = None
        # The deck the Drills list and Stats are narrowed to (None: all), for this session.
        self.deck_filter: str | None = None
        # How many times commits of other processes were shown, and an event set each time
        # (what a test waits on).
        self.outside_commits = 0
        self.outside_commit_seen = asyncio.Event()

    # -- services the screens use
    @property
    def library(self) -> Library:
        """The decks; loaded here on first use when the app was given a loader (any thread: a
        second caller waits for the first one's load)."""
        library = self._library
        if library is None:
            with self._library_lock:
                if self._library is None:
                    assert self._load_library is not None
                    loaded = self._load_library()
                    self.content_errors = list(loaded.errors)
                    self._library = loaded
                    if loaded.errors:
                        self.post_message(self.ContentErrorsFound())
                library = self._library
        return library

    class ContentErrorsFound(Message):
        """The decks loaded after the first frame have content errors to show."""

    def on_quiz_app_content_errors_found(self, _message: ContentErrorsFound) -> None:
        self._show_content_errors()

    def _show_content_errors(self) -> None:
        from quizapp.ui.screens.errors import ContentErrorsScreen

        self.push_screen(ContentErrorsScreen(self.content_errors))

    def queue(self) -> StudyQueue:
        """A study queue as of now (cheap: the store holds the state)."""
        from quizapp.scheduling import StudyQueue

        return StudyQueue(self.store, self.library, guide=self.guide)

    class PlanReady(Message):
        """The plan was worked out again: the guide and the readiness line changed."""

    @work(thread=True, exclusive=True, group="plan")
    def refresh_plan(self) -> None:
        """Work out the plan to the interview again (a fraction of a second on a big deck, so
        never on the UI thread): the queue's guide and home's readiness line."""
        from quizapp.plan import gather, guide_for_today, make_plan

        try:
            inputs = gather(self.store, self.library)
            plan = make_plan(inputs)
        except StoreError:
            return
        self.guide = guide_for_today(plan, inputs.new_per_day)
        line = None
        if plan is not None:
            ready = plan.readiness
            # Two short lines: one ("Ready 3% · 353 below target") wrapped "target" alone onto
            # a row of home's 26-column Today box at 80x24.
            below = len(ready.below)
            line = (
                f"Ready {ready.overall.ready:.0%} on the morning\n"
                f"{below} card{'s' if below != 1 else ''} below target"
            )
            if plan.raised:
                line += f"\nPlan: {plan.new_per_day} new a day (p)"
            elif not plan.reachable:
                line += "\nPlan: out of reach (p)"
        self.readiness_line = line
        self.post_message(self.PlanReady())

    def on_quiz_app_plan_ready(self, _message: PlanReady) -> None:
        from quizapp.ui.screens.home import HomeScreen

        # A plan worked out as the app closes finds its screens, or the dashboard's widgets,
        # gone: nothing to show.
        screen = self.screen_stack[-1] if self.screen_stack else None
        if isinstance(screen, HomeScreen) and self.is_running:
            with contextlib.suppress(NoMatches):
                screen.refresh_dashboard()

    def checker(self) -> Checker:
        """The gradient checker; its worker process starts on first use and stays warm."""
        if self._checker is None:
            from quizapp.mathcheck.warm_worker import Checker

            self._checker = Checker.from_library(self.library)
        return self._checker

    def new_quiz(self, **options: Any) -> Quiz:
        """A quiz over this app's decks, recorded in its store, gradients checked by the
        worker (``options`` go to ``Quiz.build``)."""
        from quizapp.quiz import Quiz

        return Quiz.build(
            self.library,
            store=self.store,
            checker=self.checker(),
            **options,
        )

    # -- lifecycle
    def get_default_screen(self) -> Screen[Any]:
        """The home dashboard is the bottom of the stack (no blank screen under it)."""
        from quizapp.ui.screens.home import HomeScreen

        return HomeScreen()

    def on_mount(self) -> None:
        if self._resume_gc:
            self.call_after_refresh(_resume_gc)
        theme = self.store.settings.theme
        if theme and theme in self.available_themes:
            self.theme = theme
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        if self.content_errors:
            self._show_content_errors()
        for notice in self.store.notices:
            self.notify(notice, severity="warning", timeout=12, markup=False)
        self._watch_store()

    # -- the progress store: every store problem reaches the learner here, and only here
    def _watch_store(self) -> None:
        """Show when saving stops or resumes (title bar + a notice, from any thread), retry the
        file while not saving, check the whole file after the first frame, and take the session
        backup when the terminal closes (SIGHUP) or the app is told to stop (SIGTERM)."""
        import signal

        self.store.on_notice = self._store_notice
        self._show_saving()
        self.set_interval(5, self._retry_saving)
        self.store.changed_elsewhere()  # from now on
        self.set_interval(WATCH_EVERY, self._watch_other_processes)
        # The check starts once the top screen has painted its first frame (the app's next idle,
        # then the screen's): a thread started sooner would share the interpreter with it.
        self.call_after_refresh(lambda: self.screen.call_after_refresh(self._check_file))
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.exit)

    def _check_file(self) -> None:
        self.run_worker(self.store.verify, thread=True, exit_on_error=False)

    class StoreNotice(Message):
        """The store has something to tell the learner (saving stopped or resumed)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def _store_notice(self, message: str) -> None:
        # Called from whichever thread used the store; post_message is thread-safe, and the
        # notice is shown on the UI thread in the order it came.
        self.post_message(self.StoreNotice(message))

    def on_quiz_app_store_notice(self, notice: StoreNotice) -> None:
        severity: SeverityLevel = "error" if self.store.read_only else "information"
        self.notify(notice.text, severity=severity, timeout=20, markup=False)
        self._show_saving()

    def _show_saving(self) -> None:
        if self.store.read_only:
            unsaved = self.store.unsaved
            kept = f": {unsaved} unsaved, kept" if unsaved else ""
            self.sub_title = f"NOT SAVING progress{kept}"
        else:
            self.sub_title = QuizApp.SUB_TITLE

    def _watch_other_processes(self) -> None:
        """Another process committed (a 'quizapp' command in another shell, a sync, a browser
        tab): read the settings again, work the plan out again, and let the screen on top show
        what changed (ticks, imported reviews, the interview date, readiness)."""
        self.store.check_file()  # deleted or replaced under the app: said, and nothing lost
        if not self.store.changed_elsewhere():
            return
        settings = self.store.settings  # read again once another process has saved
        if (
            settings.theme
            and settings.theme != self.theme
            and settings.theme in (self.available_themes)
        ):
            self.theme = settings.theme
        self.refresh_plan()
        from quizapp.ui.screens.base import QuizScreen

        for screen in self.screen_stack:
            if isinstance(screen, QuizScreen) and screen.is_current:
                with contextlib.suppress(NoMatches):  # a screen being closed: nothing to show
                    screen.on_store_changed()
        self.outside_commits += 1
        self.outside_commit_seen.set()

    def _retry_saving(self) -> None:
        if self.store.read_only:
            self.store.retry_saving()
            self._show_saving()

    def _remember_theme(self, theme: object) -> None:
        name = getattr(theme, "name", None)
        settings = self.store.settings
        if name and name != settings.theme:
            try:
                self.store.save_settings(dataclasses.replace(settings, theme=name))
            except StoreError as exc:
                self.notify(exc.message, severity="error", markup=False)

    def on_unmount(self) -> None:
        if self._checker is not None:
            self._checker.close()
        self.store.close()

    # -- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # 'q' quits only where no text box has focus (there it types a q); ctrl+q always quits.
        return not (action == "quit_idle" and isinstance(self.focused, Input))

    async def action_quit_idle(self) -> None:
        if self.may_leave("quit"):
            await self.action_quit()

    def may_leave(self, what: str) -> bool:
        """Whether every screen open may be left for ``what`` (another area, a card, quitting):
        a mock interview under way says how to end it (esc twice, for its report) and stays."""
        from quizapp.ui.screens.base import QuizScreen

        return all(
            screen.may_leave(what) for screen in self.screen_stack if isinstance(screen, QuizScreen)
        )

    def action_help(self) -> None:
        from quizapp.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(type(self.screen)))

    def open_area(self, name: str, **options: object) -> None:
        """Go to a top-level area (named in the registry, quizapp/ui/screens/areas.py) over the
        home screen: from the home menu, the help screen or the palette."""
        from quizapp.ui.screens.areas import AREA_BY_NAME

        area = AREA_BY_NAME[name]
        if not self.may_leave(f"open {area.title}"):
            return
        screen = area.open(self, **options)
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen)


def _resume_gc() -> None:
    """Turn the collector back on after start-up. What start-up made lives as long as the app
    (Textual, the store, the screen), so it is frozen: no later collection walks it again."""
    gc.freeze()
    gc.enable()


def run_app(library: Library | Callable[[], Library]) -> int:
    """Open the progress store and run the app over ``library`` (the decks, or a function that
    loads them after the first frame). Returns the exit code."""
    # The full check of the file runs after the first frame (QuizApp._watch_store).
    store = Store.open(quick_check=False)
    store.hold_app_lock()  # 'quizapp restore' in another terminal refuses while this is open
    errors = () if callable(library) else library.errors
    app = QuizApp(library, store, content_errors=errors)
    app.run()
    note = exit_note(store)
    if note:
        import sys

        sys.stderr.write(f"quizapp: {note}\n")
    return app.return_code or 0


def exit_note(store: Store) -> str | None:
    """What the terminal is told as the app ends with answers not yet in the progress file (the
    title bar's NOT SAVING goes with the app): lost, when not even the .pending file could be
    written; else where they wait and when they are saved. (Quitting on a full disk with answers
    in progress.db.pending said nothing at all.)"""
    lost = store.unsaved_in_memory_only
    if lost:  # the last chance to tell: the sidecar could not be written (e.g. a full disk)
        return (
            f"{counted(lost, 'answer')} of this session {'was' if lost == 1 else 'were'} not "
            f"saved: neither {store.path} nor its .pending file could be written; free some "
            "space before studying again"
        )
    kept = store.unsaved
    if kept:
        return (
            f"{counted(kept, 'answer')} of this session {'is' if kept == 1 else 'are'} not in "
            f"{store.path} yet: kept in {store.path.name}.pending beside it, and saved the next "
            "time quizapp starts (when the file can be written)"
        )
    return None
