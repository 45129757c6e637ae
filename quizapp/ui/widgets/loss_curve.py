"""The picture of a "read the loss curve" card: its training and validation curves and any named
series (a metric against a second, right-hand axis) drawn by plotext as a static renderable, so
the same picture sits in a quiz question and on a study card.

The curves come from quizapp.training_curves (the core); this module only draws them. A run
that diverged stops where its loss became NaN, and the caption says so.
"""

from __future__ import annotations

import math

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual_plotext.plot import Plot

from quizapp.decks.models import LossCurve
from quizapp.training_curves import curves, first_nan
from quizapp.ui.widgets.plots import _tick_text, nice_ticks

COLORS = {"train": "cyan", "validation": "orange"}
# Named series take these in order (after the colours train and validation use).
PALETTE = ("magenta", "green", "yellow", "red", "blue", "white")
# Big enough to read a trend, small enough to leave room for the options.
WIDTH = 64
HEIGHT = 13
# On a short terminal the plot gives up rows, down to this many, so that a question's plot and its
# options fit on one screen (at 80x24: 21 rows for the question, 10 for the plot).
MIN_HEIGHT = 8
# Narrower than this, the axis labels and the legend leave no room for the curves.
MIN_WIDTH = 36
# The rows a screen keeps for the rest: title, status and footer (3), the options (up to 10) and
# the line between them and the plot.
OTHER_ROWS = 14


def fit_height(terminal_rows: int) -> int:
    """The plot's height on a terminal this many rows tall."""
    return max(MIN_HEIGHT, min(HEIGHT, terminal_rows - OTHER_ROWS))


def _colors(names: list[str]) -> dict[str, str]:
    free = iter(PALETTE)
    return {n: COLORS.get(n) or next(free, "white") for n in names}


def _limits(values: list[float], headroom: float) -> tuple[float, float] | None:
    shown = [v for v in values if not math.isnan(v)]
    if not shown:
        return None
    low, high = min(shown), max(shown)
    return low, high + headroom * (high - low or 1.0)


def aligned_axis(low: float, high: float, rows: int) -> tuple[float, float, list[float]]:
    """Limits and ticks for a y axis ``rows`` rows tall that covers [low, high]: a tick on
    every row (every other or third row on a tall plot), each at a round value. plotext puts a
    label on the row nearest its value, so ticks that did not fall on rows came out uneven:
    "2.02" right above "1.03" on an axis that stepped by 0.49 elsewhere."""
    span = high - low
    if not (span > 0 and math.isfinite(span)) or rows < 2:
        return low, high, [low]
    gaps = rows - 1
    every = next((m for m in (1, 2, 3) if gaps % m == 0 and gaps // m <= MAX_TICK_GAPS), 1)
    intervals = gaps // every
    step = _round_up(span / intervals)
    while True:
        start = math.floor(low / step + 1e-9) * step
        if start + intervals * step >= high - 1e-9 * abs(high):
            break
        step = _round_up(step * 1.001)
    ticks = [round(start + k * step, 10) for k in range(intervals + 1)]
    return ticks[0], ticks[-1], ticks


# Round values a tick may step by, times a power of ten (two significant digits at most).
ROUND_STEPS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
MAX_TICK_GAPS = 6


def _round_up(raw: float) -> float:
    """The smallest round step (``ROUND_STEPS`` times a power of ten) that is at least ``raw``."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in ROUND_STEPS if m * power >= raw * (1 - 1e-12))


def curve_renderable(card: LossCurve, width: int = WIDTH, height: int = HEIGHT) -> RenderableType:
    """The card's curves against the epoch (or its ``xlabel``), with a legend, a second axis on
    the right for a metric when the card has one, and a caption naming any NaN."""
    plot = Plot()
    plot.theme("clear")  # no background colour: it reads on every app theme
    plot.plotsize(width, height)
    left, right = curves(card, "loss"), curves(card, "metric")
    colors = _colors([*left, *right])
    for side, data in (("left", left), ("right", right)):
        for name, values in data.items():
            finite = [(t, v) for t, v in enumerate(values) if not math.isnan(v)]
            if finite:
                xs, ys = zip(*finite, strict=True)
                plot.plot(
                    list(xs), list(ys), label=name, marker="braille", color=colors[name], yside=side
                )
    plot.xlabel(card.xlabel or "epoch")
    plot.ylabel(card.ylabel or "loss")
    plot.xlim(0, card.epochs - 1)  # a run that broke off still shows how long it was meant to be
    # Epochs are whole numbers: round whole ticks (0, 20, 40), not plotext's 19.8, 39.5, ...
    ticks = [t for t in nice_ticks(0, card.epochs - 1) if float(t).is_integer()]
    plot.xticks(ticks, [str(int(t)) for t in ticks])
    # plotext draws the legend in the top-left corner: leave headroom so no curve hides.
    rows = len(left) + len(right)
    headroom = 0.3 if rows <= 2 else 0.22 * rows
    limits = _limits([v for values in left.values() for v in values], headroom)
    if limits:  # the data's rows: the height less the frame's top, the x axis and two labels
        low, high, ticks = aligned_axis(*limits, rows=height - 4)
        plot.ylim(low, high)
        plot.yticks(ticks, [_tick_text(t) for t in ticks])
    if right:
        # plotext takes yside="right" here too; its type stubs do not say so.
        plot.ylabel(card.metric or "", yside="right")  # type: ignore[call-arg]
        limits = _limits([v for values in right.values() for v in values], headroom)
        if limits:
            low, high, ticks = aligned_axis(*limits, rows=height - 4)
            plot.ylim(low, high, yside="right")  # type: ignore[arg-type]
            plot.yticks(ticks, [_tick_text(t) for t in ticks], yside="right")  # type: ignore[arg-type]
    picture = Text.from_ansi(plot.build())
    picture.rstrip()  # plotext ends with a newline: no blank row under the axis labels
    parts: list[RenderableType] = [picture]
    for name, values in {**left, **right}.items():
        nan_at = first_nan(values)
        if nan_at is not None:
            parts.append(Text(f"{name} loss: nan from epoch {nan_at} on", style="bold red"))
    return Group(*parts)


class CurvePicture:
    """A card's curves, drawn as tall as the terminal allows (``fit_height``) and no wider than
    the room it is given: in Textual a renderable's console size is the terminal's, so a short
    terminal gets a shorter plot, and a narrow pane (Browse's info pane beside the table) a
    narrower one rather than a plot whose rows wrap into the next."""

    def __init__(self, card: LossCurve, width: int = WIDTH) -> None:
        self.card = card
        self.width = width
        self._drawn: dict[tuple[int, int], RenderableType] = {}

    def picture(self, terminal_rows: int, room: int | None = None) -> RenderableType:
        height = fit_height(terminal_rows)
        width = self.width if room is None else max(MIN_WIDTH, min(self.width, room))
        if (width, height) not in self._drawn:  # drawn once per size, not once per frame
            self._drawn[width, height] = curve_renderable(self.card, width, height)
        return self._drawn[width, height]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.picture(options.size.height, options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        picture = self.picture(options.size.height, options.max_width)
        return Measurement.get(console, options, picture)
