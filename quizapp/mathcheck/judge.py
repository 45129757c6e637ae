"""Decide whether an answer equals a problem's derivative, and name the mistake when it does not.

Equivalence is decided numerically, the way Numbas and edX's calc.py do it: both expressions are
evaluated at the problem's sample points (at least ``MIN_POINTS`` of them, drawn from each
variable's domain, both signs of every real), skipping points on or near a kink; they must agree
to a relative 1e-8 everywhere. Too few usable points gives "unchecked", never a guess.

When they do not agree, the answer is compared with wrong answers derived from the drill itself,
first match wins:

1. the drill's hand-written mistakes (YAML ``mistakes``), then the loss itself;
2. a constant multiple of the derivative: the sign, a factor 2, log base 10, any factor k;
3. a missing or extra factor: the chain-rule factor of a named quantity (dp/dz), the 1/N of a
   mean, any other factor of the reference's product;
4. derived answers: dL/d(quantity) instead of dL/d(variable), the loss differentiated with log
   base 10, y and yhat (or p and 1-p, y and 1-y) swapped, the derivative with respect to another
   variable, a term of the reference's sum dropped;
5. a constant offset; right on one branch of a piecewise derivative or for one label value only.

Everything here is numpy on the parser's AST; sympy is never needed to reach a verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from quizapp.mathcheck import calculus as C
from quizapp.mathcheck.domains import CASE_DOMAINS, DISCRETE, FAR, FRIENDLY, PROBE
from quizapp.mathcheck.numeric import Trace, evaluate, rounding_bound
from quizapp.mathcheck.parser import Call, Cond, Name, Neg, Node, to_text
from quizapp.mathcheck.problem import MIN_POINTS, Compiled, _expand, far_from_kinks

RTOL = 1e-8
# Wrong-answer variants are built with different arithmetic than the learner's typing; a looser
# match costs nothing because they are only compared once the answer is already known wrong.
MATCH_RTOL = 1e-6
LN10 = math.log(10.0)


@dataclass(frozen=True)
class Judgement:
    verdict: str  # "correct" | "incorrect" | "unchecked"
    message: str
    mistake: str | None = None
    hint: str | None = None
    points: int = 0


@dataclass(frozen=True)
class Variant:
    """A wrong answer derived from the drill: matched when the answer equals ``values``."""

    id: str
    message: str
    values: np.ndarray
    hint: str | None = None


@dataclass(frozen=True)
class Factor:
    """A wrong answer of the form k * factor * derivative (k a constant, often 1)."""

    id: str
    message: str
    values: np.ndarray


def close(a: np.ndarray, b: np.ndarray, rtol: float = RTOL, scale: float = 1.0) -> np.ndarray:
    """Elementwise agreement; NaN or infinity never agrees with anything."""
    with np.errstate(invalid="ignore", over="ignore"):
        near = np.abs(a - b) <= rtol * np.maximum(np.abs(a), np.abs(b)) + 1e-12 * scale
        # inf <= inf holds, so an overflowing answer would "agree" with everything without this.
        return near & np.isfinite(a) & np.isfinite(b)


def _full(values: np.ndarray | float, n: int) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.shape == (n,) and values.dtype == float:
        return values  # the usual case: skip broadcast_to's overhead
    return np.broadcast_to(np.asarray(values, dtype=float), (n,))


# --------------------------------------------------------------------------- the verdict


def judge(c: Compiled, answer: Node) -> Judgement:
    n = c.size
    trace = Trace()
    values = _full(evaluate(answer, c.env, trace=trace), n)
    layout = c.layout
    far = layout.region == FAR
    finite = np.isfinite(values)
    undefined = trace.where("sqrt", n) | trace.where("log", n) | trace.where("pow", n)
    overflow = trace.where("overflow", n)
    scale = _scale(c)

    # The answer's own kinks may skip a few of the points the reference keeps (two right answers
    # may differ exactly on a kink), and so may an overflow in the answer where the reference is
    # finite: floats run out before the maths does (1/(p(1 - p)) once p rounds to 1). Never
    # many, except in the far range (|z| in 50..1e4), which is a bonus: there any point the
    # answer cannot compute is simply not compared.
    near_kink = ~far_from_kinks([k.values for k in trace.kinks_off(_case_names(c))], n)
    numeric = ~finite & ~undefined & (overflow | (layout.region != FRIENDLY))
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
        if kink.equality and kink.names & _continuous_names(c):
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
        return _diagnose(c, values, mask, scale, trace)

    untested = _untested_side(c, trace, mask)
    if untested:
        return Judgement("unchecked", untested, points=used)

    edge = _edge_mismatch(c, answer, trace, mask, scale)
    overflow_edge = _overflow_edge_mismatch(c, answer, mask, finite & ~undefined, scale)
    if edge or overflow_edge:
        return Judgement("incorrect", edge or overflow_edge or "", points=used)

    # Rounding makes a right answer differ from the reference by a few units in the last place
    # at most points; ref*(1 + 1e-9) or ref + 1e-9 differs by the same small amount everywhere.
    with np.errstate(all="ignore"):
        relative = np.abs(a - r) / np.maximum(np.maximum(np.abs(a), np.abs(r)), 1e-300)
    exact = (relative <= EXACT_RTOL) | (np.abs(a - r) <= 1e-15 * scale)
    if exact.mean() < EXACT_SHARE:
        worst = float(np.median(relative))
        return Judgement(
            "incorrect",
            f"close to the derivative but not equal to it: it is off by a relative "
            f"{worst:.1g} at most test points, far more than rounding explains",
            mistake="nearly-equal",
            points=used,
        )
    return Judgement("correct", f"agrees with the derivative at {used} points", points=used)


# An answer's own kinks and overflows may skip at most this share of a case's points.
MAX_REMOVED = 0.05
# A right answer agrees with the reference to this relative accuracy at most points...
EXACT_RTOL = 1e-12
# ... namely at least this share of them.
EXACT_SHARE = 0.75


def _scale(c: Compiled) -> float:
    """The reference's typical size (for the absolute part of the tolerance), once per drill."""
    if "scale" not in c.cache:
        c.cache["scale"] = float(np.median(np.abs(c.reference_values[c.mask]))) + 1e-300
    return c.cache["scale"]


