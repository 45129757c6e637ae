"""Merge an ``export --json`` file (another machine's progress, or an old backup) into the store.

The rules, chosen so that merging A into B and B into A ends in the same progress, and merging
the same file twice changes nothing:

* Reviews: the union of both logs. A review is identified by (item id, time to the microsecond,
  rating), and also by its uuid where both sides have one (stores from schema v3 on); a review
  known under either is not added again, and an added one keeps its uuid, so both machines
  then agree on it.
* Card states: when the file holds an item's whole merged log (this store's reviews of it are a
  part of the file's), the item takes the file's state as it is: the other machine computed it
  from that very log. Otherwise (both sides reviewed it since they last merged) it is rebuilt by
  replaying the merged log, oldest first, through FSRS without fuzzing, which is deterministic,
  so both machines compute the same state.
* Checklist ticks: the union, keeping this store's time where both ticked. An untick leaves no
  record in the export, so it does not travel.
* Settings: the export records no change time, so "the last change" is judged per setting:
  a value this store never changed from its default takes the file's value; a value set here
  stays, and the summary says which differ.

Quiz sessions are not merged: their reviews are (as plain reviews), so scheduling and stats per
card see them, but the quiz history stays on the machine it was taken on.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsrs

from quizapp.settings import Settings, parse_stored_settings
from quizapp.store import SCHEMA_VERSION, CardState, Store, StoreError
from quizapp.store.connection import _why, classify

FORMAT = "quizapp-progress"
RATINGS = {r.name.lower(): r for r in fsrs.Rating}
STATES = {s.name.lower(): s for s in fsrs.State}


class MergeError(ValueError):
    """The file cannot be merged; ``message`` is one line naming the file and the problem."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------- reading the file


@dataclass(frozen=True)
class FileReview:
    item_id: str
    kind: str | None
    rating: fsrs.Rating
    reviewed_at: datetime
    duration_ms: int | None
    answer: str | None
    verdict: str | None
    seed: int | None
    state_before: fsrs.State | None
    due: datetime | None
    uuid: str | None = None  # from stores with per-review uuids (schema v3 on)

    @property
    def key(self) -> tuple[str, str, int]:
        return review_key(self.item_id, self.reviewed_at, int(self.rating))


def review_key(item_id: str, reviewed_at: datetime, rating: int) -> tuple[str, str, int]:
    """What identifies one review across machines (see the module docstring)."""
    return (item_id, reviewed_at.astimezone(UTC).isoformat(timespec="microseconds"), rating)


@dataclass(frozen=True)
class ProgressFile:
    """A parsed, checked export."""

    path: Path
    exported_at: datetime | None
    settings: dict[str, Any]
    reviews: list[FileReview]
    cards: dict[str, CardState]
    ticks: dict[int, datetime]


def _where(path: Path, at: str) -> str:
    return f"{path}: {at}"


def _time(value: Any, path: Path, at: str) -> datetime:
    if not isinstance(value, str):
        raise MergeError(f"{_where(path, at)}: expected a date and time, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise MergeError(f"{_where(path, at)}: {value!r} is not a date and time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _opt_time(value: Any, path: Path, at: str) -> datetime | None:
    return None if value is None else _time(value, path, at)


def _opt(value: Any, kind: type | tuple[type, ...], path: Path, at: str) -> Any:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, kind):
        raise MergeError(f"{_where(path, at)}: {value!r} has the wrong type")
    return value


