"""Typed card models. Each kind is a frozen dataclass; the loader derives its validation from the
field annotations, so adding a kind means adding a class here and a row in the table of kinds
(``quizapp.decks.kinds``, which says where the kind is used and who renders, asks and grades it).
Models are plain data and import nothing above them: the checks beyond field types are a table
by kind (``quizapp.decks.checks``, and ``quizapp.content.CHECKS`` for checks that need the
parser or the drills), which loading runs.

Field types the loader understands: ``str`` (non-empty text), ``int``, ``float``, ``bool``,
``tuple[str, ...]`` (a list of texts; ``tuple[float, ...]`` and lists of lists work the same way),
``dict[str, str]`` (a mapping of texts; ``dict[str, float]`` too), a nested model (``Option``) or
``tuple[Model, ...]``, and ``X | None = None`` for optional fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")

# The tag vocabulary. A typo in a tag is an error, not a new tag.
TAGS: frozenset[str] = frozenset(
    {
        "fundamentals",
        "training-loop",
        "regression",
        "classification",
        "imbalance",
        "outliers",
        "probabilistic",
        "gradients",
        "metrics",
        "activations",
        "optimization",
        "numerics",
        "regularization",
        "system-design",
        "interview",
        # The second deck (content/beyond), beyond the notes.
        "divergence",
        "ranking",
        "calibration",
        "generative",
        "segmentation",
        "noisy-labels",
        "multi-task",
        # The third deck (content/frontier): losses of the LLM era and of generative models.
        "preference",
        "llm",
        "moe",
        "diffusion",
        "contrastive",
        "sequence",
    }
)

# The notes' section numbers a card may cite.
SECTIONS = range(1, 23)

# The panels of the loss-curve explorer (quizapp.loss_panels draws them) a formula card can open.
CURVE_PANELS: tuple[str, ...] = ("regression", "bce", "focal")


class Record:
    """Equality, hashing and repr by field, written once for every model.

    Each model is ``@dataclass(frozen=True, eq=False, repr=False)`` and inherits these, so the
    dataclass machinery generates far less code per class: importing the models is on the way to
    the app's first frame, and that code generation was most of its cost.
    """

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in fields(self) if f.compare)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__, self._values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)  # type: ignore[arg-type]
        return f"{self.__class__.__name__}({shown})"


@dataclass(frozen=True, eq=False, repr=False)
class Card(Record):
    """Fields every card has. ``deck``, ``source`` (the file) and ``line`` are filled in by the
    loader; ``cite`` (optional, in the YAML) names the paper or documentation behind the card."""

    kind: ClassVar[str] = ""
    # Shown in lists, the palette and the study header.
    label: ClassVar[str] = ""

    id: str
    # The section of the study notes the card's facts come from; None for a deck beyond the notes.
    section: int | None
    tags: tuple[str, ...]
    deck: str = field(default="", kw_only=True, compare=False)
    source: str = field(default="", kw_only=True, compare=False)
    line: int = field(default=0, kw_only=True, compare=False)
    # Where the card's facts come from (a paper, a library's documentation), for a deck that
    # does not follow the study notes: "Rafailov et al. 2023, DPO; TRL DPOTrainer docs".
    cite: str | None = field(default=None, kw_only=True)

    @property
    def title(self) -> str:
        """A one-line name for lists and the command palette."""
        raise NotImplementedError

    @property
    def header(self) -> str:
        """What the card's header calls it (its kind's label, unless the card says more)."""
        return self.label

    def search_text(self) -> str:
        """All the words a learner might search for this card by."""
        parts: list[str] = [self.id, *self.tags]
        for name in self.__dataclass_fields__:
            if name in ("id", "tags", "section", "deck", "source", "line", "cite"):
                continue
            parts.extend(_texts(getattr(self, name)))
        return " ".join(parts)


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple | list):
        return [t for v in value for t in _texts(v)]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in (k, *_texts(v))]
    if hasattr(value, "__dataclass_fields__"):
        return [t for n in value.__dataclass_fields__ for t in _texts(getattr(value, n))]
    return []


@dataclass(frozen=True, eq=False, repr=False)
class Trap(Card):
    """An interview trap: the tempting wrong claim, the correct one, why, and an example."""

    kind: ClassVar[str] = "trap"
    label: ClassVar[str] = "Trap"

    claim: str  # the trap as an interviewer might phrase it, e.g. "We use MSE for all tasks."
    wrong: str
    correct: str
    why: str
    example: str
    # Wrong replies to THIS claim, each with why it fails: the "spot the error" quiz offers them
    # beside ``correct`` (without them it falls back to other traps' corrections).
    distractors: tuple[Option, ...] | None = None

    @property
    def title(self) -> str:
        return self.claim


@dataclass(frozen=True, eq=False, repr=False)
class Faq(Card):
    kind: ClassVar[str] = "faq"
    label: ClassVar[str] = "FAQ"

    question: str
    answer: str
    tip: str | None = None
    example: str | None = None

    @property
    def title(self) -> str:
        return self.question


@dataclass(frozen=True, eq=False, repr=False)
class Formula(Card):
    """A loss formula in Unicode for reading and in ASCII for the checker to parse."""

    kind: ClassVar[str] = "formula"
    label: ClassVar[str] = "Formula"

    name: str
    unicode: str
    ascii: str
    variables: dict[str, str]
    task: str
    activation: str
    pros: tuple[str, ...]
    cons: tuple[str, ...]
    note: str | None = None
    curve: str | None = None  # the loss-curve explorer panel that pictures it (CURVE_PANELS)

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True, eq=False, repr=False)
class Concept(Card):
    kind: ClassVar[str] = "concept"
    label: ClassVar[str] = "Concept"

    question: str
    answer: str
    example: str | None = None

    @property
    def title(self) -> str:
        return self.question


@dataclass(frozen=True, eq=False, repr=False)
class SelfCheck(Card):
    """A self-check question or a "think about it" prompt, with its answer."""

    kind: ClassVar[str] = "self_check"
    label: ClassVar[str] = "Self-check"

    question: str
    answer: str
    think: bool = False  # True for a "think about it" prompt

    @property
    def title(self) -> str:
        return self.question

    @property
    def header(self) -> str:
        return "Think about it" if self.think else self.label


@dataclass(frozen=True, eq=False, repr=False)
class InterviewQuestion(Card):
    """A likely interview question and the key points a strong answer covers."""

    kind: ClassVar[str] = "interview_question"
    label: ClassVar[str] = "Interview question"

    question: str
    points: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.question


@dataclass(frozen=True, eq=False, repr=False)
class Option(Record):
    """One multiple-choice option and why it is right or wrong."""

    text: str
    why: str


@dataclass(frozen=True, eq=False, repr=False)
class MultipleChoice(Card):
    kind: ClassVar[str] = "multiple_choice"
    label: ClassVar[str] = "Multiple choice"

    question: str
    options: tuple[Option, ...]
    answer: str  # the text of the right option

    @property
    def title(self) -> str:
        return self.question

    @property
    def correct_index(self) -> int:
        return [o.text for o in self.options].index(self.answer)


@dataclass(frozen=True, eq=False, repr=False)
class CurveShape(Record):
    """How one loss curve is generated (quizapp.training_curves draws it): exponential decay from
    ``start`` toward ``end`` at ``rate`` per epoch, plus the symptoms a card asks about."""

    start: float  # the loss at epoch 0
    end: float  # the level the decay approaches
    rate: float  # decay speed per epoch
    turn: float | None = None  # after this epoch the loss rises by ``rise`` per epoch
    rise: float | None = None
    noise: float | None = None  # jitter, as a share of the loss (seeded by the card id)
    spikes: tuple[float, ...] | None = None  # epochs with a sudden jump of ``spike``
    spike: float | None = None
    diverge: float | None = None  # from this epoch the loss blows up, then becomes NaN
    period: float | None = None  # a bump of height ``bump`` every ``period`` epochs
    bump: float | None = None
    shift: float | None = None  # a constant added to the whole curve
    # Each spike fades over about this many epochs instead of lasting one (a spike that recovers).
    recovery: float | None = None


@dataclass(frozen=True, eq=False, repr=False)
class CurveSeries(Record):
    """A named curve of a loss-curve card besides train and validation (a DPO reward, a
    discriminator loss, a validation accuracy). Its values may go below 0."""

    name: str  # the legend's label
    curve: CurveShape
    axis: str | None = None  # "metric": drawn against the right-hand axis, labelled ``metric``


@dataclass(frozen=True, eq=False, repr=False)
class LossCurve(MultipleChoice):
    """Read a loss curve and pick the diagnosis; every option explained. The curves are
    generated over ``epochs`` epochs from ``train`` and ``validation`` and/or the named
    ``series``; ``xlabel`` and ``ylabel`` rename the axes (epoch, loss) and ``metric`` labels a
    second, right-hand axis for the series drawn against it."""

    kind: ClassVar[str] = "loss_curve"
    label: ClassVar[str] = "Loss curve"

    epochs: int
    train: CurveShape | None = None
    validation: CurveShape | None = None
    series: tuple[CurveSeries, ...] | None = None
    xlabel: str | None = None
    ylabel: str | None = None
    metric: str | None = None


@dataclass(frozen=True, eq=False, repr=False)
class Ordering(Card):
    """Put the steps in order; ``steps`` is the correct order."""

    kind: ClassVar[str] = "ordering"
    label: ClassVar[str] = "Ordering"

    question: str
    steps: tuple[str, ...]
    explanation: str | None = None

    @property
    def title(self) -> str:
        return self.question


# A cloze card's blank: three or more underscores.
BLANK = re.compile(r"_{3,}")


@dataclass(frozen=True, eq=False, repr=False)
class Cloze(Card):
    """A sentence or formula with one blank (``___``) to fill; ``answer`` is what goes there.

    With ``variables`` (each name's domain: ``real``, ``positive``, ``prob``, ``binary``, ...) the
    blank is math over those names, right when it agrees with ``answer`` at sampled points; an
    ``answer`` that is a number is graded as a number (1% tolerance); otherwise the text is
    compared with ``answer`` and each of ``accept`` ignoring case, spaces and punctuation.
    """

    kind: ClassVar[str] = "cloze"
    label: ClassVar[str] = "Fill the blank"

    text: str
    answer: str
    accept: tuple[str, ...] | None = None
    variables: dict[str, str] | None = None
    explanation: str | None = None

    @property
    def title(self) -> str:
        return self.text

    def filled(self, with_text: str | None = None) -> str:
        """The text with the blank filled (with the answer unless ``with_text`` is given)."""
        answer = self.answer if with_text is None else with_text
        return BLANK.sub(lambda _m: answer, self.text, count=1)


@dataclass(frozen=True, eq=False, repr=False)
class ChecklistItem(Card):
    """A revision-checklist item and the ids of the cards/drills that show it is mastered."""

    kind: ClassVar[str] = "checklist"
    label: ClassVar[str] = "Checklist"

    number: int
    text: str
    links: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"{self.number}. {self.text}"


@dataclass(frozen=True, eq=False, repr=False)
class CheatSheetRow(Card):
    kind: ClassVar[str] = "cheat_sheet"
    label: ClassVar[str] = "Cheat sheet"

    concept: str
    rule: str
    order: int

    @property
    def title(self) -> str:
        return self.concept


@dataclass(frozen=True, eq=False, repr=False)
class Pitch(Card):
    """The elevator pitch: the key points of the 30-second or the 2-minute version."""

    kind: ClassVar[str] = "pitch"
    label: ClassVar[str] = "Elevator pitch"

    length: str  # "30s" or "2min"
    points: tuple[str, ...]

    @property
    def title(self) -> str:
        return f"Elevator pitch ({self.length})"


@dataclass(frozen=True, eq=False, repr=False)
class DrillColumn(Record):
    """How one column of a numeric drill's data table is drawn, row by row. Give exactly one rule:

    - ``choices``: each row takes one of these numbers;
    - ``vectors``: each row takes one of these rows (class probabilities or logits);
    - ``onehot``: each row is a one-hot row over this many classes (a random true class);
    - ``base`` with ``offsets``: the value of the earlier column ``base`` in the same row plus
      one of the offsets; with ``outliers`` one random row takes its offset from those instead.
    """

    name: str
    choices: tuple[float, ...] | None = None
    vectors: tuple[tuple[float, ...], ...] | None = None
    onehot: int | None = None
    base: str | None = None
    offsets: tuple[float, ...] | None = None
    outliers: tuple[float, ...] | None = None


@dataclass(frozen=True, eq=False, repr=False)
class NumericDrill(Card):
    """A "compute this loss" drill template. The numbers come from ``columns`` with a seed; the
    answer, worked steps and named slips from the recipe for ``loss`` in
    ``quizapp.drills.numeric``."""

    kind: ClassVar[str] = "numeric_drill"
    label: ClassVar[str] = "Numeric drill"

    name: str
    loss: str  # a recipe name in quizapp.drills.numeric.RECIPES, e.g. "mse", "cross_entropy"
    prompt: str  # may name params in braces, e.g. "Huber loss with delta = {delta}"
    formula: str  # shown beside the data, in Unicode
    samples: tuple[int, ...]  # rows in the data table: [n] or [min, max], between 1 and 5
    columns: tuple[DrillColumn, ...]
    params: dict[str, float] | None = None  # keyword arguments of the loss: delta, alpha, ...

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True, eq=False, repr=False)
class MistakePattern(Record):
    """A wrong answer worth naming for one gradient drill, with the hint that answer earns."""

    id: str
    answer: str  # ASCII, in the drill's names
    name: str  # what the mistake is, shown as the verdict's message
    hint: str  # what to look at next


@dataclass(frozen=True, eq=False, repr=False)
class GradientDrill(Card):
    """Differentiate a loss by hand and type the result; the checker grades it.

    ``loss`` and ``reference`` are ASCII in the safe parser's grammar. ``loss`` may be the part
    of the loss that depends on ``wrt`` (for a mean over a batch: the one term with y_i, yhat_i).
    ``variables`` maps each variable to its meaning and ``domains`` to where it is sampled (see
    ``quizapp.mathcheck.domains``). ``quantities`` are names an answer may use for an expression
    of the variables, e.g. ``p: sigmoid(z)``; ``aliases`` are extra spellings of declared names.
    """

    kind: ClassVar[str] = "gradient_drill"
    label: ClassVar[str] = "Gradient drill"

    name: str
    statement: str
    loss: str
    wrt: str
    variables: dict[str, str]
    domains: dict[str, str]
    reference: str
    steps: tuple[str, ...]
    hints: tuple[str, ...]
    quantities: dict[str, str] | None = None
    aliases: dict[str, str] | None = None
    mistakes: tuple[MistakePattern, ...] | None = None
    # A worked derivation in the answer syntax, one step per line (see quizapp.mathcheck.steps).
    derivation: tuple[str, ...] | None = None

    @property
    def title(self) -> str:
        return self.name