def _case_names(c: Compiled) -> frozenset[str]:
    if "case_names" not in c.cache:
        names = {name for name, domain in c.problem.domains if domain in CASE_DOMAINS}
        c.cache["case_names"] = frozenset(names)
    return c.cache["case_names"]


def _continuous_names(c: Compiled) -> frozenset[str]:
    """Variables with a continuous domain and the named quantities (they depend on them)."""
    if "continuous_names" not in c.cache:
        names = {name for name, domain in c.problem.domains if domain not in CASE_DOMAINS}
        c.cache["continuous_names"] = frozenset(names | set(c.quantity_trees))
    return c.cache["continuous_names"]


# Kink edges: pairs of points per case and kink, bisection steps, and how far (as a share of the
# segment) beside the switch the answer is compared.
EDGE_PAIRS = 4
EDGE_STEPS = 32
EDGE_OFFSET = 1e-9
OVERFLOW_STEPS = 16


def _edge_mismatch(
    c: Compiled, answer: Node, trace: Trace, mask: np.ndarray, scale: float
) -> str | None:
    """Compare the answer with the derivative just beside each place one of its conditions
    switches. Random points never land in a thin sliver such as 1 < y*s <= 1.0000001 (an answer
    whose condition is shifted a hair from the reference's); the switch itself is found by
    bisection between two test points on either side of it. A condition written exactly as one
    of the reference's switches where the reference does, so it needs no search."""
    continuous = _continuous_names(c)
    if "reference_switches" not in c.cache:
        kinks = Trace()
        evaluate(c.reference, c.env, trace=kinks)
        c.cache["reference_switches"] = [
            np.broadcast_to(k.values, mask.shape) for k in kinks.kinks if k.names & continuous
        ]
    known: list[np.ndarray] = list(c.cache["reference_switches"])
    case = c.layout.case
    main = c.layout.region != PROBE
    for kink in trace.kinks:
        if not kink.names & continuous:
            continue
        g = np.broadcast_to(kink.values, mask.shape)
        # The same switch as one already searched or the reference's (y*s - 1 and 1 - y*s take
        # the same values up to sign everywhere): it switches where that one does.
        with np.errstate(all="ignore"):
            if any(
                np.all(np.abs(np.abs(g[main]) - np.abs(k[main])) <= 1e-13 * np.abs(k[main]))
                and (
                    np.all(np.sign(g[main]) == np.sign(k[main]))
                    or np.all(np.sign(g[main]) == -np.sign(k[main]))
                )
                for k in known
            ):
                continue
        known.append(g)
        distance = _expand(kink.expr, c.quantity_trees)
        g = np.broadcast_to(kink.values, mask.shape)
        first: list[np.ndarray] = []
        second: list[np.ndarray] = []
        for k in range(len(c.layout.cases)):
            above = np.flatnonzero(mask & (case == k) & (g > 0))[:EDGE_PAIRS]
            below = np.flatnonzero(mask & (case == k) & (g < 0))[:EDGE_PAIRS]
            m = min(above.size, below.size)
            first.append(above[:m])
            second.append(below[:m])
        i, j = np.concatenate(first), np.concatenate(second)
        if i.size == 0:
            continue
        start = {name: c.env[name][i] for name in c.problem.variables}
        step = {
            name: np.zeros(i.size) if domain in CASE_DOMAINS else c.env[name][j] - start[name]
            for name, domain in c.problem.domains
        }
        lo, hi = np.zeros(i.size), np.ones(i.size)
        g_lo = np.sign(_full(evaluate(distance, start), i.size))
        for _ in range(EDGE_STEPS):
            mid = (lo + hi) / 2
            env = {name: start[name] + mid * step[name] for name in start}
            same = np.sign(_full(evaluate(distance, env), i.size)) == g_lo
            lo = np.where(same, mid, lo)
            hi = np.where(same, hi, mid)
        t = np.clip(np.concatenate([lo - EDGE_OFFSET, hi + EDGE_OFFSET]), 0.0, 1.0)
        ii, jj = np.concatenate([i, i]), np.concatenate([j, j])
        env = _segment_env(c, ii, jj, t)
        a = _full(evaluate(answer, env), t.size)
        ref_kinks: list[np.ndarray] = []
        r = _full(evaluate(c.reference, env, ref_kinks), t.size)
        answer_kinks: list[np.ndarray] = []
        evaluate(answer, env, answer_kinks)
        usable = np.isfinite(a) & np.isfinite(r)
        for values in ref_kinks + answer_kinks:
            usable &= np.broadcast_to(values, t.shape) != 0  # exactly on a kink: either is right
        bad = usable & ~close(a, r, RTOL, scale)
        if bad.any():
            x = int(np.argmax(bad))
            where = ", ".join(
                f"{name} = {float(env[name][x]):.10g}" for name in c.problem.variables
            )
            return (
                f"not equal to the derivative right beside where {to_text(kink.node)} switches: "
                f"at {where} your answer is {_fmt(float(a[x]))} but the derivative is "
                f"{_fmt(float(r[x]))}"
            )
    return None


