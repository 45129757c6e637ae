"""Terminal plots drawn by plotext (through textual-plotext's PlotextPlot).

``Chart`` remembers what it was last asked to draw (``drawn``, ``xlabel``, ``ylabel``), so a
screen (and a test) can tell what is on it without reading plotext's canvas.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

from textual.app import RenderResult
from textual_plotext import PlotextPlot

# The legend shows each series' name; lines use braille dots, the finest marker a terminal has.
LINE_MARKER = "braille"
BAR_MARKER = "hd"


class Chart(PlotextPlot):
    """A PlotextPlot with line and bar helpers that replace whatever was drawn before."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.drawn: dict[str, list[float]] = {}
        self._count_axis: tuple[bool, float] | None = None
        self.xlabel = ""
        self.ylabel = ""

    def _reset(self, xlabel: str, ylabel: str) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.xlabel(xlabel)
        plt.ylabel(ylabel)
        self.xlabel, self.ylabel = xlabel, ylabel
        self.drawn = {}
        self._count_axis = None

    def lines(
        self,
        x: Iterable[float],
        series: Mapping[str, Iterable[float]],
        *,
        xlabel: str = "",
        ylabel: str = "",
        vlines: Iterable[float] = (),
        ylim: tuple[float, float] | None = None,
    ) -> None:
        """One line per series against ``x``; dotted vertical guides at ``vlines``."""
        self._reset(xlabel, ylabel)
        plt = self.plt
        xs = [float(v) for v in x]
        for name, ys in series.items():
            values = [float(v) for v in ys]
            plt.plot(xs, values, label=name, marker=LINE_MARKER)
            self.drawn[name] = values
        for v in vlines:
            plt.vline(float(v), "gray")
        every = [v for ys in self.drawn.values() for v in ys]
        if ylim is None and every:
            low, high = min(every), max(every)
            # plotext puts the legend in the top-left corner, over the data: leave headroom
            # for it above the highest point so no curve hides behind it.
            headroom = (high - low) * (len(series) + 1) / 12 if len(series) > 1 else 0.0
            ylim = (low, high + headroom)
        if ylim is not None:
            plt.ylim(*ylim)
            ticks = nice_ticks(*ylim)
            plt.yticks(ticks, [_tick_text(t) for t in ticks])
        self.refresh()

    def bars(
        self,
        labels: Sequence[str],
        values: Sequence[float],
        *,
        name: str = "",
        horizontal: bool = False,
        xlabel: str = "",
        ylabel: str = "",
        ticks: tuple[Sequence[int], Sequence[str]] | None = None,
        limit: tuple[float, float] | None = None,
    ) -> None:
        """A bar per label, in order (left to right, or top to bottom when ``horizontal``).

        With ``ticks`` (positions, texts) the bars stand at positions 0, 1, ... and only the given
        positions are labelled (for many bars, such as one per day); zero bars are left out there,
        so an empty day shows as a gap, not as a sliver. Without ``limit`` the value axis runs
        from 0 to a round number with whole-number ticks (these are counts).
        """
        self._reset(xlabel, ylabel)
        plt = self.plt
        heights = [float(v) for v in values]
        self.drawn = {name or "values": heights}
        orientation: Literal["horizontal", "vertical"] = "horizontal" if horizontal else "vertical"
        if ticks is None:
            names, shown = list(labels), heights
            if horizontal:  # plotext stacks horizontal bars from the bottom up
                names, shown = names[::-1], shown[::-1]
            plt.bar(names, shown, orientation=orientation, width=0.6, marker=BAR_MARKER)
        else:
            at = [i for i, h in enumerate(heights) if h > 0]
            # Many bars get under two cells each: bars much thinner than a cell come out one
            # half-cell wide wherever they fall, so neighbours never merge into a block.
            if at:
                plt.bar(
                    at,
                    [heights[i] for i in at],
                    orientation=orientation,
                    width=0.05,
                    marker=BAR_MARKER,
                )
            span = (-0.5, len(heights) - 0.5)
            positions, texts = [float(t) for t in ticks[0]], list(ticks[1])
            if horizontal:
                plt.ylim(*span)
                plt.yticks(positions, texts)
            else:
                plt.xlim(*span)
                plt.xticks(positions, texts)
        if limit is not None:
            (plt.xlim if horizontal else plt.ylim)(*limit)
        else:
            self._count_axis = (horizontal, max(heights, default=0.0))
        self.refresh()

    def render(self) -> RenderResult:
        if self._count_axis is not None:
            # Whole-number ticks, about one every other row (or every 8 columns), so they stay
            # evenly spaced at the size the chart has now.
            horizontal, highest = self._count_axis
            room = self.size.width // 8 if horizontal else (self.size.height - 3) // 2
            top, step = _count_axis(highest, most_ticks=max(2, room))
            plt = self.plt
            (plt.xlim if horizontal else plt.ylim)(0, top)
            (plt.xticks if horizontal else plt.yticks)(list(range(0, top + 1, step)))
        return super().render()


def _count_axis(highest: float, most_ticks: int) -> tuple[int, int]:
    """A round top for an axis of counts up to ``highest`` and a whole-number tick step."""
    need = max(1, math.ceil(highest))
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if need / step <= most_ticks - 1:
            break
    else:
        step = 10 ** len(str(need))
    return step * math.ceil(need / step), step


def nice_ticks(low: float, high: float, most: int = 6) -> list[float]:
    """Round tick values (multiples of 1, 2 or 5 times a power of ten) within [low, high]."""
    span = high - low
    if not span > 0:
        return [low]
    raw = span / (most - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9)
    return [round(k * step, 10) for k in range(first, math.floor(high / step + 1e-9) + 1)]


def _tick_text(value: float) -> str:
    text = f"{value:g}"
    return "0" if text in ("0", "-0") else text.replace("-", "−")
