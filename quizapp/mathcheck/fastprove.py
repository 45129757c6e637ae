"""The prover's fast path: a proof in exact rational arithmetic, without sympy.

In each case of the labels (and, where either side switches with abs, sign, step, max, min,
clip or a condition on a linear boundary, in each region between the switches: see
``fastregions.py``), ``fast_prove`` puts both sides into a normal form of its own and shows
their difference to be exactly 0:

- a *rational function* ``num/den`` of two Laurent polynomials with ``Fraction`` coefficients
  over *atoms*: the variables, ``exp(m)`` for a monomial ``m`` of the variables (exp(a + b) is
  exp(a)*exp(b); exp(k*m) is exp(m)^k for a whole k up to ``MAX_DEGREE``), and opaque atoms
  for whatever else (log of a sum, a square root, exp of a quotient ...);
- sigmoid(u) = 1/(1 + exp(-u)), tanh(u) = (exp(2u) - 1)/(exp(2u) + 1), log10 and log2 as
  log/log(10) and log/log(2); log of a product of positive atoms is the sum of their logs
  (log(exp(m)) = m), exp(k*log(a)) = a^k for a positive variable a, a^b = exp(b*log(a)) for
  a > 0, softplus(u) = log(1 + exp(u)); conditions on the labels alone are decided exactly.

Sound because every rewrite is an identity on the drill's domain and atoms are otherwise
treated as independent unknowns: a difference that is 0 as a formal rational function is 0
wherever both sides have a value. Where the answer divides, takes a log, a square root or a
fractional power, the argument must be shown non-zero (a non-zero polynomial in the
continuous variables and their exps, whose zeros have measure zero) or positive (positive
coefficients on positive atoms, or by its shape: 1 - p, exp, sigmoid ...), as in ``prove.py``.

Anything else (a switch on a boundary that is not linear or on a count, a budget exceeded, a
requirement not shown, a difference not 0) returns None, and the sympy prover decides, so a
verdict never depends on which path ran first: the fast path is always tried first. The work
is bounded by counts (``MAX_TERMS``, ``MAX_WORK``), never a clock.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from fractions import Fraction

from quizapp.mathcheck.fastalgebra import (
    ONE,
    POSITIVE_DOMAINS,
    RF,
    Algebra,
    Unsupported,
    atom_rf,
    const,
    constant_of,
    mono_text,
    rf_text,
    shown,
)
from quizapp.mathcheck.fastregions import has_switch, prove_regions
from quizapp.mathcheck.nodes import (
    SWITCHES,
    BinOp,
    BoolOp,
    Call,
    Compare,
    Cond,
    Name,
    Neg,
    Node,
    Num,
    Pow,
    exact_switch,
    to_text,
)

MAX_DEGREE = 48  # as witness.MAX_DEGREE: a larger whole exponent of exp is not a power
_LABELS = {"binary": (0, 1), "sign": (-1, 1)}


@dataclass(frozen=True)
class FastProof:
    cases: tuple[str, ...]
    forms: tuple[str, ...]  # per case: the derivative's normal form (the answer's is the same)
    canonical: str  # the derivative's normal form with the labels as variables ("" if none)
    regions: tuple[str, ...] = ()  # each region proved (its constraints, the form there)


# --------------------------------------------------------------------------- the normal form


class _Normaliser:
    def __init__(
        self, alg: Algebra, case: dict[str, int], strict: bool, fixed: dict[str, RF] | None = None
    ) -> None:
        self.alg = alg
        self.case = case
        self.strict = strict  # the answer's requirements are checked (the derivative's trusted)
        self.fixed = fixed or {}  # variables solved on a switch (fastregions.py)

    def go(self, n: Node) -> RF:
        alg = self.alg
        if isinstance(n, Num):
            try:
                return const(Fraction(n.text))
            except (ValueError, ZeroDivisionError):
                raise Unsupported("a number") from None
        if isinstance(n, Name):
            if n.name in self.fixed:
                return self.fixed[n.name]
            if n.name in self.case:
                return const(Fraction(self.case[n.name]))
            if n.name not in alg.domains:
                raise Unsupported("an unknown name")
            return atom_rf(f"v:{n.name}")
        if isinstance(n, Neg):
            return alg.rf_neg(self.go(n.operand))
        if isinstance(n, BinOp):
            a, b = self.go(n.left), self.go(n.right)
            if n.op == "+":
                return alg.rf_add(a, b)
            if n.op == "-":
                return alg.rf_add(a, b, -1)
            if n.op == "*":
                return alg.rf_mul(a, b)
            self.require("nonzero", b, n.right)
            return alg.rf_mul(a, alg.rf_inv(b))
        if isinstance(n, Pow):
            return self.power(n.base, self.go(n.base), self.go(n.exponent))
        if isinstance(n, Call):
            return self.call(n)
        if isinstance(n, Cond):
            return self.go(n.then if self.truth(n.test) else n.orelse)
        raise Unsupported(type(n).__name__)

    def positive(self, a: RF, node: Node) -> bool:
        return _tree_positive(node, self.alg.domains, self.case) or self.alg.positive(a)

    def require(self, kind: str, a: RF, node: Node) -> None:
        """The answer's argument must be non-zero (a divisor) or positive (log, a real power)."""
        if kind == "nonzero" and not a[0]:
            raise Unsupported("division by zero")
        if not self.strict:
            return
        ok = self.positive(a, node) or (kind == "nonzero" and self.alg.nonzero(a))
        if not ok:
            raise Unsupported(f"not shown {kind}")

    def power(self, node: Node, base: RF, exponent: RF) -> RF:
        k = constant_of(exponent)
        if k is not None and k.denominator == 1 and abs(k) <= MAX_DEGREE:
            if k < 0:
                self.require("nonzero", base, node)
            elif k == 0 and not base[0]:
                raise Unsupported("0^0")
            return self.alg.rf_pow(base, int(k))
        # base^b = exp(b*log(base)) for base > 0 (the only place a real power has a value).
        if not self.positive(base, node):
            raise Unsupported("a power of what may be negative")
        return self.exp(self.alg.rf_mul(exponent, self.log(base)))

    def call(self, n: Call) -> RF:
        alg = self.alg
        args = [self.go(a) for a in n.args]
        x = args[0]
        func = n.func
        if func == "exp":
            return self.exp(x)
        if func == "sigmoid":
            return alg.rf_inv(alg.rf_add(const(Fraction(1)), self.exp(alg.rf_neg(x))))
        if func == "tanh":
            e2 = self.exp(alg.rf_add(x, x))
            one = const(Fraction(1))
            return alg.rf_mul(alg.rf_add(e2, one, -1), alg.rf_inv(alg.rf_add(e2, one)))
        if func == "softplus":  # log(1 + exp(u)), of a positive argument
            return self.log(alg.rf_add(const(Fraction(1)), self.exp(x)))
        if func == "sqrt":
            return self.power(n.args[0], x, const(Fraction(1, 2)))
        if func in ("log", "log10", "log2"):
            self.require("pos", x, n.args[0])
            if not self.positive(x, n.args[0]):
                raise Unsupported("a log of what may be negative")
            value = self.log(x)
            if func == "log":
                return value
            return alg.rf_mul(value, alg.rf_inv(self.log(const(Fraction(int(func[3:]))))))
        constant = [constant_of(a) for a in args]
        if any(c is None for c in constant):
            raise Unsupported(f"{func} of a variable")
        return const(_switch(func, [c for c in constant if c is not None]))

    def exp(self, u: RF) -> RF:
        """exp(u): exp of a sum is a product; exp(k*log(a)) is a^k; exp(k*m) is exp(m)^k."""
        alg = self.alg
        num, den = u
        if set(den) != {ONE}:
            return self.generator("x", f"exp({rf_text(u)})", u)
        out = const(Fraction(1))
        for m, c in sorted(num.items()):
            k = c / den[ONE]
            whole = k.denominator == 1 and abs(k) <= MAX_DEGREE
            if whole and len(m) == 1 and m[0][1] == 1 and m[0][0] in alg.log_args:
                out = alg.rf_mul(out, alg.rf_pow(alg.log_args[m[0][0]], int(k)))
                continue
            if whole:
                kind = "e" if all(atom.startswith("v:") for atom, _ in m) else "x"
                one: RF = ({m: Fraction(1)}, {ONE: Fraction(1)})
                atom = self.generator(kind, f"exp({mono_text(m) or '1'})", one)
                out = alg.rf_mul(out, alg.rf_pow(atom, int(k)))
            else:
                alone: RF = ({m: k}, {ONE: Fraction(1)})
                out = alg.rf_mul(out, self.generator("x", f"exp({rf_text(alone)})", alone))
        return out

    def generator(self, kind: str, text: str, exponent: RF) -> RF:
        atom = f"{kind}:{text}"
        self.alg.exp_args[atom] = exponent
        return atom_rf(atom)

    def log(self, u: RF) -> RF:
        """log u for u > 0: the logs of a positive monomial's parts, else an opaque atom."""
        alg = self.alg
        num, den = u
        if len(num) == 1 and len(den) == 1:
            ((mn, cn),) = num.items()
            ((md, cd),) = den.items()
            c = cn / cd
            if c > 0:
                inverse = tuple((atom, -k) for atom, k in md)
                m = alg.mono_mul(mn, inverse)
                if all(alg.atom_positive(atom) for atom, _ in m):
                    out = self.log_rational(c)
                    for atom, k in m:
                        out = alg.rf_add(out, alg.rf_mul(const(Fraction(k)), self.logatom(atom)))
                    return out
        return self.log_of(f"log({rf_text(u)})", u, kind="o")

    def log_of(self, text: str, u: RF, kind: str) -> RF:
        atom = f"{kind}:{text}"
        self.alg.log_args[atom] = u
        return atom_rf(atom)

    def log_rational(self, c: Fraction) -> RF:
        out = const(Fraction(0))
        for whole, sign in ((c.numerator, 1), (c.denominator, -1)):
            if whole != 1:
                part = self.log_of(f"log({whole})", const(Fraction(whole)), "o")
                out = self.alg.rf_add(out, part, sign)
        return out

    def logatom(self, atom: str) -> RF:
        """log of a positive atom: log(exp(u)) = u; log(v) an atom of its own."""
        if atom in self.alg.exp_args:
            return self.alg.exp_args[atom]
        return self.log_of(f"log({atom.partition(':')[2]})", atom_rf(atom), "l")

    def truth(self, test: Node) -> bool:
        if isinstance(test, Compare):
            values = [constant_of(self.go(o)) for o in test.operands]
            if any(v is None for v in values):
                raise Unsupported("a condition on a variable")
            checks = {
                "<": lambda a, b: a < b,
                "<=": lambda a, b: a <= b,
                ">": lambda a, b: a > b,
                ">=": lambda a, b: a >= b,
                "==": lambda a, b: a == b,
                "!=": lambda a, b: a != b,
            }
            return all(
                checks[op](a, b) for op, a, b in zip(test.ops, values, values[1:], strict=False)
            )
        if isinstance(test, BoolOp):
            parts = [self.truth(o) for o in test.operands]
            if test.op == "not":
                return not parts[0]
            return all(parts) if test.op == "and" else any(parts)
        raise Unsupported("a condition")


