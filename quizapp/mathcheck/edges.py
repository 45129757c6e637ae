"""Where an answer switches form, compare it right beside the switch.

Random points never land in a thin sliver such as 1 < y*s <= 1.0000001 (an answer whose condition
is shifted a hair from the reference's) or |yhat - y| < 1e-7 (a branch hidden inside the
reference's kink), nor just before an answer overflows (p - y + 1e-300*exp(z) is wrong only for z
in about 690..709). Each such edge is found by bisection between two test points on either side
of it, and the answer compared there; a branch of the answer's own condition that is another
formula is wrong on its side whether or not a point reaches it. Used by ``judge``.
"""

from __future__ import annotations

import numpy as np

from quizapp.mathcheck.compare import RTOL, close, fmt, full
from quizapp.mathcheck.domains import CASE_DOMAINS, FRIENDLY, PROBE
from quizapp.mathcheck.numeric import Trace, evaluate, rounding_bound
from quizapp.mathcheck.parser import Cond, Node, Num, to_text
from quizapp.mathcheck.problem import Compiled, _expand

C_ONE, C_ZERO = Num(1.0, "1"), Num(0.0, "0")


def continuous_names(c: Compiled) -> frozenset[str]:
    """Variables with a continuous domain and the named quantities (they depend on them)."""
    if "continuous_names" not in c.cache:
        names = {name for name, domain in c.problem.domains if domain not in CASE_DOMAINS}
        c.cache["continuous_names"] = frozenset(names | set(c.quantity_trees))
    return c.cache["continuous_names"]


# Kink edges: pairs of points per case and kink, bisection steps, and how far (as a share of the
# segment) beside the switch the answer is compared.
EDGE_PAIRS = 4
GRID = 64
ROUNDS = 5
EDGE_OFFSET = 1e-9
OVERFLOW_GRID = 16
OVERFLOW_ROUNDS = 4  # 16^4 = 65536 steps per segment
# Distances (shares of a segment) from each of the reference's switches where answers are compared.
LADDER = (1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3)


def edge_mismatch(
    c: Compiled, answer: Node, trace: Trace, mask: np.ndarray, scale: float
) -> str | None:
    """Compare the answer with the derivative right beside each switch, its own or the
    reference's. Random points never land in a thin sliver such as 1 < y*s <= 1.0000001 (an
    answer whose condition is shifted a hair from the reference's) or |ŷ - y| < 1e-7 (a branch
    hidden inside the reference's kink); each switch is found by bisection between two test
    points on either side of it, and the answer compared at a ladder of distances from it."""
    if "reference_edges" not in c.cache:
        c.cache["reference_edges"] = _reference_edges(c)
    for env, label, reference in c.cache["reference_edges"]:
        found = _compare_beside(c, answer, env, scale, label, reference)
        if found:
            return found
    continuous = continuous_names(c)
    known: list[np.ndarray] = list(c.cache["reference_switches"])
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
        env = _beside_switch(c, g, _expand(kink.expr, c.quantity_trees), mask, (EDGE_OFFSET,))
        found = (
            _compare_beside(c, answer, env, scale, to_text(kink.node)) if env is not None else None
        )
        if found:
            return found
    return None


def branch_mismatch(c: Compiled, answer: Node, mask: np.ndarray, scale: float) -> str | None:
    """A message when one branch of the answer's own conditional is the derivative and the
    other is not. Where the reference does not switch, it is one formula on both sides of the
    answer's condition; a branch that is a different formula is wrong wherever it applies, even
    where floats cannot show it (exp(z) - y + 1 beyond z = 100, where e^z swallows the 1). Both
    branches are evaluated at every friendly test point, whichever side the condition picks."""
    conds = [n for n in answer.walk() if isinstance(n, Cond)]
    if not conds:
        return None
    if "reference_switches" not in c.cache:
        c.cache["reference_edges"] = _reference_edges(c)
    known: list[np.ndarray] = list(c.cache["reference_switches"])
    continuous = continuous_names(c)
    friendly = mask & (c.layout.region == FRIENDLY)
    main = c.layout.region != PROBE
    n = c.size
    reference = c.reference_values
    for cond in conds:
        trace = Trace()
        evaluate(Cond(cond.test, C_ONE, C_ZERO), c.env, trace=trace)
        switches = [k for k in trace.kinks if k.names & continuous]
        if not switches:
            continue  # a condition on labels or counts selects a case: tested case by case
        with np.errstate(all="ignore"):
            if any(
                np.all(
                    np.abs(np.abs(full(s.values, n)[main]) - np.abs(k[main]))
                    <= 1e-13 * np.abs(k[main])
                )
                for s in switches
                for k in known
            ):
                continue  # the reference switches there too
        agrees = []
        for branch in (cond.then, cond.orelse):
            values = full(evaluate(branch, c.env), n)
            usable = friendly & np.isfinite(values) & np.isfinite(reference)
            ok = close(values, reference, RTOL, scale)
            agrees.append((bool(ok[usable].all()), bool(usable.any()), bool(ok[usable].any())))
        (then_all, then_any_pt, _), (else_all, else_any_pt, _) = agrees
        if then_all and else_any_pt and not else_all:
            side = f"where {to_text(cond.test)} is false"
        elif else_all and then_any_pt and not then_all:
            side = f"where {to_text(cond.test)} holds"
        else:
            continue
        return (
            f"one branch of your condition ({to_text(cond.test)}) is the derivative and the "
            f"other is a different formula, so your answer is wrong {side}"
        )
    return None


