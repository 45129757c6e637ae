"""What a fit changes: memory states replayed with the fitted parameters, kept in the store with
the fit (every card derived again from its log with them), and the predictions before and after."""

from __future__ import annotations

import pytest
from fsrs import Rating

from quizapp.fit import DEFAULT_PARAMETERS, LoggedReview, fit, memory_states
from quizapp.scheduling import make_scheduler, replay_item
from quizapp.store import Store
from tests.unit.test_fit import _synthetic_log


def _log() -> list[LoggedReview]:
    return _synthetic_log(120, seed=11, days=90)


def _record(store: Store, log: list[LoggedReview]) -> None:
    with store.batch():
        for r in log:
            store.record_review(r.item_id, r.rating, kind="faq", now=r.reviewed_at)


def test_replaying_with_the_parameters_in_use_gives_the_stored_memory(
    quizapp_home: object,
) -> None:
    log = _log()
    with Store.open() as store:
        _record(store, log)
        stored = store.card_states()
    replayed = memory_states(log, DEFAULT_PARAMETERS)
    assert replayed.keys() == stored.keys()
    for item_id, (stability, difficulty) in replayed.items():
        card = stored[item_id].card
        assert stability == pytest.approx(card.stability, rel=1e-9)
        assert difficulty == pytest.approx(card.difficulty, rel=1e-9)


def test_a_kept_fit_derives_every_card_again_with_its_parameters(quizapp_home: object) -> None:
    log = _synthetic_log(80, seed=3)
    result = fit(log)
    memory = memory_states(log, result.parameters)
    with Store.open() as store:
        _record(store, log)
        before = store.card_states()
        store.save_fsrs_fit(result.to_json(), memory)
    with Store.open() as store:
        after = store.card_states()
        assert list(store.scheduler.parameters) == list(result.parameters)
    changed = 0
    scheduler = make_scheduler(parameters=result.parameters)
    for item_id, state in after.items():
        assert state.card.stability == pytest.approx(memory[item_id][0])
        history = sorted((r for r in log if r.item_id == item_id), key=lambda r: r.reviewed_at)
        expected, _ = replay_item(
            scheduler, item_id, [(Rating(r.rating), r.reviewed_at, None) for r in history]
        )
        assert expected is not None and state.card.due == expected.card.due
        changed += state.card.stability != pytest.approx(before[item_id].card.stability)
    assert changed > len(after) // 2  # the fitted learner's memory differs from the defaults'
