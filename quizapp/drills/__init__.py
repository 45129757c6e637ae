"""Drills: numeric "compute this loss" drills (generation, grading, worked steps)."""
