"""Exact algebra for the prover's fast path (``fastprove.py``): rational functions of two Laurent
polynomials with ``Fraction`` coefficients over named atoms, with a work budget (counts, never a
clock), the signs their atoms are known to have, and how a form is shown to a learner.

Atom keys: "v:NAME" a variable, "e:exp(M)" exp of a monomial of variables (independent of each
other and of the variables), "x:exp(...)" exp of anything else (positive), "l:log(NAME)" the log
of a positive variable, "o:TEXT" anything else (opaque). The text after the colon is how the atom
is shown.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

MAX_TERMS = 400  # terms of one polynomial
MAX_WORK = 60_000  # monomial products in one proof
POSITIVE_DOMAINS = ("positive", "prob", "count")

Mono = tuple[tuple[str, int], ...]  # (atom, exponent) sorted by atom; exponents non-zero
Poly = dict[Mono, Fraction]
RF = tuple[Poly, Poly]  # num/den

ONE: Mono = ()


class Unsupported(Exception):
    """Beyond the fast path: the sympy prover decides."""


# --------------------------------------------------------------------------- polynomials


class Algebra:
    """Polynomial arithmetic with a work budget; atoms' signs known by their kind."""

    def __init__(self, domains: dict[str, str]) -> None:
        self.domains = domains
        self.work = 0
        self.exp_args: dict[str, RF] = {}  # an exp atom -> its exponent
        self.log_args: dict[str, RF] = {}  # a log atom -> its argument

    def charge(self, n: int) -> None:
        self.work += n
        if self.work > MAX_WORK:
            raise Unsupported("too much work")

    @staticmethod
    def mono_mul(a: Mono, b: Mono) -> Mono:
        if not a:
            return b
        if not b:
            return a
        merged = dict(a)
        for atom, k in b:
            total = merged.get(atom, 0) + k
            if total:
                merged[atom] = total
            else:
                del merged[atom]
        return tuple(sorted(merged.items()))

    def add(self, a: Poly, b: Poly, sign: int = 1) -> Poly:
        out = dict(a)
        for m, c in b.items():
            v = out.get(m, 0) + sign * c
            if v:
                out[m] = v
            else:
                out.pop(m, None)
        self.charge(len(b))
        return self._sized(out)

    def mul(self, a: Poly, b: Poly) -> Poly:
        self.charge(len(a) * len(b))
        out: Poly = {}
        for (ma, ca), (mb, cb) in itertools.product(a.items(), b.items()):
            m = self.mono_mul(ma, mb)
            v = out.get(m, 0) + ca * cb
            if v:
                out[m] = v
            else:
                out.pop(m, None)
        return self._sized(out)

    @staticmethod
    def _sized(p: Poly) -> Poly:
        if len(p) > MAX_TERMS:
            raise Unsupported("too many terms")
        return p

    # ---------------------------------------------------------------- rational functions

    def rf_add(self, a: RF, b: RF, sign: int = 1) -> RF:
        if a[1] == b[1]:
            return self.reduce((self.add(a[0], b[0], sign), a[1]))
        num = self.add(self.mul(a[0], b[1]), self.mul(b[0], a[1]), sign)
        return self.reduce((num, self.mul(a[1], b[1])))

    def rf_mul(self, a: RF, b: RF) -> RF:
        if a[1] == b[0]:
            return self.reduce((a[0], b[1]))
        if b[1] == a[0]:
            return self.reduce((b[0], a[1]))
        return self.reduce((self.mul(a[0], b[0]), self.mul(a[1], b[1])))

    def rf_inv(self, a: RF) -> RF:
        if not a[0]:
            raise Unsupported("division by zero")
        return self.reduce((a[1], a[0]))

    def rf_pow(self, a: RF, k: int) -> RF:
        if k < 0:
            a, k = self.rf_inv(a), -k
        out: RF = ({ONE: Fraction(1)}, {ONE: Fraction(1)})
        for _ in range(k):
            out = self.rf_mul(out, a)
        return out

    def reduce(self, a: RF) -> RF:
        """A single-term denominator divides into the numerator (Laurent monomials), so equal
        values most often have equal forms; a zero numerator is 0/1."""
        num, den = a
        if not num:
            return ({}, {ONE: Fraction(1)})
        if num == den:
            return ({ONE: Fraction(1)}, {ONE: Fraction(1)})
        if len(den) == 1:
            ((m, c),) = den.items()
            inverse = tuple((atom, -k) for atom, k in m)
            top = {self.mono_mul(mm, inverse): cc / c for mm, cc in num.items()}
            return (top, {ONE: Fraction(1)})
        return a

    # ---------------------------------------------------------------- signs

    def atom_positive(self, atom: str) -> bool:
        kind, _, name = atom.partition(":")
        if kind == "v":
            return self.domains.get(name) in POSITIVE_DOMAINS
        return kind in ("e", "x")

    def poly_positive(self, p: Poly) -> bool:
        """Every coefficient positive on monomials >= 0, one of them > 0: p > 0 on the domain."""
        if not p:
            return False
        strict = False
        for m, c in p.items():
            if c <= 0:
                return False
            signs = [self.atom_positive(atom) or k % 2 == 0 for atom, k in m]
            if not all(signs):
                return False
            strict = strict or all(self.atom_positive(atom) for atom, _ in m)
        return strict

    def positive(self, a: RF) -> bool:
        return self.poly_positive(a[0]) and self.poly_positive(a[1])

    def nonzero(self, a: RF) -> bool:
        """Non-zero except on a set of measure zero of the continuous variables."""
        if self.positive(a) or self.positive(self.rf_neg(a)):
            return True
        if not a[0]:
            return False
        for m in a[0]:
            for atom, _ in m:
                kind, _, name = atom.partition(":")
                if kind == "v" and self.domains.get(name) == "count":
                    return False  # a count's values are not almost all of anything
                if kind not in ("v", "e"):
                    return False  # an opaque atom may be a hidden function of the others
        return True

    def rf_neg(self, a: RF) -> RF:
        return ({m: -c for m, c in a[0].items()}, a[1])