_POSITIVE_CALLS = ("exp", "sigmoid", "softplus")


def _tree_positive(n: Node, domains: dict[str, str], case: dict[str, int]) -> bool:
    """n > 0 everywhere in the domain, by its shape: positive names and numbers, exp, sigmoid,
    1 - p for a probability, and sums, products, quotients and powers of positive parts."""
    if isinstance(n, Num):
        return n.value > 0
    if isinstance(n, Name):
        return case[n.name] > 0 if n.name in case else domains.get(n.name) in POSITIVE_DOMAINS
    if isinstance(n, Call):
        return n.func in _POSITIVE_CALLS or (
            n.func == "sqrt" and _tree_positive(n.args[0], domains, case)
        )
    if isinstance(n, Pow):
        return _tree_positive(n.base, domains, case)
    if isinstance(n, BinOp):
        if n.op == "-":
            # 1 - p, 1 - sigmoid(z): a number >= 1 minus a value inside (0, 1)
            return isinstance(n.left, Num) and n.left.value >= 1 and _inside_unit(n.right, domains)
        return _tree_positive(n.left, domains, case) and _tree_positive(n.right, domains, case)
    return False


def _inside_unit(n: Node, domains: dict[str, str]) -> bool:
    if isinstance(n, Name):
        return domains.get(n.name) == "prob"
    return isinstance(n, Call) and n.func == "sigmoid"


