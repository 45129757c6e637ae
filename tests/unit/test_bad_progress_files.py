# ruff: noqa: E501  (a table of bad files, one line each)
"""Bad input to `import` and `sync`, refused cleanly: one line naming the file and the first bad
field with its position, a non-zero exit, nothing written, no hang, no traceback."""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.store import Store
from tests.unit.test_import_merge import _import
from tests.unit.test_sync import _sync

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)


def _home_with_reviews(home: Path, n: int = 2) -> dict[str, Any]:
    home.mkdir(parents=True, exist_ok=True)
    with Store.open(home / "progress.db") as store:
        for i in range(n):
            store.record_review(f"faq-{i}", 3, kind="faq", now=T0 + timedelta(hours=i))
        return store.export()


def _unchanged(home: Path) -> int:
    home.mkdir(parents=True, exist_ok=True)
    with Store.open(home / "progress.db") as store:
        return len(store.reviews())


def test_a_device_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _import(tmp_path / "b", Path("/dev/zero"), monkeypatch)
    assert code == 1 and out == ""
    assert err == "quizapp: import: /dev/zero: is a character device, not an export file; " + (
        "nothing was read; nothing was changed\n"
    )


def test_a_fifo_is_refused_without_waiting_for_a_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    code, _, err = _import(tmp_path / "b", fifo, monkeypatch)
    assert code == 1 and "is a FIFO (named pipe), not an export file" in err


def test_a_folder_and_a_huge_file_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _import(tmp_path / "b", tmp_path, monkeypatch)
    assert code == 1 and "is a folder, not an export file" in err
    huge = tmp_path / "huge.json"
    with open(huge, "wb") as fh:
        fh.truncate(300 * 1024 * 1024)  # sparse: nothing is really written
    code, _, err = _import(tmp_path / "b", huge, monkeypatch)
    assert code == 1 and "more than the 268 MB an export file can be" in err


def test_a_byte_order_mark_is_fine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _home_with_reviews(tmp_path / "a")
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(data).encode())
    code, out, _ = _import(tmp_path / "b", path, monkeypatch)
    assert code == 0 and "added 2 of the 2 reviews" in out


def test_deeply_nested_json_gets_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    code, _, err = _import(tmp_path / "b", path, monkeypatch)
    assert code == 1 and "JSON nested too deeply" in err and "Traceback" not in err


BAD_FIELDS = [
    ("schema_version", lambda d: d.update(schema_version="4"), "schema_version: '4' is not a format version"),
    ("schema_version", lambda d: d.update(schema_version=0), "schema_version: 0 is not a format version"),
    ("schema_version", lambda d: d.pop("schema_version"), "schema_version: None is not a format version"),
    ("rating", lambda d: d["reviews"][1].update(rating="great"), "reviews[1].rating: 'great' is not one of"),
    ("time", lambda d: d["reviews"][0].update(reviewed_at="yesterday"), "reviews[0].reviewed_at: 'yesterday' is not a date and time"),
    ("year", lambda d: d["reviews"][0].update(reviewed_at="0001-01-01T00:00:00"), "reviews[0].reviewed_at: 0001-01-01T00:00:00 is outside 2000-2199"),
    ("duration", lambda d: d["reviews"][1].update(duration_ms=-5), "reviews[1].duration_ms: -5 is not a whole number"),
    ("seed", lambda d: d["reviews"][1].update(seed=2**70), "reviews[1].seed: 1180591620717411303424 is not a whole number"),
    ("item", lambda d: d["reviews"][0].update(item_id=""), "reviews[0].item_id: '' is not an item id"),
    ("kind", lambda d: d["reviews"][0].update(kind=5), "reviews[0].kind: expected a text"),
    ("uuid", lambda d: d["reviews"][1].update(uuid=d["reviews"][0]["uuid"]), "reviews[1].uuid: "),
    ("uuid-list", lambda d: d["reviews"][1].update(uuid=[1]), "reviews[1].uuid: [1] is not a uuid"),
    ("uuid-object", lambda d: d["reviews"][0].update(uuid={"a": 1}), "reviews[0].uuid: {'a': 1} is not a uuid"),
    ("rating-list", lambda d: d["reviews"][1].update(rating=["good"]), "reviews[1].rating: ['good'] is not one of"),
    ("item-list", lambda d: d["reviews"][1].update(item_id=["x"]), "reviews[1].item_id: ['x'] is not an item id"),
    ("register", lambda d: d["registers"].append({"key": "setting:new_per_day", "value": -3, "stamp": "1796597737993.00000.x"}), "is not a valid new_per_day"),
    ("stamp", lambda d: d["registers"].append({"key": "tick:3", "value": None, "stamp": "tomorrow"}), ".stamp: 'tomorrow' is not a stamp"),
    ("machine", lambda d: d.update(machine="../../etc"), "machine: '../../etc' is not a machine id"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "spoil", "message"), BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
def test_every_field_is_checked_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, spoil: Any, message: str
) -> None:
    data = _home_with_reviews(tmp_path / "a")
    spoil(data)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data))
    code, out, err = _import(tmp_path / "b", path, monkeypatch)
    assert code == 1 and out == ""
    assert err.startswith(f"quizapp: import: {path}: ") and message in err, err
    assert err.count("\n") == 1 and err.endswith("; nothing was changed\n")
    assert _unchanged(tmp_path / "b") == 0