def _overflow_edge_mismatch(
    c: Compiled, answer: Node, mask: np.ndarray, computable: np.ndarray, scale: float
) -> str | None:
    """Compare the answer with the derivative just before it overflows. An answer such as
    p - y + 1e-300*exp(z) is wrong only for z in about 690..709 and overflows beyond, where it
    is not compared; right at the edge of where it can be computed, it is far off."""
    lost = c.mask & ~computable & np.isfinite(c.reference_values)
    if not lost.any():
        return None
    case = c.layout.case
    first: list[np.ndarray] = []
    second: list[np.ndarray] = []
    for k in range(len(c.layout.cases)):
        inside = np.flatnonzero(mask & (case == k))
        outside = np.flatnonzero(lost & (case == k))[:EDGE_PAIRS]
        m = min(inside.size, outside.size)
        # Pair each lost point with its nearest kept one (in rank order), so the segment is
        # short and stays in one part of the domain.
        first.append(inside[np.linspace(0, inside.size - 1, m).astype(int)] if m else inside[:0])
        second.append(outside[:m])
    i, j = np.concatenate(first), np.concatenate(second)
    if i.size == 0:
        return None
    lo, hi = np.zeros(i.size), np.ones(i.size)
    # Coarser than for a kink: a region where an answer is wrong before it overflows has some
    # width (690 < z < 709 for 1e-300*exp(z)); 1/65536 of a segment lands inside it.
    for _ in range(OVERFLOW_STEPS):
        mid = (lo + hi) / 2
        ok = np.isfinite(_full(evaluate(answer, _segment_env(c, i, j, mid)), i.size))
        lo = np.where(ok, mid, lo)
        hi = np.where(ok, hi, mid)
    env = _segment_env(c, i, j, lo)
    a = _full(evaluate(answer, env), i.size)
    ref_kinks: list[np.ndarray] = []
    r = _full(evaluate(c.reference, env, ref_kinks), i.size)
    answer_kinks: list[np.ndarray] = []
    evaluate(answer, env, answer_kinks)
    usable = np.isfinite(a) & np.isfinite(r)
    for values in ref_kinks + answer_kinks:
        usable &= np.abs(np.broadcast_to(values, lo.shape)) > 1e-6
    with np.errstate(all="ignore"):
        bound = _full(rounding_bound(answer, env), i.size) + _full(
            rounding_bound(c.reference, env), i.size
        )
        size = np.maximum(np.abs(a), np.abs(r))
    usable &= 4 * bound <= RTOL * size + 1e-12 * scale
    bad = usable & ~close(a, r, RTOL, scale)
    if not bad.any():
        return None
    x = int(np.argmax(bad))
    where = ", ".join(f"{name} = {_fmt(float(env[name][x]))}" for name in c.problem.variables)
    return (
        f"not equal to the derivative where your answer grows too large to compute: at {where} "
        f"your answer is {_fmt(float(a[x]))} but the derivative is {_fmt(float(r[x]))}"
    )


