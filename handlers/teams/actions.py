"""Card buttons (``Action.Execute``): the need form, the request card's Claim / Unclaim,
Change status, Add note and Open, approvals, contracts' Open, and reminders' Snooze and Done.

Each handler reads the button's data (with the card's inputs merged in), calls one
service in a worker thread and answers the person who clicked; the request's card in the
channel is updated in place by the core, for everyone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from microsoft_agents.activity import AdaptiveCardInvokeResponse
from microsoft_agents.hosting.core import TurnContext, TurnState

from bot import dispatch
from bot.clock import today
from bot.commands import Command
from bot.errors import BadInput, NotFound
from bot.fanout import preferring
from bot.reminders import until_text
from bot.requests import parse_need, parse_number
from handlers.teams import cards
from handlers.teams.ids import NEED_FIELDS, Inputs, Verbs
from handlers.teams.notifier import PLATFORM, card_activity
from handlers.teams.replies import card_response, message_response, refusal

DONE_TEXT = "Done — no more reminders about this for you."


def number(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, int):
        return value
    return parse_number(str(value or ""))


def register(bot) -> None:
    core, notifier, directory = bot.core, bot.notifier, bot.directory
    settings = core.settings

    def on(verb: Verbs):
        """Registers ``work(actor, data) -> response`` for ``verb``, run in a worker thread
        with errors answered through the one error path."""

        def register_work(work: Callable[[str, dict], AdaptiveCardInvokeResponse]):
            @bot.agent.adaptive_card.action_execute(str(verb))
            async def handler(context: TurnContext, state: TurnState, data: dict) -> AdaptiveCardInvokeResponse:
                try:
                    actor = await directory.actor(context)

                    def call():
                        with preferring(core.requests.notifier, PLATFORM):
                            return work(actor, dict(data or {}))

                    return await asyncio.to_thread(call)
                except Exception as error:  # the one error path
                    return message_response(refusal(error))

            return work

        return register_work

    def said(actor: str, command: Command) -> AdaptiveCardInvokeResponse:
        reply = dispatch.run(core, actor, command)
        return message_response(cards.message_text(reply.text, notifier.name))

    @on(Verbs.NEED)
    def need(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        form = {name: "" if data.get(name) is None else str(data[name]) for name in NEED_FIELDS}
        try:
            parse_need(form, today(core.clock, settings.tz), settings.base_currency)
        except BadInput as error:
            return card_response(cards.need_form(form, settings.base_currency, error.errors or {"title": error.message}))
        request = core.requests.create(actor, form)
        if request.card_ts is None:
            return message_response(f"Your need {request.number} {request.title} is saved, but its card could not be "
                                    f"posted in the channel yet; it will be posted with the next change.")
        return message_response(f"Your need {request.number} {request.title} is posted in the channel. "
                                f"Procurement will pick it up there.")

    @on(Verbs.CLAIM)
    def claim(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        return said(actor, Command("claim", number(data, "request")))

    @on(Verbs.UNCLAIM)
    def unclaim(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        return said(actor, Command("unclaim", number(data, "request")))

    @on(Verbs.STATUS)
    def status(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        chosen = str(data.get(Inputs.STATUS) or "").strip()
        if not chosen:
            raise BadInput("Choose the next status in the menu first.")
        return said(actor, Command("status", number(data, "request"), arg=chosen))

    @on(Verbs.NOTE)
    def note(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        text = str(data.get(Inputs.NOTE) or "").strip()
        if not text:
            raise BadInput("Write the note in the box first.")
        return said(actor, Command("note", number(data, "request"), arg=text))

    @on(Verbs.APPROVE)
    def approve(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        return said(actor, Command("approve", number(data, "request")))

    @on(Verbs.REJECT)
    def reject(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        reason = str(data.get(Inputs.REASON) or "").strip()
        if not reason:
            raise BadInput("Write the reason for rejecting in the box first.")
        return said(actor, Command("reject", number(data, "request"), arg=reason))

    @on(Verbs.OPEN)
    def open_request(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        details = core.requests.show(actor, number(data, "request"))
        linked = None if details.request.redacted else core.requests.linked_contract(details.request)
        # By DM: what one person may see of a confidential request never lands in the channel.
        notifier.send_activity_to(actor, card_activity(cards.request_details(details, linked, notifier.name),
                                                       cards.card_summary(details.request)))
        return message_response(f"The details of {details.request.number} are in your chat with Tandem.")

    @on(Verbs.CONTRACT_OPEN)
    def open_contract(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        details = core.contracts.show(actor, number(data, "contract"))
        contract = details.contract
        notifier.send_activity_to(actor, card_activity(cards.contract_details(details, notifier.name),
                                                       f"{contract.name} ({contract.number})"))
        return message_response(f"The details of {contract.name} are in your chat with Tandem.")

    @on(Verbs.SNOOZE)
    def snooze(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        until = core.rhythm.snooze(actor, reminder_id(data))
        return message_response(f"Snoozed — I'll remind you again on {until_text(until, settings.tz)}.")

    @on(Verbs.DONE)
    def done(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        core.rhythm.done(actor, reminder_id(data))
        return message_response(DONE_TEXT)


def reminder_id(data: dict) -> int:
    value = str(data.get("reminder", ""))
    if not value.isdigit():
        raise NotFound("That reminder no longer exists.")
    return int(value)