def _text(value: Any, path: Path, at: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise MergeError(f"{_where(path, at)}: expected a non-empty text, got {value!r}")
    return value


def _number(value: Any, path: Path, at: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MergeError(f"{_where(path, at)}: {value!r} is not a number")
    return float(value)


def _count(value: Any, path: Path, at: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise MergeError(f"{_where(path, at)}: {value!r} is not a count (0, 1, 2, ...)")
    return value


def _choice(value: Any, choices: dict[str, Any], path: Path, at: str) -> Any:
    if value not in choices:
        raise MergeError(f"{_where(path, at)}: {value!r} is not one of {', '.join(choices)}")
    return choices[value]


def _list(data: dict[str, Any], key: str, path: Path) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise MergeError(f"{_where(path, key)}: expected a list")
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise MergeError(f"{_where(path, f'{key}[{i}]')}: expected an object")
    return value


def read_progress_file(path: Path) -> ProgressFile:
    """Read and check an export; raises MergeError with one line saying what is wrong where."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MergeError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise MergeError(f"{path}: is a folder, not an export file") from None
    except UnicodeDecodeError:
        raise MergeError(f"{path}: not a quizapp export (not UTF-8 text)") from None
    except OSError as exc:
        raise MergeError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where = f" (line {line})" if line else ""
        raise MergeError(f"{path}: not a quizapp export: not valid JSON{where}") from None
    return parse_progress(data, path)


def parse_progress(data: Any, path: Path) -> ProgressFile:
    """Check an export's parsed JSON (``path`` names it in messages): the entry for progress
    that does not come from a file as it is (reviews from Anki, quizapp.interop.anki_import)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise MergeError(
            f'{path}: not a quizapp export (no "format": "{FORMAT}"); make one with '
            "'quizapp export'"
        )
    version = data.get("schema_version")
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise MergeError(
            f"{path}: written by a newer quizapp (progress format {version}, this one reads up "
            f"to {SCHEMA_VERSION}); update quizapp to import it"
        )
    settings = data.get("settings", {})
    if not isinstance(settings, dict):
        raise MergeError(f"{_where(path, 'settings')}: expected an object")
    _, rejected = parse_stored_settings(settings)
    if rejected:
        raise MergeError(f"{_where(path, 'settings.' + rejected[0])}: not a valid value")

    reviews = []
    for i, r in enumerate(_list(data, "reviews", path)):
        at = f"reviews[{i}]"
        reviews.append(
            FileReview(
                item_id=_text(r.get("item_id"), path, f"{at}.item_id"),
                kind=_opt(r.get("kind"), str, path, f"{at}.kind"),
                rating=_choice(r.get("rating"), RATINGS, path, f"{at}.rating"),
                reviewed_at=_time(r.get("reviewed_at"), path, f"{at}.reviewed_at"),
                duration_ms=_opt(r.get("duration_ms"), int, path, f"{at}.duration_ms"),
                answer=_opt(r.get("answer"), str, path, f"{at}.answer"),
                verdict=_opt(r.get("verdict"), str, path, f"{at}.verdict"),
                seed=_opt(r.get("seed"), int, path, f"{at}.seed"),
                state_before=None
                if r.get("state_before") is None
                else _choice(r.get("state_before"), STATES, path, f"{at}.state_before"),
                due=_opt_time(r.get("due"), path, f"{at}.due"),
                uuid=_opt(r.get("uuid"), str, path, f"{at}.uuid") or None,
            )
        )
    cards = {}
    for i, c in enumerate(_list(data, "cards", path)):
        at = f"cards[{i}]"
        item_id = _text(c.get("item_id"), path, f"{at}.item_id")
        step = _opt(c.get("step"), int, path, f"{at}.step")
        card = fsrs.Card(
            card_id=0,
            state=_choice(c.get("state"), STATES, path, f"{at}.state"),
            step=step,
            stability=_number(c.get("stability"), path, f"{at}.stability"),
            difficulty=_number(c.get("difficulty"), path, f"{at}.difficulty"),
            due=_time(c.get("due"), path, f"{at}.due"),
            last_review=_opt_time(c.get("last_review"), path, f"{at}.last_review"),
        )
        cards[item_id] = CardState(
            item_id,
            card,
            _count(c.get("reps"), path, f"{at}.reps"),
            _count(c.get("lapses"), path, f"{at}.lapses"),
            _time(c.get("first_review"), path, f"{at}.first_review"),
        )
    ticks = {}
    for i, t in enumerate(_list(data, "checklist_ticks", path)):
        at = f"checklist_ticks[{i}]"
        number = t.get("number")
        if isinstance(number, bool) or not isinstance(number, int) or number < 1:
            raise MergeError(f"{_where(path, at + '.number')}: {number!r} is not an item number")
        ticks[number] = _time(t.get("ticked_at"), path, f"{at}.ticked_at")
    exported_at = data.get("exported_at")
    return ProgressFile(
        path=path,
        exported_at=_opt_time(exported_at, path, "exported_at"),
        settings=settings,
        reviews=reviews,
        cards=cards,
        ticks=ticks,
    )


# --------------------------------------------------------------------------- planning


@dataclass
class MergePlan:
    """What merging a file would change; ``apply_merge`` does it in one transaction."""

    source: Path
    in_file: int  # reviews in the file
    reviews: list[FileReview] = field(default_factory=list)  # the new ones, oldest first
    states: dict[str, CardState] = field(default_factory=dict)  # items whose state is rebuilt
    # (review id, state before, due after) of this store's reviews that the replay re-derives.
    updates: list[tuple[int, int | None, str | None]] = field(default_factory=list)
    # state before and due after of each new review, by key.
    derived: dict[tuple[str, str, int], tuple[int | None, str | None]] = field(default_factory=dict)
    new_items: set[str] = field(default_factory=set)
    ticks: dict[int, datetime] = field(default_factory=dict)
    settings: Settings | None = None
    settings_changes: list[str] = field(default_factory=list)
    settings_kept: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.reviews or self.ticks or self.settings)

    def describe(self, *, done: bool) -> list[str]:
        """The summary, one line per kind of change."""
        verb = "added" if done else "would add"
        lines = []
        if self.reviews:
            items = len({r.item_id for r in self.reviews})
            already = self.in_file - len(self.reviews)
            lines.append(
                f"{verb} {len(self.reviews)} of the {self.in_file} reviews in {self.source} "
                f"({items} item{'s' if items != 1 else ''}, {len(self.new_items)} never "
                f"reviewed here)" + (f"; {already} were already here" if already else "")
            )
        if self.ticks:
            numbers = ", ".join(str(n) for n in sorted(self.ticks))
            lines.append(f"{'ticked' if done else 'would tick'} checklist items {numbers}")
        for change in self.settings_changes:
            lines.append(f"{'set' if done else 'would set'} {change}")
        for kept in self.settings_kept:
            lines.append(f"kept this machine's {kept}")
        if not self.reviews:
            lines.insert(
                0,
                f"nothing new in {self.source}: this store already has all of its "
                f"{self.in_file} reviews"
                + ("" if self.ticks or self.settings else ", its ticks and settings"),
            )
        return lines


def _replay(
    reviews: list[tuple[fsrs.Rating, datetime, int | None]], scheduler: fsrs.Scheduler
) -> tuple[fsrs.Card, int, list[tuple[int | None, str]]]:
    """Replay an item's reviews (rating, when, duration), oldest first: its final card, its
    lapses, and each review's state before and due after."""
    card = fsrs.Card(card_id=0, due=reviews[0][1])
    lapses = 0
    derived: list[tuple[int | None, str]] = []
    for i, (rating, at, duration) in enumerate(reviews):
        before = None if i == 0 else int(card.state)
        if rating == fsrs.Rating.Again and before == fsrs.State.Review:
            lapses += 1
        card, _ = scheduler.review_card(card, rating, at, duration)
        derived.append((before, _iso(card.due) or ""))
    return card, lapses, derived


def plan_merge(store: Store, progress: ProgressFile) -> MergePlan:
    """Work out what merging ``progress`` into ``store`` changes, without changing anything."""
    plan = MergePlan(source=progress.path, in_file=len(progress.reviews))
    local = store.reviews()
    have = {review_key(r.item_id, r.reviewed_at, int(r.rating)) for r in local}
    # A review already here under either identity is not added again (a uuid alone would not
    # do: reviews made before the store had uuids got a random one on each machine).
    have_uuids = {u for r in local if (u := getattr(r, "uuid", ""))}
    for review in sorted(progress.reviews, key=lambda r: (r.reviewed_at, r.item_id)):
        if review.key in have or (review.uuid and review.uuid in have_uuids):
            continue
        have.add(review.key)
        if review.uuid:
            have_uuids.add(review.uuid)
        plan.reviews.append(review)
    reviewed_here = store.reviewed_ids()
    touched = {r.item_id for r in plan.reviews}
    plan.new_items = touched - reviewed_here
    # Deterministic: both machines must replay a merged log to the same state.
    scheduler = fsrs.Scheduler(
        desired_retention=store.settings.desired_retention, enable_fuzzing=False
    )
    local_by_item: dict[str, list[Any]] = {}
    for r in local:
        if r.item_id in touched:
            local_by_item.setdefault(r.item_id, []).append(r)
    theirs_by_item: dict[str, dict[tuple[str, str, int], FileReview]] = {}
    for fr in progress.reviews:
        theirs_by_item.setdefault(fr.item_id, {}).setdefault(fr.key, fr)
    incoming_by_item: dict[str, list[FileReview]] = {}
    for fr in plan.reviews:
        incoming_by_item.setdefault(fr.item_id, []).append(fr)
    for item_id in sorted(touched):
        incoming = incoming_by_item[item_id]
        mine = local_by_item.get(item_id, [])
        theirs = theirs_by_item[item_id]
        state = progress.cards.get(item_id)
        mine_keys = {review_key(r.item_id, r.reviewed_at, int(r.rating)) for r in mine}
        if (
            state is not None
            and state.reps == len(theirs)
            and mine_keys <= theirs.keys()
            and (mine or item_id not in reviewed_here)
        ):
            # The file holds this item's whole merged log: its state (and each review's) is
            # what the other machine computed from that log, so take it as it is, and both
            # machines agree exactly (live reviews are fuzzed; a replay here would not be).
            plan.states[item_id] = state
            for key, fr in theirs.items():
                before = int(fr.state_before) if fr.state_before is not None else None
                plan.derived[key] = (before, _iso(fr.due))
            for r in mine:
                key = review_key(r.item_id, r.reviewed_at, int(r.rating))
                plan.updates.append((r.id, *plan.derived[key]))
            continue
        merged: list[tuple[datetime, int, Any]] = [(r.reviewed_at, 0, r) for r in mine]
        merged += [(fr.reviewed_at, 1, fr) for fr in incoming]
        merged.sort(key=lambda m: (m[0], int(m[2].rating), m[1]))
        card, lapses, derived = _replay(
            [(m[2].rating, m[0], m[2].duration_ms) for m in merged], scheduler
        )
        plan.states[item_id] = CardState(item_id, card, len(merged), lapses, merged[0][0])
        for (_, source, review), (before, due) in zip(merged, derived, strict=True):
            if source == 0:
                plan.updates.append((review.id, before, due))
            else:
                plan.derived[review.key] = (before, due)

    here = store.ticks()
    plan.ticks = {n: t for n, t in progress.ticks.items() if n not in here}

    their_settings, _ = parse_stored_settings(progress.settings)
    mine_settings, defaults = store.settings, Settings()
    adopted: dict[str, Any] = {}
    for f in fields(Settings):
        value, current = getattr(their_settings, f.name), getattr(mine_settings, f.name)
        if f.name not in progress.settings or value == current:
            continue
        if current == getattr(defaults, f.name):
            adopted[f.name] = value
            plan.settings_changes.append(f"{f.name} to {_shown(value)} (unset here)")
        else:
            plan.settings_kept.append(f"{f.name} {_shown(current)} (the file has {_shown(value)})")
    if adopted:
        plan.settings = replace(mine_settings, **adopted)
    return plan


def _iso(at: datetime | None) -> str | None:
    return at.astimezone(UTC).isoformat(timespec="microseconds") if at else None


def _shown(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# --------------------------------------------------------------------------- applying


def apply_merge(store: Store, plan: MergePlan) -> None:
    """Make the planned changes in one transaction: all of them or, on any error, none."""
    from quizapp.interop.store_ops import put_merged_reviews

    if plan.empty:
        return
    try:
        with store.batch():
            put_merged_reviews(store, plan.reviews, plan.derived, plan.updates, plan.states)
            for number, at in sorted(plan.ticks.items()):
                store.set_ticked(number, True, now=at)
            if plan.settings is not None:
                store.save_settings(plan.settings)
    except sqlite3.Error as exc:
        # A batch passes SQLite's own errors through (another quizapp holding the lock, a full
        # disk): the same one line and exit code as any other failed write.
        raise StoreError(f"cannot save to {store.path.name}: {_why(exc)}", classify(exc)) from None


def merge_file(store: Store, path: Path, *, dry_run: bool = False) -> MergePlan:
    """Read ``path``, plan the merge and (unless ``dry_run``) apply it. Raises MergeError."""
    plan = plan_merge(store, read_progress_file(path))
    if not dry_run:
        apply_merge(store, plan)
    return plan
