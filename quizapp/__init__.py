"""quizapp: interview practice for deep-learning loss functions.

This module holds the version only; it must never import the UI.
"""

__version__ = "0.1.0"
