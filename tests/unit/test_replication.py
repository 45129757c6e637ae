"""The replicated model, case by case (issue 23): card states derived from the merged log and
the merged settings and parameters, registers that travel (a second change, back to default, an
untick), clocks that run ahead, a copied data folder, hostile card states in a file."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from quizapp.interop.merge import merge_file, replicated
from quizapp.settings import Settings
from quizapp.store import Store
from tests.unit.test_import_merge import _import
from tests.unit.test_one_scheduler import FITTED

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)


def _store(folder: Path) -> Store:
    folder.mkdir(parents=True, exist_ok=True)
    return Store.open(folder / "progress.db")


def _export(store: Store, path: Path) -> Path:
    path.write_text(json.dumps(store.export()), encoding="utf-8")
    return path


def _swap(a: Path, b: Path, tmp: Path) -> None:
    """Each imports the other's export (B's taken after it merged A's, as a sync does)."""
    with _store(a) as sa:
        file_a = _export(sa, tmp / "a.json")
    with _store(b) as sb:
        merge_file(sb, file_a)
        file_b = _export(sb, tmp / "b.json")
    with _store(a) as sa:
        merge_file(sa, file_b)


def _same(*homes: Path) -> dict[str, Any]:
    views = []
    for home in homes:
        with _store(home) as store:
            views.append(replicated(store.export()))
    for view in views[1:]:
        assert view == views[0]
    return views[0]


