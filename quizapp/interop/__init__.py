"""Taking progress and cards elsewhere: the Anki export and import, merging exported progress,
sync. May import: the core, decks, store.

No UI here (the core/UI boundary holds); ``genanki`` is imported only by ``anki.py``, and
``msgspec`` only by ``progress_fast.py`` (loaded when an export file is read).
"""

# The packages ``quizapp import`` reads as Anki's (anki_import.py): named here, so the import
# command tells an export file from them without loading the Anki modules.
ANKI_SUFFIXES = (".colpkg", ".apkg")
