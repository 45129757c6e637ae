"""How fast a whole derivation is checked line by line (quizapp.mathcheck.steps).

For every gradient drill, a 6-line derivation (its worked derivation, padded or cut to six
lines; and the same with a sign slip at line 3 carried through) is checked through the warm
worker (``Checker.check_steps``) and in process (``check_steps``).

Target: p95 <= 20 ms for a 6-line derivation through the warm worker.
Run: .venv/bin/python benchmarks/steps.py
"""

from __future__ import annotations

import statistics
import time

from quizapp.content import load_library
from quizapp.mathcheck import Checker
from quizapp.mathcheck.cards import problem_of
from quizapp.mathcheck.steps import check_steps

ROUNDS = 10


def six_lines(derivation: list[str]) -> list[str]:
    lines = list(derivation)
    while len(lines) < 6:
        lines.append(lines[-1])  # restating the result is a step that follows
    return lines[:6]


def slipped(lines: list[str]) -> list[str]:
    out = list(lines)
    for i in range(2, len(out)):
        if "=" not in out[i].replace("<=", "").replace(">=", "").replace("==", ""):
            out[i] = f"-({out[i]})"
    return out


def report(name: str, samples: list[float], target: float) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    verdict = "ok" if p95 <= target else f"OVER {target:g} ms"
    print(
        f"{name:<34} n={len(samples):<4} p50 {statistics.median(ordered):6.2f} ms  "
        f"p95 {p95:6.2f} ms  max {ordered[-1]:6.2f} ms  {verdict}"
    )


def main() -> None:
    library = load_library(include_user_decks=False)
    drills = [c for c in library.cards.values() if c.kind == "gradient_drill" and c.derivation]
    cases = []
    for card in drills:
        lines = six_lines(list(card.derivation or ()))
        cases += [(card, lines), (card, slipped(lines))]
    for card, lines in cases:  # warm the compiled problems in this process
        check_steps(problem_of(card), lines)
    local: list[float] = []
    for _ in range(ROUNDS):
        for card, lines in cases:
            start = time.perf_counter()
            check_steps(problem_of(card), lines)
            local.append((time.perf_counter() - start) * 1000)
    worker: list[float] = []
    with Checker.from_library(library) as checker:
        checker.warm_up()
        for card, lines in cases:
            checker.check_steps(card.id, lines)
        for _ in range(ROUNDS):
            for card, lines in cases:
                start = time.perf_counter()
                checker.check_steps(card.id, lines)
                worker.append((time.perf_counter() - start) * 1000)
    print(f"{len(drills)} drills, 6-line derivations, right and with a slip at line 3")
    report("6-line derivation, in process", local, 20)
    report("6-line derivation, warm worker", worker, 20)


if __name__ == "__main__":
    main()
