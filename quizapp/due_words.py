"""What "due" means, in the words every surface shows (home, stats, help, ``quizapp stats``).

Plain constants that import nothing, so the home screen can draw its labels in its first frame
without loading the scheduler, the decks or the stats."""

from __future__ import annotations

from datetime import timedelta

# Anki's default "learn ahead limit": learning cards this close to due may be shown early.
LEARN_AHEAD = timedelta(minutes=20)

_AHEAD = int(LEARN_AHEAD.total_seconds() // 60)

# (label, one-line explanation) for each count, in the order they are shown.
DUE_WORDS: dict[str, tuple[str, str]] = {
    "cards": (
        "Cards due",
        f"flashcards whose review time has come (learning steps within {_AHEAD} min included); "
        "s studies them first",
    ),
    "practice": (
        "Practice due",
        "quiz questions and drills whose review time has come; z, m and d practise them",
    ),
    "new": (
        "New today",
        "flashcards you have not seen yet, within today's new-card limit (o: Settings)",
    ),
}


def later_today(reviews: int, due_now: int) -> str:
    """After the plan's "Today: N reviews": how many of them are due now (Home's "Cards due"
    and "Practice due" together) when some come due only later today; else nothing. (Plan said
    "Today: 5 reviews" while Home said "Cards due 4": a card answered Good ten minutes ago.)"""
    if not 0 <= due_now < reviews:
        return ""
    return f" ({due_now} due now, {reviews - due_now} later today)"
