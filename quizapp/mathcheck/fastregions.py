"""The fast path's regions: an answer or a derivative that switches (abs, sign, step, max, min,
clip, a condition on a variable) on *linear* boundaries, proved region by region in exact
arithmetic without sympy, as ``prove.py`` does with sympy:

- the innermost switch is split first, the derivative's before the answer's; its boundary g
  must be linear in the continuous variables (rational coefficients), else sympy decides;
- a side of g whose region contradicts the constraints so far (Fourier-Motzkin on rationals,
  with the domain's bounds: positives > 0, probabilities in (0, 1)) is empty and skipped; a
  side the constraints force is the only one;
- on the answer's own switch g = 0 (not a kink of the derivative met on the way) the answer
  must be right too: g = 0 is solved for a variable and the proof goes on on that hyperplane,
  so a single wrong point (sign(yhat - 0.777)^2) is never proved;
- in each region, with every switch resolved, both sides have the same normal form.

The work is bounded by counts (``MAX_REGIONS``, ``MAX_SPLITS``, ``MAX_ROWS``), never a clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction

from quizapp.mathcheck.fastalgebra import ONE, RF, Algebra, Unsupported, shown
from quizapp.mathcheck.nodes import BinOp, BoolOp, Call, Compare, Cond, Name, Neg, Node, Num, Pow

MAX_REGIONS = 64
MAX_SPLITS = 160
MAX_ROWS = 300
_SWITCH_CALLS = ("abs", "sign", "step", "max", "min")

Lin = dict[str, Fraction]  # variable -> coefficient; "" the constant

_TRUE = Compare(("<",), (Num(0.0, "0"), Num(1.0, "1")))
_FALSE = Compare((">",), (Num(0.0, "0"), Num(1.0, "1")))


# --------------------------------------------------------------------------- trees


def _map(n: Node, fn: Callable[[Node], Node]) -> Node:
    """``n`` with ``fn`` applied to every node, children first."""
    if isinstance(n, Neg):
        n = Neg(_map(n.operand, fn))
    elif isinstance(n, BinOp):
        n = BinOp(n.op, _map(n.left, fn), _map(n.right, fn))
    elif isinstance(n, Pow):
        n = Pow(_map(n.base, fn), _map(n.exponent, fn))
    elif isinstance(n, Call):
        n = Call(n.func, tuple(_map(a, fn) for a in n.args))
    elif isinstance(n, Compare):
        n = Compare(n.ops, tuple(_map(o, fn) for o in n.operands))
    elif isinstance(n, BoolOp):
        n = BoolOp(n.op, tuple(_map(o, fn) for o in n.operands))
    elif isinstance(n, Cond):
        n = Cond(_map(n.test, fn), _map(n.then, fn), _map(n.orelse, fn))
    return fn(n)


def _plain(n: Node) -> Node:
    """clip(x, lo, hi) as min(max(x, lo), hi); a chain a < b < c as (a < b) and (b < c)."""
    if isinstance(n, Call) and n.func == "clip":
        x, lo, hi = n.args
        return Call("min", (Call("max", (x, lo)), hi))
    if isinstance(n, Compare) and len(n.ops) > 1:
        pairs = zip(n.ops, n.operands, n.operands[1:], strict=False)
        return BoolOp("and", tuple(Compare((op,), (a, b)) for op, a, b in pairs))
    return n


def _names(n: Node) -> set[str]:
    return {m.name for m in n.walk() if isinstance(m, Name)}


def _is_switch(n: Node, case: dict[str, int]) -> bool:
    if isinstance(n, Call) and n.func in _SWITCH_CALLS:
        return bool(_names(n) - set(case))
    if isinstance(n, Compare):
        return bool(_names(n) - set(case))
    return False


def has_switch(tree: Node, case: dict[str, int]) -> bool:
    return any(_is_switch(n, case) for n in _map(tree, _plain).walk())


def _innermost(tree: Node, case: dict[str, int]) -> Node | None:
    for n in tree.walk():
        if _is_switch(n, case) and not any(
            _is_switch(m, case) for child in n.children() for m in child.walk()
        ):
            return n
    return None


def _boundary(n: Node) -> Node:
    """g: the switch changes where g changes sign."""
    if isinstance(n, Compare):
        if n.ops[0] in ("==", "!="):
            raise Unsupported("an equality on a real number")
        return BinOp("-", n.operands[0], n.operands[1])
    assert isinstance(n, Call)
    if n.func in ("max", "min"):
        return BinOp("-", n.args[0], n.args[1])
    return n.args[0]


def _resolved(n: Node, side: int) -> Node:
    """The switch's value where its boundary has the sign ``side`` (+1, -1 or 0)."""
    if isinstance(n, Compare):
        truth = {
            "<": side < 0,
            "<=": side <= 0,
            ">": side > 0,
            ">=": side >= 0,
        }[n.ops[0]]
        return _TRUE if truth else _FALSE
    assert isinstance(n, Call)
    x = n.args[0]
    if n.func == "abs":
        return x if side > 0 else Neg(x) if side < 0 else Num(0.0, "0")
    if n.func == "sign":
        return Num(float(side), str(side))
    if n.func == "step":
        return Num(1.0, "1") if side > 0 else Num(0.0, "0") if side < 0 else Num(0.5, "0.5")
    first, second = n.args
    if n.func == "max":
        return first if side >= 0 else second
    return first if side <= 0 else second


