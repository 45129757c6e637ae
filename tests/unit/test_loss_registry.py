"""The loss registry: every entry's three functions exist, take the same arguments and agree with
each other (the gradient with a finite difference of the loss, the worked steps with its value),
and every surface that lists losses reads the registry."""

from __future__ import annotations

import inspect
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from quizapp import losses
from quizapp.losses import REGISTRY, SPECS, LossSpec
from quizapp.losses.text import num


def sample(spec: LossSpec) -> tuple[Any, Any]:
    """Targets and predictions of the kind ``spec`` reads, away from any kink of the loss."""
    if spec.class_rows:
        rows = [[0.6, 0.3, 0.1], [0.2, 0.3, 0.5]]
        if spec.prediction == "logits":
            rows = [[1.5, -0.2, 0.3], [0.1, 0.4, -1.0]]
        targets: Any = [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]] if spec.target_rows else [0, 2]
        return targets, rows
    predictions = {
        "values": [0.1, 0.3, -2.7],
        "probabilities": [0.8, 0.3, 0.6],
        "logits": [0.5, -1.2, 2.0],
        "scores": [0.5, 0.3, 2.0],
    }[spec.prediction]
    targets = [1.0, -1.0, 1.0] if spec.prediction == "scores" else [1.0, 0.0, 1.0]
    if spec.prediction == "values":
        targets = [0.5, -1.0, 2.0]
    return targets, predictions


def test_the_registry_is_not_empty_and_names_are_unique() -> None:
    assert len(SPECS) >= 10
    assert len(REGISTRY) == len(SPECS)
    assert list(losses.LOSSES) == list(REGISTRY) == list(losses.GRADIENTS)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_each_loss_has_a_gradient_and_steps_with_the_same_arguments(spec: LossSpec) -> None:
    params = inspect.signature(spec.function).parameters
    assert inspect.signature(spec.gradient).parameters.keys() == params.keys()
    # A writer may take extra display options after the loss's own arguments.
    assert list(inspect.signature(spec.steps).parameters)[: len(params)] == list(params)
    for option in spec.params:
        assert option in params, f"{spec.name} lists --{option} but does not take it"
    assert list(params)[-1] == "reduction" or "reduction" in params


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_gradient_is_the_slope_of_the_loss(spec: LossSpec) -> None:
    y, pred = sample(spec)
    x = np.asarray(pred, dtype=float)
    grad = spec.gradient(y, x)
    assert grad.shape == x.shape
    h = 1e-6
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        slope = (spec.function(y, up) - spec.function(y, down)) / (2 * h)
        assert grad[index] == pytest.approx(slope, rel=1e-4, abs=1e-6), (spec.name, index)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_worked_steps_end_at_the_value_of_the_loss(spec: LossSpec) -> None:
    y, pred = sample(spec)
    value = float(spec.function(y, pred))
    lines = spec.steps(y, pred)
    assert lines, spec.name
    assert lines[-1].endswith(num(value)), (spec.name, lines[-1], value)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_every_function_can_be_imported_by_name(spec: LossSpec) -> None:
    namespace: dict[str, Any] = {}
    exec(f"from quizapp.losses import {spec.name}, {spec.name}_grad, {spec.name}_steps", namespace)
    assert namespace[spec.name] is spec.function
    assert getattr(losses, f"{spec.name}_grad") is spec.gradient


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'msee'"):
        _ = losses.msee  # type: ignore[attr-defined]


def test_the_cli_lists_every_loss_with_what_its_predictions_are() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "quizapp", "loss", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for spec in SPECS:
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(spec.name + " "))
        assert spec.prediction in line and spec.description in line, line
        assert len(line) <= 80, line


def test_importing_the_registry_does_not_import_numpy() -> None:
    code = "import sys, quizapp.losses; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
