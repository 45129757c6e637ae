"""FSRS fitted to the learner: the memory model's parameters optimised on their own review log.

The optimiser is fsrs-rs (``fsrs_rs_python``, a small wheel without torch). Until the log holds
``MIN_REVIEWS`` reviews that the optimiser can learn from (reviews on a later day than the one
before them), the default parameters are used, and ``progress`` says how far off a fit is. Never
silently: every surface shows either "your own parameters (fitted on ...)" or "default
parameters: N of about M reviews before your own".

A fit reports the log-loss of the default and of the fitted parameters on the same history, so the
learner sees what it changed. Run it in a worker: it takes seconds on a large log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import fsrs

from quizapp.scheduling import DEFAULT_PARAMETERS as _DEFAULTS
from quizapp.scheduling import make_scheduler

# Reviews the optimiser can learn from before a fit is worth more than the defaults. FSRS's own
# tools ask for a few hundred; below that the defaults predict as well.
MIN_REVIEWS = 400
DEFAULT_PARAMETERS: tuple[float, ...] = _DEFAULTS


class FitError(Exception):
    """A fit that could not run; ``message`` is one line for the learner."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LoggedReview:
    """What the optimiser needs of one review: the item, when, the rating (1-4)."""

    item_id: str
    reviewed_at: datetime
    rating: int


