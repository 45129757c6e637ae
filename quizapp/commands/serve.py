"""`quizapp serve [--host 127.0.0.1] [--port 8000]`: the same app in a web browser.

textual-serve runs one ``quizapp`` process per browser tab and streams its screen over a
websocket. It is an optional extra (``pip install 'quizapp[web]'``), imported only here, only
when the command runs, so nothing else loads it (or Textual).
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import shlex
import socket
import sys

from quizapp.commands import CliError

INSTALL_HINT = "serve: needs the web extra; install it with: pip install 'quizapp[web]'"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the app in a web browser (needs quizapp[web])",
        description="Serve the app on a local web server; open the printed address in a "
        "browser. Each tab runs its own quizapp with your progress. The address carries a "
        "random token (new at each start): without it, from another site's page or under "
        "another host name, the server refuses. It listens on this machine only unless --host "
        "says otherwise.",
    )
    p.add_argument(
        "--host",
        type=_host,
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for every "
        "network interface)",
    )
    p.add_argument(
        "--port", type=_port, default=8000, help="port to listen on (default 8000; 0: any free one)"
    )
    p.set_defaults(func=run)


def _host(text: str) -> str:
    # An empty host listens on every interface, as 0.0.0.0 does: an unset variable in a script
    # ("--host $HOST") must not open the app to the network.
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "empty: that would listen on every network interface; give 127.0.0.1 (this "
            "machine only) or 0.0.0.0 (every interface, on purpose)"
        )
    return text


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (0 to 65535)")
    return port


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``localhost``, 127.0.0.0/8, ``::1``); the same
    test as quizapp.web's, here without the web extra."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def listen_warning(host: str, port: int) -> str | None:
    """What listening on ``host`` exposes beyond this machine (None on loopback)."""
    if is_loopback(host):
        return None
    return (
        f"listening on {host}: other devices on the network can reach port {port}; whoever "
        "has the address printed below (its token) can use the app and change your progress"
    )


# Run by each tab's process before it becomes quizapp (Linux): ask the kernel for SIGTERM when
# the server dies (PR_SET_PDEATHSIG; it holds across exec). Without it, a server killed with
# kill -9 left every tab's app running for ever, holding the progress file (and `restore`
# refused, "quizapp is open"). SIGTERM ends the app as a closed terminal does: saved, backed up.
DIE_WITH_SERVER = """\
import ctypes, os, signal, sys
ctypes.CDLL(None).prctl(1, signal.SIGTERM)
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
"""


def app_command(args: argparse.Namespace, server_pid: int | None = None) -> str:
    """The shell command each browser tab runs: this interpreter's quizapp, same decks; on
    Linux one that ends when the server process (``server_pid``, this one by default) does."""
    argv = ["-m", "quizapp"]
    for path in getattr(args, "content", []):
        argv += ["--content", str(path.resolve())]
    if not sys.platform.startswith("linux"):
        return shlex.join([sys.executable, *argv])
    # exec: the shell textual-serve starts becomes the app, a child of the server itself.
    pid = os.getpid() if server_pid is None else server_pid
    return "exec " + shlex.join([sys.executable, "-c", DIE_WITH_SERVER, str(pid), *argv])


def run(args: argparse.Namespace) -> int:
    try:
        from quizapp.web import GuardedServer
    except ImportError:
        raise CliError(INSTALL_HINT) from None
    # Fail here, with the decks' own message, rather than in every browser tab.
    from quizapp.commands.common import library_from_args

    library_from_args(args, strict=False)

    def listening(url: str) -> None:
        # Once it listens: the port is known (--port 0 takes a free one).
        warning = listen_warning(args.host, server.port)
        if warning:
            sys.stderr.write(f"quizapp: warning: {warning}\n")
        sys.stdout.write(f"quizapp: serving on {url}\n(open it in a browser; ctrl+c stops)\n")
        sys.stdout.flush()

    server = GuardedServer(app_command(args), args.host, args.port, on_listening=listening)
    try:
        server.serve()
    except OSError as exc:
        # A host name that does not resolve, or an address not on this machine, is the host's
        # fault: "try another --port" sent the learner the wrong way.
        bad_host = isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL
        fix = (
            "give an address of this machine with --host (e.g. 127.0.0.1)"
            if bad_host
            else ("try another --port")
        )
        raise CliError(
            f"serve: cannot listen on {args.host}:{args.port} ({exc.strerror or exc}); {fix}"
        ) from None
    return 0
