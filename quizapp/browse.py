"""The card browser's core (Anki's Browse): one row per card of every deck with its schedule,
a search language typed into one box, sorting by any column, and each card's history.

Textual-free: the browser screen (``quizapp.ui.screens.browse``) and ``quizapp cards`` /
``quizapp card`` both use it, so the app and the shell find the same cards for the same search.

The search: words (every one must appear in the card's text, case-insensitive) and filters
``tag:NAME``, ``kind:NAME``, ``deck:NAME`` (a prefix is enough), ``due:N`` (due within N days;
``due:0`` today and overdue), ``is:new``, ``is:due``, ``is:suspended``, ``is:buried``,
``is:weak`` (missed at least once, as Stats ranks its weakest). ``-`` before a term negates it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from quizapp.decks import Card, Library
from quizapp.decks.kinds import REGISTRY
from quizapp.wording import shown

# The kinds that are not scheduled (read, not studied): they show no due date.
_FIELDS = ("tag", "kind", "deck", "due", "is")
IS_VALUES = ("new", "due", "suspended", "buried", "weak")


@dataclass(frozen=True)
class Summary:
    """What the review log says of one card: how many reviews, how many wrong, the last one."""

    reviews: int = 0
    wrong: int = 0
    last_rating: int | None = None
    last_at: datetime | None = None
    last_verdict: str | None = None


@dataclass(frozen=True)
class Flags:
    """A card's browser flags: suspended (until unsuspended) and buried (until a time)."""

    suspended: bool = False
    buried_until: datetime | None = None

    def buried(self, now: datetime) -> bool:
        return self.buried_until is not None and self.buried_until > now


@dataclass(frozen=True)
class Row:
    """One card in the browser's table."""

    card: Card
    due: datetime | None
    stability: float | None
    difficulty: float | None
    reviews: int
    lapses: int
    wrong: int
    last: str
    last_at: datetime | None
    suspended: bool
    buried: bool
    scheduled: bool  # has an FSRS state (was ever reviewed)
    text: str = field(repr=False, default="")  # lower-case search text

    @property
    def id(self) -> str:
        return self.card.id

    @property
    def weak(self) -> bool:
        return self.lapses > 0 or self.wrong > 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.card.id,
            "kind": self.card.kind,
            "deck": self.card.deck,
            "tags": list(self.card.tags),
            "title": self.card.title,
            "due": self.due.isoformat() if self.due else None,
            "stability": self.stability,
            "difficulty": self.difficulty,
            "reviews": self.reviews,
            "lapses": self.lapses,
            "last": self.last or None,
            "suspended": self.suspended,
            "buried": self.buried,
        }


RATING_WORDS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def build_rows(
    library: Library,
    states: Mapping[str, Any],
    summaries: Mapping[str, Summary],
    flags: Mapping[str, Flags],
    *,
    now: datetime,
) -> list[Row]:
    """A row per card of ``library`` (file order), from the store's states, the review log's
    summaries and the flags."""
    rows: list[Row] = []
    for card in library.cards.values():
        state = states.get(card.id)
        summary = summaries.get(card.id, Summary())
        flag = flags.get(card.id, Flags())
        fsrs_card = state.card if state is not None else None
        last = ""
        if summary.last_rating is not None:
            last = RATING_WORDS.get(summary.last_rating, str(summary.last_rating))
            if summary.last_verdict:
                last = f"{last} ({shown(summary.last_verdict)})"
        rows.append(
            Row(
                card=card,
                due=fsrs_card.due if fsrs_card is not None else None,
                stability=getattr(fsrs_card, "stability", None),
                difficulty=getattr(fsrs_card, "difficulty", None),
                reviews=summary.reviews,
                lapses=state.lapses if state is not None else 0,
                wrong=summary.wrong,
                last=last,
                last_at=summary.last_at,
                suspended=flag.suspended,
                buried=flag.buried(now),
                scheduled=state is not None,
                text=f"{card.search_text()} {card.title} {card.label}".lower(),
            )
        )
    return rows


# ------------------------------------------------------------------------------------ search


class QueryError(ValueError):
    """A search that cannot be read; the message says which term and what is allowed."""


@dataclass(frozen=True)
class Term:
    field: str  # "" for a word
    value: str
    negate: bool = False


_TERM = re.compile(r'(-?)(?:(\w+):)?("([^"]*)"|\S+)')