def _replace(tree: Node, target: Node, new: Node) -> Node:
    return _map(tree, lambda n: new if n == target else n)


# --------------------------------------------------------------------------- linear algebra


def _linear(g: RF, domains: dict[str, str]) -> Lin:
    num, den = g
    if set(den) != {ONE}:
        raise Unsupported("a boundary that is not linear")
    out: Lin = {}
    for m, c in num.items():
        if m == ONE:
            out[""] = c / den[ONE]
            continue
        if len(m) != 1 or m[0][1] != 1 or not m[0][0].startswith("v:"):
            raise Unsupported("a boundary that is not linear")
        name = m[0][0][2:]
        if domains.get(name) == "count":
            raise Unsupported("a condition on a count")
        out[name] = c / den[ONE]
    return out


def _lin_rf(lin: Lin) -> RF:
    num = {(((f"v:{k}", 1),) if k else ONE): c for k, c in lin.items() if c}
    return num, {ONE: Fraction(1)}


def _substitute(lin: Lin, var: str, value: Lin) -> Lin:
    if var not in lin:
        return lin
    k = lin[var]
    out = {key: c for key, c in lin.items() if key != var}
    for key, c in value.items():
        out[key] = out.get(key, Fraction(0)) + k * c
    return {key: c for key, c in out.items() if c}


def _empty(rows: list[tuple[Lin, bool]]) -> bool:
    """True when the constraints lin > 0 (strict) or lin >= 0 cannot hold together
    (Fourier-Motzkin on rationals; beyond ``MAX_ROWS`` rows: not known, False)."""
    variables = sorted({k for lin, _ in rows for k in lin if k})
    for var in variables:
        upper = [r for r in rows if r[0].get(var, 0) < 0]
        lower = [r for r in rows if r[0].get(var, 0) > 0]
        rest = [r for r in rows if not r[0].get(var, 0)]
        if len(rest) + len(upper) * len(lower) > MAX_ROWS:
            return False
        for (a, sa), (b, sb) in itertools.product(lower, upper):
            ka, kb = a[var], -b[var]
            keys = set(a) | set(b)
            row = {k: a.get(k, Fraction(0)) * kb + b.get(k, Fraction(0)) * ka for k in keys}
            row.pop(var, None)
            rest.append(({k: v for k, v in row.items() if v}, sa or sb))
        rows = rest
    for row, strict in rows:
        constant = row.get("", Fraction(0))
        if constant < 0 or (strict and constant == 0):
            return True
    return False


def _same_plane(a: Lin, b: Lin) -> bool:
    """a = 0 and b = 0 are the same hyperplane (one a non-zero multiple of the other)."""
    if set(a) != set(b) or not a:
        return False
    ratios = {a[k] / b[k] for k in a}
    return len(ratios) == 1


def lin_text(lin: Lin) -> str:
    terms = sorted(((k, c) for k, c in lin.items() if k), key=lambda t: (t[1] < 0, t[0]))
    if lin.get(""):
        terms.append(("", lin[""]))
    out = ""
    for k, c in terms:
        magnitude = abs(c)
        body = k if magnitude == 1 and k else f"{magnitude}*{k}" if k else str(magnitude)
        if not out:
            out = f"-{body}" if c < 0 else body
        else:
            out += f" - {body}" if c < 0 else f" + {body}"
    return out or "0"


# --------------------------------------------------------------------------- the search


