"""Decide whether an answer equals a problem's derivative.

Equivalence is decided numerically, the way Numbas and edX's calc.py do it, but an answer has to
earn "correct" everywhere in the drill's domain, not in a friendly box:

- every case (each combination of label values) is compared, each with at least ``MIN_POINTS``
  points; counts take every whole value 1..1000; reals, positives and probabilities are drawn
  from a friendly box, a wide range and a far range (see ``domains.py``);
- the reference's kinks are skipped; the answer's own kinks and overflows may skip only a small
  share of a case (``MAX_REMOVED``), else the verdict is "unchecked" with the reason;
- a condition of the answer that switches side only beyond the tested points (far probes up to
  the largest float) gives "unchecked"; an equality test on a real number too;
- right beside each switch of the answer's own conditions, and right before it overflows, the
  answer is compared again (found by bisection, ``edges.py``), so a sliver cannot hide a wrong
  branch;
- every part of the answer must make a difference at some test point, or the verdict is
  "unchecked" naming it (``inert.py``): a spike thinner than the points, a switch far beyond
  them, or sigmoid(40) cannot be vouched for by points;
- agreement is to a relative 1e-8, and at most points to 1e-12, so ref*(1 + 1e-9) is wrong;
  where the answer is mostly rounding (large, nearly equal terms) the point is skipped instead.

A wrong answer goes to ``mistakes.diagnose`` for a name. Everything here is numpy on the parser's
AST; sympy never decides a verdict.
"""

from __future__ import annotations

import numpy as np

from quizapp.mathcheck.compare import (
    RTOL,
    Judgement,
    close,
    full,
    scale_of,
)
from quizapp.mathcheck.domains import CASE_DOMAINS, DISCRETE, FAR, FRIENDLY, PROBE
from quizapp.mathcheck.edges import (
    branch_mismatch,
    continuous_names,
    edge_mismatch,
    overflow_edge_mismatch,
)
from quizapp.mathcheck.inert import inert_part
from quizapp.mathcheck.mistakes import diagnose
from quizapp.mathcheck.numeric import Trace, evaluate, median, rounding_bound
from quizapp.mathcheck.parser import Node, to_text
from quizapp.mathcheck.problem import MIN_POINTS, Compiled, far_from_kinks

# --------------------------------------------------------------------------- the verdict


def judge(c: Compiled, answer: Node) -> Judgement:
    n = c.size
    trace = Trace()
    values = full(evaluate(answer, c.env, trace=trace), n)
    layout = c.layout
    far = layout.region == FAR
    finite = np.isfinite(values)
    undefined = trace.where("sqrt", n) | trace.where("log", n) | trace.where("pow", n)
    overflow = trace.where("overflow", n)
    scale = scale_of(c)

    # The answer's own kinks may skip a few of the points the reference keeps (two right answers
    # may differ exactly on a kink), and so may an overflow in the answer where the reference is
    # finite: floats run out before the maths does (1/(p(1 - p)) once p rounds to 1). Never
    # many, except in the far range (|z| in 50..1e4), which is a bonus: there any point the
    # answer cannot compute is simply not compared.
    own_kinks = [full(k.values, n) for k in trace.kinks_off(_case_names(c))]
    # Exactly on one of its own kinks (z = 0 in sign(z)^2), an answer is compared like anywhere
    # else unless it has no value there (abs(z)/z); near it, rounding may pick either side.
    on_kink = np.zeros(n, dtype=bool)
    for distance in own_kinks:
        on_kink |= distance == 0
    near_kink = ~far_from_kinks(own_kinks, n) & ~on_kink
    numeric = ~finite & ~undefined & (overflow | (layout.region != FRIENDLY) | on_kink)
    skipped = c.mask & far & numeric
    removed = c.mask & (near_kink | numeric) & ~skipped
    agree = close(values, c.reference_values, scale=scale)
    suspect = c.mask & ~agree & ~removed & ~skipped & finite
    if suspect.any():
        # Where the answer (or the reference) is mostly rounding, a difference proves nothing.
        ill = _ill_conditioned(c, answer, values, scale) & suspect
        skipped |= ill & far
        removed |= ill & ~far
    mask = c.mask & ~removed & ~skipped
    for k in range(len(layout.cases)):
        in_case = (layout.case == k) & ~far
        reference_kept = int((c.mask & in_case).sum())
        lost = int((removed & in_case).sum())
        if lost > MAX_REMOVED * reference_kept or reference_kept - lost < MIN_POINTS:
            return _too_few(c, k, lost, reference_kept, removed & in_case, near_kink, numeric)

    for kink in trace.kinks:
        if kink.equality and kink.names & continuous_names(c):
            return Judgement(
                "unchecked",
                f"compares real numbers for equality ({to_text(kink.node)}): its two sides "
                "differ only at single points that no test can meet",
                points=int(mask.sum()),
            )

    used = int(mask.sum())
    a = values[mask]
    r = c.reference_values[mask]
    if not agree[mask].all():
        return diagnose(c, values, mask, scale, trace)

    # A branch that is another formula is wrong on its side, reached by a test point or not.
    branch = branch_mismatch(c, answer, mask, scale)
    if branch:
        return Judgement("incorrect", branch, points=used)

    untested = _untested_side(c, trace, mask)
    if untested:
        return Judgement("unchecked", untested, points=used)

    edge = edge_mismatch(c, answer, trace, mask, scale)
    overflow_edge = overflow_edge_mismatch(c, answer, mask, finite & ~undefined, scale)
    if edge or overflow_edge:
        return Judgement("incorrect", edge or overflow_edge or "", points=used)

    # Rounding makes a right answer differ from the reference by what rounding can explain (a
    # few units in the last place, more where terms cancel); ref*(1 + 1e-9) or ref + 1e-12
    # differs by the same small amount everywhere, which rounding does not explain.
    explained = _rounding_explains(c, answer, mask, a, r, scale)
    if explained.mean() < EXACT_SHARE:
        with np.errstate(all="ignore"):
            relative = np.abs(a - r) / np.maximum(np.maximum(np.abs(a), np.abs(r)), 1e-300)
        worst = median(relative[~explained])
        return Judgement(
            "incorrect",
            f"close to the derivative but not equal to it: it is off by a relative "
            f"{worst:.1g} at most test points, far more than rounding explains",
            mistake="nearly-equal",
            points=used,
        )
    # A part too small to change the answer anywhere it was compared is not vouched for by the
    # points: a thin spike, a switch far beyond the tested values, exp(-1000).
    inert = inert_part(c, answer, values, mask, scale)
    if inert:
        return Judgement("unchecked", inert, points=used)
    return Judgement("correct", f"agrees with the derivative at {used} points", points=used)


