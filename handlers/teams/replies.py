"""Shows what a command (typed, or a card button that runs one) came to, in Teams."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import assert_never

from microsoft_agents.activity import Activity, AdaptiveCardInvokeResponse, ContentTypes

from bot import dispatch, health
from bot.approvals import ApprovalPending
from bot.core import Core
from bot.errors import DomainError
from bot.people import looks_like_chat_user, typed_user
from bot.stats import summary
from handlers.teams import cards, contract_cards, schedule_cards
from handlers.teams.notifier import TeamsNotifier, card_activity

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = "Something went wrong on our side; nothing was changed. Please try again."
OWNER_FIELDS = ("it_owner", "procurement_owner")
SEND_THE_FILE = ("Send the contracts file (.csv or .xlsx) to Tandem in your personal chat, as a message with the file "
                 "attached; Tandem imports it and answers with what it added.")


def render(core: Core, notifier: TeamsNotifier, user: str, reply: dispatch.Reply, help_: bool = False) -> Activity:
    """The answer to a command, as one message; files go to the user's chat first."""
    name = notifier.name
    if help_:
        return card_activity(cards.help_card(), "Tandem help")
    match reply:
        case dispatch.Said() | dispatch.Changed() | dispatch.ContractChanged():
            return card_activity(cards.said_card(reply.text, name), cards.message_text(reply.text, name))
        case dispatch.Told():
            return card_activity(cards.card([cards.text(schedule_cards.briefing_line(reply.text, name))]),
                                 cards.message_text(reply.text, name))
        case dispatch.BriefingShown():
            if reply.briefing.chart:
                notifier.send_file(user, "tandem-scorecard.png", reply.briefing.chart, reply.briefing.title)
            return card_activity(schedule_cards.briefing_card(reply.briefing, name), reply.briefing.title)
        case dispatch.Shown():
            linked = core.contracts.linked(reply.details.request) if not reply.details.request.redacted else None
            return card_activity(cards.request_details(reply.details, linked, name),
                                 cards.card_summary(reply.details.request))
        case dispatch.Listed():
            return card_activity(cards.request_list(reply.page, reply.title, name), reply.title)
        case dispatch.ContractsListed():
            return card_activity(contract_cards.contract_list(reply.deadlines, reply.days, reply.costs_visible, reply.total),
                                 f"Notice deadlines in the next {reply.days} days")
        case dispatch.ContractShown():
            contract = reply.details.contract
            return card_activity(contract_cards.contract_details(reply.details, name), f"{contract.name} ({contract.number})")
        case dispatch.OpenForm():
            return form_activity(core, reply)
        case dispatch.SendFile():
            notifier.send_file(user, reply.filename, reply.content, reply.title)
            return card_activity(cards.said_card(reply.text), reply.text)
        case dispatch.StatsShown():
            notifier.send_file(user, reply.filename, reply.chart, "Requests per week and whose court")
            text = "\n\n".join(summary(reply.stats))
            return card_activity(cards.card([cards.heading("Tandem stats"),
                                             cards.text(cards.message_markdown(text, name))]), "Tandem stats")
        case dispatch.HealthShown():
            text = "\n\n".join(health.lines(reply.results))
            title = f"Health check · {reply.results.survey.label}"
            return card_activity(cards.card([cards.heading(title), cards.text(cards.message_markdown(text, name))]),
                                 title)
        case _:
            assert_never(reply)


def form_activity(core: Core, reply: dispatch.OpenForm) -> Activity:
    if reply.form == "contract_import":  # Teams has no file input on a card: the file is sent in the chat
        return card_activity(cards.said_card(SEND_THE_FILE), SEND_THE_FILE)
    if reply.form == "renewal":
        return card_activity(contract_cards.renewal_form(reply.values or {}, reply.subject_id, reply.context,
                                                               base_currency=core.settings.base_currency),
                             f"Fulfil #{reply.subject_id}")
    if reply.form == "sourcing":
        return card_activity(schedule_cards.sourcing_form(reply.values), "Sourcing map")
    if reply.form == "need":
        title = "New IT need" if reply.subject_id is None else f"Edit #{reply.subject_id}"
        return card_activity(cards.request_form(reply.values, core.settings.base_currency,
                                                request_id=reply.subject_id), title)
    if reply.form == "contract":
        return contract_form_activity(core, reply.values, reply.subject_id)
    raise LookupError(f"Teams has no form {reply.form!r}")


def contract_form_activity(core: Core, values: dict[str, str] | None, contract_id: int | None) -> Activity:
    form = contract_cards.contract_form(owners_as_typed(core, values), contract_id, core.settings.base_currency)
    return card_activity(form, f"Edit contract {contract_id}" if contract_id is not None else "New contract")


def owners_as_typed(core: Core, values: dict[str, str] | None) -> dict[str, str]:
    """A contract's values for its form, with owners known by a Teams ID shown by their
    e-mail address (what the form accepts, and what people recognise)."""
    values = dict(values or {})
    people = core.people
    for name in OWNER_FIELDS:
        owner = values.get(name) or ""
        if looks_like_chat_user(owner) and not typed_user(owner):
            persons = {owner} | people.persons(owner)  # a person, or one of their Teams IDs
            email = next((a.email for person in sorted(persons) for a in people.accounts(person) if a.email), None)
            values[name] = email or owner
    return values


def refusal(error: Exception) -> str:
    """The one error path: what the user is told (domain errors say why; anything else is
    logged with its traceback)."""
    if isinstance(error, ApprovalPending):
        return "⏳ " + cards.message_text(error.message)
    if isinstance(error, DomainError):
        return "⛔ " + cards.message_text(error.message)
    log.error("unhandled error in a Teams turn: %r", error, exc_info=error)
    return SOMETHING_WENT_WRONG


def message_response(text: str) -> AdaptiveCardInvokeResponse:
    """An ``Action.Execute`` answer shown to the person who clicked."""
    return AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type=ContentTypes.message, value=text)


def card_response(content: dict) -> AdaptiveCardInvokeResponse:
    """An ``Action.Execute`` answer that replaces the card (a form with its errors)."""
    return AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type=ContentTypes.adaptive_card, value=content)