def test_different_retentions_converge_on_the_later_one(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with _store(a) as sa, _store(b) as sb:
        sb.save_settings(Settings(desired_retention=0.9, new_per_day=12))
        sa.save_settings(Settings(desired_retention=0.8))
        sa.record_review("faq-x", 3, kind="faq", now=T0)
        sb.record_review("faq-x", 3, kind="faq", now=T0 + timedelta(hours=3))
    _swap(a, b, tmp_path)
    view = _same(a, b)
    assert view["settings"]["desired_retention"] == 0.8
    assert len(view["reviews"]) == 2 and view["cards"][0]["reps"] == 2
    # Importing again changes nothing.
    with _store(b) as sb:
        assert merge_file(sb, tmp_path / "a.json").empty


def test_a_fit_on_one_machine_reschedules_every_card_on_the_other(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with _store(a) as sa, _store(b) as sb:
        for i in range(20):
            sa.record_review(f"faq-{i}", 3, kind="faq", now=T0 + timedelta(hours=i))
            sa.record_review(f"faq-{i}", 3, kind="faq", now=T0 + timedelta(days=3, hours=i))
        sb.record_review("faq-b", 2, kind="faq", now=T0)
    _swap(a, b, tmp_path)
    before = _same(a, b)["cards"]
    with _store(a) as sa:
        sa.save_fsrs_fit({"parameters": list(FITTED), "reviews": 500})
    _swap(a, b, tmp_path)
    after = _same(a, b)["cards"]
    assert sum(x != y for x, y in zip(before, after, strict=True)) == len(after)


def test_settings_ticks_and_unticks_travel_back_and_forth(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with _store(a) as sa:
        sa.save_settings(Settings(new_per_day=30))
        sa.set_ticked(3, True, now=T0)
    _swap(a, b, tmp_path)
    with _store(b) as sb:
        assert sb.settings.new_per_day == 30
        sb.save_settings(Settings(new_per_day=25))  # a second change
        sb.set_ticked(3, False)
    _swap(b, a, tmp_path)
    with _store(a) as sa:
        assert sa.settings.new_per_day == 25 and 3 not in sa.ticks()
        sa.save_settings(Settings())  # back to the default
    _swap(a, b, tmp_path)
    with _store(b) as sb:
        assert sb.settings == Settings() and sb.ticks() == {}
        sb.set_ticked(5, True, now=T0 + timedelta(days=1))
    _swap(b, a, tmp_path)
    view = _same(a, b)
    assert view["checklist_ticks"] == [{"number": 5, "ticked_at": "2026-10-02T08:00:00+00:00"}]
    # A later sync on the same machine never re-ticks or resets anything.
    _swap(a, b, tmp_path)
    assert _same(a, b) == view


def test_a_clock_days_ahead_cannot_freeze_a_setting(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with _store(a) as sa:
        sa.clock = lambda: datetime.now(UTC) + timedelta(days=3)
        sa.save_settings(Settings(new_per_day=40))
    _swap(a, b, tmp_path)
    with _store(b) as sb:  # b's clock is right, and changes it after seeing a's change
        sb.save_settings(Settings(new_per_day=8))
    _swap(b, a, tmp_path)
    for home in (a, b):
        with _store(home) as store:
            assert store.settings.new_per_day == 8


def test_a_review_dated_a_year_ahead_is_held_back_naming_its_machine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    now = datetime.now(UTC)
    with _store(a) as sa:
        sa.record_review("faq-now", 3, kind="faq", now=now - timedelta(hours=1))
        sa.record_review("faq-late", 3, kind="faq", now=now + timedelta(days=365))
        machine = sa.machine
        file_a = _export(sa, tmp_path / "a.json")
    code, out, _ = _import(b, file_a, monkeypatch)
    assert code == 0
    assert "added 1 of the 2 reviews" in out
    assert f"held back 1 review from machine {machine}" in out and "check the clock" in out
    with _store(b) as sb:
        assert [r.item_id for r in sb.reviews()] == ["faq-now"]
        # Once this machine's clock reaches it, the same file brings it in.
        plan = merge_file(sb, file_a, now=now + timedelta(days=365))
        assert [r.item_id for r in plan.reviews] == ["faq-late"]


def test_hostile_card_states_in_a_file_are_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    with _store(a) as sa:
        sa.record_review("faq-x", 3, kind="faq", now=T0)
        data = sa.export()
    data["cards"] = [
        {"item_id": "faq-x", "state": "review", "step": -7, "stability": 1e308,
         "difficulty": None, "due": "2026-10-01T08:00:00+00:00", "last_review": None,
         "reps": 1, "lapses": 0, "first_review": "2026-10-01T08:00:00+00:00"},
    ]  # fmt: skip
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data))
    assert _import(b, path, monkeypatch)[0] == 0
    with _store(a) as sa, _store(b) as sb:
        assert sb.card_state("faq-x") == sa.card_state("faq-x")
        state = sb.card_state("faq-x")
        assert state is not None and state.card.step != -7 and state.card.stability < 100


def test_a_copied_data_folder_gets_a_new_machine_id(tmp_path: Path) -> None:
    a = tmp_path / "a"
    with _store(a) as sa:
        sa.record_review("faq-x", 3, kind="faq", now=T0)
        first = sa.machine
    with _store(a) as again:
        assert again.machine == first  # the same folder keeps its id
    copy = tmp_path / "copy"
    shutil.copytree(a, copy)
    with _store(copy) as sc:
        assert sc.machine != first
        notices = sc.new_notices()
    assert len(notices) == 1 and "copied or restored" in notices[0] and first in notices[0]
    with _store(copy) as sc:
        assert not sc.new_notices()


def test_merge_reviews_takes_records_from_another_app_like_a_machine(tmp_path: Path) -> None:
    from quizapp.interop.merge import FileReview, merge_reviews

    records = [
        FileReview("anki-1", "faq-x", "faq", __import__("fsrs").Rating.Good, T0),
        FileReview(
            "anki-2", "faq-x", "faq", __import__("fsrs").Rating.Again, T0 + timedelta(days=2)
        ),
    ]
    with _store(tmp_path / "a") as store:
        plan = merge_reviews(store, records, source="Anki")
        assert len(plan.reviews) == 2 and plan.new_items == {"faq-x"}
        assert merge_reviews(store, records, source="Anki").empty
        state = store.card_state("faq-x")
        assert state is not None and state.reps == 2