# An answer's own kinks and overflows may skip at most this share of a case's points.
MAX_REMOVED = 0.05
# A right answer differs from the reference by no more than rounding explains (its first-order
# bound, or this many units in the last place) at least at this share of the points.
EXACT_ULPS = 8
EPS = float(np.finfo(float).eps)
EXACT_SHARE = 0.9


def _rounding_explains(
    c: Compiled, answer: Node, mask: np.ndarray, a: np.ndarray, r: np.ndarray, scale: float
) -> np.ndarray:
    """Per compared point: is the difference within what rounding can explain?"""
    difference = np.abs(a - r)
    size = np.maximum(np.abs(a), np.abs(r))
    within = difference <= EXACT_ULPS * EPS * size + 1e-15 * scale
    if within.mean() >= EXACT_SHARE:
        return within  # the usual case: no need for the (slower) rounding bound
    if "reference_rounding" not in c.cache:
        c.cache["reference_rounding"] = full(rounding_bound(c.reference, c.env), c.size)
    with np.errstate(all="ignore"):
        bound = full(rounding_bound(answer, c.env), c.size)[mask]
        bound = bound + c.cache["reference_rounding"][mask]
        return within | (difference <= 4 * bound)


def _case_names(c: Compiled) -> frozenset[str]:
    if "case_names" not in c.cache:
        names = {name for name, domain in c.problem.domains if domain in CASE_DOMAINS}
        c.cache["case_names"] = frozenset(names)
    return c.cache["case_names"]


def _too_few(
    c: Compiled,
    case: int,
    lost: int,
    kept: int,
    removed: np.ndarray,
    near_kink: np.ndarray,
    numeric: np.ndarray,
) -> Judgement:
    where = "" if len(c.layout.cases) == 1 else f" when {c.layout.describe_case(case)}"
    share = f"at {lost} of {kept} test points{where}"
    if (removed & numeric).sum() >= (removed & near_kink).sum() and (removed & numeric).any():
        why = (
            f"overflows (a number too large for the computer) or divides by zero {share}, "
            "so it cannot be compared there"
        )
    elif (removed & near_kink).any():
        why = (
            f"sits on a kink of its own (of abs, sign, step, max or a condition) {share}, which "
            "the derivative does not have; those points cannot be compared"
        )
    else:
        why = (
            f"subtracts large, nearly equal numbers {share}, so its value there is mostly "
            "rounding error and cannot be compared"
        )
    return Judgement("unchecked", why, points=kept - lost)


def _ill_conditioned(c: Compiled, answer: Node, values: np.ndarray, scale: float) -> np.ndarray:
    """Points where rounding alone could make the answer or the reference miss the tolerance."""
    if "reference_rounding" not in c.cache:
        c.cache["reference_rounding"] = full(rounding_bound(c.reference, c.env), c.size)
    bound = full(rounding_bound(answer, c.env), c.size) + c.cache["reference_rounding"]
    with np.errstate(all="ignore"):
        size = np.maximum(np.abs(values), np.abs(c.reference_values))
        return ~(4 * bound <= RTOL * size + 1e-12 * scale)


def _untested_side(c: Compiled, trace: Trace, mask: np.ndarray) -> str | None:
    """A message when one of the answer's conditions switches, somewhere in the domain (the
    wide range or a far probe), to a side never met at a compared point; None otherwise."""
    probe = c.layout.region == PROBE
    continuous = continuous_names(c)
    labels = frozenset(name for name, domain in c.problem.domains if domain in DISCRETE)
    # Labels are enumerated (every case is tested); counts and reals are not.
    for kink in trace.kinks_off(labels):
        values = np.broadcast_to(kink.values, mask.shape)
        finite = np.isfinite(values)
        exact = not (kink.names & continuous)  # counts: an equality can really be met
        sides = np.sign(values) if exact else np.where(values >= 0, 1.0, -1.0)
        tested = set(np.unique(sides[mask & finite]).tolist())
        possible = set(np.unique(sides[finite & (c.mask | probe)]).tolist())
        missing = possible - tested
        if missing:
            return (
                f"has a condition ({to_text(kink.node)}) whose other side is never reached "
                "at a test point; the answer there could not be compared"
            )
    return None
