"""Numeric drill recipes for the third deck's losses (content/frontier/numeric-drills.yaml), and
one step of Adam with an L2 term or of AdamW, written as torch.optim computes it.

Each recipe takes the drawn data table and the template's params, computes the answer and the
worked steps with the loss in ``quizapp.losses`` and lists the value each named slip would give.
quizapp.drills.numeric imports this module at its end, so the recipes are registered wherever
drills are used.
"""

from __future__ import annotations

import math

import numpy as np

from quizapp import losses
from quizapp.drills.recipes import (
    Candidate,
    Data,
    Params,
    Solution,
    _log_slips,
    _mean_slips,
    recipe,
)
from quizapp.drills.slips import SLIPS
from quizapp.losses.text import num, paren, vector

SLIPS.update(
    {
        "sigmoid-not-loss": (
            "the probability, not the loss",
            "σ(r_w − r_l) is the chance the chosen reply wins; the loss is −ln of it.",
        ),
        "pair-swapped": (
            "chosen and rejected swapped",
            "The chosen reply's reward comes first: −ln σ(r_chosen − r_rejected).",
        ),
        "beta-dropped": (
            "β left out",
            "Multiply the difference of log-ratios by β before the sigmoid.",
        ),
        "reference-ignored": (
            "reference model ignored",
            "DPO compares log-ratios to the reference: (log π_w − log π_ref,w) − (log π_l − "
            "log π_ref,l).",
        ),
        "clip-ignored": (
            "no clipping",
            "Take the smaller of r·A and clip(r, 1 − ε, 1 + ε)·A before the minus.",
        ),
        "max-not-min": (
            "max instead of min",
            "PPO keeps the pessimistic term: min(r·A, clip(r)·A).",
        ),
        "objective-not-loss": (
            "objective, not loss",
            "The surrogate is maximised; the loss is its negative.",
        ),
        "square-dropped": (
            "square left out",
            "The z-loss squares log Z: mean of (log Σ e^z)².",
        ),
        "max-for-logsumexp": (
            "max logit for log Z",
            "log Z = log Σ e^z is above the largest logit; add ln Σ e^(z − max).",
        ),
        "weight-dropped": ("weight left out", "Multiply by the loss's weight (coefficient)."),
        "experts-dropped": (
            "E left out",
            "Switch multiplies Σ fᵢPᵢ by the number of experts E, so balance gives α, not α/E.",
        ),
        "p-squared": (
            "P used for f",
            "f counts the tokens whose top-1 expert is i (an argmax); P is the mean probability.",
        ),
        "one-direction": (
            "one direction only",
            "CLIP averages image → text (rows) and text → image (columns).",
        ),
        "positives-only": (
            "negative pairs left out",
            "SigLIP sums −ln σ(z·logit) over all n² pairs, z = −1 off the diagonal.",
        ),
        "mean-over-pairs": (
            "divided by n²",
            "SigLIP divides the sum over the n² pairs by n, the batch size.",
        ),
        "angle-margin-dropped": (
            "margin left out",
            "The target logit is s·cos(θ + m), not s·cos θ.",
        ),
        "cosface-margin": (
            "CosFace's margin",
            "ArcFace adds m to the angle: cos(θ + m); subtracting m from cos θ is CosFace.",
        ),
        "scale-dropped": ("scale s left out", "Multiply every cosine by s before the softmax."),
        "weight-inverted": (
            "weight inverted",
            "Min-SNR-γ weights by min(SNR, γ)/SNR: at most 1, down-weighting high-SNR steps.",
        ),
        "unweighted": ("no weighting", "Apply wᵢ = min(SNRᵢ, γ)/SNRᵢ to each row's error."),
        "snr-not-divided": (
            "min(SNR, γ) not divided by SNR",
            "For ε-prediction the weight is min(SNR, γ)/SNR.",
        ),
        "relu-dropped": (
            "hinge dropped",
            "Scores already past the margin cost nothing: relu(1 − real), relu(1 + fake).",
        ),
        "fake-sign": (
            "sign of the fake term",
            "Fake scores should be low: relu(1 + D(fake)), not relu(1 − D(fake)).",
        ),
        "best-path-only": (
            "only the best path",
            "CTC sums the probability of every alignment that collapses to the target.",
        ),
        "blank-paths-missed": (
            "alignments with blanks missed",
            "Paths with a blank before or after the label collapse to it as well.",
        ),
        "mean-of-exp": (
            "mean of the exponentials",
            "Perplexity is exp of the mean token loss, not the mean of exp(loss).",
        ),
        "exp-of-sum": (
            "exp of the sum",
            "Average the token losses first: exp((1/N) Σ ℓ).",
        ),
        "base-2": ("2 to the power", "With losses in nats, perplexity is e^(mean loss)."),
        "padding-counted": (
            "padding counted",
            "Positions labelled ignore_index are left out of the mean's count too.",
        ),
        "decay-decoupled": (
            "decoupled decay (AdamW)",
            "Adam's weight_decay adds λw to the gradient, which Adam then normalises.",
        ),
        "decay-coupled": (
            "L2 in the gradient (Adam)",
            "AdamW shrinks the weight by lr·λ·w directly, outside the adaptive step.",
        ),
        "no-decay": ("decay forgotten", "Apply the weight decay λ as well."),
        "decay-not-scaled": (
            "decay not scaled by lr",
            "torch's AdamW multiplies the weight by 1 − lr·λ.",
        ),
        "bias-uncorrected": (
            "bias correction left out",
            "Divide m by 1 − β₁ᵗ and v by 1 − β₂ᵗ; at step 1 the update is about lr·sign(g).",
        ),
        "sgd-step": ("plain SGD step", "Adam divides the step by √v̂: about lr at step 1."),
    }
)


