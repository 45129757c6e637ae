"""A symbolic proof that an answer equals the derivative, with sympy on the checker's own tree.

``prove(problem, answer, reference)`` works in exact arithmetic (every literal a Rational, so
nothing underflows or overflows) under the drill's domains:

- every case of the labels (binary 0/1, sign -1/+1) is substituted and proved on its own;
- reals are real symbols, positives and counts positive (counts integer), probabilities positive
  and, wherever a sign matters, written as 1/(1 + q) with q > 0 so that 1 - p > 0 is known;
- every switch of either side (abs, sign, step, max, min, clip and the conditions of
  ``A if c else B``) is split, innermost first, into the two sides of its boundary; a region
  whose linear constraints contradict each other (Fourier-Motzkin, exact) is empty and skipped;
  a boundary itself has measure zero (the derivative's own kinks are not compared anywhere);
- in each region the difference is put in a canonical form (logs expanded under the domain,
  exp(a + b) as a product of powers of exp of the parts, then ``cancel``) and must be 0;
- where the answer takes a log, a square root, a fractional power or divides, the argument
  must be positive (non-negative, non-zero) in the whole domain, or nothing is proved.

The work is bounded by sizes and counts only (``MAX_REGIONS``, ``MAX_SWITCHES``,
``proveforms.SIMPLIFY_OPS``), never by a clock, so one input gets one outcome everywhere.

The result is ``Proof``: ``proved`` True with the regions; or False with the reason, and, when
the difference is a known non-zero value on a whole case, ``witness`` (a counterexample).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from quizapp.mathcheck.nodes import BinOp, Call, Compare, Node, Num, Pow
from quizapp.mathcheck.nodes import is_constant as _is_constant
from quizapp.mathcheck.proveforms import canonical, is_zero, nonzero_almost_everywhere
from quizapp.mathcheck.proveforms import positive as _positive
from quizapp.mathcheck.regions import (
    _boundary,
    _innermost,
    _kinks_of,
    _linear,
    _resolve,
    _switches,
    empty_region,
)
from quizapp.mathcheck.witness import MAX_DEGREE, too_large_to_expand

MAX_REGIONS = 64
MAX_SWITCHES = 14
MAX_OPS = 400
_LABELS = {"binary": (0, 1), "sign": (-1, 1)}


@dataclass(frozen=True)
class Proof:
    proved: bool
    reason: str = ""
    cases: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    canonical: str = ""
    witness: dict[str, float] | None = field(default=None)
    witness_values: tuple[str, str] = ("", "")  # the answer and the derivative there
    forms: tuple[str, ...] = ()  # per case, the normal form both sides reduce to (fast path)

    def summary(self) -> str:
        if not self.proved:
            return self.reason
        joiner = "; " if any("," in case for case in self.cases) else ", "
        where = f"in each case ({joiner.join(self.cases)}) " if len(self.cases) > 1 else ""
        split = (
            f" in each of the {len(self.regions)} regions between the switches"
            if len(self.regions) > len(self.cases)
            else ""
        )
        return f"{where}your answer minus the derivative simplifies to 0{split}"

    def detail(self) -> tuple[str, ...]:
        """The proof in a few lines: the derivative's form, what each case reduces to (on the
        fast path), each region proved."""
        lines = [f"derivative: {self.canonical}"] if self.canonical else []
        for case, form in zip(self.cases, self.forms, strict=False):
            if not form:
                continue  # split into regions: each region says its form
            if case == "all":
                lines.append(f"your answer and the derivative both reduce to: {form}")
            else:
                lines.append(f"when {case}, both reduce to: {form}")
        lines.extend(f"region: {r}" for r in self.regions)
        return tuple(lines)


class _GiveUp(Exception):
    """Beyond the budget or beyond what the prover handles: nothing is proved. ``region`` is
    where the difference was not shown to be 0: (constraints g > 0, variables fixed on a
    switch), for the search of a counterexample there."""

    def __init__(self, message: str, region: tuple[list[Any], dict[Any, Any]] | None = None):
        super().__init__(message)
        self.region = region
        self.case: dict[str, int] = {}
        self.sides: tuple[Any, Any] | None = None  # (answer, derivative) in this case


def _sp() -> Any:
    import sympy

    return sympy


# --------------------------------------------------------------------------- symbols


def _symbols(domains: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    sp = _sp()
    out = {}
    for name, domain in domains:
        if domain in ("positive", "prob"):
            out[name] = sp.Symbol(name, positive=True)
        elif domain == "count":
            out[name] = sp.Symbol(name, positive=True, integer=True)
        elif domain in _LABELS:
            continue
        else:
            out[name] = sp.Symbol(name, real=True)
    return out


def _convert(tree: Node, symbols: dict[str, Any]) -> Any:
    """The tree in sympy with the domain symbols (labels stay real symbols for substitution)."""
    from quizapp.mathcheck.symbolic import to_sympy

    expr = to_sympy(tree)
    swap = {s: symbols[s.name] for s in expr.free_symbols if s.name in symbols}
    return expr.xreplace(swap)


def _requirements(tree: Node) -> list[tuple[str, Node]]:
    """What the answer needs to have a real value: (kind, argument) with kind pos/nonneg/nonzero."""
    out: list[tuple[str, Node]] = []
    for node in tree.walk():
        if isinstance(node, Call) and node.func in ("log", "log10", "log2"):
            out.append(("pos", node.args[0]))
        elif isinstance(node, Call) and node.func == "sqrt":
            out.append(("nonneg", node.args[0]))
        elif isinstance(node, BinOp) and node.op == "/":
            out.append(("nonzero", node.right))
        elif isinstance(node, Pow):
            exponent = node.exponent
            integer = isinstance(exponent, Num) and exponent.is_integer
            if not integer:
                negative = _is_constant(exponent) and _negative_constant(exponent)
                out.append(
                    ("pos" if not _is_constant(exponent) or negative else "nonneg", node.base)
                )
        elif isinstance(node, Compare) and any(op in ("==", "!=") for op in node.ops):
            out.append(("equality", node))
    return out


def _negative_constant(node: Node) -> bool:
    from quizapp.mathcheck.nodes import constant_value

    value = constant_value(node)
    return value is None or value < 0


# --------------------------------------------------------------------------- regions


@dataclass
class _Search:
    probs: dict[Any, Any]
    bounds: list[Any]
    kinks: list[Any] = field(default_factory=list)  # the reference's own switch boundaries
    fixed: dict[Any, Any] = field(default_factory=dict)  # variables solved on a switch
    regions: list[str] = field(default_factory=list)
    switches: int = 0


def _exempt(g: Any, search: _Search) -> bool:
    """Whether g = 0 is a kink of the derivative itself (where no answer is compared)."""
    symbols = sorted(g.free_symbols, key=str)
    mine = _linear(g, symbols) if symbols else None
    for kink in search.kinks:
        if kink.free_symbols != g.free_symbols:
            continue
        if mine is not None:
            theirs = _linear(kink, symbols)
            if theirs is not None:
                if set(theirs) == set(mine) and len({mine[k] / theirs[k] for k in mine}) == 1:
                    return True
                continue
        try:
            ratio = canonical(g / kink)
        except Exception:
            continue
        if ratio != 0 and not ratio.free_symbols:
            return True
    return False


def _hyperplane(g: Any) -> tuple[Any, Any] | None:
    """(v, value): g = 0 solved for a variable it is linear in, with a coefficient that is a
    constant or surely non-zero in the domain."""
    sp = _sp()
    for v in sorted(g.free_symbols, key=str):
        if getattr(v, "is_integer", False):
            continue
        try:
            poly = sp.Poly(sp.expand(g), v)
        except sp.PolynomialError:
            continue
        if poly.degree() != 1:
            continue
        slope, offset = poly.all_coeffs()
        # a slope of other variables must be non-zero everywhere (1/beta with beta > 0)
        if slope == 0 or (slope.free_symbols and slope.is_nonzero is not True):
            continue
        return v, sp.cancel(-offset / slope)
    return None


def _prove_region(difference: Any, constraints: list[Any], search: _Search) -> None:
    """Raise _GiveUp unless ``difference`` is 0 wherever all ``constraints`` g > 0 hold."""
    sp = _sp()
    atom = _innermost(difference)
    if atom is None:
        if isinstance(difference, sp.Piecewise):
            raise _GiveUp("a condition could not be resolved")
        if difference.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise _GiveUp("your answer divides by zero on a whole region")
        if not is_zero(difference):
            raise _GiveUp(
                _region_text(constraints, "it differs from the derivative"),
                region=(constraints, search.fixed),
            )
        search.regions.append(_region_text(constraints, ""))
        return
    search.switches += 1
    if search.switches > MAX_SWITCHES * MAX_REGIONS:
        raise _GiveUp("too many switches to split")
    g, kind = _boundary(atom)
    known = _positive(g, search.probs)
    negated = None if known is not None else _positive(-g, search.probs)
    if known is None and negated is None and canonical(g) == 0:
        sides = [0]
    elif known is True:
        sides = [1]
    elif negated is True:
        sides = [-1]
    else:
        if _count_symbols(g) and kind != "equality":
            raise _GiveUp("it has a condition on a count")
        sides = [1, -1]  # an equality on a count: either side, then the count itself
    for side in sides:
        new = constraints if side == 0 or len(sides) == 1 else [*constraints, side * g]
        if len(sides) > 1 and empty_region(new, search.bounds):
            continue
        if len(search.regions) >= MAX_REGIONS:
            raise _GiveUp("too many regions to prove one by one")
        _prove_region(difference.xreplace({atom: _resolve(atom, side)}), new, search)
    if len(sides) > 1 and (kind == "equality" or not _exempt(g, search)):
        _prove_boundary(difference, atom, g, constraints, search)


def _prove_boundary(
    difference: Any, atom: Any, g: Any, constraints: list[Any], search: _Search
) -> None:
    """On the answer's own switch g = 0 (not a kink of the derivative) the answer must be right
    too: a single wrong point, sign(yhat - 0.777)^2, is a wrong answer."""
    solved = _hyperplane(g)
    if solved is None and _count_symbols(g):
        on_count = _count_on(g)
        if on_count is False:
            return  # no count makes g = 0 (N == 2.5, N == 0): nothing to check there
        solved = on_count if isinstance(on_count, tuple) else None
    if solved is None:
        raise _GiveUp(f"could not check your answer on its own switch {g} = 0")
    v, value = solved
    on = difference.xreplace({atom: _resolve(atom, 0)}).subs(v, value)
    inner = _Search(
        probs=search.probs,
        bounds=[b.subs(v, value) for b in search.bounds],
        kinks=[k.subs(v, value) for k in search.kinks],
        fixed={**search.fixed, v: value},
        switches=search.switches,
    )
    kept = [c.subs(v, value) for c in constraints]
    if any(_positive(c, search.probs) is False for c in kept):
        return
    try:
        _prove_region(on, kept, inner)
    except _GiveUp as exc:
        raise _GiveUp(f"{exc}, on the switch {g} = 0", exc.region) from None
    search.switches = inner.switches


def _count_on(g: Any) -> tuple[Any, Any] | bool | None:
    """For a switch g = 0 on a count N (g linear in N, nothing else free): (N, the count) when
    one count makes g = 0, False when no positive whole number does, None when unsure."""
    sp = _sp()
    if len(g.free_symbols) != 1:
        return None
    (v,) = g.free_symbols
    try:
        poly = sp.Poly(sp.expand(g), v)
    except sp.PolynomialError:
        return None
    if poly.degree() != 1:
        return None
    slope, offset = poly.all_coeffs()
    value = -offset / slope
    if not value.is_Rational:
        return None
    if not value.is_integer or value < 1:
        return False
    return v, value


def _count_symbols(g: Any) -> bool:
    return any(getattr(s, "is_integer", False) for s in g.free_symbols)


def _region_text(constraints: list[Any], what: str) -> str:
    where = " and ".join(dict.fromkeys(f"{g} > 0" for g in constraints))
    if not what:
        return where or "everywhere"
    return f"{what} where {where}" if where else f"{what} everywhere"


# --------------------------------------------------------------------------- entry


def prove(domains: tuple[tuple[str, str], ...], answer: Node, reference: Node) -> Proof:
    """Prove ``answer`` equal to ``reference`` (quantities already substituted). Never raises.

    The exact fast path (``fastprove.py``, no sympy) is tried first, always, so a verdict does
    not depend on whether sympy is loaded; what it cannot show, sympy decides."""
    from quizapp.mathcheck.fastprove import fast_prove

    fast = fast_prove(domains, answer, reference)
    if fast is not None:
        return Proof(
            True, cases=fast.cases, regions=fast.regions, canonical=fast.canonical, forms=fast.forms
        )
    try:
        return _prove(domains, answer, reference)
    except _GiveUp as exc:
        from quizapp.mathcheck.witness import find_witness

        found = None
        if exc.region is not None and exc.sides is not None:
            found = find_witness(domains, exc.case, exc.sides, *exc.region)
        if found is None:
            return Proof(False, str(exc))
        point, values = found
        return Proof(False, str(exc), witness=point, witness_values=values)
    except (RecursionError, MemoryError):
        return Proof(False, "too large to prove")
    except Exception as exc:  # sympy may refuse an input in its own ways
        return Proof(False, f"sympy could not handle it ({type(exc).__name__})")


def _prove(domains: tuple[tuple[str, str], ...], answer: Node, reference: Node) -> Proof:
    sp = _sp()
    symbols = _symbols(domains)
    labels = [(name, _LABELS[d]) for name, d in domains if d in _LABELS]
    probs = {
        symbols[name]: 1 / (1 + sp.Dummy(f"q_{name}", positive=True))
        for name, d in domains
        if d == "prob"
    }
    bounds = [1 - symbols[name] for name, d in domains if d == "prob"]
    bounds += [symbols[name] for name, d in domains if d in ("positive", "prob", "count")]
    a = _convert(answer, symbols)
    r = _convert(reference, symbols)
    _within_budget(a)
    needs = [(kind, _convert(node, symbols)) for kind, node in _requirements(answer)]
    cases: list[str] = []
    regions: list[str] = []
    for values in itertools.product(*[v for _, v in labels]):
        case = {
            sp.Symbol(name, real=True): sp.Integer(v)
            for (name, _), v in zip(labels, values, strict=True)
        }
        where = ", ".join(f"{name} = {v}" for (name, _), v in zip(labels, values, strict=True))
        for kind, arg in needs:
            _require(kind, arg.xreplace(case), probs)
        search = _Search(probs=probs, bounds=bounds, kinks=_kinks_of(r.xreplace(case)))
        difference = a.xreplace(case) - r.xreplace(case)
        try:
            _prove_region(difference, [], search)
        except _GiveUp as exc:
            failed = _GiveUp(f"{exc} (when {where})" if where else str(exc), exc.region)
            failed.case = {name: v for (name, _), v in zip(labels, values, strict=True)}
            failed.sides = (a.xreplace(case), r.xreplace(case))
            raise failed from None
        cases.append(where or "all")
        regions.extend(f"{where}: {x}" if where else x for x in search.regions)
    return Proof(True, cases=tuple(cases), regions=tuple(regions), canonical=str(r))


def _within_budget(expr: Any) -> None:
    """Refuse what expand or cancel could not finish on: a high power of a sum, exp of exp."""
    sp = _sp()
    if sp.count_ops(expr) > MAX_OPS:
        raise _GiveUp("too large to prove")
    for power in expr.atoms(sp.Pow):
        if power.exp.is_Number and abs(power.exp) > MAX_DEGREE and not power.base.is_Atom:
            raise _GiveUp("a power too high to expand")
    if too_large_to_expand(expr):
        raise _GiveUp("a power too high to expand")
    nested = [e for e in expr.atoms(sp.exp) if e.args[0].has(sp.exp)]
    if any(inner.args[0].has(sp.exp) for e in nested for inner in e.args[0].atoms(sp.exp)):
        raise _GiveUp("exp nested too deep to prove")


def _require(kind: str, arg: Any, probs: dict[Any, Any]) -> None:
    if kind == "equality":
        return  # checked where it switches (_prove_boundary)
    if _switches(arg):
        if kind == "nonzero" and nonzero_almost_everywhere(arg):
            return
        if kind != "nonzero" and _positive(arg, probs) is True:
            return
        raise _GiveUp(f"could not show that {arg} is {_KINDS[kind]} everywhere in the domain")
    if kind == "nonzero":
        if not nonzero_almost_everywhere(arg):
            raise _GiveUp(f"could not show that {arg} is non-zero")
        return
    sign = _positive(arg, probs)
    if sign is True:
        return
    if kind == "nonneg" and _positive(-arg, probs) is not True and arg.is_nonnegative:
        return
    raise _GiveUp(f"could not show that {arg} is {_KINDS[kind]} everywhere in the domain")


_KINDS = {"pos": "positive", "nonneg": "non-negative", "nonzero": "non-zero"}


__all__ = ["Proof", "canonical", "is_zero", "prove"]
