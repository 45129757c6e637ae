"""Regions between switches, in exact arithmetic: whether linear constraints g > 0 can hold
together (Fourier-Motzkin elimination on rationals), and the sign of a linear expression over a
drill's domain. Used by the prover (``prove.py``); constraints that are not linear are left out,
which only widens a region, so "empty" is always sound."""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

MAX_CONSTRAINTS = 400


def _linear_sign(expr: Any, probs: dict[Any, Any]) -> bool | None:
    """_positive for an expression linear in the variables, by Fourier-Motzkin (fast)."""
    symbols = sorted(expr.free_symbols, key=str)
    if not symbols or _linear(expr, symbols) is None:
        return None
    bounds = [s for s in symbols if s.is_positive]
    bounds += [1 - s for s in symbols if s in probs]
    if empty_region([-expr], bounds):
        return True  # g >= 0 on the open domain, and not identically 0: g > 0
    if empty_region([expr], bounds):
        return False
    return None


def _linear(expr: Any, symbols: list[Any]) -> dict[Any, Fraction] | None:
    """expr as {symbol or 1: coefficient} when it is linear with rational coefficients."""
    import sympy as sp

    try:
        poly = sp.Poly(sp.expand(expr), *symbols)
    except sp.PolynomialError:
        return None
    if poly.total_degree() > 1:
        return None
    out: dict[Any, Fraction] = {}
    for monom, coeff in poly.terms():
        if not coeff.is_Rational:
            return None
        key = 1
        for sym, power in zip(symbols, monom, strict=True):
            if power:
                key = sym
        out[key] = Fraction(int(coeff.p), int(coeff.q))
    return out


def empty_region(constraints: list[Any], bounds: list[Any]) -> bool:
    """True when the strict constraints g > 0 (sympy expressions) cannot hold together
    (Fourier-Motzkin on the linear ones; the others are left out, which only widens the set)."""
    rows: list[tuple[dict[Any, Fraction], bool]] = []
    symbols = sorted({s for g in constraints + bounds for s in g.free_symbols}, key=str)
    opaque: dict[Any, Any] = {}
    gs = list(constraints) + list(bounds)
    for g in gs:
        lin = _linear(g, symbols)
        if lin is None:
            g = _as_linear(g, opaque)
            if g is not None:
                lin = _linear(g, sorted(g.free_symbols, key=str))
        if lin is not None:
            rows.append((lin, True))
    if opaque:
        symbols = sorted({k for r, _ in rows for k in r if k != 1}, key=str)
    for sym in symbols:
        upper = [r for r in rows if r[0].get(sym, 0) < 0]
        lower = [r for r in rows if r[0].get(sym, 0) > 0]
        rest = [r for r in rows if r[0].get(sym, 0) == 0]
        if len(rest) + len(upper) * len(lower) > MAX_CONSTRAINTS:
            return False
        for (a, sa), (b, sb) in itertools.product(lower, upper):
            ka, kb = a[sym], -b[sym]
            keys = set(a) | set(b)
            row = {k: a.get(k, Fraction(0)) * kb + b.get(k, Fraction(0)) * ka for k in keys}
            row.pop(sym, None)
            rest.append(({k: v for k, v in row.items() if v != 0}, sa or sb))
        rows = rest
    for row, strict in rows:
        constant = row.get(1, Fraction(0))
        if constant < 0 or (strict and constant == 0):
            return True
    return False


