"""Command-line entry point. Parses arguments and dispatches to ``quizapp.commands.*``.

The TUI (``quizapp`` with no subcommand) is imported lazily so that every other command starts
without loading Textual.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from quizapp import __version__
from quizapp.commands import COMMAND_MODULES, COMMAND_OWNERS, CliError

if TYPE_CHECKING:
    import argparse

DESCRIPTION = (
    "Get interview-ready on deep-learning loss functions: flashcards with spaced repetition, "
    "interview traps, quizzes, numeric loss drills and checked gradient derivations."
)
EPILOG = "Run 'quizapp' with no command to open the app. 'quizapp COMMAND --help' for details."


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only`` (a command name), just that command's subparser, so a
    command such as ``quizapp check`` does not import every other command's modules."""
    import argparse  # here, not at the top: plain `quizapp` never needs it

    from quizapp.commands.common import named_path

    class _Parser(argparse.ArgumentParser):
        """argparse with one-line errors and exit code 2 for usage mistakes."""

        def error(self, message: str) -> None:  # type: ignore[override]
            sys.stderr.write(f"{self.prog}: error: {message} (see '{self.prog} --help')\n")
            raise SystemExit(2)

        def _print_message(self, message: str, file: Any = None) -> None:
            # argparse drops a write error: `quizapp --help > /dev/full` said nothing and exited
            # 0. Written and flushed here, a failed write is reported as any command's is.
            if message:
                stream = file or sys.stderr
                stream.write(message)
                stream.flush()

    parser = _Parser(prog="quizapp", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("--version", action="version", version=f"quizapp {__version__}")
    parser.add_argument(
        "--content",
        metavar="PATH",
        action="append",
        type=named_path,
        default=[],
        help="also load the decks in PATH (a YAML file or a folder); may be repeated",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES if only is None else (only,):
        module = importlib.import_module(f"quizapp.commands.{name}")
        module.register(sub)
    parser.set_defaults(_subcommands=sub.choices)
    return parser


def _parse(argv: list[str]) -> Any:
    """Parse the command line; an unknown option is reported by its subcommand's parser, so
    the message points at 'quizapp COMMAND --help', not at 'quizapp --help'."""
    # The command comes first in nearly every call: build only its parser (start-up time).
    first = COMMAND_OWNERS.get(argv[0], argv[0]) if argv else None
    parser = build_parser(first if first in COMMAND_MODULES else None)
    args, extra = parser.parse_known_args(argv)
    if extra:
        owner = getattr(args, "_subcommands", {}).get(getattr(args, "command", None), parser)
        owner.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


BROKEN_PIPE = 141  # what a shell reports for a command killed by SIGPIPE (128 + 13)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The learner's progress, backups, exports and sync files are theirs alone: every file this
    # process creates is 0600 and every folder 0700 (whatever else the umask already hides).
    os.umask(os.umask(0o077) | 0o077)
    if argv:
        _guard_output()
    try:
        # Plain `quizapp` opens the app: it skips building every subcommand's parser (start-up).
        # Parsed in here: `quizapp --help | true` is a cut output too (141).
        args: Any = _parse(argv) if argv else SimpleNamespace(command=None, content=[])
        if args.command is None:
            return _run_app(args)
        _plain_output()
        if args.command in BULK_COMMANDS:
            with _collector_paused():
                code = int(args.func(args) or 0)
        else:
            code = int(args.func(args) or 0)
        sys.stdout.flush()  # a write that fails at the last flush is reported like any other
        return code
    except CliError as exc:
        from quizapp.commands.common import fill

        # In a terminal the message wraps between words ("qui|zapp-progress" was cut).
        sys.stderr.write(fill(exc.message, first="quizapp: ", stream=sys.stderr) + "\n")
        return exc.code
    except KeyboardInterrupt:
        sys.stderr.write("quizapp: interrupted\n")
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head` that closed early: no traceback, and the exit code a
        # Unix tool killed by SIGPIPE gives (128 + 13), so `set -o pipefail` sees that the
        # output was cut, as it does for `seq`, `cat` or `git log`; 0 said it was all written.
        _drop_output()
        return BROKEN_PIPE
    except SystemExit as exc:
        # argparse's --help and --version exit here; their output must have been written whole.
        if exc.code in (0, None):
            sys.stdout.flush()
        raise
    except Exception as exc:  # the last guard: never a traceback for a learner
        from quizapp.store.values import StoreError

        if isinstance(exc, OutputError):
            # `quizapp stats > /dev/full` said "internal error ... please report it" (exit 70):
            # the output's own disk or device refused it, which is not quizapp's fault.
            _drop_output()
            sys.stderr.write(
                f"quizapp: could not write the output: {exc.strerror or exc}; "
                "free some space or send the output elsewhere\n"
            )
            return 1
        if isinstance(exc, StoreError):
            # An expected progress condition (full disk, a lock, damage...): its own exit code.
            sys.stderr.write(f"quizapp: {exc.message}\n")
            return exc.exit_code
        if os.environ.get("QUIZAPP_DEBUG"):
            raise
        sys.stderr.write(
            f"quizapp: internal error: {type(exc).__name__}: {exc} "
            "(set QUIZAPP_DEBUG=1 for details and please report it)\n"
        )
        return 70


class OutputError(OSError):
    """Standard output refused a write (a full disk, an I/O error): not quizapp's fault."""


class _Output:
    """Standard output, its write errors told apart from the command's own (``OutputError``);
    everything else is the stream's own."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return int(self._stream.write(text))
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.errno, exc.strerror) from exc

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.errno, exc.strerror) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _guard_output() -> None:
    """Standard output as ``_Output`` (not when a caller has replaced it, as a test does)."""
    if sys.stdout is sys.__stdout__ and sys.stdout is not None:
        sys.stdout = _Output(sys.stdout)


def _drop_output() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush of what could not
    be written raises nothing (no "Exception ignored" line, no traceback)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _plain_output() -> None:
    """On a terminal or pipe that is not UTF-8 (LANG=C, PYTHONIOENCODING=ascii), a character it
    cannot show (σ, ‖) is written as '?' instead of stopping the command with an error."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if not encoding.startswith("utf") and getattr(stream, "errors", "") == "strict":
            with contextlib.suppress(AttributeError, ValueError, OSError):
                stream.reconfigure(errors="replace")  # type: ignore[union-attr]


# Commands that read or write a whole history (100k reviews: millions of objects, none in a
# cycle): Python's cyclic garbage collector stays off while they run. Each of its full
# collections walks every live object and finds nothing; off, an import or a sync of 100k
# reviews takes about 5% less time and an export about 13% less (benchmarks/sync.py).
BULK_COMMANDS = frozenset({"import", "sync", "export"})


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    import gc

    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _run_app(args: argparse.Namespace) -> int:
    import gc

    # Start-up allocates hundreds of thousands of objects (Textual, the store) and no garbage
    # worth a collection: the cyclic collector waits until the first frame is painted (10% of
    # the start-up's work otherwise). The app turns it back on (QuizApp.on_mount, _resume_gc).
    gc.disable()
    from quizapp.commands.common import library_from_args
    from quizapp.ui.app import run_app

    # Content errors do not stop the app: it lists them and runs with the valid cards (errors
    # get a screen). The shipped decks load after the first frame (start-up time); decks named
    # with --content load first, so a wrong path is a one-line error before the app opens.
    if args.content:
        return run_app(library_from_args(args, strict=False, warn=False))
    from quizapp import paths

    try:
        paths.content_dir()  # a broken install: said now, not from a worker
    except paths.ContentNotFoundError as exc:
        raise CliError(str(exc)) from None
    return run_app(lambda: library_from_args(args, strict=False, warn=False))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
