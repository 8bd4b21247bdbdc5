"""Teams end-to-end harness: the bot's aiohttp endpoint on a free port with credentials, a
fake Bot Connector (also on a free port) that records what the bot sends and publishes
the test key set, and activities POSTed to /api/messages exactly as Teams sends them,
each with a Bot Framework token signed by that key set."""

from __future__ import annotations

import itertools
import json
import urllib.error
import urllib.request

import pytest

from bot.config import Settings
from handlers.teams.app import build_teams
from handlers.teams.server import TeamsServer
from testing.checks import unrendered_mentions
from testing.teams import FakeConnector, OnlyHosts, card_problems, app_connections, signing_keys, stand_in_for_microsoft

TENANT = "11111111-2222-3333-4444-555555555555"
APP_ID = "0a1b2c3d-0000-4000-8000-00000000abcd"
CREDENTIALS = {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "test-secret", "TEAMS_TENANT_ID": TENANT}
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
def microsoft_keys(monkeypatch, connector):
    """The SDK's key lookup answered from the fake's test key set (what it asked is recorded)."""
    return stand_in_for_microsoft(monkeypatch, connector)


def teams_for_tests(settings: Settings, connector: FakeConnector, **kwargs):
    """``build_teams`` as in production, but its outbound token is a fixed one and its calls
    may go to the local fake connector only (uploads to its ``/upload/`` path)."""
    return build_teams(settings, manager=app_connections(), hosts=OnlyHosts(connector.service_url),
                       file_hosts=OnlyHosts(connector.upload_url("")), **kwargs)


@pytest.fixture
def teams_settings(tmp_path):
    return Settings.from_env({
        "TANDEM_DB": str(tmp_path / "tandem.db"),
        "TANDEM_PROCUREMENT": BUYER.aad,  # an Entra object ID
        "TANDEM_ADMINS": ADMIN.email,  # an e-mail address
        "TEAMS_CHANNEL": CHANNEL,
        **CREDENTIALS,
    })


@pytest.fixture
def bot(teams_settings, clock, connector):
    bot = teams_for_tests(teams_settings, connector, clock=clock)
    yield bot
    bot.close()


@pytest.fixture
def teams(bot, connector, microsoft_keys):
    server = TeamsServer(bot, host="127.0.0.1", port=0).start()
    sender = TeamsSender(server.url, connector)
    yield sender
    server.stop()


class TeamsSender:
    """Sends what Teams sends: messages, card actions (invokes) and conversation updates."""

    def __init__(self, url: str, connector: FakeConnector, app_id: str | None = APP_ID):
        self.url = url
        self.connector = connector
        self.app_id = app_id  # None: anonymous, no token
        self._ids = itertools.count(1)

    def token(self, **claims) -> str:
        """A Bot Framework token for this app, as Teams' channel sends it."""
        return signing_keys().token(self.app_id, self.connector.service_url, **claims)

    def post(self, activity: dict | bytes, headers: dict | None = None) -> tuple[int, dict | None]:
        """POSTs ``activity`` with a valid token (unless ``headers`` gives an Authorization)."""
        signed = {"Authorization": f"Bearer {self.token()}"} if self.app_id else {}
        data = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        request = urllib.request.Request(self.url, data=data, method="POST",
                                         headers={"Content-Type": "application/json", **signed, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                answer = json.loads(raw) if raw else None
                self._validate(answer)
                return response.status, answer
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw) if raw else None
            except ValueError:
                return error.code, {"raw": raw.decode(errors="replace")}

    def _validate(self, answer) -> None:
        """A card in an invoke's answer (a form with its errors, a refreshed card) must be valid too."""
        if isinstance(answer, dict) and answer.get("type") == "application/vnd.microsoft.card.adaptive":
            self.connector.cards_seen += 1
            self.connector.invalid += [f"invoke answer: {problem}" for problem in card_problems(answer["value"])]
        self.connector.invalid += [f"invoke answer: the core's mention token: {piece!r}"
                                   for piece in unrendered_mentions(answer)]

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

    def reply_in_thread(self, user: User, text: str, thread: str, message_id: str | None = None,
                        entities: list | None = None) -> tuple[int, dict | None]:
        """A reply in a card's thread that does not mention the bot (the app reads the whole channel)."""
        conversation, data = self.channel(thread)
        activity = self.base(user, conversation, data)
        activity.update(type="message", text=text, textFormat="plain")
        if thread:
            activity["replyToId"] = thread
        if message_id:
            activity["id"] = message_id
        if entities:
            activity["entities"] = entities
        return self.post(activity)

    def edit_in_thread(self, user: User, message_id: str, text: str, thread: str) -> tuple[int, dict | None]:
        """Teams' messageUpdate for an edited reply (channelData.eventType editMessage)."""
        conversation, data = self.channel(thread)
        activity = self.base(user, conversation, {**data, "eventType": "editMessage"})
        activity.update(type="messageUpdate", id=message_id, text=text, textFormat="plain", replyToId=thread)
        return self.post(activity)

    def delete_in_thread(self, user: User, message_id: str, thread: str) -> tuple[int, dict | None]:
        """Teams' messageDelete for a deleted reply (channelData.eventType softDeleteMessage)."""
        conversation, data = self.channel(thread)
        activity = self.base(user, conversation, {**data, "eventType": "softDeleteMessage"})
        activity.update(type="messageDelete", id=message_id, replyToId=thread)
        return self.post(activity)

    def click(self, user: User, verb: str, data: dict, *, card: str | None = None,
              where: str = "channel", locale: str = "en-US", trigger: str = "manual") -> tuple[int, dict | None]:
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
                               "trigger": trigger})
        return self.post(activity)

    def consent(self, user: User, action: str, context: dict, upload: dict | None = None,
                card: str | None = None) -> tuple[int, dict | None]:
        """The person's answer to a file consent card: a ``fileConsent/invoke`` in their chat,
        with ``uploadInfo`` (the OneDrive upload session) when they accepted."""
        activity = self.base(user, self.personal(user))
        value = {"type": "fileUpload", "action": action, "context": context}
        if upload is not None:
            value["uploadInfo"] = upload
        activity.update(type="invoke", name="fileConsent/invoke", value=value)
        if card:
            activity["replyToId"] = card
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
