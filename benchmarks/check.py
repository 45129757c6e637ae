"""How fast the gradient checker answers.

Measures, over the test corpus (every drill's right and wrong answers):

- a check in process (``check_answer``) and through the warm worker (``Checker.check``);
- the "interpreted as" preview in process and through the worker;
- a check through ``quizapp check --batch -`` (a pipe into a running CLI);
- the first check after start: the whole ``quizapp check`` command in a fresh process (the
  target), and inside a fresh interpreter the command's one-shot check and the app's worker;
- the baseline the guide warns against, ``sympy.simplify(answer - reference) == 0``, for the
  ratio (and how often it fails to see a right answer as right).

- trust: wrong answers built to pass (tests/unit/adversarial_corpus.py) judged correct (must be
  0), equivalent right forms accepted, and whether ``quizapp check --batch`` gives every answer the
  same verdict and message as a check in process.

Targets (issue 24, warm worker): a right answer proved p95 <= 150 ms, max <= 1 s; a wrong
answer with its counterexample p95 <= 20 ms; a 6-line derivation p95 <= 300 ms; the whole
``quizapp check`` command <= 500 ms; preview < 20 ms.
Latencies are wall clock; "cpu" lines give the in-process CPU time, steadier on a busy machine.
Run: .venv/bin/python benchmarks/check.py
"""

from __future__ import annotations

import json
import os
import runpy
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from quizapp.content import load_library
from quizapp.mathcheck import Checker, check_answer, preview_answer
from quizapp.mathcheck.cards import problem_of

ROOT = Path(__file__).resolve().parents[1]
CORPUS = runpy.run_path(str(ROOT / "tests" / "unit" / "gradient_corpus.py"))["CORPUS"]
ADVERSARIAL = runpy.run_path(str(ROOT / "tests" / "unit" / "adversarial_corpus.py"))

ENV = {**os.environ, "QUIZAPP_CONTENT": str(ROOT / "content")}


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return statistics.median(ordered), p95, ordered[-1]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def cpu_timed(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return (time.process_time() - start) * 1000


def report(name: str, samples: list[float], target: float | None = None) -> float:
    p50, p95, worst = percentiles(samples)
    verdict = "" if target is None else ("  ok" if p95 <= target else f"  OVER {target:g} ms")
    figures = f"p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  max {worst:7.2f} ms"
    print(f"{name:<38} n={len(samples):<4} {figures}{verdict}")
    return p50


def corpus() -> list[tuple[str, str]]:
    items = []
    for drill, (right, wrong) in CORPUS.items():
        items += [(drill, a) for a in right] + [(drill, a) for a, _ in wrong]
    return items


def first_check_after_start(runs: int = 5) -> tuple[float, float, float]:
    """The first check of a fresh process, each the median of ``runs`` fresh interpreters:

    - the whole ``quizapp check DRILL ANSWER`` command, wall clock from starting the
      interpreter to its exit (what the issue's "first check of a quizapp check process" is);
    - in a ``python -c`` the same way the command checks (the one-shot, forked check), timed
      from the first line (interpreter start excluded);
    - the same through the warm ``Checker`` worker, as the app's first check goes.
    """
    one_shot = (
        "import time; t0 = time.perf_counter()\n"
        "from quizapp.mathcheck.fork_checker import one_shot_checker\n"
        "with one_shot_checker('sigmoid(z) - y') as c:  # as the CLI: warms while decks load\n"
        "    from quizapp.content import load_library\n"
        "    c.add_library(load_library(include_user_decks=False, cache=True))\n"
        "    v = c.check('grad-bce-logit', 'sigmoid(z) - y')\n"
        "    print((time.perf_counter() - t0) * 1000, v.verdict)\n"
    )
    worker = (
        "import time; t0 = time.perf_counter()\n"
        "from quizapp.content import load_library\n"
        "from quizapp.mathcheck import Checker\n"
        "with Checker([]) as c:  # the app's way: the worker warms while the decks load\n"
        "    c.add_library(load_library(include_user_decks=False, cache=True))\n"
        "    v = c.check('grad-bce-logit', 'sigmoid(z) - y')\n"
        "    print((time.perf_counter() - t0) * 1000, v.verdict)\n"
    )

    def in_python(code: str) -> float:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV)
        return float(out.stdout.split()[0])

    def command() -> float:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "quizapp", "check", "grad-mse", "2*(yhat - y)"],
            capture_output=True,
            env=ENV,
            check=True,
        )
        return (time.perf_counter() - start) * 1000

    command()  # once first: the deck cache is (re)built for this code, as after an install
    return (
        statistics.median(command() for _ in range(runs)),
        statistics.median(in_python(one_shot) for _ in range(runs)),
        statistics.median(in_python(worker) for _ in range(runs)),
    )


