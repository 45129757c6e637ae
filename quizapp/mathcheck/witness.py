"""A counterexample where the prover could not show the difference to be 0.

The prover (``prove.py``) ends a failed region with its constraints (g > 0, exact sympy
expressions) and the variables it fixed on a switch. Here a fixed list of friendly-then-far
values per domain is tried, in a fixed order, against those constraints (in floats, only to
pick candidates); each candidate then becomes an exact point (rationals; a variable fixed on a
switch takes its exact value there) and the answer minus the derivative is evaluated there by
sympy, exactly substituted and then numerically evaluated to the precision needed (``evalf``
raises its working precision until the digits are right). The first point where it is surely
not 0 is the witness; none within ``MAX_TRIES`` candidates means no witness.
"""

from __future__ import annotations

import itertools
from typing import Any

# The largest number an exponent may hold before an expression counts as untame.
MAX_DEGREE = 48

MAX_CANDIDATES = 4000
MAX_TRIES = 16
# Working precision evalf may rise to (digits): enough for e^-1000 beside 1, bounded.
MAX_DIGITS = 600
_VALUES: dict[str, tuple[str, ...]] = {
    "real": ("1/2", "-1/2", "2", "-2", "7", "-7", "45", "-45", "75", "-75", "120", "-120",
             "1000", "-1000", "0", "100000", "-100000", "100000000", "-100000000"),
    "positive": ("1", "1/2", "3", "1/10", "10", "100", "10000", "1/1000", "1000000", "1/1000000"),
    "prob": ("1/2", "1/10", "9/10", "1/100", "99/100", "1/10000", "9999/10000",
             "1/10000000000000"),
    "count": ("1", "2", "3", "10", "1000", "5000", "1000000", "10000000"),
}  # fmt: skip


def find_witness(
    domains: tuple[tuple[str, str], ...],
    case: dict[str, int],
    sides: tuple[Any, Any],
    constraints: list[Any],
    fixed: dict[Any, Any],
) -> tuple[dict[str, float], tuple[str, str]] | None:
    """(point, (answer there, derivative there)) where they surely differ, or None."""
    import sympy as sp

    answer, reference = sides
    if not (tame(answer) and tame(reference)):
        return None  # exp(10^6*x) at a point: evalf would need 10^5 digits
    kinds = dict(domains)
    symbols = {s.name: s for s in answer.free_symbols | reference.free_symbols}
    for e in [*constraints, *fixed.values(), *fixed]:
        symbols.update({s.name: s for s in e.free_symbols})
    fixed_names = {str(v) for v in fixed}
    free = [n for n, _ in domains if n not in case and n not in fixed_names]
    plain = [sp.Symbol(n) for n in free]
    rename = {symbols[n]: sp.Symbol(n) for n in free if n in symbols}
    tests = sp.lambdify(plain, [c.xreplace(rename) for c in constraints] or [1], "math")
    combos = itertools.product(*[range(len(_VALUES[kinds[n]])) for n in free])
    ordered = sorted(itertools.islice(combos, MAX_CANDIDATES), key=lambda ix: (sum(ix), ix))
    tries = 0
    for ix in ordered:
        texts = [_VALUES[kinds[n]][i] for n, i in zip(free, ix, strict=True)]
        if not _inside(tests, [float(sp.Rational(t)) for t in texts]):
            continue
        exact = {
            symbols[n]: sp.Rational(t) for n, t in zip(free, texts, strict=True) if n in symbols
        }
        for v, value in reversed(list(fixed.items())):
            exact[v] = value.xreplace(exact)
        if not all(_allowed(kinds[str(v)], exact[v]) for v in fixed):
            continue
        tries += 1
        found = _differ(answer, reference, exact)
        if found is not None:
            point = {k: float(v) for k, v in case.items()}
            point.update({n: float(sp.Rational(t)) for n, t in zip(free, texts, strict=True)})
            point.update({str(v): float(exact[v]) for v in fixed})
            return point, found
        if tries >= MAX_TRIES:
            break
    return None


