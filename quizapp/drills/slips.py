"""The named slips of numeric drills: id -> (name, one-line explanation).

One table, filled here and by the second deck's recipes (``beyond_recipes``), read by the grader
in ``quizapp.drills.numeric``."""

from __future__ import annotations

# Slip id -> (name, one-line explanation). A recipe may give a sharper explanation of its own.
SLIPS: dict[str, tuple[str, str]] = {
    "sum-not-mean": (
        "sum instead of mean",
        "You added the per-sample losses but did not divide by N.",
    ),
    "log10": (
        "log base 10",
        "You used log base 10; the loss uses the natural log ln (ln x = 2.303 * log10 x).",
    ),
    "log2": (
        "log base 2",
        "You used log base 2 (bits); the loss uses the natural log ln (ln x = 0.693 * log2 x).",
    ),
    "huber-half-dropped": (
        "Huber's 1/2 forgotten",
        "Huber has a ½: ½e² inside the band and δ(|e| - ½δ) outside it.",
    ),
    "sign-flipped": ("sign flipped", "A sign is flipped somewhere in your working."),
    "logits-as-probabilities": (
        "logits used as probabilities",
        "You put the raw logit into the log; turn it into a probability first "
        "(sigmoid for one output, softmax for several).",
    ),
    "mae-for-mse": (
        "MAE instead of MSE",
        "That is the MAE (the mean of |e|); the MSE averages the squares e².",
    ),
    "mse-for-mae": (
        "MSE instead of MAE",
        "That is the MSE (the mean of e²); the MAE averages the absolute values |e|.",
    ),
    "mean-then-square": (
        "mean taken before squaring",
        "You averaged the residuals and squared the mean; square each residual, then average.",
    ),
    "minus-dropped": (
        "minus sign of CE dropped",
        "Logs of probabilities are negative; the minus in front of cross-entropy makes it "
        "positive.",
    ),
    "one-based-label": (
        "labels counted from 1",
        "Class labels count from 0: label 0 is the first entry of the row and label 2 the third.",
    ),
    "factor-100": (
        "off by a factor of 100",
        "Your answer is 100 times too large or too small; check the decimal point (a percent?).",
    ),
}
