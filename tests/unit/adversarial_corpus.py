"""Wrong answers built to slip past the gradient checker. None may ever be judged "correct".

Two parts, shared by tests/unit/test_checker_adversarial.py and benchmarks/check.py:

- ``HANDMADE``: drill id -> answers written by hand (the examples of issue 10 and more);
- ``generated(drill)``: the same tricks applied to every drill from its reference and its
  declared domains: a case split on every label value, a condition on every count, a box on every
  continuous variable, dummy kinks, clipping, tiny offsets and factors.

Each answer is wrong somewhere in the drill's domain (at a label value, a count, or a large
magnitude), so "correct" is always a false verdict; "incorrect" and "unchecked" are both fine.

Known limit (floats, not the checker): an answer that differs from the derivative by less than
about 1e-12 of its typical size, e.g. ``p - y if y*z < 40 else 0`` (at y*z >= 40 the gradient is
below 4e-18 and p rounds to 1), cannot be told apart from it numerically.
"""

from __future__ import annotations

from typing import Any

HANDMADE: dict[str, list[str]] = {
    "grad-mae": [
        "sign(yhat - y + 0.0000001)",
        "sign(yhat - y) if abs(yhat - y) > 0.0000001 else 0.5",
    ],
    "grad-bce-logit": [
        "1 - p if y == 1 else p",
        "p - 1 if y > 0 else 42",
        "p - y if abs(z) < 5 else 0",
        "p - y if abs(z) < 1e6^12 else 0",
        "(p - y if abs(z) < 37 else 0) + 0*exp(exp(abs(z) - 30.4))",
        "p - y + 0*sign(y - 1) + (1 if y == 0 else 0)",
        "p*sign(y)^2 - y",
        "p - y if z < exp(1)*10 else 1 - y",
        "p - y if y*z < 20 else 0",
        "(p - y)*(1 + 1e-9)",
        "p - y + 1e-7",
        "(p - y if abs(z) != 3^0.5 else 0)",
        "p - y + 1e-300*exp(z)",
        "p - y if p < 0.99999 else 0",
    ],
    "grad-mse-batch": [
        "2*(yhat - y)/N if N > 1 else 0",
        "2*(yhat - y)/min(N, 64)",
        "2*(yhat - y)/N if N != 17 else 0",
        "2*(yhat - y)/N if N != 1001 else 0",
        "2*(yhat - y)/N if N < 2000 else 0",
        "2*(yhat - y)/N + step(N - 999)",
        "2*(yhat - y)/max(N, 2)",
        "2*(yhat - y)/N + 0*abs(N - 500) + (1 if N == 500 else 0)",
        "2*(yhat - y)/(N + 0.000001)",
    ],
    "grad-hinge": [
        "y if y == 1 else (-y if y*s < 1 else 0)",
        "(-y if y*s < 1 else 0) if y < 0 else 0",
        "-y if y*s < 1 else 0 + 0*sign(y*s - 1) + (0 if y > 0 else 1)",
        "-y if s*y < 1 and abs(s) < 30 else 0",
        "-y if y*s <= 1.0000001 else 0",
        "-y if y*s < 0.9999999 else 0",
        "-y if y*s < 1 else 0.0000001*s",
    ],
    "grad-bce-p": [
        "-y/p - (1 - y)/(1 - p) + 0*sign(y + 0.0000001)",
        "-y/p + (1 - y)/(1 - p) if p < 0.99 else 0",
        "-y/p + (1 - y)/(1 - p) if p > 0.01 else 0",
        "(-y/p + (1 - y)/(1 - p))*abs(y) + 0",
    ],
    "grad-mse": [
        "clip(2*(yhat - y), -100, 100)",
        "2*sqrt(yhat - y)^2 + sign(y - y)",
        "2*(yhat - y) if abs(yhat - y) < 60 else 0",
        "2*(yhat - y) if y != 0.5 else 0",
        "2*(yhat - y) + 1e-9*yhat",
        "2*(y - yhat) + 0*step(yhat - yhat)",
        "2*(y - yhat) + 0*sign(yhat - yhat + 0.000000001)",
        "2*exp(log(yhat - y))",
        "2*(yhat - y)*(1 + 1/1000000)",
        "clip(2*(yhat - y), -1e6^12, 1e6)",
        "2*(yhat - y) if yhat < 1e6*1e6 else 0",
        "2*(yhat - y) + 1e-12",
        "2*(yhat - y)*(1 + 1e-13)",
        "2*(yhat - y) + 0.5e-300*exp(yhat)",
        "2*(yhat - y) + exp(-1000000*(yhat - y)^2)",
        "2*(yhat - y) + exp(-exp(30)*(yhat - y)^2)",
        "2*(yhat - y) + exp(-1000000*(yhat^2 + y^2))",
        "2*(yhat - y) + sigmoid(yhat - 100000)",
        "2*(yhat - y) + exp(yhat - 100000)",
        "2*(yhat - y)*(1 + (yhat/100000)^12)",
        "2*(yhat - y) + 1/(1 + (1000*(yhat - y - 0.5))^8)",
        "2*(yhat - y) + 1e-20",
        "2*(yhat - y)*tanh(100)",
        "2*(yhat - y)*sigmoid(40)",
        "2*(yhat - y)*softplus(100)/100",
        "2*(yhat - y)*tanh(1000000*(1 + y^2))",
        "2*(yhat - y)*tanh(1000000*(yhat - y))^2",
        "2*(yhat - y) + 1 - sigmoid(1000000*(yhat - y - 0.5))^2"
        " - sigmoid(-1000000*(yhat - y - 0.5))",
    ],
    "grad-huber": [
        "clip(yhat - y, -delta, delta) if delta < 100 else 0",
        "clip(yhat - y, -min(delta, 50), min(delta, 50))",
        "yhat - y if abs(y - yhat) <= delta else delta*sign(yhat - y) if delta < 60 else 0",
    ],
    "grad-label-smoothing": [
        "p_k - (1 - eps)*y_k - eps/K if K > 2 else 0",
        "p_k - (1 - eps)*y_k - eps/min(K, 100)",
        "p_k - (1 - eps)*y_k - eps/K if eps < 0.9 else p_k - y_k",
        "p_k - y_k - eps/K if y_k == 0 else p_k - (1 - eps)*y_k - eps/K + 1",
        "p_k - (1 - eps)*y_k - eps/K if S < 1e4 else 0",
    ],
    "grad-focal-p": [
        "alpha*gamma*(1 - p)^(gamma - 1)*log(p) - alpha*(1 - p)^gamma/p if gamma < 20 else 0",
        "alpha*gamma*(1 - p)^(gamma - 1)*log(p) - alpha*(1 - p)^gamma/p if alpha < 100 else 0",
    ],
    "grad-weighted-bce-logit": [
        "(1 - y)*p - w*y*(1 - p) if w < 100 else p - y",
        "(1 - y)*p - w*y*(1 - p) if y == 1 else p + 1",
    ],
    "grad-cce-logit": [
        "p1 - 1 if z1 - z2 < 20 else 0",
        "p1 - 1 if abs(z3) < 1e6*1e6 else 0",
    ],
    "grad-sigmoid": [
        "p*(1 - p) if abs(z) < 10 else 0",
        "p*(1 - p) + 1e-12",
        "p*(1 - p) + 1e-300*exp(abs(z))",
    ],
}

