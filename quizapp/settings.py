"""The learner's settings: the values, their limits, and parsing them from typed text.

One parser serves the settings screen and ``quizapp settings``, so both accept and refuse the same
input with the same words.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

RETENTION_RANGE = (0.7, 0.99)
NEW_PER_DAY_RANGE = (0, 1000)
# The plan simulates every day up to the interview: a date thousands of years away (9999-12-31)
# kept `quizapp plan` and the Plan screen busy for minutes. Five years covers any real interview.
INTERVIEW_HORIZON_DAYS = 5 * 365 + 1


class SettingsError(ValueError):
    """A typed setting that cannot be used; ``field`` names it, ``message`` says why (one line)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# The app's theme when none was chosen (Textual's default), by the name the app shows.
DEFAULT_THEME = "textual-dark"
_THEME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.+-]{0,63}")


@dataclass(frozen=True)
class Settings:
    """The learner's settings. ``validate`` lists what is wrong, one line per problem."""

    desired_retention: float = 0.9
    interview_date: date | None = None
    theme: str | None = None  # None: DEFAULT_THEME
    new_per_day: int = 20

    def validate(self) -> list[str]:
        problems = []
        dr = self.desired_retention
        if isinstance(dr, bool) or not isinstance(dr, int | float) or not 0.7 <= dr <= 0.99:
            problems.append(f"retention {dr!r} must be a number from 0.70 to 0.99 (e.g. 0.9)")
        if self.interview_date is not None and not isinstance(self.interview_date, date):
            problems.append(f"interview date {self.interview_date!r} must be a date (YYYY-MM-DD)")
        n = self.new_per_day
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= 1000:
            problems.append(f"new cards per day {n!r} must be a whole number from 0 to 1000")
        if self.theme is not None and (
            not isinstance(self.theme, str) or not _THEME_NAME.fullmatch(self.theme)
        ):
            # (a name, never a text that could carry a terminal's escape codes from a file)
            problems.append("theme must be a theme name")
        return problems

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["interview_date"] = self.interview_date.isoformat() if self.interview_date else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Settings:
        """Settings from stored values; a value that does not validate keeps its default."""
        return parse_stored_settings(data)[0]


def parse_stored_settings(data: dict[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from stored values, and the names of values rejected (defaults used instead)."""
    defaults = Settings()
    values: dict[str, Any] = {}
    rejected: list[str] = []
    for f in fields(Settings):
        if f.name not in data:
            continue
        value = data[f.name]
        if f.name == "interview_date" and value is not None:
            try:
                value = date.fromisoformat(str(value))
            except ValueError:
                rejected.append(f.name)
                continue
        if f.name == "desired_retention" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if replace(defaults, **{f.name: value}).validate():
            rejected.append(f.name)
        else:
            values[f.name] = value
    return replace(defaults, **values), rejected


def _echo(text: str, *, quoted: bool = True) -> str:
    """Typed text as an error message repeats it: a paste of thousands of characters is cut
    to its start (the whole of it filled the settings screen, and a terminal, with digits)."""
    short = text if len(text) <= 24 else text[:23] + "…"
    return repr(short) if quoted else short


def parse_settings(
    current: Settings,
    *,
    retention: str | None = None,
    interview_date: str | None = None,
    new_per_day: str | None = None,
    today: date | None = None,
) -> Settings:
    """``current`` with the given typed values applied (None leaves a value as it is).

    Raises ``SettingsError`` naming the first value that cannot be used.
    """
    changes: dict[str, Any] = {}
    if retention is not None:
        text = retention.strip()
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise SettingsError(
                "retention", f"retention {_echo(text)} is not a number; give e.g. 0.9"
            ) from None
        low, high = RETENTION_RANGE
        if not low <= value <= high:
            raise SettingsError(
                "retention",
                f"retention {_echo(text, quoted=False)} must be from {low:.2f} to {high:.2f}"
                " (e.g. 0.9)",
            )
        changes["desired_retention"] = value
    if interview_date is not None:
        text = interview_date.strip()
        if text.lower() in ("none", ""):
            changes["interview_date"] = None
        else:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise SettingsError(
                    "interview_date",
                    f"interview date {_echo(text)} is not a date;"
                    " use YYYY-MM-DD ('none' clears it)",
                ) from None
            start = today or date.today()
            if day < start:
                raise SettingsError(
                    "interview_date",
                    f"interview date {text} is in the past; give a date from today on, or 'none'",
                )
            last = start + timedelta(days=INTERVIEW_HORIZON_DAYS)
            if day > last:
                raise SettingsError(
                    "interview_date",
                    f"interview date {text} is more than five years away; give a date up to "
                    f"{last.isoformat()}, or 'none'",
                )
            changes["interview_date"] = day
    if new_per_day is not None:
        text = new_per_day.strip()
        try:
            n = int(text)
        except ValueError:
            raise SettingsError(
                "new_per_day",
                f"new cards per day {_echo(text)} is not a whole number; give e.g. 20",
            ) from None
        low_n, high_n = NEW_PER_DAY_RANGE
        if not low_n <= n <= high_n:
            raise SettingsError(
                "new_per_day",
                f"new cards per day {_echo(str(n), quoted=False)} must be from {low_n} to {high_n}",
            )
        changes["new_per_day"] = n
    return replace(current, **changes)
