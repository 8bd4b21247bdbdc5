"""Slack and Teams in one process: one core, a fan-out notifier, one schedule; a person on
both platforms (the same e-mail address) is one person."""

import json
from datetime import date, timedelta

import pytest

from bot.config import Settings
from bot.schedule import Schedule
from handlers.platforms import build
from handlers.slack.platform import SlackPlatform
from handlers.teams.ids import Verbs
from handlers.teams.platform import TeamsPlatform
from handlers.teams.server import TeamsServer
from tests.contract_samples import contract_form
from tests.handlers.teams.conftest import BUYER, CHANNEL, CREDENTIALS, IT, TeamsSender, invoke_text
from tests.handlers.teams.test_lifecycle import NEED
from testing.slack import FakeSlack
from testing.teams import OnlyHosts, app_connections

SLACK_CHANNEL = "C0SHARED"
IVY_ON_SLACK = "U0IVY00001"


@pytest.fixture
def slack_fake():
    fake = FakeSlack().start()
    fake.users_by_email[IT.email] = IVY_ON_SLACK
    yield fake
    fake.stop()
    assert fake.invalid == []


@pytest.fixture
def both(tmp_path, clock, slack_fake, connector, microsoft_keys):
    settings = Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "SLACK_API_URL": slack_fake.api_url,
        "TANDEM_CHANNEL": SLACK_CHANNEL, "TANDEM_PROCUREMENT": BUYER.aad, "TANDEM_DB": str(tmp_path / "tandem.db"),
        "TEAMS_CHANNEL": CHANNEL, **CREDENTIALS,
    })
    # As `tandem run` builds them: one core, Slack first, then Teams (handlers.platforms).
    platforms = [SlackPlatform(settings), TeamsPlatform(settings, clock, manager=app_connections(),
                                                        hosts=OnlyHosts(connector.service_url))]
    core = build(settings, platforms, clock)
    slack, teams = platforms[0].bot, platforms[1].bot
    server = TeamsServer(teams, host="127.0.0.1", port=0).start()
    yield slack, TeamsSender(server.url, connector)
    server.stop()
    for platform in reversed(platforms):
        platform.close()
    core.close()


def test_one_request_one_person_two_platforms(both, slack_fake, connector, clock):
    slack, sender = both
    core = slack.core
    sender.install_in_team()
    sender.say(IT, "help")
    assert core.people.account("teams", IT.aad).person == IVY_ON_SLACK, "the same e-mail: one person"

    # A need posted in Teams has a card in Slack's channel and in Teams' channel.
    assert "is posted in the channel" in invoke_text(sender.click(IT, Verbs.NEED, NEED, where="personal")[1])
    request = core.requests.get(1)
    assert request.requester == IVY_ON_SLACK and core.cards.of(1)["slack"].conversation == SLACK_CHANNEL
    [slack_card] = [c for c in slack_fake.calls_to("chat.postMessage") if c.args["channel"] == SLACK_CHANNEL]
    [teams_card] = connector.of("send", CHANNEL)

    # Claimed in Teams: both cards change in place.
    assert invoke_text(sender.click(BUYER, Verbs.CLAIM, {"request": 1}, card=teams_card.answer["id"])[1]) == \
        "You claimed #1 50 Zoom licences."
    [update] = slack_fake.calls_to("chat.update")
    assert update.args["ts"] == slack_card.answer["ts"] and "Claimed" in json.dumps(update.args["blocks"])
    assert connector.of("update")[0].activity_id == teams_card.answer["id"]

    # The schedule runs once for both: the digest in both channels, each reminder once.
    core.contracts.add(BUYER.aad, contract_form(
        end_date=(date(2026, 11, 16) + timedelta(days=20)).isoformat(), notice_days="0",
        it_owner=IVY_ON_SLACK, procurement_owner=BUYER.email))
    slack_fake.reset()
    connector.reset()
    tick = Schedule(core).tick()
    assert tick.digest is True and sorted(tick.sweep.sent) == sorted([IVY_ON_SLACK, BUYER.aad])
    assert [c.args["channel"] for c in slack_fake.calls_to("chat.postMessage")
            if "digest" in c.args.get("text", "")] == [SLACK_CHANNEL]
    assert len(connector.of("send", CHANNEL)) == 1
    # Ivy gets hers in Slack (her Slack user comes first), not a second time in Teams.
    assert [c.args["users"] for c in slack_fake.calls_to("conversations.open")] == [IVY_ON_SLACK]
    assert connector.of("send", IT.chat) == []
    # Bo exists only in Teams: his reminder opens a chat with him there.
    [opened] = connector.of("create")
    assert opened.body["members"] == [{"id": BUYER.id}]


def test_an_owner_address_nobody_has_is_named_in_teams_without_naming_slack(both, connector):
    """The contract service gives the problem's code with its message; Teams words it from the
    code (no Slack user has the address, and Teams knows nobody with it either)."""
    slack, sender = both
    sender.say(BUYER, "help")
    form = {**contract_form(it_owner="", procurement_owner="ghost@example.com"), "seats_used": ""}
    status, answer = sender.click(BUYER, Verbs.CONTRACT_SAVE, form, where="personal")
    assert status == 200
    [field] = [item for item in answer["value"]["body"] if item.get("id") == "procurement_owner"]
    assert field["errorMessage"] == "Unknown owner: nobody Tandem knows has the e-mail address ghost@example.com."
    assert "nobody in chat" not in json.dumps(answer), "the core's own words, not the Teams edge's"
    assert slack.core.contracts.all() == []


def test_the_command_lines_digest_and_reminders_go_through_slack_and_teams(both, slack_fake, connector, clock,
                                                                            tmp_path, capsys):
    """`tandem digest` and `tandem remind` send through every configured platform: the digest
    to Slack's channel and Teams' channel, a reminder to each person where they are reached."""
    from handlers.cli import digest_command, remind_command

    slack, sender = both
    sender.install_in_team()
    sender.say(BUYER, "help")  # Bo is met in Teams (procurement: his reminders go there)
    end = (date(2026, 11, 16) + timedelta(days=10)).isoformat()
    slack.core.contracts.add(BUYER.aad, contract_form(end_date=end, notice_days="0", it_owner=IT.email,
                                                      procurement_owner=BUYER.email))
    settings = slack.core.settings
    slack_fake.reset()
    connector.reset()

    def platforms():
        return [SlackPlatform(settings), TeamsPlatform(settings, clock, manager=app_connections(),
                                                       hosts=OnlyHosts(connector.service_url))]

    assert digest_command(settings, preview=False, clock=clock, platforms=platforms()) == 0
    assert capsys.readouterr().out == f"Posted the digest to {SLACK_CHANNEL} and the Teams channel {CHANNEL}.\n"
    assert [c.args["channel"] for c in slack_fake.calls_to("chat.postMessage")] == [SLACK_CHANNEL]
    [posted] = connector.of("send", CHANNEL)
    assert "Tandem digest" in posted.text

    assert remind_command(settings, preview=False, clock=clock, platforms=platforms()) == 0
    assert capsys.readouterr().out == "Sent 2 reminders to 2 people.\n"
    assert [c.args["users"] for c in slack_fake.calls_to("conversations.open")] == [IVY_ON_SLACK]
    assert "Notice deadline" in " ".join(call.text for call in connector.of("send", BUYER.chat))
