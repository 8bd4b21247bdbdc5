"""Teams end-to-end harness: the bot's aiohttp endpoint on a free port in anonymous mode,
a fake Bot Connector (also on a free port) that records what the bot sends, and activities
POSTed to /api/messages exactly as Teams sends them."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request

import pytest

from bot.config import Settings
from handlers.teams.app import build_teams
from handlers.teams.server import TeamsServer
from tests.teams_fake import FakeConnector

TENANT = "11111111-2222-3333-4444-555555555555"
BOT = "28:00000000-0000-0000-0000-00000000b0b0"
TEAM = "19:team@thread.tacv2"
CHANNEL = "19:shared@thread.tacv2"


class User:
    def __init__(self, teams_id: str, aad: str, name: str, email: str):
        self.id, self.aad, self.name, self.email = teams_id, aad, name, email
        self.chat = f"a:personal-{teams_id.removeprefix('29:')}"  # their one-to-one chat with the bot


IT = User("29:it-user", "aaaaaaaa-0000-0000-0000-000000000001", "Ivy IT", "ivy@example.com")
BUYER = User("29:buyer-user", "bbbbbbbb-0000-0000-0000-000000000002", "Bo Buyer", "bo@example.com")
ADMIN = User("29:admin-user", "cccccccc-0000-0000-0000-000000000003", "Ada Admin", "ada@example.com")


@pytest.fixture
def connector():
    fake = FakeConnector().start()
    for user in (IT, BUYER, ADMIN):
        fake.member(user.id, user.name, user.email, user.aad)
    yield fake
    fake.stop()
    assert fake.invalid == [], "every Adaptive Card must validate against the schema"


@pytest.fixture
def teams_settings(tmp_path):
    return Settings.from_env({
        "TANDEM_DB": str(tmp_path / "tandem.db"),
        "TANDEM_PROCUREMENT": BUYER.aad,  # an Entra object ID
        "TANDEM_ADMINS": ADMIN.email,  # an e-mail address
        "TEAMS_CHANNEL": CHANNEL,
        "TEAMS_TENANT_ID": TENANT,
    })


@pytest.fixture
def bot(teams_settings, clock):
    bot = build_teams(teams_settings, clock=clock)
    yield bot
    bot.close()


@pytest.fixture
def teams(bot, connector):
    server = TeamsServer(bot, host="127.0.0.1", port=0).start()
    sender = TeamsSender(server.url, connector)
    yield sender
    server.stop()


class TeamsSender:
    """Sends what Teams sends: messages, card actions (invokes) and conversation updates."""

    def __init__(self, url: str, connector: FakeConnector):
        self.url = url
        self.connector = connector
        self._ids = itertools.count(1)

    def post(self, activity: dict, headers: dict | None = None) -> tuple[int, dict | None]:
        request = urllib.request.Request(self.url, data=json.dumps(activity).encode(), method="POST",
                                         headers={"Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def base(self, user: User, conversation: dict, channel_data: dict | None = None) -> dict:
        return {
            "id": f"f:{next(self._ids)}", "timestamp": "2026-11-16T09:00:00.000Z", "localTimestamp":
            "2026-11-16T10:00:00.000+01:00", "serviceUrl": self.connector.service_url, "channelId": "msteams",
            "from": {"id": user.id, "name": user.name, "aadObjectId": user.aad},
            "conversation": {"tenantId": TENANT, **conversation},
            "recipient": {"id": BOT, "name": "Tandem"}, "locale": "en-US",
            "channelData": {"tenant": {"id": TENANT}, **(channel_data or {})},
        }

    @staticmethod
    def personal(user: User) -> dict:
        return {"conversationType": "personal", "id": user.chat}

    @staticmethod
    def channel(thread: str | None = None) -> tuple[dict, dict]:
        conversation = {"isGroup": True, "conversationType": "channel",
                        "id": f"{CHANNEL};messageid={thread}" if thread else CHANNEL}
        data = {"teamsChannelId": CHANNEL, "teamsTeamId": TEAM, "channel": {"id": CHANNEL}, "team": {"id": TEAM}}
        return conversation, data

    def say(self, user: User, text: str) -> tuple[int, dict | None]:
        """A message in the user's personal chat with the bot."""
        activity = self.base(user, self.personal(user))
        activity.update(type="message", text=text, textFormat="plain")
        return self.post(activity)

    def say_in_channel(self, user: User, text: str, thread: str | None = None) -> tuple[int, dict | None]:
        """A channel message that @mentions the bot (Teams delivers only those)."""
        conversation, data = self.channel(thread)
        activity = self.base(user, conversation, data)
        mention = "<at>Tandem</at>"
        activity.update(type="message", text=f"{mention} {text}", textFormat="plain", entities=[
            {"type": "mention", "text": mention, "mentioned": {"id": BOT, "name": "Tandem"}}])
        return self.post(activity)

    def click(self, user: User, verb: str, data: dict, *, card: str | None = None,
              where: str = "channel", locale: str = "en-US") -> tuple[int, dict | None]:
        """An ``Action.Execute`` on a card: the button's data with the card's inputs merged in;
        ``locale`` is the Teams client's, which Teams sends with every activity."""
        if where == "channel":
            conversation, channel_data = self.channel(card)
        else:
            conversation, channel_data = self.personal(user), None
        activity = self.base(user, conversation, channel_data)
        if card:
            activity["replyToId"] = card
        activity["locale"] = locale
        activity.update(type="invoke", name="adaptiveCard/action",
                        value={"action": {"type": "Action.Execute", "verb": verb, "data": {"verb": verb, **data}},
                               "trigger": "manual"})
        return self.post(activity)

    def install_in_team(self, user: User = ADMIN) -> tuple[int, dict | None]:
        """Someone adds Tandem to the team (Teams sends a conversationUpdate in the General channel)."""
        activity = self.base(user, {"isGroup": True, "conversationType": "channel", "id": TEAM},
                             {"eventType": "teamMemberAdded", "team": {"id": TEAM, "name": "IT and procurement"}})
        activity.update(type="conversationUpdate", membersAdded=[{"id": BOT}])
        return self.post(activity)

    def install_personal(self, user: User) -> tuple[int, dict | None]:
        activity = self.base(user, self.personal(user))
        activity.update(type="conversationUpdate", membersAdded=[{"id": BOT}, {"id": user.id, "aadObjectId": user.aad}])
        return self.post(activity)


def invoke_text(answer: dict | None) -> str:
    """What an ``Action.Execute`` answer shows the person who clicked."""
    assert answer is not None and answer.get("statusCode") == 200, answer
    value = answer.get("value")
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
