"""A module imported on first use (start-up time: opening the progress file needs few of the
store's modules). Thread-safe, as the import system is: every attribute is looked up on the
imported module each time, so a patched function is seen."""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for the module ``name``; its first attribute lookup imports it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"