def parse_query(text: str, *, finished: bool = False) -> list[Term]:
    """The terms of a search; raises QueryError naming a bad one. A filter without its value
    ("tag:") matches everything while the search is being typed (the app); in a ``finished``
    search (a command's) it is a QueryError."""
    terms: list[Term] = []
    for match in _TERM.finditer(text):
        negate, name, raw, quoted = match.groups()
        value = quoted if quoted is not None else raw
        name = (name or "").lower()
        if name and name not in _FIELDS:
            raise QueryError(
                f"unknown filter '{name}:' (use {', '.join(f + ':' for f in _FIELDS)})"
            )
        if not name and ":" in value and not quoted:
            # "tag:" with nothing after it is still being typed: match everything meanwhile
            head = value.split(":", 1)[0].lower()
            if head in _FIELDS and finished and value.endswith(":"):
                raise QueryError(_unfinished(head))
            if head in _FIELDS:
                continue
        value = value.lower()
        if not value and name and finished:
            raise QueryError(_unfinished(name))
        if name == "is" and value not in IS_VALUES:
            raise QueryError(f"unknown 'is:{value}' (use is:{', is:'.join(IS_VALUES)})")
        if name == "kind" and value and not _is_kind_prefix(value):
            raise QueryError(
                f"unknown 'kind:{value}' (use kind:{', kind:'.join(sorted(REGISTRY))})"
            )
        if name == "due" and not re.fullmatch(r"\d{1,4}", value):
            raise QueryError(f"'due:{value}' needs a number of days, e.g. due:0 or due:7")
        if not value:
            continue
        terms.append(Term(name, value, bool(negate)))
    return terms


def _unfinished(name: str) -> str:
    return f"'{name}:' needs a value, e.g. tag:regression, kind:trap, deck:loss, due:7 or is:new"


def _is_kind_prefix(value: str) -> bool:
    """Whether ``value`` starts some kind's name or label (what ``kind:`` matches)."""
    v = value.replace("_", "").replace(" ", "")
    return any(
        name.replace("_", "").startswith(v) or kind.label.lower().replace(" ", "").startswith(v)
        for name, kind in REGISTRY.items()
    )


def _kind_names(card: Card) -> tuple[str, ...]:
    return (card.kind, card.kind.replace("_", ""), card.label.lower().replace(" ", ""))


def _matches(row: Row, term: Term, now: datetime) -> bool:
    card = row.card
    value = term.value
    if term.field == "":
        return value in row.text
    if term.field == "tag":
        return any(t.startswith(value) for t in card.tags)
    if term.field == "kind":
        v = value.replace("_", "").replace(" ", "")
        return any(name.replace("_", "").startswith(v) for name in _kind_names(card))
    if term.field == "deck":
        return card.deck.lower().startswith(value)
    if term.field == "due":
        if row.due is None:
            return False
        day_end = (now + timedelta(days=int(value))).replace(
            hour=23, minute=59, second=59, microsecond=999999
        )
        return row.due <= day_end
    return {
        "new": not row.scheduled,
        "due": row.due is not None and row.due <= now,
        "suspended": row.suspended,
        "buried": row.buried,
        "weak": row.weak,
    }[value]


def unknown_name(terms: Sequence[Term], rows: Sequence[Row]) -> str | None:
    """Why a search finds nothing when its ``deck:`` or ``tag:`` names no deck or tag of the
    cards ("deck:nope" found "no card" where "kind:nope" said what the kinds are); None when
    every such name starts one."""
    from quizapp.decks.schema import closest

    for term in terms:
        if term.negate or term.field not in ("deck", "tag"):
            continue
        if term.field == "deck":
            names = {r.card.deck.lower() for r in rows}
        else:
            names = {t for r in rows for t in r.card.tags}
        if any(name.startswith(term.value) for name in names):
            continue
        if term.field == "deck":
            return f"no deck '{term.value}' (the decks are {', '.join(sorted(names))})"
        near = closest(term.value, names)
        return f"no tag '{term.value}'" + (f" (did you mean tag:{near}?)" if near else "")
    return None


def filter_rows(rows: Iterable[Row], query: str | Sequence[Term], *, now: datetime) -> list[Row]:
    """The rows matching every term of ``query`` (a text or parsed terms), in their order."""
    terms = parse_query(query) if isinstance(query, str) else list(query)
    if not terms:
        return list(rows)
    return [r for r in rows if all(_matches(r, t, now) != t.negate for t in terms)]


# ------------------------------------------------------------------------------------ sorting


