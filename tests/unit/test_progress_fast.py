"""The fast reader of an export file (quizapp.interop.progress_fast) against the old way
(``parse_json`` + ``check_progress``), which stays the authority: on random exports, valid and
damaged in any field of a review, the two give the same content or the same message, and the
fast reader never takes a file the old way refuses. And it is the one that reads an export."""

from __future__ import annotations

import json
import uuid as uuidlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.interop import merge, progress_fast, progress_file
from quizapp.interop.merge import checked_progress
from quizapp.interop.progress_file import (
    RATINGS,
    MergeError,
    ProgressFile,
    check_progress,
    json_chunks,
    parse_json,
)
from quizapp.store import Store

PATH = Path("/nowhere/export.json")
T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)
Known = dict[str, tuple[str, str, int]]

# --------------------------------------------------------------------------- the two ways


def _old(raw: bytes, known: Known) -> ProgressFile | str:
    try:
        return check_progress(PATH, parse_json(PATH, raw), dict(known))
    except MergeError as exc:
        return exc.message


def _new(raw: bytes, known: Known) -> ProgressFile | str:
    try:
        return checked_progress(PATH, raw, dict(known))
    except MergeError as exc:
        return exc.message


def _content(result: ProgressFile | str) -> Any:
    """All of a result: a ProgressFile's fields and each review's stored time text (``at``,
    which FileReview's equality leaves out), or the message."""
    if isinstance(result, str):
        return result
    return (result, [r.at for r in result.reviews], result.already)


def _agree(raw: bytes, known: Known) -> bool:
    """The fast reader agrees with the old way on ``raw``; whether it took the file."""
    old = _old(raw, known)
    assert _content(_new(raw, known)) == _content(old)
    taken = progress_fast.fast_progress(PATH, raw, dict(known))  # (never raises)
    if isinstance(old, str):
        assert taken is None, f"the fast reader took a file the old way refuses: {old}"
    elif taken is not None:
        assert _content(taken) == _content(old)
    return taken is not None


# --------------------------------------------------------------------------- random exports

RATING_NAMES = list(RATINGS)
ITEMS = ["card-1", "card-2", "faq-mse", "x", "a" * 200]
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2199, 12, 31, 23, 59, 59)
).map(lambda t: t.replace(tzinfo=UTC))


def _canonical(t: datetime) -> str:
    return t.isoformat(timespec="microseconds")


