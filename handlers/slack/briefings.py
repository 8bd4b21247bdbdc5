"""Listeners for a briefing's buttons (the sourcing map check's *Confirm* and *Change*) and
the *Change* form.

A button carries the command it runs; ``bot.dispatch.button`` decides which commands a
button may run, and the command runs for whoever clicked under the same rules as typing it.
"""

from __future__ import annotations

import re

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import dispatch
from bot.core import Core
from handlers.slack import blocks, forms, replies
from handlers.slack.errors import Task, guarded
from handlers.slack.ids import BriefingActions, Views
from handlers.slack.notifier import SlackNotifier
from handlers.slack.people import SlackLocales


def register(app: App, core: Core, notifier: SlackNotifier, locales: SlackLocales) -> None:
    @app.action(re.compile(rf"^{BriefingActions.RUN}_\d+$"))
    @guarded
    def run_button(ack: Ack, body: dict, action: dict, respond, client: WebClient, work: Task) -> None:
        ack()
        user = body["user"]["id"]
        command = dispatch.button(str(action.get("value") or ""))

        def run() -> None:
            reply = dispatch.run(core, user, command)
            replies.deliver(reply, user=user, trigger_id=body.get("trigger_id"), respond=respond, client=client,
                            notifier=notifier, settings=core.settings, locale=locales.cached(user))

        (work.form if dispatch.opens_form(command) else work.later)(run)

    @app.view(Views.SOURCING)
    @guarded
    def sourcing_submitted(ack: Ack, body: dict, view: dict, work: Task) -> None:
        user = body["user"]["id"]

        def then(form: dict, _):
            core.sourcing.parse_form(form)
            return lambda: notifier.send_dm(user, ":white_check_mark: " + blocks.escape(
                core.sourcing.apply(user, form).text()))

        forms.submitted(ack, view, work, then)
