"""The soak's `quizapp serve` participant: the real server (`quizapp serve --port 0`) and one
browser tab driven over its websocket as textual.js drives it (keys in, the app's drawing out),
studying: space shows the answer, 3 rates Good, and a rating is acknowledged when the tab's
status line shows the session's count go up ("N reviewed"). The killer may kill -9 the tab's app
process (serve starts one per tab); the tab then closes and a new one opens. Used by soak.py."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")
URL = re.compile(r"serving on (http://\S+)")
REVIEWED = re.compile(r"(\d+) reviewed")


class TabClosed(Exception):
    pass


class Serve:
    """The server, and a tab studying in it from a thread of its own until ``stop`` is set."""

    def __init__(self, quizapp: str, home: Path, stop: threading.Event) -> None:
        self.quizapp = quizapp
        self.home = home
        self.stop = stop
        self.proc: subprocess.Popen[str] | None = None
        self.acked = 0  # ratings the tab showed as counted
        self.in_flight = 0  # ratings sent whose tab died before showing them (unknown)
        self.tabs = 0
        self.tab_rated = False  # the open tab has had a rating counted
        self.kills = 0
        self.failed: list[str] = []
        self.thread = threading.Thread(target=self.run, name="serve", daemon=True)

    # -- the server
    def start(self) -> str:
        env = {**os.environ, "QUIZAPP_HOME": str(self.home)}
        self.proc = subprocess.Popen(
            [self.quizapp, "serve", "--port", "0"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # printed once the port listens
            if match := URL.search(line):
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()  # drain
                return match.group(1)
        raise RuntimeError("quizapp serve printed no address")

    def close(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def app_pids(self) -> list[int]:
        """The app processes serve started (one per open tab, each under a shell), deepest
        first."""
        found: list[int] = []
        parents = [self.proc.pid] if self.proc is not None else []
        while parents:
            children: list[int] = []
            for parent in parents:
                for task in Path(f"/proc/{parent}/task").glob("*"):
                    with contextlib.suppress(OSError):
                        children += [int(p) for p in (task / "children").read_text().split()]
            found[:0] = children
            parents = children
        return found

    def kill(self) -> bool:
        """kill -9 the tab's app process (a crash of it), once the tab has rated a card: the
        tab then closes and a new one opens."""
        if not self.tab_rated:  # a tab still starting up: let it rate once first
            return False
        pids = self.app_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.kills += bool(pids)
        return bool(pids)

    # -- the tab
    def run(self) -> None:
        try:
            url = self.start()
            asyncio.run(self.tabs_until_stopped(url))
        except Exception as exc:  # reported as a failed participant
            self.failed.append(f"serve: {type(exc).__name__}: {exc}")
        finally:
            self.close()

    async def tabs_until_stopped(self, url: str) -> None:
        import aiohttp

        split = urlsplit(url)
        origin = f"{split.scheme}://{split.netloc}"
        token = dict(p.split("=", 1) for p in split.query.split("&"))["token"]
        async with aiohttp.ClientSession() as http:
            while not self.stop.is_set():
                self.tabs += 1
                self.tab_rated = False
                ws_url = f"{origin}/ws?token={token}&width=110&height=34"
                async with http.ws_connect(ws_url, headers={"Origin": origin}) as ws:
                    with contextlib.suppress(TabClosed, TimeoutError):
                        await Tab(ws, self).study()
                await asyncio.sleep(0.5)  # pacing between tabs, not waiting for a result


class Tab:
    """One tab: what its app drew (ANSI stripped), and keys to send."""

    def __init__(self, ws: Any, serve: Serve) -> None:
        self.ws = ws
        self.serve = serve
        self.text = ""

    async def until(
        self, pattern: re.Pattern[str] | str, after: int, limit: float = 60
    ) -> re.Match[str]:
        import aiohttp

        wanted = re.compile(re.escape(pattern)) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + limit
        while not (match := wanted.search(self.text, after)):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(pattern)
            if self.serve.stop.is_set():
                raise TabClosed  # the soak is over: what is in flight stays unknown
            try:
                msg = await self.ws.receive(timeout=min(left, 1.0))
            except TimeoutError:
                if self.text and not self.serve.app_pids():
                    raise TabClosed from None  # its app was killed: serve keeps the socket
                continue
            if msg.type == aiohttp.WSMsgType.BINARY:
                self.text += ANSI.sub("", msg.data.decode("utf-8", "replace"))
            elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                              aiohttp.WSMsgType.ERROR):  # fmt: skip
                raise TabClosed
        return match

    async def press(self, key: str) -> int:
        mark = len(self.text)
        await self.ws.send_json(["stdin", key])
        return mark

    async def study(self) -> None:
        await self.until("New today", 0)
        await self.until("Show answer", await self.press("s"))
        count = 0
        while not self.serve.stop.is_set():
            shown = await self.until(re.compile("Good|Session complete"), await self.press(" "))
            if shown.group(0) != "Good":
                return  # nothing left to study in this tab: a new one
            at = await self.press("3")
            self.serve.in_flight += 1  # unknown until the tab shows it counted
            while True:
                match = await self.until(REVIEWED, at)
                if int(match.group(1)) > count:
                    break
                at = match.end()
            self.serve.in_flight -= 1
            self.serve.acked += int(match.group(1)) - count
            self.serve.tab_rated = True
            count = int(match.group(1))
