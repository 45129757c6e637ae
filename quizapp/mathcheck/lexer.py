"""Reading learner text: the vocabulary (limits, allowed functions, spellings), ``normalise``,
which maps friendly Unicode (−, ×, ², ŷ, σ, δ, γ, α, ε, ≤ ...) to plain ASCII with a map back to
the original columns, and ``tokenize``, which splits it into numbers, names, operators and
keywords. Nothing here runs code; errors are one-line ``ParseError``s.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

from quizapp.mathcheck.nodes import ParseError

# --------------------------------------------------------------------------- limits

MAX_LENGTH = 300
MAX_NODES = 200
MAX_DEPTH = 30
MAX_LITERAL = 1e6
MAX_EXPONENT = 12

# Function name -> arity. The single source of truth for what a learner may call.
FUNCTIONS: dict[str, int] = {
    "exp": 1,
    "log": 1,
    "ln": 1,
    "log10": 1,
    "log2": 1,
    "sqrt": 1,
    "abs": 1,
    "sign": 1,
    "sigmoid": 1,
    "softplus": 1,
    "tanh": 1,
    "max": 2,
    "min": 2,
    "clip": 3,
    "step": 1,
}
# Spellings that mean an allowed function.
FUNCTION_ALIASES: dict[str, str] = {
    "ln": "log",
    "sigma": "sigmoid",
    "heaviside": "step",
    "Heaviside": "step",
}

# Spellings that mean a variable, used only when the canonical name is declared.
NAME_ALIASES: dict[str, str] = {
    "y_hat": "yhat",
    "yHat": "yhat",
    "y_pred": "yhat",
    "ypred": "yhat",
    "epsilon": "eps",
    "Delta": "delta",
    "lambda_": "lam",
    "lambda": "lam",
}

KEYWORDS = frozenset({"if", "else", "and", "or", "not"})
COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")

# --------------------------------------------------------------------------- normalise

_SUPERSCRIPTS = {
    "⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7",
    "⁸": "8", "⁹": "9", "⁻": "-", "⁺": "+",
}  # fmt: skip
_SUBSCRIPTS = {
    "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6", "₇": "7",
    "₈": "8", "₉": "9", "ᵢ": "_i", "ₖ": "_k", "ⱼ": "_j", "ₙ": "_n",
}  # fmt: skip
_CHAR_MAP = {
    "\u2212": "-", "\u2013": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-",
    "×": "*", "·": "*", "⋅": "*", "∙": "*", "∗": "*", "✕": "*",
    "÷": "/", "∕": "/", "⁄": "/",
    "≤": "<=", "≥": ">=", "≠": "!=", "⩽": "<=", "⩾": ">=",
    "∣": "|", "ǀ": "|",
    "ŷ": "yhat", "σ": "sigma", "δ": "delta", "γ": "gamma", "α": "alpha", "ε": "eps", "ϵ": "eps",
    "λ": "lam", "√": "sqrt",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
}  # fmt: skip
# Letters that stand for a whole name: written next to each other they are a product.
_GREEK_WORDS = frozenset("ŷσδγαεϵλ")
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u180e"}
_COMBINING_HAT = "\u0302"


def normalise(text: str) -> tuple[str, list[int]]:
    """Map friendly Unicode to ASCII; return the text and, per output char, its source index."""
    if text.isascii():  # the usual case: nothing below maps an ASCII character but the tab
        return text.replace("\t", " "), list(range(len(text)))
    out: list[str] = []
    origin: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in _INVISIBLE:
            raise ParseError(
                f"invisible character U+{ord(ch):04X} ({_uname(ch)}); delete it and retype", i + 1
            )
        if ch == _COMBINING_HAT:
            # "y" followed by a combining circumflex is ŷ.
            if out and out[-1] == "y":
                out[-1] = "yhat"
                i += 1
                continue
            raise ParseError("a stray circumflex accent; write yhat for ŷ", i + 1)
        if ch in _SUPERSCRIPTS:
            start = i
            digits = []
            while i < n and text[i] in _SUPERSCRIPTS:
                digits.append(_SUPERSCRIPTS[text[i]])
                i += 1
            out.append("^(" + "".join(digits) + ")")
            origin.append(start)
            continue
        if ch in _SUBSCRIPTS:
            out.append(_SUBSCRIPTS[ch])
            origin.append(i)
            i += 1
            continue
        mapped = _CHAR_MAP.get(ch)
        if ch in _GREEK_WORDS:
            # αγ is α times γ, as printed in the app's own derivations: keep the words apart
            # ("alpha gamma", not the unknown name "alphagamma"); the parser adds the '*'.
            if out and (out[-1][-1:].isalnum() or out[-1][-1:] == "_"):
                out.append(" ")
                origin.append(i)
            after = text[i + 1 : i + 2]
            if mapped is not None and (
                after in _GREEK_WORDS or (after.isascii() and after.isalpha())
            ):
                mapped += " "
        if mapped is None and ord(ch) > 127:
            folded = unicodedata.normalize("NFKC", ch)
            if folded.isascii() and folded.isprintable():
                mapped = folded
        if mapped is None:
            mapped = ch
        out.append(mapped)
        origin.append(i)
        i += 1
    # Expand to one origin entry per output character.
    flat: list[str] = []
    flat_origin: list[int] = []
    for piece, src in zip(out, origin, strict=True):
        flat.append(piece)
        flat_origin.extend([src] * len(piece))
    return "".join(flat), flat_origin


def _uname(ch: str) -> str:
    return unicodedata.name(ch, "unnamed character")


# --------------------------------------------------------------------------- tokens


class Token(NamedTuple):
    """One token. A named tuple, not a frozen dataclass: a check makes dozens, and a frozen
    dataclass's ``__init__`` was a tenth of tokenising."""

    kind: str  # NUM NAME OP KW END
    text: str
    pos: int  # index in the normalised text


