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
from tests.test_crash_safety import free_port


@pytest.fixture
def env(tmp_path, fake):
    return {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
            "TANDEM_CHANNEL": CHANNEL, "TANDEM_DB": str(tmp_path / "t.db"), "PORT": str(free_port()),
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
    done = run({**env, "SLACK_API_URL": f"http://127.0.0.1:{free_port()}/api/"})
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

    def wait_for(self, fragment: str, timeout: float = 90) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: any(fragment in line for line in self.lines) or self.ended, timeout):
                raise AssertionError(f"never logged {fragment!r}")
            assert any(fragment in line for line in self.lines), "".join(self.lines)

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


def test_sigterm_in_http_mode_finishes_the_request_in_flight_without_a_traceback(env, fake):
    bot = Running(env)
    bot.wait_for("Tandem serves Slack at")
    sender = SlackSender(f"http://127.0.0.1:{env['PORT']}", fake)
    held = fake.hold("views.open")  # /need's modal is being opened when SIGTERM arrives
    assert sender.command("/need", "Laptop", "U0IT000001")[0] == 200
    fake.wait_for("views.open:held")
    bot.proc.send_signal(signal.SIGTERM)
    held.set()
    assert bot.proc.wait(timeout=30) == 0
    assert fake.wait_for("views.open"), "the work the request started finished"
    assert "Traceback" not in bot.log() and "Bad file descriptor" not in bot.log()
