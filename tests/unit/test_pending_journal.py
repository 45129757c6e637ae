"""The pending journal (progress.db.pending) never blocks or crashes a start: each good entry
is saved once, each bad line is reported and kept aside, duplicated lines count once."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

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
