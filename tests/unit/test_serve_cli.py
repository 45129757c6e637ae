"""`quizapp serve` without the browser: the missing extra, bad ports and the warning. The served
app itself is driven in a real Chromium in tests/ui/test_serve_browser.py."""

from __future__ import annotations

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


@pytest.mark.parametrize("port", ["0", "70000", "http"])
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
    # Before listening it warned that whoever reaches the port can use the app.
    assert listen_warning(host, port) in err


@pytest.mark.parametrize(
    ("host", "network"),
    [("127.0.0.1", False), ("localhost", False), ("::1", False), ("0.0.0.0", True),
     ("192.168.1.20", True), ("my-laptop.lan", True)],
)  # fmt: skip
def test_the_warning_says_who_can_reach_it(host: str, network: bool) -> None:
    warning = listen_warning(host, 8123)
    assert ("over the network" in warning) is network
    assert "anyone who can reach" in warning
    if network:
        assert host in warning and "8123" in warning and "no password" in warning
