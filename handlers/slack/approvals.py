"""Listeners for approvals: Approve and Reject in the approver's DM, and the reason modal."""

from __future__ import annotations

import json

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.core import Core
from bot.errors import BadInput
from bot.requests import Status, parse_number
from handlers.slack import blocks
from handlers.slack.errors import guarded
from handlers.slack.ids import REASON_BLOCK, ApprovalActions, Views


def register(app: App, core: Core) -> None:
    approvals = core.approvals

    @app.action(ApprovalActions.APPROVE)
    @guarded
    def approve(ack: Ack, body: dict, action: dict, respond) -> None:
        ack()
        request = approvals.approve(body["user"]["id"], parse_number(action["value"]))
        outcome = "It is now approved." if request.status is Status.APPROVED else "Waiting for the other approvers."
        respond(replace_original=True, text=f":white_check_mark: You approved {blocks.headline(request)}. {outcome}")

    @app.action(ApprovalActions.REJECT)
    @guarded
    def reject(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        request = core.requests.get(parse_number(action["value"]))
        where = {"request": request.id, "channel": (body.get("channel") or {}).get("id"),
                 "ts": (body.get("message") or {}).get("ts")}
        client.views_open(trigger_id=body["trigger_id"], view=blocks.reject_modal(request, json.dumps(where)))

    @app.view(Views.REJECT)
    @guarded
    def reject_submitted(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        where = json.loads(view["private_metadata"])
        reason = blocks.form_values(view).get(REASON_BLOCK, "")
        try:
            request = approvals.reject(body["user"]["id"], int(where["request"]), reason)
        except BadInput as error:
            ack(response_action="errors", errors={REASON_BLOCK: error.message})
            return
        ack()
        if where.get("channel") and where.get("ts"):
            client.chat_update(channel=where["channel"], ts=where["ts"],
                               text=f":x: You rejected {blocks.headline(request)}; it is back in sourcing.")
