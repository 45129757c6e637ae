"""A gradient problem as the checker sees it, and its compiled (parsed and sampled) form.

``Problem`` is plain data, hashable and picklable, so it can be sent to the checker's worker
process and used as a cache key there. The deck model ``GradientDrill`` builds one with
``quizapp.mathcheck.cards.problem_of``; tests and benchmarks can build one directly.

``compile_problem`` parses the loss, the reference and the named quantities, draws the sample
points (seeded by the problem id, so a verdict never changes from one run to the next) and
evaluates the reference once. ``problem_errors`` is what the deck loader calls: it checks that
everything parses and that the reference really is the derivative of the loss, by central finite
differences.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quizapp.mathcheck.domains import CONTINUOUS, DOMAINS
from quizapp.mathcheck.parser import Node, Parsed, ParseError, parse

if TYPE_CHECKING:
    import numpy as np

# Points per case (each combination of label values) and how many must survive the kink and
# domain filters in every case. With a count among the variables a case needs a point for every
# whole number 1..COUNT_MAX. PROBES far points per case are added (see domains.py).
CASE_POINTS = 512
CASE_POINTS_WITH_COUNT = 1024
PROBES = 64
MIN_POINTS = 32
# Cap on all points of a problem with many label combinations (at least MIN_POINTS*2 per case).
MAX_POINTS = 8192
# A point closer than this to a kink (the argument of abs/sign/step/max, a condition's boundary)
# is skipped: two right answers may legitimately differ exactly there.
KINK_DISTANCE = 1e-6
# Points per variable and case (in the friendly box) where the variable takes a special value.
SPECIAL_POINTS = 4
SPECIAL = {"real": 0.0, "positive": 1.0, "prob": 0.5}
# Beyond the friendly half of a case: how often a variable is friendly, wide or far.
_MIX = (0.2, 0.5, 0.3)


@dataclass(frozen=True)
class Pattern:
    """A hand-written wrong answer with its name and the hint a learner sees when they give it."""

    id: str
    answer: str
    name: str
    hint: str


@dataclass(frozen=True)
class Problem:
    """What to differentiate, with respect to what, over which domains, and the right answer.

    ``domains`` is ((variable, domain), ...) in display order; ``quantities`` is ((name, ascii
    definition over the variables), ...) for names such as ``p = sigmoid(z)`` an answer may use;
    ``aliases`` is ((spelling, declared name), ...) accepted for this problem only.
    """

    id: str
    wrt: str
    loss: str
    reference: str
    domains: tuple[tuple[str, str], ...]
    quantities: tuple[tuple[str, str], ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    patterns: tuple[Pattern, ...] = ()

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.domains)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name an answer may use: the variables, then the named quantities."""
        return self.variables + tuple(name for name, _ in self.quantities)

    def parse(self, text: str) -> Parsed:
        """Parse learner text with this problem's names and aliases (raises ``ParseError``)."""
        return parse(text, self.names, aliases=dict(self.aliases) or None)


@dataclass
class Compiled:
    """A problem parsed and sampled once, reused by every check of it."""

    problem: Problem
    quantity_trees: dict[str, Node]
    loss: Node  # may use the named quantities
    loss_expanded: Node  # quantities replaced by their definitions
    reference: Node
    reference_expanded: Node
    env: dict[str, np.ndarray]  # variables and quantities at every sample point
    reference_values: np.ndarray
    mask: np.ndarray  # test points (not probes) where the reference is finite, off its kinks
    layout: Layout
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def points(self) -> int:
        return int(self.mask.sum())

    @property
    def size(self) -> int:
        return int(self.mask.shape[0])


@dataclass(frozen=True)
class Layout:
    """Where each sample point lies: its case (label values), and region (friendly box, wide
    range or far probe)."""

    case: np.ndarray  # index into ``cases``
    region: np.ndarray  # domains.FRIENDLY / WIDE / PROBE
    cases: tuple[tuple[tuple[str, float], ...], ...]  # ((label, value), ...) per case

    def describe_case(self, index: int) -> str:
        return ", ".join(f"{name} = {value:g}" for name, value in self.cases[index]) or "all"


def _expand(tree: Node, quantity_trees: dict[str, Node]) -> Node:
    from quizapp.mathcheck.calculus import substitute

    return substitute(tree, quantity_trees) if quantity_trees else tree


def far_from_kinks(kinks: list[np.ndarray], n: int, distance: float = KINK_DISTANCE) -> np.ndarray:
    """True at the points at least ``distance`` away from every kink."""
    import numpy as np

    ok = np.ones(n, dtype=bool)
    for k in kinks:
        ok &= ~(np.abs(np.broadcast_to(k, (n,))) < distance)
    return ok


