"""Flashcard study: question -> reveal (space) -> rate 1-4, with Anki-style next intervals,
undo (u) and a summary when the session ends. Also the focused trap drill."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from fsrs import Rating
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Button, Footer, Input, SelectionList, Static

from quizapp.decks import Card
from quizapp.decks.kinds import names
from quizapp.decks.models import Formula, Trap
from quizapp.policy import RATING_KEYS, RATING_LABELS, suggested_rating
from quizapp.scheduling import format_interval
from quizapp.stats import next_due
from quizapp.study import StudySession
from quizapp.ui.screens.base import QuizScreen, styles
from quizapp.ui.widgets.card_view import CardView
from quizapp.ui.widgets.more_below import NOTE as MORE_BELOW
from quizapp.ui.widgets.more_below import follow
from quizapp.ui.widgets.title_bar import TitleBar
from quizapp.wording import counted

if TYPE_CHECKING:
    from quizapp.ui.app import QuizApp


class TakeInput(Input):
    """The "your take" box on a trap. It has focus while the question shows, so the learner can
    type at once; while it is empty, space does what the button says (shows the answer) instead
    of typing a space. Keys that came with that space (typed fast, one read of the terminal)
    reach this box after the answer shows: they are the answer side's (a rating), not text."""

    async def _on_key(self, event: events.Key) -> None:
        if self.screen.focused is not self:  # the answer shows: hand the key back to the app
            event.stop()
            event.prevent_default()
            self.app.post_message(events.Key(event.key, event.character))
            return
        if event.key == "space" and not self.value.strip():
            event.stop()
            event.prevent_default()
            if isinstance(self.screen, StudyScreen):
                self.screen.action_reveal()  # now: the keys queued after it see it shown
            return
        await super()._on_key(event)


def _key_points(card: Card | None) -> tuple[str, ...]:
    """An interview question's key points, ticked on its answer side (none for other kinds)."""
    return StudySession.key_points(card) if card is not None else ()


class KeyPoints(SelectionList[int]):
    """The key points to tick. Showing the answer fills the list and highlights its first point;
    rating in the same tick (keys that arrive together) empties it again before the list has
    turned that highlight into its own message, which would then name a point that is gone
    (OptionDoesNotExist): such a stale highlight is dropped."""

    def _on_option_list_option_highlighted(self, event: SelectionList.OptionHighlighted) -> None:
        # Textual runs this handler of each class in the MRO: prevent_default skips SelectionList's.
        index = event.option_index
        if index >= self.option_count or self.get_option_at_index(index) is not event.option:
            event.stop()
            event.prevent_default()


