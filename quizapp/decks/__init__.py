"""Typed card models and YAML deck loading (no UI, no sympy)."""

from quizapp.decks.loader import ContentError, Library, load_library
from quizapp.decks.models import KINDS, TAGS, Card

__all__ = ["KINDS", "TAGS", "Card", "ContentError", "Library", "load_library"]