# Times the old way reads but not in the stored form (it formats them), and times it refuses.
odd_times = st.one_of(
    times.map(lambda t: t.isoformat(timespec="seconds")),
    times.map(lambda t: t.replace(tzinfo=None).isoformat(timespec="microseconds")),
    times.map(lambda t: _canonical(t).replace("+00:00", "Z")),
    times.map(lambda t: t.astimezone(UTC).isoformat(timespec="microseconds").replace("T", " ")),
    times.map(lambda t: _canonical(t + timedelta(hours=2)).replace("+00:00", "+02:00")),
    times.map(lambda t: _canonical(t).replace("+00:00", "+00:01")),
    st.sampled_from([
        "1999-12-31T23:59:59.999999+00:00", "2200-01-01T00:00:00.000000+00:00",
        "2025-13-01T00:00:00.000000+00:00", "2025-02-30T00:00:00.000000+00:00",
        "2025-01-01T00:00:00.0000001+00:00", "2025-01-01T00:00:00.000001+0000",
        "2025-01-01T00:00:00,000001+00:00", "20250101T000000.000001+00:00",
        "2O25-01-01T00:00:00.000001+00:00", "2025-01-01T00:00:00.000001+00:00\n",
        "２025-01-01T00:00:00.000001+00:00", "2025-01-01T24:00:00.000000+00:00",
        "2099-01-01T00:00:00.000000-00:00", "", "now",
    ]),
)  # fmt: skip
weird = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 604_800_000, 604_800_001]),
    st.floats(),
    st.sampled_from([5.0, -0.0, 1e300]),
    st.text(max_size=8),
    st.sampled_from(["\ud800", "a\udfff", "\udc00\ud800", "good", "Good", "faq", "card-1", "",
                     " ", "x" * 101, "a\x00b", "é", "😀", "-a", "a" * 65, "a\nb", "a\x7f",
                     "x" * 100_001, "\u2028", " card-1"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip
uuid_text = st.one_of(
    st.builds(lambda n: str(uuidlib.UUID(int=n, version=4)), st.integers(0, 2**128 - 1)),
    st.text(alphabet="abcXYZ0189-_ .\n\té٣²\x00", min_size=0, max_size=66),
)


@st.composite
def reviews(draw: st.DrawFn) -> dict[str, Any]:
    review: dict[str, Any] = {
        "id": draw(st.integers(1, 10**6)),
        "uuid": str(uuidlib.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4)),
        "item_id": draw(st.sampled_from(ITEMS)),
        "kind": draw(st.sampled_from(["faq", "derivation", None, "é" * 3])),
        "rating": draw(st.sampled_from(RATING_NAMES)),
        "reviewed_at": _canonical(draw(times)),
        "duration_ms": draw(st.one_of(st.none(), st.integers(0, 604_800_000))),
        "answer": draw(st.one_of(st.none(), st.text(max_size=20))),
        "verdict": draw(st.one_of(st.none(), st.sampled_from(["right", "wrong"]))),
        "seed": draw(st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))),
        "quiz_id": draw(st.one_of(st.none(), st.integers(1, 99))),
        "state_before": draw(st.sampled_from([None, "learning", "review"])),
        "due": draw(st.one_of(st.none(), times.map(_canonical))),
    }
    if draw(st.booleans()):  # an older export's review: fewer fields
        for key in draw(st.sets(st.sampled_from(["id", "quiz_id", "state_before", "due"]))):
            del review[key]
    return review


FIELDS = ["uuid", "item_id", "kind", "rating", "reviewed_at", "duration_ms", "answer",
          "verdict", "seed", "id", "quiz_id", "state_before", "due"]  # fmt: skip


# Values just on either side of each check, by field.
NEAR: dict[str, list[Any]] = {
    "uuid": ["a\nb", "ab\ncd-1", "-a", "a" * 64, "a" * 65, "", "é", "a b", "a_b", "٣", "a\x00",
             "A-9-z", "0---", 7, ["a"]],
    "item_id": ["", " ", "a\nb", "a\x00b", "a\x7f", "x" * 200, "x" * 201, " card-1 ", "\t",
                "é", "\u2028", 1, None],
    "kind": ["x" * 100, "x" * 101, "é" * 100, "é" * 101, "", "a\x00", 1, True],
    "rating": ["Good", "again ", "", "manual", 3, None],
    "duration_ms": [0, -1, 604_800_000, 604_800_001, True, 5.0, "5", -0.0],
    "answer": ["x" * 100_000, "x" * 100_001, "", "a\x00", 1, False],
    "verdict": ["x" * 100_000, "x" * 100_001, "", 1, []],
    "seed": [2**63 - 1, 2**63, -(2**63), -(2**63) - 1, False, 1.5, "1"],
}  # fmt: skip


@st.composite
def damage(draw: st.DrawFn, rows: list[dict[str, Any]]) -> None:
    """One change to one review, in place."""
    i = draw(st.integers(0, len(rows) - 1))
    row = rows[i]
    what = draw(
        st.sampled_from(
            ["near"] * 4 + ["value", "missing", "extra", "time", "uuid", "twin", "null"]
        )
    )
    field = draw(st.sampled_from(FIELDS[:9] * 3 + FIELDS[9:]))  # (mostly the checked ones)
    if what == "near":
        name = draw(st.sampled_from(sorted(NEAR)))
        row[name] = draw(st.sampled_from(NEAR[name]))
    elif what == "value":
        row[field] = draw(weird)
    elif what == "missing":
        row.pop(field, None)
    elif what == "extra":
        row[draw(st.sampled_from(["extra", "UUID", "item", "x" * 3]))] = draw(weird)
    elif what == "time":
        row["reviewed_at"] = draw(odd_times)
    elif what == "uuid":
        row["uuid"] = draw(uuid_text)
    elif what == "twin":  # another review's uuid
        row["uuid"] = rows[draw(st.integers(0, len(rows) - 1))].get("uuid")
    else:
        row["uuid"] = None


