"""Typed answers for every gradient drill: equivalent right forms, and wrong forms with the
mistake each should be named as. Shared by the tests and benchmarks/check.py."""

from __future__ import annotations

# drill id -> (right answers, [(wrong answer, expected mistake id), ...])
CORPUS: dict[str, tuple[list[str], list[tuple[str, str]]]] = {
    "grad-mse": (
        ["2*(yhat - y)", "-2*(y - yhat)", "2yhat - 2y", "2·ŷ − 2·y", "-2e", "(yhat - y)*2"],
        [
            ("2*(y - yhat)", "sign"),
            ("yhat - y", "factor-2-missing"),
            ("4*(yhat - y)", "factor-2-extra"),
            ("3*(yhat - y)", "constant-factor"),
            ("(y - yhat)^2", "loss-itself"),
            ("2*yhat", "dropped-target"),
        ],
    ),
    "grad-mse-batch": (
        [
            "2*(yhat - y)/N",
            "2*(yhat_i - y_i)/N",
            "(2/N)*(ŷᵢ − yᵢ)",
            "-2*e/N",
            "2yhat/N - 2y/N",
        ],
        [
            ("2*(yhat - y)", "mean-missing"),
            ("2*(yhat - y)/N^2", "mean-extra"),
            ("2*(y - yhat)/N", "sign"),
            ("(yhat - y)/N", "factor-2-missing"),
            ("(y - yhat)^2/N", "loss-itself"),
        ],
    ),
    "grad-mae": (
        [
            "sign(yhat - y)",
            "-sign(y - yhat)",
            "(yhat - y)/abs(yhat - y)",
            "1 if yhat > y else -1",
            "-sign(e)",
            "2*step(yhat - y) - 1",
            "|ŷ − y|/(ŷ − y)",
        ],
        [
            ("sign(y - yhat)", "sign"),
            ("2*sign(yhat - y)", "factor-2-extra"),
            ("abs(y - yhat)", "loss-itself"),
            ("yhat - y", "squared-error-slope"),
            ("1", "magnitude-only"),
            ("0.5*sign(yhat - y)", "factor-2-missing"),
        ],
    ),
    "grad-huber": (
        [
            "clip(yhat - y, -delta, delta)",
            "yhat - y if abs(y - yhat) <= delta else delta*sign(yhat - y)",
            "-e if abs(e) <= delta else -delta*sign(e)",
            "max(-delta, min(delta, yhat - y))",
            "-clip(e, -δ, δ)",
            "yhat - y if |e| < delta else -delta*e/abs(e)",
        ],
        [
            ("clip(e, -delta, delta)", "sign"),
            ("yhat - y", "partial"),
            ("delta*sign(yhat - y)", "partial"),
            ("2*clip(yhat - y, -delta, delta)", "factor-2-extra"),
            ("0.5*e^2 if abs(e) <= delta else delta*(abs(e) - 0.5*delta)", "loss-itself"),
            (
                "yhat - y if abs(e) <= delta else delta*(abs(e) - 0.5*delta)",
                "linear-branch-loss",
            ),
        ],
    ),
    "grad-bce-p": (
        [
            "-y/p + (1 - y)/(1 - p)",
            "(p - y)/(p*(1 - p))",
            "(1-y)/(1-p) - y/p",
            "-(y/p - (1 - y)/(1 - p))",
            "(p - y)/(p - p^2)",
            "1/(1 - p) - y/(p*(1 - p))",
        ],
        [
            ("y/p - (1 - y)/(1 - p)", "sign"),
            ("-y/(1 - p) + (1 - y)/p", "swapped"),
            ("-(1 - y)/p + y/(1 - p)", "swapped"),
            ("-y/p", "term-missing"),
            ("(-y/p + (1 - y)/(1 - p))/log(10)", "log10"),
            ("-(y*log(p) + (1 - y)*log(1 - p))", "loss-itself"),
        ],
    ),
    "grad-bce-logit": (
        [
            "sigmoid(z) - y",
            "p - y",
            "1/(1 + exp(-z)) - y",
            "σ(z) − y",
            "p*(1 - y) - y*(1 - p)",
            "exp(z)/(1 + exp(z)) - y",
        ],
        [
            ("y - p", "sign"),
            ("(p - y)/(p*(1 - p))", "chain-rule"),
            ("(p - y)*p*(1 - p)", "chain-rule-extra"),
            ("p", "term-missing"),
            ("1 - p - y", "swapped"),
            ("(p - y)/ln(10)", "log10"),
            ("2*(p - y)", "factor-2-extra"),
        ],
    ),
    "grad-weighted-bce-logit": (
        [
            "(1 - y)*p - w*y*(1 - p)",
            "p*(w*y + 1 - y) - w*y",
            "-w*y*(1 - p) + (1 - y)*p",
            "(1 - y)*sigmoid(z) - w*y*(1 - sigmoid(z))",
            "w*y*(p - 1) + (1 - y)*p",
            "p + w*y*p - y*p - w*y",
            # issue 24: 1 - p written as sigmoid(-z) (rounds differently from 1 - p far out)
            "(1 - y)*p - w*y*sigmoid(-z)",
            "-w*sigmoid(-z) if y == 1 else p",
            "(1 - y)*sigmoid(z) - w*y*sigmoid(-z)",
        ],
        [
            ("p - y", "weight-ignored"),
            ("w*(p - y)", "weight-on-both"),
            ("-(1 - y)*p + w*y*(1 - p)", "sign"),
            ("((1 - y)*p - w*y*(1 - p))/(p*(1 - p))", "chain-rule"),
            ("(1 - y)*p", "term-missing"),
            ("(1 - y)*(1 - p) - w*y*p", "swapped"),
            ("p*(w*y + 1 - y) - y", "weight-half-missing"),
            ("w*(1 - y)*p - y*(1 - p)", "weight-on-negatives"),
        ],
    ),
    "grad-cce-logit": (
        [
            "p1 - 1",
            "exp(z1)/(exp(z1) + exp(z2) + exp(z3)) - 1",
            "-(p2 + p3)",
            "-(1 - p1)",
            "p₁ − 1",
            "-(exp(z2) + exp(z3))/(exp(z1) + exp(z2) + exp(z3))",
        ],
        [
            ("1 - p1", "sign"),
            ("p1", "one-hot-dropped"),
            ("-1/p1", "chain-rule"),
            ("-log(p1)", "loss-itself"),
            ("(p1 - 1)/log(10)", "log10"),
            ("p1*(1 - p1)", "softmax-jacobian"),
        ],
    ),
    "grad-cce-logit-other": (
        [
            "p2",
            "exp(z2)/(exp(z1) + exp(z2) + exp(z3))",
            "1 - p1 - p3",
            "p₂",
            "-(p1 + p3 - 1)",
            "p_2*1",
        ],
        [
            ("p2 - 1", "target-class-confused"),
            ("-p2", "sign"),
            ("-p1*p2", "softmax-jacobian-only"),
            ("0", "zero-gradient"),
            ("-log(p1)", "loss-itself"),
            ("p2/log(10)", "log10"),
        ],
    ),
    "grad-label-smoothing": (
        [
            "p_k - (1 - eps)*y_k - eps/K",
            "p_k - ((1 - eps)*y_k + eps/K)",
            "pₖ − (1 − ε)yₖ − ε/K",
            "p_k - y_k + eps*y_k - eps/K",
            "p_k - y_k + eps*(y_k - 1/K)",
            "exp(z_k)/(exp(z_k) + S) - (1 - epsilon)*y_k - epsilon/K",
        ],
        [
            ("p_k - y_k", "smoothing-ignored"),
            ("-(p_k - (1 - eps)*y_k - eps/K)", "sign"),
            ("p_k - (1 - eps)*y_k", "term-missing"),
            ("p_k - (1 - eps)*y_k - eps", "eps-not-divided"),
            ("(p_k - (1 - eps)*y_k - eps/K)/(p_k*(1 - p_k))", "chain-rule"),
        ],
    ),
    "grad-hinge": (
        [
            "-y if y*s < 1 else 0",
            "-y*step(1 - y*s)",
            "0 if y*s >= 1 else -y",
            "-y if 1 - y*s > 0 else 0",
            "-y*(1 + sign(1 - y*s))/2",
            "-y*max(0, sign(1 - y*s))",
            "-y*Heaviside(1 - y*s)",
        ],
        [
            ("y if y*s < 1 else 0", "sign"),
            ("-y", "partial"),
            ("-s if y*s < 1 else 0", "wrong-variable"),
            ("max(0, 1 - y*s)", "loss-itself"),
            ("-2*y if y*s < 1 else 0", "factor-2-extra"),
            ("-y if y*s > 1 else 0", "condition-flipped"),
        ],
    ),
    "grad-focal-p": (
        [
            "alpha*gamma*(1 - p)^(gamma - 1)*log(p) - alpha*(1 - p)^gamma/p",
            "alpha*(1 - p)^(gamma - 1)*(gamma*log(p) - (1 - p)/p)",
            "α(1−p)^(γ−1)(γ ln(p) − (1−p)/p)",
            "alpha*(1 - p)^gamma*(gamma*log(p)/(1 - p) - 1/p)",
            "-alpha*((1 - p)^gamma/p - gamma*(1 - p)^(gamma - 1)*log(p))",
        ],
        [
            ("-alpha*(1 - p)^gamma/p", "term-missing"),
            ("alpha*gamma*(1 - p)^(gamma - 1)*log(p)", "term-missing"),
            (
                "-alpha*gamma*(1 - p)^(gamma - 1)*log(p) - alpha*(1 - p)^gamma/p",
                "inner-sign",
            ),
            (
                "-(alpha*gamma*(1 - p)^(gamma - 1)*log(p) - alpha*(1 - p)^gamma/p)",
                "sign",
            ),
            (
                "alpha*gamma*(1 - p)^(gamma - 1)*log10(p) - alpha*(1 - p)^gamma/(p*ln(10))",
                "log10",
            ),
            ("-alpha/p", "focusing-term-ignored"),
            ("gamma*(1 - p)^(gamma - 1)*log(p) - (1 - p)^gamma/p", "alpha-dropped"),
            ("-alpha*(1 - p)^gamma*log(p)", "loss-itself"),
        ],
    ),
    "grad-linear-mse-w": (
        [
            "-2*x*(y - (w*x + b))",
            "2*x*(w*x + b - y)",
            "-2*x*(y - yhat)",
            "2x(ŷ − y)",
            "2*(yhat - y)*x",
            "2*w*x^2 + 2*b*x - 2*x*y",
        ],
        [
            ("2*(yhat - y)", "chain-rule"),
            ("2*x*x*(yhat - y)", "chain-rule-extra"),
            ("-2*x*(yhat - y)", "sign"),
            ("x*(yhat - y)", "factor-2-missing"),
            ("2*w*(yhat - y)", "weight-for-input"),
            ("(y - yhat)^2", "loss-itself"),
        ],
    ),
    "grad-linear-mse-b": (
        [
            "-2*(y - (w*x + b))",
            "2*(w*x + b - y)",
            "2*(yhat - y)",
            "2ŷ − 2y",
            "2*w*x + 2*b - 2*y",
        ],
        [
            ("-2*(yhat - y)", "sign"),
            ("yhat - y", "factor-2-missing"),
            ("2*x*(yhat - y)", "wrong-variable"),
            ("(y - yhat)^2", "loss-itself"),
            ("3*(yhat - y)", "constant-factor"),
        ],
    ),
    "grad-sigmoid": (
        [
            "sigmoid(z)*(1 - sigmoid(z))",
            "p*(1 - p)",
            "p - p^2",
            "exp(-z)/(1 + exp(-z))^2",
            "exp(z)/(1 + exp(z))²",
            "σ(z)(1 − σ(z))",
            "sigmoid(z)*sigmoid(-z)",
        ],
        [
            ("-p*(1 - p)", "sign"),
            ("p*(1 + p)", "sign-inside"),
            ("sigmoid(z)", "loss-itself"),
            ("1 - p", "factor-missing"),
            ("2*p*(1 - p)", "factor-2-extra"),
        ],
    ),
}
