"""The suite's wait for an app's workers: a worker replaced by a newer one of its exclusive group
counts as finished (it did under load, and the wait raised), a failed worker still fails."""

from __future__ import annotations

import threading

import pytest
from textual.app import App
from textual.worker import WorkerFailed, WorkerState

from tests.ui.conftest import workers_done


async def test_a_replaced_worker_is_finished_and_a_failed_one_fails() -> None:
    app: App[None] = App()
    async with app.run_test():
        gate = threading.Event()

        def slow() -> int:
            gate.wait()
            return 1

        first = app.run_worker(slow, thread=True, exclusive=True, group="g")
        second = app.run_worker(lambda: 2, thread=True, exclusive=True, group="g")
        gate.set()
        await workers_done(app)
        assert first.state == WorkerState.CANCELLED and second.result == 2

        def boom() -> None:
            raise ValueError("a real failure")

        app.run_worker(boom, thread=True, exit_on_error=False)
        with pytest.raises(WorkerFailed):
            await workers_done(app)
