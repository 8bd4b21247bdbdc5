"""Card buttons (``Action.Execute``): the need form, the request card's Claim / Unclaim,
Change status, Add note and Open, approvals, the contract form, and contracts' Open, Edit,
Start renewal, Mark renewed and Mark cancelled (reminders' Snooze and Done: ``reminders``).

Each handler reads the button's data (with the card's inputs merged in), calls one
service in a worker thread and answers the person who clicked; the request's card in the
channel is updated in place by the core, for everyone.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable

from microsoft_agents.activity import Activity, ActivityTypes, AdaptiveCardInvokeResponse, InvokeResponse
from microsoft_agents.hosting.core import RouteRank, TurnContext, TurnState

from bot import dispatch
from bot.clock import today
from bot.commands import Command
from bot.format import viewing
from bot.contracts import FIELDS as CONTRACT_FIELDS, OPTIONAL_COLUMNS
from bot.contracts import OWNER_EMAIL_UNKNOWN, OWNER_NOT_A_PERSON, OWNER_USER_UNKNOWN
from bot.contracts import looks_like_email, parse_contract
from bot.errors import BadInput, Problem
from bot.fanout import preferring
from bot.money import DEFAULT_LOCALE, safe_locale
from bot.people import looks_like_chat_user, typed_user
from bot.requests import parse_note, parse_request
from bot.parsing import parse_number
from handlers.teams import cards, contract_cards, replays, schedule_cards
from handlers.teams.ids import REQUEST_FIELDS, Inputs, Verbs
from handlers.teams.notifier import PLATFORM, card_activity
from handlers.teams.replies import (
    OWNER_FIELDS,
    card_response,
    contract_form_activity,
    message_response,
    owners_as_typed,
    refusal,
    render,
)

# The locale of the activity being handled (set per card action; worker threads inherit it).
LOCALE: contextvars.ContextVar[str] = contextvars.ContextVar("teams_locale", default=DEFAULT_LOCALE)

ALREADY_DONE = replays.ALREADY_DONE
UNKNOWN_BUTTON = "That button is from an older Tandem card and does nothing now. Type help to see what Tandem does."
CARD_ACTION = "adaptiveCard/action"
# Contract buttons that run a ``contract`` command with the contract's number (as in Slack).
CONTRACT_BUTTONS = {
    Verbs.CONTRACT_RENEW: "renew",
    Verbs.CONTRACT_RENEWED: "renewed",
    Verbs.CONTRACT_CANCEL: "cancel",
}


def number(data: dict, key: str) -> int:
    """The request or contract a button names, read like a typed one: a number the card
    did not write (``true``, ``1e30``, ``-1``) is refused with the same words."""
    value = data.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return parse_number(value if isinstance(value, str) else "" if value is None else str(value))


def register(bot) -> None:
    core, notifier, directory = bot.core, bot.notifier, bot.directory
    settings = core.settings

    def on(verb: Verbs):
        """Registers ``work(actor, data) -> response`` for ``verb``, run in a worker thread
        with errors answered through the one error path."""

        def register_work(work: Callable[[str, dict], AdaptiveCardInvokeResponse]):
            @bot.agent.adaptive_card.action_execute(str(verb))
            async def handler(context: TurnContext, state: TurnState, data: dict) -> AdaptiveCardInvokeResponse:
                if not await replays.first_time(core.replays, context):
                    return message_response(ALREADY_DONE)
                try:
                    actor = await directory.actor(context)
                    # How this person writes amounts: Teams sends the client's locale with each activity.
                    LOCALE.set(safe_locale(getattr(context.activity, "locale", None), settings.locale))

                    def call():
                        with preferring(core.notifier, PLATFORM):
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
        form = {name: "" if data.get(name) is None else str(data[name]) for name in REQUEST_FIELDS}
        try:
            parse_request(form, today(core.clock, settings.tz), settings.base_currency, LOCALE.get())
        except BadInput as error:
            return card_response(cards.request_form(form, settings.base_currency, error.errors or {"title": error.message}))
        request = core.requests.create(actor, form, locale=LOCALE.get())
        if PLATFORM not in core.cards.of(request.id):
            return message_response(f"Your need {request.number} {request.title} is saved, but its card could not be "
                                    f"posted in the channel yet; it will be posted with the next change.")
        return message_response(f"Your need {request.number} {request.title} is posted in the channel. "
                                f"Procurement will pick it up there.")

    @on(Verbs.NEED_EDIT)
    def need_edit(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        request_id = number(data, "request")
        form = {name: form_text(data.get(name)) for name in REQUEST_FIELDS}
        try:
            parse_request(form, today(core.clock, settings.tz), settings.base_currency, LOCALE.get())
        except BadInput as error:
            return card_response(cards.request_form(form, settings.base_currency, error.errors or {"title": error.message},
                                                    request_id=request_id))
        request = core.requests.edit(actor, request_id, form, locale=LOCALE.get())
        return message_response(f"Your changes to {request.number} {request.title} are saved; its card is updated.")

    @on(Verbs.EDIT)
    def edit(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        request_id = number(data, "request")
        values = core.requests.edit_form(actor, request_id, cards.NUMBERS)  # refused unless the core allows it
        # By DM, like Open: the form holds the need's details, for the people who may edit it.
        notifier.send_activity_to(actor, card_activity(cards.request_form(values, settings.base_currency,
                                                                          request_id=request_id),
                                                       f"Edit #{request_id}"))
        return message_response(f"The form to edit #{request_id} is in your chat with Tandem.")

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
        command = Command("status", number(data, "request"), arg=chosen.lower())
        reply = dispatch.run(core, actor, command, locale=cards.NUMBERS)
        if isinstance(reply, dispatch.OpenForm):  # a renewal asks for its contract's new term, in private
            notifier.send_activity_to(actor, render(core, notifier, actor, reply))
            return message_response(f"#{command.number} renews a contract: the form for its new end date and cost "
                                    f"is in your chat with Tandem.")
        return message_response(cards.message_text(reply.text, notifier.name))

    @on(Verbs.RENEWAL)
    def renewal(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        request_id = number(data, "request")
        form = {name: form_text(data.get(name)) for name in ("end_date", "annual_cost", "currency")}
        contract = core.renewals.contract_of(core.requests.get(request_id))
        if contract is not None:
            try:
                core.renewals.parse(contract, form, LOCALE.get())
            except BadInput as error:
                shown = core.renewals.form(actor, request_id, cards.NUMBERS)
                return card_response(contract_cards.renewal_form(form, request_id, dispatch.renewal_context(shown),
                                                        error.errors or {"end_date": error.message},
                                                        settings.base_currency))
        contract = core.renewals.fulfil(actor, request_id, form, LOCALE.get())
        return message_response(dispatch.renewed_text(core.requests.get(request_id), contract))

    @on(Verbs.NOTE)
    def note(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        return said(actor, Command("note", number(data, "request"), arg=parse_note(data)))

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
        reply = dispatch.run(core, actor, Command("show", number(data, "request")))  # as typed `show N`
        assert isinstance(reply, dispatch.Shown)
        details = reply.details
        linked = None if details.request.redacted else core.contracts.linked(details.request)
        # By DM: what one person may see of a confidential request never lands in the channel.
        with viewing(LOCALE.get()):  # amounts as the person's Teams client writes them
            shown = card_activity(cards.request_details(details, linked, notifier.name),
                                  cards.card_summary(details.request))
        notifier.send_activity_to(actor, shown)
        return message_response(f"The details of {details.request.number} are in your chat with Tandem.")

    @on(Verbs.CONTRACT_OPEN)
    def open_contract(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        reply = dispatch.run(core, actor, Command("contract", number(data, "contract"), arg="show"))
        assert isinstance(reply, dispatch.ContractShown)
        details = reply.details
        contract = details.contract
        with viewing(LOCALE.get()):
            shown = card_activity(contract_cards.contract_details(details, notifier.name), f"{contract.name} ({contract.number})")
        notifier.send_activity_to(actor, shown)
        return message_response(f"The details of {contract.name} are in your chat with Tandem.")

    @on(Verbs.CONTRACT_SAVE)
    def save_contract(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        contract_id = number(data, "contract") if data.get("contract") not in (None, "") else None
        # Who may comes first, so a refusal is not answered with a list of fields to fix.
        if contract_id is None:
            core.contracts.check_can_add(actor)
        else:
            core.contracts.edit_form(actor, contract_id)
        # A column the card did not carry (a card sent before it had the field) keeps what is stored.
        form = {name: form_text(data.get(name)) for name in CONTRACT_FIELDS
                if name in data or name not in OPTIONAL_COLUMNS}

        def again(errors: dict[str, str]) -> AdaptiveCardInvokeResponse:
            return card_response(contract_cards.contract_form(form, contract_id, settings.base_currency, errors))

        typed, errors = owners_to_save(core, form)
        try:
            parse_contract({**typed, **{name: "" for name in errors}}, settings.base_currency, locale=LOCALE.get())
        except BadInput as error:
            errors = {**(error.errors or {"form": error.message}), **errors}
        if errors:
            return again(errors)
        try:
            if contract_id is None:
                contract = core.contracts.add(actor, typed, locale=LOCALE.get())
                return message_response(f"Added {contract.name} ({contract.number}); notice deadline "
                                        f"{contract.notice_deadline}.")
            contract = core.contracts.edit(actor, contract_id, typed, locale=LOCALE.get())
        except BadInput as error:  # an owner nobody has, or a vendor and product already under contract
            return again({name: owner_message(error.field_problems.get(name), text) for name, text in
                          (error.errors or {"form": error.message}).items()})
        return message_response(f"Saved {contract.name} ({contract.number}).")

    @on(Verbs.CONTRACT_EDIT)
    def edit_contract(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        reply = dispatch.run(core, actor, Command("contract", number(data, "contract"), arg="edit"))
        # By DM, like Open: the form holds the contract's cost, for the people who may change it.
        notifier.send_activity_to(actor, contract_form_activity(core, reply.values, reply.subject_id))
        return message_response(f"The form to edit contract {reply.subject_id} is in your chat with Tandem.")

    @on(Verbs.BRIEFING)
    def briefing_button(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        """A briefing's button (the sourcing map check's Confirm and Change), for whoever clicked."""
        reply = dispatch.run(core, actor, dispatch.button(str(data.get("command") or "")))
        if isinstance(reply, dispatch.OpenForm):  # Change: the form takes the check's place in the chat
            return card_response(schedule_cards.sourcing_form(reply.values))
        return message_response(cards.message_text(reply.text, notifier.name))

    @on(Verbs.SOURCING)
    def save_sourcing(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
        form = {name: form_text(data.get(name)) for name in core.sourcing.change_form(actor)}  # refused unless allowed
        try:
            core.sourcing.parse_form(form)
        except BadInput as error:
            return card_response(schedule_cards.sourcing_form(form, error.errors))
        return message_response(core.sourcing.apply(actor, form).text())

    def contract_button(verb: Verbs, action: str) -> None:
        @on(verb)
        def run(actor: str, data: dict) -> AdaptiveCardInvokeResponse:
            return said(actor, Command("contract", number(data, "contract"), arg=action))

    for verb, action in CONTRACT_BUTTONS.items():
        contract_button(verb, action)

    @bot.agent.activity(ActivityTypes.invoke, rank=RouteRank.LAST)
    async def other_invoke(context: TurnContext, state: TurnState) -> None:
        """Any invoke no handler took (a verb from an older card, a feature Tandem does not
        offer): a 200, with a short message for a card button, never the SDK's 501."""
        body = None
        if context.activity.name == CARD_ACTION:
            body = message_response(UNKNOWN_BUTTON).model_dump(mode="json", by_alias=True, exclude_none=True)
        await context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                             value=InvokeResponse(status=200, body=body)))


