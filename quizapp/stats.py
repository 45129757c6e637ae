"""Progress statistics computed from the store and the library (no UI, no SQL here).

* reviews per local day (the last 30 days) and in total;
* true retention: the share of reviews of cards in the Review state that were remembered
  (not Again), all time and over the last 30 days — what fsrs aims to hold at the desired
  retention;
* accuracy (share not Again / answered right) per tag and per kind;
* streak: consecutive days with at least one review, ending today (or yesterday, so a streak
  is not broken before today's session);
* due forecast: items coming due on each of the next 14 days (today includes overdue ones);
* the weakest cards: most lapses, then most wrong answers, then the least stable memory; only
  cards seen at least twice are ranked (one review says little about a card either way).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from quizapp.checklist import checklist_status
from quizapp.clock import local_day_start
from quizapp.decks import kinds as registry
from quizapp.due_words import DUE_WORDS
from quizapp.scheduling import Guide, StudyQueue, retrievability

if TYPE_CHECKING:
    from quizapp.decks import Library
    from quizapp.store import Store

HISTORY_DAYS = 30
FORECAST_DAYS = 14
WEAKEST = 10


@dataclass(frozen=True)
class DueCounts:
    """What is waiting now: the one definition every surface (home, stats, ``quizapp stats``)
    shows, with the same words (``DUE_WORDS``)."""

    cards: int  # flashcards whose review time has come (a learning step within LEARN_AHEAD too)
    practice: int  # quiz questions and drills whose review time has come
    new: int  # flashcards never seen, within today's new-card limit

    def to_json(self) -> dict[str, int]:
        return {"cards_due": self.cards, "practice_due": self.practice, "new_today": self.new}


def due_counts(queue: StudyQueue) -> DueCounts:
    """Cards due, practice due and new cards today, as the queue will serve them now."""
    cards = queue.counts(kinds=registry.names(study=True))
    practice = queue.counts(kinds=[k.name for k in registry.kinds() if k.practice and not k.study])
    return DueCounts(
        cards=cards.due + cards.learning, practice=practice.due + practice.learning, new=cards.new
    )


def next_due(queue: StudyQueue, kinds: tuple[str, ...] | None = None) -> datetime | None:
    """When the next already-seen item of these kinds (flashcards by default) comes due (None:
    none is scheduled)."""
    wanted = set(queue.candidates(kinds=registry.names(study=True) if kinds is None else kinds))
    far = queue.now + timedelta(days=365 * 100)
    for item_id, _state, due_at in queue.store.iter_due(far):
        if item_id in wanted:
            return due_at
    return None


@dataclass(frozen=True)
class Accuracy:
    reviews: int
    correct: int

    @property
    def rate(self) -> float | None:
        return self.correct / self.reviews if self.reviews else None

    def to_json(self) -> dict[str, Any]:
        rate = self.rate
        return {
            "reviews": self.reviews,
            "correct": self.correct,
            "rate": round(rate, 4) if rate is not None else None,
        }


@dataclass(frozen=True)
class WeakCard:
    item_id: str
    title: str
    kind: str
    recall: float
    lapses: int
    reviews: int
    wrong: int  # reviews rated Again / answered wrong
    stability: float  # days until recall falls to 90% (fsrs); small means fragile

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "title": self.title,
            "kind": self.kind,
            "recall": round(self.recall, 4),
            "lapses": self.lapses,
            "reviews": self.reviews,
            "wrong": self.wrong,
            "stability_days": round(self.stability, 2),
        }


@dataclass(frozen=True)
class Stats:
    generated_at: datetime
    reviews_total: int
    reviews_today: int
    reviews_per_day: list[tuple[date, int]]  # the last HISTORY_DAYS days, oldest first
    due: DueCounts
    retention: float | None
    retention_30d: float | None
    retention_reviews: int  # how many reviews ``retention`` is based on
    accuracy_by_tag: dict[str, Accuracy]
    accuracy_by_kind: dict[str, Accuracy]
    streak_days: int
    due_forecast: list[tuple[date, int]]  # FORECAST_DAYS days from today
    weakest: list[WeakCard]
    seen_once: int  # cards reviewed only once: not ranked as weak or strong yet
    checklist_done: int  # ticked by hand
    checklist_ready: int  # every linked item above the desired retention
    checklist_total: int

    def to_json(self) -> dict[str, Any]:
        def ratio(x: float | None) -> float | None:
            return round(x, 4) if x is not None else None

        return {
            "generated_at": self.generated_at.isoformat(),
            "reviews_total": self.reviews_total,
            "reviews_today": self.reviews_today,
            # due_now and new_available: the totals under their first names, for old scripts.
            "due_now": self.due.cards + self.due.practice,
            "new_available": self.due.new,
            **self.due.to_json(),
            "streak_days": self.streak_days,
            "retention": ratio(self.retention),
            "retention_30d": ratio(self.retention_30d),
            "retention_reviews": self.retention_reviews,
            "checklist_done": self.checklist_done,
            "checklist_ready": self.checklist_ready,
            "checklist_total": self.checklist_total,
            "reviews_per_day": [
                {"date": d.isoformat(), "reviews": n} for d, n in self.reviews_per_day
            ],
            "due_forecast": [{"date": d.isoformat(), "due": n} for d, n in self.due_forecast],
            "accuracy_by_tag": {k: v.to_json() for k, v in self.accuracy_by_tag.items()},
            "accuracy_by_kind": {k: v.to_json() for k, v in self.accuracy_by_kind.items()},
            "weakest": [w.to_json() for w in self.weakest],
            "seen_once": self.seen_once,
        }


def _streak(days: set[date], today: date) -> int:
    day = today if today in days else today - timedelta(days=1)
    streak = 0
    while day in days:
        streak += 1
        day -= timedelta(days=1)
    return streak


@dataclass(frozen=True)
class Today:
    """The two figures the home screen shows, without the cost of ``compute_stats``."""

    streak_days: int
    reviews_today: int


def today_figures(store: Store, *, now: datetime | None = None) -> Today:
    """The home screen's figures before its first frame: the streak is found by one index seek
    per day walked back (not a scan of every review, which costs 0.1 s at 100k reviews)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)

    def reviewed(day: date) -> bool:
        start = local_day_start(datetime.combine(day, time(12)).astimezone())
        end = local_day_start(datetime.combine(day + timedelta(days=1), time(12)).astimezone())
        return store.reviewed_between(start, end)

    today = now.astimezone().date()
    day = today if reviewed(today) else today - timedelta(days=1)
    streak = 0
    while reviewed(day):
        streak += 1
        day -= timedelta(days=1)
    return Today(streak_days=streak, reviews_today=store.review_count(since=local_day_start(now)))


