"""Command palette providers: jump to a card, study a tag, open any screen."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from quizapp.ui.screens.areas import AREAS
from quizapp.wording import counted

if TYPE_CHECKING:
    from quizapp.ui.app import QuizApp


def open_card(app: QuizApp, card_id: str) -> None:
    """A card as it is answered: a drill on the drill screen (over the list of drills; numbers
    or a typed derivation, checked), a graded question (a choice, an order) as a one-question
    quiz, a checklist item on the checklist, anything else as a flashcard. (A drill or a
    checklist item opened as a flashcard was rated without being answered or ticked.)"""
    from quizapp.decks.kinds import kind_of  # here: the decks load after the first frame
    from quizapp.decks.models import ChecklistItem

    card = app.library.cards[card_id]
    if not app.may_leave(f"open the {card.label.lower()}"):
        return
    kind = kind_of(card)
    if kind.role == "practice":
        from quizapp.ui.screens.drills import DrillRunScreen

        app.open_area("drills")
        app.push_screen(DrillRunScreen.for_item(app, card_id))
    elif kind.role == "graded" and not kind.study:
        from quizapp.ui.screens.quiz import QuizRunScreen

        while len(app.screen_stack) > 1:
            app.pop_screen()
        app.push_screen(QuizRunScreen(app.new_quiz(item_ids=[card_id], mode="quiz")))
    elif isinstance(card, ChecklistItem):  # ticked, not rated: the checklist at that item
        app.open_area("checklist", number=card.number)
    else:
        app.open_area("study", ids=[card_id], kinds=(), title=card.label)


class _QuizProvider(Provider):
    @property
    def quiz_app(self) -> QuizApp:
        """``self.app``, typed as this app (the palette only runs in it)."""
        return cast("QuizApp", self.app)


class ScreenCommands(_QuizProvider):
    """Open any area of the app."""

    def commands(self) -> list[tuple[str, Callable[[], object], str]]:
        """(title, what it does, help): one per area of the registry, then help."""
        out: list[tuple[str, Callable[[], object], str]] = [
            (f"Open {a.title}", partial(self.quiz_app.open_area, a.name), a.description)
            for a in AREAS
        ]
        out.append(("Open Help", self.quiz_app.action_help, "every area and key binding"))
        return out

    async def discover(self) -> Hits:
        for title, run, help_text in self.commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, run, help_text in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)


class TagCommands(_QuizProvider):
    """Start a study session on one tag."""

    async def search(self, query: str) -> Hits:
        from quizapp.decks.kinds import names  # here: the decks load after the first frame

        matcher = self.matcher(query)
        lib = self.quiz_app.library
        for tag in lib.tags:
            title = f"Study tag: {tag}"
            score = matcher.match(title)
            if score > 0:
                n = sum(1 for c in lib.with_tag(tag) if c.kind in names(study=True))
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.quiz_app.open_area, "study", tag=tag, title=f"Study · {tag}"),
                    help=f"{counted(n, 'flashcard')} tagged {tag}",  # ("1 flashcards")
                )


class DeckCommands(_QuizProvider):
    """Start a study session on one deck."""

    async def search(self, query: str) -> Hits:
        from quizapp.decks.kinds import names  # here: the decks load after the first frame

        matcher = self.matcher(query)
        lib = self.quiz_app.library
        for deck in lib.decks:
            title = f"Study deck: {deck}"
            score = matcher.match(title)
            if score > 0:
                cards = lib.only_deck(deck).cards.values()
                n = sum(1 for c in cards if c.kind in names(study=True))
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.quiz_app.open_area, "study", deck=deck, title=f"Study · {deck}"),
                    help=f"{counted(n, 'flashcard')} in the {deck} deck",
                )


class CardCommands(_QuizProvider):
    """Jump to any card by words from its text."""

    async def search(self, query: str) -> Hits:
        words = query.lower().split()
        if not words:
            return
        matcher = self.matcher(query)
        for card in self.quiz_app.library.cards.values():
            haystack = card.search_text().lower()
            if not all(w in haystack for w in words):
                continue
            title = f"{card.label}: {card.title}"
            # Fuzzy score on the title, with a floor so a match in the body still shows.
            score = max(matcher.match(title), 0.1)
            yield Hit(
                score,
                matcher.highlight(title),
                partial(open_card, self.quiz_app, card.id),
                help=f"{card.id} · {', '.join(card.tags)}",
            )
