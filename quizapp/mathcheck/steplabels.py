"""Reading the head of a derivation line (``steps.py``): a label for a derivative (dL/dyhat,
∂L/∂ŷ, dp/dz) or a helper's name before "=", and whether a line only defines a helper."""

from __future__ import annotations

import re

from quizapp.mathcheck.parser import ParseError

# "=" alone (not part of <=, >=, ==, !=).
EQUALS = re.compile(r"(?<![<>=!])=(?!=)")
# A derivative written as a label: dL/dyhat, ∂L/∂ŷ, dp/dz, d L / d(z) (after normalising).
DERIVATIVE = re.compile(
    r"(?<![A-Za-z0-9_])d\s*([A-Za-z_][A-Za-z0-9_]*)\s*/\s*d\s*\(?\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)?"
)
IDENTIFIER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


def normalised(text: str) -> str:
    from quizapp.mathcheck.parser import normalise

    try:
        return normalise(text.replace("∂", "d"))[0]
    except ParseError:
        return text


def has_head(text: str) -> bool:
    """Whether the line starts with a label (dL/dz = ...) or a definition (u = ...)."""
    parts = EQUALS.split(normalised(text))
    if len(parts) == 1:
        return False
    head = parts[0].strip()
    return bool(DERIVATIVE.fullmatch(head) or IDENTIFIER.match(head))


def only_defines_a_helper(
    text: str,
    wrt: str,
    *,
    aliases: dict[str, str] | None = None,
    quantities: dict[str, str] | None = None,
    loss: str = "",
) -> bool:
    """Whether a derivation line only defines a helper (``u = y - yhat``, or ``dL/dp = ...`` when
    the drill asks for another derivative), read as ``check_steps`` reads it: such a line is no
    expression for the asked derivative itself. A line that is one (``dL/dwrt = ...``, a bare
    expression, a chain ``A = B``) is a right answer on its own, as every line of a checked
    derivation equals the derivative."""
    aliases = aliases or {}
    parts = EQUALS.split(normalised(text))
    if len(parts) != 2:
        return False
    head = parts[0].strip()
    label = DERIVATIVE.fullmatch(head)
    if label:
        top, bottom = (aliases.get(n, n) for n in label.groups())
        # dL/dwrt, or dq/dwrt where the drill's loss is the quantity q (dp/dz for sigmoid).
        squash = "".join  # compared without spaces
        is_loss = top == "L" or squash((quantities or {}).get(top, "").split()) == squash(
            loss.split()
        )
        return not (is_loss and bottom == aliases.get(wrt, wrt))
    return bool(IDENTIFIER.match(head))


__all__ = ["DERIVATIVE", "EQUALS", "IDENTIFIER", "has_head", "normalised", "only_defines_a_helper"]
