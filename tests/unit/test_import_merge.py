"""`quizapp import FILE [--dry-run]`: merging another machine's export into this store, on real
SQLite files: both directions end in the same progress, a second import changes nothing, a dry
run changes nothing, bad files change nothing and say why in one line."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import fsrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.interop.merge import merge_file
from quizapp.settings import Settings
from quizapp.store import Store

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)


def _store(folder: Path) -> Store:
    folder.mkdir(parents=True, exist_ok=True)
    return Store.open(folder / "progress.db")


def _export(store: Store, path: Path) -> Path:
    path.write_text(json.dumps(store.export()), encoding="utf-8")
    return path


def _progress(folder: Path) -> dict[str, Any]:
    """Everything a learner would compare between machines (row ids and export time aside)."""
    with _store(folder) as store:
        data = store.export()
    reviews = sorted(
        ({k: v for k, v in r.items() if k != "id"} for r in data["reviews"]),
        key=lambda r: (r["reviewed_at"], r["item_id"], r["rating"]),
    )
    return {
        "reviews": reviews,
        "cards": data["cards"],
        "ticks": data["checklist_ticks"],
        "settings": data["settings"],
    }


def _import(
    home: Path, file: Path, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> tuple[int, str, str]:
    monkeypatch.setenv("QUIZAPP_HOME", str(home))
    import io
    from contextlib import redirect_stderr, redirect_stdout

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["import", str(file), *extra])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def two_machines(tmp_path: Path) -> tuple[Path, Path]:
    """A and B studied some of the same cards at different times, and ticked different items."""
    a, b = tmp_path / "a", tmp_path / "b"
    with _store(a) as sa, _store(b) as sb:
        for day in range(6):
            sa.record_review("faq-shared", 3, kind="faq", now=T0 + timedelta(days=2 * day))
            sb.record_review(
                "faq-shared", 1 if day == 3 else 3, kind="faq",
                now=T0 + timedelta(days=2 * day, hours=7),
            )  # fmt: skip
            sb.record_review("mc-only-b", 4, kind="multiple_choice", now=T0 + timedelta(days=day))
        sa.record_review("trap-only-a", 2, kind="trap", now=T0 + timedelta(hours=1))
        sa.set_ticked(2, True, now=T0)
        sb.set_ticked(5, True, now=T0 + timedelta(days=1))
        sb.save_settings(Settings(new_per_day=7))
    return a, b


def test_merging_both_ways_gives_both_machines_the_same_progress(
    two_machines: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_machines
    with _store(a) as sa, _store(b) as sb:
        file_a, file_b = _export(sa, tmp_path / "a.json"), _export(sb, tmp_path / "b.json")
        counts = (len(sa.reviews()), len(sb.reviews()))
    code, out, err = _import(a, file_b, monkeypatch)
    assert code == 0 and err == ""
    assert f"added {counts[1]} of the {counts[1]} reviews in {file_b}" in out
    assert "ticked checklist item 5" in out and "set new_per_day to 7" in out
    code, out, _ = _import(b, file_a, monkeypatch)
    assert code == 0 and f"added {counts[0]} of the {counts[0]} reviews" in out

    merged_a, merged_b = _progress(a), _progress(b)
    assert merged_a == merged_b
    assert len(merged_a["reviews"]) == sum(counts)
    assert [t["number"] for t in merged_a["ticks"]] == [2, 5]
    # The shared card's state is the replay of all 12 reviews: 6 from each machine.
    shared = next(c for c in merged_a["cards"] if c["item_id"] == "faq-shared")
    assert shared["reps"] == 12 and shared["lapses"] == 1
    # The totals a learner sees agree on both machines.
    for home in (a, b):
        monkeypatch.setenv("QUIZAPP_HOME", str(home))
        with _store(home) as s:
            assert s.review_count() == sum(counts)


def test_importing_the_same_file_twice_changes_nothing(
    two_machines: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_machines
    with _store(b) as sb:
        file_b = _export(sb, tmp_path / "b.json")
    assert _import(a, file_b, monkeypatch)[0] == 0
    once = _progress(a)
    code, out, err = _import(a, file_b, monkeypatch)
    assert code == 0 and err == ""
    assert out.startswith(f"nothing new in {file_b}: this store already has all of its")
    assert _progress(a) == once


def test_dry_run_says_what_would_be_added_and_changes_nothing(
    two_machines: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_machines
    with _store(b) as sb:
        file_b = _export(sb, tmp_path / "b.json")
        n = len(sb.reviews())
    before = _progress(a)
    code, out, _ = _import(a, file_b, monkeypatch, "--dry-run")
    assert code == 0
    assert f"would add {n} of the {n} reviews" in out and "would tick checklist item 5" in out
    assert _progress(a) == before


def test_the_later_change_of_a_setting_wins_on_both_machines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with _store(a) as sa, _store(b) as sb:
        sa.save_settings(Settings(desired_retention=0.85))
        sb.save_settings(Settings(desired_retention=0.95, new_per_day=5))
        file_a, file_b = _export(sa, tmp_path / "a.json"), _export(sb, tmp_path / "b.json")
    code, out, _ = _import(a, file_b, monkeypatch)
    assert code == 0
    assert "set desired_retention to 0.95" in out
    code, out, _ = _import(b, file_a, monkeypatch)
    assert code == 0 and "desired_retention" not in out  # the older change loses here too
    for home in (a, b):
        with _store(home) as store:
            assert store.settings == Settings(desired_retention=0.95, new_per_day=5)


def test_the_rebuilt_state_is_what_studying_the_whole_log_on_one_machine_gives(
    two_machines: tuple[Path, Path], tmp_path: Path
) -> None:
    a, b = two_machines
    with _store(a) as sa, _store(b) as sb, _store(tmp_path / "one") as one:
        merge_file(sa, _export(sb, tmp_path / "b.json"))
        for r in sorted(sa.reviews(), key=lambda r: r.reviewed_at):
            one.record_review(r.item_id, r.rating, kind=r.kind, now=r.reviewed_at)
        merged, reference = sa.card_states(), one.card_states()
    assert merged.keys() == reference.keys()
    for item_id, state in merged.items():
        ref = reference[item_id]
        # Fuzzing moves due dates only; state, memory and counts do not depend on it.
        assert (state.card.state, state.reps, state.lapses, state.first_review) == (
            ref.card.state,
            ref.reps,
            ref.lapses,
            ref.first_review,
        ), item_id
        assert state.card.stability == pytest.approx(ref.card.stability), item_id
        assert state.card.difficulty == pytest.approx(ref.card.difficulty), item_id


def _bad_files(tmp_path: Path, good: dict[str, Any]) -> dict[str, tuple[Path, str]]:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    def variant(name: str, change: Any) -> Path:
        data = json.loads(json.dumps(good))
        change(data)
        return write(name, json.dumps(data))

    folder = tmp_path / "a-folder"
    folder.mkdir()
    return {
        "missing": (tmp_path / "nope.json", "no such file"),
        "folder": (folder, "is a folder"),
        "not json": (write("x.json", '{"format": '), "not valid JSON (line 1)"),
        "binary": (tmp_path / "progress.db", "not UTF-8 text"),
        "other json": (write("y.json", "[1, 2]"), "not a quizapp export"),
        "newer": (variant("n.json", lambda d: d.update(schema_version=99)), "newer quizapp"),
        "rating": (
            variant("r.json", lambda d: d["reviews"][1].update(rating="ok")),
            "reviews[1].rating: 'ok' is not one of again, hard, good, easy",
        ),
        "time": (
            variant("t.json", lambda d: d["reviews"][0].update(reviewed_at="yesterday")),
            "reviews[0].reviewed_at: 'yesterday' is not a date and time",
        ),
        "reviews": (variant("l.json", lambda d: d.update(reviews={})), "reviews: expected a list"),
        "tick": (
            variant("k.json", lambda d: d["checklist_ticks"].append({"number": "x"})),
            "is not a whole number from 1 to 1000",
        ),
        "setting": (
            variant("s.json", lambda d: d["settings"].update(desired_retention=3)),
            "settings.desired_retention: 3 is not a valid desired_retention",
        ),
    }


BAD = [
    "missing", "folder", "not json", "binary", "other json", "newer", "rating", "time",
    "reviews", "tick", "setting",
]  # fmt: skip


@pytest.mark.parametrize("case", BAD)
def test_a_bad_file_gets_one_line_and_changes_nothing(
    case: str,
    two_machines: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = two_machines
    with _store(b) as sb:
        good = sb.export()
    (tmp_path / "progress.db").write_bytes((b / "progress.db").read_bytes()[:4096])
    path, message = _bad_files(tmp_path, good)[case]
    before = _progress(a)
    code, out, err = _import(a, path, monkeypatch)
    assert code == 1 and out == ""
    assert err.startswith(f"quizapp: import: {path}") and message in err, err
    assert err.endswith("; nothing was changed\n") and err.count("\n") == 1
    assert _progress(a) == before


# A review: (who made it: 0 machine A, 1 machine B, 2 A before the two last merged), item,
# day offset, minutes, rating.
REVIEWS = st.lists(
    st.tuples(
        st.sampled_from([0, 1, 2]),
        st.sampled_from(["faq-1", "faq-2", "trap-1"]),
        st.integers(0, 40),
        st.integers(0, 1439),
        st.sampled_from(list(fsrs.Rating)),
    ),
    max_size=12,
    unique_by=lambda r: (r[1], r[2], r[3]),
)


def _record(store: Store, reviews: list[tuple[int, str, int, int, fsrs.Rating]]) -> None:
    # Live, in time order, as a learner would.
    for _, item, day, minute, rating in sorted(reviews, key=lambda r: (r[2], r[3])):
        at = T0 + timedelta(days=day, minutes=minute)
        store.record_review(item, rating, kind=item.split("-")[0], now=at)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(log=REVIEWS)
def test_any_two_logs_merge_to_their_union_both_ways_and_idempotently(
    tmp_path_factory: pytest.TempPathFactory, log: list[tuple[int, str, int, int, fsrs.Rating]]
) -> None:
    root = tmp_path_factory.mktemp("prop")
    a, b = root / "a", root / "b"
    with _store(a) as sa, _store(b) as sb:
        # A shared history (A's, merged into B), then each machine studies on its own.
        _record(sa, [r for r in log if r[0] == 2])
        merge_file(sb, _export(sa, root / "shared.json"))
        _record(sa, [r for r in log if r[0] == 0])
        _record(sb, [r for r in log if r[0] == 1])
        file_a, file_b = _export(sa, root / "a.json"), _export(sb, root / "b.json")
        merge_file(sa, file_b)
        merge_file(sb, file_a)
        again = merge_file(sa, file_b)
    assert again.empty
    merged_a, merged_b = _progress(a), _progress(b)
    assert merged_a == merged_b
    assert len(merged_a["reviews"]) == len(log)


def test_a_store_locked_by_another_program_gets_one_line_and_keeps_its_progress(
    two_machines: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from quizapp.store import EXIT_CODES

    a, b = two_machines
    with _store(b) as sb:
        file_b = _export(sb, tmp_path / "b.json")
    before = _progress(a)
    holder = sqlite3.connect(a / "progress.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program writing, for longer than the timeout
    try:
        code, out, err = _import(a, file_b, monkeypatch)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == EXIT_CODES["busy"] and out == ""
    assert err.startswith("quizapp: import: ") and err.endswith("; nothing was changed\n")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert _progress(a) == before


def test_the_summary_says_what_each_register_did_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Flags and a setting put back to its default read as what happened, not "set faq-1 to
    None" or "set interview_date to None"."""
    a, b = tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv("QUIZAPP_HOME", str(a))
    for args in (
        ["settings", "--new-per-day", "30"],
        ["settings", "--interview-date", "2027-01-15"],
        ["settings", "--interview-date", "none"],  # back to the default
        ["suspend", "faq-loss-vs-metric"],
        ["bury", "faq-mse-outliers", "--days", "2"],
        ["export", "-o", str(tmp_path / "a.json")],
    ):
        assert main(args) == 0
    code, out, err = _import(b, tmp_path / "a.json", monkeypatch, "--dry-run")
    assert code == 0, err
    assert "would set new_per_day to 30 (changed " in out
    assert "would set interview_date to none (changed " in out
    assert "would suspend faq-loss-vs-metric (changed " in out
    assert re.search(r"would bury faq-mse-outliers until \d{4}-\d\d-\d\d \d\d:\d\d UTC \(", out)
    code, out, err = _import(b, tmp_path / "a.json", monkeypatch)
    assert "set interview_date to none (changed " in out
    assert "suspended faq-loss-vs-metric" in out
    monkeypatch.setenv("QUIZAPP_HOME", str(a))
    assert main(["unsuspend", "faq-loss-vs-metric"]) == 0
    assert main(["unbury", "faq-mse-outliers"]) == 0
    assert main(["export", "-o", str(tmp_path / "a2.json")]) == 0
    code, out, err = _import(b, tmp_path / "a2.json", monkeypatch)
    assert "unsuspended faq-loss-vs-metric (changed " in out
    assert "unburied faq-mse-outliers (changed " in out
    assert "None" not in out
