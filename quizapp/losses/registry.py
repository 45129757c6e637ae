"""The one list of losses: a ``LossSpec`` per loss says what it is called, where its functions
live, what its prediction argument holds and which options the CLI offers for it.

This module imports neither numpy nor the loss functions: building the command line (which every
command and the app do) reads the names, descriptions and options from here, and the functions
are imported only when ``spec.function``, ``spec.gradient`` or ``spec.steps`` is first used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    import numpy as np

    from quizapp.losses.common import Loss

# What a loss's prediction argument holds; the CLI says it in --help and in its output.
Prediction = Literal["values", "probabilities", "logits", "scores", "log-probs", "embeddings"]


# NamedTuples rather than dataclasses: this module is imported on the way to the app's first
# frame, and a NamedTuple class costs a fifth of what a frozen dataclass does to create.
class Param(NamedTuple):
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
        Param("ignore_index", "a label whose rows count for nothing (default -100)"),
    )
}


class LossSpec(NamedTuple):
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
    # The arguments --y and --pred fill (and the gradient is for), when they are not the first
    # two: the second deck's losses keep their reference's names and order, e.g. torch's
    # (input, target).
    target_arg: str | None = None
    prediction_arg: str | None = None
    # Three arrays (pairs, triplets) or a required variance: arguments come as --input JSON only.
    input_only: bool = False
    # The reductions its ``reduction`` argument accepts; () when it has none (sklearn metrics).
    # (The second deck's options go in the --input JSON: the shared flags' help would mislead.)
    reductions: tuple[str, ...] = ("mean", "sum", "none")

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
        ("weight", "label_smoothing", "ignore_index"),
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
    # The second deck ("beyond the notes"): each keeps its reference's argument names and order.
    LossSpec(
        "kl_div",
        "divergence",
        "KL divergence, as F.kl_div",
        "log-probs",
        target_arg="target",
        prediction_arg="input",
        reductions=("mean", "batchmean", "sum", "none"),
    ),
    LossSpec(
        "poisson_nll",
        "likelihood",
        "Poisson NLL, as F.poisson_nll_loss",
        "values",
        target_arg="target",
        prediction_arg="input",
    ),
    LossSpec(
        "gaussian_nll",
        "likelihood",
        "Gaussian NLL, as F.gaussian_nll_loss",
        "values",
        input_only=True,
        prediction_arg="input",
    ),
    LossSpec(
        "smooth_l1",
        "robust",
        "smooth L1, as F.smooth_l1_loss",
        "values",
        target_arg="target",
        prediction_arg="input",
    ),
    LossSpec(
        "margin_ranking",
        "embedding",
        "margin ranking, as F.margin_ranking_loss",
        "scores",
        input_only=True,
        prediction_arg="input1",
    ),
    LossSpec(
        "cosine_embedding",
        "embedding",
        "cosine embedding, as F.cosine_embedding_loss",
        "embeddings",
        input_only=True,
        prediction_arg="input1",
    ),
    LossSpec(
        "triplet_margin",
        "embedding",
        "triplet margin, as F.triplet_margin_loss",
        "embeddings",
        input_only=True,
        prediction_arg="anchor",
    ),
    LossSpec(
        "nll",
        "likelihood",
        "negative log-likelihood, as F.nll_loss",
        "log-probs",
        class_rows=True,
        target_arg="target",
        prediction_arg="input",
    ),
    LossSpec(
        "quantile",
        "robust",
        "pinball loss, as sklearn mean_pinball_loss",
        "values",
        reductions=(),
        target_arg="y_true",
        prediction_arg="y_pred",
    ),
    LossSpec(
        "brier",
        "probability",
        "Brier score, as sklearn brier_score_loss",
        "probabilities",
        reductions=(),
        target_arg="y_true",
        prediction_arg="y_proba",
    ),
    LossSpec(
        "dice",
        "probability",
        "soft Dice loss with smoothing, per sample",
        "probabilities",
        target_arg="target",
        prediction_arg="input",
    ),
    LossSpec(
        "info_nce",
        "embedding",
        "InfoNCE, in-batch negatives (cosine / T)",
        "embeddings",
        input_only=True,
        prediction_arg="query",
    ),
    LossSpec(
        "distillation",
        "divergence",
        "T² · KL(teacher ‖ student), Hinton et al.",
        "logits",
        class_rows=True,
        target_rows=True,
        target_arg="teacher_logits",
        prediction_arg="student_logits",
        reductions=("batchmean", "mean", "sum", "none"),
    ),
    # The third deck (losses of the LLM era and of generative models): arguments as in the
    # issue's references (TRL, the papers), given as --input JSON; most are means by definition.
    LossSpec(
        "bradley_terry",
        "preference",
        "reward model: −log σ(r_w − r_l − margin)",
        "scores",
        input_only=True,
        prediction_arg="chosen",
        reductions=(),
    ),
    LossSpec(
        "dpo",
        "preference",
        "DPO, as TRL's sigmoid loss",
        "log-probs",
        input_only=True,
        prediction_arg="policy_chosen_logps",
        reductions=(),
    ),
    LossSpec(
        "ppo_clip",
        "preference",
        "PPO clipped surrogate, as a loss",
        "log-probs",
        input_only=True,
        prediction_arg="logp",
        reductions=(),
    ),
    LossSpec(
        "z_loss",
        "llm",
        "weight · mean (logsumexp of a row)²",
        "logits",
        input_only=True,
        prediction_arg="logits",
        reductions=(),
    ),
    LossSpec(
        "load_balancing",
        "llm",
        "Switch Transformer α·E·Σ fᵢPᵢ",
        "logits",
        input_only=True,
        prediction_arg="router_logits",
        reductions=(),
    ),
    LossSpec(
        "clip_contrastive",
        "pairs",
        "CLIP's symmetric InfoNCE (cosine / T)",
        "embeddings",
        input_only=True,
        prediction_arg="image_embeds",
        reductions=(),
    ),
    LossSpec(
        "siglip",
        "pairs",
        "SigLIP's pairwise sigmoid loss",
        "embeddings",
        input_only=True,
        prediction_arg="image_embeds",
        reductions=(),
    ),
    LossSpec(
        "arcface",
        "pairs",
        "ArcFace: CE of s·cos θ, target cos(θ + m)",
        "embeddings",
        input_only=True,
        prediction_arg="embeddings",
        reductions=(),
    ),
    LossSpec(
        "diffusion_eps",
        "generative",
        "ε-prediction MSE, min-SNR-γ weights",
        "values",
        input_only=True,
        prediction_arg="noise_pred",
        reductions=(),
    ),
    LossSpec(
        "hinge_gan_d",
        "generative",
        "hinge GAN, the discriminator's loss",
        "scores",
        input_only=True,
        prediction_arg="real_scores",
        reductions=(),
    ),
    LossSpec(
        "hinge_gan_g",
        "generative",
        "hinge GAN, the generator's loss",
        "scores",
        input_only=True,
        prediction_arg="fake_scores",
        reductions=(),
    ),
    LossSpec(
        "ctc",
        "sequence",
        "CTC, as F.ctc_loss",
        "log-probs",
        input_only=True,
        prediction_arg="log_probs",
    ),
)

# Every loss by name, in the order above.
REGISTRY: dict[str, LossSpec] = {spec.name: spec for spec in SPECS}
