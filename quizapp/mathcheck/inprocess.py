"""The checker's public API: a verdict and an "interpreted as" preview for a typed derivative.

Two ways in:

- ``check_answer(problem, text)`` and ``preview_answer(problem, text)`` run in the calling
  process. Tests, benchmarks and the worker use them.
- ``Checker`` (``quizapp.mathcheck.warm_worker``) runs the same functions in a warm worker process
  with a wall-clock and a memory limit; the app and the CLI use it, from any thread.

Verdicts are ``correct``, ``incorrect`` (with the named mistake when one is recognised),
``invalid`` (the text is not an allowed expression; the message says what and where) and
``unchecked`` (the checker could not decide, ran out of time, or crashed: never counted wrong).

This module imports neither numpy nor sympy at import time.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from quizapp.mathcheck.parser import (
    BinOp,
    BoolOp,
    Call,
    Compare,
    Name,
    Node,
    Num,
    Parsed,
    ParseError,
    to_text,
)
from quizapp.mathcheck.problem import Problem

VERDICTS = ("correct", "incorrect", "invalid", "unchecked")
# Soft limits for sympy work inside a check (the worker's hard limit is separate).
SYMBOLIC_SECONDS = 1.0


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one typed answer.

    ``verdict`` is one of ``VERDICTS``; ``message`` is one line for the learner; ``interpreted``
    is the answer as understood, with every operator explicit (None when it did not parse);
    ``mistake`` names a recognised mistake (``sign``, ``chain-rule``, a drill's own id ...);
    ``hint`` is the drill author's advice for that mistake; ``column`` points into the typed
    text for ``invalid``; ``simplified`` is sympy's simplification of a wrong answer (only when
    asked for with ``explain``).
    """

    verdict: str
    message: str
    interpreted: str | None = None
    mistake: str | None = None
    hint: str | None = None
    column: int | None = None
    notes: tuple[str, ...] = ()
    points: int = 0
    simplified: str | None = None
    # For "correct": the proof in a few lines (the derivative's form, each region proved).
    proof: tuple[str, ...] = ()

    @property
    def correct(self) -> bool:
        return self.verdict == "correct"

    def to_dict(self) -> dict[str, Any]:
        """The JSON fields of ``quizapp check --json`` (without drill and answer)."""
        return {
            "verdict": self.verdict,
            "message": self.message,
            "interpreted": self.interpreted,
            "proof": list(self.proof),
        }


@dataclass(frozen=True)
class Preview:
    """What the typed text was understood as, cheap enough to refresh on every keystroke.

    When ``ok``: ``pretty`` is a Unicode (often multi-line) rendering, ``explicit`` the one-line
    ASCII form with every operator shown, ``variables`` the declared names used, ``quantities``
    the definitions of the named quantities used (``p = sigmoid(z)``) and ``notes`` how the text
    was read (an added '*', log meaning ln). Otherwise ``error`` and ``column`` say what is wrong.
    """

    ok: bool
    pretty: str = ""
    explicit: str = ""
    variables: tuple[str, ...] = ()
    quantities: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    error: str | None = None
    column: int | None = None

    def render(self) -> str:
        """A plain-text block for a terminal: the rendering, then the names and notes."""
        if not self.ok:
            return self.error or ""
        lines = [self.pretty]
        if self.variables:
            lines.append("uses: " + ", ".join(self.variables))
        lines.extend(f"where {q}" for q in self.quantities)
        lines.extend(self.notes)
        return "\n".join(lines)


_GREEK = {"yhat": "ŷ", "eps": "ε", "lam": "λ", "delta": "δ", "gamma": "γ", "alpha": "α"}
_SUBSCRIPT = str.maketrans("0123456789ikjn", "₀₁₂₃₄₅₆₇₈₉ᵢₖⱼₙ")


def display_name(name: str) -> str:
    """A declared name as the preview prints it: yhat -> ŷ, p_k -> pₖ, z1 -> z₁ (no sympy)."""
    if name in _GREEK:
        return _GREEK[name]
    base, sep, sub = name.partition("_")
    if sep and len(sub) == 1 and sub in "ikjn":
        return _GREEK.get(base, base) + sub.translate(_SUBSCRIPT)
    stem = name.rstrip("0123456789")
    if stem and stem != name:
        return _GREEK.get(stem, stem) + name[len(stem) :].translate(_SUBSCRIPT)
    return name


def _notes(parsed: Parsed, problem: Problem) -> tuple[str, ...]:
    notes = list(parsed.notes)
    funcs = {n.func for n in parsed.tree.walk() if isinstance(n, Call)}
    if "log" in funcs:
        notes.append("log is the natural logarithm (ln)")
    return tuple(notes)


def _quantities_used(parsed: Parsed, problem: Problem) -> tuple[str, ...]:
    used = parsed.names
    return tuple(f"{name} = {text}" for name, text in problem.quantities if name in used)


_UNDEFINED_CONSTANT = (
    ("sqrt", "is undefined: the square root of a negative number"),
    ("log", "is undefined: the log of a negative number"),
    ("pow", "is undefined: a negative number to a fractional power"),
)