def _p(values: np.ndarray) -> float:
    return float(values) if np.ndim(values) == 0 else float(np.mean(values))


@recipe("bradley_terry", (("rw", "rl"),))
def _bradley_terry(d: Data, prm: Params) -> Solution:
    rw, rl = d["rw"], d["rl"]
    answer = losses.bradley_terry(rw, rl)
    slips: list[Candidate] = [
        ("sigmoid-not-loss", float(np.mean(losses.sigmoid(rw - rl))), None),
        ("pair-swapped", losses.bradley_terry(rl, rw), None),
        *_mean_slips(answer, len(rw)),
        *_log_slips(answer),
    ]
    return Solution(answer, losses.bradley_terry_steps(rw, rl), slips)


@recipe("dpo", (("pw", "pl", "rw", "rl"),), frozenset({"beta"}), frozenset({"beta"}))
def _dpo(d: Data, prm: Params) -> Solution:
    pw, pl, rw, rl, beta = d["pw"], d["pl"], d["rw"], d["rl"], prm["beta"]
    answer = losses.dpo(pw, pl, rw, rl, beta=beta)
    zero = np.zeros_like(pw)
    slips: list[Candidate] = [
        ("beta-dropped", losses.dpo(pw, pl, rw, rl, beta=1.0), None),
        ("reference-ignored", losses.dpo(pw, pl, zero, zero, beta=beta), None),
        ("pair-swapped", losses.dpo(pl, pw, rl, rw, beta=beta), None),
        *_mean_slips(answer, len(pw)),
    ]
    return Solution(answer, losses.dpo_steps(pw, pl, rw, rl, beta=beta), slips)


@recipe("ppo_clip", (("r", "A"),), frozenset({"clip_eps"}), frozenset({"clip_eps"}))
def _ppo_clip(d: Data, prm: Params) -> Solution:
    """Rows give the ratio r = π/π_old directly (its log is logp − old_logp)."""
    r, a, eps = d["r"], d["A"], prm["clip_eps"]
    logp, old = np.log(r), np.zeros_like(r)
    answer = losses.ppo_clip(logp, old, a, clip_eps=eps)
    clipped = np.clip(r, 1 - eps, 1 + eps) * a
    slips: list[Candidate] = [
        ("clip-ignored", float(-np.mean(r * a)), None),
        ("max-not-min", float(-np.mean(np.maximum(r * a, clipped))), None),
        ("objective-not-loss", -answer, None),
        *_mean_slips(answer, len(r)),
    ]
    return Solution(answer, losses.ppo_clip_steps(logp, old, a, clip_eps=eps), slips)


