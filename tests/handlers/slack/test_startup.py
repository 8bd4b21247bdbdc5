"""Start-up and shutdown of `tandem run` as a real process: a refused token or an unreachable
Slack ends with one line and exit status 1; SIGTERM in HTTP mode lets the request in flight
finish, with no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from tests.handlers.slack.conftest import CHANNEL, SECRET, SlackSender
from testing.socket_mode import FakeSocketMode
from tests.processes import start_tandem
from tests.test_crash_safety import closed_port, served_port


@pytest.fixture
def env(tmp_path, fake):
    return {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
            "TANDEM_CHANNEL": CHANNEL, "TANDEM_DB": str(tmp_path / "t.db"), "PORT": "0",
            "TANDEM_ADMINS": "U0ADMIN001,U0ADMIN002", "TANDEM_LOG_LEVEL": "INFO"}


def run(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "--env-file", os.devnull, "run"],
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=60)


def errors_of(done: subprocess.CompletedProcess) -> list[str]:
    """What the process said besides its INFO and WARNING log lines (configuration advice)."""
    return [line for line in done.stderr.splitlines() if " INFO " not in line and " WARNING " not in line]


def test_a_refused_bot_token_is_one_line_and_exit_1(env, fake):
    fake.fail("auth.test", "invalid_auth")
    done = run(env)
    assert done.returncode == 1
    assert errors_of(done) == ["tandem: Slack refused SLACK_BOT_TOKEN (invalid_auth); copy the Bot User OAuth "
                               "Token from the app's OAuth & Permissions page"]


def test_an_unreachable_slack_is_one_line_and_exit_1(env):
    with closed_port() as port:
        done = run({**env, "SLACK_API_URL": f"http://127.0.0.1:{port}/api/"})
    assert done.returncode == 1
    [line] = errors_of(done)
    assert line.startswith("tandem: cannot reach Slack at http://127.0.0.1:") and "Traceback" not in done.stderr


def test_a_refused_app_token_is_one_line_and_exit_1_and_never_says_connected(env, fake):
    sockets = FakeSocketMode().start()
    fake.socket_url = sockets.url
    try:
        done = run({**env, "SLACK_APP_TOKEN": "xapp-revoked"})
    finally:
        sockets.stop()
    assert done.returncode == 1
    assert errors_of(done) == ["tandem: Slack refused SLACK_APP_TOKEN (invalid_auth); create an app-level token "
                               "with connections:write in the app's Basic Information page"]
    assert "connected" not in done.stderr.lower() and sockets.connections == 0


class Running:
    """``tandem run`` as a child process whose log is read as it comes."""

    def __init__(self, env: dict):
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.ended = False
        self.proc = start_tandem(env)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stderr:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.ended = True
            self.changed.notify_all()

    def wait_for(self, fragment: str, timeout: float = 90) -> str:
        """The first line logged with ``fragment`` in it, once it has been."""
        with self.changed:
            if not self.changed.wait_for(lambda: any(fragment in line for line in self.lines) or self.ended, timeout):
                raise AssertionError(f"never logged {fragment!r}")
            found = [line for line in self.lines if fragment in line]
            assert found, "".join(self.lines)
            return found[0]

    def log(self) -> str:
        with self.changed:
            self.changed.wait_for(lambda: self.ended, 30)
            return "".join(self.lines)


def test_socket_mode_says_connected_after_hello_and_sigterm_ends_it_cleanly(env, fake):
    sockets = FakeSocketMode().start()
    fake.socket_url = sockets.url
    try:
        bot = Running({**env, "SLACK_APP_TOKEN": "xapp-test"})
        bot.wait_for("Tandem is connected to Slack in Socket Mode")
        assert sockets.connections >= 1, "connected only after a real connection said hello"
        bot.proc.send_signal(signal.SIGTERM)
        assert bot.proc.wait(timeout=30) == 0
        assert "Traceback" not in bot.log()
    finally:
        sockets.stop()


def blocked_signals(pid: int) -> dict[int, int]:
    """Each thread of a process (by thread ID) and the signals it blocks (Linux's SigBlk mask)."""
    masks = {}
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/status") as status:
            masks[int(task)] = next(int(line.split()[1], 16) for line in status if line.startswith("SigBlk:"))
    return masks


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="reads Linux's /proc")
def test_only_the_main_thread_takes_sigterm_so_a_worker_cannot_swallow_it(env, fake):
    """A signal goes to any thread not blocking it; one taken by a Socket Mode worker would set
    the stop flag without waking the main thread, and Tandem would not stop."""
    sockets = FakeSocketMode().start()
    fake.socket_url = sockets.url
    try:
        # Only Tandem's own threads: numpy's OpenBLAS starts one at import, before any mask
        # (Tandem's main thread wakes every second for what such a thread catches).
        bot = Running({**env, "SLACK_APP_TOKEN": "xapp-test", "OPENBLAS_NUM_THREADS": "1"})
        bot.wait_for("Tandem serves the calendar feed")
        masks = blocked_signals(bot.proc.pid)
        term, interrupt = 1 << (signal.SIGTERM - 1), 1 << (signal.SIGINT - 1)
        workers = {tid: mask for tid, mask in masks.items() if tid != bot.proc.pid}
        assert len(workers) >= 5, "Socket Mode, the schedule and the HTTP side server run threads"
        assert all(mask & term and mask & interrupt for mask in workers.values()), masks
        assert not masks[bot.proc.pid] & term, "the main thread takes SIGTERM"
        bot.proc.send_signal(signal.SIGTERM)
        assert bot.proc.wait(timeout=60) == 0
    finally:
        sockets.stop()


def test_sigterm_in_http_mode_finishes_the_request_in_flight_without_a_traceback(env, fake):
    bot = Running(env)
    port = served_port(bot.wait_for("Tandem serves Slack at"))
    sender = SlackSender(f"http://127.0.0.1:{port}", fake)
    held = fake.hold("views.open")  # /need's modal is being opened when SIGTERM arrives
    assert sender.command("/need", "Laptop", "U0IT000001")[0] == 200
    fake.wait_for("views.open:held")
    bot.proc.send_signal(signal.SIGTERM)
    held.set()
    assert bot.proc.wait(timeout=30) == 0
    assert fake.wait_for("views.open"), "the work the request started finished"
    assert "Traceback" not in bot.log() and "Bad file descriptor" not in bot.log()
