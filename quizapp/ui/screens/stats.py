"""Stats: the key numbers, reviews per day, accuracy per tag, the due forecast and the weakest
cards. The numbers come from quizapp.stats.compute_stats, run in a thread worker because it
reads the whole history (about 200 ms on a large one); a loading state shows meanwhile."""

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
from textual.message import Message
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from quizapp.stats import DUE_WORDS, Stats, compute_stats
from quizapp.store import StoreError
from quizapp.ui.screens.base import QuizScreen, styles
from quizapp.ui.widgets.plots import Chart
from quizapp.ui.widgets.title_bar import TitleBar

# Accuracy bars beyond this many tags would not fit the panel; the weakest tags are kept.
MAX_TAGS = 8


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


class StatsScreen(QuizScreen):
    """``now`` fixes the moment the stats are computed for (tests); None means the current time
    at each load."""

    CSS_PATH = styles("stats")

    BINDINGS = [
        Binding("r", "reload", "Refresh"),
        Binding("s", "study", "Study now"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, *, now: datetime | None = None) -> None:
        super().__init__()
        self.now = now
        self.stats: Stats | None = None

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="stats-body"):
            with Horizontal(id="stats-keys"):
                for key in ("reviews", "streak", "retention", "due", "checklist"):
                    yield Static(id=f"key-{key}", classes="stat-tile")
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
        box = Vertical(kind(id=f"chart-{key}" if kind is Chart else key), id=f"panel-{key}",
                       classes="panel stats-panel")  # fmt: skip
        box.border_title = title
        return box

    def on_mount(self) -> None:
        self.query_one("#stats-empty").display = False
        self.action_reload()

    # -- loading
    def action_reload(self) -> None:
        self.query_one("#stats-body").loading = True
        self.load()

    class Loaded(Message):
        """The numbers (or why they could not be read), from the loading thread."""

        def __init__(self, stats: Stats | str) -> None:
            super().__init__()
            self.stats = stats

    @work(thread=True, exclusive=True, group="stats")
    def load(self) -> None:
        app = self.app
        try:
            stats: Stats | str = compute_stats(app.store, app.library, now=self.now)
        except StoreError as exc:
            stats = str(exc)
        if not get_current_worker().is_cancelled:
            # post_message is thread-safe, and a screen that was left gets no message.
            self.post_message(self.Loaded(stats))

    def on_stats_screen_loaded(self, event: Loaded) -> None:
        self.show(event.stats)

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
        self.show_accuracy(stats)
        # Again once the grid, just shown, is laid out: how many bars fit depends on its height.
        self.call_after_refresh(self.show_accuracy, stats)
        self.show_weakest(stats)

    # -- the parts
    def show_keys(self, stats: Stats) -> None:
        def put(key: str, text: Text) -> None:
            self.query_one(f"#key-{key}", Static).update(text)

        put("reviews", _tile(str(stats.reviews_total), "reviews", f"{stats.reviews_today} today"))
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
        tile.append(f"{due.cards} {words['cards']}", style="bold")
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
        text.append(f"{stats.due.new} new cards are ready for today. ")
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

    def on_resize(self) -> None:
        if self.stats is not None and self.stats.reviews_total:
            self.show_accuracy(self.stats)  # how many tag bars fit depends on the height

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
                Text(f"{stats.seen_once} cards seen once are not ranked yet.", style="dim")
            )
        self.query_one("#weakest", Static).update(Group(*parts))

    # -- actions
    def action_study(self) -> None:
        # On top of this screen, so esc comes back here (esc goes back one step everywhere).
        from quizapp.ui.screens.study import StudyScreen

        self.app.push_screen(StudyScreen())

    def action_back(self) -> None:
        self.dismiss()
