"""One module per area of the app (a Textual ``Screen`` each), opened by name from
``areas.py``. May import: the core, decks, mathcheck, store, ui.widgets."""
