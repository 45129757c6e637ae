"""quizapp, interview practice for deep-learning loss functions: its top-level modules hold the
Textual-free core (study, quiz, plan, stats, ...). May import: decks, drills, interop, losses,
mathcheck, store (only ``cli.py``, the entry point, also imports commands and ui).

This module holds the version only; it must never import the UI.
"""

__version__ = "0.1.0"
