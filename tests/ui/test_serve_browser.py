"""`quizapp serve` in a real headless Chromium, driven over the DevTools protocol as a person
would use it: in two tabs at once, the page loads, the home screen appears, s opens Study, a
card is rated, and both reviews are in the progress file (`quizapp stats` counts them); then
another site's page in the same browser cannot open the app, and nothing the browser sends that
site holds the token. Everything stays on the loopback interface.

What the page shows is read from the websocket frames the browser receives (xterm.js draws them
on a canvas, so there is no DOM text to read); the page's own script marks the body with
``-first-byte`` once its terminal has drawn them.

Needs Debian's ``chromium`` (``apt-get install chromium``; .ci/run installs it) and the web
extra; the test skips with the reason when either is missing.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from quizapp.cli import main
from quizapp.store import Store
from tests.helpers import quizapp_command

pytest.importorskip(
    "textual_serve", reason="textual-serve is not installed (pip install 'quizapp[web]')"
)
aiohttp = pytest.importorskip("aiohttp", reason="aiohttp (a textual-serve dependency) is missing")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed (Debian: apt-get install chromium; .ci/run does it)",
    ),
]
# Set to a path to keep the browser's screenshot of the home screen (assets/browser.png).
SCREENSHOT_ENV = "QUIZAPP_BROWSER_SCREENSHOT"
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the process exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {timeout} s")


def _printed_url(log: Path, proc: subprocess.Popen[bytes], timeout: float = 30) -> str:
    """The address (with its token) `quizapp serve` prints once it listens."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if match := re.search(r"serving on (http://\S+)", log.read_text(errors="replace")):
            return match.group(1)
        if proc.poll() is not None:
            raise AssertionError(f"serve exited with {proc.returncode} before printing its address")
        time.sleep(0.1)
    raise AssertionError(f"serve printed no address within {timeout} s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    # Each was started in its own process group: end the group (its children too), no more.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, 15)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        proc.wait(10)


@contextlib.contextmanager
def _started(argv: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        _stop(proc)


class Page:
    """A minimal DevTools-protocol client for one page target."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.received = ""  # what the page's terminal was sent, escape sequences removed
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
            elif data.get("method") == "Network.webSocketFrameReceived":
                response = data["params"]["response"]
                payload = response["payloadData"]
                raw = base64.b64decode(payload) if response["opcode"] == 2 else payload.encode()
                self.received += ANSI.sub("", raw.decode("utf-8", "replace"))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.ws.send_str(json.dumps({"id": self.next_id, "method": method, "params": params}))
        reply = await asyncio.wait_for(future, 30)
        assert "error" not in reply, reply
        return reply.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def wait_for_text(self, text: str, *, after: int = 0, timeout: float = 40) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.received[after:]:
                return
            await asyncio.sleep(0.1)
        tail = self.received[-1500:]
        raise AssertionError(f"{text!r} never reached the page; last text received:\n{tail}")

    async def press(self, key: str) -> None:
        # Typed into xterm.js's input, exactly as a keyboard would.
        for kind in ("keyDown", "char", "keyUp"):
            params: dict[str, Any] = {"type": kind, "key": key}
            if kind == "char":
                params["text"] = key
            await self.send("Input.dispatchKeyEvent", **params)


@contextlib.asynccontextmanager
async def _page(debug_port: int, *, new_tab: bool = False) -> AsyncIterator[Page]:
    """The browser's first page, or (``new_tab``) a tab opened for it."""
    async with aiohttp.ClientSession() as http:
        deadline = time.monotonic() + 30
        targets: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            with contextlib.suppress(aiohttp.ClientError):
                if new_tab:
                    new = f"http://127.0.0.1:{debug_port}/json/new?about:blank"
                    async with http.put(new) as r:
                        targets = [await r.json()]
                else:
                    async with http.get(f"http://127.0.0.1:{debug_port}/json/list") as r:
                        targets = [t for t in await r.json() if t.get("type") == "page"]
                if targets:
                    break
            await asyncio.sleep(0.2)
        assert targets, "Chromium opened no page"
        async with http.ws_connect(targets[0]["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            page = Page(ws)
            try:
                yield page
            finally:
                page.reader.cancel()


def test_the_served_app_works_in_headless_chromium(
    quizapp_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port, debug_port = _free_port(), _free_port()
    env = {**os.environ, "QUIZAPP_HOME": str(quizapp_home)}
    serve = [quizapp_command(), "serve", "--port", str(port)]
    chromium = [
        str(CHROMIUM),
        "--headless=new",
        "--no-sandbox",  # tests run as root in CI, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--no-first-run",
        "--window-size=1200,760",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--remote-debugging-address=127.0.0.1",
        f"--remote-debugging-port={debug_port}",
        "about:blank",
    ]
    with (
        _started(serve, env, tmp_path / "serve.log") as server,
        _started(chromium, env, tmp_path / "chromium.log") as browser,
        _attacker(port) as attack,
    ):
        try:
            _wait_for_port(port, server)
            _wait_for_port(debug_port, browser)
            url = _printed_url(tmp_path / "serve.log", server)
            asyncio.run(_drive(url, debug_port, attack))
        except AssertionError:
            sys.stderr.write((tmp_path / "serve.log").read_text(errors="replace")[-3000:])
            raise
    # The address it printed is this machine's, with the token the page needs.
    assert url.startswith(f"http://127.0.0.1:{port}/?token=")
    token = url.rpartition("=")[2]
    # The other page in the same browser could not drive the app, and nothing the browser
    # sent to that other server (another port of the same host) held the token.
    assert attack.result == {"websocket": "refused", "guessed": "refused"}, attack.result
    assert attack.requests and not any(token in r for r in attack.requests), attack.requests
    with Store.open() as store:
        reviews = store.reviews()
    assert len(reviews) == 2, "a card rated in one of the two tabs was not saved"
    # The same progress the TUI and the CLI read.
    capsys.readouterr()
    assert main(["stats"]) == 0
    assert "Reviews: 2 in total, 2 today" in capsys.readouterr().out


class Attacker:
    """Another site on this machine (another port of 127.0.0.1, the same site for cookies):
    its page tries the app's websocket without the token and with a guessed one, and every
    request the browser sends it is kept (its headers, cookies included)."""

    def __init__(self, port: int) -> None:
        self.page = ATTACK_PAGE.replace("PORT", str(port)).encode()
        self.requests: list[str] = []
        self.result: dict[str, str] = {}
        self.url = ""


ATTACK_PAGE = """<!doctype html><title>another site</title><script>
window.result = {};
function attempt(name, url) {
  const ws = new WebSocket(url);
  ws.onopen = () => { window.result[name] = "opened"; ws.close(); };
  ws.onerror = () => { window.result[name] = window.result[name] || "refused"; };
}
attempt("websocket", "ws://127.0.0.1:PORT/ws?width=80&height=24");
attempt("guessed", "ws://127.0.0.1:PORT/ws/token?width=80&height=24");
fetch("/probe", {credentials: "include"});
</script>"""


@contextlib.contextmanager
def _attacker(port: int) -> Iterator[Attacker]:
    import http.server
    import threading

    attack = Attacker(port)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            attack.requests.append(f"{self.requestline}\n{self.headers}")
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(attack.page)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    attack.url = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield attack
    finally:
        server.shutdown()
        server.server_close()


async def _drive(url: str, debug_port: int, attack: Attacker) -> None:
    # Two tabs at once, each its own app on the one progress file.
    async with _page(debug_port) as page, _page(debug_port, new_tab=True) as other:
        await asyncio.gather(_study(page, url, shot=True), _study(other, url))
        # The learner then opens another site's page in the same browser.
        await page.send("Page.navigate", url=attack.url)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            result = await page.evaluate("JSON.stringify(window.result || {})")
            attack.result = json.loads(result or "{}")
            if len(attack.result) == 2 and any("/probe" in r for r in attack.requests):
                break
            await asyncio.sleep(0.1)


async def _study(page: Page, url: str, *, shot: bool = False) -> None:
    """Open the app in ``page`` and rate one card Good."""
    await page.send("Network.enable")
    await page.send("Page.enable")
    await page.send("Page.navigate", url=url)
    await page.wait_for_text("Go to")
    await page.wait_for_text("New today")
    # The page's script adds this class once its terminal has drawn what it received.
    assert await page.evaluate("document.body.classList.contains('-first-byte')")
    assert await page.evaluate("document.querySelector('.textual-terminal .xterm-screen') != null")
    path = os.environ.get(SCREENSHOT_ENV)
    if shot and path:  # assets/screenshots.py: a picture, once the page has faded the terminal in
        await asyncio.sleep(1.0)
        png = await page.send("Page.captureScreenshot", format="png")
        Path(path).write_bytes(base64.b64decode(png["data"]))
    await page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
    mark = len(page.received)
    await page.press("s")
    await page.wait_for_text("Show answer", after=mark)
    await page.press(" ")
    await page.wait_for_text("Good", after=mark)
    mark = len(page.received)
    await page.press("3")
    await page.wait_for_text("1 reviewed", after=mark)