def _text_of(row: dict[str, Any], how: str) -> str:
    """One review's JSON text, perhaps with a key given twice (``json`` keeps the last)."""
    text = json.dumps(row)
    if how == "first twice" and row:
        key = next(iter(row))
        text = "{" + f'"{key}": "again", ' + text[1:]
    elif how == "last twice" and row:
        key = next(reversed(row))
        text = text[:-1] + f', "{key}": "again"' + "}"
    return text


@st.composite
def exports(draw: st.DrawFn, quiet: bool = False) -> tuple[bytes, Known]:
    """An export's bytes and the reviews known already. ``quiet``: one review damaged, and
    nothing else of the file (so most damage is what decides)."""
    rows = draw(st.lists(reviews(), min_size=1, max_size=6))
    for _ in range(1 if quiet else draw(st.integers(0, 2))):
        draw(damage(rows))
    texts = [
        _text_of(row, draw(st.sampled_from(["plain"] * 6 + ["first twice", "last twice"])))
        for row in rows
    ]
    if quiet:
        texts = [json.dumps(row) for row in rows]
    data: dict[str, Any] = {
        "format": "quizapp-progress",
        "schema_version": draw(st.sampled_from([4, 6, 6, 6])),
        "exported_at": _canonical(T0),
        "machine": draw(st.sampled_from(["machine-a", None, *([] if quiet else ["bad one"])])),
        "settings": {"desired_retention": draw(st.sampled_from([0.9, *([] if quiet else [2])]))},
        "cram_reviews": draw(
            st.sampled_from([
                [],
                [{"uuid": "c1", "item_id": "card-1", "rating": "good",
                  "reviewed_at": _canonical(T0)}],
                [{"uuid": None, "item_id": "card-1", "rating": "good",
                  "reviewed_at": _canonical(T0)}],
            ])
        ),
        "cards": [],
    }  # fmt: skip
    head = json.dumps(data)[:-1]
    reviews_text = "[" + ", ".join(texts) + "]"
    layout = draw(st.sampled_from(["last", "last", "first", "twice", "empty before"]))
    layout = "last" if quiet else layout
    if layout == "last":
        text = head + ', "reviews": ' + reviews_text + "}"
    elif layout == "first":
        text = '{"reviews": ' + reviews_text + ", " + head[1:] + "}"
    elif layout == "twice":  # the same reviews under two keys: ``json`` keeps the second
        text = head + ', "reviews": ' + reviews_text + ', "reviews": ' + reviews_text + "}"
    else:
        text = head + ', "reviews": [], "reviews": ' + reviews_text + "}"
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    known: Known = {}
    for row in draw(st.lists(st.sampled_from(rows), max_size=len(rows))):
        uid, item, at, name = (row.get(k) for k in ("uuid", "item_id", "reviewed_at", "rating"))
        if isinstance(uid, str):
            number = RATINGS[name] if isinstance(name, str) and name in RATINGS else 1
            exact = (item, at, int(number))
            known[uid] = draw(st.sampled_from([exact, exact, ("card-1", at, 1)]))
    return raw, known


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports())
def test_the_fast_reader_agrees_with_the_old_way(case: tuple[bytes, Known]) -> None:
    _agree(*case)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exports(quiet=True))
def test_the_fast_reader_agrees_on_one_damaged_review(case: tuple[bytes, Known]) -> None:
    _agree(*case)


@settings(max_examples=200, deadline=None)
@given(st.lists(reviews(), min_size=1, max_size=8), st.data())
def test_an_undamaged_export_is_taken_by_the_fast_reader(
    rows: list[dict[str, Any]], data: st.DataObject
) -> None:
    uuids = [r["uuid"] for r in rows]
    if len(set(uuids)) < len(uuids):
        return
    for row in rows:
        if row["kind"] is not None and not row["kind"].isascii():
            row["kind"] = "faq"
    export = {"format": "quizapp-progress", "schema_version": 6, "reviews": rows}
    raw = json.dumps(export).encode()
    known = {
        r["uuid"]: (r["item_id"], r["reviewed_at"], int(RATINGS[r["rating"]]))
        for r in data.draw(st.lists(st.sampled_from(rows)))
    }
    assert _agree(raw, known)


