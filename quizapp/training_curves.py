"""Training and validation loss curves generated from a few parameters, for the "read the loss
curve" cards (kind ``loss_curve``). Pure Python and deterministic: the same card always draws
the same curve, so a snapshot or a test can pin it.

A curve is ``end + (start - end) * exp(-rate * t)`` for epochs t = 0 .. epochs - 1, and then the
symptoms a card asks about: a rise after ``turn`` (overfitting), jitter (``noise``), ``spikes``,
a blow-up from ``diverge`` on that ends in NaN, a ``bump`` every ``period`` epochs and a constant
``shift``.
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


def series(shape: CurveShape, epochs: int, seed: str) -> list[float]:
    """The loss at each epoch; ``math.nan`` once a diverging run has blown up."""
    rng = random.Random(seed)
    values: list[float] = []
    for t in range(epochs):
        y = shape.end + (shape.start - shape.end) * math.exp(-shape.rate * t)
        if shape.turn is not None and t > shape.turn:
            y += (shape.rise or 0.0) * (t - shape.turn)
        if shape.period:
            # A short bump at the start of each period: cos^8 is near 0 most of the time.
            y += (shape.bump or 0.0) * math.cos(math.pi * t / shape.period) ** 8
        if shape.spikes and any(abs(t - s) < 0.5 for s in shape.spikes):
            y += shape.spike or 0.0
        y += shape.shift or 0.0
        if shape.noise:
            y *= 1.0 + shape.noise * rng.gauss(0.0, 1.0)
        values.append(max(y, 0.0))
    if shape.diverge is not None:
        start = int(shape.diverge)
        base = values[min(start, epochs - 1)] if values else 0.0
        for t in range(start, epochs):
            grown = base * DIVERGE_GROWTH ** (t - start + 1)
            values[t] = math.nan if grown > NAN_AFTER * shape.start else grown
    return values


def curves(card: LossCurve) -> dict[str, list[float]]:
    """The card's two curves by name, each seeded by the card id and the curve's name."""
    return {
        "train": series(card.train, card.epochs, f"{card.id}:train"),
        "validation": series(card.validation, card.epochs, f"{card.id}:validation"),
    }


def first_nan(values: list[float]) -> int | None:
    """The first epoch whose loss is NaN, or None."""
    return next((i for i, v in enumerate(values) if math.isnan(v)), None)


def shape_problems(shape: CurveShape) -> list[str]:
    """What is wrong with a curve's parameters, for the deck loader."""
    problems = []
    if not (shape.start > 0 and shape.end >= 0):
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
    if shape.period is not None and shape.period <= 0:
        problems.append("period must be > 0")
    return problems
