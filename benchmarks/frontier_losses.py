"""Agreement table for the third deck's losses in quizapp.losses against their references
written in torch (tests/unit/frontier_reference.py), float64, values and gradients:

    .venv/bin/python benchmarks/frontier_losses.py [--trials 50]

Each row is the largest relative difference over ``--trials`` random draws (sizes, scales and
options drawn per loss). Gradients are compared with torch autograd, relative to their largest
element. The target from issue 28 is 1e-10. Without torch the script says so and exits 0.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 1e-10


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args()
    try:
        ref = runpy.run_path(str(ROOT / "tests" / "unit" / "frontier_reference.py"))
    except ImportError as exc:
        print(f"reference library missing ({exc.name}): install the 'ref' extra to compare")
        return 0
    from quizapp.losses import REGISTRY

    print(
        f"third-deck losses against their reference, float64, {args.trials} random draws each: "
        "largest relative difference"
    )
    print(f"{'loss':17} {'reference':32} {'value':>9} {'gradient':>9}  ok")
    all_ok = True
    for case in ref["CASES"]:
        rng = np.random.default_rng(28)
        worst_value = worst_grad = 0.0
        for _ in range(args.trials):
            kwargs = case.draw(rng)
            ours = REGISTRY[case.name].function(**kwargs)
            theirs = ref["reference_value"](case, kwargs)
            worst_value = max(worst_value, ref["relative"](ours, theirs))
            worst_grad = max(worst_grad, ref["gradient_difference"](case, kwargs))
        ok = worst_value <= TARGET and worst_grad <= TARGET
        all_ok &= ok
        print(
            f"{case.name:17} {case.reference:32} {worst_value:9.1e} {worst_grad:9.1e}  "
            f"{'yes' if ok else 'NO'}"
        )
    print(f"target: every difference <= {TARGET:g} -> {'met' if all_ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
