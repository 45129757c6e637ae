"""A count reads as a learner would write it: "1 review", "2 reviews", never "1 reviews". The
helper, then the commands a learner runs on a store holding exactly one review (real SQLite
file, real decks, in process)."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.cli import main
from quizapp.store import Store
from quizapp.wording import counted, plural_of

# "1" then a plural noun a command prints with a count
ONE_PLURAL = re.compile(
    r"(?<![\d.,])1 (new )?(reviews|cards|card states|lapses|answers|items|machines|drills|notes|"
    r"questions|backups)\b"
)


@given(n=st.integers(min_value=0, max_value=10**6), noun=st.sampled_from(["review", "card"]))
def test_counted_takes_the_number_of_its_count(n: int, noun: str) -> None:
    text = counted(n, noun)
    assert text.startswith(f"{n} ")
    assert text.endswith(noun if n == 1 else noun + "s")
    assert plural_of(n, "is", "are") == ("is" if n == 1 else "are")


def _run(home: Path, *args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp, redirect_stdout(out), redirect_stderr(err):
        mp.setenv("QUIZAPP_HOME", str(home))
        code = main(list(args))
    assert code == 0, err.getvalue()
    return out.getvalue() + err.getvalue()


def test_commands_on_one_review_say_one_review(tmp_path: Path) -> None:
    home, other, shared = tmp_path / "home", tmp_path / "other", tmp_path / "Sync"
    for folder in (home, other, shared):
        folder.mkdir()
    now = datetime.now(UTC)
    with Store.open(other / "progress.db") as store:
        store.record_review("faq-softmax-vs-sigmoid", 1, kind="faq", now=now - timedelta(days=3))
    with Store.open(home / "progress.db") as store:
        item = "trap-mse-everywhere"
        store.record_review(item, 3, kind="trap", now=now - timedelta(days=2))
        store.save_settings(store.settings.__class__(new_per_day=1))
    said = [
        _run(home, "settings", "--interview-date", (now + timedelta(days=9)).date().isoformat()),
        _run(home, "plan", "--days", "3"),
        _run(home, "stats"),
        _run(home, "card", item),
        _run(home, "cards", "--search", "is:due"),
        _run(home, "export", "-o", str(tmp_path / "one.json")),
        _run(other, "sync", str(shared)),
        _run(home, "sync", str(shared)),
    ]
    data = json.loads((tmp_path / "one.json").read_text())
    data["reviews"] = data["reviews"][:1]
    (tmp_path / "again.json").write_text(json.dumps(data))
    said.append(_run(other, "import", str(tmp_path / "again.json")))
    text = "\n".join(said)
    assert "exported 1 review and 1 card state" in text
    assert "merged 1 new review from 1 machine" in text
    assert not ONE_PLURAL.findall(text), text