def _segment_env(c: Compiled, i: np.ndarray, j: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """Points on the segments from point i to point j (labels and counts as at point i)."""
    env: dict[str, np.ndarray] = {}
    for name, domain in c.problem.domains:
        start = c.env[name][i]
        env[name] = start if domain in CASE_DOMAINS else start + t * (c.env[name][j] - start)
    for q, tree in c.quantity_trees.items():
        env[q] = _full(evaluate(tree, env), t.size)
    return env


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
        c.cache["reference_rounding"] = _full(rounding_bound(c.reference, c.env), c.size)
    bound = _full(rounding_bound(answer, c.env), c.size) + c.cache["reference_rounding"]
    with np.errstate(all="ignore"):
        size = np.maximum(np.abs(values), np.abs(c.reference_values))
        return ~(4 * bound <= RTOL * size + 1e-12 * scale)


def _untested_side(c: Compiled, trace: Trace, mask: np.ndarray) -> str | None:
    """A message when one of the answer's conditions switches, somewhere in the domain (the
    wide range or a far probe), to a side never met at a compared point; None otherwise."""
    probe = c.layout.region == PROBE
    continuous = _continuous_names(c)
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


# --------------------------------------------------------------------------- diagnosis


def _diagnose(
    c: Compiled, values: np.ndarray, mask: np.ndarray, scale: float, trace: Trace | None = None
) -> Judgement:
    a = values[mask]
    r = c.reference_values[mask]
    used = int(mask.sum())
    variants, factors = _derived(c)

    friendly = c.layout.region == FRIENDLY

    def matches(target: np.ndarray) -> bool:
        # Variants are computed by formulas that round differently far out (1 - (1 - p) is 0
        # once p < 1e-16): strict in the box, loose beyond it, only where they have a value.
        usable = mask & np.isfinite(target)
        box = usable & friendly
        beyond = usable & ~friendly
        if box.sum() < MIN_POINTS // 2:
            return False
        strict = close(values[box], target[box], MATCH_RTOL, scale).all()
        return bool(strict and close(values[beyond], target[beyond], 1e-2, scale * 1e3).all())

    def wrong(mistake: str | None, message: str, hint: str | None = None) -> Judgement:
        return Judgement("incorrect", message, mistake=mistake, hint=hint, points=used)

    for v in variants:
        if v.id not in _LATE_VARIANTS and matches(v.values):
            return wrong(v.id, v.message, v.hint)

    k = _constant_ratio(a, r, scale)
    if k is not None:
        mistake, message = _describe_constant(k)
        return wrong(mistake, message)

    for f in factors:
        # Where the factor itself overflows (1/(p(1 - p)) at z = 40) it says nothing.
        # The ratio is found in the box, then checked loosely beyond it (see matches).
        usable = mask & friendly & np.isfinite(f.values)
        with np.errstate(all="ignore"):
            product = f.values * c.reference_values
        k = _constant_ratio(values[usable], product[usable], scale, allow_one=True)
        # Only with a simple k: "a factor x is missing and the answer is 0.37 times that" says
        # nothing; any constant answer would match a derivative with one varying factor.
        simple = k is not None and any(abs(abs(k) - m) <= 1e-6 * m for m in (1, 2, 0.5))
        if simple and matches(k * product):
            extra = "" if abs(k - 1) < 1e-6 else f", and {_describe_constant(k)[1]}"
            return wrong(f.id, f.message + extra)

    for v in variants:
        if v.id in _LATE_VARIANTS and matches(v.values):
            return wrong(v.id, v.message, v.hint)

    diff = a - r
    offset = float(np.median(diff))
    if np.isfinite(offset) and close(diff, np.full_like(diff, offset), MATCH_RTOL, scale).all():
        return wrong(
            "constant-offset",
            f"off by a constant: your answer is the derivative {'+' if offset > 0 else '-'} "
            f"{_fmt(abs(offset))}",
        )

    partial = _partial(c, values, mask, scale)
    if partial:
        return wrong("partial", partial)

    bad = mask & ~close(values, c.reference_values, RTOL, scale)
    return wrong(None, _counterexample(c, values, bad, scale, trace))


# Variants tried after the constant-ratio and factor checks (more general explanations first).
_LATE_VARIANTS = frozenset({"chain-rule", "log10", "swapped", "wrong-variable", "term-missing"})


def _constant_ratio(
    a: np.ndarray, r: np.ndarray, scale: float, allow_one: bool = False
) -> float | None:
    """k when a == k*r at every point (k != 0, and k != 1 unless ``allow_one``), else None."""
    with np.errstate(all="ignore"):
        big = np.abs(r) > 1e-9 * scale
        if big.sum() < MIN_POINTS // 2 or not np.isfinite(a).all():
            return None
        k = float(np.median(a[big] / r[big]))
    if not np.isfinite(k) or abs(k) < 1e-9 or (abs(k - 1) < 1e-9 and not allow_one):
        return None
    if close(a, k * r, MATCH_RTOL, scale).all():
        return k
    return None


def _describe_constant(k: float) -> tuple[str, str]:
    """The mistake id and message for an answer that is k times the derivative."""
    sign = " and the sign is flipped" if k < 0 else ""
    m = abs(k)

    def near(x: float) -> bool:
        return abs(m - x) <= 1e-6 * x

    if near(1):
        return "sign", "right except the sign: your answer is minus the derivative"
    if near(2):
        return "factor-2-extra", f"an extra factor 2: your answer is twice the derivative{sign}"
    if near(0.5):
        return (
            "factor-2-missing",
            f"a factor 2 is missing: your answer is half the derivative{sign}",
        )
    if near(1 / LN10):
        return (
            "log10",
            "log base 10: your answer is the derivative divided by ln 10; log here means the "
            f"natural log{sign}",
        )
    return (
        "constant-factor",
        f"right up to a constant factor: your answer is {_fmt(k)} times the derivative",
    )


def _partial(c: Compiled, values: np.ndarray, mask: np.ndarray, scale: float) -> str | None:
    ok = close(values, c.reference_values, MATCH_RTOL, scale) & mask
    regions: list[tuple[np.ndarray, str, str]] = []
    ref = c.reference
    if isinstance(ref, Cond):
        inside = _full(evaluate(Cond(ref.test, C.ONE, C.ZERO), c.env), mask.shape[0]) > 0.5
        test = to_text(ref.test)
        regions.append((inside, f"where {test}", "outside it"))
        regions.append((~inside, f"outside {test}", "inside it"))
    for name, domain in c.problem.domains:
        if domain in DISCRETE:
            low, high = DISCRETE[domain]
            at_low = c.env[name] == low
            regions.append((at_low, f"when {name} = {low:g}", f"when {name} = {high:g}"))
            regions.append((~at_low, f"when {name} = {high:g}", f"when {name} = {low:g}"))
    # Right inside the friendly box only: an answer clipped or cut off for large values.
    box = c.layout.region == FRIENDLY
    regions.append((box, "for small values", "for large ones (beyond the first few units)"))
    for region, right, wrong_where in regions:
        inside = mask & region
        outside = mask & ~region
        if inside.sum() >= 5 and outside.sum() >= 5 and ok[inside].all() and not ok[outside].any():
            return f"partly right: right {right}, wrong {wrong_where}"
    return None


_UNDEFINED = (
    ("sqrt", "undefined: the square root of a negative number"),
    ("log", "undefined: the log of a negative number"),
    ("pow", "undefined: a negative number to a fractional power"),
    ("log0", "infinite: the log of 0"),
    ("div0", "undefined: a division by zero"),
    ("overflow", "too large to compute (it overflows)"),
)


def _counterexample(
    c: Compiled, values: np.ndarray, bad: np.ndarray, scale: float, trace: Trace | None = None
) -> str:
    """One point of ``bad`` (the friendliest) as "at y = 1, z = 0.5 your answer is ..."."""
    # Prefer a point in the friendly box, then the wide range: small numbers read best.
    order = np.lexsort((np.arange(bad.size), c.layout.region))
    i = int(order[np.argmax(bad[order])])
    where = ", ".join(f"{name} = {_fmt(float(c.env[name][i]))}" for name in c.problem.variables)
    got = float(values[i])
    expected = float(c.reference_values[i])
    if math.isfinite(got):
        shown = _fmt(got, expected)
    else:
        shown = "undefined (division by zero or a log of 0)"
        if trace is not None:
            for kind, text in _UNDEFINED:
                if trace.where(kind, bad.size)[i]:
                    shown = text
                    break
    return (
        f"not equal to the derivative: at {where} your answer is {shown} but the derivative is "
        f"{_fmt(expected, got)}"
    )


def _fmt(x: float, other: float | None = None) -> str:
    """``x`` in 4 significant digits, or as many as it takes to differ from ``other``."""
    if not math.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e6:
        return str(int(x))
    for digits in (4, 8, 12, 17):
        text = f"{x:.{digits}g}"
        if other is None or text != f"{other:.{digits}g}":
            return text
    return text


# --------------------------------------------------------------------------- derived mistakes


def _derived(c: Compiled) -> tuple[list[Variant], list[Factor]]:
    if "derived" not in c.cache:
        c.cache["derived"] = (_variants(c), _factors(c))
    return c.cache["derived"]


def _values(c: Compiled, tree: Node) -> np.ndarray:
    return _full(evaluate(tree, c.env), c.mask.shape[0]).copy()


def _variants(c: Compiled) -> list[Variant]:
    p = c.problem
    wrt = p.wrt
    out: list[Variant] = []
    for pattern in p.patterns:
        tree = p.parse(pattern.answer).tree
        out.append(Variant(pattern.id, pattern.name, _values(c, tree), pattern.hint))
    out.append(
        Variant("loss-itself", "that is the loss itself, not its derivative", _values(c, c.loss))
    )

    # The chain rule forgotten: dL/dq for a named quantity q (p = sigmoid(z), yhat = w*x + b).
    for q, definition in c.quantity_trees.items():
        if C.depends_on(c.loss, q) and C.depends_on(definition, wrt):
            out.append(
                Variant(
                    "chain-rule",
                    f"that is dL/d{q}, but the question asks for dL/d{wrt}: multiply by "
                    f"d{q}/d{wrt} (chain rule)",
                    _values(c, C.diff(c.loss, q)),
                )
            )

    # Log base 10 in the loss, or log10 typed where the reference has the natural log.
    if any(isinstance(n, Call) and n.func == "log" for n in c.loss_expanded.walk()):
        d10 = C.diff(C.rename_function(c.loss_expanded, "log", "log10"), wrt)
        out.append(Variant("log10", _LOG10_MESSAGE, _values(c, d10)))
    if any(isinstance(n, Call) and n.func == "log" for n in c.reference.walk()):
        out.append(
            Variant(
                "log10", _LOG10_MESSAGE, _values(c, C.rename_function(c.reference, "log", "log10"))
            )
        )

    for mapping, label in _swaps(c):
        swapped = C.substitute(c.reference, mapping)
        out.append(Variant("swapped", f"{label} are swapped", _values(c, swapped)))

    for name, domain in p.domains:
        # Counts (N, K) are never differentiated by; labels are a plausible mix-up (y for s).
        if name != wrt and domain != "count":
            d = C.diff(c.loss_expanded, name)
            out.append(
                Variant(
                    "wrong-variable",
                    f"that is the derivative with respect to {name}, not {wrt}",
                    _values(c, d),
                )
            )

    parts = C.terms(c.reference)
    if len(parts) > 1:
        for i, dropped in enumerate(parts):
            rest = C.sum_of([t for j, t in enumerate(parts) if j != i])
            out.append(
                Variant(
                    "term-missing",
                    f"a term is missing: your answer lacks the part {_term_text(dropped)} "
                    "(check the product rule and every term of the loss)",
                    _values(c, rest),
                )
            )
    return [v for v in out if not _equals_reference(c, v.values)]


def _term_text(term: Node) -> str:
    # "-eps/K" reads better than the fully bracketed "-(eps/K)".
    if isinstance(term, Neg):
        return "-" + to_text(term.operand)
    return to_text(term)


_LOG10_MESSAGE = (
    "log base 10: you differentiated log10 where log means the natural log (ln), "
    "so a factor 1/ln 10 crept in"
)


def _swaps(c: Compiled) -> list[tuple[dict[str, Node], str]]:
    """Name swaps worth trying on the reference: y and yhat, a probability p and 1-p, a 0/1
    label y and 1-y. Only names the reference actually uses."""
    used = C.names_in(c.reference)
    domains = dict(c.problem.domains)
    out: list[tuple[dict[str, Node], str]] = []
    if {"y", "yhat"} <= used:
        out.append(({"y": Name("yhat"), "yhat": Name("y")}, "y and yhat"))
    for name in sorted(used):
        values = c.env[name][c.mask]
        domain = domains.get(name)
        one_minus = {name: C.sub(C.ONE, Name(name))}
        if domain == "binary":
            out.append((one_minus, f"the labels {name} and 1-{name}"))
        elif domain == "prob" or (domain is None and ((values >= 0) & (values <= 1)).all()):
            out.append((one_minus, f"{name} and 1-{name}"))
    return out


def _factors(c: Compiled) -> list[Factor]:
    p = c.problem
    wrt = p.wrt
    out: list[Factor] = []
    with np.errstate(all="ignore"):
        for q, definition in c.quantity_trees.items():
            if C.depends_on(c.loss, q) and C.depends_on(definition, wrt):
                dq = _values(c, C.diff(definition, wrt))
                out.append(
                    Factor(
                        "chain-rule",
                        f"the chain-rule factor d{q}/d{wrt} is missing",
                        1.0 / dq,
                    )
                )
                out.append(
                    Factor("chain-rule-extra", f"an extra chain-rule factor d{q}/d{wrt}", dq)
                )
        domains = dict(p.domains)
        varying = [(f, s) for f, s in C.factors(c.reference) if C.names_in(f)]
        for factor, power in varying:
            # (Constants are the constant-ratio check's job.)
            values = _values(c, factor)
            if isinstance(factor, Name) and domains.get(factor.name) == "count" and power < 0:
                n = factor.name
                out.append(Factor("mean-missing", f"the 1/{n} of the mean is missing", values))
                out.append(
                    Factor("mean-extra", f"an extra 1/{n}: the mean is taken twice", 1 / values)
                )
                continue
            if len(varying) < 2:
                continue  # dropping the only varying factor leaves a constant: nothing to name
            what = to_text(factor) if power > 0 else f"1/({to_text(factor)})"
            out.append(Factor("factor-missing", f"a factor {what} is missing", values ** (-power)))
    box = c.mask & (c.layout.region == FRIENDLY)  # far out a factor may well overflow
    return [
        f for f in out if np.isfinite(f.values[box]).all() and not close(f.values[box], 1.0).all()
    ]


def _equals_reference(c: Compiled, values: np.ndarray) -> bool:
    mask = c.mask
    return bool(close(values[mask], c.reference_values[mask], MATCH_RTOL).all())