@recipe("z_loss", (("z",),), frozenset({"weight"}), frozenset({"weight"}))
def _z_loss(d: Data, prm: Params) -> Solution:
    z, w = d["z"], prm["weight"]
    answer = losses.z_loss(z, weight=w)
    lse = np.log(np.exp(z).sum(axis=1))
    slips: list[Candidate] = [
        ("square-dropped", float(w * np.mean(lse)), None),
        ("max-for-logsumexp", float(w * np.mean(z.max(axis=1) ** 2)), None),
        ("weight-dropped", answer / w, None),
        *_mean_slips(answer, len(z)),
    ]
    return Solution(answer, losses.z_loss_steps(z, weight=w), slips)


@recipe("load_balancing", (("p",),), frozenset({"alpha"}), frozenset({"alpha"}))
def _load_balancing(d: Data, prm: Params) -> Solution:
    """Rows are tokens' router probabilities; the loss reads logits, and ln p are logits of p."""
    p, alpha = d["p"], prm["alpha"]
    logits = np.log(p)
    answer = losses.load_balancing(logits, alpha=alpha)
    e = p.shape[1]
    big_p = p.mean(axis=0)
    slips: list[Candidate] = [
        ("experts-dropped", answer / e, None),
        ("p-squared", float(alpha * e * np.dot(big_p, big_p)), None),
    ]
    return Solution(answer, losses.load_balancing_steps(logits, alpha=alpha), slips)