_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")
_OPS = ("**", "<=", ">=", "==", "!=", "+", "-", "*", "/", "^", "(", ")", ",", "|", "<", ">")
_OPS2 = frozenset(op for op in _OPS if len(op) == 2)
_OPS1 = frozenset(op for op in _OPS if len(op) == 1)


def tokenize(text: str, origin: list[int] | None = None) -> list[Token]:
    """Split normalised text into tokens; ``origin`` maps indexes back to the learner's text."""

    def column(i: int) -> int:
        if origin is None or not origin:
            return i + 1
        return (origin[i] if i < len(origin) else origin[-1] + 1) + 1

    tokens: list[Token] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == " ":
            i += 1
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            assert m is not None
            after = text[m.end() : m.end() + 2]
            if (
                m.group(0) == "0"
                and len(after) == 2
                and after[0] in "xXbBoO"
                and after[1].isalnum()
            ):
                raise ParseError("only decimal numbers are allowed (no 0x, 0b, 0o)", column(i))
            tokens.append(Token("NUM", m.group(0), i))
            i = m.end()
            continue
        if ch.isascii() and (ch.isalpha() or ch == "_"):
            m = _NAME.match(text, i)
            assert m is not None
            word = m.group(0)
            tokens.append(Token("KW" if word in KEYWORDS else "NAME", word, i))
            i = m.end()
            continue
        # Two-character operators first ("**" before "*", "<=" before "<").
        op = text[i : i + 2] if text[i : i + 2] in _OPS2 else ch if ch in _OPS1 else None
        if op is None:
            raise ParseError(_bad_char_message(text, i), column(i))
        tokens.append(Token("OP", op, i))
        i += len(op)
    tokens.append(Token("END", "", n))
    return tokens


def _bad_char_message(text: str, i: int) -> str:
    ch = text[i]
    if ch in "\"'`":
        return "quotes are not allowed: type the expression itself"
    if ch == "=":
        return "type only the right-hand side (no '='); use == only inside a condition"
    if ch == "!":
        return "'!' (factorial) is not supported"
    if ch in "[]{}":
        return f"'{ch}' is not allowed; use ( and ) for grouping"
    if ch == ".":
        return "'.' must be part of a number such as 0.5"
    if ch == "%":
        return "'%' is not supported; write 0.05 instead of 5%"
    if ch in ";:@#$&~\\?":
        return f"'{ch}' is not allowed in a math answer"
    if not ch.isprintable():
        return f"control character U+{ord(ch):04X} is not allowed; delete it"
    if ord(ch) > 127:
        return (
            f"character '{ch}' (U+{ord(ch):04X} {_uname(ch)}) is not allowed; "
            "type it in plain ASCII"
        )
    return f"unexpected character '{ch}'"


def apply_aliases(
    text: str, origin: list[int], aliases: Mapping[str, str]
) -> tuple[str, list[int]]:
    """Replace whole names by their per-drill aliases, keeping the column map."""
    out: list[str] = []
    out_origin: list[int] = []
    pos = 0
    for m in _NAME.finditer(text):
        out.append(text[pos : m.start()])
        out_origin.extend(origin[pos : m.start()])
        word = m.group(0)
        repl = aliases.get(word, word)
        out.append(repl)
        out_origin.extend([origin[m.start()]] * len(repl))
        pos = m.end()
    out.append(text[pos:])
    out_origin.extend(origin[pos:])
    return "".join(out), out_origin
