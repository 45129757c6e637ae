"""`quizapp loss NAME --y ... --pred ... [--json]`: a study calculator for every loss in
quizapp.losses. It prints the value and the worked steps; `--input FILE|-` takes the function's
arguments as a JSON object instead of flags."""

from __future__ import annotations

import argparse
import difflib
import inspect
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from quizapp.commands import CliError, read_dashes_as_values
from quizapp.commands.common import fill, print_json
from quizapp.losses.registry import PARAMS, REGISTRY, SPECS, Param

MAX_INPUT = 16 << 20  # --input: a JSON object of a few arrays, never this large

# The names come from the registry, which imports no numpy: building the parser (which every
# command and the app do) stays cheap.
LOSS_NAMES = tuple(REGISTRY)
# The loss's predictions, as --help and the output name them.
PREDICTION_TEXT = {
    "values": "predicted values",
    "probabilities": "probabilities in [0, 1]",
    "logits": "logits (the loss applies the sigmoid or softmax itself)",
    "scores": "raw scores",
    "log-probs": "log-probabilities (log_softmax outputs, not probabilities)",
    "embeddings": "embedding vectors, one row per sample",
}


def _loss_list() -> str:
    """One line per loss: its name, what --pred holds, and what it computes."""
    width = max(len(name) for name in LOSS_NAMES)
    return "\n".join(f"  {s.name:<{width}}  {s.prediction:<13}  {s.description}" for s in SPECS)


