"""Training and validation loss curves generated from a few parameters, for the "read the loss
curve" cards (kind ``loss_curve``). Pure Python and deterministic: the same card always draws
the same curve, so a snapshot or a test can pin it.

A curve is ``end + (start - end) * exp(-rate * t)`` for epochs t = 0 .. epochs - 1, and then the
symptoms a card asks about: a rise after ``turn`` (overfitting), jitter (``noise``), ``spikes``
(which fade over ``recovery`` epochs when given), a blow-up from ``diverge`` on that ends in NaN,
a ``bump`` every ``period`` epochs and a constant ``shift``.

A card draws ``train`` and ``validation`` (losses, never below 0) and any named ``series``
(rewards, accuracies, another model's loss; any sign), each against the loss axis or, with
``axis: metric``, a second axis on the right.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quizapp.decks.models import CurveShape, LossCurve

# A diverging curve grows by this factor per epoch and turns NaN once it is this many times its
# starting value (as a float overflow would, in a real run, a little later).
DIVERGE_GROWTH = 1.8
NAN_AFTER = 20.0
METRIC_AXIS = "metric"
AXES = (None, "loss", METRIC_AXIS)


def _spike(shape: CurveShape, t: int) -> float:
    if not shape.spikes:
        return 0.0
    if not shape.recovery:
        return (shape.spike or 0.0) if any(abs(t - s) < 0.5 for s in shape.spikes) else 0.0
    return sum(
        (shape.spike or 0.0) * math.exp(-(t - s) / shape.recovery) for s in shape.spikes if t >= s
    )


def series(shape: CurveShape, epochs: int, seed: str, floor: float | None = 0.0) -> list[float]:
    """The value at each epoch (never below ``floor`` unless it is None); ``math.nan`` once a
    diverging run has blown up."""
    rng = random.Random(seed)
    values: list[float] = []
    for t in range(epochs):
        y = shape.end + (shape.start - shape.end) * math.exp(-shape.rate * t)
        if shape.turn is not None and t > shape.turn:
            y += (shape.rise or 0.0) * (t - shape.turn)
        if shape.period:
            # A short bump at the start of each period: cos^8 is near 0 most of the time.
            y += (shape.bump or 0.0) * math.cos(math.pi * t / shape.period) ** 8
        y += _spike(shape, t)
        y += shape.shift or 0.0
        if shape.noise:  # a share of the value's size, whatever its sign
            jitter = shape.noise * rng.gauss(0.0, 1.0)
            y *= 1.0 + jitter if y >= 0 else 1.0 - jitter
        values.append(y if floor is None else max(y, floor))
    if shape.diverge is not None:
        start = int(shape.diverge)
        base = values[min(start, epochs - 1)] if values else 0.0
        for t in range(start, epochs):
            grown = base * DIVERGE_GROWTH ** (t - start + 1)
            values[t] = math.nan if grown > NAN_AFTER * shape.start else grown
    return values


def curves(card: LossCurve, axis: str | None = "loss") -> dict[str, list[float]]:
    """The card's curves drawn against ``axis`` ("loss", the left one, or "metric", the right
    one; None for all) by name, each seeded by the card id and its name: train and validation
    first, then the named series in their order."""
    out: dict[str, list[float]] = {}
    if axis in ("loss", None):
        if card.train is not None:
            out["train"] = series(card.train, card.epochs, f"{card.id}:train")
        if card.validation is not None:
            out["validation"] = series(card.validation, card.epochs, f"{card.id}:validation")
    for named in card.series or ():
        on_metric = named.axis == METRIC_AXIS
        if axis is None or on_metric == (axis == METRIC_AXIS):
            out[named.name] = series(named.curve, card.epochs, f"{card.id}:{named.name}", None)
    return out


def first_nan(values: list[float]) -> int | None:
    """The first epoch whose loss is NaN, or None."""
    return next((i for i, v in enumerate(values) if math.isnan(v)), None)


def shape_problems(shape: CurveShape, signed: bool = False) -> list[str]:
    """What is wrong with a curve's parameters, for the deck loader (``signed``: a named series,
    whose values may be negative)."""
    problems = []
    if not signed and not (shape.start > 0 and shape.end >= 0):
        problems.append("start must be > 0 and end >= 0")
    if shape.rate < 0:
        problems.append("rate must be >= 0")
    if shape.noise is not None and not 0 <= shape.noise < 1:
        problems.append("noise is a share of the loss, in [0, 1)")
    if (shape.turn is None) != (shape.rise is None):
        problems.append("turn and rise go together")
    if (shape.period is None) != (shape.bump is None):
        problems.append("period and bump go together")
    if (shape.spikes is None) != (shape.spike is None):
        problems.append("spikes and spike go together")
    if shape.recovery is not None and (shape.spikes is None or shape.recovery <= 0):
        problems.append("recovery is a number of epochs > 0 and goes with spikes")
    if shape.period is not None and shape.period <= 0:
        problems.append("period must be > 0")
    return problems


def card_problems(card: LossCurve) -> list[tuple[str, str]]:
    """What is wrong with a loss-curve card's curves, as (field, message)."""
    problems: list[tuple[str, str]] = []
    if (card.train is None) != (card.validation is None):
        problems.append(("train", "train and validation go together (or give neither)"))
    if card.train is None and not card.series:
        problems.append(("series", "give train and validation, or named series, or both"))
    for name in ("train", "validation"):
        shape = getattr(card, name)
        if shape is not None:
            problems += [(name, m) for m in shape_problems(shape)]
    names = ["train", "validation"] if card.train is not None else []
    for named in card.series or ():
        if named.name in names:
            problems.append(("series", f"the name '{named.name}' is used twice"))
        names.append(named.name)
        if named.axis not in AXES:
            problems.append(("series", f"'{named.name}': axis is loss or metric"))
        problems += [("series", f"'{named.name}': {m}") for m in shape_problems(named.curve, True)]
    on_metric = any(s.axis == METRIC_AXIS for s in card.series or ())
    if on_metric != (card.metric is not None):
        problems.append(
            ("metric", "metric labels the right axis: give it with axis: metric series")
        )
    return problems
