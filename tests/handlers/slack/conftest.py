"""Slack end-to-end harness: the bot in HTTP mode on a free port, a fake Slack Web API,
and requests signed exactly as Slack signs them."""

from __future__ import annotations

import itertools
import uuid
import json
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.config import Settings
from handlers.slack.app import build_slack
from handlers.slack.server import make_server, serve, stop
from tests.conftest import ADMIN, BUYER, BUYER2
from testing.slack import FakeSlack

SECRET = "test-signing-secret"
CHANNEL = "C0SHARED"


@pytest.fixture
def fake():
    slack = FakeSlack().start()
    yield slack
    slack.stop()
    assert slack.invalid == [], "every Block Kit payload must validate"


@pytest.fixture
def slack_settings(tmp_path, fake):
    return Settings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "TANDEM_CHANNEL": CHANNEL,
            "TANDEM_PROCUREMENT": f"{BUYER},{BUYER2},S0BUYERS",
            "TANDEM_ADMINS": ADMIN,
            "TANDEM_DB": str(tmp_path / "tandem.db"),
        }
    )


@pytest.fixture
def bot(slack_settings, clock):
    bot = build_slack(slack_settings, clock=clock)
    yield bot
    bot.close()


@pytest.fixture
def slack(bot, fake):
    server = make_server(bot.app, bot.core, host="127.0.0.1", port=0, threads=4, asyncore_loop_timeout=0.05)
    thread = threading.Thread(target=serve, args=(server,), daemon=True)
    thread.start()
    client = SlackSender(f"http://127.0.0.1:{server.effective_port}", fake, settle=bot.work.idle)
    client.wsgi = getattr(server, "tandem", None)  # the app behind the server (its liveness probe)
    yield client
    stop(server)
    thread.join(timeout=5)


class SlackSender:
    """Sends what Slack sends: form-encoded commands, ``payload=`` interactions, event JSON."""

    def __init__(self, base: str, fake: FakeSlack, settle=None):
        self.base = base
        self.fake = fake
        # Waits for the work a request started after its ack (see handlers.slack.work), so a test
        # reads the outcome; ``settled=False`` sends without waiting (concurrency tests).
        self.settle = settle
        self.settled = True
        self.verifier = SignatureVerifier(SECRET)
        self._ids = itertools.count(1)
        self._sender = uuid.uuid4().hex[:8]

    def post(self, body: str, content_type: str, *, timestamp: int | None = None, signature: str | None = None,
             path: str = "/slack/events", headers: dict | None = None) -> tuple[int, str]:
        timestamp = int(time.time()) if timestamp is None else timestamp
        signature = signature or self.verifier.generate_signature(timestamp=str(timestamp), body=body)
        request = urllib.request.Request(
            self.base + path,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": str(timestamp),
                "X-Slack-Signature": signature,
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            answer = error.code, error.read().decode()
        if self.settle is not None and self.settled:
            assert self.settle(), "the work a request started did not finish"
        return answer

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def trigger(self) -> str:
        """A trigger ID as Slack makes them: never the same twice, even across senders (a
        repeated one is a replay, and Tandem applies it once)."""
        return f"trigger.{self._sender}.{next(self._ids)}"

    def response_url(self) -> str:
        return f"{self.fake.base}/response/{next(self._ids)}"

    def command(self, name: str, text: str, user: str, **overrides) -> tuple[int, str]:
        form = {
            "token": "legacy", "team_id": "T0TEAM", "team_domain": "example", "channel_id": CHANNEL,
            "channel_name": "it-procurement", "user_id": user, "user_name": user.lower(), "command": name,
            "text": text, "api_app_id": "A0TANDEM", "response_url": self.response_url(),
            "trigger_id": self.trigger(),
        }
        form.update(overrides)
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def interact(self, payload: dict) -> tuple[int, str]:
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    def click(self, user: str, action_id: str, value: str | None = None, *, selected: str | None = None,
              container: dict | None = None) -> tuple[int, str]:
        action = {"action_id": action_id, "block_id": "card", "type": "button", "action_ts": "1700000000.1"}
        if value is not None:
            action["value"] = value
        if selected is not None:
            action.update(type="static_select", selected_option={"value": selected, "text": {"type": "plain_text", "text": selected}})
        payload = {
            "type": "block_actions", "team": {"id": "T0TEAM"}, "user": {"id": user}, "api_app_id": "A0TANDEM",
            "token": "legacy", "trigger_id": self.trigger(), "actions": [action],
            "container": container or {"type": "message", "channel_id": CHANNEL, "message_ts": "1"},
        }
        if (container or {}).get("type") != "view":
            payload.update(channel={"id": CHANNEL}, response_url=self.response_url(), message={"ts": "1"})
        return self.interact(payload)

    def submit(self, user: str, callback_id: str, values: dict, private_metadata: str = "") -> tuple[int, str]:
        payload = {
            "type": "view_submission", "team": {"id": "T0TEAM"}, "user": {"id": user}, "api_app_id": "A0TANDEM",
            "token": "legacy", "trigger_id": self.trigger(),
            "view": {"id": "V0VIEW", "type": "modal", "callback_id": callback_id,
                     "private_metadata": private_metadata, "state": {"values": values}},
        }
        return self.interact(payload)

    def event(self, event: dict, event_id: str | None = None, retry: int | None = None) -> tuple[int, str]:
        body = json.dumps({
            "token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0TANDEM", "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}", "event_time": 1700000000, "event": event,
        })
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return self.post(body, "application/json", headers=headers)


def need_values(**overrides) -> dict:
    """A "New IT need" modal's state as Slack submits it."""
    text = lambda v: {"value": {"type": "plain_text_input", "value": v}}  # noqa: E731
    select = lambda v: {"value": {"type": "static_select", "selected_option": {"value": v} if v else None}}  # noqa: E731
    fields = {
        "title": "50 Zoom licences", "details": "Meetings move to Zoom", "category": "saas", "quantity": "50",
        "estimated_cost": "7500", "currency": "USD", "needed_by": "2027-01-15", "urgency": "high",
        "sensitivity": "internal", "preferred_vendor": "Zoom",
    }
    fields.update(overrides)
    values = {}
    for name, value in fields.items():
        if name in ("category", "urgency", "sensitivity"):
            values[name] = select(value)
        elif name == "needed_by":
            values[name] = {"value": {"type": "datepicker", "selected_date": value or None}}
        else:
            values[name] = text(value)
    return values
