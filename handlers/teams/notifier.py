"""The Notifier port, implemented with the Bot Connector of Microsoft Teams.

The core is synchronous and calls from worker threads (the Teams handlers' ``to_thread``,
the schedule, Slack's listeners); Teams runs on one asyncio loop. Each call here hands its
work to that loop and waits for it, so the loop itself never blocks on the core.

Everything is proactive: a conversation reference stored when the bot was installed or
spoken to gives the service URL and tenant, the SDK's ``continue_conversation`` gives an
authenticated connector client, and the activity goes to the conversation directly
(``POST /v3/conversations/{id}/activities``; ``PUT …/activities/{id}`` to update a card;
``POST /v3/conversations`` to open a one-to-one chat). Teams' card of a request is kept
with every platform's (``storage.cards``): its reference is the card's thread and activity.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import aiohttp
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.core import ChannelServiceAdapter, ClaimsIdentity, OutboundHostValidator
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from bot.clock import Clock
from bot.config import Settings
from bot.digest import Digest
from bot.notifier import Briefing, CardGone, CardRef, LinkedContract, NotifyError
from bot.people_service import People
from bot.reminders import Reminder
from bot.requests import Mirror, Request
from handlers.teams import cards, files, schedule_cards
from storage import teams as repo
from storage import Store

if TYPE_CHECKING:
    from bot.health import HealthCheck

log = logging.getLogger(__name__)

PLATFORM = "teams"
# How long a call from the core waits for Teams before giving up (the core logs and moves on).
TIMEOUT = 30.0


def card_activity(content: dict, summary: str) -> Activity:
    return Activity(type=ActivityTypes.message, summary=summary[:300],
                    attachments=[Attachment(content_type=cards.CONTENT_TYPE, content=content)])


def mirror_text(text: str, author: str, origin: str) -> str:
    """"Alex in Slack: …" as plain text (Teams shows it as typed: no markdown, no mentions)."""
    return f"{author} in {origin.title()}: {text}"


def text_activity(text: str) -> Activity:
    return Activity(type=ActivityTypes.message, text=text, text_format="plain")


class TeamsNotifier:
    def __init__(self, settings: Settings, clock: Clock):
        self.settings = settings
        self.clock = clock
        self.store: Store | None = None
        self.people: People | None = None
        self.hosts: OutboundHostValidator | None = None
        self.file_hosts: OutboundHostValidator | None = None
        self.adapter: ChannelServiceAdapter | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.anonymous = not settings.teams_app_id

    def bind(self, store: Store, people: People, hosts: OutboundHostValidator,
             file_hosts: OutboundHostValidator) -> None:
        """Called once the core exists (it is built with this notifier); ``hosts`` says
        which service URLs calls may go to, ``file_hosts`` where an accepted file may be uploaded."""
        self.store, self.people, self.hosts, self.file_hosts = store, people, hosts, file_hosts

    def attach(self, adapter: ChannelServiceAdapter, loop: asyncio.AbstractEventLoop) -> None:
        """Called once the Teams endpoint runs: proactive messages go through its adapter and loop."""
        self.adapter, self.loop = adapter, loop

    # --- who is who ----------------------------------------------------------------------------

    def name(self, person: str | None) -> str:
        """A person's display name, as Teams (or another platform) told it."""
        if not person:
            return "nobody"
        for account in self.people.accounts(person):
            if account.name:
                return account.name
        return person

    def reaches(self, person: str) -> bool:
        """Whether ``person`` has a Teams account Tandem has met (so a DM can find them)."""
        return bool(self.people.accounts(person, PLATFORM))

    # --- the port ----------------------------------------------------------------------------------

    def post_card(self, request: Request, linked: LinkedContract | None = None) -> CardRef:
        channel = self._channel()
        activity = self._card_activity(request, linked)
        answer = self._call(self._channel_reference(), lambda api: api.send_to_conversation(channel, activity))
        if not answer.id:
            raise NotifyError("Teams did not say which message the card is")
        # The card's thread is a conversation of its own: replies there come from it.
        return CardRef(f"{channel};messageid={answer.id}", answer.id)

    def update_card(self, card: CardRef, request: Request, linked: LinkedContract | None = None) -> None:
        activity = self._card_activity(request, linked)
        activity.id = card.message_id
        try:
            self._call(self._channel_reference(),
                       lambda api: api.update_activity(card.conversation, card.message_id, activity))
        except NotifyError as error:
            if getattr(error, "status", None) == 404:
                raise CardGone(str(error)) from error
            raise

    def post_in_thread(self, card: CardRef, text: str, author: str) -> None:
        activity = text_activity(f"Note from {self.name(author)}: {text}")
        self._call(self._channel_reference(), lambda api: api.send_to_conversation(card.conversation, activity))

    def mirror_note(self, card: CardRef, request: Request, text: str, author: str, origin: str) -> list[Mirror]:
        """A reply from another platform's card thread, posted in this card's thread by Tandem
        (Teams does not deliver a bot's own messages to it, so it is never stored back)."""
        activity = text_activity(mirror_text(text, author, origin))
        sent = self._call(self._channel_reference(),
                          lambda api: api.send_to_conversation(card.conversation, activity))
        if not getattr(sent, "id", None):
            raise NotifyError("Teams did not say which message the copy is")
        return [Mirror(PLATFORM, card.conversation, sent.id)]

    def edit_mirror(self, mirror: Mirror, request: Request, text: str, author: str, origin: str) -> None:
        activity = text_activity(mirror_text(text, author, origin))
        activity.id = mirror.message_id
        self._call(self._channel_reference(),
                   lambda api: api.update_activity(mirror.conversation, mirror.message_id, activity))

    def delete_mirror(self, mirror: Mirror) -> None:
        try:
            self._call(self._channel_reference(),
                       lambda api: api.delete_activity(mirror.conversation, mirror.message_id))
        except NotifyError as error:
            if getattr(error, "status", None) != 404:  # deleted already: what was asked
                raise

    def send_dm(self, user: str, text: str) -> None:
        self.send_activity_to(user, text_activity(cards.message_text(text, self.name)))

    def send_file(self, user: str, filename: str, content: bytes, title: str) -> None:
        """A file consent card in the person's chat with Tandem: *Allow* puts the file in their
        OneDrive (``handlers.teams.files``), *Decline* sends nothing."""
        token = files.new_token()
        now = self.clock.now()
        with self.store.write() as db:
            repo.prune_files(db, now - files.KEPT)
            repo.offer_file(db, token, user, filename, title, content, now)
        chat, _ = self.send_activity_to(user, files.consent_activity(token, filename, len(content), title))
        with self.store.write() as db:
            repo.offered_in(db, token, chat)

    def image_url(self, png: bytes) -> str | None:
        """A URL where Teams clients can fetch ``png`` (served by the Teams endpoint under
        ``TANDEM_PUBLIC_URL``), or None without a public URL."""
        if not self.settings.public_url:
            return None
        token = files.new_token()
        now = self.clock.now()
        with self.store.write() as db:
            repo.prune_images(db, now - files.IMAGES_KEPT)
            repo.save_image(db, token, png, now)
        return f"{self.settings.public_url}{files.image_path(token)}"

    def ask_approval(self, approver: str, request: Request, why) -> None:
        self.send_activity_to(approver, card_activity(cards.approval_card(request, str(why), self.name),
                                                    f"Approval needed: {cards.card_summary(request)}"))

    def post_digest(self, digest: Digest) -> None:
        channel = self._channel()
        content = schedule_cards.digest_card(digest, self.name)
        if digest.chart:
            files.add_image(content, self.image_url(digest.chart), files.FLOW_CHART_ALT)
        if digest.scorecard is not None:
            schedule_cards.add_briefing(content, digest.scorecard, self.name)
            if digest.scorecard.chart:
                files.add_image(content, self.image_url(digest.scorecard.chart), digest.scorecard.title)
        activity = card_activity(content, digest.summary())
        self._call(self._channel_reference(), lambda api: api.send_to_conversation(channel, activity))

    def post_briefing(self, briefing: Briefing) -> None:
        channel = self._channel()
        content = schedule_cards.briefing_card(briefing, self.name)
        if briefing.chart:
            files.add_image(content, self.image_url(briefing.chart), briefing.title)
        activity = card_activity(content, briefing.title)
        self._call(self._channel_reference(), lambda api: api.send_to_conversation(channel, activity))

    def send_briefing(self, user: str, briefing: Briefing) -> None:
        self.send_activity_to(user, card_activity(schedule_cards.briefing_card(briefing, self.name), briefing.title))
        if briefing.chart:
            self.send_file(user, "tandem-scorecard.png", briefing.chart, briefing.title)

    def send_digest_preview(self, user: str, digest: Digest) -> None:
        content = schedule_cards.digest_card(digest, self.name, preview=True)
        if digest.scorecard is not None:  # the next digest is the month's first
            schedule_cards.add_briefing(content, digest.scorecard, self.name)
        self.send_activity_to(user, card_activity(content, "Digest preview"))

    def send_reminders(self, user: str, reminders: list[Reminder]) -> None:
        content = schedule_cards.reminders_card(reminders, self.name)
        chat, message = self.send_activity_to(user, card_activity(content, schedule_cards.reminders_summary(reminders)))
        if message:  # kept, so Snooze and Done can rewrite the card in place
            with self.store.write() as db:
                repo.save_reminder_card(db, message, chat, content, self.clock.now())

    def send_health_check(self, user: str, survey: HealthCheck) -> None:
        """The health check's form, as a card in the person's chat with Tandem."""
        from handlers.teams.health import survey_card

        self.send_activity_to(user, card_activity(survey_card(survey), f"The {survey.label} health check"))

    # --- cards -------------------------------------------------------------------------------------------

    def _card_activity(self, request: Request, linked: LinkedContract | None) -> Activity:
        return card_activity(cards.request_card(request, linked, self.name), cards.card_summary(request))

    # --- where things go -----------------------------------------------------------------------------------

    def _channel(self) -> str:
        if not self.settings.teams_channel:
            raise NotifyError("TEAMS_CHANNEL is not set, so there is no Teams channel for cards and digests")
        if repo.removed(self.store.db, self.settings.teams_channel):
            raise NotifyError("Tandem was removed from the team of TEAMS_CHANNEL: nothing is posted there")
        return self.settings.teams_channel

    def _channel_reference(self) -> repo.Conversation:
        """A stored conversation whose service URL reaches the shared channel's tenant."""
        db = self.store.db
        channel = self.settings.teams_channel
        found = (repo.conversation(db, channel) if channel else None) or repo.latest(db, self.settings.teams_tenant_id)
        if found is None:
            raise NotifyError("Tandem has not been added to Teams yet (no conversation to reach it through)")
        return found

    def send_activity_to(self, person: str, activity: Activity) -> tuple[str, str | None]:
        """Sends ``activity`` to ``person`` in their one-to-one chat with Tandem (opened if
        needed); returns the chat's ID and the message's."""
        accounts = self.people.accounts(person, PLATFORM)
        if not accounts:
            raise NotifyError(f"{person} has no Teams account Tandem has met")
        ids = [value for account in accounts for value in (account.alt_id, account.user_id) if value]
        db = self.store.db
        chat = repo.personal(db, ids)
        if chat is not None:
            sent = self._call(chat, lambda api: api.send_to_conversation(chat.id, activity))
            return chat.id, getattr(sent, "id", None)
        base = repo.latest(db, self.settings.teams_tenant_id)
        if base is None:
            raise NotifyError("Tandem has not been added to Teams yet (no conversation to reach it through)")
        member = ids[0]

        async def open_and_send(api):
            tenant = base.tenant_id or self.settings.teams_tenant_id
            agent = (base.reference.get("bot") or base.reference.get("agent") or {})
            parameters = ConversationParameters(
                is_group=False, agent=ChannelAccount(id=agent.get("id") or ""), members=[ChannelAccount(id=member)],
                tenant_id=tenant, channel_data={"tenant": {"id": tenant}},
            )
            created = await api.create_conversation(parameters)
            sent = await api.send_to_conversation(created.id, activity)
            return created.id, tenant, getattr(sent, "id", None)

        chat_id, tenant, message_id = self._call(base, open_and_send)
        reference = {**base.reference, "conversation": {"id": chat_id, "conversationType": repo.PERSONAL,
                                                         "tenantId": tenant}, "user": {"id": member}}
        reference.pop("activityId", None)
        with self.store.write() as db:
            repo.save_conversation(db, repo.Conversation(chat_id, repo.PERSONAL, tenant, base.service_url, member,
                                                         None, reference), self.clock.now())
        return chat_id, message_id

    # --- running on the Teams loop -----------------------------------------------------------------------

    def _call(self, through: repo.Conversation, work: Callable[[Any], Awaitable[Any]]) -> Any:
        """Runs ``work(conversations)`` on the Teams loop with a connector client for
        ``through``'s service URL, and waits for it; failures become ``NotifyError``."""
        loop = self.loop
        if loop is None or self.adapter is None:
            raise NotifyError("the Teams endpoint is not running")
        if repo.removed(self.store.db, through.id):
            raise NotifyError(f"Tandem was removed from the Teams conversation {through.id}")
        if not self.hosts.is_allowed(through.service_url):
            raise NotifyError("the stored Teams service URL is not one of Microsoft's connector hosts")
        future = asyncio.run_coroutine_threadsafe(self._with_connector(through, work), loop)
        try:
            return future.result(timeout=TIMEOUT)
        except aiohttp.ClientResponseError as error:
            failure = NotifyError(f"Teams answered HTTP {error.status}")
            failure.status = error.status
            log.warning("teams call failed: HTTP %s", error.status)
            raise failure from error
        except (aiohttp.ClientError, OSError, TimeoutError, asyncio.TimeoutError) as error:
            future.cancel()
            log.warning("teams call failed: %r", error)
            raise NotifyError(f"no answer from Teams ({type(error).__name__})") from error

    async def _with_connector(self, through: repo.Conversation, work: Callable[[Any], Awaitable[Any]]) -> Any:
        reference = ConversationReference.model_validate({k: v for k, v in through.reference.items()
                                                          if k != "activityId"})
        results: list[Any] = []

        async def callback(context) -> None:
            connector = context.services.get(ConnectorClientBase)
            results.append(await work(connector.conversations))

        continuation = reference.get_continuation_activity()
        if self.anonymous:
            await self.adapter.continue_conversation_with_claims(ClaimsIdentity(), continuation, callback)
        else:
            await self.adapter.continue_conversation(self.settings.teams_app_id, continuation, callback)
        return results[0] if results else None