_Edge = tuple[dict[str, np.ndarray], str, tuple[np.ndarray, list[np.ndarray]]]


def _reference_edges(c: Compiled) -> list[_Edge]:
    """Points beside each of the reference's switches, at distances from 1e-9 to 1e-3 of a
    segment, found once per drill, with what the reference is there (its values and kinks:
    the same for every answer, so not evaluated again for each). The segments run between the
    reference's own test points, never one answer's: which answer a process checks first must
    not change the points every later answer is compared at."""
    mask = c.mask
    continuous = continuous_names(c)
    kinks = Trace()
    evaluate(c.reference, c.env, trace=kinks)
    switches = [k for k in kinks.kinks if k.names & continuous]
    c.cache["reference_switches"] = [np.broadcast_to(k.values, mask.shape) for k in switches]
    edges = []
    for kink in switches:
        g = np.broadcast_to(kink.values, mask.shape)
        env = _beside_switch(c, g, _expand(kink.expr, c.quantity_trees), mask, LADDER)
        if env is not None:
            edges.append((env, to_text(kink.node), _reference_at(c, env)))
    return edges


def _reference_at(c: Compiled, env: dict[str, np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """The reference's values at the points of ``env``, and its kinks there."""
    n = next(iter(env.values())).size
    kinks: list[np.ndarray] = []
    return full(evaluate(c.reference, env, kinks), n), kinks


def _beside_switch(
    c: Compiled, g: np.ndarray, distance: Node, mask: np.ndarray, offsets: tuple[float, ...]
) -> dict[str, np.ndarray] | None:
    """Points on both sides of where ``distance`` changes sign, ``offsets`` (shares of a
    segment) away from it, on segments between test points of one case; None without any."""
    case = c.layout.case
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
        return None
    start = {name: c.env[name][i] for name in c.problem.variables}
    step = {
        name: np.zeros(i.size) if domain in CASE_DOMAINS else c.env[name][j] - start[name]
        for name, domain in c.problem.domains
    }
    lo, hi = np.zeros(i.size), np.ones(i.size)
    g_lo = np.sign(full(evaluate(distance, start), i.size))
    # A grid of GRID points per segment per round rather than plain bisection: the same
    # precision (GRID^ROUNDS, about 1e-9 of a segment) in 5 evaluations instead of 30.
    fractions = np.linspace(0.0, 1.0, GRID + 1)
    wide_start = {name: np.repeat(start[name], GRID + 1) for name in start}
    wide_step = {name: np.repeat(step[name], GRID + 1) for name in start}
    for _ in range(ROUNDS):
        t = (lo[:, None] + (hi - lo)[:, None] * fractions[None, :]).ravel()
        env = {name: wide_start[name] + t * wide_step[name] for name in start}
        side = np.sign(full(evaluate(distance, env), t.size)).reshape(i.size, GRID + 1)
        changed = side != g_lo[:, None]
        # The first grid point on the other side (or the end when none is: keep the bracket).
        cut = np.where(changed.any(axis=1), changed.argmax(axis=1), GRID)
        cut = np.maximum(cut, 1)
        width = hi - lo
        lo, hi = lo + width * fractions[cut - 1], lo + width * fractions[cut]
    t = np.concatenate([np.concatenate([lo - d, hi + d]) for d in offsets])
    repeat = 2 * len(offsets)
    return _segment_env(c, np.tile(i, repeat), np.tile(j, repeat), np.clip(t, 0.0, 1.0))


def _compare_beside(
    c: Compiled,
    answer: Node,
    env: dict[str, np.ndarray],
    scale: float,
    label: str,
    reference: tuple[np.ndarray, list[np.ndarray]] | None = None,
) -> str | None:
    n = next(iter(env.values())).size
    answer_kinks: list[np.ndarray] = []  # one evaluation gives the values and the kinks
    a = full(evaluate(answer, env, answer_kinks), n)
    r, ref_kinks = reference if reference is not None else _reference_at(c, env)
    usable = np.isfinite(a) & np.isfinite(r)
    for values in ref_kinks + answer_kinks:
        usable &= np.broadcast_to(values, (n,)) != 0  # exactly on a kink: either is right
    bad = usable & ~close(a, r, RTOL, scale)
    if not bad.any():
        return None
    x = int(np.argmax(bad))
    _remember(c, env, x)
    where = ", ".join(f"{name} = {float(env[name][x]):.10g}" for name in c.problem.variables)
    return (
        f"not equal to the derivative right beside where {label} switches: at {where} your "
        f"answer is {fmt(float(a[x]), float(r[x]))} but the derivative is "
        f"{fmt(float(r[x]), float(a[x]))}"
    )


def overflow_edge_mismatch(
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
    # width (690 < z < 709 for 1e-300*exp(z)); 1/65536 of a segment lands inside it. A grid of
    # OVERFLOW_GRID steps per round, not plain bisection: the same bracket (every grid point
    # is a dyadic fraction, computed exactly) in 4 evaluations instead of 16.
    fractions = np.linspace(0.0, 1.0, OVERFLOW_GRID + 1)
    wide_i, wide_j = np.repeat(i, OVERFLOW_GRID + 1), np.repeat(j, OVERFLOW_GRID + 1)
    for _ in range(OVERFLOW_ROUNDS):
        t = (lo[:, None] + (hi - lo)[:, None] * fractions[None, :]).ravel()
        values = full(evaluate(answer, _segment_env(c, wide_i, wide_j, t)), t.size)
        lost_at = ~np.isfinite(values).reshape(i.size, OVERFLOW_GRID + 1)
        # The first grid point it cannot compute (or the end when there is none).
        cut = np.maximum(np.where(lost_at.any(axis=1), lost_at.argmax(axis=1), OVERFLOW_GRID), 1)
        width = hi - lo
        lo, hi = lo + width * fractions[cut - 1], lo + width * fractions[cut]
    env = _segment_env(c, i, j, lo)
    answer_kinks: list[np.ndarray] = []
    a = full(evaluate(answer, env, answer_kinks), i.size)
    ref_kinks: list[np.ndarray] = []
    r = full(evaluate(c.reference, env, ref_kinks), i.size)
    usable = np.isfinite(a) & np.isfinite(r)
    for values in ref_kinks + answer_kinks:
        usable &= np.abs(np.broadcast_to(values, lo.shape)) > 1e-6
    with np.errstate(all="ignore"):
        bound = full(rounding_bound(answer, env), i.size) + full(
            rounding_bound(c.reference, env), i.size
        )
        size = np.maximum(np.abs(a), np.abs(r))
    usable &= 4 * bound <= RTOL * size + 1e-12 * scale
    bad = usable & ~close(a, r, RTOL, scale)
    if not bad.any():
        return None
    x = int(np.argmax(bad))
    _remember(c, env, x)
    where = ", ".join(f"{name} = {fmt(float(env[name][x]))}" for name in c.problem.variables)
    return (
        f"not equal to the derivative where your answer grows too large to compute: at {where} "
        f"your answer is {fmt(float(a[x]))} but the derivative is {fmt(float(r[x]))}"
    )


def _segment_env(c: Compiled, i: np.ndarray, j: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
    """Points on the segments from point i to point j (labels and counts as at point i)."""
    env: dict[str, np.ndarray] = {}
    for name, domain in c.problem.domains:
        start = c.env[name][i]
        env[name] = start if domain in CASE_DOMAINS else start + t * (c.env[name][j] - start)
    for q, tree in c.quantity_trees.items():
        env[q] = full(evaluate(tree, env), t.size)
    return env


def _remember(c: Compiled, env: dict[str, np.ndarray], x: int) -> None:
    """Keep the point of a mismatch found beside a switch, for its high-precision check."""
    n = next(iter(env.values())).size
    point = {name: float(np.broadcast_to(env[name], (n,))[x]) for name in c.problem.variables}
    c.cache.setdefault("witnesses", []).append(point)