def batch_latencies(
    items: list[tuple[str, str]], replies: list[dict] | None = None
) -> tuple[list[float], float]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "quizapp", "check", "--batch", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
        bufsize=1,
    )
    assert proc.stdin and proc.stdout
    samples: list[float] = []
    first = 0.0
    for i, (drill, answer) in enumerate(items):
        sent = time.perf_counter()
        proc.stdin.write(json.dumps({"drill": drill, "answer": answer}) + "\n")
        proc.stdin.flush()
        reply = json.loads(proc.stdout.readline())
        if replies is not None:
            replies.append(reply)
        now = time.perf_counter()
        if i == 0:
            first = (now - start) * 1000
        else:
            samples.append((now - sent) * 1000)
    proc.stdin.close()
    proc.wait()
    return samples, first


def simplify_baseline(problems: dict, items: list[tuple[str, str]]) -> tuple[list[float], int]:
    """sympy.simplify(answer - reference) == 0 on the right answers; how many it misses."""
    import sympy

    from quizapp.mathcheck.calculus import substitute
    from quizapp.mathcheck.deadline import DeadlineExceeded, deadline
    from quizapp.mathcheck.problem import compile_problem
    from quizapp.mathcheck.symbolic import to_sympy

    samples, missed = [], 0
    for drill, answer in items:
        c = compile_problem(problems[drill])
        tree = substitute(problems[drill].parse(answer).tree, c.quantity_trees)
        start = time.perf_counter()
        try:
            with deadline(2.0):
                same = sympy.simplify(to_sympy(tree) - to_sympy(c.reference_expanded)) == 0
        except DeadlineExceeded:
            same = False
        samples.append((time.perf_counter() - start) * 1000)
        missed += not same
    return samples, missed


