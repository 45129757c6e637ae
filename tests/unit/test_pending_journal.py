"""The pending journal (progress.db.pending) never blocks or crashes a start: each good entry
is saved once, each bad line is reported and kept aside, duplicated lines count once."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.store import Store

AT = "2026-12-01T10:00:00.000000+00:00"


def _review(item: object, **extra: object) -> dict[str, object]:
    return {"op": "review", "uuid": str(uuid.uuid4()), "item_id": item, "rating": 3,
            "kind": "faq", "at": AT, "duration_ms": None, "answer": None, "verdict": None,
            "seed": None, **extra}  # fmt: skip


def _line(entry: dict[str, object]) -> bytes:
    return json.dumps(entry, sort_keys=True).encode() + b"\n"


def test_bad_entries_are_kept_aside_and_the_good_ones_saved_once(
    quizapp_home: Path, capsys
) -> None:
    path = quizapp_home / "progress.db"
    Store.open(path).close()
    good = _review("faq-good")
    quiz = {"op": "start_quiz", "ref": -1, "mode": "mixed", "config": "{}", "at": AT}
    lines = [
        _line(good),
        _line({"op": "tick", "number": 10**30, "ticked": True, "at": AT}),  # OverflowError
        _line(_review(None)),  # NOT NULL: once rolled back the whole replay
        b'{"op": "tick", "number": 4, "ticked": true, "at": "' + b"\xff\xfe" + b'"}\n',
        _line(quiz),
        _line(quiz),  # written twice by a rewrite cut short: one quiz session
        _line(good),  # and the same review twice: saved once
        _line({"op": "tick", "number": 2, "ticked": True, "at": AT}),
        b"not json at all\n",
        b'{"op": "tick", "numb',  # torn by a kill mid-write: silently dropped
    ]
    Path(f"{path}.pending").write_bytes(b"".join(lines))
    assert main(["stats", "--json"]) == 0  # every command starts, none exits 70
    err = capsys.readouterr().err
    assert "saved 3 actions" in err
    assert "4 lines of progress.db.pending could not be used" in err
    with Store.open(path) as store:
        assert [r.item_id for r in store.reviews()] == ["faq-good"]
        assert set(store.ticks()) == {2}
        assert len(store.quiz_sessions()) == 1
        assert not store.notices  # nothing replayed a second time
    assert not Path(f"{path}.pending").exists()
    rejected = Path(f"{path}.pending.rejected").read_bytes().splitlines()
    assert len(rejected) == 4 and any(b"\xff\xfe" in line for line in rejected)
    assert Path(f"{path}.pending.rejected").stat().st_mode & 0o777 == 0o600


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(junk=st.lists(st.binary(max_size=60), max_size=6), n=st.integers(0, 4))
def test_whatever_the_sidecar_holds_a_start_saves_the_good_entries(
    tmp_path_factory, junk: list[bytes], n: int
) -> None:
    path = tmp_path_factory.mktemp("p") / "progress.db"
    Store.open(path).close()
    good = [_review(f"card-{i}") for i in range(n)]
    body = b"".join(j.replace(b"\n", b" ") + b"\n" for j in junk)
    body += b"".join(_line(e) for e in good)
    Path(f"{path}.pending").write_bytes(body)
    with Store.open(path) as store:
        assert sorted(r.item_id for r in store.reviews()) == sorted(e["item_id"] for e in good)  # type: ignore[type-var]
        assert not store.read_only
    with Store.open(path) as store:
        assert len(store.reviews()) == n  # once, not again at the next start


# A start that replays the sidecar and is killed right after the replay's commit, before the
# sidecar is removed: the window in which every entry of the sidecar is both saved and pending.
KILLED_AFTER_COMMIT = """
import os, signal, sys
from pathlib import Path
from quizapp.store import Store

real_unlink = Path.unlink

def unlink(self, missing_ok=False):
    if self.name.endswith(".pending"):
        os.kill(os.getpid(), signal.SIGKILL)  # the replay has committed: die before this
    return real_unlink(self, missing_ok=missing_ok)

