"""Listeners for approvals: Approve and Reject in the approver's DM, and the reason modal; both
run their ``/procure`` command through ``bot.dispatch``."""

from __future__ import annotations

import json

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import dispatch
from bot.approvals import parse_reason
from bot.commands import Command
from bot.core import Core
from bot.permissions import Action
from bot.requests import Status
from bot.parsing import parse_number
from handlers.slack import blocks, form_blocks, forms
from handlers.slack.errors import Task, guarded
from handlers.slack.ids import REASON_BLOCK, ApprovalActions, Views


def register(app: App, core: Core) -> None:
    @app.action(ApprovalActions.APPROVE)
    @guarded
    def approve(ack: Ack, body: dict, action: dict, respond, work: Task) -> None:
        ack()
        number = parse_number(action["value"])

        def run() -> None:
            reply = dispatch.run(core, body["user"]["id"], Command("approve", number))
            assert isinstance(reply, dispatch.Changed)
            request = reply.request
            outcome = "It is now approved." if request.status is Status.APPROVED else "Waiting for the other approvers."
            respond(replace_original=True, text=f":white_check_mark: You approved {blocks.headline(request)}. {outcome}")

        work.later(run)

    @app.action(ApprovalActions.REJECT)
    @guarded
    def reject(ack: Ack, body: dict, action: dict, client: WebClient, work: Task) -> None:
        ack()
        number = parse_number(action["value"])

        def ask() -> None:
            # The reason form opens only for an approver who may decide now.
            request = core.requests.for_action(body["user"]["id"], number, Action.REJECT)
            where = {"request": request.id, "channel": (body.get("channel") or {}).get("id"),
                     "ts": (body.get("message") or {}).get("ts")}
            client.views_open(trigger_id=body["trigger_id"], view=form_blocks.reject_modal(request, json.dumps(where)))

        work.form(ask)

    @app.view(Views.REJECT)
    @guarded
    def reject_submitted(ack: Ack, body: dict, view: dict, client: WebClient, work: Task) -> None:
        user = body["user"]["id"]

        def then(form: dict, where: dict):
            reason = parse_reason(form.get(REASON_BLOCK, ""))
            return lambda: rejected(client, user, where, reason)

        forms.submitted(ack, view, work, then, metadata=reject_target, field=REASON_BLOCK)

    def rejected(client: WebClient, user: str, where: dict, reason: str) -> None:
        reply = dispatch.run(core, user, Command("reject", where["request"], arg=reason))
        assert isinstance(reply, dispatch.Changed)
        if where.get("channel") and where.get("ts"):
            client.chat_update(channel=where["channel"], ts=where["ts"],
                               text=f":x: You rejected {blocks.headline(reply.request)}; it is back in sourcing.")


def reject_target(metadata: str) -> dict:
    """The reject form's metadata: the request and, when opened from a card, that card's message."""
    where = json.loads(metadata)
    where["request"] = parse_number(str(where["request"]))
    if not all(isinstance(where.get(key), (str, type(None))) for key in ("channel", "ts")):
        raise TypeError("the card's channel and ts are strings")
    return where
