"""Name the mistake in a wrong answer: the answer is compared with wrong answers derived from
the drill itself, first match wins:

1. the drill's hand-written mistakes (YAML ``mistakes``), then the loss itself;
2. a constant multiple of the derivative: the sign, a factor 2, log base 10, any factor k;
3. a missing or extra factor: the chain-rule factor of a named quantity (dp/dz), the 1/N of a
   mean, any other factor of the reference's product;
4. derived answers: dL/d(quantity) instead of dL/d(variable), the loss differentiated with log
   base 10, y and yhat (or p and 1-p, y and 1-y) swapped, the derivative with respect to another
   variable, a term of the reference's sum dropped;
5. a constant offset; right on one branch of a piecewise derivative or for one label value only.

Matches are strict in the friendly box and loose beyond it: the variants are computed by other
formulas, which round differently far out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from quizapp.mathcheck import calculus as C
from quizapp.mathcheck.compare import (
    MATCH_RTOL,
    RTOL,
    Judgement,
    close,
    counterexample,
    fmt,
    full,
)
from quizapp.mathcheck.domains import DISCRETE, FRIENDLY
from quizapp.mathcheck.numeric import Trace, evaluate, median
from quizapp.mathcheck.parser import Call, Cond, Name, Neg, Node, to_text
from quizapp.mathcheck.problem import MIN_POINTS, Compiled

LN10 = math.log(10.0)


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


# --------------------------------------------------------------------------- diagnosis


def diagnose(
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
        if k is not None and simple and matches(k * product):
            extra = "" if abs(k - 1) < 1e-6 else f", and {_describe_constant(k)[1]}"
            return wrong(f.id, f.message + extra)

    for v in variants:
        if v.id in _LATE_VARIANTS and matches(v.values):
            return wrong(v.id, v.message, v.hint)

    diff = a - r
    offset = median(diff)
    if np.isfinite(offset) and close(diff, np.full_like(diff, offset), MATCH_RTOL, scale).all():
        return wrong(
            "constant-offset",
            f"off by a constant: your answer is the derivative {'+' if offset > 0 else '-'} "
            f"{fmt(abs(offset))}",
        )

    partial = _partial(c, values, mask, scale)
    if partial:
        return wrong("partial", partial)

    bad = mask & ~close(values, c.reference_values, RTOL, scale)
    return wrong(None, counterexample(c, values, bad, scale, trace))


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
        k = median(a[big] / r[big])
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

    if near(1) and k < 0:
        return "sign", "right except the sign: your answer is minus the derivative"
    if near(1):  # 0.9999999 times it: not a sign slip, just not equal
        return (
            "nearly-equal",
            f"close to the derivative but not equal to it: it is about {k:.10g} times the "
            "derivative, far more off than rounding explains",
        )
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
        f"right up to a constant factor: your answer is {fmt(k)} times the derivative",
    )


def _partial(c: Compiled, values: np.ndarray, mask: np.ndarray, scale: float) -> str | None:
    ok = close(values, c.reference_values, MATCH_RTOL, scale) & mask
    regions: list[tuple[np.ndarray, str, str]] = []
    ref = c.reference
    if isinstance(ref, Cond):
        inside = full(evaluate(Cond(ref.test, C.ONE, C.ZERO), c.env), mask.shape[0]) > 0.5
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


# --------------------------------------------------------------------------- derived mistakes


def _derived(c: Compiled) -> tuple[list[Variant], list[Factor]]:
    if "derived" not in c.cache:
        c.cache["derived"] = (_variants(c), _factors(c))
    return c.cache["derived"]


def _values(c: Compiled, tree: Node) -> np.ndarray:
    return full(evaluate(tree, c.env), c.mask.shape[0]).copy()


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
        f
        for f in out
        if np.isfinite(f.values[box]).all()
        and not close(f.values[box], np.ones_like(f.values[box])).all()
    ]


def _equals_reference(c: Compiled, values: np.ndarray) -> bool:
    mask = c.mask
    return bool(close(values[mask], c.reference_values[mask], MATCH_RTOL).all())
