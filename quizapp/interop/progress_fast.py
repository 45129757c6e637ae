"""The fast reader of an export file: the reviews (100k of them in a heavy learner's file) decoded
by msgspec into typed records and checked a whole column at a time; every other part of the file
parsed by ``json`` and checked exactly as ``check_progress`` checks it.

It never decides anything on its own. ``merge.checked_progress`` tries it first, and
anything it does not take (a msgspec error, a review without a uuid, a uuid given twice, a time
not in the stored form, an unknown field in a review, a number out of range, any check that
fails) is read again by ``parse_json`` and ``check_progress``, which give the one answer and the
one message. What it takes, it reads exactly as they would: the files it accepts are a subset of
those they accept, with the same reviews (in the same order), the same count of reviews already
known, the same registers and cram answers (tests/unit/test_progress_fast.py holds it to that).

Why msgspec is stricter than ``json`` everywhere it matters (each checked): it refuses a lone
surrogate escape (``"\\ud800"``), NaN and Infinity, ``true`` or ``5.0`` for a whole number, a
number beyond 64 bits, invalid UTF-8, and nesting ``json`` could still read; an object's key given
twice keeps its last value in both.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from quizapp.interop.progress_file import (
    _MAX_DURATION,
    _RATING_NUMBERS,
    RATINGS,
    FileReview,
    MergeError,
    ProgressFile,
    _cram,
    _Fields,
    _machine_and_registers,
    parse_json,
)

_Rating = Literal["again", "hard", "good", "easy"]
_Duration = Annotated[int, msgspec.Meta(ge=0, le=_MAX_DURATION)]
_Seed = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


class _Review(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """One review as ``export`` writes it. The four fields without a default must be there (a
    review without a uuid takes the old way); no other field may be (``json`` would read any
    value there, even one nested too deeply, so an unknown field takes the old way too). The
    last four are not used, but typed: every value msgspec reads is a checked one."""

    uuid: str
    item_id: str
    rating: _Rating
    reviewed_at: str
    kind: str | None = None
    duration_ms: _Duration | None = None
    answer: str | None = None
    verdict: str | None = None
    seed: _Seed | None = None
    id: int | None = None
    quiz_id: int | None = None
    state_before: str | None = None
    due: str | None = None


_TOP = msgspec.json.Decoder(dict[str, msgspec.Raw])
_REVIEWS = msgspec.json.Decoder(list[_Review])
# ``_UUID`` of progress_file, for uuids joined by newlines (none can hold one: the count of
# newlines is checked too).
_UUIDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}(?:\n[A-Za-z0-9][A-Za-z0-9-]{0,63})*")
_PREFIX = 256  # bytes of the reviews' text that must occur once in the file (see ``parse_fast``)

Split = tuple[dict[str, Any], list[_Review]]


def fast_progress(
    path: Path, raw: bytes, known: dict[str, tuple[str, str, int]] | None = None
) -> ProgressFile | None:
    """What ``check_progress(path, parse_json(path, raw), known)`` returns, when this reader
    takes the file; None when it does not (then the old way reads it and says what is wrong)."""
    split = parse_fast(path, raw)
    return None if split is None else check_fast(path, *split, known)


def parse_fast(path: Path, raw: bytes) -> Split | None:
    """The file's top level as ``json`` reads it but with [] for its reviews, and its reviews as
    msgspec records; None when msgspec refuses anything. The rest is the file's own bytes with
    the reviews' text cut out and [] put in its place, read by ``parse_json``: every other part
    of the file is read by ``json`` as before, a key given twice included. The reviews' text
    (msgspec keeps a key's last value, as ``json`` does) must occur once in the file, or it is
    left to the old way; so must its first bytes, which are what is looked for. (The rest is
    read a call deeper than the old way reads a whole file: nesting it could not read, this
    reader cannot either.)"""
    doc = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    if not doc.isascii():  # every byte must be UTF-8, as for ``json``, not only those msgspec reads
        try:
            doc.decode("utf-8")
        except UnicodeDecodeError:
            return None
    try:
        reviews_text = _TOP.decode(doc).get("reviews")
        if reviews_text is None:
            return None
        reviews = _REVIEWS.decode(reviews_text)
    except (msgspec.DecodeError, RecursionError):
        return None
    if not reviews:
        return None
    size = len(memoryview(reviews_text))
    prefix = bytes(memoryview(reviews_text)[:_PREFIX])
    start = doc.find(prefix)
    if start < 0 or doc.find(prefix, start + 1) >= 0 or not doc.startswith(reviews_text, start):
        return None
    try:
        data = parse_json(path, doc[:start] + b"[]" + doc[start + size :])
    except MergeError:
        return None
    if data.get("reviews") != []:
        return None
    return data, reviews


def check_fast(
    path: Path,
    data: dict[str, Any],
    reviews: list[_Review],
    known: dict[str, tuple[str, str, int]] | None = None,
) -> ProgressFile | None:
    """``check_progress`` of the file ``parse_fast`` split: everything but the reviews checked by
    the same functions, the reviews a column at a time; None on the first thing not taken."""
    check = _Fields(path)
    try:
        machine, registers = _machine_and_registers(check, data)
        checked = _checked_reviews(check, reviews, known or {})
        cram = _cram(check, data)
    except MergeError:
        return None
    if checked is None:
        return None
    return ProgressFile(
        path=path,
        machine=machine,
        reviews=checked[0],
        cram=cram,
        registers=registers,
        already=checked[1],
    )


def _checked_reviews(
    check: _Fields, reviews: list[_Review], known: dict[str, tuple[str, str, int]]
) -> tuple[list[FileReview], int] | None:
    """``_reviews`` of the records (MergeError or None when not taken). Types, ratings and the
    number ranges msgspec has checked; each item id and kind is checked once, by the same
    functions; a review ``known`` exactly is skipped, as ``_reviews`` skips it."""
    n = len(reviews)
    uuids = [r.uuid for r in reviews]
    joined = "\n".join(uuids)
    unique = set(uuids)
    if len(unique) != n or joined.count("\n") != n - 1 or not _UUIDS.fullmatch(joined):
        return None
    times = [r.reviewed_at for r in reviews]
    if not _stored_times(times):
        return None
    try:
        whens = list(map(datetime.fromisoformat, times))
    except ValueError:
        return None
    for item_id in {r.item_id for r in reviews}:
        check.item(item_id, "reviews[].item_id")
    for kind in {r.kind for r in reviews}:
        if kind is not None:
            check.text(kind, "reviews[].kind", limit=100)
    for r in reviews:
        if r.answer is not None:
            check.text(r.answer, "reviews[].answer")
        if r.verdict is not None:
            check.text(r.verdict, "reviews[].verdict")
    skip: set[str] = set()
    hits = known.keys() & unique
    if hits:
        numbers = _RATING_NUMBERS
        skip = {
            r.uuid
            for r in reviews
            if r.uuid in hits and (r.item_id, r.reviewed_at, numbers[r.rating]) == known[r.uuid]
        }
    if skip:
        kept = [i for i, r in enumerate(reviews) if r.uuid not in skip]
        reviews, whens, times = (
            [reviews[i] for i in kept],
            [whens[i] for i in kept],
            [times[i] for i in kept],
        )
    # Made column by column with map (no Python step per review but FileReview's own: 100k
    # reviews in 0.1 s instead of 0.25).
    column = _column
    out = list(
        map(
            FileReview,
            column(reviews, "uuid"),
            column(reviews, "item_id"),
            column(reviews, "kind"),
            map(RATINGS.__getitem__, column(reviews, "rating")),
            whens,
            column(reviews, "duration_ms"),
            column(reviews, "answer"),
            column(reviews, "verdict"),
            column(reviews, "seed"),
            times,
        )
    )
    return out, len(skip)


def _column(reviews: list[_Review], name: str) -> Iterator[Any]:
    return map(attrgetter(name), reviews)


def _stored_times(times: list[str]) -> bool:
    """Whether every time is 32 characters with "." at 19 and "+00:00" at the end, from a year
    "20.." or "21..": the form ``_reviews`` parses and keeps as it is (its test is "2000" <= text
    < "2200"; a time ``datetime.fromisoformat`` then reads has its year in its first four
    characters, so the two agree), tested on all of them at once: joined by newlines, each is
    32 characters when the newlines are exactly where the joins put them."""
    n = len(times)
    joined = "\n".join(times)
    return (
        len(joined) == 33 * n - 1
        and joined.count("\n") == n - 1
        and joined[32::33] == "\n" * (n - 1)
        and joined[19::33] == "." * n
        and all(joined[26 + i :: 33] == c * n for i, c in enumerate("+00:00"))
        and joined[0::33] == "2" * n
        and not joined[1::33].strip("01")
    )