def _undefined_constant(parsed: Parsed) -> ParseError | None:
    """An error for a constant part without a finite value (1/0, log(0), 9^12^...), else None."""
    import math

    from quizapp.mathcheck.numeric import Trace, evaluate

    def has_names(node: Node) -> bool:
        return any(isinstance(n, Name) for n in node.walk())

    def value_of(node: Node) -> float:
        try:
            return float(evaluate(node, {}))
        except (ValueError, TypeError):
            return math.nan

    def undefined_because(node: Node) -> str:
        trace = Trace()
        with contextlib.suppress(ValueError, TypeError):
            evaluate(node, {}, trace=trace)
        for kind, why in _UNDEFINED_CONSTANT:
            if trace.issues.get(kind):
                return why
        return "is undefined (0/0, or log or sqrt outside its domain)"

    def visit(node: Node) -> ParseError | None:
        if isinstance(node, Num) and math.isfinite(node.value):
            return None  # a typed number (the parser refuses any too large): no evaluation
        is_test = isinstance(node, Compare | BoolOp)  # a condition, not a value: look inside
        if not is_test and not has_names(node):
            value = value_of(node)
            if math.isfinite(value):
                return None
            if math.isnan(value):
                why = undefined_because(node)
            else:
                why = "is infinite (a division by zero, log(0), or a number too large)"
            return ParseError(f"{to_text(node)} {why}", parsed.column(node))
        divisor = node.right if isinstance(node, BinOp) and node.op == "/" else None
        if divisor is not None and not has_names(divisor) and value_of(divisor) == 0:
            return ParseError("division by zero", parsed.column(node))
        for child in node.children():
            found = visit(child)
            if found:
                return found
        return None

    return visit(parsed.tree)


def _import_sympy() -> None:
    import sympy  # noqa: F401


def _sentence(fragment: str) -> str:
    return f"Incorrect: {fragment}" + ("" if fragment.endswith(".") else ".")


def check_answer(
    problem: Problem, text: str, *, explain: bool = False, use_sympy: bool = True
) -> Verdict:
    """Check ``text`` against ``problem`` in this process. Never raises for any ``text``.

    ``explain`` adds sympy's simplification of a wrong answer. ``use_sympy=False`` skips it;
    the worker passes that until sympy has finished loading, so no check ever waits for that
    import. sympy never changes the verdict, only the extra explanation.
    """
    from quizapp.mathcheck.certify import decide
    from quizapp.mathcheck.deadline import DeadlineExceeded, deadline
    from quizapp.mathcheck.problem import compile_problem

    try:
        parsed = problem.parse(text)
    except ParseError as exc:
        return Verdict("invalid", exc.describe(), column=exc.column)
    undefined = _undefined_constant(parsed)
    if undefined:
        return Verdict(
            "invalid",
            undefined.describe(),
            interpreted=parsed.explicit(),
            column=undefined.column,
        )
    notes = _notes(parsed, problem)
    interpreted = parsed.explicit()
    try:
        compiled = compile_problem(problem)
    except (ParseError, ValueError) as exc:
        return Verdict(
            "unchecked",
            f"Not checked: drill '{problem.id}' is broken ({exc}); run 'quizapp validate'.",
            interpreted=interpreted,
            notes=notes,
        )
    # Floats find counterexamples (confirmed in high precision); only a sympy proof, under
    # the drill's domains and bounded by sizes (never a clock), gives "correct".
    result, proof = decide(compiled, parsed.tree)
    if result.verdict == "unchecked":
        return Verdict(
            "unchecked",
            f"Not checked: your answer {result.message}; it was not marked wrong.",
            interpreted=interpreted,
            notes=notes,
            points=result.points,
        )
    if result.verdict == "correct":
        return Verdict(
            "correct",
            f"Correct — proved: {result.message}.",
            interpreted=interpreted,
            notes=notes,
            points=result.points,
            proof=proof.detail() if proof else (),
        )
    simple = None
    if explain and use_sympy:
        _import_sympy()
        try:
            with deadline(SYMBOLIC_SECONDS):
                from quizapp.mathcheck.symbolic import simplified

                simple = simplified(parsed.tree)
        except (DeadlineExceeded, Exception):
            simple = None
    return Verdict(
        "incorrect",
        _sentence(result.message),
        interpreted=interpreted,
        mistake=result.mistake,
        hint=result.hint,
        notes=notes,
        points=result.points,
        simplified=simple,
    )


def preview_answer(problem: Problem, text: str) -> Preview:
    """The "interpreted as" preview of ``text`` in this process. Never raises for any ``text``."""
    parsed = parse_for_preview(problem, text)
    if isinstance(parsed, Preview):
        return parsed
    return preview_parsed(problem, parsed)


def parse_for_preview(problem: Problem, text: str) -> Parsed | Preview:
    """The parsed answer, or a failed ``Preview`` saying why it has no meaning."""
    try:
        parsed = problem.parse(text)
    except ParseError as exc:
        return Preview(ok=False, error=exc.describe(), column=exc.column)
    undefined = _undefined_constant(parsed)
    if undefined:
        return Preview(ok=False, error=undefined.describe(), column=undefined.column)
    return parsed


def preview_parsed(problem: Problem, parsed: Parsed, *, pretty: str | None = None) -> Preview:
    """A preview of an already parsed answer; ``pretty`` overrides the sympy rendering."""
    if pretty is None:
        from quizapp.mathcheck.symbolic import pretty as render

        pretty = render(parsed.tree)
    used = [n for n in problem.names if n in parsed.names]
    return Preview(
        ok=True,
        pretty=pretty,
        explicit=parsed.explicit(),
        variables=tuple(display_name(n) for n in used),
        quantities=_quantities_used(parsed, problem),
        notes=_notes(parsed, problem),
    )
