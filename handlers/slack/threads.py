"""Thread discussion: replies in a card's thread are recorded as notes on its request."""

from __future__ import annotations

import html
import logging

from slack_bolt import App

from bot.core import Core
from handlers.slack.errors import Task, guarded

log = logging.getLogger(__name__)

RECORDED_SUBTYPES = (None, "thread_broadcast", "file_share")


def register(app: App, core: Core) -> None:
    service = core.requests

    @app.event("message")
    @guarded
    def message(event: dict, work: Task) -> None:
        work.later(lambda: handle(event))

    def handle(event: dict) -> None:
        subtype = event.get("subtype")
        channel = event.get("channel", "")
        if subtype == "message_deleted":
            # A reply deleted in Slack: its comment goes too (someone who pasted a secret
            # and deleted it must not find it in /procure show).
            if event.get("deleted_ts"):
                service.record_thread_delete(message_id(channel, event["deleted_ts"]))
            return
        if subtype == "message_changed":
            edited = event.get("message") or {}
            if edited.get("bot_id") or not edited.get("ts"):
                return
            if edited.get("subtype") == "tombstone":  # deleted, but kept as a placeholder
                service.record_thread_delete(message_id(channel, edited["ts"]))
                return
            if not service.record_thread_edit(message_id(channel, edited["ts"]), unescape(edited.get("text", ""))):
                record(channel, edited)  # the edit overtook the original: store the edited text
            return
        if subtype not in RECORDED_SUBTYPES or event.get("bot_id"):
            return  # joins, deletions, bots (Tandem's own notes among them)
        record(channel, event)

    def record(channel: str, message: dict) -> None:
        thread_ts, ts = message.get("thread_ts"), message.get("ts")
        if not thread_ts or thread_ts == ts or not message.get("user"):
            return  # not a reply in a thread
        request = service.find_by_card(channel, thread_ts)
        if request is None:
            return  # a thread that is not a Tandem card
        text = unescape(message.get("text", "")) or "(shared a file)"
        service.note(message["user"], request.id, text, source="thread", external_id=message_id(channel, ts))


def message_id(channel: str, ts: str) -> str:
    """A Slack message's identity: a retried event carries the same one, so it is stored once."""
    return f"slack:{channel}:{ts}"


def unescape(text: str) -> str:
    """Slack sends ``&``, ``<`` and ``>`` escaped; store what the person typed."""
    return html.unescape(text) if "&" in text else text
