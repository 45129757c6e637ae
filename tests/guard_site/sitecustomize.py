"""The open guard (tests/open_guard.py) in every Python process the test suite starts.

tests/conftest.py puts this folder first on PYTHONPATH and names a report folder in
QUIZAPP_TEST_GUARD_DIR, so every child (the installed `quizapp` command, `quizapp serve`, a
`python -c` bootstrap) imports this module at start-up. It costs one audit hook and nothing
else until the process first calls ``sqlite3.connect``: only then is the guard loaded (the
connection it is about to make is the first one it must know of), and from then on every open
of a database file this process holds a connection to is written, with the process's argv and
the stack, to the report folder, where the test that started the process finds it.
"""

from __future__ import annotations

import os
import sys


def _boot() -> None:
    report_dir = os.environ.get("QUIZAPP_TEST_GUARD_DIR")
    if not report_dir:
        return
    guard_file = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                              "open_guard.py")  # fmt: skip
    loading = [False]
    done = [False]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if done[0] or loading[0] or event != "sqlite3.connect":
            return
        loading[0] = True  # the import below raises events of its own
        try:
            guard = _load(guard_file)
            if guard._installed:  # a pytest process (an xdist worker): its conftest guards it
                return
            guard.GUARD.report_dir = report_dir
            guard.GUARD.hook(event, args)  # this connect: installed hooks may not see it
            guard.install()
            guard.GUARD.started()
        finally:
            loading[0] = False
            done[0] = True

    sys.addaudithook(hook)


def _load(path: str):  # type: ignore[no-untyped-def]
    """tests.open_guard, once per process (the one pytest imported, in an inner pytest run)."""
    module = sys.modules.get("tests.open_guard")
    if module is None:
        import importlib.util

        spec = importlib.util.spec_from_file_location("tests.open_guard", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["tests.open_guard"] = module
        spec.loader.exec_module(module)
    return module


_boot()
del _boot


# Chain to the next sitecustomize on the path (a distribution's own), as if this one were not here.
def _chain() -> None:
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_chain()
del _chain