@dataclass(frozen=True)
class HomeFigures:
    """The home screen's Today panel: what is due, the streak, today's reviews, the ticks."""

    due: DueCounts
    today: Today
    ticked: int
    checklist: int
    hidden: int  # suspended or buried cards of the decks (not counted as due)
    guide: Guide | None  # the plan's guide the counts were worked out with


def home_figures(store: Store, library: Library, guide: Guide | None = None) -> HomeFigures:
    """Home's figures now, without the cost of ``compute_stats`` (one seek per day of the
    streak, SQL counts for the rest)."""
    # Only the ticks are needed here; the evidence (recall per card) is for the checklist.
    numbers = {item.number for item in library.checklist}
    return HomeFigures(
        due=due_counts(StudyQueue(store, library, guide=guide)),
        today=today_figures(store),
        ticked=len(numbers & set(store.ticks())),
        checklist=len(numbers),
        hidden=len(store.hidden_ids() & set(library.cards)),
        guide=guide,
    )


def compute_stats(
    store: Store, library: Library, *, now: datetime | None = None, deck: str | None = None
) -> Stats:
    """Every figure of the stats screen. With ``deck`` every figure is that deck's: its cards,
    their reviews (per day, today, the streak), retention, accuracy, what is due and the
    checklist."""
    whole, library = library, library.only_deck(deck)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    today = now.astimezone().date()
    day_start = local_day_start(now)
    # One deck: only the reviews of its items (the store's tables know no decks).
    of = None if deck is None else set(library.cards)

    per_day = store.reviews_per_day(item_ids=of)
    history = [
        (d, per_day.get(d, 0))
        for d in (today - timedelta(days=i) for i in range(HISTORY_DAYS - 1, -1, -1))
    ]

    queue = StudyQueue(store, library, now=now)
    studiable = set(queue.candidates())

    reviewed, remembered = store.review_state_outcomes(item_ids=of)
    reviewed_30, remembered_30 = store.review_state_outcomes(
        since=now - timedelta(days=HISTORY_DAYS), item_ids=of
    )

    by_tag: dict[str, list[int]] = {}
    by_kind: dict[str, list[int]] = {}
    reviews_of: dict[str, int] = {}
    wrong_of: dict[str, int] = {}
    for total in store.review_totals():
        card = library.cards.get(total.item_id)
        if deck is not None and card is None:
            continue  # another deck's card
        reviews_of[total.item_id] = reviews_of.get(total.item_id, 0) + total.reviews
        wrong_of[total.item_id] = wrong_of.get(total.item_id, 0) + total.reviews - total.correct
        # Reviews migrated from the first schema have no kind: take it from the library.
        kind = total.kind or (card.kind if card else None)
        if kind:
            acc = by_kind.setdefault(kind, [0, 0])
            acc[0] += total.reviews
            acc[1] += total.correct
        for tag in card.tags if card else ():
            acc = by_tag.setdefault(tag, [0, 0])
            acc[0] += total.reviews
            acc[1] += total.correct

    # Due before the start of day FORECAST_DAYS (local), i.e. within the forecast's days.
    forecast_end = local_day_start(now + timedelta(days=FORECAST_DAYS))
    buckets = dict.fromkeys((today + timedelta(days=i) for i in range(FORECAST_DAYS)), 0)
    for item_id, _state, due_at in store.iter_due(forecast_end - timedelta(microseconds=1)):
        if item_id not in studiable:
            continue
        day = max(due_at.astimezone().date(), today)
        if day in buckets:
            buckets[day] += 1

    weak = []
    seen_once = 0
    for item_id, state in store.card_states().items():
        card = library.cards.get(item_id)
        if card is None or item_id not in studiable:
            continue
        reviews = reviews_of.get(item_id, state.reps)
        if reviews < 2:
            seen_once += 1
            continue
        w = WeakCard(
            item_id=item_id,
            title=card.title,
            kind=card.kind,
            recall=retrievability(store.scheduler, state, now),
            lapses=state.lapses,
            reviews=reviews,
            wrong=wrong_of.get(item_id, 0),
            stability=state.card.stability or 0.0,
        )
        if w.lapses or w.wrong:  # never missed: not weak, however recent
            weak.append(w)
    weak.sort(key=lambda w: (-w.lapses, -w.wrong, w.stability, w.item_id))

    due = due_counts(queue)
    if deck is not None:
        # Today's new-card limit is shared by every deck: cards started in another deck use it.
        due = replace(due, new=min(due.new, StudyQueue(store, whole, now=now).new_left_today()))
    checklist = checklist_status(store, library, now=now)
    return Stats(
        generated_at=now,
        reviews_total=store.review_count(item_ids=of),
        reviews_today=store.review_count(since=day_start, item_ids=of),
        reviews_per_day=history,
        due=due,
        retention=remembered / reviewed if reviewed else None,
        retention_30d=remembered_30 / reviewed_30 if reviewed_30 else None,
        retention_reviews=reviewed,
        accuracy_by_tag={k: Accuracy(*v) for k, v in sorted(by_tag.items())},
        accuracy_by_kind={k: Accuracy(*v) for k, v in sorted(by_kind.items())},
        streak_days=_streak({d for d, n in per_day.items() if n}, today),
        due_forecast=list(buckets.items()),
        weakest=weak[:WEAKEST],
        seen_once=seen_once,
        checklist_done=sum(1 for c in checklist if c.ticked),
        checklist_ready=sum(1 for c in checklist if c.ready),
        checklist_total=len(checklist),
    )


__all__ = [
    "DUE_WORDS",
    "Accuracy",
    "DueCounts",
    "HomeFigures",
    "Stats",
    "Today",
    "WeakCard",
    "compute_stats",
    "due_counts",
    "home_figures",
    "next_due",
    "today_figures",
]
