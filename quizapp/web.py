"""textual-serve with a guard: only the learner's browser can drive the served app.

textual-serve alone answers anyone: a page on another site, open in the same browser, can open
the websocket and study as the learner (browsers do not apply the same-origin policy to
websockets), a DNS-rebinding name can fetch the page, and ``/static/`` lists its folder. Here,
as in Jupyter:

* a random token (``secrets.token_urlsafe``) is printed in the address at start; the page
  needs it in its query (``?token=``), the websocket in its path (``/ws/<token>``, the address
  the page gives textual.js, which appends its own ``?width=&height=``) or query. No cookie
  holds it: a browser sends a host's cookies to every port of it, so any other server on
  this machine the learner visits would receive the token;
* every request's ``Host`` must name the served address (an IP literal, ``localhost``, or this
  machine's name when listening on every interface), which defeats DNS rebinding;
* the websocket's ``Origin`` must be the page's own origin (the validated ``Host``);
* static files are served without a directory listing.

A refused request gets 403 and one line saying why. Imported only by ``quizapp serve``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import logging
import secrets
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

WILDCARD_HOSTS = ("0.0.0.0", "::", "")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    return host == "localhost" or (_is_ip(host) and ipaddress.ip_address(host).is_loopback)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def reachable_address(host: str) -> str:
    """The address another device uses to reach a server listening on ``host``: the host itself
    when it is one address, else (every interface) this machine's address on the network it
    routes through, found by routing a UDP socket (no packet is sent); ``getfqdn()`` is no
    help: it is often ``localhost``, and another device would connect to itself."""
    if host not in WILDCARD_HOSTS:
        return host
    family, probe = (
        (socket.AF_INET6, "2001:db8::1") if host == "::" else (socket.AF_INET, "192.0.2.1")
    )
    with contextlib.suppress(OSError), socket.socket(family, socket.SOCK_DGRAM) as s:
        s.connect((probe, 9))
        address = str(s.getsockname()[0])
        if not ipaddress.ip_address(address).is_unspecified:
            return address
    with contextlib.suppress(OSError):
        address = socket.gethostbyname(socket.gethostname())
        if not ipaddress.ip_address(address).is_loopback:
            return address
    return "127.0.0.1" if family == socket.AF_INET else "::1"


def url_for(host: str, port: int, token: str | None = None) -> str:
    shown = f"[{host}]" if ":" in host else host
    query = f"?token={token}" if token else ""
    return f"http://{shown}:{port}/{query}"


def _split_host(value: str) -> tuple[str, int | None]:
    """``Host`` header -> (host, port); ('', None) when it cannot be read."""
    try:
        parts = urlsplit(f"//{value}")
        return (parts.hostname or "").lower(), parts.port
    except ValueError:
        return "", None


class GuardedServer(Server):
    """A textual-serve ``Server`` that checks token, ``Host`` and ``Origin`` (module docstring).

    ``port`` 0 takes a free port; ``serve()`` prints the address with the token once it
    listens (``on_listening`` is called with it, for tests and the CLI)."""

    def __init__(
        self,
        command: str,
        host: str,
        port: int,
        *,
        title: str = "quizapp",
        token: str | None = None,
        on_listening: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token or secrets.token_urlsafe(32)
        self.on_listening = on_listening
        self.address = reachable_address(host)

    # ------------------------------------------------------------------ the checks

    def allowed_host(self, value: str) -> bool:
        """Whether a ``Host`` header names this server (see the module docstring)."""
        host, port = _split_host(value)
        if not host or (port if port is not None else 80) != self.port:
            return False
        listen = self.host.lower()
        if host in {listen, self.address.lower()}:
            return True
        if host in LOOPBACK_NAMES:
            return is_loopback(listen) or listen in WILDCARD_HOSTS
        if listen in WILDCARD_HOSTS:
            # An IP literal cannot be rebound; a name must be this machine's own.
            names = {socket.gethostname().lower(), socket.getfqdn().lower()}
            return _is_ip(host) or host in names
        return False

    def has_token(self, request: web.Request) -> bool:
        given = request.match_info.get("token") or request.query.get("token") or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.allowed_host(request.host):
            return _refuse(f"Host {request.host!r} is not this server's address")
        if request.path.startswith("/static/"):
            return await handler(request)  # textual-serve's own JavaScript and CSS: no secret
        if not self.has_token(request):
            return _refuse(
                "open the address with ?token=... that 'quizapp serve' printed when it started"
            )
        if request.path == "/ws" or request.path.startswith("/ws/"):
            origin = request.headers.get("Origin", "")
            if origin != f"http://{request.host}":
                return _refuse(f"websocket from a foreign origin {origin or '(none)'!r}")
        response = await handler(request)
        if not response.prepared:  # a websocket's headers went out with its handshake
            response.headers["Referrer-Policy"] = "no-referrer"
        return response

    # ------------------------------------------------------------------ the app

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/ws/{token}", self.handle_websocket, name="websocket-token"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        # Addresses on the page are those the browser used (a checked Host), so the page works
        # whichever of this machine's names or addresses opened it.
        base = f"http://{request.host}"
        context: dict[str, Any] = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"ws://{request.host}/ws/{self.token}",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        # The page holds the token: no other site's page may read it from a cache.
        response.headers["Cache-Control"] = "no-store"
        return response

    # ------------------------------------------------------------------ running

    async def _run(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host or None, self.port).start()
            if self.port == 0:
                self.port = int(runner.addresses[0][1])
            if self.on_listening is not None:
                self.on_listening(url_for(self.address, self.port, self.token))
            await stop.wait()
        finally:
            await runner.cleanup()

    def serve(self, debug: bool = False) -> None:
        """Listen until SIGINT or SIGTERM. Raises OSError when the port cannot be had."""
        self.debug = debug
        logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
        loop = asyncio.new_event_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        try:
            loop.run_until_complete(self._run(stop))
        finally:
            loop.close()


def _refuse(why: str) -> web.Response:
    return web.Response(status=403, text=f"quizapp serve: refused: {why}\n")
