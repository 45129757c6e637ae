"""The card browser's core and its commands: search, sort, suspend, bury, reset, history, on
the real shipped decks and a real progress file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.browse import QueryError, filter_rows, history, load_rows, parse_query, sort_rows
from quizapp.decks import Library
from quizapp.plan import gather
from quizapp.scheduling import StudyQueue
from quizapp.store import Store
from tests.helpers import run_quizapp
from tests.shipped import shipped_library

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def library() -> Library:
    lib = shipped_library()
    assert not lib.errors
    return lib


def rows_for(store: Store, library: Library, query: str = "", now: datetime = NOW) -> list[str]:
    return [r.card.id for r in filter_rows(load_rows(store, library, now=now), query, now=now)]


def test_every_card_of_every_deck_is_a_row(library: Library) -> None:
    with Store.open() as store:
        rows = load_rows(store, library, now=NOW)
    assert [r.card.id for r in rows] == list(library.cards)
    assert {r.card.deck for r in rows} == set(library.decks)


def test_filters_narrow_by_kind_tag_deck_and_words(library: Library) -> None:
    with Store.open() as store:
        traps = rows_for(store, library, "kind:trap")
        assert traps and all(library.cards[i].kind == "trap" for i in traps)
        assert len(traps) == sum(1 for c in library.cards.values() if c.kind == "trap")
        beyond = rows_for(store, library, "deck:beyond")
        assert set(beyond) == {c.id for c in library.cards.values() if c.deck == "beyond"}
        tagged = rows_for(store, library, "tag:ranking -kind:formula")
        assert tagged and all(
            "ranking" in library.cards[i].tags and library.cards[i].kind != "formula"
            for i in tagged
        )
        # Words: every word must appear, case-insensitive.
        huber = rows_for(store, library, "HUBER outlier")
        assert huber and all(
            "huber" in library.cards[i].search_text().lower()
            and "outlier" in library.cards[i].search_text().lower()
            for i in huber
        )


def test_is_filters_follow_the_learners_progress(library: Library) -> None:
    with Store.open() as store:
        store.record_review("trap-mse-everywhere", Rating.Again, kind="trap", now=NOW)
        store.record_review("faq-mse-for-classification", Rating.Easy, kind="faq", now=NOW)
        assert "trap-mse-everywhere" in rows_for(store, library, "is:weak")
        assert "faq-mse-for-classification" not in rows_for(store, library, "is:weak")
        new = rows_for(store, library, "is:new")
        assert "trap-mse-everywhere" not in new and len(new) == len(library.cards) - 2
        # Again schedules it minutes ahead: due within 0 days, due now an hour later.
        assert "trap-mse-everywhere" in rows_for(store, library, "due:0")
        later = NOW + timedelta(hours=1)
        assert "trap-mse-everywhere" in rows_for(store, library, "is:due", now=later)
        assert "faq-mse-for-classification" not in rows_for(store, library, "is:due", now=later)


@pytest.mark.parametrize("bad", ["is:nothing", "colour:red", "due:soon"])
def test_a_bad_search_names_the_term(bad: str) -> None:
    with pytest.raises(QueryError) as err:
        parse_query(bad)
    assert bad.split(":")[0] in str(err.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_typed_search_either_filters_or_says_why(text: str) -> None:
    try:
        terms = parse_query(text)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert all(t.value for t in terms)


def test_sorting_puts_missing_values_last_either_way(library: Library) -> None:
    with Store.open() as store:
        store.record_review("trap-mse-everywhere", Rating.Good, kind="trap", now=NOW)
        store.record_review("faq-mse-for-classification", Rating.Easy, kind="faq", now=NOW)
        rows = load_rows(store, library, now=NOW)
    for reverse in (False, True):
        ordered = sort_rows(rows, "due", reverse=reverse)
        scheduled = [r.card.id for r in ordered[:2]]
        assert set(scheduled) == {"trap-mse-everywhere", "faq-mse-for-classification"}
        dues = [r.due for r in ordered[:2]]
        assert dues == sorted(dues, reverse=reverse)  # type: ignore[type-var]
        assert all(r.due is None for r in ordered[2:])
    by_reviews = sort_rows(rows, "reviews", reverse=True)
    assert by_reviews[0].reviews == 1


def test_suspended_and_buried_cards_leave_study_and_the_plan(library: Library) -> None:
    with Store.open() as store:
        queue = StudyQueue(store, library, now=NOW)
        first = queue.next(limit=3)
        store.set_suspended([first[0]], True)
        store.bury([first[1]], NOW + timedelta(days=1))
        after = queue.next(limit=50)
        assert first[0] not in after and first[1] not in after
        planned = {i.id for i in gather(store, library, now=NOW).items}
        assert first[0] not in planned and first[1] not in planned
        # Tomorrow the buried card is back; the suspended one stays out until unsuspended.
        tomorrow = StudyQueue(store, library, now=NOW + timedelta(days=1, minutes=1))
        back = tomorrow.next(limit=50)
        assert first[1] in back and first[0] not in back
        store.set_suspended([first[0]], False)
        assert first[0] in StudyQueue(store, library, now=NOW).next(limit=50)


def test_reset_makes_a_card_new_keeps_its_history_and_can_be_undone(library: Library) -> None:
    with Store.open() as store:
        store.record_review("trap-mse-everywhere", Rating.Good, kind="trap", now=NOW)
        before = store.card_state("trap-mse-everywhere")
        undo = store.reset_progress("trap-mse-everywhere", now=NOW + timedelta(minutes=5))
        assert store.card_state("trap-mse-everywhere") is None
        assert len(history(store, "trap-mse-everywhere")) == 1
        assert store.undo_reset(undo)
    with Store.open() as store:  # as the next run sees it
        again = store.card_state("trap-mse-everywhere")
        assert again is not None and before is not None and again.due == before.due


def test_history_says_when_how_and_what_it_scheduled(library: Library) -> None:
    with Store.open() as store:
        store.record_review("num-mse", Rating.Again, kind="numeric_drill", answer="0.3",
                            verdict="incorrect", seed=7, now=NOW)  # fmt: skip
        store.record_review("num-mse", Rating.Good, kind="numeric_drill", answer="0.25",
                            verdict="correct", seed=7, now=NOW + timedelta(minutes=10))  # fmt: skip
        entries = history(store, "num-mse")
    assert [e.rating for e in entries] == [1, 3]
    assert entries[0].how.startswith("drill") and "'0.3'" in entries[0].how
    assert entries[1].interval is not None and entries[1].interval > timedelta(0)


def test_the_cli_finds_suspends_and_shows_a_card() -> None:
    bad = run_quizapp("cards", "--search", "kind:nope")
    assert bad.returncode == 2 and "unknown 'kind:nope'" in bad.stderr and "kind:trap" in bad.stderr
    out = run_quizapp("cards", "--search", "kind:trap tag:regression", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert rows and all(r["kind"] == "trap" and "regression" in r["tags"] for r in rows)
    target = rows[0]["id"]
    done = run_quizapp("suspend", target)
    assert done.returncode == 0 and done.stdout.strip() == f"suspended {target}"
    again = run_quizapp("suspend", target)
    assert "already suspended" in again.stdout
    listed = json.loads(run_quizapp("cards", "-s", "is:suspended", "--json").stdout)
    assert [r["id"] for r in listed] == [target]
    info = run_quizapp("card", target)
    assert info.returncode == 0 and "suspended" in info.stdout and target in info.stdout
    undone = run_quizapp("unsuspend", target)
    assert undone.stdout.strip() == f"unsuspended {target}"
    not_again = run_quizapp("unsuspend", target)
    assert "was not suspended" in not_again.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("card", "no-such-card"), "no such card"),
        (("card", ""), "card: the card id is empty; give one ('quizapp cards' lists them)"),
        (("reset", "trap-mse-everywhere", " "), "reset: the card id is empty"),
        (("suspend", "trap-mse-everywher"), "did you mean trap-mse-everywhere"),
        (("cards", "--search", "is:soon"), "unknown 'is:soon'"),
        (("bury", "trap-mse-everywhere", "--days", "0"), "give 1 to 3650 days"),
    ],
)
def test_cli_mistakes_get_one_line_and_exit_2(args: tuple[str, ...], needle: str) -> None:
    out = run_quizapp(*args)
    assert out.returncode == 2
    assert needle in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_the_plan_says_how_many_cards_it_leaves_out() -> None:
    assert run_quizapp("settings", "--interview-date", "2027-03-01").returncode == 0
    before = run_quizapp("plan")
    assert before.returncode == 0 and "left out" not in before.stdout
    assert (
        run_quizapp("suspend", "trap-mse-everywhere", "faq-mse-for-classification").returncode == 0
    )
    after = run_quizapp("plan")
    assert "2 suspended or buried cards are left out" in after.stdout


def test_flags_and_resets_travel_to_another_machine(tmp_path, library: Library) -> None:
    from quizapp.interop.merge import merge_file

    a, b = tmp_path / "a", tmp_path / "b"
    with Store.open(a / "progress.db") as store:
        store.record_review("trap-mse-everywhere", Rating.Easy, kind="trap", now=NOW)
        store.record_review("faq-mse-for-classification", Rating.Easy, kind="faq", now=NOW)
        store.set_suspended(["faq-mse-for-classification"], True)
        store.reset_progress("trap-mse-everywhere", now=NOW + timedelta(minutes=1))
        (tmp_path / "a.json").write_text(json.dumps(store.export()))
    with Store.open(b / "progress.db") as other:
        merge_file(other, tmp_path / "a.json")
        assert other.hidden_ids(NOW) == {"faq-mse-for-classification"}
        assert other.card_state("trap-mse-everywhere") is None  # reset travelled: new again
        assert len(other.reviews("trap-mse-everywhere")) == 1  # its history too
        # B takes the suspension back; A gets that on the next exchange.
        other.set_suspended(["faq-mse-for-classification"], False)
        (tmp_path / "b.json").write_text(json.dumps(other.export()))
    with Store.open(a / "progress.db") as store:
        merge_file(store, tmp_path / "b.json")
        assert store.hidden_ids(NOW) == set()


def test_every_prefix_of_a_kind_is_a_search_and_a_typo_is_named() -> None:
    from quizapp.decks.kinds import REGISTRY

    for name, kind in REGISTRY.items():
        for end in range(1, len(name) + 1):
            assert parse_query(f"kind:{name[:end]}")  # typed letter by letter: never an error
        assert parse_query(f'kind:"{kind.label.lower()}"')
    with pytest.raises(QueryError, match="unknown 'kind:zzz'"):
        parse_query("kind:zzz")


@given(
    st.sampled_from(["tag", "kind", "deck", "due", "is", "TAG"]),
    st.sampled_from(["", '""']),
    st.text(alphabet="abc ", max_size=6),
)
def test_a_filter_without_its_value_is_named_as_unfinished(
    field: str, empty: str, words: str
) -> None:
    """The app keeps matching while "tag:" is being typed; a command's finished search names
    it (and only it: a filter with a value, or a plain word, is fine)."""
    text = f"{words} {field}:{empty} {words}"
    if not empty:  # "tag:" while it is being typed (the app): ignored meanwhile
        assert parse_query(text) == parse_query(f"{words} {words}")
    with pytest.raises(QueryError, match=f"^'{field.lower()}:' needs a value"):
        parse_query(text, finished=True)
    value = {"due": "7", "kind": "trap"}.get(field.lower(), "new")
    done = f"{words} {field}:{value} {words}"
    assert parse_query(done, finished=True) == parse_query(done)


def test_cards_search_with_an_unfinished_filter_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from quizapp.cli import main

    assert main(["cards", "--search", "focal tag:"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "'tag:' needs a value" in err
