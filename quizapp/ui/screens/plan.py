"""Plan: readiness for the interview morning and what to do each day until then.

The plan comes from quizapp.plan (an FSRS simulation that takes a fraction of a second on a large
deck), computed in a thread worker; its result arrives as a ``PlanScreen.Loaded`` message. From
here the learner crams the cards below target (c) and fits FSRS to their own history (f, a
worker: the optimiser takes seconds on a long log).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Static

from quizapp.cram import cram_list
from quizapp.decks import Library
from quizapp.due_words import later_today
from quizapp.fit import (
    FitError,
    FitResult,
    fit_in_process,
    fsrs_status,
    logged_reviews,
    progress_line,
)
from quizapp.plan import (
    FitChange,
    Plan,
    Readiness,
    fit_change,
    gather,
    guide_for_today,
    make_plan,
    readiness,
)
from quizapp.plan import Group as ReadyGroup
from quizapp.scheduling import StudyQueue
from quizapp.stats import due_counts
from quizapp.store import StoreError
from quizapp.ui.screens.base import QuizScreen, styles
from quizapp.ui.widgets.title_bar import TitleBar
from quizapp.wording import counted

# Weakest tags listed in the readiness panel.
SHOWN_TAGS = 6


def _bar(value: float, width: int = 6) -> Text:
    filled = round(max(0.0, min(1.0, value)) * width)
    style = "green" if value >= 0.9 else "yellow" if value >= 0.7 else "red"
    text = Text("█" * filled, style=style)
    text.append("░" * (width - filled), style="dim")
    return text


class PlanScreen(QuizScreen):
    """``now`` fixes the clock (tests); None means the current time at each load."""

    CSS_PATH = styles("plan")

    BINDINGS = [
        Binding("s", "study", "Study"),
        Binding("c", "cram", "Cram"),
        Binding("f", "fit", "Fit FSRS to you"),
        Binding("o", "settings", "Set date"),
        # Out of the footer (the plan is worked out again whenever progress changes, here or in
        # another process): at 80 columns it pushed "? Help" off the end. Still in help (?).
        Binding("r", "reload", "Refresh", show=False),
        Binding("escape", "back", "Back"),
    ]

    @dataclass
    class Loaded(Message):
        """The worker's result: a plan, readiness without a date, or a one-line error."""

        plan: Plan | None
        readiness: Readiness | None
        error: str | None = None
        fsrs: str = ""
        hidden: int = 0
        due_now: int | None = None  # Home's cards and practice due, for the Today line

    @dataclass
    class Fitted(Message):
        """The fit worker's result: the fit and what it changes, or a one-line reason."""

        result: FitResult | None
        change: FitChange | None
        error: str | None = None

    def __init__(self, *, now: datetime | None = None) -> None:
        super().__init__()
        self.now = now
        self.plan: Plan | None = None
        self.fitting = False
        self.fit_note: Text | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="plan-body"):
            yield Static(id="plan-head")
            yield Static(id="plan-fit")
            with Horizontal(id="plan-panels"):
                with VerticalScroll(id="plan-days", classes="panel"):
                    yield Static(id="plan-days-table")
                with VerticalScroll(id="plan-ready", classes="panel"):
                    yield Static(id="plan-ready-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#plan-days").border_title = "Each day until the interview"
        self.query_one("#plan-ready").border_title = "Readiness on the morning"
        self.action_reload()

    # -- loading
    def on_store_changed(self) -> None:
        self.load()  # quietly: the figures change in place

    def action_reload(self) -> None:
        self.query_one("#plan-body").loading = True
        self.load()

    @work(thread=True, exclusive=True, group="plan")
    def load(self) -> None:
        app = self.app
        try:
            inputs = gather(app.store, app.library, now=self.now)
            plan = make_plan(inputs)
            ready = plan.readiness if plan else readiness(inputs)
            due_now = None
            if plan is not None:
                guide = guide_for_today(plan, inputs.new_per_day)
                due = due_counts(StudyQueue(app.store, app.library, now=self.now, guide=guide))
                due_now = due.cards + due.practice
            self.post_message(
                self.Loaded(
                    plan, ready, fsrs=fsrs_status(app.store), hidden=inputs.hidden, due_now=due_now
                )
            )
        except StoreError as exc:
            self.post_message(self.Loaded(None, None, exc.message))

    @on(Loaded)
    def show(self, message: Loaded) -> None:
        self.query_one("#plan-body").loading = False
        self.plan = message.plan
        head = self.query_one("#plan-head", Static)
        if message.error:
            head.update(Text(f"Could not read your progress: {message.error}", style="bold red"))
            return
        assert message.readiness is not None
        headline = self.headline(
            message.plan, message.readiness, self.app.library, due_now=message.due_now
        )
        if message.hidden:
            headline.append(
                f"\n{message.hidden} suspended or buried cards are left out (b: Browse)", "dim"
            )
        head.update(headline)
        self.query_one("#plan-days").display = message.plan is not None
        if message.plan is not None:
            self.query_one("#plan-days-table", Static).update(self.days_table(message.plan))
        self.query_one("#plan-ready-text", Static).update(self.readiness_text(message.readiness))
        if not self.fitting and self.fit_note is None:
            again = "fits them again" if message.fsrs.startswith("FSRS fitted") else "fits them"
            self.show_fit(Text(f"{message.fsrs} (f {again})", style="dim"))

    # -- fitting FSRS to the learner, in a worker
    def show_fit(self, text: Text) -> None:
        self.query_one("#plan-fit", Static).update(text)

    def action_fit(self) -> None:
        if self.fitting:
            return
        self.fitting = True
        self.fit_note = None
        self.show_fit(Text("Fitting FSRS to your review history… (the app stays usable)", "bold"))
        self.fit_worker()

    @work(thread=True, exclusive=True, group="fit")
    def fit_worker(self) -> None:
        app = self.app
        try:
            logged = logged_reviews(app.store)
            result = fit_in_process(logged)
            cards = app.store.cards_with(result.parameters)
            # Before saving: the predictions with the parameters in use until now.
            inputs = gather(app.store, app.library, now=self.now)
            change = fit_change(inputs, result.parameters, cards=cards)
            app.store.save_fsrs_fit(result.to_json())
        except FitError as exc:
            self.post_message(self.Fitted(None, None, exc.message))
            return
        except StoreError as exc:
            self.post_message(self.Fitted(None, None, f"not kept: {exc.message}"))
            return
        self.post_message(self.Fitted(result, change))

    @on(Fitted)
    def fitted(self, message: Fitted) -> None:
        self.fitting = False
        if message.result is None or message.change is None:
            note = Text(f"Not fitted: {message.error}", style="bold yellow")
        else:
            note = Text(progress_line(message.result.reviews, message.result), style="bold green")
            for line in message.change.lines():
                note.append("\n" + line, style="")
            self.action_reload()  # the plan again, with the parameters just kept
        self.fit_note = note
        self.show_fit(note)

    # -- the parts
    @staticmethod
    def headline(
        plan: Plan | None, ready: Readiness, library: Library, *, due_now: int | None = None
    ) -> Text:
        text = Text()
        if plan is None:
            text.append("No interview date is set. ", style="bold")
            text.append("Press o and set one: the plan steers every day toward that morning.\n")
            text.append(f"Recall now: {ready.overall.ready:.0%} · {len(ready.below)} below target")
            return text
        when = (
            "today"
            if plan.days_left == 0
            else f"in {plan.days_left} day{'s' if plan.days_left != 1 else ''}"
        )
        text.append(f"Interview {plan.interview_date:%a %d %b} · {when}", style="bold")
        text.append(f" · target {plan.target:.0%}\n")
        text.append(ready.summary(), style="bold")
        # Cram's "1 of N" counts the same cards (the drills below target are not crammed).
        listed = cram_list(ready, library)
        if ready.below:
            text.append(f": {len(listed.ids)} to cram (c)")
            if listed.other:
                text.append(f", {counted(listed.other, 'drill')} (d)")
        text.append(f" · {ready.unseen} not seen yet\n")
        style = "green" if plan.reachable and not plan.raised else "yellow"
        if not plan.reachable:
            style = "bold red"
        text.append(plan.message[:1].upper() + plan.message[1:], style=style)
        today = plan.today
        later = "" if due_now is None else later_today(today.reviews, due_now)
        text.append(
            f"\nToday: {counted(today.reviews, 'review')}{later}, "
            f"{counted(today.new, 'new card')} (s)"
        )
        if today.new_practice:
            practice = counted(
                today.new_practice, "new question or drill", "new questions or drills"
            )
            text.append(f" and {practice} (z, d)")
        if plan.advance:
            text.append(f" ({len(plan.advance)} pulled forward so they hold on the morning)")
        if plan.cram:
            text.append(f" · {plan.cram} below target: cram them", style="bold")
        return text

    @staticmethod
    def days_table(plan: Plan) -> Table:
        # Tight padding: the five columns fit the half-width panel at 80 columns.
        table = Table(
            box=box.SIMPLE_HEAD, expand=True, show_edge=False, header_style="bold",
            pad_edge=False, collapse_padding=True,
        )  # fmt: skip
        table.add_column("day", no_wrap=True, min_width=10)
        # reviews, new cards (Study), new questions and drills (Quiz, Drills)
        table.add_column("rev", justify="right", min_width=3, no_wrap=True)
        table.add_column("new", justify="right", min_width=3, no_wrap=True)
        table.add_column("quiz", justify="right", min_width=4, no_wrap=True)
        table.add_column("", ratio=1, no_wrap=True, overflow="crop")
        heaviest = max((d.reviews + d.new + d.new_practice for d in plan.days), default=1) or 1
        for i, day in enumerate(plan.days):
            label = "today" if i == 0 else f"{day.date:%a %d %b}"
            if day.date == plan.interview_date:
                label = f"{day.date:%a %d %b} ★"
            load = day.reviews + day.new + day.new_practice
            bar = Text("▇" * max(0, round(20 * load / heaviest)), style="cyan")
            table.add_row(label, str(day.reviews), str(day.new), str(day.new_practice), bar)
        return table

    def readiness_text(self, ready: Readiness) -> Group:
        parts: list[Text | Table] = []

        texts = {str(item.number): item.text for item in self.app.library.checklist}

        def section(title: str, groups: list[ReadyGroup], label: str = "{}") -> None:
            if not groups:
                return
            table = Table(
                box=None, expand=True, show_edge=False, show_header=not parts, padding=(0, 1, 0, 0)
            )
            table.add_column("", ratio=1, no_wrap=True, overflow="ellipsis")
            table.add_column("", no_wrap=True, width=6)
            table.add_column("ready", justify="right", no_wrap=True, width=5)
            table.add_column("below", justify="right", no_wrap=True, width=5)
            for g in groups:
                table.add_row(label.format(g.name), _bar(g.ready), f"{g.ready:.0%}", str(g.below))
            parts.append(Text(title, style="bold"))
            parts.append(table)

        section("Decks", list(ready.by_deck))
        section("Weakest tags", sorted(ready.by_tag, key=lambda g: (g.ready, g.name))[:SHOWN_TAGS])
        items = [
            ReadyGroup(f"{g.name}. {texts.get(g.name, '')}", g.items, g.ready, g.below)
            for g in ready.by_checklist
        ]
        section("Checklist items", items)
        return Group(*parts)

    # -- actions
    def action_study(self) -> None:
        self.app.open_area("study")

    def action_cram(self) -> None:
        from quizapp.ui.screens.cram import CramScreen

        # On top of the plan, so esc comes back here.
        self.app.push_screen(CramScreen(now=self.now))

    def action_settings(self) -> None:
        """Settings over the plan, the date field focused; back here after saving (or esc),
        the plan worked out again for the new date."""
        from quizapp.ui.screens.settings import SettingsScreen

        self.app.push_screen(
            SettingsScreen(focus="interview-date"), callback=lambda _saved: self.action_reload()
        )

    def action_back(self) -> None:
        self.dismiss()
