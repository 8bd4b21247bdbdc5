"""Thread discussion: replies in a card's thread are recorded as notes on its request."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot import markup
from bot.core import Core
from handlers.slack.errors import Task, guarded
from handlers.slack.ids import PLATFORM

log = logging.getLogger(__name__)

RECORDED_SUBTYPES = (None, "thread_broadcast", "file_share")

# What Tandem answers a plain message written to it in its DM (the Messages tab): people can
# write there since contract files are dropped there, and a message left unanswered looks broken.
DM_HELP = ("I don't read messages here, but I take contract files: drop a .csv or .xlsx here to import "
           "it (procurement). To post a need use `/need`; for everything else, `/procure help`.")


def register(app: App, core: Core) -> None:
    service = core.requests

    @app.event("message")
    @guarded
    def message(event: dict, client: WebClient, work: Task) -> None:
        work.later(lambda: handle(event, client))

    def handle(event: dict, client: WebClient) -> None:
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
            if not service.record_thread_edit(message_id(channel, edited["ts"]), "", parts(edited)):
                record(channel, edited, client)  # the edit overtook the original: store the edited text
            return
        if subtype not in RECORDED_SUBTYPES or event.get("bot_id"):
            return  # joins, deletions, bots (Tandem's own notes and copies of Teams replies among them)
        if event.get("channel_type") == "im":
            answer_dm(channel, event, client)
            return
        record(channel, event, client)

    def answer_dm(channel: str, message: dict, client: WebClient) -> None:
        """A person wrote to Tandem in its DM: one short answer saying what it can take there
        (a file shared there is the import's, ``handlers.slack.imports``)."""
        if message.get("subtype") or message.get("files") or not message.get("user") or message.get("thread_ts"):
            return
        # Slack sends an event again when it had no answer in time: answered once.
        if not core.replays.first_time([f"slack-dm:{channel}:{message.get('ts')}"]):
            return
        client.chat_postMessage(channel=channel, text=DM_HELP)

    def record(channel: str, message: dict, client: WebClient) -> None:
        thread_ts, ts = message.get("thread_ts"), message.get("ts")
        if not thread_ts or thread_ts == ts or not message.get("user"):
            return  # not a reply in a thread
        request = service.find_by_card(PLATFORM, channel, thread_ts)
        if request is None:
            return  # a thread that is not a Tandem card
        said = parts(message)
        if not said:
            return  # nothing Tandem can show (say, only a reaction-like block)
        remember_name(core, client, message["user"])  # a copy in Teams says who wrote it
        service.note(message["user"], request.id, "", source="thread", external_id=message_id(channel, ts), parts=said)


def remember_name(core: Core, client: WebClient, user: str) -> None:
    """Records a Slack user's display name once (``users.info``), for the copies of their
    replies on other platforms; a failure leaves their ID as the name."""
    account = core.people.account("slack", user)
    if account is not None and account.name:
        return
    try:
        found = client.users_info(user=user)["user"]
    except (SlackApiError, SlackClientError, OSError) as error:
        log.info("no name for %s from users.info: %s", user, error)
        return
    profile = found.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or found.get("real_name") or found.get("name")
    if name:
        core.people.seen("slack", user, name=name)


def message_id(channel: str, ts: str) -> str:
    """A Slack message's identity: a retried event carries the same one, so it is stored once."""
    return f"slack:{channel}:{ts}"


def parts(message: dict) -> tuple[markup.Part, ...]:
    """What a message says, as bot.markup parts: its text (Slack's markup, escaped as Slack
    sends it), then each message it shares or forwards, labelled with where it came from,
    then the names of the files it carries."""
    said = list(markup.parse(message.get("text") or ""))
    for attachment in message.get("attachments") or ():
        if attachment.get("is_share") or attachment.get("is_msg_unfurl"):
            said += _line(said) + shared(attachment)
    names = [file.get("name") or file.get("title") for file in message.get("files") or () if isinstance(file, dict)]
    names = [name for name in names if name]
    if names or (message.get("subtype") == "file_share" and not said):
        said += _line(said) + [markup.Text("shared a file" + (": " + ", ".join(names) if names else ""))]
    return markup.parse("") if not said else tuple(said)


def shared(attachment: dict) -> list[markup.Part]:
    """A shared or forwarded message: "shared a message from #general: …"."""
    channel, name = attachment.get("channel_id") or "", attachment.get("channel_name") or ""
    if channel.startswith("D") or name in ("", "Direct Message") and not channel.startswith(("C", "G")):
        source: list[markup.Part] = [markup.Text("a direct message")]
    else:
        source = [markup.Channel(channel, name) if channel else markup.Text("#" + name)]
    text = attachment.get("text") or attachment.get("fallback") or ""
    return [markup.Text("shared a message from "), *source, *([markup.Text(": ")] if text else []), *markup.parse(text)]


def _line(said: list) -> list[markup.Part]:
    return [markup.Text("\n")] if said else []
