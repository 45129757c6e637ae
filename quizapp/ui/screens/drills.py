"""Drills: pick a "compute this loss" drill or a gradient derivation and practise it."""

from __future__ import annotations

import random
from contextlib import suppress
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from quizapp.decks.models import GradientDrill, NumericDrill
from quizapp.ui.screens.base import QuizScreen, styles
from quizapp.ui.screens.quiz import QuestionRunner
from quizapp.ui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from quizapp.quiz import Quiz
    from quizapp.ui.app import QuizApp

SECTIONS = (
    (NumericDrill.kind, "Compute the loss", "numbers you can work with a basic calculator"),
    (GradientDrill.kind, "Derive the gradient", "type the derivative; it is checked symbolically"),
)


class DrillRow:
    """A drill's line in the list: its title, cut with "…" where the line is too narrow for it,
    then how often it was done, always on the same line."""

    def __init__(self, title: str, seen: str) -> None:
        self.title = title
        self.seen = seen

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        room = max(8, options.max_width - 2 - cell_len(self.seen))
        title = Text(self.title, no_wrap=True, overflow="ellipsis")
        title.truncate(room, overflow="ellipsis")
        yield Text.assemble("  ", title, (self.seen, "dim"), no_wrap=True, overflow="ellipsis")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        width = 2 + cell_len(self.title) + cell_len(self.seen)
        return Measurement(min(width, 10), width)


class DrillsScreen(QuizScreen):
    CSS_PATH = styles("practice")

    BINDINGS = [
        Binding("f", "cycle_deck", "Deck filter"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(self.status_text(), id="drills-status")
        yield OptionList(*self.options(), id="drill-list")
        yield Footer()

    def options(self) -> list[Option | None]:
        """The drills, by section, of the session's deck filter (``app.deck_filter``)."""
        options: list[Option | None] = []
        states = self.app.store.card_states()  # one query, not one per drill
        library = self.app.library.only_deck(self.app.deck_filter)
        for kind, title, blurb in SECTIONS:
            # The notes' drills first (the basics: MSE, BCE, cross-entropy), then the decks
            # beyond them, each in file order.
            cards = sorted(library.of_kind(kind), key=lambda c: c.section is None)
            if not cards:
                continue
            if options:
                options.append(None)
            options.append(
                Option(Text.assemble((title, "bold reverse"), "  ", (blurb, "dim")), disabled=True)
            )
            for card in cards:
                state = states.get(card.id)
                seen = "" if state is None else f"  · {state.reps} done"
                options.append(Option(DrillRow(card.title, seen), id=card.id))
        return options

    def refresh_list(self) -> None:
        """The list again, with fresh "N done" counts, the highlight kept on the same drill."""
        drills = self.query_one("#drill-list", OptionList)
        index = drills.highlighted
        current = drills.get_option_at_index(index).id if index is not None else None
        drills.clear_options()
        drills.add_options(self.options())
        if current is not None:
            with suppress(OptionDoesNotExist):
                drills.highlighted = drills.get_option_index(current)

    def on_screen_resume(self) -> None:
        # Back from a drill (or any screen): its answers count in "N done" at once.
        self.refresh_list()

    def on_store_changed(self) -> None:
        self.refresh_list()  # another process answered a drill

    def status_text(self) -> Text:
        deck = self.app.deck_filter
        return Text.assemble(
            ("Drills  ", "bold"),
            (f"deck {deck} (f: next)  " if deck else "", "bold"),
            ("enter opens one; every answer is saved and scheduled like a card", "dim"),
        )

    def action_cycle_deck(self) -> None:
        from quizapp.ui.screens.stats import next_deck

        app = self.app
        app.deck_filter = next_deck(app.deck_filter, app.library.decks)
        drills = self.query_one("#drill-list", OptionList)
        drills.clear_options()
        drills.add_options(self.options())
        drills.highlighted = None
        drills.action_cursor_down()  # the first drill, past the section heading
        self.query_one("#drills-status", Static).update(self.status_text())
        which = "all decks" if app.deck_filter is None else f"deck {app.deck_filter}"
        self.notify(f"Drills: {which}", timeout=2, markup=False)

    def on_mount(self) -> None:
        drills = self.query_one("#drill-list", OptionList)
        drills.focus()
        drills.action_cursor_down()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.push_screen(DrillRunScreen.for_item(self.app, event.option.id))


class DrillRunScreen(QuestionRunner):
    """One drill at a time; n gives another (fresh numbers, or the next derivation)."""

    BINDINGS = [
        Binding("r", "retry", "Retry this one"),
        Binding("n", "another", "Another"),
        Binding("m,enter", "another", "Another", show=False),
        Binding("escape", "end", "Back"),
        Binding("ctrl+t", "hint", "Hint"),
    ]

    def __init__(self, item_id: str, quiz: Quiz) -> None:
        super().__init__(quiz)
        self.item_id = item_id
        self.done = 0

    @classmethod
    def for_item(cls, app: QuizApp, item_id: str) -> DrillRunScreen:
        quiz = app.new_quiz(item_ids=[item_id], seed=random.randrange(10**6), mode="drill")
        return cls(item_id, quiz)

    def title_text(self) -> str:
        return "Drill"

    def position_text(self) -> str:
        return f"{self.done + 1} this round"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next":
            return False  # one drill at a time: n gives another
        if action == "another":
            view = self.view
            return view is not None and view.feedback is not None
        if action == "retry":  # after a miss: the same numbers, or the same derivation, again
            view = self.view
            return view is not None and view.feedback is not None and not view.feedback.correct
        return super().check_action(action, parameters)

    async def action_another(self) -> None:
        card = self.app.library.cards[self.item_id]
        if card.kind == GradientDrill.kind:
            ids = [c.id for c in self.app.library.of_kind(GradientDrill.kind)]
            self.item_id = ids[(ids.index(self.item_id) + 1) % len(ids)]
        self.done += 1
        fresh = self.app.new_quiz(
            item_ids=[self.item_id], seed=random.randrange(10**6), mode="drill"
        )
        # Keep one quiz session per sitting: move the new question into this run.
        self.session.questions.append(fresh.questions[0])
        self.index = len(self.session.questions) - 1
        await self.show_question()

    async def action_retry(self) -> None:
        view = self.view
        if view is None or view.feedback is None or view.feedback.correct:
            return
        # The same question (same drill numbers) again, as a new answer in this sitting; the
        # answer was just shown, so a right one is rated Again (quizapp.policy).
        self.done += 1
        self.index = self.session.ask_again(self.index)
        await self.show_question()

    def action_end(self) -> None:
        self.session.finish()
        self.dismiss()