def _none_last(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


COLUMNS: dict[str, tuple[str, Callable[[Row], Any]]] = {
    "card": ("Card", lambda r: r.card.title.lower()),
    "kind": ("Kind", lambda r: r.card.label),
    "deck": ("Deck", lambda r: r.card.deck),
    "tags": ("Tags", lambda r: " ".join(r.card.tags)),
    "due": ("Due", lambda r: _none_last(r.due)),
    "stability": ("Stab.", lambda r: _none_last(r.stability)),
    "difficulty": ("Diff.", lambda r: _none_last(r.difficulty)),
    "reviews": ("Revs", lambda r: r.reviews),
    "lapses": ("Lapses", lambda r: r.lapses),
    "last": ("Last answer", lambda r: _none_last(r.last_at)),
}
"""Column name -> (header, sort key). The table shows them in this order."""


def sort_rows(rows: Iterable[Row], column: str, *, reverse: bool = False) -> list[Row]:
    """The rows sorted by ``column`` (a key of COLUMNS), ties in card-id order; a missing value
    (a new card's due date) sorts last either way."""
    _, key = COLUMNS[column]
    ordered = sorted(rows, key=lambda r: r.card.id)
    if column in ("due", "stability", "difficulty", "last"):
        present = [r for r in ordered if key(r)[0] is False]
        missing = [r for r in ordered if key(r)[0] is True]
        return sorted(present, key=key, reverse=reverse) + missing
    return sorted(ordered, key=key, reverse=reverse)


# ------------------------------------------------------------------------------------ display


def when(at: datetime | None, now: datetime) -> str:
    """A due date or a review time in a few characters: "now", "in 3d", "2d ago", "2027-01-05"."""
    if at is None:
        return "—"
    delta = at - now
    seconds = delta.total_seconds()
    future = seconds > 0
    seconds = abs(seconds)
    if seconds < 60:
        return "now"
    if seconds < 3600:
        span = f"{int(seconds // 60)}m"
    elif seconds < 86400:
        span = f"{int(seconds // 3600)}h"
    elif seconds < 86400 * 365:
        span = f"{int(seconds // 86400)}d"
    else:
        return at.date().isoformat()
    return f"in {span}" if future else f"{span} ago"


def status(row: Row) -> str:
    if row.suspended:
        return "suspended"
    if row.buried:
        return "buried"
    if not row.scheduled:
        return "new"
    return ""


# ------------------------------------------------------------------------------------ loading


def load_rows(store: Any, library: Library, *, now: datetime) -> list[Row]:
    """Every card's row, read from the store (three queries, whatever the log's size)."""
    states = store.card_states()
    summaries = {
        item_id: Summary(s.reviews, s.wrong, s.last_rating, s.last_at, s.last_verdict)
        for item_id, s in store.review_summaries().items()
    }
    flags = {
        item_id: Flags(f.suspended, f.buried_until) for item_id, f in store.card_flags().items()
    }
    return build_rows(library, states, summaries, flags, now=now)


@dataclass(frozen=True)
class HistoryEntry:
    """One answer to a card: when, the rating, the interval it scheduled, how it was given."""

    at: datetime
    rating: int
    interval: timedelta | None  # None for a cram answer (it schedules nothing)
    how: str

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "rating": RATING_WORDS.get(self.rating, str(self.rating)),
            "interval_days": round(self.interval.total_seconds() / 86400, 3)
            if self.interval is not None
            else None,
            "how": self.how,
        }


def _how(review: Any) -> str:
    if review.quiz_id is not None:
        where = "quiz"
    elif review.seed is not None or (review.kind or "").endswith("drill"):
        where = "drill"
    elif review.answer is not None:
        where = "typed"
    else:
        where = "study"
    how = where
    if review.answer:
        answer = review.answer if len(review.answer) <= 40 else review.answer[:39] + "…"
        how += f" · {answer!r}"
    if review.verdict:
        how += f" · {shown(review.verdict)}"  # (from any machine: no escape codes reach a terminal)
    return how


def history(store: Any, item_id: str) -> list[HistoryEntry]:
    """The card's answers, oldest first: its reviews and its cram answers."""
    out = [
        HistoryEntry(
            r.reviewed_at, int(r.rating), (r.due - r.reviewed_at) if r.due else None, _how(r)
        )
        for r in store.reviews(item_id)
    ]
    out += [
        HistoryEntry(c.reviewed_at, int(c.rating), None, "cram (schedule untouched)")
        for c in store.cram_reviews(item_id)
    ]
    return sorted(out, key=lambda e: e.at)


def interval_text(delta: timedelta | None) -> str:
    if delta is None:
        return "—"
    from quizapp.scheduling import format_interval

    return format_interval(delta)
