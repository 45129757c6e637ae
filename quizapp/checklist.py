"""The revision checklist: hand-made ticks plus the evidence from the linked cards and drills.

An item is *ready* when every item it links to has a predicted recall (fsrs retrievability)
above the desired retention on the interview date when one is set and still ahead, else now.
Ticks are the learner's own call and are shown beside the evidence, not replaced by it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from quizapp.scheduling import retrievability

if TYPE_CHECKING:
    from quizapp.decks import Library
    from quizapp.store import Store

# When on the interview day recall is predicted (local time): a morning interview.
INTERVIEW_TIME = time(9, 0)


@dataclass(frozen=True)
class LinkEvidence:
    """One linked card or drill. ``title``/``kind`` are None when the id is not in the library;
    ``recall`` is None when it has never been reviewed."""

    item_id: str
    title: str | None
    kind: str | None
    reviews: int
    correct: int
    recall: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "title": self.title,
            "kind": self.kind,
            "reviews": self.reviews,
            "correct": self.correct,
            "recall": round(self.recall, 4) if self.recall is not None else None,
        }


@dataclass(frozen=True)
class ChecklistStatus:
    number: int
    id: str
    text: str
    ticked: bool
    ticked_at: datetime | None
    links: tuple[LinkEvidence, ...]
    recall_at: datetime  # when ``recall`` is predicted for
    ready: bool

    @property
    def answered_right(self) -> int:
        """How many linked items have been answered right (remembered) at least once."""
        return sum(1 for link in self.links if link.correct > 0)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "id": self.id,
            "text": self.text,
            "ticked": self.ticked,
            "ticked_at": self.ticked_at.isoformat() if self.ticked_at else None,
            "ready": self.ready,
            "answered_right": self.answered_right,
            "recall_at": self.recall_at.isoformat(),
            "links": [link.to_json() for link in self.links],
        }


def recall_moment(interview_date: date | None, now: datetime) -> datetime:
    """The interview morning when it is today or later, else ``now``."""
    if interview_date is not None:
        local_now = now.astimezone()
        moment = datetime.combine(interview_date, INTERVIEW_TIME, tzinfo=local_now.tzinfo)
        if interview_date >= local_now.date():
            return max(moment.astimezone(UTC), now.astimezone(UTC))
    return now.astimezone(UTC)


def checklist_status(
    store: Store, library: Library, *, now: datetime | None = None
) -> list[ChecklistStatus]:
    """Every checklist item in the library, in number order, with ticks and evidence."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    settings = store.settings
    at = recall_moment(settings.interview_date, now)
    items = library.checklist
    linked = {link for item in items for link in item.links}
    totals: dict[str, tuple[int, int]] = {}
    for total in store.review_totals(linked):
        if total.item_id in linked:
            n, k = totals.get(total.item_id, (0, 0))
            totals[total.item_id] = (n + total.reviews, k + total.correct)
    ticks = store.ticks()
    out = []
    for item in items:
        links = []
        for link in item.links:
            card = library.cards.get(link)
            state = store.card_state(link)
            n, k = totals.get(link, (0, 0))
            recall = retrievability(store.scheduler, state, at) if state else None
            links.append(
                LinkEvidence(
                    item_id=link,
                    title=card.title if card else None,
                    kind=card.kind if card else None,
                    reviews=n,
                    correct=k,
                    recall=recall,
                )
            )
        ready = bool(links) and all(
            link.recall is not None and link.recall > settings.desired_retention for link in links
        )
        out.append(
            ChecklistStatus(
                number=item.number,
                id=item.id,
                text=item.text,
                ticked=item.number in ticks,
                ticked_at=ticks.get(item.number),
                links=tuple(links),
                recall_at=at,
                ready=ready,
            )
        )
    return out


__all__ = ["INTERVIEW_TIME", "ChecklistStatus", "LinkEvidence", "checklist_status", "recall_moment"]