@pytest.mark.parametrize(
    "text",
    [
        # a lone surrogate, escaped and as bytes; NaN; a number beyond 64 bits; 5.0 and true
        # for a whole number; a key given twice; an unknown field json cannot read
        '{"uuid": "\\ud800", %s}',
        '{"answer": "a\\udc00", %s}',
        '{"answer": NaN, %s}',
        '{"seed": 9223372036854775808, %s}',
        '{"seed": -9223372036854775809, %s}',
        '{"duration_ms": 5.0, %s}',
        '{"duration_ms": true, %s}',
        '{"duration_ms": 1e400, %s}',
        '{"duration_ms": -0, %s}',
        '{%s, "rating": "again"}',
        '{%s, "rating": "nope"}',
        '{"rating": "nope", %s}',
        '{%s, "extra": ' + "[" * 5000 + "]" * 5000 + "}",
        '{%s, "id": ' + "9" * 5000 + "}",
        '{%s, "extra": ' + "9" * 5000 + "}",  # (msgspec would skip it; json cannot read it)
    ],
    ids=lambda text: text[:24],
)
def test_the_edges_json_and_msgspec_read_differently(text: str) -> None:
    fields = (
        '"uuid": "u-1", "item_id": "card-1", "rating": "good", '
        '"reviewed_at": "2025-01-01T00:00:00.000001+00:00"'
    )
    body = text.replace("%s", fields) if "%s" in text else text
    # (the first form's key comes before the fields: the fields' uuid is the one json keeps)
    raw = (
        '{"format": "quizapp-progress", "schema_version": 6, "reviews": [' + body + "]}"
    ).encode()
    _agree(raw, {})
    _agree(raw.replace(b"2025-01-01T00", b"2025-01-01T\xff"), {})


def test_a_top_level_nested_too_deeply_or_a_number_json_cannot_read() -> None:
    review = (
        '{"uuid": "u-1", "item_id": "card-1", "rating": "good", '
        '"reviewed_at": "2025-01-01T00:00:00.000001+00:00"}'
    )
    for rest in ('"deep": ' + "[" * 100_000 + "]" * 100_000, '"big": 1' + "0" * 5000):
        raw = '{"format": "quizapp-progress", "schema_version": 6, ' + rest
        raw += ', "reviews": [' + review + "]}"
        assert not _agree(raw.encode(), {})


# --------------------------------------------------------------------------- it is the one used


def _real_export(folder: Path, n: int) -> bytes:
    """An export as ``quizapp export`` writes it, of ``n`` reviews."""
    folder.mkdir(parents=True, exist_ok=True)
    with Store.open(folder / "progress.db") as store:
        for i in range(n):
            store.record_review(f"faq-{i % 3}", 3, kind="faq", now=T0 + timedelta(hours=i))
        return "".join(json_chunks(store.export(raw_reviews=True))).encode()


def test_a_real_export_is_read_by_the_fast_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _real_export(tmp_path / "a", 5)
    assert _agree(raw, {})
    path = tmp_path / "e.json"
    path.write_bytes(raw)

    def slow(*args: object, **kwargs: object) -> object:
        raise AssertionError("the old way read an export the fast reader should have taken")

    monkeypatch.setattr(progress_file, "_reviews", slow)
    monkeypatch.setattr(merge, "check_progress", slow)
    assert len(merge.read_progress_file(path).reviews) == 5
    tmp_path.joinpath("b").mkdir()
    with Store.open(tmp_path / "b" / "progress.db") as store:
        assert len(merge.plan_file(store, path).reviews) == 5
    with Store.open(tmp_path / "a" / "progress.db") as store:  # all of them known already
        plan = merge.plan_file(store, path)
        assert plan.in_file == 5 and plan.empty
