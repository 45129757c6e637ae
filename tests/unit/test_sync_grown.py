"""A sync file that only grew since it was merged whole (the other machine studied and synced
again) has only its new part read: the reviews it held are not parsed or matched again. The plan
of that part is the plan of the whole file, whatever happened in between: new reviews, settings,
reviews dated ahead (held back), an undo here, bytes changed in place, a bad review added."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.interop import merge
from quizapp.interop.merge import MergeError, apply_merge, plan_file, replicated
from quizapp.interop.sync import write_own_file
from quizapp.settings import Settings
from quizapp.store import Store, replica

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)
ITEMS = ["faq-a", "faq-b", "trap-c", "formula-d"]


@pytest.fixture
def full_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The stores (their file names' folders) that read every review they hold for a plan."""
    seen: list[str] = []
    real = merge.known_reviews

    def counted(store: Store) -> dict[str, tuple[str, str, int]]:
        seen.append(store.db.path.parent.name)
        return real(store)

    monkeypatch.setattr(merge, "known_reviews", counted)
    yield seen


def _plan_lines(plan: merge.MergePlan) -> list[str]:
    return plan.describe(done=False)


ACTIONS = ["study", "study", "setting", "ahead", "twin", "undo-here", "undo-travelled",
           "tamper", "bad", "sync"]  # fmt: skip


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 40)), min_size=1, max_size=8))
def test_the_plan_of_a_grown_file_is_the_plan_of_the_whole_file(
    tmp_path_factory: pytest.TempPathFactory, full_reads: list[str], steps: list[tuple[str, int]]
) -> None:
    root = tmp_path_factory.mktemp("grown")
    shared = root / "Sync"
    shared.mkdir()
    for name in ("a", "b", "whole"):
        (root / name).mkdir()
    a, b = Store.open(root / "a" / "progress.db"), Store.open(root / "b" / "progress.db")
    day, at = 0, T0
    try:
        a.record_review("faq-a", 3, kind="faq", now=at)
        own = shared / f"{a.machine}.json"

        def sync(write: bool = True) -> None:
            """a writes its file (unless another tool just changed it); b plans and merges it,
            and so does a copy of b that forgot every file merged before (it reads it whole)."""
            nonlocal day
            day += 1
            now = T0 + timedelta(days=day)
            if write:
                write_own_file(a, shared, a.machine)
            with _copy(b, root / "whole" / "progress.db") as whole:
                try:
                    expected = plan_file(whole, own, now=now)
                except MergeError as exc:
                    with pytest.raises(MergeError) as got:
                        plan_file(b, own, now=now)
                    assert got.value.message == exc.message
                    return
                plan = plan_file(b, own, now=now)
                assert _plan_lines(plan) == _plan_lines(expected)
                assert [r.uuid for r in plan.reviews] == [r.uuid for r in expected.reviews]
                apply_merge(whole, expected)
                apply_merge(b, plan)
                assert replicated(b.export()) == replicated(whole.export())

        sync()
        for action, n in steps:
            at += timedelta(hours=n + 1)
            if action == "study":
                for i in range(n % 3 + 1):
                    a.record_review(ITEMS[(n + i) % 4], (n + i) % 4 + 1, kind="faq", now=at)
            elif action == "setting":
                a.save_settings(Settings(new_per_day=5 + n % 7))
            elif action == "ahead":  # a's clock runs ahead of b's: b holds it back a while
                a.record_review(ITEMS[n % 4], 3, kind="faq", now=T0 + timedelta(days=day + 3))
            elif action == "twin":  # the same review here under another uuid (logs before uuids)
                for store in (a, b):
                    store.record_review(ITEMS[n % 4], 3, kind="faq", now=at)
            elif action == "undo-here":  # b undoes a review of its own: a merged file may hold it
                b.record_review(ITEMS[n % 4], 2, kind="faq", now=at)
                b.undo_last_review()
            elif action == "undo-travelled":  # b's review went to a and came back; b undoes it
                b.record_review(ITEMS[n % 4], 4, kind="faq", now=at)
                write_own_file(b, shared, b.machine)
                apply_merge(a, plan_file(a, shared / f"{b.machine}.json", now=at))
                sync()
                b.undo_last_review()
                sync()  # it comes back from a's file: a has it, and a grow-only log keeps it
            elif action in ("tamper", "bad") and own.exists():
                raw = own.read_bytes()
                if action == "tamper":  # another tool changes the first review's rating
                    raw = raw.replace(b'"rating":"', b'"rating":"x', 1)
                else:  # a review with a rating no one gives, added after the others
                    raw = raw.replace(b"\n  ],\n", b',\n    {"uuid": "u-' + str(n).encode()
                                      + b'", "item_id": "faq-a", "rating": "great", '
                                      b'"reviewed_at": "2026-10-01T09:00:00.000000+00:00"}'
                                      b"\n  ],\n", 1)  # fmt: skip
                own.write_bytes(raw)
                sync(write=False)
            elif action == "sync":
                sync()
        sync()
    finally:
        a.close()
        b.close()