def _switch(func: str, values: list[Fraction]) -> Fraction:
    if func in SWITCHES:
        return exact_switch(func, values)
    raise Unsupported(func)  # sqrt, softplus of a constant: sympy's


# --------------------------------------------------------------------------- entry


def fast_prove(
    domains: tuple[tuple[str, str], ...], answer: Node, reference: Node
) -> FastProof | None:
    """A proof that ``answer`` equals ``reference`` in every case of the labels, or None when
    the fast path cannot show it (then the sympy prover decides). Never raises."""
    labels = [(name, _LABELS[d]) for name, d in domains if d in _LABELS]
    kinds = {name: d for name, d in domains if d not in _LABELS}
    cases: list[str] = []
    forms: list[str] = []
    regions: list[str] = []
    try:
        for values in itertools.product(*[v for _, v in labels]):
            case = {name: v for (name, _), v in zip(labels, values, strict=True)}
            where = ", ".join(f"{k} = {v}" for k, v in case.items())
            alg = Algebra({k: d for k, d in kinds.items() if k not in case})
            cases.append(where or "all")
            if has_switch(answer, case) or has_switch(reference, case):
                found = _switched(alg, case, answer, reference)
                regions += [f"{where}: {r}" if where else r for r in found]
                forms.append("")
                continue
            a = _Normaliser(alg, case, strict=True).go(answer)
            r = _reference_form(domains, reference, tuple(case.items()), alg)
            if alg.rf_add(a, r, -1)[0]:
                return None
            forms.append(shown(r))
            regions.append(f"{where}: everywhere" if where else "everywhere")
    except (Unsupported, ZeroDivisionError, RecursionError, MemoryError):
        return None
    canonical = ""  # one case, no switch: its form says it all
    if labels or not forms[0]:
        try:
            canonical = shown(_cached_reference(domains, reference, ())[0])
        except (Unsupported, ZeroDivisionError, RecursionError):
            canonical = to_text(reference)  # a switch or a condition on a label
    return FastProof(
        cases=tuple(cases), forms=tuple(forms), canonical=canonical, regions=tuple(regions)
    )