def form_text(value) -> str:
    """A submitted input as the plain string the forms are parsed from."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


OWNER_HINT = "use " + cards.OWNER_HINT


def owners_to_save(core, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The form with owners given by a Teams ID as their e-mail address (what the contract
    service resolves), and an error for each owner that names nobody."""
    typed, errors = dict(form), {}
    typed.update(owners_as_typed(core, {name: form[name].strip().removeprefix("@") for name in OWNER_FIELDS}))
    for name in OWNER_FIELDS:
        value = typed[name]
        if not value or looks_like_email(value) or typed_user(value):
            continue
        if looks_like_chat_user(value):
            errors[name] = (f"Tandem does not know the e-mail address of {value[:40]}: give the owner's e-mail "
                            f"address instead.")
        else:
            errors[name] = f"Unknown owner {value[:40]!r}: {OWNER_HINT}."
    return typed, errors


def owner_message(problem: Problem | None, message: str) -> str:
    """The contract service's word for an owner it could not find, worded from its ``Problem``
    code without naming one platform."""
    if problem is not None and problem.code == OWNER_EMAIL_UNKNOWN:
        return f"Unknown owner: nobody Tandem knows has the e-mail address {problem.params['email']}."
    if problem is not None and problem.code in (OWNER_USER_UNKNOWN, OWNER_NOT_A_PERSON):
        owner = problem.params.get("user") or problem.params.get("owner") or ""
        return f"Unknown owner {owner[:40]!r}: {OWNER_HINT}."
    return message
