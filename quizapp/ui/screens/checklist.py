"""The revision checklist: tick items by hand, see the evidence, practise an item's cards.

Each item also shows its readiness: the predicted recall of its cards on the interview morning
(``quizapp.readiness``), worked out in a thread worker after the first frame.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from quizapp.checklist import ChecklistStatus, checklist_status
from quizapp.decks.kinds import names, quiz_kinds
from quizapp.plan import Group as ReadyGroup
from quizapp.plan import Readiness, gather, readiness
from quizapp.store import StoreError
from quizapp.ui.screens.base import QuizScreen, styles
from quizapp.ui.widgets.title_bar import TitleBar
from quizapp.wording import counted


class ItemRow:
    """A checklist row in two columns, the marks (recall, tick) and the numbered item: an item
    longer than a line wraps under its own words, not back under the percentages (at 80 columns
    "of gradients)." stood under "0%" as if a row of its own). ``str()`` is its one-line text."""

    def __init__(self, marks: Text, text: Text) -> None:
        self.marks = marks
        self.text = text
        self.grid = Table.grid(expand=True)
        self.grid.add_column(width=len(marks), no_wrap=True)
        self.grid.add_column(ratio=1)
        self.grid.add_row(marks, text)

    def __str__(self) -> str:
        return self.marks.plain + self.text.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.grid

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.grid)


def _row(status: ChecklistStatus, ready: Readiness | None = None) -> ItemRow:
    marks = Text()
    # A column of predicted recall (a dot until the worker has it: no jump when it arrives).
    group = _group(ready, status.number)
    if ready is not None and group is not None and group.items:
        style = "green" if group.ready >= ready.target else "yellow"
        marks.append(f"{group.ready:>4.0%} ", style=style)
    else:
        marks.append("   · ", style="dim")
    marks.append(
        "[x] " if status.ticked else "[ ] ", style="bold green" if status.ticked else "dim"
    )
    text = Text(f"{status.number}. ", style="bold")
    text.append(status.text, style="not bold")
    if status.ready:
        text.append("  ready", style="bold green")
    return ItemRow(marks, text)


def _group(ready: Readiness | None, number: int) -> ReadyGroup | None:
    """The checklist item's readiness (None before the worker has it)."""
    if ready is None:
        return None
    return next((g for g in ready.by_checklist if g.name == str(number)), None)


QUIZ_KINDS = tuple(quiz_kinds())


