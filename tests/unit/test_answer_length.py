"""Issue 26 item 15: one count, one limit, one message for a long typed gradient.

A 500-character paste used to be "499 characters" in the live preview (which counted the line
without its spaces, or only the part after "dL/dz =") and "500 characters" in the check (which
counted the raw text). Both now count the line as typed, spaces at its ends not counted, against
the checker's limit, and say it in the same words. Real decks and the real checker process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.decks import Library
from quizapp.mathcheck.lexer import MAX_LENGTH
from quizapp.mathcheck.warm_worker import Checker
from quizapp.quiz import Quiz
from tests.shipped import shipped_library

DRILL = "grad-bce-logit"
# Characters that end a line for str.splitlines (and so for the editor and the check).
BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@pytest.fixture(scope="module")
def library() -> Library:
    return shipped_library()


@pytest.fixture(scope="module")
def quiz(library: Library) -> Iterator[Quiz]:
    checker = Checker.from_library(library)
    try:
        yield Quiz.build(library, item_ids=[DRILL], seed=1, checker=checker)
    finally:
        checker.close()


def said(quiz: Quiz, text: str, row: int = 0) -> tuple[str, str]:
    """(what the preview of line ``row`` says when it cannot read it, the check's headline)."""
    _, preview = quiz.preview_line(0, text, row)
    shown = "" if preview is None or preview.ok else preview.error or ""
    return shown, quiz.grade(0, text).headline


def expression(length: int) -> str:
    """The right answer, sigmoid(z) - y, in exactly ``length`` characters (+ 0.000...)."""
    body = "sigmoid(z) - y + 0." + "0" * (length - 19)
    assert len(body) == length
    return body


AROUND = [("", ""), (" ", ""), ("", "  "), ("\t ", " "), ("dL/dz = ", "")]


@pytest.mark.parametrize("length", [MAX_LENGTH - 1, MAX_LENGTH, MAX_LENGTH + 1])
@pytest.mark.parametrize(
    "around", [("", ""), (" ", ""), ("", "  "), ("\t ", " "), ("dL/dz = ", "")]
)
def test_at_the_limit_the_preview_and_the_check_count_alike(
    quiz: Quiz, length: int, around: tuple[str, str]
) -> None:
    before, after = around
    line = expression(length)
    text = before + line + after
    preview, check = said(quiz, text)
    counted = len(text.strip())
    if counted > MAX_LENGTH:
        message = f"answer too long: {counted} characters (at most {MAX_LENGTH})"
        assert preview == check == message
    else:
        assert preview == ""  # read
        assert quiz.grade(0, text).correct is True  # and judged: the right answer


@settings(max_examples=150, deadline=None)
@given(
    body=st.text(alphabet=st.characters(blacklist_characters=BREAKS), max_size=MAX_LENGTH + 40),
    pad=st.sampled_from(["", " ", "  ", "\t"]),
)
def test_any_one_line_is_too_long_for_both_or_for_neither(quiz: Quiz, body: str, pad: str) -> None:
    text = pad + body + pad
    preview, check = said(quiz, text)
    too_long = len(text.strip()) > MAX_LENGTH
    if too_long:
        assert preview == check, (preview, check)
        assert check.startswith(f"answer too long: {len(text.strip())} characters")
    else:
        assert "too long" not in check


@pytest.mark.parametrize("length", [MAX_LENGTH, MAX_LENGTH + 1])
def test_a_long_line_of_a_derivation_is_named_alike(quiz: Quiz, length: int) -> None:
    lines = ["p = sigmoid(z)", "  " + expression(length), "p - y"]
    text = "\n".join(lines)
    preview, check = said(quiz, text, row=1)
    if length > MAX_LENGTH:
        message = f"line 2: answer too long: {length} characters (at most {MAX_LENGTH})"
        assert preview == check == message
    else:
        assert "too long" not in preview and "too long" not in check
