"""Widgets shared by the screens (card view, feedback, plots, menus). May import: the core,
decks, mathcheck, store (never ui.screens)."""