class StudyScreen(QuizScreen):
    """A study session. With ``ids`` it walks those cards; otherwise what the queue says is due."""

    CSS_PATH = styles("study")

    BINDINGS = [
        Binding("space", "reveal", "Show answer"),
        # On the answer side space (as in Anki) and enter rate Good.
        Binding("space", "rate(3)", "Good", key_display="space"),
        Binding("enter", "rate(3)", "Good", show=False),
        Binding("1", "rate(1)", "Again", show=False),
        Binding("2", "rate(2)", "Hard", show=False),
        Binding("3", "rate(3)", "Good", show=False),
        Binding("4", "rate(4)", "Easy", show=False),
        Binding("a", "accept", "Accept suggestion", show=False),
        Binding("u", "undo", "Undo"),
        Binding("s", "more", "Study more"),
        Binding("v", "loss_curve", "Loss curve"),
        Binding("escape", "leave", "Back"),
        # q leaves the session, as esc does (it quits the app only from home): a stray q in the
        # middle of studying does not close everything.
        Binding("q", "leave_by_q", "Back", show=False),
        Binding("down,j", "scroll_card(2)", "Scroll down", show=False),
        Binding("up,k", "scroll_card(-2)", "Scroll up", show=False),
        Binding("pagedown", "scroll_card(10)", "Page down", show=False),
        Binding("pageup", "scroll_card(-10)", "Page up", show=False),
    ]

    # Which side of the current card shows; watch_revealed makes the screen follow it. Set for
    # every new card (always_update), and the keys on offer change with it (bindings).
    revealed: reactive[bool] = reactive(
        False, init=False, always_update=True, bindings=True, repaint=False
    )

    def __init__(
        self,
        *,
        ids: Sequence[str] | None = None,
        tag: str | None = None,
        kinds: Sequence[str] | None = None,
        title: str = "Study",
        ask_for_take: bool = False,
        deck: str | None = None,
    ) -> None:
        super().__init__()
        self._ids = list(ids) if ids is not None else None
        self._tag = tag
        self._deck = deck
        self._kinds = names(study=True) if kinds is None else tuple(kinds)
        self.session_title = title
        self.shown_intervals: dict[Rating, str] = {}
        self.ask_for_take = ask_for_take
        self.session: StudySession | None = None
        self.more_below = False  # the card goes on under the screen's edge
        self._status_extra = ""
        self._recheck_more: Callable[[], None] = lambda: None

    @classmethod
    def traps(cls, app: QuizApp) -> StudyScreen:
        """Every trap card, the due ones first: spot what is wrong, then check."""
        traps = [c.id for c in app.library.of_kind(Trap.kind)]
        due = app.queue().next(kinds=(Trap.kind,), limit=len(traps))
        ordered = due + [t for t in traps if t not in due]
        return cls(ids=ordered, kinds=(Trap.kind,), title="Traps", ask_for_take=True)

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(id="study-status")
        with VerticalScroll(id="card-scroll"):
            yield CardView(id="card")
            yield KeyPoints(id="points")
        with Center(id="take-row"):  # under the card, as wide as its text, on any terminal
            yield TakeInput(
                placeholder="Your take (optional): what is wrong with it?",
                id="take",
            )
        with Horizontal(id="actions"):
            yield Button("Show answer  (space)", id="reveal", variant="primary")
            for key, rating in RATING_KEYS.items():
                yield Button(f"{key} {RATING_LABELS[rating]}", id=f"rate-{key}", classes="rate")
        yield Static(id="summary")
        yield Footer()

    def on_mount(self) -> None:
        self._recheck_more = follow(
            self, self.query_one("#card-scroll", VerticalScroll), self._more_below_changed
        )
        if self.session is not None:  # a subclass's own session (the cram screen's)
            return
        app = self.app
        self.session = StudySession(
            app.queue(),
            app.library,
            ids=self._ids,
            tag=self._tag,
            kinds=self._kinds,
            deck=self._deck,
        )
        self.session.advance()
        self.show_current()

    # -- rendering
    def show_current(self) -> None:
        assert self.session is not None
        card = self.session.current
        if card is None:
            self.revealed = False
            self.show_summary()
            return
        self.remove_class("finished")
        self.query_one("#summary", Static).display = False
        self.query_one("#card", CardView).show(card)
        points = self.query_one("#points", SelectionList)
        points.clear_options()
        points.border_title = None
        take = self.query_one("#take", Input)
        take.value = ""
        self.revealed = False
        self.update_status()
        if take.display:
            take.focus()
        else:
            self.query_one("#reveal", Button).focus()
        self.query_one("#card-scroll", VerticalScroll).scroll_home(animate=False)

    def watch_revealed(self, revealed: bool) -> None:
        """The question side offers the reveal button (and, on a trap, the box for the learner's
        take); the answer side the rating buttons (and an interview question's key points)."""
        card = self.session.current if self.session else None
        self.query_one("#card", CardView).revealed = revealed
        take = self.query_one("#take", Input)
        take.display = not revealed and self.ask_for_take and card is not None
        points = self.query_one("#points", SelectionList)
        points.display = revealed and bool(_key_points(card))
        self.set_buttons(revealed=revealed)

    def update_status(self, extra: str = "") -> None:
        assert self.session is not None
        self._status_extra = extra
        total = self.session.total
        if total is not None:
            where = f"{self.session.position} of {total}"
        else:
            # The queue decides: what it still holds (the card on screen included).
            counts = self.app.queue().counts(kinds=self._kinds, tag=self._tag)
            where = f"{self.session.summary.reviewed} reviewed · {counts.total} left"
        # One line: what does not fit ends in "…", never cut mid-word.
        status = Text(self.session_title, style="bold", no_wrap=True, overflow="ellipsis")
        status.append(f"  ·  {where}")
        if extra:
            status.append(f"  ·  {extra}", style="dim")
        if self.more_below:
            status.append(f"  ·  {MORE_BELOW}", style="bold")
        if self._tag:
            status.append(f"  ·  tag {self._tag}", style="dim")
        if self._deck:
            status.append(f"  ·  deck {self._deck}", style="dim")
        self.query_one("#study-status", Static).update(status)

    def _more_below_changed(self, more: bool) -> None:
        self.more_below = more
        if self.session is not None:
            self.update_status(self._status_extra)

    def on_resize(self) -> None:
        self._recheck_more()

    def set_buttons(self, *, revealed: bool) -> None:
        self.query_one("#reveal", Button).display = not revealed
        intervals = self.session.intervals() if revealed and self.session else {}
        self.shown_intervals = intervals  # the toast after a rating repeats the button's words
        for key, rating in RATING_KEYS.items():
            button = self.query_one(f"#rate-{key}", Button)
            button.display = revealed
            if revealed:
                button.label = f"{key} {RATING_LABELS[rating]} · {intervals.get(rating, '')}"

    def show_summary(self) -> None:
        assert self.session is not None
        self.add_class("finished")
        for widget_id in ("#card-scroll", "#take", "#actions"):
            self.query_one(widget_id).display = widget_id == "#card-scroll"
        self.query_one("#points", SelectionList).display = False
        summary = self.session.summary
        text = Text()
        text.append("Session complete\n\n", style="bold")
        text.append(summary.describe() + "\n")
        counts = self.app.queue().counts(
            kinds=self._kinds or names(study=True), tag=self._tag, deck=self._deck
        )
        if counts.total:
            text.append(f"\nStill waiting: {counts.due + counts.learning} due, {counts.new} new. ")
            # Only a queue-driven session goes on with s (``check_action``); a chosen set of
            # cards (a palette jump, a checklist item) ends here.
            more = "Press s to keep going." if self._ids is None else "Study (s on Home) has them."
            text.append(more, style="bold")
        elif self._ids is None:
            text.append("\n" + self.nothing_waiting())
        text.append("\n\nesc: back    u: undo the last rating", style="dim")
        self.query_one("#card", CardView).show_text(text)
        self.update_status("done")

    # -- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.session is None:
            return True
        has_card = self.session.current is not None
        typing = isinstance(self.focused, Input)
        if action == "reveal":
            return has_card and not self.revealed and not typing
        if action == "rate":
            return has_card and self.revealed and not typing
        if action == "accept":
            return self.revealed and bool(_key_points(self.session.current))
        if action == "undo":
            return self.session.can_undo and not typing
        if action == "loss_curve":
            card = self.session.current
            return isinstance(card, Formula) and card.curve is not None and not typing
        if action == "more":
            # Only a queue-driven session can go on, and only once it has ended.
            return not has_card and self._ids is None
        if action == "leave_by_q":
            return not typing  # in the trap's answer box q is a letter
        if action == "scroll_card":
            # Arrow keys belong to the key-point list and the answer box while they have focus.
            return not isinstance(self.focused, Input | SelectionList)
        return True

    def action_reveal(self) -> None:
        assert self.session is not None
        card = self.session.current
        if card is None or self.revealed:
            return
        take = self.query_one("#take", Input)
        # The learner's own words go right above the answer, where they compare the two.
        self.query_one("#card", CardView).take = take.value.strip() if take.display else ""
        points = self.query_one("#points", SelectionList)
        key_points = _key_points(card)
        if key_points:
            points.add_options([(f"{i + 1}. {p}", i) for i, p in enumerate(key_points)])
        self.revealed = True
        if key_points:
            self.set_focus(points)  # at once, not after this tick: keys already queued follow
            # Highlight the first point, so the first space ticks it (not nothing).
            points.highlighted = 0
            # The tick list in view once laid out (on a short terminal it is below the fold).
            self.call_after_refresh(points.scroll_visible, animate=False)
            self.show_suggestion(card)
        else:
            self.set_focus(self.query_one("#rate-3", Button))

    def show_suggestion(self, card: Card) -> None:
        # On the tick list's border, beside the ticks it counts (the status line has no room
        # for it at 80 columns).
        points = self.query_one("#points", SelectionList)
        ticked = len(points.selected)
        total = len(StudySession.key_points(card))
        rating = suggested_rating(ticked, total)
        points.border_title = (
            f"{ticked} of {total} key points · suggested {RATING_LABELS[rating]} (a to accept)"
        )

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[int]) -> None:
        assert self.session is not None
        if self.session.current is not None:
            self.show_suggestion(self.session.current)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "take":
            self.action_reveal()

    def action_accept(self) -> None:
        assert self.session is not None
        card = self.session.current
        if card is None:
            return
        ticked = len(self.query_one("#points", SelectionList).selected)
        self.action_rate(int(suggested_rating(ticked, len(StudySession.key_points(card)))))

    def action_rate(self, value: int) -> None:
        assert self.session is not None
        if self.session.current is None or not self.revealed:
            return
        shown = self.shown_intervals.get(Rating(value))
        due = self.session.rate(Rating(value))
        back = shown or format_interval(max(due - datetime.now(UTC), timedelta(0)))
        self.notify(f"{RATING_LABELS[Rating(value)]} · back in {back}", timeout=2, markup=False)
        self.show_current()

    def action_undo(self) -> None:
        assert self.session is not None
        card = self.session.undo()
        if card is None:
            return
        self.query_one("#actions").display = True
        self.query_one("#card-scroll").display = True
        self.notify(f"Undone: {card.title[:60]}", timeout=2, markup=False)
        self.show_current()

    def action_loss_curve(self) -> None:
        """Open the formula's picture in the loss-curve explorer; escape comes back here."""
        from quizapp.ui.screens.curves import LossCurvesScreen

        card = self.session.current if self.session else None
        if isinstance(card, Formula) and card.curve is not None:
            self.app.push_screen(LossCurvesScreen(panel=card.curve))

    def action_scroll_card(self, lines: int) -> None:
        self.query_one("#card-scroll", VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_leave_by_q(self) -> None:
        self.action_leave()

    def action_leave(self) -> None:
        if self.session and self.session.summary.reviewed and self.session.current is not None:
            self.notify(self.session.summary.describe(), timeout=5, markup=False)
        self.dismiss()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id == "reveal":
            self.action_reveal()
        elif button_id.startswith("rate-"):
            self.action_rate(int(button_id.removeprefix("rate-")))

    def nothing_waiting(self) -> str:
        """Why there is nothing to study now, when that changes, and how to get more."""
        queue = self.app.queue()
        when = next_due(queue, self._kinds)
        if when is None:
            line = "Nothing else is due now."
        else:
            wait = format_interval(max(when - queue.now, timedelta(0)))
            line = f"Nothing else is due now; the next card comes due at {when.astimezone():%H:%M}"
            line += f" (in {wait})."
        limit = self.app.store.settings.new_per_day
        if queue.new_left_today() == 0:
            line += (
                f" Today's {counted(limit, 'new card')} {'is' if limit == 1 else 'are'} used:"
                " raise New cards per day in Settings (o)"
                " for more, or practise with a quiz (z) or drills (d)."
            )
        else:
            line += " You have seen every card here: practise with a quiz (z) or drills (d)."
        return line

    def action_more(self) -> None:
        """On the summary, s starts another round with whatever is due now."""
        if self.session is None or self.session.current is not None:
            return
        if self.session.advance() is None:
            # Nothing came: say why and when, rather than doing nothing.
            self.notify(self.nothing_waiting(), timeout=8, markup=False)
            return
        self.query_one("#actions").display = True
        self.show_current()