def _unit_pairs(cos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit images and texts whose cosine matrix is ``cos`` (rows: images): images are the
    first n axes and text j is column j of cos padded to length 1 in a private axis."""
    n = cos.shape[0]
    images = np.eye(n, 2 * n)
    texts = np.zeros((n, 2 * n))
    texts[:, :n] = cos.T
    texts[np.arange(n), n + np.arange(n)] = np.sqrt(np.maximum(0.0, 1 - (cos.T**2).sum(axis=1)))
    return images, texts


@recipe("clip_contrastive", (("s",),), frozenset({"tau"}), frozenset({"tau"}))
def _clip(d: Data, prm: Params) -> Solution:
    """Row i holds cos(image i, text j) for every text j; the matched pair is the diagonal."""
    s, tau = d["s"], prm["tau"]
    images, texts = _unit_pairs(s)
    answer = losses.clip_contrastive(images, texts, temperature=tau)
    labels = np.arange(len(s))
    rows = float(losses.cross_entropy(labels, s / tau))
    slips: list[Candidate] = [
        ("one-direction", rows, None),
        ("temperature-dropped", losses.clip_contrastive(images, texts, temperature=1.0), None),
        *_log_slips(answer),
    ]
    return Solution(answer, losses.clip_contrastive_steps(images, texts, temperature=tau), slips)


@recipe("siglip", (("s",),), frozenset({"t", "b"}), frozenset({"t", "b"}))
def _siglip(d: Data, prm: Params) -> Solution:
    s, t, b = d["s"], prm["t"], prm["b"]
    images, texts = _unit_pairs(s)
    answer = losses.siglip(images, texts, t=t, b=b)
    n = len(s)
    diag = float(-np.log(losses.sigmoid(t * np.diag(s) + b)).sum() / n)
    slips: list[Candidate] = [
        ("positives-only", diag, None),
        ("mean-over-pairs", answer / n, None),
        *_log_slips(answer),
    ]
    return Solution(answer, losses.siglip_steps(images, texts, t=t, b=b), slips)


@recipe("arcface", (("label", "cos"),), frozenset({"s", "m"}), frozenset({"s", "m"}))
def _arcface(d: Data, prm: Params) -> Solution:
    """Row i: the sample's label and its cosine to each class's weight."""
    labels, cos, s, m = d["label"].astype(int), d["cos"], prm["s"], prm["m"]
    images, weights = _unit_rows(cos)
    answer = losses.arcface(images, weights, labels, s=s, m=m)
    rows = np.arange(len(labels))
    cosface = s * cos.copy()
    cosface[rows, labels] -= s * m
    slips: list[Candidate] = [
        ("angle-margin-dropped", float(losses.cross_entropy(labels, s * cos)), None),
        ("cosface-margin", float(losses.cross_entropy(labels, cosface)), None),
        ("scale-dropped", losses.arcface(images, weights, labels, s=1.0, m=m), None),
        *_mean_slips(answer, len(labels)),
    ]
    return Solution(answer, losses.arcface_steps(images, weights, labels, s=s, m=m), slips)


def _unit_rows(cos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit embeddings (one per row of cos) and unit class weights with cos(xᵢ, w_c) =
    cos[i, c]: the weights are the first C axes, each embedding padded in a private axis."""
    n, c = cos.shape
    weights = np.eye(c, c + n)
    x = np.zeros((n, c + n))
    x[:, :c] = cos
    x[np.arange(n), c + np.arange(n)] = np.sqrt(np.maximum(0.0, 1 - (cos**2).sum(axis=1)))
    return x, weights


@recipe("diffusion_eps", (("eps", "eps_hat", "snr"),), frozenset({"gamma"}), frozenset({"gamma"}))
def _diffusion(d: Data, prm: Params) -> Solution:
    eps, pred, snr, gamma = d["eps"], d["eps_hat"], d["snr"], prm["gamma"]
    answer = losses.diffusion_eps(eps, pred, snr, min_snr_gamma=gamma)
    err = (eps - pred) ** 2
    slips: list[Candidate] = [
        ("weight-inverted", float(np.mean(snr / np.minimum(snr, gamma) * err)), None),
        ("unweighted", losses.diffusion_eps(eps, pred, snr), None),
        ("snr-not-divided", float(np.mean(np.minimum(snr, gamma) * err)), None),
        *_mean_slips(answer, len(eps)),
    ]
    return Solution(answer, losses.diffusion_eps_steps(eps, pred, snr, min_snr_gamma=gamma), slips)


@recipe("hinge_gan_d", (("real", "fake"),))
def _hinge_d(d: Data, prm: Params) -> Solution:
    real, fake = d["real"], d["fake"]
    answer = losses.hinge_gan_d(real, fake)
    slips: list[Candidate] = [
        ("relu-dropped", float(np.mean(1 - real) + np.mean(1 + fake)), None),
        ("fake-sign", float(np.mean(np.maximum(0, 1 - real)) + np.mean(np.maximum(0, 1 - fake))),
         None),
    ]  # fmt: skip
    return Solution(answer, losses.hinge_gan_d_steps(real, fake), slips)


@recipe("ctc", (("blank", "a"),))
def _ctc(d: Data, prm: Params) -> Solution:
    """Each row is a frame: the probability of the blank and of the label a (the rest of the
    vocabulary takes 1 − both). The target is the single label a."""
    blank, a = d["blank"], d["a"]
    rest = np.maximum(1e-12, 1.0 - blank - a)
    lp = np.log(np.stack([blank, a, rest], axis=1))
    t = len(a)
    answer = float(losses.ctc(lp, [1], t, 1))
    best = max(float(np.prod([a[i] if i == k else blank[i] for i in range(t)])) for k in range(t))
    slips: list[Candidate] = [
        ("best-path-only", -math.log(max(best, float(np.prod(a)))), None),
        ("blank-paths-missed", -float(np.log(np.prod(a))), None),
        *_log_slips(answer),
    ]
    return Solution(answer, losses.ctc_steps(lp, [1], t, 1), slips)


@recipe("perplexity", (("loss",),))
def _perplexity(d: Data, prm: Params) -> Solution:
    token = d["loss"]
    mean = float(np.mean(token))
    answer = math.exp(mean)
    steps = [
        f"Token losses (nats): {vector(token)}",
        f"Mean: {num(float(token.sum()))} / {len(token)} = {num(mean)}",
        f"Perplexity = e^{num(mean)} = {num(answer)}",
    ]
    slips: list[Candidate] = [
        ("mean-of-exp", float(np.mean(np.exp(token))), None),
        ("exp-of-sum", math.exp(float(token.sum())), None),
        ("base-2", 2.0**mean, None),
    ]
    return Solution(answer, steps, slips)


@recipe("masked_cross_entropy", (("label", "z"),))
def _masked_ce(d: Data, prm: Params) -> Solution:
    """Rows are positions; label −100 marks padding (torch's default ignore_index)."""
    labels, z = d["label"].astype(int), d["z"]
    kept = labels != -100
    if not kept.any():
        return Solution(0.0, [], [])  # drawn again: every position was padding
    answer = float(losses.cross_entropy(labels, z))
    per = np.asarray(losses.cross_entropy(labels, z, reduction="none"))
    slips: list[Candidate] = [
        ("padding-counted", float(per.sum() / len(labels)), None),
        ("sum-not-mean", float(per.sum()), None),
        *_log_slips(answer),
    ]
    return Solution(answer, losses.cross_entropy_steps(labels, z), slips)


# --------------------------------------------------------------------------- Adam and AdamW


def adam_step(
    w: float,
    g: float,
    lr: float,
    weight_decay: float,
    decoupled: bool,
    state: tuple[float, float, int] = (0.0, 0.0, 0),
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> tuple[float, tuple[float, float, int]]:
    """One step of torch.optim.Adam (``decoupled=False``: weight_decay adds λw to the gradient)
    or torch.optim.AdamW (``decoupled=True``: the weight is multiplied by 1 − lr·λ first), in
    torch's order of operations. Returns the new weight and the state (m, v, step)."""
    m, v, t = state
    t += 1
    if decoupled:
        w = w * (1.0 - lr * weight_decay)
    elif weight_decay:
        g = g + weight_decay * w
    b1, b2 = betas
    m = m + (g - m) * (1.0 - b1)  # torch's lerp
    v = v * b2 + (1.0 - b2) * g * g
    step_size = lr / (1.0 - b1**t)
    denom = math.sqrt(v) / math.sqrt(1.0 - b2**t) + eps
    return w - step_size * (m / denom), (m, v, t)


def _adam_steps(w: float, g: float, lr: float, wd: float, decoupled: bool) -> list[str]:
    new, _ = adam_step(w, g, lr, wd, decoupled)
    if decoupled:
        shrunk = w * (1 - lr * wd)
        return [
            f"AdamW decays the weight directly: w·(1 − lr·λ) = {num(w)}·(1 − {num(lr)}·{num(wd)}) "
            f"= {num(shrunk)}",
            f"Step 1 from m = v = 0: m̂ = g = {num(g)}, v̂ = g², so the step is lr·g/(|g| + ε) ≈ "
            f"lr·sign(g) = {num(lr * math.copysign(1, g))}",
            f"w = {num(shrunk)} − {paren(lr * g / (abs(g) + 1e-8))} = {num(new)}",
        ]
    g2 = g + wd * w
    return [
        f"Adam's weight_decay is an L2 term: g' = g + λw = {num(g)} + {num(wd)}·{num(w)} = "
        f"{num(g2)}",
        f"Step 1 from m = v = 0: m̂ = g', v̂ = g'², so the step is lr·g'/(|g'| + ε) ≈ "
        f"lr·sign(g') = {num(lr * math.copysign(1, g2))}: the decay's size is normalised away",
        f"w = {num(w)} − {paren(lr * g2 / (abs(g2) + 1e-8))} = {num(new)}",
    ]


def _optimizer(d: Data, prm: Params, decoupled: bool) -> Solution:
    w, g = float(d["w"][0]), float(d["g"][0])
    lr, wd = prm["lr"], prm["weight_decay"]
    answer, _ = adam_step(w, g, lr, wd, decoupled)
    other, _ = adam_step(w, g, lr, wd, not decoupled)
    plain, _ = adam_step(w, g, lr, 0.0, False)
    g2 = g if decoupled else g + wd * w
    uncorrected = w * (1 - lr * wd if decoupled else 1) - lr * 0.1 * g2 / (
        math.sqrt(0.001) * abs(g2) + 1e-8
    )
    slips: list[Candidate] = [
        ("decay-coupled" if decoupled else "decay-decoupled", other, None),
        ("no-decay", plain, None),
        ("bias-uncorrected", uncorrected, None),
    ]
    if decoupled:
        slips.append(("decay-not-scaled", w * (1 - wd) - (w - plain), None))
    else:
        slips.append(("sgd-step", w - lr * g2, None))
    return Solution(answer, _adam_steps(w, g, lr, wd, decoupled), slips)


OPTIMIZER_PARAMS = frozenset({"lr", "weight_decay"})


@recipe("adam_l2_step", (("w", "g"),), OPTIMIZER_PARAMS, OPTIMIZER_PARAMS)
def _adam_l2(d: Data, prm: Params) -> Solution:
    return _optimizer(d, prm, decoupled=False)


@recipe("adamw_step", (("w", "g"),), OPTIMIZER_PARAMS, OPTIMIZER_PARAMS)
def _adamw(d: Data, prm: Params) -> Solution:
    return _optimizer(d, prm, decoupled=True)