def test_a_uuid_already_here_for_another_review_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = _home_with_reviews(tmp_path / "b", 1)
    data = _home_with_reviews(tmp_path / "a", 2)
    data["reviews"][1]["uuid"] = mine["reviews"][0]["uuid"]
    path = tmp_path / "collide.json"
    path.write_text(json.dumps(data))
    code, out, _ = _import(tmp_path / "b", path, monkeypatch)
    assert code == 0
    assert f"its uuid {mine['reviews'][0]['uuid']} is already here for another review" in out


def _synced_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A sync folder holding machine b's file (two reviews)."""
    shared = tmp_path / "Sync"
    shared.mkdir()
    _home_with_reviews(tmp_path / "b")
    assert _sync(tmp_path / "b", shared, monkeypatch)[0] == 0
    return shared


def test_odd_files_in_the_sync_folder_are_skipped_and_the_rest_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = _synced_folder(tmp_path, monkeypatch)
    os.mkfifo(shared / "fifo.json")
    (shared / "zero.json").symlink_to("/dev/zero")
    code, out, err = _sync(tmp_path / "a", shared, monkeypatch)
    assert code == 1
    assert "added 2 of the 2 reviews" in out
    lines = err.splitlines()
    assert len(lines) == 2
    assert "fifo.json: is a FIFO (named pipe)" in lines[0]
    assert "zero.json: a link, not a file; links are not followed here" in lines[1]


def test_a_sync_that_cannot_write_says_what_it_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "Sync"
    shared.mkdir()
    _home_with_reviews(tmp_path / "b")
    _sync(tmp_path / "b", shared, monkeypatch)
    (tmp_path / "a").mkdir()
    with Store.open(tmp_path / "a" / "progress.db") as store:
        me = store.machine
    (shared / f"{me}.json").mkdir()  # something in the way of this machine's file
    code, out, err = _sync(tmp_path / "a", shared, monkeypatch)
    assert code == 1
    assert "added 2 of the 2 reviews" in out
    assert "merged 2 new reviews from 1 machine (saved in your progress), but cannot write" in err
    assert _unchanged(tmp_path / "a") == 2


def test_a_link_planted_as_this_machines_file_is_replaced_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "Sync"
    shared.mkdir()
    _home_with_reviews(tmp_path / "a")
    with Store.open(tmp_path / "a" / "progress.db") as store:
        me = store.machine
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (shared / f"{me}.json").symlink_to(victim)
    assert _sync(tmp_path / "a", shared, monkeypatch)[0] == 0
    assert victim.read_text() == "keep me"
    own = shared / f"{me}.json"
    assert not own.is_symlink() and json.loads(own.read_text())["machine"] == me
    assert [p.name for p in shared.iterdir() if p.name.startswith(".")] == []


def _texts(value: Any, at: str = "") -> list[tuple[str, list[Any], Any]]:
    """Every (position, container path, key or index) of a text value or a key in parsed JSON,
    in document order, as the message names the position."""
    out: list[tuple[str, list[Any], Any]] = []

    def walk(node: Any, at: str, path: list[Any]) -> None:
        if isinstance(node, dict):
            for key, item in node.items():
                out.append((f"{at}: a key" if at else "a key", path, ("key", key)))
                where = f"{at}.{key}" if at else key
                if isinstance(item, str):
                    out.append((where, path, key))
                walk(item, where, [*path, key])
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, str):
                    out.append((f"{at}[{i}]", path, i))
                walk(item, f"{at}[{i}]", [*path, i])

    walk(value, at, [])
    return out