def _as_linear(g: Any, opaque: dict[Any, Any]) -> Any | None:
    """A constraint g > 0 that is not linear, made linear where that is sound: over a known
    positive (negative) denominator, its numerator (negated); each function of the variables
    (exp(l - l0), log(1 + eps)) as a fresh unknown, the same one wherever it recurs. A fresh
    unknown can take any value, the true one among them, so the set only widens and "empty"
    stays sound: exp(u) - 1 - eps > 0 and 1 + eps - exp(u) > 0 are empty, so is (x - y)/beta
    < -1 with x > y and beta > 0. None when nothing linear comes of it."""
    import sympy as sp

    if sp.count_ops(g) > 60:
        return None
    numerator, denominator = sp.fraction(sp.together(g))
    if denominator.is_positive:
        g = numerator
    elif denominator.is_negative:
        g = -numerator
    elif denominator != 1:
        return None
    atoms = [a for a in g.atoms(sp.Function, sp.Pow) if a.free_symbols and _opaque(a)]
    for atom in atoms:
        if atom not in opaque:
            opaque[atom] = sp.Dummy(f"F{len(opaque)}", real=True)
    return sp.expand(g.xreplace({a: opaque[a] for a in atoms}))


def _opaque(atom: Any) -> bool:
    import sympy as sp

    if isinstance(atom, sp.Pow):
        return not (atom.exp.is_Integer and atom.exp > 0)
    return True


# --------------------------------------------------------------------------- switches


_SWITCHES = ("Abs", "sign", "Heaviside", "Max", "Min")


def _switches(expr: Any) -> list[Any]:
    import sympy as sp

    found = [
        a
        for a in expr.atoms(
            sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.core.relational.Relational
        )
        if not isinstance(a, sp.Piecewise)
    ]
    return found


def _innermost(expr: Any) -> Any | None:
    candidates = _switches(expr)
    for atom in sorted(candidates, key=lambda a: (sp_count(a), str(a))):
        inner = [c for c in _switches_args(atom) if c is not atom]
        if not inner:
            return atom
    return None


def sp_count(expr: Any) -> int:
    import sympy as sp

    return int(sp.count_ops(expr))


def _switches_args(atom: Any) -> list[Any]:
    out: list[Any] = []
    for arg in atom.args:
        if hasattr(arg, "atoms"):
            out.extend(_switches(arg))
    return out


def _boundary(atom: Any) -> tuple[Any, str]:
    """(g, kind): the atom switches where g changes sign."""
    import sympy as sp

    if isinstance(atom, sp.core.relational.Relational):
        kind = "equality" if isinstance(atom, sp.Eq | sp.Ne) else "relation"
        return atom.lhs - atom.rhs, kind
    if isinstance(atom, sp.Max | sp.Min):
        return atom.args[0] - atom.args[1], "pair"
    return atom.args[0], "value"


def _resolve(atom: Any, side: int) -> Any:
    """The atom's value where its boundary g has the sign ``side`` (+1, -1 or 0)."""
    import sympy as sp

    if isinstance(atom, sp.core.relational.Relational):
        g = atom.lhs - atom.rhs
        truth = {
            sp.StrictLessThan: side < 0,
            sp.LessThan: side <= 0,
            sp.StrictGreaterThan: side > 0,
            sp.GreaterThan: side >= 0,
            sp.Eq: side == 0,
            sp.Ne: side != 0,
        }[type(atom)]
        del g
        return sp.true if truth else sp.false
    if isinstance(atom, sp.Max | sp.Min):
        first, second, *rest = atom.args
        bigger = first if side >= 0 else second
        smaller = second if side >= 0 else first
        keep = bigger if isinstance(atom, sp.Max) else smaller
        return type(atom)(keep, *rest)
    x = atom.args[0]
    if isinstance(atom, sp.Abs):
        return x * side if side else sp.Integer(0)
    if isinstance(atom, sp.sign):
        return sp.Integer(side)
    return {1: sp.Integer(1), -1: sp.Integer(0), 0: sp.Rational(1, 2)}[side]


def _kinks_of(expr: Any, limit: int = 32) -> list[Any]:
    """Every switch boundary g of ``expr``, resolving its switches innermost first."""
    found: list[Any] = []
    todo = [expr]
    while todo and len(found) < limit:
        e = todo.pop()
        atom = _innermost(e)
        if atom is None:
            continue
        g, _ = _boundary(atom)
        found.append(g)
        todo.extend(e.xreplace({atom: _resolve(atom, side)}) for side in (1, -1))
    return found