@dataclass(frozen=True)
class FitResult:
    """Fitted parameters with the evidence: reviews used, log-loss before and after."""

    parameters: tuple[float, ...]
    reviews: int
    log_loss_default: float
    log_loss_fitted: float
    fitted_at: datetime

    @property
    def improvement(self) -> float:
        """How much lower the fitted log-loss is, as a share of the default's."""
        if self.log_loss_default <= 0:
            return 0.0
        return 1 - self.log_loss_fitted / self.log_loss_default

    def to_json(self) -> dict[str, Any]:
        return {
            "parameters": list(self.parameters),
            "reviews": self.reviews,
            "log_loss_default": round(self.log_loss_default, 5),
            "log_loss_fitted": round(self.log_loss_fitted, 5),
            "fitted_at": self.fitted_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FitResult:
        """A stored fit; raises ``FitError`` when the data is not one."""
        try:
            params = tuple(float(x) for x in data["parameters"])
            make_scheduler(parameters=params)  # validates length and ranges
            return cls(
                parameters=params,
                reviews=int(data["reviews"]),
                log_loss_default=float(data["log_loss_default"]),
                log_loss_fitted=float(data["log_loss_fitted"]),
                fitted_at=datetime.fromisoformat(str(data["fitted_at"])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise FitError(f"stored FSRS parameters are unusable ({exc})") from None


def _day(at: datetime, tz: Any) -> date:
    return at.astimezone(tz).date()


def training_items(reviews: Iterable[LoggedReview], tz: Any = None) -> list[Any]:
    """The log as fsrs-rs training items: for each review on a later day than the previous one,
    the item's history up to it (the optimiser predicts that review from what came before)."""
    from fsrs_rs_python import FSRSItem, FSRSReview

    tz = tz or datetime.now().astimezone().tzinfo
    by_item: dict[str, list[LoggedReview]] = {}
    for r in reviews:
        by_item.setdefault(r.item_id, []).append(r)
    dated: list[tuple[datetime, Any]] = []
    for history in by_item.values():
        history.sort(key=lambda r: r.reviewed_at)
        steps: list[Any] = []
        last = _day(history[0].reviewed_at, tz)
        for r in history:
            day = _day(r.reviewed_at, tz)
            delta = (day - last).days
            steps.append(FSRSReview(int(r.rating), delta))
            if delta > 0:
                item = FSRSItem(list(steps))
                if item.long_term_review_cnt() > 0:
                    dated.append((r.reviewed_at, item))
            last = day
    dated.sort(key=lambda pair: pair[0])
    return [item for _, item in dated]


def usable_reviews(reviews: Iterable[LoggedReview], tz: Any = None) -> int:
    """How many reviews the optimiser can learn from (the count ``MIN_REVIEWS`` is about)."""
    return len(training_items(reviews, tz))


# What the count counts, said with it: reviews the optimiser learns from (a card's reviews on
# days after the day it was first seen), not every review.
COUNTED = "(only a card's reviews after its first day count)"


def progress_line(usable: int, fit: FitResult | None) -> str:
    """One honest line about which parameters predict the learner's memory."""
    if fit is not None:
        return (
            f"FSRS fitted to you on {fit.fitted_at:%Y-%m-%d} from {fit.reviews} reviews "
            f"(log-loss {fit.log_loss_default:.3f} -> {fit.log_loss_fitted:.3f})"
        )
    if usable >= MIN_REVIEWS:
        return f"FSRS default parameters: {usable} reviews, enough to fit your own"
    return (
        f"FSRS default parameters: {usable} of about {MIN_REVIEWS} reviews before your own "
        f"parameters {COUNTED}"
    )


def fsrs_status(store: Any) -> str:
    """``progress_line`` for a store: its kept fit, or how far off one is."""
    stored = store.fsrs_fit()
    if stored:
        try:
            found = FitResult.from_json(stored)
            return progress_line(found.reviews, found)
        except FitError:
            pass  # unusable: the store schedules with the defaults, so say how far off a fit is
    return progress_line(usable_reviews(logged_reviews(store)), None)


def memory_states(
    reviews: Iterable[LoggedReview], parameters: Sequence[float]
) -> dict[str, tuple[float, float]]:
    """Each item's FSRS memory (stability, difficulty) after replaying its reviews with
    ``parameters``. What a new fit changes in the predictions: FSRS recomputes memory states
    when its parameters change (as Anki does); the store derives each card again with them."""
    scheduler = make_scheduler(parameters=parameters)
    by_item: dict[str, list[LoggedReview]] = {}
    for r in reviews:
        by_item.setdefault(r.item_id, []).append(r)
    out: dict[str, tuple[float, float]] = {}
    for item_id, history in by_item.items():
        card = fsrs.Card()
        for r in sorted(history, key=lambda r: r.reviewed_at):
            card, _ = scheduler.review_card(card, fsrs.Rating(r.rating), r.reviewed_at)
        if card.stability is not None and card.difficulty is not None:
            out[item_id] = (float(card.stability), float(card.difficulty))
    return out


def logged_reviews(store: Any) -> list[LoggedReview]:
    """The store's review log as the optimiser reads it (cram answers are not in it)."""
    return [LoggedReview(r.item_id, r.reviewed_at, int(r.rating)) for r in store.reviews()]


def log_loss(parameters: Sequence[float], items: Sequence[Any]) -> float:
    """fsrs-rs's log-loss of ``parameters`` predicting ``items``."""
    from fsrs_rs_python import FSRS

    if not items:
        raise FitError("no reviews to evaluate")
    return float(FSRS(list(parameters)).evaluate(list(items)).log_loss)


def too_few(usable: int, minimum: int = MIN_REVIEWS) -> str:
    """The honest line while the log is too short for a fit of one's own."""
    return (
        f"{usable} of about {minimum} reviews before your own parameters {COUNTED}: keep "
        "studying; until then FSRS predicts with its default parameters"
    )


def fit(
    reviews: Iterable[LoggedReview],
    *,
    now: datetime | None = None,
    tz: Any = None,
    minimum: int = MIN_REVIEWS,
) -> FitResult:
    """Fit FSRS to ``reviews``; raises ``FitError`` when there are too few or the fit fails."""
    from fsrs_rs_python import FSRS

    items = training_items(reviews, tz)
    if len(items) < minimum:
        raise FitError(too_few(len(items), minimum))
    try:
        params = tuple(float(x) for x in FSRS([]).compute_parameters(items))
    except Exception as exc:  # the optimiser is native code: any failure is "not fitted"
        raise FitError(f"the FSRS optimiser failed ({exc}); the default parameters stay") from None
    return FitResult(
        parameters=params,
        reviews=len(items),
        log_loss_default=log_loss(DEFAULT_PARAMETERS, items),
        log_loss_fitted=log_loss(params, items),
        fitted_at=(now or datetime.now(UTC)).astimezone(UTC),
    )


def fit_in_process(
    reviews: Iterable[LoggedReview],
    *,
    now: datetime | None = None,
    minimum: int = MIN_REVIEWS,
    timeout: float = 600,
) -> FitResult:
    """``fit`` in a child Python process. The optimiser is native code that holds the GIL while
    it runs (over a second on a 40,000-review log), which would freeze the app's UI thread; a
    process leaves it free. A plain subprocess with pipes, not multiprocessing: inside the app
    sys.stderr has no file descriptor, which multiprocessing needs. Too few reviews are told here,
    without starting a process."""
    import json
    import subprocess
    import sys

    logged = list(reviews)
    usable = usable_reviews(logged)
    if usable < minimum:
        raise FitError(too_few(usable, minimum))
    request = {
        "reviews": [[r.item_id, r.reviewed_at.isoformat(), r.rating] for r in logged],
        "now": (now or datetime.now(UTC)).isoformat(),
        "minimum": minimum,
    }
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from quizapp.fit import _child; _child()"],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise FitError(f"could not run the FSRS optimiser ({exc})") from None
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        why = (done.stderr.strip().splitlines() or ["no answer"])[-1]
        raise FitError(f"the FSRS optimiser failed ({why}); the default parameters stay") from None
    if "error" in answer:
        raise FitError(str(answer["error"]))
    return FitResult.from_json(answer)


def _child() -> None:
    """The child side of ``fit_in_process``: a request on stdin, a result on stdout."""
    import json
    import sys

    request = json.load(sys.stdin)
    reviews = [
        LoggedReview(str(i), datetime.fromisoformat(at), int(rating))
        for i, at, rating in request["reviews"]
    ]
    try:
        result = fit(
            reviews,
            now=datetime.fromisoformat(request["now"]),
            minimum=int(request["minimum"]),
        )
    except FitError as exc:
        json.dump({"error": exc.message}, sys.stdout)
        return
    json.dump(result.to_json(), sys.stdout)


__all__ = [
    "DEFAULT_PARAMETERS",
    "MIN_REVIEWS",
    "FitError",
    "FitResult",
    "LoggedReview",
    "fit",
    "fit_in_process",
    "fsrs_status",
    "log_loss",
    "logged_reviews",
    "memory_states",
    "progress_line",
    "training_items",
    "usable_reviews",
]