def _param_help(param: Param) -> str:
    takes = [s.name for s in SPECS if param.name in s.params]
    return f"{'/'.join(takes)}: {param.help}"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "loss",
        help="compute a loss and show the worked steps (a study calculator)",
        description=textwrap.fill(
            "Compute a loss the way torch does and print its value with the worked steps. "
            "Give the targets with --y and the predictions with --pred (probabilities, logits "
            "or scores: each loss reads what its library function reads, listed below), or "
            "every argument of the function as a JSON object with --input. Exit 0 on success, "
            "1 when the loss rejects the values, 2 for a usage error."
        )
        + "\n\nlosses (NAME), what --pred holds, and what it computes:\n"
        + _loss_list(),
        epilog=(
            "examples:\n"
            "  quizapp loss bce --y 1,0,1 --pred 0.9,0.2,0.7\n"
            "  quizapp loss huber --y 0,0 --pred 0.5,3 --delta 1\n"
            "  quizapp loss cross_entropy --y 0,2 --pred '2,1,0;0.5,0.5,3' --label-smoothing 0.1\n"
            '  echo \'{"y_true": [1, 0], "logits": [2, -1]}\' | quizapp loss bce_with_logits '
            "--input -\n"
            '  echo \'{"input": [-0.5, -1], "target": [0.6, 0.4]}\' | quizapp loss kl_div '
            "--input -\n"
            "Rows of a 2-D input are separated by ';'."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Let values such as -1,1 or -1e3 follow --y/--pred: by default argparse reads anything
    # that starts with '-' and is not a plain number as an option. (No option of this command
    # starts with a digit, so nothing is lost.)
    read_dashes_as_values(p, numbers_only=True)
    p.add_argument("name", metavar="NAME", help="the loss, e.g. mse, bce, cross_entropy")
    p.add_argument("--y", metavar="VALUES", help="targets: 1,0,1 (class labels, or rows a;b)")
    p.add_argument(
        "--pred",
        metavar="VALUES",
        help="predictions, as the loss reads them (see the list above): 0.9,0.2,0.7 (rows a,b;c,d)",
    )
    p.add_argument(
        "--input", metavar="FILE", help="a JSON object of the function's arguments, or - for stdin"
    )
    p.add_argument(
        "--reduction",
        choices=("mean", "sum", "none", "batchmean"),
        help="default: the loss's own (mean; batchmean for distillation); batchmean: kl_div and "
        "distillation",
    )
    for param in PARAMS.values():
        p.add_argument(
            f"--{param.name.replace('_', '-')}",
            type=str if param.values else float,
            metavar="VALUES" if param.values else None,
            help=_param_help(param),
        )
    p.add_argument("--json", action="store_true", help='print {"loss": value} only')
    p.set_defaults(func=run)


def resolve_name(name: str) -> str:
    """The loss called ``name`` (dashes allowed), or a usage error with a suggestion."""
    key = name.strip().lower().replace("-", "_")
    if key in LOSS_NAMES:
        return key
    close = difflib.get_close_matches(key, LOSS_NAMES, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise CliError(f"loss: unknown loss '{name}'; {hint}known: {', '.join(LOSS_NAMES)}", code=2)


def parse_values(text: str, flag: str) -> list[float] | list[list[float]]:
    """``1,0,1`` -> a list; ``0.7,0.3;0.1,0.9`` -> a list of rows."""
    rows = [row for row in text.replace(" ", "").split(";")]
    parsed: list[list[float]] = []
    for row in rows:
        if not row:
            raise CliError(f"{flag}: an empty row in '{text}'; separate rows with ';'", code=2)
        values = []
        for item in row.split(","):
            try:
                values.append(float(item))
            except ValueError:
                raise CliError(
                    f"{flag}: '{item}' is not a number; write numbers separated by commas "
                    "(rows separated by ';')",
                    code=2,
                ) from None
        parsed.append(values)
    return parsed if len(parsed) > 1 else parsed[0]


def _arguments_from_flags(args: argparse.Namespace, name: str) -> dict[str, Any]:
    spec = REGISTRY[name]
    params = list(inspect.signature(spec.function).parameters)
    if spec.input_only:
        raise CliError(
            f"loss {name}: give its arguments ({', '.join(params)}) as a JSON object with "
            "--input FILE (or - for stdin)",
            code=2,
        )
    target = spec.target_arg or params[0]
    prediction = spec.prediction_arg or params[1]
    if args.y is None or args.pred is None:
        missing = "--y" if args.y is None else "--pred"
        raise CliError(
            f"loss {name}: {missing} is missing; give --y and --pred, or --input FILE", code=2
        )
    y, pred = parse_values(args.y, "--y"), parse_values(args.pred, "--pred")
    if spec.class_rows and not isinstance(pred[0], list):
        pred = [pred]  # one sample's classes
    if spec.target_rows and not isinstance(y[0], list):
        y = [y]
    kwargs: dict[str, Any] = {target: y, prediction: pred}
    for flag, param in PARAMS.items():
        value = getattr(args, flag)
        if value is None:
            continue
        if flag not in params:
            takes = [f"--{p.replace('_', '-')}" for p in spec.params]
            raise CliError(
                f"loss {name}: --{flag.replace('_', '-')} does not apply "
                f"(it takes {', '.join(takes) or 'no options'})",
                code=2,
            )
        kwargs[flag] = parse_values(value, f"--{flag.replace('_', '-')}") if param.values else value
    if args.reduction:
        kwargs["reduction"] = args.reduction
    return kwargs


def _arguments_from_json(args: argparse.Namespace, name: str) -> dict[str, Any]:
    given = [f"--{f}" for f in ("y", "pred", *PARAMS) if getattr(args, f) is not None]
    if given:
        raise CliError(
            f"loss {name}: {given[0].replace('_', '-')} and --input both given; put every "
            "argument in the JSON object, or use flags only",
            code=2,
        )
    where = "stdin" if args.input == "-" else args.input
    if args.input != "-":
        from quizapp.paths import regular_file

        problem = regular_file(Path(args.input))
        if problem is not None:  # (a FIFO or /dev/zero would be read for ever)
            raise CliError(f"--input {where}: {problem}; give a JSON file, or - for stdin", code=2)
        if Path(args.input).stat().st_size > MAX_INPUT:
            raise CliError(
                f"--input {where}: more than {MAX_INPUT >> 20} MB; a loss's arguments are "
                "a small JSON object",
                code=2,
            )
    try:
        text = sys.stdin.read() if args.input == "-" else Path(args.input).read_text("utf-8")
    except OSError as exc:
        raise CliError(f"--input {where}: cannot read: {exc.strerror or exc}", code=2) from None
    except UnicodeDecodeError:
        raise CliError(f"--input {where}: not UTF-8 text", code=2) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(
            f"--input {where}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
            code=2,
        ) from None
    if not isinstance(data, dict):
        raise CliError(f"--input {where}: expected a JSON object of {name}'s arguments", code=2)
    signature = inspect.signature(REGISTRY[name].function)
    params = signature.parameters
    for key in data:
        if key not in params:
            close = difflib.get_close_matches(key, list(params), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise CliError(
                f"--input {where}: '{key}' is not an argument of {name}; {hint}"
                f"its arguments: {', '.join(params)}",
                code=2,
            )
    required = [p for p, v in params.items() if v.default is inspect.Parameter.empty]
    missing = [p for p in required if p not in data]
    if missing:
        raise CliError(f"--input {where}: '{missing[0]}' is missing for {name}", code=2)
    if args.reduction:
        data.setdefault("reduction", args.reduction)
    return data


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from quizapp.losses.text import num

    name = resolve_name(args.name)
    spec = REGISTRY[name]
    if args.reduction and args.reduction not in spec.reductions:
        takes = ", ".join(spec.reductions) or "none: it is a mean by definition"
        raise CliError(
            f"loss {name}: --reduction {args.reduction} does not apply ({takes})", code=2
        )
    kwargs = _arguments_from_json(args, name) if args.input else _arguments_from_flags(args, name)
    default = inspect.signature(spec.function).parameters.get("reduction")
    reduction = kwargs.get("reduction", default.default if default else "mean")
    try:
        # Warnings (overflow on huge inputs) would be a second line; the result says it all.
        with np.errstate(all="ignore"):
            value = spec.function(**kwargs)
            steps = [] if args.json else spec.steps(**kwargs)
    except ValueError as exc:
        raise CliError(f"loss {name}: {exc}", code=2) from None  # a bad value: usage
    values = np.ravel(value).astype(float)  # 'none' may keep the input's shape (kl_div)
    if not np.isfinite(values).all():
        raise CliError(f"loss {name}: the result overflows float64; scale the inputs down")
    result: float | list[Any] = (
        np.asarray(value, dtype=float).tolist() if reduction == "none" else float(value)
    )
    if args.json:
        print_json({"loss": result})
        return 0
    shown = ", ".join(num(v, 6) for v in values) if reduction == "none" else num(float(value), 6)
    sys.stdout.write(f"{name} ({reduction}) = {shown}\n")
    # Say how the predictions were read: focal, for one, takes logits where the drills show p.
    sys.stdout.write(
        fill(f"Predictions read as {PREDICTION_TEXT[spec.prediction]}", first="  ", indent="    ")
        + "\n"
    )
    for line in steps:  # in a terminal, wrapped between words ("0.2891^2 = 0" / ".08355" was)
        sys.stdout.write(fill(line, first="  ", indent="    ") + "\n")
    return 0
