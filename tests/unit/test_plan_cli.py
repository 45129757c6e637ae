"""`quizapp plan`: the plan to the interview as a learner (or a script) reads it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from quizapp.cli import main
from quizapp.store import Store
from tests.unit.progress_decks import checklist_item, faq, write_deck


@pytest.fixture(autouse=True)
def decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_deck(
        tmp_path / "content",
        {
            "basics": [faq(f"faq-{i}") for i in range(30)],
            "checklist": [checklist_item(n, ["faq-1", "faq-2"]) for n in range(1, 10)],
        },
    )
    monkeypatch.setenv("QUIZAPP_CONTENT", str(folder))
    return folder


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_without_an_interview_date_it_says_how_to_set_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "plan", "--json")
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert "quizapp settings --interview-date YYYY-MM-DD" in err


def test_json_has_every_field_and_one_row_per_day(capsys: pytest.CaptureFixture[str]) -> None:
    interview = date.today() + timedelta(days=6)
    with Store.open() as store:
        store.save_settings(store.settings.__class__(interview_date=interview, new_per_day=2))
        # An hour ago: its next learning step (minutes later) is due now at any time of day,
        # also a few minutes before midnight.
        an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
        store.record_review("faq-1", fsrs.Rating.Good, kind="faq", now=an_hour_ago)
    code, out, err = run(capsys, "plan", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["interview_date"] == interview.isoformat()
    assert data["days_left"] == 6
    assert data["target"] == pytest.approx(0.9)
    assert [row["date"] for row in data["per_day"]] == [
        (date.today() + timedelta(days=k)).isoformat() for k in range(7)
    ]
    assert set(data["today"]) == {"reviews", "new", "new_practice", "cram"}
    assert set(data["readiness"]) == {"overall", "by_deck", "by_tag", "by_checklist"}
    # 29 cards never seen (recall 0) and one seen once lately, whose recall will have faded
    # below 90% in six days: all below target, the seen one last (weakest first).
    assert len(data["below_target"]) == 30 and data["below_target"][-1] == "faq-1"
    assert data["today"]["reviews"] == 1  # its next learning step is due in minutes
    assert data["new_per_day_raised"] is True
    assert sum(row["new"] for row in data["per_day"]) == 29
    assert data["readiness"]["by_checklist"]["1"]["items"] == 2


def test_text_output_gives_the_summary_and_the_days(capsys: pytest.CaptureFixture[str]) -> None:
    interview = date.today() + timedelta(days=30)
    with Store.open() as store:
        store.save_settings(store.settings.__class__(interview_date=interview))
    code, out, _ = run(capsys, "plan", "--days", "3")
    assert code == 0
    assert "Ready: 0% · 30 cards below target" in out
    assert "Today: 0 reviews, 20 new" in out
    assert "... 28 more days" in out


def test_a_past_interview_date_is_an_error_with_what_to_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with Store.open() as store:
        past = date.today() - timedelta(days=3)
        store.save_settings(store.settings.__class__(interview_date=past))
    code, out, err = run(capsys, "plan")
    assert out == ""
    assert code == 1 and "has passed" in err and "--interview-date" in err


def test_fit_says_how_far_off_it_is_then_fits_and_keeps_the_parameters(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tests.unit.test_fit import _synthetic_log

    code, out, err = run(capsys, "plan", "--fit")
    assert code == 1 and "0 of about 400 reviews" in err and out == ""
    log = _synthetic_log(200, seed=3)
    with Store.open() as store, store.batch():
        for r in log:
            store.record_review(r.item_id, r.rating, kind="faq", now=r.reviewed_at)
    code, out, err = run(capsys, "plan", "--fit")
    assert code == 0, err
    assert "FSRS fitted to you on" in out and "log-loss" in out
    with Store.open() as store:
        stored = store.fsrs_fit()
        assert stored is not None and stored["reviews"] >= 400
        assert list(store.scheduler.parameters) == stored["parameters"]


def _fittable_history() -> None:
    """A synthetic learner's log (about 650 usable reviews, enough for a fit) on 30 cards."""
    from tests.unit.test_fit import _synthetic_log

    with Store.open() as store, store.batch():
        for r in _synthetic_log(80, seed=3):
            item = f"faq-{int(r.item_id.split('-')[1]) % 30}"
            store.record_review(item, r.rating, kind="faq", now=r.reviewed_at)


def test_fit_shows_the_change_it_makes_to_the_predictions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    interview = date.today() + timedelta(days=9)
    with Store.open() as store:
        store.save_settings(store.settings.__class__(interview_date=interview))
    _fittable_history()
    code, out, err = run(capsys, "plan", "--json")
    assert code == 0, err
    before = json.loads(out)
    code, out, err = run(capsys, "plan", "--fit", "--json")
    assert code == 0, err
    change = json.loads(out)["change"]
    code, out, err = run(capsys, "plan", "--json")
    after = json.loads(out)
    # The change reported is the change that happened to the plan's own readiness.
    assert change["ready_before"] == before["readiness"]["overall"]
    assert change["ready_after"] == after["readiness"]["overall"]
    assert change["below_after"] == len(after["below_target"])
    # (This short log fits FSRS's defaults to float precision, so recall now barely moves:
    # each card is derived from its log in time order both before and after the fit.)
    assert change["recall_now_before"] == pytest.approx(change["recall_now_after"], abs=1e-3)
    assert "FSRS fitted to you on" in after["fsrs"]


def test_fit_in_text_says_what_changed(capsys: pytest.CaptureFixture[str]) -> None:
    _fittable_history()
    code, out, err = run(capsys, "plan", "--fit")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("FSRS fitted to you on")
    assert lines[1].startswith("Predicted recall now of the cards you have seen: ")
    assert lines[2].startswith("Ready on the morning: ") and "below target" in lines[2]
