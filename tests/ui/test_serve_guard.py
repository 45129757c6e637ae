"""`quizapp serve` refuses whoever is not the learner's own browser, against a real server.

The server is the real command (`quizapp serve --port 0`, a free port on 127.0.0.1) and the
client a real HTTP/websocket client (aiohttp): a websocket from another site's page (foreign
``Origin``), without the printed token, or under a foreign ``Host`` (DNS rebinding) is refused
with 403 before any app process starts; the printed address opens the page, the websocket address
on the page opens the websocket, no cookie carries the token to another port, and two tabs
(two app processes) rating at once on one progress file both land.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from quizapp.store import Store
from tests.helpers import quizapp_command

pytest.importorskip("textual_serve", reason="textual-serve is not installed (quizapp[web])")
aiohttp = pytest.importorskip("aiohttp", reason="aiohttp (a textual-serve dependency) is missing")

ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")
URL = re.compile(r"serving on (http://\S+)")


@contextlib.contextmanager
def served(home: Path, *extra: str) -> Iterator[tuple[str, str, int]]:
    """Run `quizapp serve --port 0`; yield (printed address, everything it printed so far, its
    process id)."""
    env = {**os.environ, "QUIZAPP_HOME": str(home)}
    proc = subprocess.Popen(
        [quizapp_command(), "serve", "--port", "0", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        printed = ""
        # The address is printed once the port listens; readline waits for it (or for EOF).
        for line in proc.stdout:
            printed += line
            if match := URL.search(line):
                yield match.group(1), printed, proc.pid
                break
        else:
            raise AssertionError(f"serve printed no address:\n{printed}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
            proc.wait(10)


def _parts(url: str) -> tuple[str, str]:
    """(origin, token) of the printed address."""
    split = urlsplit(url)
    token = dict(p.split("=", 1) for p in split.query.split("&"))["token"]
    return f"{split.scheme}://{split.netloc}", token


async def _ws_status(url: str, *, headers: dict[str, str], query: str) -> int:
    """Open the websocket; the HTTP status of the handshake (101 when accepted)."""
    origin, _ = _parts(url)
    async with aiohttp.ClientSession() as http:
        try:
            ws = await http.ws_connect(f"{origin}/ws?{query}", headers=headers)
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status
        await ws.close()
        return 101


def test_the_printed_address_carries_a_token_and_the_server_refuses_everyone_else(
    quizapp_home: Path,
) -> None:
    with served(quizapp_home) as (url, printed, _):
        origin, token = _parts(url)
        port = urlsplit(url).port
        assert origin.startswith("http://127.0.0.1:") and len(token) >= 32
        assert "warning" not in printed  # loopback: nothing to warn about

        evil = f"evil.example:{port}"  # a rebound name: same origin as its own page, wrong Host

        async def check() -> dict[str, int]:
            good = {"Origin": origin}
            return {
                "right": await _ws_status(url, headers=good, query=f"token={token}"),
                "foreign origin": await _ws_status(
                    url, headers={"Origin": "http://evil.example"}, query=f"token={token}"
                ),
                "no origin": await _ws_status(url, headers={}, query=f"token={token}"),
                "no token": await _ws_status(url, headers=good, query="width=80"),
                "wrong token": await _ws_status(url, headers=good, query=f"token={token[:-2]}x"),
                "wrong host": await _ws_status(
                    url,
                    headers={"Origin": f"http://{evil}", "Host": evil},
                    query=f"token={token}",
                ),
            }

        statuses = asyncio.run(check())
    assert statuses == {
        "right": 101,
        "foreign origin": 403,
        "no origin": 403,
        "no token": 403,
        "wrong token": 403,
        "wrong host": 403,
    }


def test_the_page_needs_the_token_its_websocket_address_opens_the_app_and_no_cookie_leaks_it(
    quizapp_home: Path,
) -> None:
    with served(quizapp_home) as (url, _, _):
        origin, token = _parts(url)
        port = urlsplit(url).port

        async def check() -> dict[str, Any]:
            seen: dict[str, Any] = {}
            async with aiohttp.ClientSession() as bare:
                async with bare.get(f"{origin}/") as r:
                    seen["page without token"] = (r.status, await r.text())
                async with bare.get(url, headers={"Host": f"rebound.example:{port}"}) as r:
                    seen["page under another name"] = r.status
                async with bare.get(f"{origin}/static/") as r:
                    seen["static folder"] = (r.status, await r.text())
                async with bare.get(f"{origin}/static/js/textual.js") as r:
                    seen["static file"] = r.status
                async with bare.get(f"{origin}/ws/{token[:-1]}") as r:
                    seen["ws path, wrong token"] = r.status
            # A browser: the page gives textual.js the websocket's address, to which it
            # appends ?width=&height=; that address alone opens the app.
            jar = aiohttp.CookieJar(unsafe=True)
            async with aiohttp.ClientSession(cookie_jar=jar) as tab:
                async with tab.get(url) as r:
                    page = await r.text()
                    seen["page"] = r.status
                    seen["referrer policy"] = r.headers.get("Referrer-Policy")
                    seen["cache"] = r.headers.get("Cache-Control")
                ws_url = re.search(r'data-session-websocket-url="([^"]+)"', page)
                seen["ws url"] = ws_url.group(1) if ws_url else None
                async with tab.ws_connect(
                    f"{seen['ws url']}?width=100&height=30", headers={"Origin": origin}
                ) as ws:
                    seen["ws"] = not ws.closed
                # Cookies go to every port of a host: none may hold the token.
                seen["cookies"] = [c.value for c in jar]
            return seen

        seen = asyncio.run(check())
    status, text = seen["page without token"]
    assert status == 403 and "token" in text and text.count("\n") == 1
    assert seen["page under another name"] == 403
    status, text = seen["static folder"]
    assert status in (403, 404) and "textual.js" not in text
    assert seen["static file"] == 200
    assert seen["ws path, wrong token"] == 403
    assert seen["page"] == 200 and seen["ws url"] == f"ws://127.0.0.1:{port}/ws/{token}"
    assert seen["referrer policy"] == "no-referrer"  # the token never leaves in a Referer
    assert seen["cache"] == "no-store"
    assert seen["ws"]
    assert not any(token in c for c in seen["cookies"]), seen["cookies"]


class Tab:
    """One browser tab as the websocket sees it: what its app drew, and keys to send."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.text = ""

    async def until(self, wanted: str, after: int, timeout: float = 60) -> None:
        async def read() -> None:
            while wanted not in self.text[after:]:
                msg = await self.ws.receive()
                if msg.type == aiohttp.WSMsgType.BINARY:
                    self.text += ANSI.sub("", msg.data.decode("utf-8", "replace"))
                elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                    raise AssertionError(f"the tab closed before {wanted!r}:\n{self.text[-800:]}")

        try:
            await asyncio.wait_for(read(), timeout)
        except TimeoutError:
            raise AssertionError(f"{wanted!r} never came:\n{self.text[-1500:]}") from None

    async def press(self, key: str, then: str) -> None:
        mark = len(self.text)
        await self.ws.send_json(["stdin", key])
        await self.until(then, mark)


