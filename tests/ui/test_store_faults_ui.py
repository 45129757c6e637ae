"""Store faults as a learner meets them in the app: a lock held by another program while rating,
bytes overwritten under the Stats screen. The app stays up, says NOT SAVING in the title bar
and in a notice, and every rating shown as recorded is saved once the file can be written."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.helpers import held_lock, overwrite_pages
from tests.ui.conftest import SIZE, reopen_store, wait_until


async def test_rating_while_another_program_holds_the_lock_keeps_the_app_up_and_the_rating(
    make_app, quizapp_home: Path, notices
) -> None:
    app = make_app()
    app.store.db.busy_timeout = 0.2
    app.store.db.conn.execute("PRAGMA busy_timeout = 200")
    path = quizapp_home / "progress.db"
    with held_lock(path) as holder:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("s")
            first = app.screen.session.current
            await pilot.press("space", "3")
            await pilot.pause()
            assert app.is_running and app.screen.session.current.id != first.id
            assert "NOT SAVING" in app.sub_title
            assert any("locked by another program" in n for n in notices), notices
            holder.kill()
            holder.wait()
            app.store.retry_every = 0
            app._retry_saving()  # what the app's 5-second timer does
            await pilot.pause()
            assert "NOT SAVING" not in app.sub_title
            assert "saving again: 1 unsaved action was written to progress.db" in notices
            assert [r.item_id for r in reopen_store().reviews()] == [first.id]


async def test_the_stats_screen_survives_bytes_overwritten_while_open(
    make_app, quizapp_home: Path, notices
) -> None:
    with reopen_store() as store:
        for i in range(300):
            store.record_review(f"faq-{i}", 3, kind="faq", answer="v" * 200)
    app = make_app()
    path = quizapp_home / "progress.db"
    async with app.run_test(size=SIZE) as pilot:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        overwrite_pages(path)
        app.store.db.conn.execute("PRAGMA cache_size = 0")
        await pilot.press("i")
        await wait_until(
            pilot, lambda: any("damaged while open" in n for n in notices), what="the notice"
        )
        assert app.is_running
        assert "NOT SAVING" in app.sub_title


def _drain(master: int, seconds: float) -> bytes:
    import select
    import time

    out = b""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                out += os.read(master, 65536)
            except OSError:
                break
    return out


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_still_take_the_session_backup(tmp_path: Path, sig: int) -> None:
    import fcntl
    import json
    import pty
    import struct
    import termios
    import time

    from tests.helpers import quizapp_command

    home = tmp_path / "home"
    home.mkdir()
    # A change the app makes at start (a rating kept pending by an earlier run), so the session
    # has something to back up without driving the keys through a loaded machine's terminal.
    entry = {"op": "review", "uuid": "0b7e6c2e-35c6-4d3e-9a57-4f8f5d1b2c3d", "item_id": "x",
             "rating": 3, "kind": "faq", "at": "2026-01-01T00:00:00.000000+00:00",
             "duration_ms": None, "answer": None, "verdict": None, "seed": None}  # fmt: skip
    (home / "progress.db.pending").write_text(json.dumps(entry) + "\n")
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = {**os.environ, "QUIZAPP_HOME": str(home), "TERM": "xterm-256color"}
    proc = subprocess.Popen(
        [quizapp_command()], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    try:
        seen, start = b"", time.monotonic()
        while b"Study" not in seen and time.monotonic() - start < 90:  # the home screen is up
            seen += _drain(master, 0.2)
        assert not (home / "progress.db.pending").exists(), "the app never started"
        # The signal handlers are set on mount, before the first frame drew "Study".
        proc.send_signal(sig)
        end = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < end:
            _drain(master, 0.2)
        assert proc.poll() is not None, "the app did not exit"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(master)
    backups = list((home / "backups").glob("*-session.db"))
    assert len(backups) == 1
    conn = sqlite3.connect(backups[0])
    assert conn.execute("SELECT item_id FROM reviews").fetchall() == [("x",)]
    conn.close()
