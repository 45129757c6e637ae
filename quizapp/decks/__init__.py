"""Typed card models, the table of card kinds and YAML deck loading. May import: nothing else of
quizapp (no UI, no sympy, nothing above the models).

``quizapp.content.load_library`` loads the content with every check; ``load_decks`` here takes
the table of checks to run.
"""

from quizapp.decks.library import ContentError, Library
from quizapp.decks.loader import load_decks
from quizapp.decks.models import TAGS, Card

__all__ = ["TAGS", "Card", "ContentError", "Library", "load_decks"]
