"""A gradient answered as a derivation: the multi-line editor, the hint ladder as shown, and the
checked derivation with a gutter mark per line.

Enter adds a line (as on a whiteboard); the check key (``CHECK_KEY``, and enter on an empty last
line) checks. ctrl+enter is not used: most terminals send it as a plain enter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import TextArea

if TYPE_CHECKING:
    from quizapp.mathcheck.steps import Derivation
    from quizapp.quiz import Hint

# ctrl+s reaches the app in every terminal tried (xterm, tmux, the browser); TextArea leaves it
# free. ctrl+j is a raw line feed many terminals also send for ctrl+enter.
CHECK_KEY = "ctrl+s"
CHECK_KEYS = "ctrl+s,ctrl+j"
HINT_KEY = "ctrl+t"

# status -> (gutter mark, style); the statuses of quizapp.mathcheck.steps.
MARKS: dict[str, tuple[str, str]] = {
    "follows": ("✓", "bold green"),
    "wrong": ("✗", "bold red"),
    "follows-from-wrong": ("↳", "bold yellow"),
    "definition": ("=", "bold cyan"),
    "invalid": ("?", "bold red"),
    "unchecked": ("?", "bold yellow"),
}
LEGEND = "✓ follows  ✗ wrong  ↳ follows from a wrong line  = definition  ? could not check"


class DerivationEditor(TextArea):
    """The answer box of a gradient question: one step per line, line numbers in the gutter."""

    DEFAULT_CSS = """
    DerivationEditor {
        height: auto;
        min-height: 3;
        max-height: 9;
    }
    """

    class CheckRequested(Message):
        """Enter on an empty last line: the learner is done (as two enters end a REPL block)."""

    def __init__(self, *, placeholder: str, classes: str = "") -> None:
        super().__init__(
            soft_wrap=True,
            show_line_numbers=True,
            tab_behavior="focus",
            placeholder=placeholder,
            classes=classes,
        )

    @property
    def current_line(self) -> int:
        """The 0-based row of the cursor."""
        return self.cursor_location[0]

    async def _on_key(self, event: events.Key) -> None:
        row, _ = self.cursor_location
        last = self.document.line_count - 1
        if (
            event.key == "enter"
            and not self.read_only
            and row == last
            and row > 0
            and not self.document.get_line(row).strip()
            and self.text.strip()
        ):
            event.stop()
            event.prevent_default()
            self.post_message(self.CheckRequested())
            return
        await super()._on_key(event)


def answer_help(lines_typed: int) -> Text:
    """The key line under the editor (the footer shows the same keys)."""
    text = Text(style="dim")
    text.append("enter", style="bold")
    text.append(": new line · ")
    text.append(CHECK_KEY, style="bold")
    text.append(" or enter on an empty line: check · ")
    text.append(HINT_KEY, style="bold")
    text.append(": hint")
    if lines_typed <= 1:
        text.append("\nOne line is your final answer; several lines are checked step by step.")
    return text


def hint_renderable(hints: list[Hint]) -> RenderableType:
    """Every rung of the hint ladder shown so far, and what the next one would cost."""
    parts: list[RenderableType] = []
    for hint in hints:
        head = Text(f"Hint {hint.level} of {hint.of} · {hint.name}", style="bold yellow")
        parts.append(head)
        for line in hint.lines:
            parts.append(Text(f"  {line}", style="yellow"))
    if hints:
        last = hints[-1]
        more = (
            f"{last.remaining} more (press {HINT_KEY} again)" if last.remaining else "no more hints"
        )
        parts.append(Text(f"{last.cost[0].upper()}{last.cost[1:]} · {more}", style="dim"))
    return Group(*parts)


def derivation_renderable(derivation: Derivation) -> RenderableType:
    """Each line with its gutter mark and message; the first wrong step is named."""
    parts: list[RenderableType] = []
    width = len(str(max((s.line for s in derivation.steps), default=1)))
    for step in derivation.steps:
        mark, style = MARKS.get(step.status, ("?", "bold yellow"))
        first = step.line == derivation.first_wrong
        line = Text()
        line.append(f"{mark} ", style=style)
        line.append(f"{step.line:>{width}}  ", style="dim")
        line.append(_short(step.text), style="bold" if first else "")
        if first:
            line.append("   ← first wrong step", style="bold red")
        parts.append(line)
        message = Text(" " * (width + 4))
        message.append(step.message, style="red" if first else "dim")
        parts.append(message)
    if derivation.first_wrong is not None:
        after = any(s.status == "follows-from-wrong" for s in derivation.steps)
        note = "; lines marked ↳ follow from it correctly." if after else "."
        first_wrong = f"The first wrong step is line {derivation.first_wrong}{note}"
        parts.append(Text(first_wrong, style="bold"))
    parts.append(Text(LEGEND, style="dim"))
    return Group(*parts)


def _short(text: str, limit: int = 200) -> str:
    """A pasted wall of text is cut in the echo (the check saw all of it)."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