@dataclass
class _Search:
    domains: dict[str, str]
    case: dict[str, int]
    alg: Algebra
    normalise: Callable[[Node, bool, dict[str, RF]], RF]  # (tree, strict, fixed) -> form
    regions: list[str] = field(default_factory=list)
    splits: int = 0


def prove_regions(
    domains: dict[str, str],
    case: dict[str, int],
    alg: Algebra,
    answer: Node,
    reference: Node,
    normalise: Callable[[Node, bool, dict[str, RF]], RF],
) -> list[str]:
    """The regions proved (their constraints and the form both sides reduce to there); raises
    Unsupported when a region is beyond the fast path or its difference is not 0."""
    search = _Search(domains, case, alg, normalise)
    bounds: list[tuple[Lin, bool]] = []
    for name, kind in domains.items():
        if kind in ("positive", "prob", "count"):
            bounds.append(({name: Fraction(1)}, True))
        if kind == "prob":
            bounds.append(({name: Fraction(-1), "": Fraction(1)}, True))
    _region(search, _map(answer, _plain), _map(reference, _plain), [], bounds, [], {})
    return search.regions


def _region(
    search: _Search,
    answer: Node,
    reference: Node,
    constraints: list[Lin],
    bounds: list[tuple[Lin, bool]],
    kinks: list[Lin],
    fixed: dict[str, Lin],
) -> None:
    switch = _innermost(reference, search.case)
    mine = switch is None
    if switch is None:
        switch = _innermost(answer, search.case)
    where = [lin_text(c) + " > 0" for c in constraints]
    where += [f"{v} = {lin_text(value)}" for v, value in fixed.items()]
    forms = {k: _lin_rf(v) for k, v in fixed.items()}
    if switch is None:
        a = search.normalise(answer, True, forms)
        r = search.normalise(reference, False, forms)
        if search.alg.rf_add(a, r, -1)[0]:
            raise Unsupported("not equal in a region")
        if len(search.regions) >= MAX_REGIONS:
            raise Unsupported("too many regions")
        text = " and ".join(dict.fromkeys(where)) or "everywhere"
        search.regions.append(f"{text} (both reduce to {shown(r)})")
        return
    search.splits += 1
    if search.splits > MAX_SPLITS:
        raise Unsupported("too many switches")
    g = _linear(search.normalise(_boundary(switch), mine, forms), search.domains)
    rows = [(c, True) for c in constraints] + bounds
    if set(g) <= {""}:
        constant = g.get("", Fraction(0))
        sides = [(constant > 0) - (constant < 0)]
    elif _empty([*rows, ({k: -c for k, c in g.items()}, False)]):
        sides = [1]
    elif _empty([*rows, (g, False)]):
        sides = [-1]
    else:
        sides = [1, -1]
    for side in sides:
        new = constraints
        if len(sides) > 1:
            signed = {k: side * c for k, c in g.items()}
            if _empty([*rows, (signed, True)]):
                continue
            new = [*constraints, signed]
        now = _resolved(switch, side)
        on_side = (_replace(answer, switch, now), _replace(reference, switch, now))
        _region(search, *on_side, new, bounds, kinks if mine else [*kinks, g], fixed)
    if len(sides) > 1 and mine and not any(_same_plane(g, k) for k in kinks):
        _on_switch(search, answer, reference, switch, g, constraints, bounds, kinks, fixed)


def _on_switch(
    search: _Search,
    answer: Node,
    reference: Node,
    switch: Node,
    g: Lin,
    constraints: list[Lin],
    bounds: list[tuple[Lin, bool]],
    kinks: list[Lin],
    fixed: dict[str, Lin],
) -> None:
    """On the answer's own switch g = 0 the answer must equal the derivative too."""
    var = next(k for k in sorted(g) if k)
    value = {k: -c / g[var] for k, c in g.items() if k != var}
    on_fixed = {k: _substitute(v, var, value) for k, v in fixed.items()}
    on_fixed[var] = value
    on_constraints = [_substitute(c, var, value) for c in constraints]
    on_bounds = [(_substitute(b, var, value), s) for b, s in bounds]
    if _empty([(c, True) for c in on_constraints] + on_bounds):
        return
    now = _resolved(switch, 0)
    on_side = (_replace(answer, switch, now), _replace(reference, switch, now))
    on_kinks = [_substitute(k, var, value) for k in kinks]
    _region(search, *on_side, on_constraints, on_bounds, on_kinks, on_fixed)


__all__ = ["has_switch", "lin_text", "prove_regions"]
