"""Socket Mode against a fake Socket Mode server: the request lifecycle over the socket, and
recovery from a server close, a ``disconnect`` envelope and a TCP drop with nothing lost or
doubled. (Each recovery is bounded by a generous timeout; speed is measured in bench/.)"""

import dataclasses
import itertools
import logging

import pytest

from bot.errors import StartupFailed
from bot.requests import Status
from handlers.slack.app import build_slack
from handlers.slack.ids import Actions, Views
from handlers.slack.socket_mode import SocketMode
from tests.conftest import BUYER, IT
from tests.handlers.slack.conftest import CHANNEL, need_values
from testing.socket_mode import FakeSocketMode
from testing.notifier import card_id

RECOVERY = 60.0  # seconds to wait for recovery (a liveness wait: on a loaded machine speed is not asserted)


@pytest.fixture
def sockets(fake):
    server = FakeSocketMode().start()
    fake.socket_url = server.url
    yield server
    server.stop()


@pytest.fixture
def socket_bot(slack_settings, clock):
    bot = build_slack(dataclasses.replace(slack_settings, slack_app_token="xapp-test"), clock=clock)
    yield bot
    bot.close()


@pytest.fixture
def connected(socket_bot, sockets, caplog):
    caplog.set_level(logging.INFO, logger="tandem")
    socket = SocketMode(socket_bot.app, "xapp-test")
    socket.start()
    yield socket
    socket.close()


_triggers = itertools.count(1)


def trigger() -> str:
    """A trigger ID as Slack makes them: never twice (a repeated one is a replay)."""
    return f"trigger.socket.{next(_triggers)}"


def command(text: str, user: str, name: str = "/procure") -> dict:
    return {"token": "legacy", "team_id": "T0TEAM", "channel_id": CHANNEL, "user_id": user, "command": name,
            "text": text, "api_app_id": "A0TANDEM", "response_url": "http://127.0.0.1:1/none",
            "trigger_id": trigger()}


def click(user: str, action_id: str, value: str) -> dict:
    return {"type": "block_actions", "team": {"id": "T0TEAM"}, "user": {"id": user}, "api_app_id": "A0TANDEM",
            "token": "legacy", "trigger_id": trigger(), "channel": {"id": CHANNEL},
            "container": {"type": "message", "channel_id": CHANNEL, "message_ts": "1"},
            "actions": [{"action_id": action_id, "block_id": "card", "type": "button", "value": value,
                         "action_ts": "1700000000.1"}]}


def submission(user: str, callback_id: str, values: dict) -> dict:
    return {"type": "view_submission", "team": {"id": "T0TEAM"}, "user": {"id": user}, "api_app_id": "A0TANDEM",
            "token": "legacy", "trigger_id": trigger(),
            "view": {"id": "V0VIEW", "type": "modal", "callback_id": callback_id, "private_metadata": "",
                     "state": {"values": values}}}


def reply(thread_ts: str, ts: str, text: str) -> dict:
    return {"token": "legacy", "team_id": "T0TEAM", "api_app_id": "A0TANDEM", "type": "event_callback",
            "event_id": f"Ev{ts.replace('.', '')}", "event_time": 1700000000,
            "event": {"type": "message", "channel": CHANNEL, "user": IT, "text": text, "ts": ts,
                      "thread_ts": thread_ts}}


def test_connected_is_logged_only_after_hello_and_the_lifecycle_runs_over_the_socket(connected, sockets, fake,
                                                                                     socket_bot, caplog):
    lines = [r.getMessage() for r in caplog.get_records("setup") if r.name == "tandem"]
    assert lines.count("Tandem is connected to Slack in Socket Mode") == 1 and connected.hellos >= 1

    sockets.wait_acked(sockets.send("slash_commands", command("Laptop", IT, name="/need")))
    [opened] = fake.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == Views.NEED

    submitted = sockets.wait_acked(sockets.send("interactive", submission(IT, Views.NEED, need_values())))
    assert submitted.acked == [None]  # an empty ack closes the modal
    card = fake.wait_until("chat.postMessage", lambda a: a["channel"] == CHANNEL)

    sockets.wait_acked(sockets.send("interactive", click(BUYER, Actions.CLAIM, "1")))
    update = fake.wait_for("chat.update")[0]
    assert update.args["ts"] == card.answer["ts"]
    sockets.wait_acked(sockets.send("events_api", reply(card.answer["ts"], "1700000500.000100", "Any news?")))
    assert socket_bot.work.idle()
    assert socket_bot.core.requests.get(1).status is Status.CLAIMED
    assert [c.text for c in socket_bot.core.requests.show(IT, 1).notes] == ["Any news?"]


@pytest.mark.parametrize("disruption", ["close", "refresh", "drop", "reset"])
def test_the_connection_recovers_with_nothing_lost_or_doubled(connected, sockets, fake, socket_bot, caplog,
                                                              disruption):
    socket_bot.core.requests.create(IT, {**_need(), "title": "Docking station"})
    card_ts = card_id(socket_bot.core, 1, "slack")
    sockets.wait_acked(sockets.send("events_api", reply(card_ts, "1700000600.000001", "before")))
    connections = sockets.connections

    {"close": sockets.close_current, "refresh": sockets.refresh, "drop": sockets.drop, "reset": sockets.reset}[disruption]()
    # Sent while the connection is going away: it reaches Tandem on the old connection or the new one.
    during = sockets.send("events_api", reply(card_ts, "1700000600.000002", "during"))
    sockets.wait_connections(connections + 1, timeout=RECOVERY)
    sockets.wait_acked(during, timeout=RECOVERY)
    after = sockets.wait_acked(sockets.send("interactive", click(BUYER, Actions.CLAIM, "1")), timeout=RECOVERY)
    assert after.sent == 1

    assert socket_bot.work.idle()
    assert [c.text for c in socket_bot.core.requests.show(IT, 1).notes] == ["before", "during"]
    assert socket_bot.core.requests.get(1).owner == BUYER
    assert [e.action for e in socket_bot.core.requests.show(IT, 1).events].count("claimed") == 1
    assert any(r.getMessage().startswith("Socket Mode reconnected") for r in caplog.records)
    assert sockets.pending == []


def _need() -> dict:
    from tests.conftest import need

    return need()


def test_a_wrong_app_token_stops_start_up_with_one_line(socket_bot, sockets, caplog):
    caplog.set_level(logging.INFO)
    socket = SocketMode(socket_bot.app, "xapp-revoked")
    with pytest.raises(StartupFailed) as failed:
        socket.start()
    assert str(failed.value).startswith("Slack refused SLACK_APP_TOKEN (invalid_auth)")
    assert "\n" not in str(failed.value)
    assert not any("connected" in r.getMessage() for r in caplog.records)
    assert not any("Failed to retrieve WSS URL" in r.getMessage() for r in caplog.records)
    assert sockets.connections == 0