def _spoil(data: dict[str, Any], path: list[Any], key: Any, lone: str, start: bool) -> None:
    node: Any = data
    for step in path:
        node = node[step]
    if isinstance(key, tuple):  # the key itself
        old = key[1]
        node[(lone + old) if start else (old + lone)] = node.pop(old)
    else:
        node[key] = (lone + node[key]) if start else (node[key] + lone)


# Every text import reads and keeps: half a surrogate pair there is named.
READ_TEXTS = [
    "reviews[1].answer", "reviews[0].kind", "reviews[1].item_id", "settings.theme",
    "registers[0].value", "cram_reviews[0].item_id",
]  # fmt: skip


def _surrogate_home(tmp: Path) -> dict[str, Any]:
    data = _home_with_reviews(tmp / "a")
    data["reviews"][1]["answer"] = "2*(yhat - y)"
    data["settings"]["theme"] = "textual-dark"
    data["registers"] = [
        {"key": "setting:theme", "value": "nord", "stamp": "1796597737993.00000.x"}
    ]
    data["cram_reviews"] = [
        {"uuid": "c1", "item_id": "faq-1", "rating": "good", "reviewed_at": T0.isoformat()}
    ]
    return data


def _import_fresh(
    tmp: Path, data: dict[str, Any], name: str = "lone.json"
) -> tuple[int, str, str, Path]:
    """Write ``data`` to ``tmp/name`` and import it into the home ``tmp/b`` (for hypothesis
    tests, which cannot take the function-scoped monkeypatch)."""
    target = tmp / name
    target.write_text(json.dumps(data), encoding="utf-8")  # ensure_ascii: written as \udXXX
    monkeypatch = pytest.MonkeyPatch()
    try:
        return (*_import(tmp / "b", target, monkeypatch), target)
    finally:
        monkeypatch.undo()


@settings(max_examples=20, deadline=None)
@given(
    where=st.sampled_from(READ_TEXTS),
    code=st.integers(0xD800, 0xDFFF),
    start=st.booleans(),
)
def test_half_a_surrogate_pair_in_a_text_import_keeps_is_named_and_nothing_is_written(
    tmp_path_factory: pytest.TempPathFactory, where: str, code: int, start: bool
) -> None:
    """A \\udXXX escape alone is valid JSON but no character: such a text could neither be
    saved nor printed (it was an internal error). Import names its place, exits 1 and writes
    nothing."""
    tmp = tmp_path_factory.mktemp("surrogate")
    data = _surrogate_home(tmp)
    found = [t for t in _texts(data) if t[0] == where]
    assert len(found) == 1, where
    _spoil(data, found[0][1], found[0][2], chr(code), start)
    code_, out, err, target = _import_fresh(tmp, data)
    assert code_ == 1 and out == "", err
    assert err == (
        f"quizapp: import: {target}: {where}: a text holds half of a UTF-16 surrogate pair "
        "(\\ud800-\\udfff alone); fix or remove it; nothing was changed\n"
    )
    assert _unchanged(tmp / "b") == 0


@settings(max_examples=25, deadline=None)
@given(pick=st.integers(min_value=0), code=st.integers(0xD800, 0xDFFF), start=st.booleans())
def test_half_a_surrogate_pair_anywhere_never_breaks_import_or_what_follows(
    tmp_path_factory: pytest.TempPathFactory, pick: int, code: int, start: bool
) -> None:
    """Anywhere else (a key, a field import never reads): refused in one line, or imported, and
    then the progress exports and prints as before."""
    tmp = tmp_path_factory.mktemp("surrogate")
    data = _surrogate_home(tmp)
    texts = _texts(data)
    _, path, key = texts[pick % len(texts)]
    _spoil(data, path, key, chr(code), start)
    code_, _out, err, _ = _import_fresh(tmp, data)
    assert "internal error" not in err and "Traceback" not in err
    if code_ != 0:
        assert code_ == 1 and err.count("\n") == 1 and err.endswith("nothing was changed\n")
        assert _unchanged(tmp / "b") == 0
        return
    with Store.open(tmp / "b" / "progress.db") as store:
        json.dumps(store.export(), ensure_ascii=False).encode("utf-8")  # every text a character
        # (both reviews, unless the text spoiled was a key that holds them, such as "reviews")
        assert len(store.reviews()) in (0, 2)


