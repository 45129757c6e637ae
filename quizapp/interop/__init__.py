"""Taking progress and cards elsewhere: the Anki export and import, merging exported progress,
sync. May import: the core, decks, store.

No UI here (the core/UI boundary holds); ``genanki`` is imported only by ``anki.py``.
"""
