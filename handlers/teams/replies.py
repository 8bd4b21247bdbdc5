"""Shows what a command (typed, or a card button that runs one) came to, in Teams."""

from __future__ import annotations

import logging
from http import HTTPStatus

from microsoft_agents.activity import Activity, AdaptiveCardInvokeResponse, ContentTypes

from bot import dispatch, health
from bot.approvals import ApprovalPending
from bot.core import Core
from bot.errors import DomainError
from bot.stats import summary
from handlers.teams import cards
from handlers.teams.notifier import TeamsNotifier, card_activity

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = "Something went wrong on our side; nothing was changed. Please try again."
NO_CONTRACT_FORM = ("The contract form is not in Teams yet: add contracts from Slack, or import a CSV with "
                    "`tandem import-contracts`. `contracts` and `contract show N` work here.")


def render(core: Core, notifier: TeamsNotifier, user: str, reply: dispatch.Reply, help_: bool = False) -> Activity:
    """The answer to a command, as one message; files go to the user's chat first."""
    name = notifier.name
    if help_:
        return card_activity(cards.help_card(), "Tandem help")
    if isinstance(reply, dispatch.Said):
        return card_activity(cards.said_card(reply.text, name), cards.message_text(reply.text, name))
    if isinstance(reply, (dispatch.Changed, dispatch.ContractChanged)):
        return card_activity(cards.said_card(reply.text, name), cards.message_text(reply.text, name))
    if isinstance(reply, dispatch.Shown):
        linked = core.requests.linked_contract(reply.details.request) if not reply.details.request.redacted else None
        return card_activity(cards.request_details(reply.details, linked, name),
                             cards.card_summary(reply.details.request))
    if isinstance(reply, dispatch.Listed):
        return card_activity(cards.request_list(reply.page, reply.title, name), reply.title)
    if isinstance(reply, dispatch.ContractsListed):
        return card_activity(cards.contract_list(reply.deadlines, reply.days, reply.costs_visible),
                             f"Notice deadlines in the next {reply.days} days")
    if isinstance(reply, dispatch.ContractShown):
        contract = reply.details.contract
        return card_activity(cards.contract_details(reply.details, name), f"{contract.name} ({contract.number})")
    if isinstance(reply, dispatch.OpenForm):
        if reply.form == "need":
            return card_activity(cards.need_form(reply.values, core.settings.base_currency), "New IT need")
        return card_activity(cards.said_card(NO_CONTRACT_FORM), NO_CONTRACT_FORM)
    if isinstance(reply, dispatch.SendFile):
        notifier.send_file(user, reply.filename, reply.content, reply.title)
        return card_activity(cards.said_card(reply.text), reply.text)
    if isinstance(reply, dispatch.StatsShown):
        notifier.send_file(user, reply.filename, reply.chart, "Requests per week and whose court")
        text = "\n\n".join(summary(reply.stats))
        return card_activity(cards.card([cards.heading("Tandem stats"), cards.text(cards.message_text(text, name))]),
                             "Tandem stats")
    if isinstance(reply, dispatch.HealthShown):
        text = "\n\n".join(health.lines(reply.results))
        title = f"Health check · {reply.results.survey.label}"
        return card_activity(cards.card([cards.heading(title), cards.text(cards.message_text(text, name))]), title)
    raise TypeError(f"no Teams rendering for {type(reply).__name__}")


def refusal(error: Exception) -> str:
    """The one error path: what the user is told (domain errors say why; anything else is
    logged with its traceback)."""
    if isinstance(error, ApprovalPending):
        return "⏳ " + error.message
    if isinstance(error, DomainError):
        return "⛔ " + error.message
    log.error("unhandled error in a Teams turn: %r", error, exc_info=error)
    return SOMETHING_WENT_WRONG


def message_response(text: str) -> AdaptiveCardInvokeResponse:
    """An ``Action.Execute`` answer shown to the person who clicked."""
    return AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type=ContentTypes.message, value=text)


def card_response(content: dict) -> AdaptiveCardInvokeResponse:
    """An ``Action.Execute`` answer that replaces the card (a form with its errors)."""
    return AdaptiveCardInvokeResponse(status_code=HTTPStatus.OK, type=ContentTypes.adaptive_card, value=content)
