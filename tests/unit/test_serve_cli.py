"""`quizapp serve` without the browser: the missing extra, bad ports and the warning. The served
app itself is driven in a real Chromium in tests/ui/test_serve_browser.py."""

from __future__ import annotations

import ipaddress
import socket
import sys

import pytest

from quizapp.cli import main
from quizapp.commands.serve import listen_warning
from tests.helpers import run_quizapp


def test_without_the_web_extra_one_line_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # None in sys.modules makes the import fail as if textual-serve were not installed.
    monkeypatch.setitem(sys.modules, "textual_serve", None)
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    code = main(["serve"])
    err = capsys.readouterr().err
    assert code == 1
    expected = "serve: needs the web extra; install it with: pip install 'quizapp[web]'"
    assert err == f"quizapp: {expected}\n"


@pytest.mark.parametrize("port", ["-1", "70000", "http"])
def test_a_bad_port_is_a_usage_error(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["serve", "--port", port])
    err = capsys.readouterr().err
    assert exc.value.code == 2 and "is not a port number" in err and err.count("\n") == 1


def test_a_port_in_use_says_so_in_one_line_after_the_warning() -> None:
    host = "127.0.0.1"  # tests listen on the loopback interface only
    pytest.importorskip("textual_serve", reason="textual-serve is not installed")
    with socket.socket() as busy:
        busy.bind((host, 0))
        busy.listen()
        port = busy.getsockname()[1]
        # In a process of its own: the server installs signal handlers on its event loop.
        result = run_quizapp("serve", "--host", host, "--port", str(port), timeout=60)
    err = result.stderr
    assert result.returncode == 1, err
    assert "Traceback" not in err
    assert f"serve: cannot listen on {host}:{port}" in err and "try another --port" in err
    assert "warning" not in err  # loopback: nothing to warn about


@pytest.mark.parametrize(
    ("host", "network"),
    [("127.0.0.1", False), ("localhost", False), ("::1", False), ("0.0.0.0", True),
     ("192.168.1.20", True), ("my-laptop.lan", True)],
)  # fmt: skip
def test_only_a_network_host_is_warned_about(host: str, network: bool) -> None:
    warning = listen_warning(host, 8123)
    assert (warning is not None) is network
    if warning is not None:
        assert host in warning and "8123" in warning and "token" in warning


def test_every_interface_prints_an_address_of_this_machine_another_device_can_use() -> None:
    pytest.importorskip("textual_serve", reason="textual-serve is not installed")
    from quizapp.web import reachable_address, url_for

    address = reachable_address("0.0.0.0")
    ip = ipaddress.ip_address(address)  # an address, not a name such as getfqdn()'s "localhost"
    assert not ip.is_unspecified
    # It is this machine's own: a socket can bind to it.
    with socket.socket() as s:
        s.bind((address, 0))
    assert reachable_address("192.168.1.20") == "192.168.1.20"
    assert url_for("::1", 8000, "abc") == "http://[::1]:8000/?token=abc"


@pytest.mark.parametrize(
    ("listen", "host_header", "allowed"),
    [("127.0.0.1", "127.0.0.1:8123", True), ("127.0.0.1", "localhost:8123", True),
     ("127.0.0.1", "127.0.0.1:8124", False), ("127.0.0.1", "evil.example:8123", False),
     ("127.0.0.1", "127.0.0.1", False), ("127.0.0.1", "", False), ("127.0.0.1", "[::1:8123", False),
     ("0.0.0.0", "10.1.2.3:8123", True), ("0.0.0.0", "evil.example:8123", False),
     ("::1", "[::1]:8123", True), ("192.168.1.20", "192.168.1.20:8123", True),
     ("192.168.1.20", "rebound.example:8123", False)],
)  # fmt: skip
def test_only_the_served_address_is_a_valid_host(
    listen: str, host_header: str, allowed: bool
) -> None:
    pytest.importorskip("textual_serve", reason="textual-serve is not installed")
    from quizapp.web import GuardedServer

    server = GuardedServer("true", listen, 8123)
    assert server.allowed_host(host_header) is allowed