# Issue 24: wrong answers no finite set of float points can see (each class with variants).
ISSUE_24: dict[str, list[str]] = {
    "grad-mse": [
        # constants that underflow before huge factors
        "2*(yhat - y) + 1e-200*1e-200*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12",
        "2*(yhat - y) + 1e-300*1e-300*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12",
        "2*(yhat - y)*(1 + 1e-200*1e-200*1e-200*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12)",
        # step slivers between test points
        "2*(yhat - y) + 5*step(1 - (1000*(yhat - y) - 7000)^2)",
        "2*(yhat - y) + 3*step(1 - (100000*(yhat - 1.2345))^2)",
        "2*(yhat - y) - step(1e-6 - abs(y - 2.5))",
        # cancellation wrong only beyond the sampled range
        "2*(yhat - y)*((1 + 1e-12/(1 + yhat^2))^2 - 2*1e-12/(1 + yhat^2))",
        # rounding-dominated points skipped without limit
        "2*(yhat - y) + (max(0, abs(yhat) - 50)*max(0, abs(y) - 50))^2"
        " + ((y*yhat)^12 - (y*yhat)^12)",
        # one wrong point away from the special values
        "2*(yhat - y)*sign(yhat - 0.777)^2",
        "2*(yhat - y)*abs(sign(y + 1.25))",
    ],
    "grad-mae": [
        # slivers at the reference's own kink
        "sign(yhat - y) + 3*step(1 - (100000*100000*(yhat - y))^2)",
        "sign(yhat - y)*(1 + step(1e-9 - abs(yhat - y)))",
    ],
    "grad-bce-logit": [
        # a branch no test point reaches
        "p - y if (z/5000 - 5)^2 > 1 else 0*sqrt(z - 20000) - y",
        "p - y if (z - 3000)^2 > 4 else 7",
    ],
    "grad-mse-batch": [
        # counts beyond the tested 1..1000
        "2*(yhat - y)/N if (N - 5000)^2 > 1000000 else 0",
        "2*(yhat - y)/N if N < 1000000 else 1",
    ],
    "grad-bce-p": [
        # cancellation that is wrong only beyond the sampled range (101x at p = 1e-13)
        "(-y/p + (1 - y)/(1 - p))*((1 + 1e-12/p)^2 - 2*1e-12/p)",
        "(-y/p + (1 - y)/(1 - p))*(1 + (1e-10/p)^2)",
    ],
    "grad-sigmoid": [
        "p*(1 - p) + 1e-200*1e-200*1e6^12*1e6^12*1e6^12*1e6^12*1e6^12",
        "p*(1 - p)*sign(z - 0.3141)^2",
    ],
}


