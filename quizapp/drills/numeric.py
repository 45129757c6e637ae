"""Numeric "compute this loss" drills: a drill from a template and a seed, and the grading of a
typed answer, naming the slip a wrong answer matches.

Templates are data (cards of kind ``numeric_drill``, in content/loss/numeric-drills.yaml): which
loss, how each column of the data table is drawn, parameters, prompt and formula. What cannot be
data is a recipe per ``loss`` in ``quizapp.drills.recipes``: the answer and the worked steps (both
from ``quizapp.losses``) and the value each slip would give.

    drill = make_drill(template, seed=7)      # the same template and seed give the same drill
    grade(drill, "-ln(0.9)")                  # Grade(verdict="correct", ...)

Typed answers are read by ``quizapp.mathcheck.numeric.evaluate_number``, the project's one safe
parser: a decimal, a fraction, scientific notation or a short expression; nothing is evaluated
as code.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from quizapp.decks.models import DrillColumn, NumericDrill
from quizapp.drills.recipes import RECIPES, Data, Solution
from quizapp.drills.slips import SLIPS
from quizapp.losses.text import num

# An answer counts as right within this relative or this absolute difference (either suffices).
REL_TOL = 1e-2
ABS_TOL = 1e-3
TOLERANCE_TEXT = "answers within 1% (or 0.001) of the exact value count as right"
# Data are drawn again (up to DRAW_ATTEMPTS times) until the answer is at least this large, so
# that the tolerance is meaningful and a slip of "0" cannot pass.
MIN_ANSWER = 0.01
DRAW_ATTEMPTS = 50
MAX_SAMPLES = 5


Value = float | tuple[float, ...]


@dataclass(frozen=True)
class Slip:
    """A named mistake and the value it produces for one drill."""

    id: str
    name: str
    explanation: str
    value: float


@dataclass(frozen=True)
class Drill:
    """One generated drill: the problem, its data, the exact answer and how to get there."""

    id: str
    seed: int
    title: str
    prompt: str
    formula: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    params: dict[str, float] = field(hash=False)
    answer: float
    steps: tuple[str, ...]
    # Only slips whose value a learner could tell apart from the answer and from each other.
    slips: tuple[Slip, ...] = field(default=())
    rel_tol: float = REL_TOL
    abs_tol: float = ABS_TOL

    @property
    def tolerance_text(self) -> str:
        return TOLERANCE_TEXT

    def accepts(self, value: float) -> bool:
        return _close(value, self.answer, self.rel_tol, self.abs_tol)

    def slip_for(self, value: float) -> Slip | None:
        """The slip whose value ``value`` matches (the nearest one), or None."""
        if self.accepts(value):
            return None
        matching = [s for s in self.slips if _close(value, s.value, self.rel_tol, self.abs_tol)]
        return min(matching, key=lambda s: abs(value - s.value), default=None)

    def data(self) -> list[dict[str, Any]]:
        """The data table as one mapping per row, column name -> number or list of numbers."""
        return [
            {name: _plain(v) for name, v in zip(self.columns, row, strict=True)}
            for row in self.rows
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seed": self.seed,
            "title": self.title,
            "prompt": self.prompt,
            "formula": self.formula,
            "data": self.data(),
            "params": {k: _plain(v) for k, v in self.params.items()},
            "answer": self.answer,
            "tolerance": {"relative": self.rel_tol, "absolute": self.abs_tol},
            "steps": list(self.steps),
            "slips": [{"id": s.id, "name": s.name, "value": s.value} for s in self.slips],
        }


@dataclass(frozen=True)
class Grade:
    verdict: str  # "correct" | "incorrect" | "invalid"
    message: str  # one line for the learner
    value: float | None = None  # what the typed answer evaluated to
    slip: Slip | None = None


def _close(value: float, target: float, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> bool:
    diff = abs(value - target)
    return diff <= abs_tol or diff <= rel_tol * abs(target)


def _plain(value: Value) -> Any:
    """A number as JSON shows it best: 3 rather than 3.0."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return int(value) if float(value).is_integer() else float(value)


# --------------------------------------------------------------------------- generation


def _draw(template: NumericDrill, rng: random.Random) -> Data:
    low, high = template.samples[0], template.samples[-1]
    n = rng.randint(low, high)
    data: Data = {}
    for column in template.columns:
        data[column.name] = _draw_column(column, n, data, rng)
    return data


def _draw_column(column: DrillColumn, n: int, data: Data, rng: random.Random) -> np.ndarray:
    if column.choices is not None:
        return np.array([rng.choice(column.choices) for _ in range(n)], dtype=float)
    if column.vectors is not None:
        return np.array([rng.choice(column.vectors) for _ in range(n)], dtype=float)
    if column.onehot is not None:
        return np.eye(column.onehot)[[rng.randrange(column.onehot) for _ in range(n)]]
    assert column.base is not None and column.offsets is not None  # check_template ensures it
    offsets = [rng.choice(column.offsets) for _ in range(n)]
    if column.outliers:
        offsets[rng.randrange(n)] = rng.choice(column.outliers)
    # Rounded so that 0.1 + 0.2 shows as 0.3, as a person would write it.
    return np.round(data[column.base] + np.array(offsets, dtype=float), 10)


