"""The one list of losses: a ``LossSpec`` per loss says what it is called, where its functions
live, what its prediction argument holds and which options the CLI offers for it.

This module imports neither numpy nor the loss functions: building the command line (which every
command and the app do) reads the names, descriptions and options from here, and the functions
are imported only when ``spec.function``, ``spec.gradient`` or ``spec.steps`` is first used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import numpy as np

    from quizapp.losses.common import Loss

# What a loss's prediction argument holds; the CLI says it in --help and in its output.
Prediction = Literal["values", "probabilities", "logits", "scores"]


@dataclass(frozen=True)
class Param:
    """A keyword option of some losses, offered by ``quizapp loss`` as ``--NAME``."""

    name: str  # the keyword argument of the loss functions, e.g. "label_smoothing"
    help: str  # what it does, for --help (the losses that take it are added in front)
    values: bool = False  # a list of numbers (e.g. per-element weights) rather than one number


# Every option any loss takes, in the order --help lists them. A loss lists the ones it takes
# in ``LossSpec.params``; a new option is one entry here.
PARAMS: dict[str, Param] = {
    p.name: p
    for p in (
        Param("delta", "where the loss turns linear"),
        Param("weight", "a weight per element (per class for cross_entropy)", values=True),
        Param("pos_weight", "weight of the positive term", values=True),
        Param("eps", "clip p to [eps, 1-eps] instead of torch's clamp"),
        Param("alpha", "weight of the positive class (negative: none)"),
        Param("gamma", "focusing exponent"),
        Param("label_smoothing", "epsilon in [0, 1]"),
    )
}


@dataclass(frozen=True)
class LossSpec:
    """One loss. Its functions are found by name in ``quizapp.losses.<family>``: ``<name>`` (the
    loss), ``<name>_grad`` (its analytic gradient) and ``<name>_steps`` (its worked steps); all
    three take the same arguments, targets first and predictions second."""

    name: str
    family: str  # the module in quizapp/losses/ that holds its functions
    # What it computes and which library function it matches, in at most 46 characters (so
    # that --help's list of losses fits 80 columns).
    description: str
    prediction: Prediction
    params: tuple[str, ...] = ()  # keys of PARAMS this loss takes
    # Predictions are rows of class scores or probabilities: a flat --pred is one sample's row.
    class_rows: bool = False
    # Targets are rows too (one-hot): a flat --y is one sample's row.
    target_rows: bool = False

    def _resolve(self, suffix: str) -> Any:
        module = importlib.import_module(f"quizapp.losses.{self.family}")
        return getattr(module, self.name + suffix)

    @property
    def function(self) -> Callable[..., Loss]:
        fn: Callable[..., Loss] = self._resolve("")
        return fn

    @property
    def gradient(self) -> Callable[..., np.ndarray]:
        fn: Callable[..., np.ndarray] = self._resolve("_grad")
        return fn

    @property
    def steps(self) -> Callable[..., list[str]]:
        fn: Callable[..., list[str]] = self._resolve("_steps")
        return fn


SPECS: tuple[LossSpec, ...] = (
    LossSpec("mse", "regression", "mean squared error, as F.mse_loss", "values"),
    LossSpec("mae", "regression", "mean absolute error, as F.l1_loss", "values"),
    LossSpec("huber", "regression", "Huber loss, as F.huber_loss", "values", ("delta",)),
    LossSpec(
        "bce",
        "binary",
        "BCE, as F.binary_cross_entropy",
        "probabilities",
        ("weight", "eps"),
    ),
    LossSpec(
        "bce_with_logits",
        "binary",
        "BCE, as F.binary_cross_entropy_with_logits",
        "logits",
        ("weight", "pos_weight"),
    ),
    LossSpec(
        "cce",
        "multiclass",
        "categorical cross-entropy, one-hot targets",
        "probabilities",
        ("eps",),
        class_rows=True,
        target_rows=True,
    ),
    LossSpec(
        "sparse_cce",
        "multiclass",
        "cross-entropy, class-index targets",
        "probabilities",
        ("eps",),
        class_rows=True,
    ),
    LossSpec(
        "cross_entropy",
        "multiclass",
        "cross-entropy, as F.cross_entropy",
        "logits",
        ("weight", "label_smoothing"),
        class_rows=True,
    ),
    LossSpec("hinge", "margin", "hinge loss, as sklearn.metrics.hinge_loss", "scores"),
    LossSpec(
        "focal",
        "binary",
        "focal loss, as torchvision sigmoid_focal_loss",
        "logits",
        ("alpha", "gamma"),
    ),
)

# Every loss by name, in the order above.
REGISTRY: dict[str, LossSpec] = {spec.name: spec for spec in SPECS}
