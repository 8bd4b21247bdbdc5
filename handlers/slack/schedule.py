"""Listeners for reminder DMs: "Snooze 3 days" and "Done".

Each acks, records the choice through the core, and updates the DM in place so the
reminder shows its new state. A click that changes nothing (Snooze or Done a second time,
Snooze after Done) leaves the DM as it is and answers the person who clicked. Open on a reminder is the same button as on lists and App
Home (``Actions.OPEN``, ``ContractActions.OPEN``), handled where those are.
"""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.core import Core
from bot.errors import NotFound
from handlers.slack import schedule_blocks
from handlers.slack.errors import Task, guarded
from handlers.slack.ids import ReminderActions


def register(app: App, core: Core) -> None:
    service = core.schedule
    tz = core.settings.tz

    @app.action(ReminderActions.SNOOZE)
    @guarded
    def snooze(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, work: Task) -> None:
        ack()
        entry_id = reminder_id(action)

        def run() -> None:
            marked = service.snooze(body["user"]["id"], entry_id)
            if not marked.changed:  # a second click: the DM already shows the state
                respond(text=marked.already_text(tz, "snooze"), response_type="ephemeral", replace_original=False)
                return
            show_state(client, respond, body, entry_id, schedule_blocks.snoozed_text(marked.snoozed_until, tz))

        work.later(run)

    @app.action(ReminderActions.DONE)
    @guarded
    def done(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, work: Task) -> None:
        ack()
        entry_id = reminder_id(action)

        def run() -> None:
            marked = service.done(body["user"]["id"], entry_id)
            if not marked.changed:
                respond(text=marked.already_text(tz, "done"), response_type="ephemeral", replace_original=False)
                return
            show_state(client, respond, body, entry_id, schedule_blocks.DONE_TEXT)

        work.later(run)


def reminder_id(action: dict) -> int:
    value = str(action.get("value", ""))
    if not value.isdigit():
        raise NotFound("That reminder no longer exists.")
    return int(value)


def show_state(client: WebClient, respond: Respond, body: dict, entry_id: int, text: str) -> None:
    """Replaces the reminder's buttons in the DM with ``text`` (or, if the message cannot be
    updated, says ``text`` to the user)."""
    message = body.get("message") or {}
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or message.get("ts")
    updated = schedule_blocks.marked(message.get("blocks") or [], entry_id, text)
    if updated is None or not channel or not ts:
        respond(text=text, response_type="ephemeral", replace_original=False)
        return
    client.chat_update(channel=channel, ts=ts, text=message.get("text") or text, blocks=updated)
