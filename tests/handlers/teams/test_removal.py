"""Removal: a bot removed from a team (membersRemoved with the bot, installationUpdate
remove) stops posting there, logs one clear line and /healthz names the channel
unreachable; real activities from public projects replay without a 5xx or a traceback."""

import json
import logging
import urllib.request
from pathlib import Path

import pytest

from handlers.teams.ids import Verbs
from tests.handlers.teams.conftest import ADMIN, BOT, CHANNEL, IT, TEAM, TENANT, invoke_text
from tests.handlers.teams.test_lifecycle import NEED, post_need

REAL = json.loads((Path(__file__).parent / "data" / "real_activities.json").read_text("utf-8"))


def as_here(activity: dict, connector) -> dict:
    """A recorded activity addressed to this bot, tenant and (fake) connector."""
    text = json.dumps(activity).replace('"BOT"', json.dumps(BOT)).replace('"TENANT"', json.dumps(TENANT))
    return {**json.loads(text), "serviceUrl": connector.service_url}


@pytest.mark.parametrize("item", REAL, ids=[item["source"].rsplit("(", 1)[-1].rstrip(")") for item in REAL])
def test_real_activities_replay_without_a_5xx(teams, connector, item, caplog):
    teams.install_in_team()
    with caplog.at_level(logging.WARNING):
        status, _ = teams.post(as_here(item["activity"], connector))
    assert status < 500, item["source"]
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.levelno >= logging.ERROR]


def healthz(teams) -> dict:
    with urllib.request.urlopen(teams.url.replace("/api/messages", "/healthz"), timeout=10) as response:
        return json.loads(response.read())


def removal(teams, kind: str) -> dict:
    activity = teams.base(ADMIN, {"isGroup": True, "conversationType": "channel", "id": TEAM},
                          {"team": {"id": TEAM, "name": "IT and procurement"}, "eventType": "teamMemberRemoved"})
    if kind == "membersRemoved":
        activity.update(type="conversationUpdate", membersRemoved=[{"id": BOT}])
    else:
        activity.update(type="installationUpdate", action="remove")
    return activity


@pytest.mark.parametrize("kind", ["membersRemoved", "installationUpdate"])
def test_removed_from_the_team_it_stops_posting_there(teams, connector, bot, kind, caplog):
    teams.install_in_team()
    card_id, _ = post_need(teams, connector)
    assert healthz(teams)["teams_channel"] == "ok"
    with caplog.at_level(logging.WARNING, logger="tandem"):
        assert teams.post(removal(teams, kind))[0] in (200, 202)
    assert "Tandem was removed from the team IT and procurement in Teams: it no longer posts there" in caplog.text

    connector.reset()
    answer = invoke_text(teams.click(IT, Verbs.NEED, {**NEED, "title": "Second need"}, where="personal")[1])
    assert "could not be posted in the channel yet" in answer
    bot.core.requests.cancel(IT.aad, 1)  # a change that would update the first card
    assert [c for c in connector.calls if c.conversation.startswith(CHANNEL) or c.conversation == TEAM] == []
    assert healthz(teams)["teams_channel"].startswith("unreachable: Tandem was removed")

    # Added back: it posts again.
    teams.install_in_team()
    assert healthz(teams)["teams_channel"] == "ok"
    connector.reset()
    bot.core.requests.cancel(IT.aad, 2)  # the next change posts the card that could not be posted
    assert connector.of("send", CHANNEL)


def test_uninstalled_from_the_personal_chat_it_sends_no_more_dms_there(teams, connector, bot):
    teams.install_personal(IT)
    activity = teams.base(IT, teams.personal(IT))
    activity.update(type="installationUpdate", action="remove")
    assert teams.post(activity)[0] in (200, 202)
    connector.reset()
    from bot.notifier import NotifyError

    with pytest.raises(NotifyError, match="removed"):
        bot.notifier.send_dm(IT.aad, "hello")
    assert connector.calls == []