class ChecklistScreen(QuizScreen):
    CSS_PATH = styles("checklist")

    BINDINGS = [
        Binding("space", "toggle_tick", "Tick / untick"),
        Binding("p", "practise", "Study its cards"),
        Binding("z", "quiz", "Quiz it"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    @dataclass
    class Ready(Message):
        """Readiness on the interview morning (or now, without a date), from the worker."""

        readiness: Readiness | None

    ready: Readiness | None = None

    def __init__(self, number: int | None = None) -> None:
        """``number``: the item to open on (the palette's jump to a checklist item)."""
        super().__init__()
        self.start_number = number

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="checklist-summary")
        yield ProgressBar(total=9, show_eta=False, id="checklist-bar")
        yield OptionList(id="items")
        with VerticalScroll(id="evidence-scroll"):
            yield Static(id="evidence")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        items = self.query_one("#items", OptionList)
        numbers = [s.number for s in self.statuses]
        if self.start_number in numbers:
            items.highlighted = numbers.index(self.start_number)
        items.focus()

    def on_screen_resume(self) -> None:
        self.reload()
        self.load_readiness()  # also runs when the screen first shows

    def on_store_changed(self) -> None:
        self.reload()
        self.load_readiness()

    @work(thread=True, exclusive=True, group="checklist-readiness")
    def load_readiness(self) -> None:
        app = self.app
        try:
            found: Readiness | None = readiness(gather(app.store, app.library))
        except StoreError:
            found = None  # the store's own notice says why; the checklist works without it
        self.post_message(self.Ready(found))

    @on(Ready)
    def show_readiness(self, message: Ready) -> None:
        self.ready = message.readiness
        self.reload()

    def reload(self) -> None:
        self.statuses = checklist_status(self.app.store, self.app.library)
        items = self.query_one("#items", OptionList)
        highlighted = items.highlighted or 0
        items.clear_options()
        items.add_options([Option(_row(s, self.ready), id=str(s.number)) for s in self.statuses])
        if self.statuses:
            items.highlighted = min(highlighted, len(self.statuses) - 1)
        done = sum(1 for s in self.statuses if s.ticked)
        ready = sum(1 for s in self.statuses if s.ready)
        summary = Text.assemble(
            ("Revision checklist  ", "bold"),
            f"{done} of {len(self.statuses)} ticked · {ready} ready by the evidence",
        )
        if self.ready is not None:
            at = "on the interview morning" if self.interview_ahead() else "now"
            summary.append(f" · %: predicted recall {at}", style="dim")
        self.query_one("#checklist-summary", Static).update(summary)
        self.query_one("#checklist-bar", ProgressBar).update(
            total=max(len(self.statuses), 1), progress=done
        )
        self.show_evidence()

    def interview_ahead(self) -> bool:
        """Readiness is for the interview morning (else for now: no date, or it has passed)."""
        ready, day = self.ready, self.app.store.settings.interview_date
        return ready is not None and day is not None and ready.at.astimezone().date() == day

    def current(self) -> ChecklistStatus | None:
        index = self.query_one("#items", OptionList).highlighted
        if index is None or not self.statuses:
            return None
        return self.statuses[index]

    def show_evidence(self) -> None:
        status = self.current()
        panel = self.query_one("#evidence", Static)
        if status is None:
            panel.update("No checklist items in the decks.")
            return
        settings = self.app.store.settings
        target = settings.desired_retention
        table = Table(expand=True, box=None, padding=(0, 1))
        table.add_column("Linked card", ratio=3)
        table.add_column("Reviews", justify="right")
        table.add_column("Right", justify="right")
        table.add_column("Recall", justify="right")
        for link in status.links:
            recall = "new" if link.recall is None else f"{link.recall:.0%}"
            style = "green" if link.recall is not None and link.recall >= target else ""
            title = link.title or f"{link.item_id} (no longer in the decks)"
            table.add_row(
                Text(title), str(link.reviews), str(link.correct), Text(recall, style=style)
            )
        at_interview = settings.interview_date is not None and (
            status.recall_at.astimezone().date() == settings.interview_date
        )
        when = (
            f"on your interview morning ({settings.interview_date:%d %b})"
            if at_interview
            else "now"
        )
        head = Text.assemble(
            (f"{status.number}. {status.text}\n", "bold"),
            (
                f"Recall {when}; ready when every card is at {target:.0%} or more · "
                f"{status.answered_right} of {len(status.links)} answered right at least once",
                "dim",
            ),
        )
        group = _group(self.ready, status.number)
        if self.ready is not None and group is not None and group.items:
            head.append(
                f"\nPredicted recall {'on the morning' if self.interview_ahead() else 'now'}: "
                f"{group.ready:.0%} on average, {group.below} of "
                f"{counted(group.items, 'card')} below "
                f"{self.ready.target:.0%}",
                style="bold",
            )
        if status.ticked_at:
            head.append(f"\nTicked {status.ticked_at.astimezone():%d %b %Y %H:%M}", style="green")
        panel.update(Group(head, Text(""), table))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_toggle_tick()

    def action_toggle_tick(self) -> None:
        # Not action_toggle: that is Textual's DOMNode.action_toggle(attribute_name).
        status = self.current()
        if status is None:
            return
        self.app.store.set_ticked(status.number, not status.ticked)
        self.reload()

    def linked(self, kinds: tuple[str, ...]) -> list[str]:
        """The highlighted item's linked ids of these kinds (cards no longer in the decks drop)."""
        status = self.current()
        if status is None:
            return []
        return [link.item_id for link in status.links if link.kind in kinds]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "practise":
            return bool(self.linked(names(study=True)))
        if action == "quiz":
            return bool(self.linked(QUIZ_KINDS))
        return True

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_evidence()
        self.refresh_bindings()

    def action_practise(self) -> None:
        """Flashcards: self-rated study of this item's cards."""
        from quizapp.ui.screens.study import StudyScreen

        status = self.current()
        ids = self.linked(names(study=True))
        if status is not None and ids:
            self.app.push_screen(StudyScreen(ids=ids, title=f"Checklist {status.number}"))

    def action_quiz(self) -> None:
        """Questions and drills: a graded quiz over this item's linked practice items."""
        from quizapp.ui.screens.quiz import QuizRunScreen

        ids = self.linked(QUIZ_KINDS)
        if ids:
            self.app.push_screen(QuizRunScreen(self.app.new_quiz(item_ids=ids)))
