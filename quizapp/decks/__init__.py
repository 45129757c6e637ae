"""Typed card models and YAML deck loading (no UI, no sympy, nothing above the models).

``quizapp.content.load_library`` loads the content with every check; ``load_decks`` here takes
the table of checks to run.
"""

from quizapp.decks.library import ContentError, Library
from quizapp.decks.loader import load_decks
from quizapp.decks.models import TAGS, Card

__all__ = ["TAGS", "Card", "ContentError", "Library", "load_decks"]
