"""The Notifier port, implemented with Slack's Web API."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.clock import Clock
from bot.errors import DomainError
from bot.format import viewing
from bot.notifier import Briefing, CardGone, CardRef, LinkedContract, NotifyError
from bot.digest import Digest
from bot.health import HealthCheck
from bot.reminders import Reminder
from bot.requests import Mirror, Request
from handlers.slack import blocks, health_blocks, schedule_blocks
from handlers.slack.ids import PLATFORM
from storage import Store
from storage import slack as dm_store

log = logging.getLogger(__name__)


# chat.update's answers for a card that will never update where it is.
DEAD_CARD = frozenset({"message_not_found", "cant_update_message", "channel_not_found", "is_archived",
                       "not_in_channel"})


class NotifyFailed(DomainError):
    """Slack refused what a user asked for directly; they are told so."""


def mirror_text(text: str, author: str, origin: str) -> str:
    """"Alex in Teams: …", escaped: nothing in it pings or links."""
    return blocks.fallback(f"{blocks.escape(author)} in {blocks.escape(origin.title())}: {blocks.escape(text)}")


class SlackNotifier:
    def __init__(self, client: WebClient, channel: str, locale_of: Callable[[str], str] | None = None):
        self.client = client
        self.channel = channel
        # A person's locale (Slack's users.info, cached): DMs show amounts their way.
        self.locale_of = locale_of or (lambda user: None)
        self._dm_channels: dict[str, str] = {}
        self._local = threading.local()
        self.store: Store | None = None  # DM channels are kept here once bound (the core owns the store)
        self.clock: Clock | None = None

    def bind(self, store: Store, clock: Clock) -> None:
        """Keeps DM channels in the database, so a restart does not open them all again."""
        self.store, self.clock = store, clock

    def last_failure(self) -> str | None:
        """The reason the last failed call on this thread failed (``None`` if none has)."""
        return getattr(self._local, "failure", None)

    def _call(self, what: str, send, **kwargs):
        try:
            return send(**kwargs)
        except SlackApiError as error:
            reason = error.response.get("error") or f"HTTP {error.response.status_code}"
            self._local.failure = reason
            log.warning("slack %s failed: %s (channel=%s)", what, reason, kwargs.get("channel"))
            raise NotifyError(reason) from error
        except (SlackClientError, OSError) as error:
            self._local.failure = "no answer from Slack"
            log.warning("slack %s failed: %s (channel=%s)", what, error, kwargs.get("channel"))
            raise NotifyError(str(error)) from error

    def post_card(self, request: Request, linked: LinkedContract | None = None) -> CardRef:
        response = self._call(
            "chat.postMessage",
            self.client.chat_postMessage,
            channel=self.channel,
            text=blocks.card_text(request),
            blocks=blocks.request_card(request, linked),
            unfurl_links=False,
        )
        return CardRef(response["channel"], response["ts"])

    def update_card(self, card: CardRef, request: Request, linked: LinkedContract | None = None) -> None:
        try:
            self._call(
                "chat.update",
                self.client.chat_update,
                channel=card.conversation,
                ts=card.message_id,
                text=blocks.card_text(request),
                blocks=blocks.request_card(request, linked),
            )
        except NotifyError as error:
            if str(error) in DEAD_CARD:
                raise CardGone(str(error)) from error
            raise

    def post_in_thread(self, card: CardRef, text: str, author: str) -> None:
        self._call(
            "chat.postMessage",
            self.client.chat_postMessage,
            channel=card.conversation,
            thread_ts=card.message_id,
            text=blocks.fallback(f"Note from <@{author}>: {blocks.escape(text)}"),
        )

    def mirror_note(self, card: CardRef, request: Request, text: str, author: str, origin: str) -> list[Mirror]:
        """A reply from another platform's card thread, posted in this card's thread as Tandem
        (a bot message, which the thread listener never stores back)."""
        posted = self._call("chat.postMessage", self.client.chat_postMessage, channel=card.conversation,
                            thread_ts=card.message_id,
                            text=mirror_text(text, author, origin), unfurl_links=False, unfurl_media=False)
        return [Mirror(PLATFORM, posted["channel"], posted["ts"])]

    def edit_mirror(self, mirror: Mirror, request: Request, text: str, author: str, origin: str) -> None:
        self._call("chat.update", self.client.chat_update, channel=mirror.conversation, ts=mirror.message_id,
                   text=mirror_text(text, author, origin))

    def delete_mirror(self, mirror: Mirror) -> None:
        try:
            self._call("chat.delete", self.client.chat_delete, channel=mirror.conversation, ts=mirror.message_id)
        except NotifyError as error:
            if str(error) != "message_not_found":  # deleted already: what was asked
                raise

    def dm_channel(self, user: str) -> str:
        """The person's DM channel: remembered, else stored, else ``conversations.open`` (Tier 3)."""
        channel = self._dm_channels.get(user)
        if channel is None and self.store is not None:
            channel = dm_store.dm_channel(self.store.db, user)
        self._local.opened = channel is None
        if channel is None:
            response = self._call("conversations.open", self.client.conversations_open, users=user)
            channel = response["channel"]["id"]
            if self.store is not None:
                with self.store.write() as db:
                    dm_store.save_dm_channel(db, user, channel, self.clock.now())
        self._dm_channels[user] = channel
        return channel

    def send_dm(self, user: str, text: str, blocks_: list | None = None) -> str:
        """Sends a DM; returns the message ts. A stored DM channel Slack no longer knows is
        forgotten and opened afresh, once."""
        post = lambda: self._call(  # noqa: E731
            "chat.postMessage",
            self.client.chat_postMessage,
            channel=self.dm_channel(user),
            text=blocks.fallback(text),
            blocks=blocks_,
        )
        try:
            return post()["ts"]
        except NotifyError as error:
            if str(error) != "channel_not_found" or getattr(self._local, "opened", True):
                raise
            self._forget_dm(user)
            return post()["ts"]

    def _forget_dm(self, user: str) -> None:
        self._dm_channels.pop(user, None)
        if self.store is not None:
            with self.store.write() as db:
                dm_store.forget_dm_channel(db, user)

    def ask_approval(self, approver: str, request: Request, why) -> None:
        with viewing(self.locale_of(approver)):  # the reason's amounts too, the approver's way
            shown = blocks.approval_request(request, str(why))
        self.send_dm(approver, f"Approval needed: {blocks.card_text(request)}", shown)

    def send_file(self, user: str, filename: str, content: bytes, title: str) -> None:
        self._call(
            "files_upload_v2",
            self.client.files_upload_v2,
            channel=self.dm_channel(user),
            filename=filename,
            content=content,
            title=title,
            initial_comment=title,
        )

    def send_file_or_raise(self, user: str, filename: str, content: bytes, title: str) -> None:
        """Sends a file the user asked for; a failure becomes a message they can act on."""
        try:
            self.send_file(user, filename, content, title)
        except NotifyError as error:
            raise NotifyFailed(f"Slack would not take the file ({error}); nothing was sent. Please try again.") from error

    def permalink(self, card: CardRef | None) -> str | None:
        """A link to the card (Slack's own card of a request), None without one."""
        if card is None:
            return None
        try:
            return self._call("chat.getPermalink", self.client.chat_getPermalink, channel=card.conversation,
                              message_ts=card.message_id)["permalink"]
        except NotifyError:
            return None

    def post_briefing(self, briefing: Briefing) -> None:
        posted = self._call("chat.postMessage", self.client.chat_postMessage, channel=self.channel,
                            text=schedule_blocks.briefing_text(briefing), blocks=schedule_blocks.briefing_blocks(briefing),
                            unfurl_links=False)
        if briefing.chart:
            self._call("files_upload_v2", self.client.files_upload_v2, channel=posted["channel"],
                       thread_ts=posted["ts"], filename="tandem-scorecard.png", content=briefing.chart,
                       title=briefing.title)

    def send_briefing(self, user: str, briefing: Briefing) -> None:
        self.send_dm(user, schedule_blocks.briefing_text(briefing), schedule_blocks.briefing_blocks(briefing))
        if briefing.chart:
            self.send_file(user, "tandem-scorecard.png", briefing.chart, briefing.title)

    def post_digest(self, digest: Digest) -> None:
        posted = self._call(
            "chat.postMessage",
            self.client.chat_postMessage,
            channel=self.channel,
            text=schedule_blocks.digest_text(digest),
            blocks=schedule_blocks.digest_blocks(digest),
            unfurl_links=False,
        )
        if digest.chart:
            # The chart goes into the digest's thread; the digest counts as posted either way.
            try:
                self._call("files_upload_v2", self.client.files_upload_v2, channel=posted["channel"],
                           thread_ts=posted["ts"], filename="tandem-flow.png", content=digest.chart,
                           title="Requests per week and whose court")
            except NotifyError:
                log.warning("the digest was posted without its chart")
        if digest.scorecard is not None and digest.scorecard.chart:
            try:
                self._call("files_upload_v2", self.client.files_upload_v2, channel=posted["channel"],
                           thread_ts=posted["ts"], filename="tandem-scorecard.png", content=digest.scorecard.chart,
                           title=digest.scorecard.title)
            except NotifyError:
                log.warning("the digest was posted without the scorecard's chart")

    def send_digest_preview(self, user: str, digest: Digest) -> None:
        with viewing(self.locale_of(user)):
            text, shown = (schedule_blocks.digest_text(digest, preview=True),
                           schedule_blocks.digest_blocks(digest, preview=True))
        self.send_dm(user, text, shown)

    def send_reminders(self, user: str, reminders: list[Reminder]) -> None:
        """One DM (``conversations.open`` + ``chat.postMessage``) with all of ``user``'s reminders."""
        with viewing(self.locale_of(user)):
            text, shown = schedule_blocks.reminders_text(reminders), schedule_blocks.reminder_blocks(reminders)
        self.send_dm(user, text, shown)

    def send_health_check(self, user: str, survey: HealthCheck) -> None:
        """The health check by DM, with the button that opens its form."""
        self.send_dm(user, health_blocks.health_check_text(survey), health_blocks.health_check_blocks(survey))