def const(value: Fraction) -> RF:
    return ({ONE: value} if value else {}, {ONE: Fraction(1)})


def atom_rf(atom: str, k: int = 1) -> RF:
    return ({((atom, k),): Fraction(1)}, {ONE: Fraction(1)})


def constant_of(a: RF) -> Fraction | None:
    num, den = a
    if not num:
        return Fraction(0)
    if set(num) == {ONE} and set(den) == {ONE}:
        return num[ONE] / den[ONE]
    return None


# --------------------------------------------------------------------------- text


def mono_text(m: Mono) -> str:
    parts = []
    for atom, k in m:
        name = atom.partition(":")[2]
        parts.append(name if k == 1 else f"{name}^{k}" if k > 0 else f"{name}^({k})")
    return "*".join(parts)


def poly_text(p: Poly) -> str:
    if not p:
        return "0"
    out = ""
    for m, c in sorted(p.items(), key=lambda t: (-sum(abs(k) for _, k in t[0]), t[0])):
        sign = "-" if c < 0 else "+"
        magnitude = abs(c)
        body = mono_text(m)
        if not body:
            term = str(magnitude)
        elif magnitude == 1:
            term = body
        else:
            term = f"{magnitude}*{body}"
        out += (f" {sign} " if out else ("-" if sign == "-" else "")) + term
    return out


def rf_text(a: RF) -> str:
    num, den = a
    top = poly_text(num)
    if den == {ONE: Fraction(1)}:
        return top
    wrap = f"({top})" if len(num) > 1 else top
    return f"{wrap}/({poly_text(den)})" if len(den) > 1 else f"{wrap}/{poly_text(den)}"


def shown(a: RF) -> str:
    """A normal form as a learner reads it: no negative powers of a variable (both parts
    multiplied by what clears them), exp(z)^-1 as exp(-z), a positive term first."""
    num, den = a
    clear: dict[str, int] = {}
    for m in [*num, *den]:
        for atom, k in m:
            if atom.startswith("v:") and k < 0:
                clear[atom] = max(clear.get(atom, 0), -k)
    if clear:
        factor: Mono = tuple(sorted(clear.items()))
        num = {Algebra.mono_mul(m, factor): c for m, c in num.items()}
        den = {Algebra.mono_mul(m, factor): c for m, c in den.items()}
    if len(den) == 1 and next(iter(den.values())) < 0:
        num = {m: -c for m, c in num.items()}
        den = {m: -c for m, c in den.items()}
    top, bottom = _shown_poly(num), _shown_poly(den)
    if bottom == "1":
        return top
    if len(num) > 1:
        top = f"({top})"
    return f"{top}/({bottom})" if len(den) > 1 or "*" in bottom else f"{top}/{bottom}"


def _shownatom(atom: str, k: int) -> str:
    kind, _, name = atom.partition(":")
    if kind in ("e", "x") and name.startswith("exp(") and k != 1:
        inner = name[4:-1]
        if k == -1:
            return (
                f"exp(-{inner})" if "+" not in inner and " - " not in inner else f"exp(-({inner}))"
            )
        return (
            f"exp({k}*{inner})"
            if "+" not in inner and " - " not in inner
            else f"exp({k}*({inner}))"
        )
    return name if k == 1 else f"{name}^{k}"


def _shown_poly(p: Poly) -> str:
    if not p:
        return "0"

    def degree(m: Mono) -> int:
        return sum(k for atom, k in m if atom.startswith("v:"))

    terms = sorted(p.items(), key=lambda t: (degree(t[0]), t[0]))
    first = next((i for i, (_, c) in enumerate(terms) if c > 0), 0)
    terms = terms[first:] + terms[:first]
    out = ""
    for m, c in terms:
        body = "*".join(_shownatom(atom, k) for atom, k in m)
        magnitude = abs(c)
        term = str(magnitude) if not body else body if magnitude == 1 else f"{magnitude}*{body}"
        if not out:
            out = f"-{term}" if c < 0 else term
        else:
            out += f" - {term}" if c < 0 else f" + {term}"
    return out
