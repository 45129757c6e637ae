"""Gradient answer box under Pilot: keystroke-to-preview latency and submit-to-verdict time.

    .venv/bin/python benchmarks/practice.py [--keys 200] [--submits 40]

Targets (issue 7): preview p95 <= 50 ms after warm-up; submit to verdict p95 <= 100 ms.
The real app runs (real decks, real SQLite in a temporary folder, the real checker process).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def run(keys: int, submits: int) -> None:
    from textual.widgets import TextArea

    from quizapp.content import load_library
    from quizapp.store import Store
    from quizapp.ui.app import QuizApp
    from quizapp.ui.screens.drills import DrillRunScreen
    from quizapp.ui.widgets import question as qmod

    shown: dict[str, float] = {}
    finished: list[float] = []

    def hook(message: object) -> None:
        # The view's public messages: a preview drawn, an answer graded and shown.
        if isinstance(message, qmod.QuestionView.Previewed):
            shown.setdefault(message.text, time.perf_counter())
        elif isinstance(message, qmod.QuestionView.Answered):
            finished.append(time.perf_counter())

    app = QuizApp(load_library(include_user_decks=False), Store.open())
    answer = "sigmoid(z) - y"
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        app.checker().warm_up(sympy=True)

        async def open_drill() -> qmod.QuestionView:
            quiz = app.new_quiz(item_ids=["grad-bce-logit"], seed=1, mode="drill")
            app.push_screen(DrillRunScreen("grad-bce-logit", quiz))
            await pilot.pause()
            return app.screen.view  # type: ignore[attr-defined]

        async def wait(cond, limit: float = 5.0) -> None:  # type: ignore[no-untyped-def]
            end = time.perf_counter() + limit
            while not cond() and time.perf_counter() < end:
                await asyncio.sleep(0.0005)

        # Keystroke -> preview: type the answer again and again, one key at a time.
        view = await open_drill()
        box = view.query_one(".q-answer", TextArea)
        latencies: list[float] = []
        warmup = 20
        typed = 0
        while typed < keys + warmup:
            box.text = ""
            for ch in answer:
                text = box.text + ch
                start = time.perf_counter()
                await pilot.press(ch if ch != " " else "space")
                await wait(lambda t=text: t in shown)
                if text in shown and typed >= warmup:
                    latencies.append(shown[text] - start)
                shown.pop(text, None)
                typed += 1
        # Submit -> verdict: the check key on a full answer, then the feedback is drawn.
        verdicts: list[float] = []
        await pilot.press("escape")
        for i in range(submits):
            view = await open_drill()
            view.query_one(".q-answer", TextArea).text = answer if i % 2 else "y - sigmoid(z)"
            before = len(finished)
            start = time.perf_counter()
            await pilot.press("ctrl+s")
            await wait(lambda b=before: len(finished) > b)
            verdicts.append(finished[-1] - start)
            await pilot.press("escape")
    app.checker().close()
    ms = 1000
    print(f"keystroke -> preview : p50 {pct(latencies, .5) * ms:5.1f} ms, "
          f"p95 {pct(latencies, .95) * ms:5.1f} ms over {len(latencies)} keys "
          f"(after {warmup} warm-up keys; target p95 <= 50 ms)")  # fmt: skip
    print(f"submit -> verdict    : p50 {pct(verdicts, .5) * ms:5.1f} ms, "
          f"p95 {pct(verdicts, .95) * ms:5.1f} ms over {len(verdicts)} answers "
          "(target p95 <= 100 ms)")  # fmt: skip
    print(f"(mean preview {statistics.mean(latencies) * ms:.1f} ms)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--submits", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["QUIZAPP_HOME"] = home
        asyncio.run(run(args.keys, args.submits))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
