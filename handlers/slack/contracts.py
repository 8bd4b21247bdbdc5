"""Listeners for the contract calendar: the contract form and the contract buttons.

``/procure contracts``, ``contract add|show`` and ``calendar`` arrive through /procure
(handlers.slack.requests); the buttons run the same commands through ``bot.dispatch``.
"""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import dispatch
from bot.commands import Command
from bot.contracts import parse_contract
from bot.core import Core
from bot.format import viewing
from bot.parsing import parse_number
from handlers.slack import blocks, contract_blocks, forms, replies
from handlers.slack.errors import Task, guarded
from handlers.slack.ids import ContractActions, Views
from handlers.slack.notifier import SlackNotifier
from handlers.slack.people import SlackLocales

# Buttons that run a contract command with the contract's number.
BUTTON_COMMANDS = {
    ContractActions.EDIT: "edit",
    ContractActions.RENEW: "renew",
    ContractActions.RENEWED: "renewed",
    ContractActions.CANCEL: "cancel",
}


def register(app: App, core: Core, notifier: SlackNotifier, locales: SlackLocales) -> None:
    settings = core.settings
    service = core.contracts

    @app.view(Views.CONTRACT)
    @guarded
    def contract_submitted(ack: Ack, body: dict, view: dict, work: Task) -> None:
        user = body["user"]["id"]
        locale = locales.known(user)  # never asked of Slack before the ack
        forms.submitted(ack, view, work, lambda form, editing: lambda: save(user, editing, form, locale),
                        validate=lambda form: parse_contract(form, settings.base_currency, locale=locale),
                        metadata=lambda metadata: parse_number(metadata) if metadata else None)

    def save(user: str, editing: int | None, form: dict, locale: str) -> None:
        if editing is not None:
            contract = service.edit(user, editing, form, locale=locale)
            text = f"Saved {contract.name} ({contract.number})."
        else:
            contract = service.add(user, form, locale=locale)
            text = f"Added {contract.name} ({contract.number}); notice deadline {contract.notice_deadline}."
        notifier.send_dm(user, ":white_check_mark: " + blocks.escape(text))

    @app.view(Views.RENEWAL)
    @guarded
    def renewal_submitted(ack: Ack, body: dict, view: dict, work: Task) -> None:
        user = body["user"]["id"]
        locale = locales.known(user)

        def then(form: dict, number: int):
            contract = core.renewals.contract_of(core.requests.get(number))
            if contract is not None:
                core.renewals.parse(contract, form, locale)
            return lambda: fulfil(user, number, form, locale)

        forms.submitted(ack, view, work, then, metadata=parse_number)

    def fulfil(user: str, number: int, form: dict, locale: str) -> None:
        contract = core.renewals.fulfil(user, number, form, locale)
        notifier.send_dm(user, ":white_check_mark: " + blocks.escape(
            dispatch.renewed_text(core.requests.get(number), contract)))

    @app.action(ContractActions.OPEN)
    @guarded
    def open_contract(ack: Ack, body: dict, action: dict, client: WebClient, work: Task) -> None:
        ack()
        command = Command("contract", parse_number(action["value"]), arg="show")

        def show() -> None:
            user = body["user"]["id"]
            reply = dispatch.run(core, user, command)  # what the typed `contract show N` shows them
            assert isinstance(reply, dispatch.ContractShown)
            with viewing(locales(user)):  # amounts as this person writes them
                view = contract_blocks.contract_details_modal(reply.details)
            client.views_open(trigger_id=body["trigger_id"], view=view)

        work.form(show)

    def run_button(ack: Ack, body: dict, action: dict, respond, client: WebClient, work: Task) -> None:
        ack()
        user = body["user"]["id"]
        command = Command("contract", parse_number(action["value"]), arg=BUTTON_COMMANDS[action["action_id"]])

        def run() -> None:
            reply = dispatch.run(core, user, command)
            replies.deliver(reply, user=user, trigger_id=body.get("trigger_id"), respond=respond, client=client,
                            notifier=notifier, settings=settings, locale=locales.cached(user))

        (work.form if dispatch.opens_form(command) else work.later)(run)

    for action_id in BUTTON_COMMANDS:
        app.action(action_id)(guarded(run_button))
