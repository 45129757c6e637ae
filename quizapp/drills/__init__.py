"""Drills: numeric "compute this loss" drills and gradient drills (generation, grading, worked
steps). May import: decks, losses, mathcheck."""