# Labels are cases: each value gets a wrong branch in turn.
_LABEL_VALUES = {"binary": (0, 1), "sign": (-1, 1)}
# A condition that holds on the friendly box but not on the whole domain, per domain.
_BOXES = {
    "real": ("abs({x}) < 5", "abs({x}) < 1e6^12", "{x} < 100"),
    "positive": ("{x} < 5", "{x} > 0.01", "{x} < 1e6^12"),
    "prob": ("{x} < 0.99", "{x} > 0.001"),
}


def generated(drill: Any) -> list[str]:
    """Wrong answers built from ``drill``'s reference and domains (see the module doc)."""
    ref = f"({drill.reference})"
    # The reference in its own parentheses: "1 if f > -1 else 0 + 1" would add 1 to the else
    # branch only, which (where the other branch holds) is no mistake at all.
    wrong = f"(({drill.reference}) + 1)"
    out: list[str] = []
    for name, domain in drill.domains.items():
        if domain in _LABEL_VALUES:
            for value in _LABEL_VALUES[domain]:
                out.append(f"{ref} if {name} != {value} else {wrong}")
                out.append(f"{wrong} if {name} == {value} else {ref}")
                # A dummy kink on the label, meant to skip that case.
                out.append(f"({wrong} if {name} == {value} else {ref}) + 0*sign({name} - {value})")
        elif domain == "count":
            out += [
                f"{ref} if {name} > 1 else {wrong}",
                f"{ref} if {name} != 2 else {wrong}",
                f"{ref} if {name} != 3 else {wrong}",
                f"{ref} if {name} < 64 else {wrong}",
                f"{ref} if {name} <= 1000 else {wrong}",
                f"{ref}*{name}/min({name}, 64)",
                f"{ref} + step({name} - 999)",
            ]
        else:
            for box in _BOXES[domain]:
                out.append(f"{ref} if {box.format(x=name)} else {wrong}")
            # A dummy kink on the variable, and an offset only visible far out.
            out.append(f"{wrong} + 0*abs({name} - {name})")
            out.append(f"{ref} + 1e-9*{name}")
            # Parts too small to show at any test point: a spike thinner than the spacing of
            # the points, and a switch that turns on only far beyond the tested values.
            out.append(f"{ref} + exp(-1000000*1000000*({name} - 0.3)^2)")
            if domain != "prob":
                out.append(f"{ref}*(1 + sigmoid({name} - 1000000))")
                out.append(f"{ref} + softplus({name} - 100000)")
                out.append(f"{ref}*(1 + ({name}/1000000)^12)")
    continuous = [n for n, d in drill.domains.items() if d in _BOXES]
    if len(continuous) >= 2:
        a, b = continuous[:2]
        out.append(f"{ref} + exp(-1000000*1000000*(({a} - 0.3)^2 + ({b} - 0.7)^2))")
        out.append(f"{ref} + exp(-1000000*1000000*({a} - {b})^2)")
    out += [
        f"{ref}*(1 + 1e-9)",
        f"{ref} + 1e-7",
        f"{ref} + 1e-9",
        f"2*{ref} - {ref}*(1 - 1e-8)",
        f"{wrong} + 0*step(0*{drill.wrt})",
        f"{ref} + exp(-1000)",
        f"{ref} + 0.000001^4",
    ]
    return out


def corpus(drills: dict[str, Any]) -> dict[str, list[str]]:
    """Every adversarial answer per drill id: the handmade ones, then the generated ones."""
    return {
        d: HANDMADE.get(d, []) + ISSUE_24.get(d, []) + generated(card) for d, card in drills.items()
    }
