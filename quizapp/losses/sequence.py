"""CTC, the connectionist temporal classification loss (Graves et al., 2006), as
``F.ctc_loss``: −log of the total probability of every frame-by-frame alignment that collapses
(merge repeats, drop blanks) to the target, computed with the forward algorithm in log space.

``ctc_grad`` is the gradient with respect to ``log_probs`` from the forward-backward algorithm:
the true partial derivative (torch's own backward assumes the log-probs come from log_softmax
and returns the gradient for the logits instead).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from quizapp.losses.common import _array, _check_reduction, _labels, _require_finite
from quizapp.losses.options import _flag
from quizapp.losses.text import num, reduction_lines

NEG = -np.inf


class _Seq(NamedTuple):
    lp: np.ndarray  # (T_b, C) this sequence's log-probs
    ext: np.ndarray  # the target with a blank between and around the labels, length 2S + 1
    skip: np.ndarray  # where alpha may come from s - 2 (a label unlike the one two back)
    length: int  # S, the target length


def _lengths(value: Any, name: str, n: int) -> np.ndarray:
    arr = np.ravel(np.asarray(value))
    if arr.size != n:
        raise ValueError(f"{name} has {arr.size} values; give one per sequence ({n})")
    ok = arr.dtype.kind in "iu" or (arr.dtype.kind == "f" and (arr == np.round(arr)).all())
    if not ok or (arr < 0).any():
        raise ValueError(f"{name} must be whole numbers >= 0, got {value!r}")
    return arr.astype(np.int64)


def _sequences(
    log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any, blank: int
) -> tuple[list[_Seq], bool]:
    lp = _array(log_probs, "log_probs")
    single = lp.ndim == 2
    if single:
        lp = lp[:, None, :]
    if lp.ndim != 3:
        raise ValueError(f"log_probs must be T x C (one sequence) or T x N x C, got {lp.shape}")
    t_max, n, c = lp.shape
    if not (isinstance(blank, int | np.integer) and 0 <= blank < c):
        raise ValueError(f"blank must be a class index 0..{c - 1}, got {blank!r}")
    t_len = _lengths(input_lengths, "input_lengths", n)
    s_len = _lengths(target_lengths, "target_lengths", n)
    if (t_len > t_max).any() or (t_len == 0).any():
        raise ValueError(f"input_lengths must be between 1 and T = {t_max}, got {t_len.tolist()}")
    tg = _labels(np.asarray(targets), "targets", c) if np.size(targets) else np.zeros(0, int)
    if single or tg.ndim == 1:
        flat = tg.reshape(-1)
        if flat.size < s_len.sum():
            raise ValueError(
                f"targets has {flat.size} labels but target_lengths add up to {s_len.sum()}"
            )
        starts = np.concatenate([[0], np.cumsum(s_len)[:-1]])
        rows = [flat[a : a + k] for a, k in zip(starts, s_len, strict=True)]
    else:
        if tg.shape[0] != n or (s_len > tg.shape[1]).any():
            raise ValueError(f"targets of shape {tg.shape} do not fit target_lengths {s_len}")
        rows = [tg[b, :k] for b, k in enumerate(s_len)]
    seqs = []
    for b, row in enumerate(rows):
        if (row == blank).any():
            raise ValueError(f"targets of sequence {b} contain the blank {blank}")
        ext = np.full(2 * row.size + 1, blank, dtype=np.int64)
        ext[1::2] = row
        skip = np.zeros(ext.size, dtype=bool)
        skip[3::2] = row[1:] != row[:-1]
        seqs.append(_Seq(lp[: t_len[b], b, :], ext, skip, int(row.size)))
    return seqs, single


def _lse(*xs: np.ndarray) -> np.ndarray:
    stacked = np.stack(xs)
    m = stacked.max(axis=0)
    safe = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        return safe + np.log(np.exp(stacked - safe).sum(axis=0))


def _shift(a: np.ndarray, k: int) -> np.ndarray:
    """a moved k places to the right (k > 0) or left, filled with -inf."""
    out = np.full_like(a, NEG)
    if k > 0:
        out[k:] = a[:-k]
    else:
        out[:k] = a[-k:]
    return out


def _alpha(seq: _Seq) -> np.ndarray:
    lp, ext, skip = seq.lp, seq.ext, seq.skip
    alpha = np.full((lp.shape[0], ext.size), NEG)
    alpha[0, 0] = lp[0, ext[0]]
    if ext.size > 1:
        alpha[0, 1] = lp[0, ext[1]]
    for t in range(1, lp.shape[0]):
        prev = alpha[t - 1]
        two = np.where(skip, _shift(prev, 2), NEG)
        alpha[t] = lp[t, ext] + _lse(prev, _shift(prev, 1), two)
    return alpha


def _beta(seq: _Seq) -> np.ndarray:
    lp, ext, skip = seq.lp, seq.ext, seq.skip
    beta = np.full((lp.shape[0], ext.size), NEG)
    beta[-1, -1] = lp[-1, ext[-1]]
    if ext.size > 1:
        beta[-1, -2] = lp[-1, ext[-2]]
    from_two = _shift(skip, -2) if ext.size > 2 else np.zeros(ext.size, dtype=bool)
    for t in range(lp.shape[0] - 2, -1, -1):
        nxt = beta[t + 1]
        two = np.where(from_two, _shift(nxt, -2), NEG)
        beta[t] = lp[t, ext] + _lse(nxt, _shift(nxt, -1), two)
    return beta


def _log_likelihood(seq: _Seq, alpha: np.ndarray) -> float:
    last = alpha[-1]
    return float(np.logaddexp(last[-1], last[-2]) if last.size > 1 else last[-1])


def _per_sequence(seqs: list[_Seq], zero_infinity: bool) -> tuple[np.ndarray, list[np.ndarray]]:
    losses, alphas = [], []
    for b, seq in enumerate(seqs):
        alpha = _alpha(seq)
        ll = _log_likelihood(seq, alpha)
        if not np.isfinite(ll):
            if not zero_infinity:
                raise ValueError(
                    f"sequence {b}: {seq.lp.shape[0]} frames cannot emit a target of "
                    f"{seq.length} labels (each repeat needs a blank between): no alignment, "
                    "torch gives inf; pass zero_infinity=true to count it as 0"
                )
            ll = 0.0
        losses.append(-ll)
        alphas.append(alpha)
    return np.array(losses), alphas


def _reduce_ctc(per: np.ndarray, seqs: list[_Seq], reduction: str, single: bool) -> Any:
    if reduction == "none":
        return per[0] if single else per
    if reduction == "sum":
        return float(per.sum())
    lengths = np.array([max(s.length, 1) for s in seqs], dtype=float)
    return float((per / lengths).mean())


def ctc(
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Any:
    """CTC as ``F.ctc_loss``: per sequence −log Σ over alignments of Π_t p_t(πₜ); 'mean'
    divides each by its target length (at least 1), then averages over the batch."""
    _check_reduction(reduction)
    zero_infinity = _flag(zero_infinity, "zero_infinity")
    seqs, single = _sequences(log_probs, targets, input_lengths, target_lengths, blank)
    per, _ = _per_sequence(seqs, zero_infinity)
    return _reduce_ctc(per, seqs, reduction, single)


def ctc_grad(
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> np.ndarray:
    """d loss_b / d log_probs[t, b, c] = −Σ_{s: l'_s = c} exp(α_t(s) + β_t(s) − lp[t, c] − log P),
    scaled as the reduction scales loss_b (0 for frames past input_lengths)."""
    _check_reduction(reduction)
    zero_infinity = _flag(zero_infinity, "zero_infinity")
    seqs, single = _sequences(log_probs, targets, input_lengths, target_lengths, blank)
    per, alphas = _per_sequence(seqs, zero_infinity)
    lp = _array(log_probs, "log_probs")
    grad = np.zeros((lp.shape[0], len(seqs), lp.shape[-1]))
    for b, (seq, alpha) in enumerate(zip(seqs, alphas, strict=True)):
        ll = -per[b]
        if not np.isfinite(_log_likelihood(seq, alpha)):
            continue  # zeroed: no gradient
        gamma = alpha + _beta(seq) - seq.lp[:, seq.ext]
        occupancy = np.exp(gamma - ll)  # (T_b, 2S + 1)
        g = np.zeros_like(seq.lp)
        for s, label in enumerate(seq.ext):
            g[:, label] -= occupancy[:, s]
        scale = 1.0
        if reduction == "mean":
            scale = 1.0 / (max(seq.length, 1) * len(seqs))
        grad[: seq.lp.shape[0], b, :] = g * scale
    _require_finite(grad, "gradient")
    return grad[:, 0, :] if single else grad


def ctc_steps(
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> list[str]:
    seqs, _ = _sequences(log_probs, targets, input_lengths, target_lengths, blank)
    per, _ = _per_sequence(seqs, _flag(zero_infinity, "zero_infinity"))
    lines = [
        f"Extend each target with blanks ({blank}) around and between its labels; α_t(s) sums "
        "every alignment of the first t frames ending at position s (log space: logsumexp)",
    ]
    for b, seq in enumerate(seqs[:8]):
        lines.append(
            f"Sequence {b + 1}: T = {seq.lp.shape[0]}, target {seq.ext[1::2].tolist()}, "
            f"extended {seq.ext.tolist()}: −log P = {num(per[b])}"
        )
    if reduction == "mean":
        lengths = np.array([max(s.length, 1) for s in seqs], dtype=float)
        lines.append(f"'mean': each divided by its target length {lengths.astype(int).tolist()}")
        return (
            [*lines, *reduction_lines(per / lengths, "mean")]
            if len(seqs) > 1
            else [
                *lines,
                f"{num(per[0])} / {int(lengths[0])} = {num(per[0] / lengths[0])}",
            ]
        )
    return [*lines, *reduction_lines(per, reduction)]
