"""Who is speaking: a Teams user becomes the person the core knows, and the conversation
they spoke in is remembered for proactive messages.

A Teams user is known by their Entra object ID (``from.aadObjectId``, set by Teams in an
activity whose token was checked); roles name that ID or an e-mail address. The first
time someone talks to the bot, the Teams roster is asked for their e-mail address
(``GET /v3/conversations/{id}/members/{user}`` at the checked service URL); an account on
another platform with the same address makes them the same person (``bot.people``).
Anonymous Teams (a local test) asks no roster, links nobody, and a ``from.id`` that is not
a Teams ID is kept apart (``teams:…``), so it can never be taken for a Slack user.
"""

from __future__ import annotations

import asyncio
import logging
import re
from types import SimpleNamespace

import aiohttp
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.core import Core
from bot.errors import BadInput
from bot import markup
from bot.people import EmailLookup
from storage import teams as repo
from handlers.teams.mentions import Mentioned, Said
from handlers.teams.notifier import PLATFORM

log = logging.getLogger(__name__)

ACTOR = "tandem.actor"
_ENTRA_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TEAMS_ID = re.compile(r"^(29:[A-Za-z0-9_\-]{2,}|8:orgid:[0-9a-fA-F-]{36})$")


def account_id(sender) -> str:
    """The ID roles are matched on: the Entra object ID, else the Teams user ID; anything
    else (an anonymous test client's made-up ID) is kept in Teams' own namespace."""
    aad = sender.aad_object_id or ""
    if _ENTRA_ID.match(aad):
        return aad
    if _TEAMS_ID.match(sender.id or ""):
        return sender.id
    return f"teams:{sender.id}"


def teams_user_id(sender) -> str | None:
    """The Teams user ID (29:…) a personal chat is opened with, when it is one."""
    return sender.id if _TEAMS_ID.match(sender.id or "") else None


class Directory:
    def __init__(self, core: Core, lookup: EmailLookup | None = None, anonymous: bool = False):
        """``lookup`` finds a user by e-mail address on another platform in this process
        (Slack's users.lookupByEmail)."""
        self.core = core
        self.anonymous = anonymous
        self.people = core.people
        self.lookup = lookup
        self._asked: set[str] = set()  # accounts whose e-mail Teams would not give, this process

    async def actor(self, context: TurnContext) -> str:
        """The person behind the turn's sender (remembered on the turn)."""
        if ACTOR in context.turn_state:
            return context.turn_state[ACTOR]
        sender = context.activity.from_property
        user_id = account_id(sender)
        account = await asyncio.to_thread(self.people.account, PLATFORM, user_id)
        if account is None or (account.email is None and user_id not in self._asked):
            self._asked.add(user_id)
            email = None if self.anonymous else await self._email(context, sender.id)
            account = await asyncio.to_thread(self.people.seen, PLATFORM, user_id, email, sender.name or "",
                                              self._other, "slack", teams_user_id(sender))
        context.turn_state[ACTOR] = account.person
        return account.person

    async def with_people(self, context: TurnContext, said: Said) -> str:
        """The command ``said`` with each @mentioned person as the core's ``markup.mention``
        (``action @person …``). Someone Tandem has not met yet is looked up in the roster, as a
        sender is; someone not found stays ``@Name``, which the core refuses as unknown."""
        text = said.tokens
        for mentioned in said.people:
            person = await asyncio.to_thread(self._known, mentioned)
            if person is None and not self.anonymous:
                person = await self._meet(context, mentioned)
            text = text.replace(f"<@{mentioned.id}>", markup.mention(person) if person else f"@{mentioned.name}")
        return text

    def _known(self, mentioned: Mentioned) -> str | None:
        for key in (mentioned.aad, mentioned.id):
            found = self.people.persons(key) if key else set()
            if len(found) == 1:
                return next(iter(found))
        return None

    async def _meet(self, context: TurnContext, mentioned: Mentioned) -> str | None:
        connector = context.services.get(ConnectorClientBase)
        lookup = getattr(connector, "get_conversation_member", None)
        conversation = context.activity.conversation
        if lookup is None or conversation is None or not conversation.id or not _TEAMS_ID.match(mentioned.id):
            return None
        try:
            member = await lookup(repo.base_conversation(conversation.id), mentioned.id)
        except (aiohttp.ClientError, ValueError) as error:
            log.info("Teams did not name the mentioned member (%s)", error)
            return None
        user = SimpleNamespace(id=mentioned.id, aad_object_id=member.aad_object_id or mentioned.aad)
        account = await asyncio.to_thread(self.people.seen, PLATFORM, account_id(user),
                                          member.email or member.user_principal_name,
                                          member.name or mentioned.name, self._other, "slack", mentioned.id)
        return account.person

    def _other(self, email: str) -> str | None:
        """The other platform's user with this address; a failure just means no match."""
        if self.lookup is None:
            return None
        try:
            return self.lookup(email)
        except BadInput:
            return None

    async def _email(self, context: TurnContext, user: str) -> str | None:
        connector = context.services.get(ConnectorClientBase)
        lookup = getattr(connector, "get_conversation_member", None)
        conversation = context.activity.conversation
        if lookup is None or conversation is None or not conversation.id:
            return None
        try:
            member = await lookup(repo.base_conversation(conversation.id), user)
        except (aiohttp.ClientError, ValueError) as error:
            log.info("Teams did not give the member's e-mail address (%s); roles use their IDs", error)
            return None
        return member.email or member.user_principal_name

    async def remember(self, context: TurnContext) -> None:
        """Stores the turn's conversation reference, so Tandem can write there later."""
        activity = context.activity
        conversation = activity.conversation
        if conversation is None or not conversation.id or not activity.service_url:
            return
        kind = conversation.conversation_type or repo.PERSONAL
        conversation_id = repo.base_conversation(conversation.id)
        reference = activity.get_conversation_reference().model_dump(mode="json", by_alias=True, exclude_none=True)
        reference.pop("activityId", None)
        reference["conversation"] = {**reference.get("conversation", {}), "id": conversation_id}
        data = channel_data(activity)
        team = (data.get("team") or {}).get("id")
        user = activity.from_property.id if kind == repo.PERSONAL and activity.from_property else None
        tenant = conversation.tenant_id or (data.get("tenant") or {}).get("id")
        item = repo.Conversation(conversation_id, kind, tenant, activity.service_url, user, team, reference)
        await asyncio.to_thread(self._save, item)
        channel = data.get("channel")
        if team and channel and channel.get("id") and channel["id"] != conversation_id:
            # A team event names a channel too (the General channel when the bot is installed).
            await asyncio.to_thread(self._save, repo.Conversation(
                channel["id"], repo.CHANNEL, tenant, activity.service_url, None, team,
                {**reference, "conversation": {"id": channel["id"], "conversationType": repo.CHANNEL,
                                               "tenantId": tenant, "isGroup": True}}))

    def _save(self, item: repo.Conversation) -> None:
        with self.core.store.write() as db:
            repo.save_conversation(db, item, self.core.clock.now())


def channel_data(activity) -> dict:
    """Teams' channel data as plain JSON (the Teams extension parses it into a model)."""
    data = activity.channel_data
    if hasattr(data, "model_dump"):
        data = data.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data if isinstance(data, dict) else {}
