"""Listeners for the health check: the survey DM's button and the form it opens.

The button checks the person may answer (asked this round, not answered yet) before the
form opens. The form is validated field by field; an answer the core refuses (answered in
the meantime, the round closed) turns the form into a short notice. Once answered, the
DM's button is replaced by a thank-you, never by the scores.
"""

from __future__ import annotations

import json

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import health
from bot.core import Core
from bot.errors import NotFound
from handlers.slack import forms, health_blocks
from handlers.slack.errors import Task, guarded
from handlers.slack.ids import HealthIds


def register(app: App, core: Core) -> None:
    service = core.health

    @app.action(HealthIds.OPEN)
    @guarded
    def open_form(ack: Ack, body: dict, action: dict, client: WebClient, work: Task) -> None:
        ack()
        number = round_id(action.get("value"))

        def ask() -> None:
            survey = service.check_can_answer(body["user"]["id"], number)
            container = body.get("container") or {}
            where = {"round": survey.id, "channel": container.get("channel_id") or (body.get("channel") or {}).get("id"),
                     "ts": container.get("message_ts") or (body.get("message") or {}).get("ts")}
            client.views_open(trigger_id=body["trigger_id"], view=health_blocks.health_check_modal(survey, json.dumps(where)))

        work.form(ask)

    @app.view(HealthIds.FORM)
    @guarded
    def submitted(ack: Ack, body: dict, view: dict, client: WebClient, work: Task) -> None:
        user = body["user"]["id"]

        def then(form: dict, where: dict):
            scores, comment = health.parse_form(form)
            number = round_id(where.get("round"))
            # A read (never waits for the write lock): a refusal turns the form into a notice.
            service.check_can_answer(user, number)
            return lambda: answer(client, user, scores, comment, number, where)

        forms.submitted(ack, view, work, then, metadata=health_target, notice=health_blocks.notice_modal)

    def answer(client: WebClient, user: str, scores, comment: str, number: int, where: dict) -> None:
        survey = service.answer(user, scores, comment, round_id=number)
        if where.get("channel") and where.get("ts"):
            # The survey DM keeps its statements; its button becomes a thank-you (never the scores).
            shown = health_blocks.answered([block.to_dict() for block in health_blocks.health_check_blocks(survey)])
            client.chat_update(channel=where["channel"], ts=where["ts"], text=health_blocks.ANSWERED, blocks=shown)


def round_id(value) -> int:
    text = str(value if value is not None else "")
    if not text.isdecimal() or not text.isascii():
        raise NotFound("That health check no longer exists.")
    return int(text)



def health_target(metadata: str) -> dict:
    """The health-check form's metadata: its round and, when opened from a message, that message."""
    where = json.loads(metadata or "{}")
    if not isinstance(where, dict) or not all(isinstance(where.get(key), (str, type(None)))
                                              for key in ("channel", "ts")):
        raise TypeError("the form's metadata is an object whose channel and ts are strings")
    return where
