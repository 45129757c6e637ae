"""Generative-model losses of the third deck: diffusion's ε-prediction MSE with min-SNR-γ
weighting, and the hinge GAN losses of the discriminator and the generator.

Means by definition (no reduction); ``NAME_grad`` is the gradient with respect to the
prediction (the predicted noise, the real scores, the fake scores) and ``NAME_steps`` the worked
steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from quizapp.losses.common import _array, _same_shape
from quizapp.losses.options import _number, _per_sample
from quizapp.losses.text import num, vector


def _eps_inputs(
    noise: Any, noise_pred: Any, snr: Any, min_snr_gamma: float | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    eps = _array(noise, "noise")
    pred = _array(noise_pred, "noise_pred")
    _same_shape(eps, "noise", pred, "noise_pred")
    if eps.ndim == 1:
        eps, pred = eps[:, None], pred[:, None]
    rows = eps.shape[0]
    s = np.ravel(_array(snr, "snr"))
    if s.size != rows:
        raise ValueError(f"snr has {s.size} values; give one per row of noise ({rows})")
    if (s <= 0).any():
        raise ValueError("snr must be > 0 (the signal-to-noise ratio ᾱ_t / (1 − ᾱ_t) of each row)")
    if min_snr_gamma is None:
        weight = np.ones(rows)
    else:
        gamma = _number(min_snr_gamma, "min_snr_gamma", 0.0, strict=True)
        weight = np.minimum(s, gamma) / s
    return eps.reshape(rows, -1), pred.reshape(rows, -1), weight


def diffusion_eps(
    noise: Any, noise_pred: Any, snr: Any, min_snr_gamma: float | None = None
) -> float:
    """Mean over rows of wᵢ · mean((ε − ε̂)²): DDPM's simple loss, with min-SNR-γ weighting
    wᵢ = min(SNRᵢ, γ) / SNRᵢ (Hang et al., 2023) when γ is given, else wᵢ = 1."""
    eps, pred, w = _eps_inputs(noise, noise_pred, snr, min_snr_gamma)
    return float(np.mean(w * np.mean((eps - pred) ** 2, axis=1)))


def diffusion_eps_grad(
    noise: Any, noise_pred: Any, snr: Any, min_snr_gamma: float | None = None
) -> np.ndarray:
    """d / d ε̂ = wᵢ · 2 (ε̂ − ε) / (D · N)."""
    eps, pred, w = _eps_inputs(noise, noise_pred, snr, min_snr_gamma)
    grad = w[:, None] * 2.0 * (pred - eps) / eps.size
    return grad.reshape(np.shape(noise_pred))


def diffusion_eps_steps(
    noise: Any, noise_pred: Any, snr: Any, min_snr_gamma: float | None = None
) -> list[str]:
    eps, pred, w = _eps_inputs(noise, noise_pred, snr, min_snr_gamma)
    mse = np.mean((eps - pred) ** 2, axis=1)
    s = np.ravel(np.asarray(snr, dtype=float))
    head = (
        "wᵢ = 1 for every row (plain ε-prediction MSE)"
        if min_snr_gamma is None
        else f"wᵢ = min(SNRᵢ, γ)/SNRᵢ with γ = {num(min_snr_gamma)}: SNR = {vector(s)}"
    )
    describe = lambda i: f"w = {num(w[i])}, mean (ε − ε̂)² = {num(mse[i])}, w·MSE"  # noqa: E731
    per = w * mse
    return [
        head,
        *_per_sample(per, describe),
        f"Mean over the {per.size} rows: {num(float(per.mean()))}",
    ]


def _scores(values: Any, name: str) -> np.ndarray:
    return np.ravel(_array(values, name))


def hinge_gan_d(real_scores: Any, fake_scores: Any) -> float:
    """The discriminator's hinge loss: mean relu(1 − D(x)) + mean relu(1 + D(G(z))) (SAGAN,
    BigGAN). Zero once real scores are ≥ 1 and fake ones ≤ −1."""
    real, fake = _scores(real_scores, "real_scores"), _scores(fake_scores, "fake_scores")
    return float(np.mean(np.maximum(0.0, 1.0 - real)) + np.mean(np.maximum(0.0, 1.0 + fake)))


def hinge_gan_d_grad(real_scores: Any, fake_scores: Any) -> np.ndarray:
    """d / d D(x) = −1/N for real scores below 1, 0 above (the hinge is satisfied)."""
    real = _scores(real_scores, "real_scores")
    _scores(fake_scores, "fake_scores")
    return np.where(1.0 - real > 0, -1.0, 0.0) / real.size


def hinge_gan_d_steps(real_scores: Any, fake_scores: Any) -> list[str]:
    real, fake = _scores(real_scores, "real_scores"), _scores(fake_scores, "fake_scores")
    r = np.maximum(0.0, 1.0 - real)
    f = np.maximum(0.0, 1.0 + fake)
    return [
        "loss = mean relu(1 − D(real)) + mean relu(1 + D(fake))",
        f"relu(1 − real) = {vector(r)}, mean {num(float(r.mean()))}",
        f"relu(1 + fake) = {vector(f)}, mean {num(float(f.mean()))}",
        f"Sum: {num(float(r.mean()))} + {num(float(f.mean()))} = {num(float(r.mean() + f.mean()))}",
    ]


def hinge_gan_g(fake_scores: Any) -> float:
    """The generator's loss with a hinge discriminator: −mean D(G(z)) (no hinge)."""
    return float(-np.mean(_scores(fake_scores, "fake_scores")))


def hinge_gan_g_grad(fake_scores: Any) -> np.ndarray:
    """d / d D(G(z)) = −1/N for every fake score: the generator always wants it higher."""
    fake = _scores(fake_scores, "fake_scores")
    return np.full(fake.shape, -1.0 / fake.size)


def hinge_gan_g_steps(fake_scores: Any) -> list[str]:
    fake = _scores(fake_scores, "fake_scores")
    return [
        "loss = −mean D(fake): no hinge for the generator",
        f"D(fake) = {vector(fake)}, mean {num(float(fake.mean()))}",
        f"Negated: {num(float(-fake.mean()))}",
    ]