def _differ(answer: Any, reference: Any, exact: dict[Any, Any]) -> tuple[str, str] | None:
    import sympy as sp

    try:
        a = answer.xreplace(exact)
        r = reference.xreplace(exact)
        gap = sp.N(a - r, 15, strict=True, maxn=MAX_DIGITS)
    except Exception:  # no value there, or not enough precision to tell: no witness
        return None
    if not gap.is_number or gap.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or gap == 0:
        return None
    if not gap.is_real:
        return None
    for digits in (4, 8, 12, 17, 25, 40):
        shown = _text(a, digits), _text(r, digits)
        if shown[0] != shown[1]:
            return shown
    gap = _text(a - r, 4)
    return f"the derivative {'-' if gap.startswith('-') else '+'} {gap.lstrip('-')}", shown[1]


def _text(value: Any, digits: int) -> str:
    import sympy as sp

    number = sp.N(value, digits)
    if number.is_Integer or (number.is_Float and number == int(number) and abs(number) < 1e6):
        return str(int(number))
    text = sp.sstr(number, full_prec=False)
    mantissa, _, exponent = text.partition("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent.lstrip('+')}" if exponent else mantissa


def _inside(tests: Any, values: list[float]) -> bool:
    try:
        return all(float(g) > 0 for g in tests(*values))
    except (ArithmeticError, ValueError, TypeError):
        return False


def _allowed(domain: str, value: Any) -> bool:
    if not value.is_number or not value.is_real:
        return False
    if domain == "positive":
        return bool(value > 0)
    if domain == "prob":
        return bool(0 < value < 1)
    if domain == "count":
        return bool(value >= 1 and value.is_integer)
    return True


__all__ = ["find_witness"]


MAX_BITS = 256  # the largest numerator or denominator (in bits) simplify and factor are given


def tame(expr: Any) -> bool:
    """No large number in an exponent: simplify and factor could expand exp(10^6*x) into a
    polynomial of degree 10^6 (and evalf at a point would need 10^5 digits)."""
    import sympy as sp

    for e in expr.atoms(sp.exp, sp.Pow):
        exponent = e.args[0] if isinstance(e, sp.exp) else e.exp
        for number in exponent.atoms(sp.Number):
            if abs(number) > MAX_DEGREE or (number.is_Rational and number.q > MAX_DEGREE):
                return False
    # Nor a number of hundreds of digits (1e-300*1e-300): factoring a polynomial with such a
    # coefficient spends seconds proving huge numbers prime.
    return all(
        max(abs(int(r.p)), int(r.q)).bit_length() <= MAX_BITS for r in expr.atoms(sp.Rational)
    )


MAX_EXPANDED_DEGREE = 64  # the largest degree a product of powers may reach once multiplied out
MAX_EXPANDED_TERMS = 2000  # the most terms expanding it may produce before they are collected


def expanded_size(expr: Any) -> tuple[int, int]:
    """(degree, terms) ``expr`` would have as a polynomial once multiplied out, counting every
    function call (exp(z), sigmoid(z)) as one more variable, and the terms before like ones are
    collected: ((yhat + y)^12 + y)^12 has degree 144 and (a + b + c + w)^8*(a - b + w)^8 gives
    7425 terms, which no exponent alone shows (each is at most 12) and which sympy takes
    seconds to minutes to expand."""
    import math

    import sympy as sp

    def size(e: Any) -> tuple[int, int]:
        if e.is_Atom:
            return (1 if e.free_symbols else 0), 1
        if isinstance(e, sp.Pow):
            degree, terms = size(e.base)
            if e.exp.is_Integer:
                k = abs(int(e.exp))
                if k > MAX_EXPANDED_DEGREE:
                    return degree * k, terms**k if terms > 1 else 1
                return degree * k, math.comb(terms + k - 1, k)
            return max(degree, size(e.exp)[0], 1), 1
        parts = [size(a) for a in e.args]
        if isinstance(e, sp.Add):
            return max(d for d, _ in parts), sum(t for _, t in parts)
        if isinstance(e, sp.Mul):
            return sum(d for d, _ in parts), math.prod(t for _, t in parts)
        inner = max((d for d, _ in parts), default=0)  # a call: its argument is expanded alone
        heavy = max((t for _, t in parts), default=1)
        return (inner if inner > MAX_EXPANDED_DEGREE else 1), heavy

    return size(expr)


def too_large_to_expand(expr: Any) -> bool:
    """Whether multiplying ``expr`` out exceeds ``MAX_EXPANDED_DEGREE`` or ``..._TERMS``."""
    degree, terms = expanded_size(expr)
    return degree > MAX_EXPANDED_DEGREE or terms > MAX_EXPANDED_TERMS