@contextlib.contextmanager
def _copy(store: Store, path: Path) -> Iterator[Store]:
    """A copy of ``store`` (SQLite's backup) that forgot every file it merged."""
    path.unlink(missing_ok=True)
    source, target = sqlite3.connect(store.db.path), sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    with contextlib.closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("DROP TABLE IF EXISTS merged_files")
        conn.execute("DROP TABLE IF EXISTS merged_prefixes")
    with Store.open(path) as copy:
        yield copy


@contextlib.contextmanager
def _two_machines(root: Path) -> Iterator[tuple[Store, Store]]:
    """Two machines' stores under ``root``, and their shared folder ``root/Sync``."""
    for name in ("a", "b", "Sync"):
        (root / name).mkdir()
    with Store.open(root / "a" / "progress.db") as a, Store.open(root / "b" / "progress.db") as b:
        yield a, b


def test_a_day_later_only_the_new_reviews_are_read(tmp_path: Path, full_reads: list[str]) -> None:
    """Of a file merged whole, then grown by two reviews, only those two are read; the summary
    counts every review the file holds."""
    shared = tmp_path / "Sync"
    with _two_machines(tmp_path) as (a, b):
        for day in range(5):
            a.record_review(ITEMS[day % 4], 3, kind="faq", now=T0 + timedelta(days=day))
        write_own_file(a, shared, a.machine)
        own = shared / f"{a.machine}.json"
        apply_merge(b, plan_file(b, own, now=T0 + timedelta(days=6)))
        assert full_reads == ["b"]
        a.record_review("faq-a", 1, kind="faq", now=T0 + timedelta(days=7))
        a.record_review("new-e", 4, kind="faq", now=T0 + timedelta(days=7, hours=1))
        write_own_file(a, shared, a.machine)
        plan = plan_file(b, own, now=T0 + timedelta(days=8))
        assert full_reads == ["b"]  # not read again
        assert [r.item_id for r in plan.reviews] == ["faq-a", "new-e"]
        assert plan.describe(done=True)[0] == (
            f"added 2 of the 7 reviews in {own} (2 items, 1 never reviewed here); "
            "5 were already here"
        )
        apply_merge(b, plan)
        assert len(b.reviews()) == 7
        # Grown again: only the new review is read (the merge of the grown part recorded where
        # the file's reviews end now, not where they ended at the first merge).
        ends = replica.merged_prefix(b.db, str(own.absolute()))
        assert ends is not None and ends[0] == own.read_bytes().index(b"\n  ],\n")
        a.record_review("trap-c", 3, kind="faq", now=T0 + timedelta(days=7, hours=2))
        write_own_file(a, shared, a.machine)
        plan = plan_file(b, own, now=T0 + timedelta(days=8))
        assert full_reads == ["b"] and [r.item_id for r in plan.reviews] == ["trap-c"]
        apply_merge(b, plan)
        assert len(b.reviews()) == 8
        # After an undo here, a merged file may hold what was undone: read whole again.
        b.record_review("faq-b", 2, kind="faq", now=T0 + timedelta(days=8))
        b.undo_last_review()
        a.record_review("faq-b", 3, kind="faq", now=T0 + timedelta(days=9))
        write_own_file(a, shared, a.machine)
        plan = plan_file(b, own, now=T0 + timedelta(days=10))
        assert full_reads == ["b", "b"] and len(plan.reviews) == 1


def test_a_bad_review_added_to_a_grown_file_is_named_where_it_is_in_the_whole_file(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "Sync"
    with _two_machines(tmp_path) as (a, b):
        for day in range(3):
            a.record_review("faq-a", 3, kind="faq", now=T0 + timedelta(days=day))
        write_own_file(a, shared, a.machine)
        own = shared / f"{a.machine}.json"
        apply_merge(b, plan_file(b, own, now=T0 + timedelta(days=4)))
        a.record_review("faq-a", 3, kind="faq", now=T0 + timedelta(days=5))
        write_own_file(a, shared, a.machine)
        lines = own.read_bytes().split(b"\n")
        fourth = [n for n, line in enumerate(lines) if line.startswith(b"    {")][3]
        assert b'"rating":"good"' in lines[fourth]
        lines[fourth] = lines[fourth].replace(b'"rating":"good"', b'"rating":"great"')
        own.write_bytes(b"\n".join(lines))
        with pytest.raises(MergeError) as got:
            plan_file(b, own, now=T0 + timedelta(days=6))
        # Named as a whole read of the file names it (a fresh store reads it whole).
        (tmp_path / "c").mkdir()
        with Store.open(tmp_path / "c" / "progress.db") as c, pytest.raises(MergeError) as whole:
            plan_file(c, own, now=T0 + timedelta(days=6))
        assert got.value.message == whole.value.message
        assert got.value.message.endswith(
            "reviews[3].rating: 'great' is not one of again, hard, good, easy"
        )