def _switched(alg: Algebra, case: dict[str, int], answer: Node, reference: Node) -> list[str]:
    """The regions between the switches of either side, each proved (fastregions.py)."""

    def normalise(tree: Node, strict: bool, fixed: dict[str, RF]) -> RF:
        return _Normaliser(alg, case, strict, fixed).go(tree)

    return prove_regions(alg.domains, case, alg, answer, reference, normalise)


def _reference_form(
    domains: tuple[tuple[str, str], ...],
    reference: Node,
    case: tuple[tuple[str, int], ...],
    alg: Algebra,
) -> RF:
    form, exps, logs = _cached_reference(domains, reference, case)
    alg.exp_args.update(exps)
    alg.log_args.update(logs)
    return form


@functools.lru_cache(maxsize=256)
def _cached_reference(
    domains: tuple[tuple[str, str], ...], reference: Node, case: tuple[tuple[str, int], ...]
) -> tuple[RF, dict[str, RF], dict[str, RF]]:
    """The derivative's normal form in one case (labels not in ``case`` stay variables): the
    same for every answer to a drill, so it is computed once per process (Unsupported is
    raised again each time, which costs little: it stops at the first switch)."""
    fixed = dict(case)
    alg = Algebra({name: d for name, d in domains if name not in fixed})
    form = _Normaliser(alg, fixed, strict=False).go(reference)
    return form, alg.exp_args, alg.log_args


__all__ = ["FastProof", "fast_prove", "rf_text", "shown"]
