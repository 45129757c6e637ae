"""Stats: the key numbers, reviews per day, accuracy per tag, the due forecast and the weakest
cards. The numbers come from quizapp.stats.compute_stats, run in a thread worker because it
reads the whole history (about 200 ms on a large one); a loading state shows meanwhile. The same
worker works out readiness on the interview morning (``quizapp.readiness``). f narrows the
screen to one deck (remembered for the session, shared with the Drills list)."""

from __future__ import annotations

from datetime import date, datetime

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from quizapp.plan import Readiness, gather, readiness
from quizapp.stats import DUE_WORDS, Stats, compute_stats
from quizapp.store import StoreError
from quizapp.ui.screens.base import QuizScreen, styles
from quizapp.ui.widgets.plots import Chart
from quizapp.ui.widgets.title_bar import TitleBar
from quizapp.wording import counted

# Accuracy bars beyond this many tags would not fit the panel; the weakest tags are kept.
MAX_TAGS = 8
# Tags listed in the readiness strip (the weakest; the Plan screen has them all).
READY_TAGS = 6


def next_deck(current: str | None, decks: list[str]) -> str | None:
    """The deck after ``current`` in "all, then each deck" order (None is all)."""
    order: list[str | None] = [None, *decks]
    at = order.index(current) if current in order else 0
    return order[(at + 1) % len(order)]


def readiness_text(ready: Readiness, when: str, width: int = 80) -> Text:
    """Overall, per deck and the weakest tags (as many as fit ``width``), in three lines;
    ``when`` says for when ("Ready on Thu 03 Dec (all decks)")."""
    text = Text(no_wrap=False)
    text.append(f"{when}: {ready.overall.ready:.0%}", style="bold")
    text.append(f" · {len(ready.below)} below {ready.target:.0%}")
    text.append(f" · {ready.unseen} unseen", style="dim")
    if ready.by_deck:
        text.append("\nDecks: ", style="bold")
        text.append(" · ".join(f"{g.name} {g.ready:.0%} ({g.below} below)" for g in ready.by_deck))
    line = "Weakest tags: "
    cells: list[str] = []
    for g in sorted(ready.by_tag, key=lambda g: (g.ready, g.name))[:READY_TAGS]:
        cell = f"{g.name} {g.ready:.0%}"
        if cells and len(line) + len(" · ".join([*cells, cell])) > width:
            break  # one line: the weakest that fit
        cells.append(cell)
    if cells:
        text.append("\n" + line, style="bold")
        text.append(" · ".join(cells))
    return text


def _day(d: date) -> str:
    return f"{d:%b} {d.day}"


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _tile(value: str, label: str, note: str = "") -> Text:
    text = Text()
    text.append(value, style="bold")
    if note:
        text.append(f"  {note}", style="dim")
    text.append(f"\n{label}", style="dim")
    return text


class Panel(Vertical):
    """A stats panel that tells its screen when its size changes: how much of a panel's data
    fits (tags on a line, bars in a chart) is worked out for the size it has once laid out."""

    class Resized(Message):
        def __init__(self, panel: Panel) -> None:
            super().__init__()
            self.panel = panel

    def on_resize(self) -> None:
        self.post_message(self.Resized(self))


class ReadyStrip(Static):
    """The readiness strip: its weakest-tags line holds as many tags as its width has room for."""

    def on_resize(self) -> None:
        self.post_message(Panel.Resized(self))  # type: ignore[arg-type]