def main() -> None:
    library = load_library([ROOT / "content"], include_user_decks=False)
    problems = {c.id: problem_of(c) for c in library.of_kind("gradient_drill")}
    items = corpus()
    right = [(d, a) for d, (answers, _) in CORPUS.items() for a in answers]
    print(f"corpus: {len(items)} answers over {len(problems)} drills\n")

    for drill, answer in items:  # warm the per-drill caches (what a long session has)
        check_answer(problems[drill], answer)
    local = [timed(lambda d=d, a=a: check_answer(problems[d], a)) for d, a in items * 3]
    local_p50 = report("check, in process", local, 5)
    report(
        "check, in process (cpu)",
        [cpu_timed(lambda d=d, a=a: check_answer(problems[d], a)) for d, a in items * 3],
        5,
    )
    report(
        "preview, in process",
        [timed(lambda d=d, a=a: preview_answer(problems[d], a)) for d, a in items],
        20,
    )

    with Checker(problems) as checker:
        checker.warm_up(sympy=True)
        for drill, answer in items:
            checker.check(drill, answer)
        worker = [timed(lambda d=d, a=a: checker.check(d, a)) for d, a in items * 3]
        report("check, warm worker", worker)
        wrong = [(d, a) for d, (_, bad) in CORPUS.items() for a, _ in bad]
        proved = [timed(lambda d=d, a=a: checker.check(d, a)) for d, a in right * 3]
        slowest = max(proved)
        report("right answer proved, warm worker", proved, 150)
        print(f"{'':38} max {'ok' if slowest <= 1000 else 'OVER 1000 ms'}")
        report(
            "wrong answer + counterexample, warm",
            [timed(lambda d=d, a=a: checker.check(d, a)) for d, a in wrong * 3],
            20,
        )
        derivations = six_line_derivations(library)
        report(
            "6-line derivation, warm worker",
            [timed(lambda d=d, ls=ls: checker.check_steps(d, ls)) for d, ls in derivations * 3],
            300,
        )
        report(
            "preview, warm worker",
            [timed(lambda d=d, a=a: checker.preview(d, a)) for d, a in items],
            20,
        )

    replies: list[dict] = []
    batch, first_batch = batch_latencies(items, replies)
    report("check, quizapp check --batch", batch, 5)

    cli, first, first_worker = first_check_after_start()
    mark = "  ok" if cli <= 500 else "  OVER 500 ms"
    print(f"\n{'first check: whole quizapp check':<38} {cli:7.0f} ms{mark}  (median of 5)")
    print(f"{'first check, one-shot (python -c)':<38} {first:7.0f} ms")
    print(f"{'first check, warm-up worker (the app)':<38} {first_worker:7.0f} ms")
    print(f"{'first --batch answer after spawn':<38} {first_batch:7.0f} ms")

    trust(library, problems, right, items, replies)

    baseline, missed = simplify_baseline(problems, right)
    base_p50 = report("\nbaseline: sympy simplify(a - b) == 0", baseline)
    print(f"simplify misses {missed} of {len(right)} right answers; the numeric check misses 0")
    print(f"numeric check is {base_p50 / local_p50:.0f}x faster than simplify (p50 ratio)")


def six_line_derivations(library: object) -> list[tuple[str, list[str]]]:
    """Every drill's worked derivation, made 6 lines long (its last line repeated as the
    derivative's reference where it is shorter, the first 6 lines where longer)."""
    out = []
    for card in library.of_kind("gradient_drill"):  # type: ignore[attr-defined]
        lines = list(card.derivation or ())
        if not lines:
            continue
        while len(lines) < 6:
            lines.append(card.reference)
        out.append((card.id, lines[:6]))
    return out


def trust(
    library: object,
    problems: dict,
    right: list[tuple[str, str]],
    items: list[tuple[str, str]],
    replies: list[dict],
) -> None:
    """Wrong answers judged correct, right forms accepted, and batch/single agreement."""
    cards = {c.id: c for c in library.of_kind("gradient_drill")}  # type: ignore[attr-defined]
    hostile = [(d, a) for d, answers in ADVERSARIAL["corpus"](cards).items() for a in answers]
    verdicts = [check_answer(problems[d], a).verdict for d, a in hostile]
    fooled = [x for x, v in zip(hostile, verdicts, strict=True) if v == "correct"]
    print(
        f"\nadversarial corpus: {len(hostile)} wrong answers built to pass; judged correct: "
        f"{len(fooled)}; incorrect {verdicts.count('incorrect')}, "
        f"unchecked {verdicts.count('unchecked')}, invalid {verdicts.count('invalid')}"
    )
    for drill, answer in fooled:
        print(f"  FOOLED {drill}: {answer}")
    accepted = sum(check_answer(problems[d], a).verdict == "correct" for d, a in right)
    print(f"equivalent right forms accepted: {accepted} of {len(right)}")
    same = sum(
        (r["verdict"], r["message"]) == (v.verdict, v.message)
        for r, v in zip(replies, (check_answer(problems[d], a) for d, a in items), strict=True)
    )
    print(f"--batch and in-process agree (verdict and message): {same} of {len(items)}")


if __name__ == "__main__":
    main()