def make_drill(template: NumericDrill, seed: int) -> Drill:
    """The drill of ``template`` for ``seed``: the same pair always gives the same drill."""
    found = RECIPES[template.loss]
    params = dict(template.params or {})
    # A string seed makes random.Random hash it with SHA-512: stable across runs and platforms.
    rng = random.Random(f"{template.id}:{seed}")
    for _ in range(DRAW_ATTEMPTS):
        data = _draw(template, rng)
        solution = found.solve(data, params)
        if abs(solution.answer) >= MIN_ANSWER:
            break
    columns = tuple(c.name for c in template.columns)
    n = len(data[columns[0]])
    rows = tuple(tuple(_cell(data[name][i]) for name in columns) for i in range(n))
    return Drill(
        id=template.id,
        seed=seed,
        title=template.name,
        prompt=template.prompt.format(**{k: num(v) for k, v in params.items()}),
        formula=template.formula,
        columns=columns,
        rows=rows,
        params=params,
        answer=solution.answer,
        steps=tuple(solution.steps),
        slips=_distinct_slips(solution),
    )


def _cell(value: Any) -> Value:
    return tuple(float(v) for v in value) if np.ndim(value) else float(value)


def _distinct_slips(solution: Solution) -> tuple[Slip, ...]:
    """The slips to diagnose: finite, not within tolerance of the answer (a learner who made
    that slip got it right anyway) and not within tolerance of an earlier slip (the earlier
    name is given)."""
    kept: list[Slip] = []
    for slip_id, value, explanation in solution.slips:
        if not math.isfinite(value) or _close(value, solution.answer):
            continue
        if any(_close(value, k.value) or _close(k.value, value) for k in kept):
            continue
        name, default = SLIPS[slip_id]
        kept.append(Slip(slip_id, name, explanation or default, value))
    return tuple(kept)


# --------------------------------------------------------------------------- grading


def grade(drill: Drill, text: str) -> Grade:
    """Grade a typed answer: ``correct``, ``incorrect`` (with the matching slip, if any) or
    ``invalid`` (not a number; the message says why and where)."""
    from quizapp.mathcheck.numeric import evaluate_number
    from quizapp.mathcheck.parser import ParseError

    try:
        value = evaluate_number(text)
    except ParseError as exc:
        return Grade("invalid", f"Could not read that answer: {exc.describe()}")
    shown = _shown(text, value)
    exact = num(drill.answer, 6)
    if drill.accepts(value):
        return Grade("correct", f"Correct: {shown} (exact: {exact}).", value)
    slip = drill.slip_for(value)
    message = f"Not quite: {shown}; the answer is {exact}."
    if slip is not None:
        message += f" Slip: {slip.name}. {slip.explanation}"
    elif abs(value - drill.answer) <= 0.1 * abs(drill.answer):
        message += f" Close: {drill.tolerance_text}; keep more decimals."
    return Grade("incorrect", message, value, slip)


def _shown(text: str, value: float) -> str:
    """The learner's answer, with its value when it was an expression (``-ln(0.9) = 0.105361``)."""
    text = text.strip()
    try:
        float(text)
    except ValueError:
        return f"you gave {text} = {num(value, 6)}"
    return f"you gave {text}"


# --------------------------------------------------------------------------- template checks


def check_template(template: NumericDrill) -> list[tuple[str, str]]:
    """Problems with a template beyond field types, as (field, message) for the deck loader."""
    found = RECIPES.get(template.loss)
    if found is None:
        known = ", ".join(sorted(RECIPES))
        return [("loss", f"'{template.loss}' is not a drill recipe; known: {known}")]
    problems: list[tuple[str, str]] = []
    samples = template.samples
    if (
        len(samples) > 2
        or not all(1 <= n <= MAX_SAMPLES for n in samples)
        or samples[0] > samples[-1]
    ):
        problems.append(
            ("samples", f"give [n] or [min, max] with 1 <= min <= max <= {MAX_SAMPLES}")
        )
    names = [c.name for c in template.columns]
    if sorted(names) not in [sorted(option) for option in found.columns]:
        wanted = " or ".join(", ".join(option) for option in found.columns)
        problems.append(("columns", f"loss '{template.loss}' needs the columns {wanted}"))
    for i, column in enumerate(template.columns):
        problems += [
            ("columns", f"column {i + 1} ('{column.name}'): {m}")
            for m in _column_problems(column, names[:i])
        ]
    params = set(template.params or {})
    if params - found.params:
        allowed = ", ".join(sorted(found.params)) or "none"
        problems.append(("params", f"unknown {sorted(params - found.params)}; allowed: {allowed}"))
    if found.required_params - params:
        problems.append(("params", f"missing {', '.join(sorted(found.required_params - params))}"))
    try:
        template.prompt.format(**{k: 0 for k in params})
    except (KeyError, IndexError, ValueError) as exc:
        problems.append(("prompt", f"braces must name a param ({exc!r}); write {{{{ for a brace"))
    if not problems:
        try:  # the cheapest proof that the template works: solve one drill
            make_drill(template, 0)
        except ValueError as exc:
            problems.append(("columns", f"the drawn data are not valid for {template.loss}: {exc}"))
    return problems


def _column_problems(column: DrillColumn, earlier: list[str]) -> list[str]:
    rules = [
        column.choices is not None,
        column.vectors is not None,
        column.onehot is not None,
        column.base is not None or column.offsets is not None,
    ]
    if sum(rules) != 1:
        return ["give exactly one of choices, vectors, onehot, or base with offsets"]
    if column.base is not None or column.offsets is not None:
        if column.base is None or column.offsets is None:
            return ["base and offsets go together"]
        if column.base not in earlier:
            return [f"base '{column.base}' must be a column listed before it"]
    elif column.outliers is not None:
        return ["outliers only go with base and offsets"]
    if column.onehot is not None and column.onehot < 2:
        return ["onehot needs at least 2 classes"]
    if column.vectors is not None and len({len(v) for v in column.vectors}) != 1:
        return ["all vectors must have the same length"]
    return []


# The second and third decks' recipes register themselves on import; they need the names above.
from quizapp.drills import beyond_recipes, frontier_recipes  # noqa: E402, F401