class StatsScreen(QuizScreen):
    """``now`` fixes the moment the stats are computed for (tests); None means the current time
    at each load."""

    CSS_PATH = styles("stats")

    BINDINGS = [
        Binding("r", "reload", "Refresh"),
        Binding("s", "study", "Study now"),
        Binding("f", "cycle_deck", "Deck filter"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, *, now: datetime | None = None) -> None:
        super().__init__()
        self.now = now
        self.stats: Stats | None = None
        self.ready: Readiness | None = None
        # The sizes the readiness strip and the tag chart were last fitted to (see settled).
        self._fitted: dict[str, Size] = {}

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="stats-body"):
            with Horizontal(id="stats-keys"):
                for key in ("reviews", "streak", "retention", "due", "checklist"):
                    yield Static(id=f"key-{key}", classes="stat-tile")
            yield ReadyStrip(id="stats-ready")
            yield Static(id="stats-empty")
            with Vertical(id="stats-grid"):
                with Horizontal(classes="stats-row"):
                    yield self.panel("reviews", "Reviews per day · last 30 days", Chart)
                    yield self.panel("forecast", "Due · next 14 days", Chart)
                with Horizontal(classes="stats-row"):
                    yield self.panel("accuracy", "Accuracy per tag", Chart)
                    yield self.panel("weakest", "Weakest cards · most missed", Static)
        yield Footer()

    @staticmethod
    def panel(key: str, title: str, kind: type[Chart] | type[Static]) -> Vertical:
        box = Panel(kind(id=f"chart-{key}" if kind is Chart else key), id=f"panel-{key}",
                    classes="panel stats-panel")  # fmt: skip
        box.border_title = title
        return box

    def on_mount(self) -> None:
        self.query_one("#stats-empty").display = False
        self.query_one("#stats-ready").display = False
        self.action_reload()

    @property
    def deck(self) -> str | None:
        """The deck the screen is narrowed to (None: all), kept on the app for the session."""
        return self.app.deck_filter

    def action_cycle_deck(self) -> None:
        self.app.deck_filter = next_deck(self.deck, self.app.library.decks)
        self.notify(f"Stats: {self.deck_label()}", timeout=2, markup=False)
        self.action_reload()

    def deck_label(self) -> str:
        return "all decks" if self.deck is None else f"deck {self.deck}"

    # -- loading
    def on_store_changed(self) -> None:
        self.load()  # quietly: the figures change in place

    def action_reload(self) -> None:
        self.query_one("#stats-body").loading = True
        self.load()

    class Loaded(Message):
        """The numbers (or why they could not be read), from the loading thread."""

        def __init__(self, stats: Stats | str, ready: Readiness | None = None) -> None:
            super().__init__()
            self.stats = stats
            self.ready = ready

    @work(thread=True, exclusive=True, group="stats")
    def load(self) -> None:
        app = self.app
        deck = self.deck
        ready: Readiness | None = None
        try:
            stats: Stats | str = compute_stats(app.store, app.library, now=self.now, deck=deck)
            ready = readiness(gather(app.store, app.library.only_deck(deck), now=self.now))
        except StoreError as exc:
            stats = str(exc)
        if not get_current_worker().is_cancelled:
            # post_message is thread-safe, and a screen that was left gets no message.
            self.post_message(self.Loaded(stats, ready))

    def on_stats_screen_loaded(self, event: Loaded) -> None:
        self.show_ready(event.ready)
        self.show(event.stats)

    def on_panel_resized(self, event: Panel.Resized) -> None:
        """Fit the strip's tags and the chart's bars again to a panel's new size (the strip's
        height, once it shows, changes the grid's, so both arrive after the data, in any order)."""
        if event.panel.id == "stats-ready" and self.ready is not None:
            self.show_ready(self.ready)
        elif event.panel.id == "panel-accuracy" and self.stats and self.stats.reviews_total:
            self.show_accuracy(self.stats)

    def settled(self) -> bool:
        """The numbers are loaded and drawn for the panels' sizes as laid out now (what a test
        waits for before it looks: the drawing follows the data by a layout or two)."""
        if self.stats is None or self.query_one("#stats-body").loading:
            return False
        ready = self.query_one("#stats-ready").content_size
        if self.ready is not None and (not ready or self._fitted.get("ready") != ready):
            return False
        if self.stats.reviews_total:
            panel = self.query_one("#panel-accuracy").content_size
            chart = self.query_one("#chart-accuracy", Chart)
            return (
                bool(panel)
                and self._fitted.get("accuracy") == panel
                and chart.size.height == chart.styles.height.cells  # type: ignore[union-attr]
            )
        return True

    def show_ready(self, ready: Readiness | None) -> None:
        self.ready = ready
        panel = self.query_one("#stats-ready", Static)
        panel.display = ready is not None
        if ready is None:
            return
        day = self.app.store.settings.interview_date
        if day is not None and ready.at.astimezone().date() == day:
            when = f"Ready on {day:%a %d %b} ({self.deck_label()})"
        else:  # no date (or it has passed): recall now
            when = f"Recall now ({self.deck_label()}, no interview date)"
        width = (panel.content_size.width or self.size.width - 4) - 1
        panel.update(readiness_text(ready, when, width))
        self._fitted["ready"] = panel.content_size

    def show(self, stats: Stats | str) -> None:
        body = self.query_one("#stats-body")
        body.loading = False
        empty = self.query_one("#stats-empty", Static)
        grid = self.query_one("#stats-grid")
        if isinstance(stats, str):
            empty.update(Text(f"Could not read your progress: {stats}", style="bold red"))
            empty.display, grid.display = True, False
            return
        self.stats = stats
        self.show_keys(stats)
        if stats.reviews_total == 0:
            empty.update(self.empty_message(stats))
            empty.display, grid.display = True, False
            return
        empty.display, grid.display = False, True
        self.show_reviews(stats)
        self.show_forecast(stats)
        # Drawn for the panel's size now; again when the grid, just shown, is laid out (how many
        # bars fit depends on its height): see on_panel_resized.
        self.show_accuracy(stats)
        self.show_weakest(stats)

    # -- the parts
    def show_keys(self, stats: Stats) -> None:
        def put(key: str, text: Text) -> None:
            self.query_one(f"#key-{key}", Static).update(text)

        # "56 reviews / 12 today": each number with its own words.
        total = stats.reviews_total
        put(
            "reviews",
            _tile(f"{total} review{'' if total == 1 else 's'}", f"{stats.reviews_today} today"),
        )
        days = stats.streak_days
        put("streak", _tile(f"{days} day{'s' if days != 1 else ''}", "streak"))
        put(
            "retention",
            _tile(
                _percent(stats.retention),
                "true retention",
                f"of {stats.retention_reviews}" if stats.retention_reviews else "",
            ),
        )
        due = stats.due
        words = {key: label.lower() for key, (label, _) in DUE_WORDS.items()}
        tile = Text(no_wrap=True, overflow="ellipsis")
        cards = words["cards"] if due.cards != 1 else words["cards"].replace("cards", "card")
        tile.append(f"{due.cards} {cards}", style="bold")
        tile.append(f"\n{due.practice} {words['practice']}\n{due.new} {words['new']}", style="dim")
        put("due", tile)
        self.query_one("#key-due", Static).tooltip = "\n".join(
            f"{label}: {meaning}" for label, meaning in DUE_WORDS.values()
        )
        put(
            "checklist",
            _tile(f"{stats.checklist_done} of {stats.checklist_total}", "checklist ticked"),
        )

    @staticmethod
    def empty_message(stats: Stats) -> Text:
        text = Text()
        text.append("No reviews yet\n\n", style="bold")
        text.append(
            "This is where your practice shows up: reviews per day, how often you remember "
            "cards you have learned, accuracy per tag, what comes due when, and the cards that "
            "need you most.\n\n"
        )
        text.append(f"{counted(stats.due.new, 'new card is', 'new cards are')} ready for today. ")
        text.append("Press s to study your first ones.", style="bold")
        return text

    def show_reviews(self, stats: Stats) -> None:
        days = [d for d, _ in stats.reviews_per_day]
        ticks = [0, 7, 14, 21, len(days) - 1]
        self.query_one("#chart-reviews", Chart).bars(
            [_day(d) for d in days],
            [n for _, n in stats.reviews_per_day],
            name="reviews",
            ticks=(ticks, [_day(days[i]) for i in ticks]),
        )

    def show_forecast(self, stats: Stats) -> None:
        days = [d for d, _ in stats.due_forecast]
        ticks = [0, 7, len(days) - 1]
        self.query_one("#chart-forecast", Chart).bars(
            [_day(d) for d in days],
            [n for _, n in stats.due_forecast],
            name="due",
            ticks=(ticks, ["today", *(_day(days[i]) for i in ticks[1:])]),
        )

    def show_accuracy(self, stats: Stats) -> None:
        rated = [(t, a.rate) for t, a in stats.accuracy_by_tag.items() if a.rate is not None]
        rated.sort(key=lambda tr: (tr[1], tr[0]))  # weakest first, drawn at the top
        chart = self.query_one("#chart-accuracy", Chart)
        panel = self.query_one("#panel-accuracy")
        # One row per bar, as many bars as the panel has rows for (less the chart's axis), so
        # the subtitle's "weakest N" is what is drawn; a bar over several rows would come out
        # with half-block rows between bars.
        rows = panel.content_size.height - 3 if panel.content_size.height else MAX_TAGS
        shown = rated[: max(1, min(MAX_TAGS, rows))]
        chart.styles.height = len(shown) + 3
        chart.bars(
            [f"{t} {r:.0%}" for t, r in shown],
            [round(100 * r) for _, r in shown],
            name="accuracy",
            horizontal=True,
            limit=(0, 100),
        )
        panel.border_subtitle = (
            f"the weakest {len(shown)} of {len(rated)} tags"
            if len(rated) > len(shown)
            else "% of reviews not forgotten"
        )
        self._fitted["accuracy"] = panel.content_size

    def show_weakest(self, stats: Stats) -> None:
        table = Table(
            box=box.SIMPLE_HEAD, expand=True, pad_edge=False, show_edge=False, header_style="bold"
        )
        table.add_column("Card", ratio=1, no_wrap=True, overflow="ellipsis")
        table.add_column("lapses", justify="right", no_wrap=True)
        table.add_column("wrong", justify="right", no_wrap=True)
        for w in stats.weakest:
            table.add_row(
                Text(w.title),
                Text(str(w.lapses), style="red" if w.lapses else ""),
                f"{w.wrong}/{w.reviews}",
            )
        parts: list[Text | Table] = [table] if stats.weakest else []
        if not stats.weakest:
            parts.append(Text("Nothing missed twice yet: no card is weak so far.", style="dim"))
        if stats.seen_once:
            parts.append(
                Text(
                    f"{counted(stats.seen_once, 'card', 'cards')} seen once "
                    f"{'is' if stats.seen_once == 1 else 'are'} not ranked yet.",
                    style="dim",
                )
            )
        self.query_one("#weakest", Static).update(Group(*parts))

    # -- actions
    def action_study(self) -> None:
        # On top of this screen, so esc comes back here (esc goes back one step everywhere).
        from quizapp.ui.screens.study import StudyScreen

        self.app.push_screen(StudyScreen())

    def action_back(self) -> None:
        self.dismiss()