def test_a_whole_surrogate_pair_is_a_character_and_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _home_with_reviews(tmp_path / "a")
    data["reviews"][0]["answer"] = "grin \U0001f600 and 2*(yhat - y)"
    path = tmp_path / "pair.json"
    path.write_text(json.dumps(data), encoding="utf-8")  # \ud83d\ude00: a pair, escaped
    assert "\\ud83d\\ude00" in path.read_text(encoding="utf-8")
    code, out, err = _import(tmp_path / "b", path, monkeypatch)
    assert code == 0 and "added 2 of the 2 reviews" in out, err
    with Store.open(tmp_path / "b" / "progress.db") as store:
        answers = {r["answer"] for r in store.export()["reviews"]}
    assert "grin \U0001f600 and 2*(yhat - y)" in answers


def test_a_sync_folder_file_with_half_a_pair_is_skipped_and_the_rest_synced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = _synced_folder(tmp_path, monkeypatch)
    bad = _home_with_reviews(tmp_path / "c", 1)
    bad["machine"] = "vm-0badf11e"
    bad["reviews"][0]["verdict"] = "\udc80"
    (shared / "vm-0badf11e.json").write_text(json.dumps(bad), encoding="utf-8")
    code, out, err = _sync(tmp_path / "a", shared, monkeypatch)
    assert code == 1
    assert "added 2 of the 2 reviews" in out
    assert err.count("\n") == 1 and "reviews[0].verdict: a text holds half of a UTF-16" in err
    with Store.open(tmp_path / "a" / "progress.db") as store:
        assert len(store.reviews()) == 2


@settings(max_examples=30, deadline=None)
@given(
    name=st.one_of(
        st.sampled_from(["03", "0003", "0", "1001", "+3", " 3", "3 ", "3.0", "", "²", "٣", "３"]),
        st.text(max_size=5).filter(lambda t: not (t.isascii() and t.isdigit())),
    )
)
def test_a_tick_is_keyed_by_its_plain_number_only(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    """``tick:03`` or ``tick:٣`` would be a second register for item 3, never converging with
    ``tick:3`` (and ``tick:²`` was an internal error): the key is named as not a register."""
    tmp = tmp_path_factory.mktemp("tick")
    data = _home_with_reviews(tmp / "a", 1)
    data["registers"] = [{"key": f"tick:{name}", "value": None, "stamp": "1796597737993.00000.x"}]
    code, out, err, path = _import_fresh(tmp, data, "tick.json")
    assert code == 1 and out == "", err
    assert err.startswith(f"quizapp: import: {path}: registers[0].key: ")
    assert err.endswith("is not a setting, a checklist tick or a card flag; nothing was changed\n")


@pytest.mark.parametrize("number", [1, 9, 10, 16, 1000])
def test_a_tick_by_its_plain_number_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int
) -> None:
    data = _home_with_reviews(tmp_path / "a", 1)
    at = "2026-10-01T09:00:00.000000+00:00"
    data["registers"] = [{"key": f"tick:{number}", "value": at, "stamp": "1796597737993.00000.x"}]
    path = tmp_path / "tick.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = _import(tmp_path / "b", path, monkeypatch)
    assert code == 0 and f"ticked checklist item {number} (changed " in out, err


@settings(max_examples=20, deadline=None)
@given(
    digits=st.text(st.characters(categories=["Nd"]), min_size=13, max_size=13).filter(
        lambda t: not t.isascii()
    )
)
def test_a_stamp_in_another_scripts_digits_is_refused(
    tmp_path_factory: pytest.TempPathFactory, digits: str
) -> None:
    """ "\\d" took ٠١٢… too; such a stamp sorts after every ASCII one, so its value would win
    over every later change everywhere, for ever."""
    tmp = tmp_path_factory.mktemp("stamp")
    data = _home_with_reviews(tmp / "a", 1)
    stamp = f"{digits}.00000.x"
    data["registers"] = [{"key": "setting:new_per_day", "value": 7, "stamp": stamp}]
    code, out, err, _ = _import_fresh(tmp, data, "stamp.json")
    assert code == 1 and out == "" and f"registers[0].stamp: {stamp!r} is not a stamp" in err


