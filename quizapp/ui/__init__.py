"""The Textual user interface, the only package that imports Textual. May import: the core,
decks, mathcheck, store (never commands or interop)."""
