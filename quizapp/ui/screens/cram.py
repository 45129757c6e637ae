"""Cram: the cards below the interview target, weakest first, whatever their due dates.

The study screen's card flow (question, space, rate 1-4) over a ``CramSession``: every answer goes
to ``Store.record_cram`` and nowhere else, so the FSRS schedule stays as it was. The list, and the
readiness before and after, come from thread workers, never the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fsrs import Rating
from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Button, Static

from quizapp.cram import CramList, CramSession, cram_list
from quizapp.plan import Readiness, gather, readiness
from quizapp.policy import RATING_KEYS, RATING_LABELS
from quizapp.store import StoreError
from quizapp.ui.screens.study import StudyScreen
from quizapp.ui.widgets.card_view import CardView
from quizapp.ui.widgets.more_below import NOTE as MORE_BELOW
from quizapp.wording import counted

TITLE = "Cram — does not change your schedule"
NO_DATE = (
    "Cram aims at your interview morning, and no interview date is set.\n"
    "Set one in Settings (o on the home screen) or with "
    "'quizapp settings --interview-date YYYY-MM-DD'."
)


def ready_line(ready: Readiness) -> str:
    """ "71% · 38 below target": readiness on the morning in a few words."""
    return f"{ready.overall.ready:.0%} · {len(ready.below)} below target"


class CramScreen(StudyScreen):
    """``now`` fixes the clock for the readiness (tests); None means the current time."""

    @dataclass
    class Loaded(Message):
        """The worker's result: readiness and the cram list, or why there is none."""

        ready: Readiness | None
        listed: CramList | None
        error: str | None = None

    @dataclass
    class After(Message):
        """Readiness on the morning again, at the end of the session."""

        ready: Readiness | None

    def __init__(self, *, now: datetime | None = None) -> None:
        super().__init__(ids=[], kinds=(), title=TITLE)
        self.now = now
        self.before: Readiness | None = None
        self.after: Readiness | None = None
        self.listed: CramList | None = None

    # -- loading: the cards below target, in a worker
    def on_mount(self) -> None:
        # No cards until the worker has the list (this also keeps StudyScreen.on_mount, which
        # runs after this handler, from starting a session of what is due).
        app = self.app
        self.session = CramSession(app.queue(), app.library, [], record=app.store.record_cram)
        for widget_id in ("#actions", "#take", "#points", "#summary"):
            self.query_one(widget_id).display = False
        self.query_one("#study-status", Static).update(Text(TITLE, style="bold"))
        self.query_one("#card-scroll").loading = True
        self.load()

    def _readiness(self) -> Readiness | None:
        app = self.app
        inputs = gather(app.store, app.library, now=self.now)
        return readiness(inputs) if inputs.interview_date is not None else None

    @work(thread=True, exclusive=True, group="cram")
    def load(self) -> None:
        try:
            ready = self._readiness()
        except StoreError as exc:
            self.post_message(self.Loaded(None, None, exc.message))
            return
        listed = cram_list(ready, self.app.library) if ready is not None else None
        self.post_message(self.Loaded(ready, listed))

    @on(Loaded)
    def start(self, message: Loaded) -> None:
        self.query_one("#card-scroll").loading = False
        if message.error:
            self.show_message(Text(f"Could not read your progress: {message.error}", "bold red"))
            return
        if message.ready is None or message.listed is None:
            self.show_message(Text(NO_DATE))
            return
        self.before, self.listed = message.ready, message.listed
        if not message.listed.ids:
            text = Text(
                f"Nothing to cram: every card is at or above the {message.ready.target:.0%} "
                "target on the interview morning.",
                style="bold green",
            )
            if message.listed.other:
                text.append(
                    f"\n{counted(message.listed.other, 'drill is', 'drills are')} below it: "
                    "practise them in Drills.",
                    style="",
                )
            self.show_message(text)
            return
        app = self.app
        self.session = CramSession(
            app.queue(), app.library, message.listed.ids, record=app.store.record_cram
        )
        self.session.advance()
        self.query_one("#actions").display = True
        self.show_current()

    def show_message(self, text: Text) -> None:
        self.add_class("finished")
        for widget_id in ("#take", "#actions", "#points"):
            self.query_one(widget_id).display = False
        text.append("\n\nesc: back", style="dim")
        self.query_one("#card", CardView).show_text(text)
        self.refresh_bindings()

    # -- the study flow, with cram answers
    def update_status(self, extra: str = "") -> None:
        if self.listed is not None and self.listed.ids and self.session is not None:
            # "to cram": the Plan's "N to cram (c)" is the same count.
            where = f"{self.session.position} of {len(self.listed.ids)}"
            if not self.more_below:  # (the title says Cram: at 80 columns the note needs room)
                where += " to cram"
            # One line: what does not fit ends in "…" (the note wrapped to a hidden second row).
            status = Text(self.session_title, style="bold", no_wrap=True, overflow="ellipsis")
            status.append(f"  ·  {where}")
            if extra:
                status.append(f"  ·  {extra}", style="dim")
            if self.more_below:  # as in Study: a long answer goes on under the edge
                status.append(f"  ·  {MORE_BELOW}", style="bold")
            self.query_one("#study-status", Static).update(status)

    def set_buttons(self, *, revealed: bool) -> None:
        super().set_buttons(revealed=revealed)
        if revealed:  # no "back in 3 days": a cram answer schedules nothing
            for key, rating in RATING_KEYS.items():
                self.query_one(f"#rate-{key}", Button).label = f"{key} {RATING_LABELS[rating]}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("undo", "more"):
            return False
        return super().check_action(action, parameters)

    def action_rate(self, value: int) -> None:
        session = self.session
        if session is None or session.current is None or not self.revealed:
            return
        try:
            session.rate(Rating(value))
        except StoreError as exc:
            # Not recorded anywhere: say so and keep the card on screen to answer again.
            self.notify(f"Cram answer not saved: {exc.message}", severity="error", markup=False)
            return
        self.notify(f"{RATING_LABELS[Rating(value)]} · logged as cram", timeout=2, markup=False)
        self.show_current()

    def show_summary(self) -> None:
        """The end: how many were crammed, and readiness before and after (from a worker)."""
        self.add_class("finished")
        for widget_id in ("#take", "#actions", "#points"):
            self.query_one(widget_id).display = False
        self.query_one("#card-scroll").display = True
        self.query_one("#card", CardView).show_text(self.summary_text())
        self.update_status("done")
        self.refresh_bindings()
        self.reload_after()

    def summary_text(self) -> Text:
        session = self.session
        assert isinstance(session, CramSession)
        n = session.summary.reviewed
        text = Text("Cram session complete\n\n", style="bold")
        text.append(
            f"Crammed {n}, remembered {session.remembered}. {session.summary.describe()}\n\n"
        )
        if self.before is not None:
            text.append("Ready on the interview morning\n", style="bold")
            text.append(f"  before  {ready_line(self.before)}\n")
            after = ready_line(self.after) if self.after is not None else "…"
            text.append(f"  after   {after}\n\n")
        text.append(
            "Cram answers are logged apart from your schedule: FSRS predicts the morning from "
            "your regular reviews, so cramming leaves that prediction (and every due date) as "
            "it was.",
            style="dim",
        )
        text.append("\n\nesc: back", style="dim")
        return text

    @work(thread=True, exclusive=True, group="cram")
    def reload_after(self) -> None:
        try:
            ready = self._readiness()
        except StoreError:
            ready = None
        self.post_message(self.After(ready))

    @on(After)
    def show_after(self, message: After) -> None:
        self.after = message.ready
        if self.session is not None and self.session.current is None and self.listed:
            self.query_one("#card", CardView).show_text(self.summary_text())

    def action_leave(self) -> None:
        session = self.session
        if isinstance(session, CramSession) and session.summary.reviewed:
            n = session.summary.reviewed
            self.notify(f"{n} crammed; your schedule is unchanged", timeout=4, markup=False)
        self.dismiss()
