"""The numbers behind the loss-curve explorer: one function per panel, plain data, no UI.

Every curve and gradient comes from ``quizapp.losses`` (per element, ``reduction="none"``), so the
pictures show exactly the functions that grade the drills. Each panel also carries a few one-line
facts read off the same functions at telling points (an outlier, a confident mistake, an easy
example), the sentences behind "MSE is hurt by outliers" and "cross-entropy punishes confident
mistakes".

Panels (their names are ``quizapp.decks.models.CURVE_PANELS``, which formula cards point to):

- ``regression``: MSE, MAE and Huber(δ) against the residual e = y − ŷ; gradients w.r.t. ŷ;
- ``bce``: binary cross-entropy against p for y = 1 and y = 0; gradients w.r.t. p;
- ``focal``: focal loss with the α weighting off (α_t = 1 for every example) against p_t for γ in
  0, 1, 2, 5; gradients w.r.t. p_t.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quizapp import losses

__all__ = [
    "DELTA_DEFAULT",
    "DELTA_MAX",
    "DELTA_MIN",
    "DELTA_STEP",
    "FOCAL_GAMMAS",
    "PANELS",
    "Panel",
    "Series",
    "bce",
    "focal",
    "panel",
    "regression",
    "step_delta",
]

# Huber's δ as the explorer lets a learner move it.
DELTA_MIN, DELTA_MAX, DELTA_STEP, DELTA_DEFAULT = 0.25, 3.0, 0.25, 1.0
FOCAL_GAMMAS = (0.0, 1.0, 2.0, 5.0)
# The residual axis: wide enough that an "outlier" of 4 sits on it.
RESIDUAL_RANGE = 4.0
# p (and p_t) from 0.01 to 0.99 in steps of 0.01: the ends are the confident mistakes and the
# easy examples the facts talk about, and 0 and 1 (infinite loss) stay off the axis.
PROBABILITIES = np.round(np.linspace(0.01, 0.99, 99), 2)


def _each(values: losses.Loss) -> np.ndarray:
    """A loss or gradient per element (``reduction="none"`` always gives an array)."""
    return np.asarray(values)


@dataclass(frozen=True)
class Series:
    """One curve: its name in the legend, the loss at each x, and the loss's gradient there."""

    name: str
    loss: np.ndarray
    grad: np.ndarray


@dataclass(frozen=True)
class Panel:
    """What one tab of the explorer draws and says."""

    name: str  # one of CURVE_PANELS
    title: str
    x: np.ndarray
    x_label: str
    loss_label: str
    grad_label: str  # names the variable the gradient is taken with respect to
    series: tuple[Series, ...]
    facts: tuple[str, ...]
    delta: float | None = None  # Huber's δ, on the regression panel only

    def series_named(self, name: str) -> Series:
        for s in self.series:
            if s.name == name:
                return s
        raise KeyError(f"panel {self.name!r} has no series {name!r}")


def fmt(x: float) -> str:
    """A number as a learner would say it: 3 significant figures, a real minus sign."""
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        text = f"{x:,.0f}"
    elif abs(x) >= 1e-3:
        text = f"{x:.3g}"
    else:
        text = f"{x:.2g}"
    return text.replace("-", "−")


def _check_delta(delta: float) -> float:
    if not (isinstance(delta, int | float) and DELTA_MIN <= delta <= DELTA_MAX):
        raise ValueError(f"delta must be a number from {DELTA_MIN} to {DELTA_MAX}, got {delta!r}")
    return float(delta)


def step_delta(delta: float, steps: int) -> float:
    """δ moved by ``steps`` steps of DELTA_STEP, kept within [DELTA_MIN, DELTA_MAX]."""
    moved = round((delta + steps * DELTA_STEP) / DELTA_STEP) * DELTA_STEP
    return min(DELTA_MAX, max(DELTA_MIN, moved))


# --------------------------------------------------------------------------- regression


def _regression_at(e: np.ndarray, delta: float) -> tuple[Series, ...]:
    # Residual e = y − ŷ: take ŷ = 0 and y = e. The *_grad functions differentiate w.r.t. ŷ.
    y, yhat = e, np.zeros_like(e)
    huber = f"Huber δ={delta:g}"
    return (
        Series(
            "MSE",
            _each(losses.mse(y, yhat, reduction="none")),
            losses.mse_grad(y, yhat, reduction="none"),
        ),
        Series(
            "MAE",
            _each(losses.mae(y, yhat, reduction="none")),
            losses.mae_grad(y, yhat, reduction="none"),
        ),
        Series(
            huber,
            _each(losses.huber(y, yhat, delta=delta, reduction="none")),
            losses.huber_grad(y, yhat, delta=delta, reduction="none"),
        ),
    )


