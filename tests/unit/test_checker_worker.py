"""The worker process: warm, limited in time and memory, replaced after a timeout or a crash,
and the verdict then is "unchecked", never "incorrect"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from quizapp.mathcheck import Checker, Problem, UnknownDrillError
from quizapp.mathcheck.cards import problem_of
from tests.shipped import shipped_library

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="module")
def problems() -> list[Problem]:
    library = shipped_library()
    return [problem_of(c) for c in library.of_kind("gradient_drill")]


@pytest.fixture(scope="module")
def checker(problems: list[Problem]) -> Iterator[Checker]:
    with Checker(problems) as c:
        yield c


def test_a_hang_is_cut_off_reported_unchecked_and_the_worker_replaced(checker: Checker) -> None:
    before = checker.restarts
    old_pid = checker.worker_info()["pid"]
    failure = checker._debug("debug-hang", limit=0.5)
    assert failure.kind == "timeout"
    assert checker.restarts == before + 1
    assert checker.check("grad-mse", "2*(yhat - y)").verdict == "correct"
    assert checker.worker_info()["pid"] != old_pid


def test_a_check_over_the_time_limit_is_unchecked_never_incorrect(problems: list) -> None:
    with Checker(problems, time_limit=1e-6) as impatient:
        impatient.warm_up()
        verdict = impatient.check("grad-mse", "2*(y - yhat)")  # wrong, but it cannot tell in time
    assert verdict.verdict == "unchecked"
    assert "not marked wrong" in verdict.message
    assert verdict.interpreted == "2*(y - yhat)"


def test_a_crash_during_a_check_is_unchecked_and_the_next_check_works(checker: Checker) -> None:
    before = checker.restarts
    assert checker._debug("debug-exit").kind == "crash"
    assert checker.restarts == before + 1
    assert checker.check("grad-bce-logit", "p - y").verdict == "correct"


def test_a_worker_that_died_while_idle_is_replaced_silently(checker: Checker) -> None:
    pid = checker.worker_info()["pid"]
    os.kill(pid, signal.SIGKILL)
    assert checker._worker is not None
    checker._worker.process.wait(10)  # it is gone before the next answer arrives
    verdict = checker.check("grad-sigmoid", "p*(1 - p)")
    assert verdict.verdict == "correct"  # not the answer's fault, so it is checked
    assert checker.worker_info()["pid"] != pid


def test_the_worker_caps_its_address_space(checker: Checker) -> None:
    info = checker.worker_info()
    assert info["memory_limit"] is not None and info["memory_limit"] < 4 * 2**30


def test_the_memory_cap_stops_a_runaway_allocation() -> None:
    code = (
        "from quizapp.mathcheck.worker_main import limit_memory\n"
        "limit_memory(64)\n"
        "try:\n"
        "    block = bytearray(512 * 2**20)\n"
        "except MemoryError:\n"
        "    print('refused')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "refused"


def test_the_worker_loads_sympy_itself_and_the_caller_never_does() -> None:
    code = (
        "import sys\n"
        "from quizapp.content import load_library\n"
        "from quizapp.mathcheck import Checker\n"
        "library = load_library(include_user_decks=False)\n"
        # Validating the decks proves their worked derivations (sympy) when the deck cache is
        # cold; what is measured here is the Checker, which must not load sympy in this process.
        "sys.modules.pop('sympy', None)\n"
        "with Checker.from_library(library) as c:\n"
        "    assert c.check('grad-mse', '2*(yhat - y)').verdict == 'correct'\n"
        "    assert c.warm_up(sympy=True)\n"
        "    preview = c.preview('grad-mse', '2*(yhat - y)/2')\n"
        "print('sympy' in sys.modules, repr(preview.pretty))\n"
    )
    env = {**os.environ, "QUIZAPP_CONTENT": str(CONTENT)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr
    loaded, pretty = out.stdout.strip().split(" ", 1)
    assert loaded == "False"
    assert "ŷ" in pretty  # rendered by sympy in the worker, with no main guard in this script


def test_a_preview_before_sympy_has_loaded_shows_the_explicit_form(problems: list) -> None:
    with Checker(problems) as fresh:
        fresh.warm_up()
        preview = fresh.preview("grad-mse", "2(yhat - y)")
        assert preview.ok and preview.explicit == "2*(yhat - y)"
        assert preview.pretty in ("2*(yhat - y)", "2⋅(ŷ - y)")  # never waits for the import


def test_preview_shows_the_reading_names_and_quantities(checker: Checker) -> None:
    assert checker.warm_up(sympy=True)
    preview = checker.preview("grad-bce-logit", "σ(z) − y + 0p")
    assert preview.ok
    assert "σ(z)" in preview.pretty
    assert preview.explicit == "sigmoid(z) - y + 0*p"
    assert preview.variables == ("y", "z", "p")
    assert preview.quantities == ("p = sigmoid(z)",)
    assert any("'*' was added" in n for n in preview.notes)
    assert "where p = sigmoid(z)" in preview.render()


def test_preview_of_a_piecewise_answer_is_drawn_as_cases(checker: Checker) -> None:
    assert checker.warm_up(sympy=True)
    preview = checker.preview("grad-huber", "yhat - y if abs(e) <= delta else delta*sign(yhat - y)")
    assert preview.ok and "for" in preview.pretty and "otherwise" in preview.pretty
    assert "δ" in preview.pretty


def test_preview_of_bad_text_says_what_and_where(checker: Checker) -> None:
    preview = checker.preview("grad-mse", "2*(yhta - y)")
    assert not preview.ok
    assert preview.column == 4 and "did you mean 'yhat'" in (preview.error or "")


def test_explain_simplifies_a_wrong_answer(checker: Checker) -> None:
    assert checker.warm_up(sympy=True)
    verdict = checker.check("grad-mse", "(y - yhat)*2*1 + 0*y", explain=True)
    assert verdict.mistake == "sign"
    assert verdict.simplified and "ŷ" in verdict.simplified


def test_unknown_drill_suggests_the_closest(checker: Checker) -> None:
    with pytest.raises(UnknownDrillError, match="did you mean 'grad-mse'"):
        checker.check("grad-mze", "1")


def test_checks_from_several_threads_at_once_all_get_their_own_verdict(checker: Checker) -> None:
    answers = {"grad-mse": "2*(yhat - y)", "grad-bce-logit": "y - p", "grad-sigmoid": "1 - p"}
    expected = {"grad-mse": "correct", "grad-bce-logit": "incorrect", "grad-sigmoid": "incorrect"}
    results: list[tuple[str, str]] = []

    def work(drill: str) -> None:
        for _ in range(10):
            results.append((drill, checker.check(drill, answers[drill]).verdict))

    threads = [threading.Thread(target=work, args=(d,)) for d in answers for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 60
    assert all(verdict == expected[drill] for drill, verdict in results)