@pytest.mark.slow
def test_two_tabs_rating_at_once_on_one_progress_file_both_land(quizapp_home: Path) -> None:
    with served(quizapp_home) as (url, _, _):
        origin, token = _parts(url)

        async def study(http: Any) -> None:
            async with http.ws_connect(
                f"{origin}/ws?token={token}&width=120&height=40", headers={"Origin": origin}
            ) as ws:
                tab = Tab(ws)
                await tab.until("New today", 0)
                await tab.press("s", "Show answer")
                await tab.press(" ", "Good")
                await tab.press("3", "1 reviewed")

        async def both() -> None:
            async with aiohttp.ClientSession() as http:
                await asyncio.gather(study(http), study(http))

        asyncio.run(both())
    with Store.open() as store:
        reviews = store.reviews()
    assert len(reviews) == 2, [(r.item_id, r.reviewed_at) for r in reviews]


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rpartition(")")[2].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")
def test_a_server_killed_with_kill_9_takes_its_tabs_apps_with_it(quizapp_home: Path) -> None:
    """Each tab runs its own quizapp; with the server gone (kill -9, no cleanup) no one can
    reach them: they end (saved, backed up) instead of holding the progress file for ever."""
    import signal
    import time

    with served(quizapp_home) as (url, _, server):
        origin, token = _parts(url)

        async def study_then_kill() -> list[int]:
            async with (
                aiohttp.ClientSession() as http,
                http.ws_connect(
                    f"{origin}/ws/{token}?width=120&height=40", headers={"Origin": origin}
                ) as ws,
            ):
                tab = Tab(ws)
                await tab.until("New today", 0)
                await tab.press("s", "Show answer")
                await tab.press(" ", "Good")
                await tab.press("3", "1 reviewed")
                apps = _children(server)
                assert apps, "the tab's app is not a child of the server"
                os.kill(server, signal.SIGKILL)
                return apps

        apps = asyncio.run(study_then_kill())
        deadline = time.monotonic() + 60
        while any(_alive(a) for a in apps) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(a) for a in apps), "the tab's app outlived its server"
    with Store.open() as store:
        assert len(store.reviews()) == 1
    # It ended as when its terminal closes: its session backed up.
    assert [b.name for b in (quizapp_home / "backups").glob("*-session.db")]
