"""Loss functions in numpy with the semantics of the libraries people use, their gradients and
their worked steps. May import: nothing else of quizapp.

This package grades the numeric drills and is meant as a reference a learner can read and trust:
every function computes in float64, agrees with ``torch.nn.functional`` (or
``torchvision.ops.sigmoid_focal_loss``, or ``sklearn.metrics.hinge_loss``) to about 1e-10 relative
on ordinary inputs, and stays finite at logits of +-1000 and at probabilities of exactly 0 and 1.

Layout, one module per family:

- ``common``: numerically stable sigmoid, softplus, softmax and log_softmax, and the input checks;
- ``regression`` (mse, mae, huber), ``binary`` (bce, bce_with_logits, focal), ``multiclass``
  (cce, sparse_cce, cross_entropy), ``margin`` (hinge);
- the second deck's, which keep their reference's argument names and order (torch's ``input,
  target``; see ``LossSpec.prediction_arg``): ``divergence`` (kl_div, distillation),
  ``likelihood`` (poisson_nll, gaussian_nll, nll), ``robust`` (smooth_l1, quantile),
  ``probability`` (brier, dice), ``embedding`` (margin_ranking, cosine_embedding,
  triplet_margin, info_nce), with shared checks in ``options``;
- the third deck's, with the argument names of their references (TRL, the papers):
  ``preference`` (bradley_terry, dpo, ppo_clip), ``llm`` (z_loss, load_balancing), ``pairs``
  (clip_contrastive, siglip, arcface), ``generative`` (diffusion_eps, hinge_gan_d, hinge_gan_g)
  and ``sequence`` (ctc);
- ``text``: how worked steps write numbers;
- ``registry``: the one list of losses, a ``LossSpec`` per loss. ``quizapp loss``, the numeric
  drills, ``LOSSES`` and ``GRADIENTS`` all read it.

Conventions shared by every loss:

- Arguments accept lists, tuples, scalars or numpy arrays; targets come first, predictions second
  (``loss(y_true, prediction)``), the order of sklearn and of the notes, not torch's ``(input,
  target)``.
- ``reduction`` is ``"mean"`` (the default), ``"sum"`` or ``"none"``; mean and sum return a Python
  float, none returns an array of per-element (or per-sample) losses.
- Bad input (shapes that differ, an empty array, NaN or infinity, a probability outside [0, 1], a
  class label out of range, a bad option) raises ``ValueError`` with a message that names the
  argument and says why.

Two ways to keep ``log(0)`` finite on probabilities (``bce``, ``cce``, ``sparse_cce``):

- default, torch's convention (``F.binary_cross_entropy``): every log is clamped at -100, so a
  confident wrong prediction costs at most 100 per element;
- ``eps=...``, the convention of the notes' code: probabilities are clipped to [eps, 1 - eps]
  before the log (the notes use eps = 1e-7, which caps the cost at about 16.1).

Each loss has a ``*_grad`` twin with the same arguments that returns the gradient of the reduced
loss with respect to the prediction argument, shaped like it. With ``reduction="none"`` it returns,
for each sample, the gradient of that sample's own loss (the same numbers as ``"sum"``). At a kink
(``mae`` at zero residual, ``hinge`` at margin 1) the subgradient 0 is used, as torch does. And a
``*_steps`` twin, again with the same arguments, returns the worked solution as lines of text,
every number taken from the loss itself so the steps never disagree with the answer.

How to add a loss:

1. In its family module (or a new one), write ``NAME(y_true, prediction, ..., reduction="mean")``,
   ``NAME_grad`` and ``NAME_steps`` with the same arguments. Validate with the helpers of
   ``common`` so bad input gets the same one-line messages.
2. Add one ``LossSpec`` to ``registry.SPECS``: name, family, a one-line description, what the
   prediction holds, and which ``PARAMS`` it takes (a new option is one ``Param`` there).

That is all: ``quizapp loss NAME``, ``LOSSES``, ``GRADIENTS`` and ``from quizapp.losses import
NAME`` pick it up, and tests/unit/test_loss_registry.py checks that the three functions exist,
agree with each other and with a finite difference. A numeric drill for it is a recipe in
``quizapp.drills.numeric`` (registered with ``@recipe``) plus a template card in content/.

Importing this package is cheap: the registry needs no numpy, and the loss functions are imported
on first use (``losses.mse``, ``from quizapp.losses import mse``), so building the command line
never pays for numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from quizapp.losses.registry import PARAMS, REGISTRY, SPECS, LossSpec, Param, Prediction

if TYPE_CHECKING:  # the names __getattr__ provides, for the type checker
    from collections.abc import Callable

    import numpy as np

    from quizapp.losses.binary import *  # noqa: F403
    from quizapp.losses.common import *  # noqa: F403
    from quizapp.losses.margin import *  # noqa: F403
    from quizapp.losses.multiclass import *  # noqa: F403
    from quizapp.losses.regression import *  # noqa: F403

    LOSSES: dict[str, Callable[..., Loss]]  # noqa: F405
    GRADIENTS: dict[str, Callable[..., np.ndarray]]

# Public names that are not a loss or one of its twins.
_COMMON = ("sigmoid", "softplus", "softmax", "log_softmax", "Loss", "REDUCTIONS", "LOG_CLAMP")


def _family_of(name: str) -> str | None:
    """The module in this package that defines the public ``name``, or None."""
    if name in _COMMON:
        return "common"
    for suffix in ("", "_grad", "_steps"):
        base = name.removesuffix(suffix) if suffix else name
        if (suffix == "" or name.endswith(suffix)) and base in REGISTRY:
            return REGISTRY[base].family
    return None


def __getattr__(name: str) -> Any:
    """Import a loss function (or LOSSES, GRADIENTS) the first time it is asked for."""
    value: Any
    if name == "LOSSES":
        value = {spec.name: spec.function for spec in SPECS}
    elif name == "GRADIENTS":
        value = {spec.name: spec.gradient for spec in SPECS}
    else:
        family = _family_of(name)
        if family is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{__name__}.{family}"), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    twins = [s.name + suffix for s in SPECS for suffix in ("", "_grad", "_steps")]
    return sorted({*globals(), "LOSSES", "GRADIENTS", *_COMMON, *twins})


__all__ = ["PARAMS", "REGISTRY", "SPECS", "LossSpec", "Param", "Prediction"]
