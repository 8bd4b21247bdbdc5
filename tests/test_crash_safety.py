"""Crash safety: SIGKILL in the middle of a burst of writes and reminder sends, then a
restart; SIGTERM shuts down cleanly. The bot runs as a real process (`python -m bot run`)
in HTTP mode against the fake Slack."""

from __future__ import annotations

import os
import queue
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.core import build_core
from bot.notifier import NullNotifier
from tests.conftest import IT, need
from tests.processes import start_tandem
from tests.handlers.slack.conftest import CHANNEL, SECRET, SlackSender
from testing.notifier import RecordingNotifier
from testing.slack import FakeSlack

BUYERS = [f"U0BUYER00{n}" for n in range(1, 6)]
REQUESTS = 30


@contextmanager
def closed_port():
    """A local port on which nothing listens, held (bound, never listening) until the block
    ends, so no other process can take it meanwhile: connecting to it is refused."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield held.getsockname()[1]


def served_port(line: str) -> int:
    """The port in "Tandem serves Slack at http://0.0.0.0:PORT/slack/events" (PORT=0 lets the
    process bind any free port itself, with no window for another process to take it)."""
    return int(line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


class BotProcess:
    """``python -m bot run`` as a child process; ready once it says where it serves."""

    def __init__(self, env: dict):
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.proc = start_tandem(env)
        threading.Thread(target=self._read, daemon=True).start()
        self.port = served_port(self.wait_for_line("Tandem serves Slack at"))

    def _read(self):
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for_line(self, fragment: str, timeout: float = 90) -> str:
        """The first line the bot logged that contains ``fragment``, waiting for it if need be."""
        for line in self.seen:
            if fragment in line:
                return line
        deadline = datetime.now() + timedelta(seconds=timeout)
        while datetime.now() < deadline:
            line = self.lines.get(timeout=max(0.1, (deadline - datetime.now()).total_seconds()))
            self.seen.append(line)
            if fragment in line:
                return line
        raise AssertionError(f"the bot never logged {fragment!r}")


@pytest.fixture
def fake():
    slack = FakeSlack().start()
    yield slack
    for _, _, gate in list(slack.holds):
        gate.set()
    slack.stop()


@pytest.fixture
def env(tmp_path, fake):
    settings = {
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
        "TANDEM_CHANNEL": CHANNEL, "TANDEM_PROCUREMENT": ",".join(BUYERS), "TANDEM_DB": str(tmp_path / "t.db"),
        "PORT": "0", "TANDEM_REMINDER_CRON": "* * * * *", "TANDEM_DIGEST_CRON": "0 0 1 1 *",
        "TANDEM_LOG_LEVEL": "INFO",
    }
    # Requests opened ten days ago and never claimed: every buyer is due one reminder DM.
    old = FakeClock(datetime.now(timezone.utc) - timedelta(days=10))
    # Their cards are in Slack already (posted by a stand-in), so a claim updates one.
    cards = RecordingNotifier()
    core = build_core(Settings.from_env(settings), NullNotifier(), clock=old, card_platforms={"slack": cards})
    for _ in range(REQUESTS):
        core.requests.create(IT, need(needed_by=""))
    core.close()
    return settings


def reminder_dms(fake) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in fake.calls_to("chat.postMessage"):
        if call.args["channel"].startswith("D") and "reminder" in call.args.get("text", ""):
            counts[call.args["channel"]] = counts.get(call.args["channel"], 0) + 1
    return counts


def test_sigkill_mid_burst_loses_nothing_confirmed_and_sends_no_reminder_twice(env, fake):
    held = fake.hold("chat.postMessage", lambda args: args.get("channel") == "D0BUYER003")
    bot = BotProcess(env)
    sender = SlackSender(f"http://127.0.0.1:{bot.port}", fake)
    fake.wait_for("chat.postMessage:held")  # the sweep is mid-send: two DMs out, the third in flight

    def claim(number: int):
        return sender.command("/procure", f"claim {number}", BUYERS[number % len(BUYERS)])

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(claim, number) for number in range(1, REQUESTS + 1)]
        fake.wait_for("response_url", 10)  # a burst is under way ...
        bot.proc.send_signal(signal.SIGKILL)  # ... and the process dies mid-flight
        bot.proc.wait(timeout=30)
        for future in futures:
            try:
                future.result()
            except OSError:
                pass  # requests to a dead process fail; Slack would retry or show an error
    held.set()
    confirmed = {call.args["text"].split()[2] for call in fake.calls_to("response_url")
                 if call.args.get("text", "").startswith("You claimed")}
    assert confirmed, "some claims were confirmed before the kill"

    db = sqlite3.connect(env["TANDEM_DB"])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    claimed = {f"#{row[0]}" for row in db.execute("select id from requests where status = 'claimed'")}
    assert confirmed <= claimed, "every change the user was told about survived the kill"
    db.close()

    restarted = BotProcess(env)
    # The dead process held the schedule's lease; the new one sees it is gone and takes over.
    assert "is gone; taking over" in restarted.wait_for_line("taking over")
    restarted.wait_for_line("this process runs the schedule")
    again = SlackSender(f"http://127.0.0.1:{restarted.port}", fake)
    assert again.command("/procure", "list unclaimed", IT)[0] == 200
    fake.wait_until("response_url", lambda args: "Unclaimed requests" in str(args.get("blocks") or args.get("text")))
    restarted.proc.send_signal(signal.SIGTERM)
    assert restarted.proc.wait(timeout=30) == 0
    assert all(count == 1 for count in reminder_dms(fake).values()), reminder_dms(fake)
    db = sqlite3.connect(env["TANDEM_DB"])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("select count(*) from lease").fetchone()[0] == 0, "SIGTERM released the lease"


def test_sigterm_finishes_in_flight_requests_stops_the_schedule_and_releases_the_lease(env, fake):
    bot = BotProcess(env)
    fake.wait_for("chat.postMessage", len(BUYERS))  # the first sweep is done
    sender = SlackSender(f"http://127.0.0.1:{bot.port}", fake)
    held = fake.hold("chat.update")  # the claim's card update will hang until released
    assert sender.command("/procure", "claim 1", BUYERS[0])[0] == 200
    fake.wait_for("chat.update:held")
    bot.proc.send_signal(signal.SIGTERM)
    held.set()
    assert bot.proc.wait(timeout=30) == 0
    answer = fake.wait_until("response_url", lambda args: "You claimed #1" in args.get("text", ""))
    assert answer is not None, "the in-flight request finished"
    db = sqlite3.connect(env["TANDEM_DB"])
    assert db.execute("select owner from requests where id = 1").fetchone()[0] == BUYERS[0]
    assert db.execute("select count(*) from lease").fetchone()[0] == 0


def test_a_dead_holder_on_this_host_is_recognised():
    from bot.schedule import crashed_here

    finished = subprocess.run([sys.executable, "-c", "pass"])
    assert finished.returncode == 0
    host = socket.gethostname()
    assert crashed_here(f"{host}:{os.getpid()}:abc") is False  # alive: this test
    assert crashed_here("elsewhere:1:abc") is False  # another machine: unknown, so alive
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert crashed_here(f"{host}:{dead.pid}:abc") is True
