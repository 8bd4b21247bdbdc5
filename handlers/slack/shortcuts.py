"""Shortcuts: "Send to procurement" on any message, and "New IT need" from anywhere.

The message shortcut opens the need form drawn from the message (``bot.intake``) and keeps
where the message is in the form's metadata; once the need is posted, Tandem replies in that
message's thread with a link to the card. Where it cannot (it is not in that channel), the
person who used the shortcut is told so, only to them.
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from bot.core import Core
from bot.intake import draft_from_message
from bot.requests import Request
from bot.visibility import NOBODY, Place
from handlers.slack import blocks, form_blocks
from handlers.slack.errors import Task, guarded
from handlers.slack.ids import PLATFORM, Shortcuts
from handlers.slack.notifier import SlackNotifier
from handlers.slack.people import SlackLocales

log = logging.getLogger(__name__)

_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")
_EMOJI = re.compile(r":[a-z0-9_+\-']+:")
_EMPHASIS = re.compile(r"(?<!\w)([*_~`])(.+?)\1(?!\w)")


def plain(text: str, *, for_title: bool = False) -> str:
    """Slack's message markup as plain text: mentions, channels and links as people read
    them, entities decoded; for a title also without emphasis marks and emoji codes."""

    def link(match: re.Match) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            special = target[1:].split("^")[0]
            return label or f"@{special}"
        if label and not for_title:
            return f"{label} ({target.removeprefix('mailto:')})"
        return label or target.removeprefix("mailto:")

    text = html.unescape(_LINK.sub(link, text or ""))
    if for_title:
        text = _EMOJI.sub("", _EMPHASIS.sub(r"\2", text))
    return text


@dataclass(frozen=True)
class Source:
    """The message a need was sent from: its channel, the thread to answer in, and the
    shortcut's response URL (to tell the person privately when the thread is out of reach)."""

    channel: str
    thread_ts: str
    response_url: str | None = None

    def dump(self) -> str:
        return json.dumps({"source": [self.channel, self.thread_ts, self.response_url]})

    @staticmethod
    def load(metadata: str | None) -> Source | None:
        """None for a form not sent from a message; raises ValueError, KeyError or TypeError for
        metadata Tandem did not write."""
        if not metadata:
            return None
        channel, thread_ts, response_url = json.loads(metadata)["source"]
        if not (isinstance(channel, str) and isinstance(thread_ts, str) and isinstance(response_url, (str, type(None)))):
            raise TypeError("a message's channel and ts are strings")
        return Source(channel, thread_ts, response_url)


def register(app: App, core: Core, locales: SlackLocales) -> None:
    settings = core.settings

    @app.message_shortcut(Shortcuts.SEND_TO_PROCUREMENT)
    @guarded
    def send_to_procurement(ack: Ack, body: dict, client: WebClient, work: Task) -> None:
        ack()
        user, channel = body["user"]["id"], body["channel"]["id"]
        message = body.get("message") or {}
        ts = message.get("ts") or body.get("message_ts")
        source = Source(channel, message.get("thread_ts") or ts, body.get("response_url"))
        files = [f.get("name") or f.get("title") or "file" for f in message.get("files") or []]

        def ask() -> None:
            text = message.get("text", "")
            draft = draft_from_message(plain(text), permalink(client, channel, ts), files,
                                       title_text=plain(text, for_title=True))
            modal = form_blocks.request_modal(draft.title, settings.base_currency, locale=locales.cached(user) or settings.locale,
                                      details=draft.details, metadata=source.dump())
            client.views_open(trigger_id=body["trigger_id"], view=modal)

        work.form(ask)
        work.later(lambda: locales(user))

    @app.global_shortcut(Shortcuts.NEW_NEED)
    @guarded
    def new_need(ack: Ack, body: dict, client: WebClient, work: Task) -> None:
        ack()
        user = body["user"]["id"]
        modal = form_blocks.request_modal("", settings.base_currency, locale=locales.cached(user) or settings.locale)
        work.form(lambda: client.views_open(trigger_id=body["trigger_id"], view=modal))
        work.later(lambda: locales(user))


def permalink(client: WebClient, channel: str, ts: str | None) -> str | None:
    """The message's link, or None when Slack will not give it (a channel Tandem cannot see)."""
    if not ts:
        return None
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"]
    except (SlackApiError, SlackClientError, OSError) as error:
        log.info("no permalink for a message sent to procurement: %s", error)
        return None


def answer_source(core: Core, notifier: SlackNotifier, source: Source, request: Request) -> None:
    """Replies in the original message's thread with a link to the card (what anyone in that
    channel may see of the request); tells the person privately when that is not possible."""
    shown = core.visibility.request(NOBODY, request, Place.CHANNEL)
    link = notifier.permalink(core.cards.of(request.id).get(PLATFORM))
    number = f"<{link}|{request.number}>" if link else request.number
    text = f":inbox_tray: Sent to procurement as {number} *{blocks.escape(shown.title)}*" \
           f" in <#{core.settings.channel}>."
    try:
        notifier.client.chat_postMessage(channel=source.channel, thread_ts=source.thread_ts, text=text,
                                         unfurl_links=False)
        return
    except SlackApiError as error:
        reason = error.response.get("error")
    except (SlackClientError, OSError) as error:
        reason = str(error)
    log.info("could not reply in the thread of a message sent to procurement: %s", reason)
    if not source.response_url:
        return
    why = ("Tandem is not in that channel (invite it with /invite @Tandem to get these replies)"
           if reason in ("not_in_channel", "channel_not_found") else f"Slack said {reason}")
    try:
        WebhookClient(source.response_url).send(
            text=f"{text} I could not reply in the message's thread: {why}.", response_type="ephemeral",
            replace_original=False)
    except (SlackClientError, OSError) as error:
        log.warning("could not tell the person about the thread reply: %s", error)