def sample_env(problem: Problem, n: int | None = None, seed: int | None = None) -> dict[str, Any]:
    """Values of every variable at every sample point, reproducible for a given problem id
    (``n`` keeps only the first n points of each case's friendly box, for quick checks)."""
    env, layout = sample_layout(problem, seed)
    if n is None:
        return env
    import numpy as np

    from quizapp.mathcheck.domains import FRIENDLY

    friendly = np.flatnonzero(layout.region == FRIENDLY)
    # Every case's friendly points interleaved, so the first n cover every case.
    per_case = [friendly[layout.case[friendly] == k] for k in range(len(layout.cases))]
    picked = np.array([ix for group in zip(*per_case, strict=False) for ix in group][:n])
    return {name: values[picked] for name, values in env.items()}


def sample_layout(problem: Problem, seed: int | None = None) -> tuple[dict[str, Any], Layout]:
    """Every sample point of ``problem``: the variables' values and the ``Layout``."""
    import itertools

    import numpy as np

    from quizapp.mathcheck.domains import DISCRETE, FAR, FRIENDLY, PROBE, WIDE, sample

    rng = np.random.default_rng(zlib.crc32(problem.id.encode()) if seed is None else seed)
    labels = [(name, DISCRETE[d]) for name, d in problem.domains if d in DISCRETE]
    cases = [
        tuple(zip([name for name, _ in labels], values, strict=True))
        for values in itertools.product(*[v for _, v in labels])
    ]
    has_count = any(d == "count" for _, d in problem.domains)
    per_case = CASE_POINTS_WITH_COUNT if has_count else CASE_POINTS
    per_case = max(MIN_POINTS * 2, min(per_case, MAX_POINTS // len(cases)))
    half = per_case // 2
    rest = per_case - half
    continuous = [name for name, d in problem.domains if d not in DISCRETE and d != "count"]
    columns: dict[str, list[np.ndarray]] = {name: [] for name, _ in problem.domains}
    case_ix: list[np.ndarray] = []
    region: list[np.ndarray] = []
    for k, case in enumerate(cases):
        fixed = dict(case)
        # Beyond the box, each continuous variable is independently friendly, wide or far, so
        # a large value meets small and large values of the others (Huber: |e| > delta > 60).
        choice = rng.choice([FRIENDLY, WIDE, FAR], size=(len(continuous), rest), p=_MIX)
        point_region = np.where((choice == FAR).any(axis=0), FAR, WIDE)
        regions = np.concatenate([np.full(half, FRIENDLY), point_region, np.full(PROBES, PROBE)])
        for name, domain in problem.domains:
            if name in fixed:
                columns[name].append(np.full(regions.size, fixed[name]))
            elif domain == "count":
                main = sample(domain, per_case, rng)
                columns[name].append(np.concatenate([main, sample(domain, PROBES, rng, PROBE)]))
            else:
                picks = choice[continuous.index(name)]
                beyond = np.empty(rest)
                for part in (FRIENDLY, WIDE, FAR):
                    where = picks == part
                    beyond[where] = sample(domain, int(where.sum()), rng, part)
                box = sample(domain, half, rng, FRIENDLY)
                # A few points exactly at the value where answers like (p - y)*sign(z)^2 hide
                # a wrong value (z = 0), one variable at a time.
                slot = continuous.index(name) * SPECIAL_POINTS
                box[slot : slot + SPECIAL_POINTS] = SPECIAL[domain]
                columns[name].append(
                    np.concatenate(
                        [
                            box,
                            beyond,
                            sample(domain, PROBES, rng, PROBE),
                        ]
                    )
                )
        case_ix.append(np.full(regions.size, k))
        region.append(regions)
    env = {name: np.concatenate(parts) for name, parts in columns.items()}
    layout = Layout(case=np.concatenate(case_ix), region=np.concatenate(region), cases=tuple(cases))
    return env, layout


def _parse_quantities(problem: Problem) -> dict[str, Node]:
    variables = problem.variables
    return {name: parse(text, variables).tree for name, text in problem.quantities}


@functools.lru_cache(maxsize=64)
def compile_problem(problem: Problem) -> Compiled:
    """Parse and sample ``problem``; raises ``ParseError`` or ``ValueError`` for a broken one."""
    import numpy as np

    from quizapp.mathcheck.numeric import evaluate

    quantity_trees = _parse_quantities(problem)
    loss = problem.parse(problem.loss).tree
    reference = problem.parse(problem.reference).tree
    from quizapp.mathcheck.domains import PROBE

    env, layout = sample_layout(problem)
    n = layout.case.shape[0]
    mask = layout.region != PROBE
    for name, tree in quantity_trees.items():
        kinks: list[np.ndarray] = []
        values = np.broadcast_to(evaluate(tree, env, kinks), (n,)).copy()
        env[name] = values
        mask &= np.isfinite(values) & far_from_kinks(kinks, n)
    kinks = []
    reference_values = np.broadcast_to(evaluate(reference, env, kinks), (n,)).copy()
    mask &= np.isfinite(reference_values) & far_from_kinks(kinks, n)
    return Compiled(
        problem=problem,
        quantity_trees=quantity_trees,
        loss=loss,
        loss_expanded=_expand(loss, quantity_trees),
        reference=reference,
        reference_expanded=_expand(reference, quantity_trees),
        env=env,
        reference_values=reference_values,
        mask=mask,
        layout=layout,
    )


# --------------------------------------------------------------------------- validation


def finite_difference_mismatch(problem: Problem, points: int = 64) -> str | None:
    """Compare the reference with a central finite difference of the loss; describe a mismatch.

    Returns None when they agree (relative 1e-5) at every point away from the loss's kinks.
    """
    import numpy as np

    from quizapp.mathcheck.numeric import evaluate, median

    compiled = compile_problem(problem)
    env = sample_env(problem, points)
    x = env[problem.wrt]
    h = 1e-6 * np.maximum(1.0, np.abs(x))
    kinks: list[np.ndarray] = []
    evaluate(compiled.loss_expanded, env, kinks)
    ok = far_from_kinks(kinks, points, distance=1e-3)  # h is far smaller than 1e-3
    up = evaluate(compiled.loss_expanded, {**env, problem.wrt: x + h})
    down = evaluate(compiled.loss_expanded, {**env, problem.wrt: x - h})
    fd = np.broadcast_to((up - down) / (2 * h), (points,))
    ref = np.broadcast_to(evaluate(compiled.reference_expanded, env), (points,))
    ok &= np.isfinite(fd) & np.isfinite(ref)
    if ok.sum() < MIN_POINTS:
        return f"only {int(ok.sum())} of {points} sample points are usable; check the domains"
    scale = median(np.abs(ref[ok])) + 1e-12
    bad = ok & (np.abs(fd - ref) > 1e-5 * (np.abs(ref) + scale))
    if bad.any():
        i = int(np.argmax(bad))
        where = ", ".join(f"{k}={float(v[i]):.4g}" for k, v in env.items())
        return (
            f"is not the derivative of the loss: at {where} the loss changes at rate "
            f"{fd[i]:.6g} but the reference gives {ref[i]:.6g}"
        )
    return None


def problem_errors(problem: Problem) -> list[tuple[str, str]]:
    """Everything wrong with a problem as (field, message) pairs; empty when it is usable."""
    errors: list[tuple[str, str]] = []
    variables = problem.variables
    for name, domain in problem.domains:
        if domain not in DOMAINS:
            errors.append(
                ("domains", f"'{name}': unknown domain '{domain}'; known: {', '.join(DOMAINS)}")
            )
    if errors:
        return errors
    if problem.wrt not in variables:
        return [("wrt", f"'{problem.wrt}' is not one of the variables ({', '.join(variables)})")]
    if dict(problem.domains)[problem.wrt] not in CONTINUOUS:
        return [("wrt", f"'{problem.wrt}' must have a continuous domain to differentiate by")]
    for name, _ in problem.quantities:
        if name in variables:
            errors.append(("quantities", f"'{name}' is already a variable"))
    for spelling, target in problem.aliases:
        if target not in problem.names:
            errors.append(("aliases", f"'{spelling}' points at '{target}', which is not declared"))
    if errors:
        return errors
    for name, text in problem.quantities:
        try:
            parse(text, variables)
        except ParseError as exc:
            errors.append(("quantities", f"'{name}' does not parse: {exc.describe()}"))
    for field_name in ("loss", "reference"):
        try:
            problem.parse(getattr(problem, field_name))
        except ParseError as exc:
            errors.append((field_name, f"does not parse: {exc.describe()}"))
    if errors:
        return errors
    mismatch = finite_difference_mismatch(problem)
    if mismatch:
        return [("reference", mismatch)]
    compiled = compile_problem(problem)
    for k in range(len(compiled.layout.cases)):
        kept = int((compiled.mask & (compiled.layout.case == k)).sum())
        if kept < 2 * MIN_POINTS:
            where = compiled.layout.describe_case(k)
            return [
                (
                    "reference",
                    f"has a value at only {kept} sample points (when {where}); every case needs "
                    f"{2 * MIN_POINTS}: check the domains",
                )
            ]
    errors.extend(_pattern_errors(problem))
    return errors


def _pattern_errors(problem: Problem) -> list[tuple[str, str]]:
    import numpy as np

    from quizapp.mathcheck.numeric import evaluate

    compiled = compile_problem(problem)
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for pattern in problem.patterns:
        if pattern.id in seen:
            errors.append(("mistakes", f"id '{pattern.id}' is used twice"))
        seen.add(pattern.id)
        try:
            tree = problem.parse(pattern.answer).tree
        except ParseError as exc:
            errors.append(("mistakes", f"'{pattern.id}': answer does not parse: {exc.describe()}"))
            continue
        values = evaluate(tree, compiled.env)
        ref = compiled.reference_values[compiled.mask]
        got = np.broadcast_to(values, compiled.mask.shape)[compiled.mask]
        if np.allclose(got, ref, rtol=1e-8, atol=1e-12):
            errors.append(("mistakes", f"'{pattern.id}': this answer is correct, not a mistake"))
    return errors