def regression(delta: float = DELTA_DEFAULT, points: int = 161) -> Panel:
    """MSE, MAE and Huber(δ) against the residual e = y − ŷ in [−4, 4]."""
    delta = _check_delta(delta)
    x = np.linspace(-RESIDUAL_RANGE, RESIDUAL_RANGE, points)
    series = _regression_at(x, delta)

    mse4, mae4, hub4 = (float(s.loss[0]) for s in _regression_at(np.array([4.0]), delta))
    gmse4, gmae4, ghub4 = (float(s.grad[0]) for s in _regression_at(np.array([4.0]), delta))
    mse_half, mae_half, _ = (float(s.loss[0]) for s in _regression_at(np.array([0.5]), delta))
    facts = (
        f"e = 4 (an outlier): MSE {fmt(mse4)}, MAE {fmt(mae4)}, Huber(δ={delta:g}) {fmt(hub4)}; "
        f"squaring charges {fmt(mse4 / mae4)}× what MAE does.",
        f"Pull on ŷ at e = 4 (∂L/∂ŷ): MSE {fmt(gmse4)}, MAE {fmt(gmae4)}, Huber {fmt(ghub4)}; "
        f"Huber's is never more than δ = {delta:g}.",
        f"e = 0.5: MSE {fmt(mse_half)} < MAE {fmt(mae_half)}; squaring shrinks errors under 1.",
        f"Huber: ½e² for |e| ≤ {delta:g}, linear beyond; the pieces meet at ±{delta:g} with "
        "equal slope.",
    )
    return Panel(
        name="regression",
        title="Regression losses against the residual",
        x=x,
        x_label="residual e = y − ŷ",
        loss_label="loss",
        grad_label="∂L/∂ŷ",
        series=series,
        facts=facts,
        delta=delta,
    )


# --------------------------------------------------------------------------- binary


def _bce_series(p: np.ndarray) -> tuple[Series, ...]:
    out = []
    for label in (1.0, 0.0):
        y = np.full_like(p, label)
        out.append(
            Series(
                f"y = {label:g}",
                _each(losses.bce(y, p, reduction="none")),
                losses.bce_grad(y, p, reduction="none"),
            )
        )
    return tuple(out)


def bce() -> Panel:
    """Binary cross-entropy against the predicted p, for a positive (y = 1) and a negative."""
    p = PROBABILITIES
    pos_01, _ = _bce_series(np.array([0.01]))
    pos_99, neg_99 = _bce_series(np.array([0.99]))
    loss_wrong, grad_wrong = float(pos_01.loss[0]), float(pos_01.grad[0])
    loss_right, grad_right = float(pos_99.loss[0]), float(pos_99.grad[0])
    loss_neg_wrong = float(neg_99.loss[0])
    at_zero = float(losses.bce([1.0], [0.0], reduction="sum"))
    facts = (
        f"y = 1, p = 0.01 (confidently wrong): loss {fmt(loss_wrong)} and ∂L/∂p = "
        f"{fmt(grad_wrong)}, a steep pull back.",
        f"y = 1, p = 0.99 (confidently right): loss {fmt(loss_right)}, "
        f"{fmt(loss_wrong / loss_right)}× less; ∂L/∂p only {fmt(grad_right)}.",
        f"y = 0 mirrors it: p = 0.99 costs {fmt(loss_neg_wrong)}. At p = 0 exactly the log is "
        f"clamped at −100: loss {fmt(at_zero)}.",
    )
    return Panel(
        name="bce",
        title="Binary cross-entropy against p",
        x=p,
        x_label="predicted probability p",
        loss_label="loss",
        grad_label="∂L/∂p",
        series=_bce_series(p),
        facts=facts,
    )


def _focal_series(p_t: np.ndarray, gamma: float) -> Series:
    # losses.focal works on logits: for y = 1, p_t = sigmoid(z), so z = logit(p_t). Its gradient
    # is w.r.t. z; dp_t/dz = p_t (1 − p_t) turns it into the slope against p_t that is drawn.
    y = np.ones_like(p_t)
    z = np.log(p_t) - np.log1p(-p_t)
    loss = _each(losses.focal(y, z, alpha=None, gamma=gamma, reduction="none"))
    grad_z = losses.focal_grad(y, z, alpha=None, gamma=gamma, reduction="none")
    return Series(f"γ = {gamma:g}", loss, grad_z / (p_t * (1.0 - p_t)))


def focal() -> Panel:
    """Focal loss with the α weighting off (α_t = 1 for every example, torchvision's alpha < 0),
    so γ = 0 is plain cross-entropy, against p_t for γ in 0, 1, 2, 5."""
    p_t = PROBABILITIES
    easy = {g: float(_focal_series(np.array([0.9]), g).loss[0]) for g in FOCAL_GAMMAS}
    hard = {g: float(_focal_series(np.array([0.1]), g).loss[0]) for g in FOCAL_GAMMAS}
    facts = (
        f"Easy, p_t = 0.9: CE {fmt(easy[0.0])}, γ=2 {fmt(easy[2.0])} "
        f"({fmt(easy[0.0] / easy[2.0])}× less), γ=5 {fmt(easy[0.0] / easy[5.0])}× less.",
        f"Hard, p_t = 0.1: γ=2 keeps {hard[2.0] / hard[0.0]:.0%} of CE ({fmt(hard[2.0])} of "
        f"{fmt(hard[0.0])}), so hard examples dominate the sum.",
        "With the α weighting off (α_t = 1), γ = 0 is plain cross-entropy −ln p_t; a larger γ "
        "flattens the easy end.",
    )
    return Panel(
        name="focal",
        title="Focal loss against p_t",
        x=p_t,
        x_label="probability of the true class p_t",
        loss_label="loss",
        grad_label="∂FL/∂p_t",
        series=tuple(_focal_series(p_t, g) for g in FOCAL_GAMMAS),
        facts=facts,
    )


# In the order of CURVE_PANELS (a test keeps the two lists the same).
PANELS = {"regression": regression, "bce": bce, "focal": focal}


def panel(name: str, *, delta: float = DELTA_DEFAULT) -> Panel:
    """The panel called ``name`` (one of CURVE_PANELS); ``delta`` is used by ``regression``."""
    if name not in PANELS:
        raise ValueError(f"unknown curve panel {name!r}; choose one of {', '.join(PANELS)}")
    return regression(delta) if name == "regression" else PANELS[name]()