@settings(max_examples=25, deadline=None)
@given(
    ms=st.integers(0, 9_999_999_999_999),
    counter=st.integers(0, 99_999),
)
def test_after_any_stamp_is_merged_a_change_made_here_wins(
    tmp_path_factory: pytest.TempPathFactory, ms: int, counter: int
) -> None:
    """A register merged with any stamp (a clock years ahead, the last counter of a
    millisecond) never freezes its key: the next change made here has a later stamp, still a
    valid one, and importing the old file again changes nothing. A stamp from 2200 on is
    refused (the next after it would not fit the stamp's 13 digits)."""
    from quizapp.cli import main
    from quizapp.store.hlc import LATEST_MS

    tmp = tmp_path_factory.mktemp("frozen")
    data = _home_with_reviews(tmp / "a", 1)
    stamp = f"{ms:013d}.{counter:05d}.zz-machine"
    data["registers"] = [{"key": "setting:new_per_day", "value": 7, "stamp": stamp}]
    code, out, err, path = _import_fresh(tmp, data, "ahead.json")
    if ms >= LATEST_MS:
        assert code == 1 and "registers[0].stamp:" in err and "is not a stamp" in err
        return
    assert code == 0 and "set new_per_day to 7" in out, err
    monkeypatch = pytest.MonkeyPatch()
    try:
        monkeypatch.setenv("QUIZAPP_HOME", str(tmp / "b"))
        assert main(["settings", "--new-per-day", "9"]) == 0
        code, out, err = _import(tmp / "b", path, monkeypatch)
        assert code == 0 and "new_per_day" not in out, out
        assert main(["export", "-o", str(tmp / "b.json")]) == 0
    finally:
        monkeypatch.undo()
    mine = {r["key"]: r for r in json.loads((tmp / "b.json").read_text())["registers"]}
    assert mine["setting:new_per_day"]["value"] == 9
    assert mine["setting:new_per_day"]["stamp"] > stamp
    from quizapp.store import hlc

    assert hlc.valid(mine["setting:new_per_day"]["stamp"])


CONTROLS = st.text(
    st.characters(categories=["Cc"]) | st.sampled_from("ab \x1b[]();0-9mJ\x07"),
    min_size=1,
    max_size=12,
).filter(lambda t: any(c < " " or "\x7f" <= c <= "\x9f" for c in t))


# seed_deck_cache only copies a file into the folder it is given: the same for every example.
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(verdict=CONTROLS, answer=CONTROLS)
def test_texts_from_another_machine_never_reach_the_terminal_as_escape_codes(
    tmp_path_factory: pytest.TempPathFactory,
    seed_deck_cache: Callable[[Path], Path],
    verdict: str,
    answer: str,
) -> None:
    """An answer or a verdict merged from a file may hold ESC [2J (clear the screen), a bell or
    a title change: ``quizapp card`` shows each control character as its escape instead."""
    from quizapp.cli import main

    tmp = tmp_path_factory.mktemp("escape")
    seed_deck_cache(tmp / "b")  # as every test's own home has it: no cold deck load per example
    data = _home_with_reviews(tmp / "a", 1)
    data["reviews"][0].update(item_id="faq-loss-vs-metric", verdict=verdict, answer=answer)
    code, _, err, _ = _import_fresh(tmp, data, "escape.json")
    assert code == 0, err
    monkeypatch = pytest.MonkeyPatch()
    out = io.StringIO()
    try:
        monkeypatch.setenv("QUIZAPP_HOME", str(tmp / "b"))
        with contextlib.redirect_stdout(out):
            assert main(["card", data["reviews"][0]["item_id"]]) == 0
        whole = io.StringIO()  # the list, whose last answer column shows the verdict
        with contextlib.redirect_stdout(whole):
            assert main(["cards", "-s", "faq-loss-vs-metric"]) == 0
    finally:
        monkeypatch.undo()
    text = out.getvalue()
    for shown in (text, whole.getvalue()):
        assert not [c for c in shown if (c < " " and c != "\n") or "\x7f" <= c <= "\x9f"], shown
    last = text.splitlines()[-1]  # the answer's line: both texts in it, escaped
    assert "\\x" in last or "\\n" in last or "\\t" in last or "\\r" in last


@pytest.mark.parametrize(
    "theme", ["\x1b]0;pwned\x07", "nord\x1b[2J", " ", "-x", "a" * 65, "n\nord"]
)
def test_a_theme_that_is_no_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    """``quizapp settings`` prints the theme: from a file it is a name, never escape codes."""
    data = _home_with_reviews(tmp_path / "a", 1)
    data["registers"] = [{"key": "setting:theme", "value": theme, "stamp": "1796597737993.00000.x"}]
    path = tmp_path / "theme.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = _import(tmp_path / "b", path, monkeypatch)
    assert code == 1 and out == "" and "registers[0].value: " in err
    assert "is not a valid theme; nothing was changed" in err
