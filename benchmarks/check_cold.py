"""How long a proof takes the first time an answer is seen (what a learner meets), in CPU time.

benchmarks/check.py times each answer again and again in one process, where sympy's own caches
make a repeated proof cheap; here every right answer of the corpus and every drill's 6-line
worked derivation is checked once, in process, after one warm-up proof (as the worker has),
and the CPU time of each check is reported (steadier than wall time on a busy machine).

Run: .venv/bin/python benchmarks/check_cold.py
"""

from __future__ import annotations

import runpy
import time
from pathlib import Path

from quizapp.content import load_library
from quizapp.mathcheck import check_answer
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.steps import check_steps
from quizapp.mathcheck.worker_main import warm_prover

ROOT = Path(__file__).resolve().parents[1]
CORPUS = runpy.run_path(str(ROOT / "tests" / "unit" / "gradient_corpus.py"))["CORPUS"]


def summary(name: str, samples: list[tuple[float, str, str]]) -> None:
    ordered = sorted(t for t, _, _ in samples)
    p50, p95 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    print(
        f"{name:<34} n={len(ordered):<4} cpu p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
        f"max {ordered[-1]:6.1f} ms  total {sum(ordered):7.0f} ms"
    )
    for t, drill, what in sorted(samples, reverse=True)[:3]:
        print(f"{'':6}{t:6.1f} ms  {drill}: {what}")


def main() -> None:
    six_line_derivations = runpy.run_path(str(ROOT / "benchmarks" / "check.py"), run_name="check")[
        "six_line_derivations"
    ]
    library = load_library([ROOT / "content"], include_user_decks=False)
    problems = {c.id: problem_of(c) for c in library.of_kind("gradient_drill")}
    warm_prover()
    right = [(d, a) for d, (answers, _) in CORPUS.items() for a in answers]
    wrong = [(d, a) for d, (_, bad) in CORPUS.items() for a, _ in bad]
    runs = (("right answer proved, first time", right), ("wrong answer, first time", wrong))
    for name, items in runs:
        samples = []
        for drill, answer in items:
            start = time.process_time()
            check_answer(problems[drill], answer)
            samples.append(((time.process_time() - start) * 1000, drill, answer))
        summary(name, samples)
    samples = []
    for drill, lines in six_line_derivations(library):
        start = time.process_time()
        check_steps(problems[drill], lines)
        samples.append(((time.process_time() - start) * 1000, drill, " / ".join(lines)[:60]))
    summary("6-line derivation, first time", samples)


if __name__ == "__main__":
    main()