Path.unlink = unlink
Store.open(Path(sys.argv[1]))
"""


def _quiz_entries(ref: int, at: str, items: list[str]) -> list[dict[str, object]]:
    """What a quiz taken while saving had stopped leaves in the journal."""
    start = {"op": "start_quiz", "ref": ref, "mode": "mixed", "config": '{"n": 2}', "at": at}
    answers = [{**_review(item, op="quiz_answer"), "quiz": ref, "correct": True} for item in items]
    return [start, *answers, {"op": "finish_quiz", "quiz": ref, "at": at}]


def _quiz_rows(path: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with Store.open(path) as store:
        sessions = sorted(
            (s.mode, s.started_at, s.finished_at is not None, s.answered)
            for s in store.quiz_sessions()
        )
        answers = sorted((r.item_id, r.quiz_id is not None) for r in store.reviews())
    return sessions, answers  # type: ignore[return-value]


def test_a_start_killed_between_the_replay_and_removing_the_sidecar_repeats_no_quiz(
    quizapp_home: Path,
) -> None:
    path = quizapp_home / "progress.db"
    Store.open(path).close()
    entries = _quiz_entries(-1, AT, ["faq-a", "faq-b"])
    Path(f"{path}.pending").write_bytes(b"".join(_line(e) for e in entries))
    killed = subprocess.run([sys.executable, "-c", KILLED_AFTER_COMMIT, str(path)], timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert Path(f"{path}.pending").exists()  # saved, and still pending: the next start replays
    sessions, answers = _quiz_rows(path)
    assert len(sessions) == 1, sessions  # one quiz, not two
    assert sessions[0][2:] == (True, 2)  # finished, with both answers
    assert answers == [("faq-a", True), ("faq-b", True)]
    assert not Path(f"{path}.pending").exists()


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    quizzes=st.lists(
        st.tuples(st.sampled_from([AT, "2026-12-01T10:05:00.000000+00:00"]), st.integers(0, 2)),
        min_size=1,
        max_size=4,
    )
)
def test_replaying_a_journal_again_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory, quizzes: list[tuple[str, int]]
) -> None:
    # Quizzes may share a start time (a clock that did not move): each is still its own session.
    path = tmp_path_factory.mktemp("p") / "progress.db"
    Store.open(path).close()
    body = b""
    for n, (at, answered) in enumerate(quizzes):
        items = [f"faq-{n}-{i}" for i in range(answered)]
        body += b"".join(_line(e) for e in _quiz_entries(-1 - n, at, items))
    Path(f"{path}.pending").write_bytes(body)
    once = _quiz_rows(path)
    assert len(once[0]) == len(quizzes)
    Path(f"{path}.pending").write_bytes(body)  # as a kill before its removal leaves it
    assert _quiz_rows(path) == once


def test_one_saved_action_and_one_bad_line_are_counted_in_the_singular(
    quizapp_home: Path, capsys
) -> None:
    """The notices read "saved 1 actions ..." and "1 lines of progress.db.pending could not be
    used"."""
    path = quizapp_home / "progress.db"
    Store.open(path).close()
    lines = [_line(_review("faq-good")), b"not json at all\n"]
    Path(f"{path}.pending").write_bytes(b"".join(lines))
    assert main(["stats", "--json"]) == 0
    err = capsys.readouterr().err
    assert "saved 1 action an earlier run could not save" in err
    assert "1 line of progress.db.pending could not be used" in err


def test_pending_actions_a_held_lock_keeps_from_saving_are_said_to_be_kept(
    quizapp_home: Path, capsys
) -> None:
    """A command finds actions in progress.db.pending (an earlier run's, or the open app's)
    while another program holds the lock: it says they are kept and saved later, never that
    they come from an earlier run (the app open on the file may have written them)."""
    from tests.helpers import held_lock

    path = quizapp_home / "progress.db"
    Store.open(path).close()
    Path(f"{path}.pending").write_bytes(_line(_review("faq-held")))
    with held_lock(path):
        assert main(["stats", "--json"]) == 0
    err = capsys.readouterr().err
    assert (
        "1 unsaved action in progress.db.pending could not be saved yet (locked by another "
        "program); it is kept there and saved once the file can be written"
    ) in err
    assert Path(f"{path}.pending").exists()
    assert main(["stats", "--json"]) == 0  # the lock let go: saved now, once
    assert "saved 1 action an earlier run could not save" in capsys.readouterr().err
    assert not Path(f"{path}.pending").exists()
