"""Taking progress and cards elsewhere: the Anki export, merging exported progress, sync.

No UI here (the core/UI boundary holds); ``genanki`` is imported only by ``anki.py``.
"""
