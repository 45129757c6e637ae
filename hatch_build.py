"""Build hook (hatchling): compiles quizapp/store/native_replay.c, the C loop of a review-log
replay, next to its source (an editable install uses it there; a wheel gets it as a platform
file). It is optional: without a C compiler the build goes on, says so, and quizapp replays in
Python, with the same results (tests/unit/test_native_replay.py), only slower.

    python hatch_build.py   # build it in place (make does this when native_replay.c changes)

"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

SOURCE = Path("quizapp") / "store" / "native_replay.c"
# No fused multiply-add and no fast math: the replay's floats must be exactly Python's.
FLAGS = ["-O2", "-fPIC", "-shared", "-ffp-contract=off", "-fno-fast-math", "-std=c11"]


def build_native(root: Path) -> Path | None:
    """Compile the module in place; its path, or None (with one line on stderr) when it
    cannot be built here."""
    source = root / SOURCE
    target = source.with_name("native_replay" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
    found = shutil.which("cc") or shutil.which("gcc")
    compiler = shlex.split(os.environ.get("CC", "")) or ([found] if found else [])
    include = sysconfig.get_paths().get("include", "")
    if not compiler or not (Path(include) / "Python.h").is_file():
        print("quizapp: no C compiler or Python headers: replays run in Python", file=sys.stderr)
        return None
    if target.is_file() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    temporary = target.with_name(f".{target.name}.{os.getpid()}")
    command = [*compiler, *FLAGS, f"-I{include}", str(source), "-o", str(temporary), "-lm"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        target.unlink(missing_ok=True)  # (never an older build of another source)
        print(f"quizapp: could not build {SOURCE} ({exc}): replays run in Python", file=sys.stderr)
        return None
    if done.returncode != 0:
        temporary.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        first = (done.stderr.strip().splitlines() or ["no message"])[0]
        print(f"quizapp: could not build {SOURCE} ({first}): replays in Python", file=sys.stderr)
        return None
    temporary.replace(target)
    return target


try:
    from hatchling.builders.hooks.plugin.interface import BuildHookInterface
except ImportError:  # run as a script without hatchling
    BuildHookInterface = object  # type: ignore[assignment,misc]


class NativeReplayHook(BuildHookInterface):  # type: ignore[misc,valid-type]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        built = build_native(Path(self.root))
        if built is not None and self.target_name == "wheel" and version != "editable":
            build_data["pure_python"] = False
            build_data["infer_tag"] = True
            build_data["force_include"][str(built)] = f"quizapp/store/{built.name}"


if __name__ == "__main__":
    sys.exit(0 if build_native(Path(__file__).resolve().parent) else 1)
