"""The one-shot check of ``quizapp check DRILL ANSWER``: a child forked from the command gives the
same verdict as the warm worker, and keeps the worker's protection: a hang or a crash is cut
off and reported "unchecked", never "incorrect", and no child is left behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from quizapp.mathcheck import UnknownDrillError, check_answer
from quizapp.mathcheck import inprocess as checker_module
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.fork_checker import ForkChecker
from tests.shipped import shipped_library
from tests.unit.gradient_corpus import CORPUS

CONTENT = Path(__file__).resolve().parents[2] / "content"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the one-shot check forks")


@pytest.fixture(scope="module")
def library():  # type: ignore[no-untyped-def]
    return shipped_library()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize("drill", ["grad-mse", "grad-bce-logit", "grad-hinge"])
def test_the_forked_check_gives_the_verdict_and_message_of_a_check_in_process(
    library, drill: str
) -> None:
    right, wrong = CORPUS[drill]
    answers = [right[0], wrong[0][0], "2*(yhat - ", "1/0"]
    problem = problem_of(library.cards[drill])
    for answer in answers:
        with ForkChecker() as one_shot:
            one_shot.add_library(library)
            got = one_shot.check(drill, answer)
        assert got == check_answer(problem, answer), answer


def test_a_hung_check_is_cut_off_at_the_time_limit_and_reported_unchecked(
    library, monkeypatch: pytest.MonkeyPatch
) -> None:
    def hang(*args: object, **kwargs: object) -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # beat the soft deadline
        time.sleep(3600)

    # The child is a fork of this process: it runs the patched function.
    monkeypatch.setattr(checker_module, "check_answer", hang)
    start = time.monotonic()
    with ForkChecker(time_limit=0.5) as one_shot:
        one_shot.add_library(library)
        pid = one_shot._pid
        verdict = one_shot.check("grad-mse", "2*(y - yhat)")
    assert time.monotonic() - start < 15  # the start-up allowance is separate from the limit
    assert verdict.verdict == "unchecked"
    assert "took longer than 0.5 s" in verdict.message
    assert verdict.interpreted == "2*(y - yhat)"
    assert pid is not None and _gone(pid)


def test_a_crash_in_the_child_is_unchecked_never_incorrect(
    library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checker_module, "check_answer", lambda *a, **k: os._exit(3))
    with ForkChecker() as one_shot:
        one_shot.add_library(library)
        verdict = one_shot.check("grad-mse", "2*(y - yhat)")
    assert verdict.verdict == "unchecked"
    assert "stopped" in verdict.message


def test_an_unknown_drill_names_the_closest_and_leaves_no_child(library) -> None:
    with ForkChecker() as one_shot:
        one_shot.add_library(library)
        pid = one_shot._pid
        with pytest.raises(UnknownDrillError, match="did you mean 'grad-mse'"):
            one_shot.check("grad-mes", "2*(yhat - y)")
    assert pid is not None and _gone(pid)


def test_without_fork_the_check_runs_in_the_worker_and_leaks_no_pipe(
    library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from quizapp.mathcheck import fork_checker as oneshot
    from quizapp.mathcheck.warm_worker import Checker

    def no_fork() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(oneshot, "_can_fork", lambda: True)
    monkeypatch.setattr(oneshot.os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    with oneshot.one_shot_checker() as checker:
        after = len(os.listdir("/proc/self/fd")) if before is not None else None
        assert isinstance(checker, Checker)
        checker.add_library(library)
        assert checker.check("grad-mse", "2*(yhat - y)").verdict == "correct"
    if before is not None and after is not None:
        assert after <= before + 2  # the worker's socket only, not the four pipe ends
