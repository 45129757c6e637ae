"""The picture of a "read the loss curve" card: its training and validation curves drawn by
plotext as a static renderable, so the same picture sits in a quiz question and on a study card.

The curves come from quizapp.training_curves (the core); this module only draws them. A run
that diverged stops where its loss became NaN, and the caption says so.
"""

from __future__ import annotations

import math

from rich.console import Group, RenderableType
from rich.text import Text
from textual_plotext.plot import Plot

from quizapp.decks.models import LossCurve
from quizapp.training_curves import curves, first_nan
from quizapp.ui.widgets.plots import nice_ticks

COLORS = {"train": "cyan", "validation": "orange"}
# Big enough to read a trend at 80x24, small enough to leave room for the options.
WIDTH = 64
HEIGHT = 13


def curve_renderable(card: LossCurve, width: int = WIDTH, height: int = HEIGHT) -> RenderableType:
    """The two curves against the epoch, with a legend, and a caption naming any NaN."""
    plot = Plot()
    plot.theme("clear")  # no background colour: it reads on every app theme
    plot.plotsize(width, height)
    data = curves(card)
    for name, values in data.items():
        finite = [(t, v) for t, v in enumerate(values) if not math.isnan(v)]
        if finite:
            xs, ys = zip(*finite, strict=True)
            plot.plot(list(xs), list(ys), label=name, marker="braille", color=COLORS[name])
    plot.xlabel("epoch")
    plot.ylabel("loss")
    plot.xlim(0, card.epochs - 1)  # a run that broke off still shows how long it was meant to be
    # Epochs are whole numbers: round whole ticks (0, 20, 40), not plotext's 19.8, 39.5, ...
    ticks = [t for t in nice_ticks(0, card.epochs - 1) if float(t).is_integer()]
    plot.xticks(ticks, [str(int(t)) for t in ticks])
    shown = [v for values in data.values() for v in values if not math.isnan(v)]
    if shown:
        # plotext draws the legend in the top-left corner: leave headroom so no curve hides.
        low, high = min(shown), max(shown)
        plot.ylim(low, high + 0.3 * (high - low or 1.0))
    parts: list[RenderableType] = [Text.from_ansi(plot.build())]
    for name, values in data.items():
        nan_at = first_nan(values)
        if nan_at is not None:
            parts.append(Text(f"{name} loss: nan from epoch {nan_at} on", style="bold red"))
    return Group(*parts)
