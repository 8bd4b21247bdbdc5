"""Adaptive Cards for the contract calendar: deadline lists, contract details, the contract form
and the renewal form (fulfilling a renewal request)."""

from __future__ import annotations

from bot.contracts import Contract, ContractDetails, Deadline, seats_text
from bot.format import day, describe_event, money, when
from bot.forms import CONTRACT_FORM, RENEWAL_FORM
from bot.permissions import Action, Allowed
from handlers.teams.cards import (
    LIST_ROWS,
    Names,
    card,
    days,
    escape,
    execute,
    facts,
    form_inputs,
    heading,
    message_markdown,
    more,
    plain_names,
    request_row,
    text,
)
from handlers.teams.ids import Verbs


# --- deadlines and contracts ---------------------------------------------------------------------


def days_left(count: int) -> str:
    if count == 0:
        return "today"
    return f"{days(count)} left" if count > 0 else f"passed {days(-count)} ago"


def contract_terms(contract, costs_visible: bool) -> str:
    parts = [f"auto-renews ({contract.term_months} mo)" if contract.auto_renew else "does not auto-renew"]
    if costs_visible and contract.annual_cost is not None:
        parts.append(f"{money(contract.annual_cost, contract.currency)}/yr")
    if contract.seats:
        parts.append(seats_text(contract) or f"{contract.seats} seats")
    return " · ".join(parts)


def deadline_row(deadline: Deadline, costs_visible: bool) -> dict:
    contract = deadline.contract
    return {"type": "ColumnSet", "columns": [
        {"type": "Column", "width": "stretch", "items": [
            text(f"**Missed:** **{escape(contract.name)}** ({contract.number}) — {escape(deadline.what(costs_visible))}"
                 if deadline.missed else
                 f"**{escape(contract.name)}** ({contract.number}) — notice by {day(deadline.notice_deadline)}, "
                 f"**{days_left(deadline.days_left)}**"),
            text(contract_terms(contract, costs_visible), isSubtle=True, spacing="None")]},
        {"type": "Column", "width": "auto", "verticalContentAlignment": "Center",
         "items": [{"type": "ActionSet", "actions": [execute("Open", Verbs.CONTRACT_OPEN, contract=contract.id)]}]},
    ]}


def contract_list(deadlines: list[Deadline], days_ahead: int, costs_visible: bool, total: int | None = None) -> dict:
    total = max(total or 0, len(deadlines))
    body = [heading(f"Notice deadlines in the next {days_ahead} days ({total})")]
    if not deadlines:
        body.append(text("No notice deadlines coming up."))
    body += [deadline_row(deadline, costs_visible) for deadline in deadlines[:LIST_ROWS]]
    body += more(min(len(deadlines), LIST_ROWS), total)
    return card(body)


def contract_details(item: ContractDetails, names: Names = plain_names) -> dict:
    contract = item.contract
    pairs = [
        ("Status", contract.status.value),
        ("Notice deadline", f"{day(contract.notice_deadline)} ({days_left(contract.days_left(item.today))})"),
        ("Term", f"{day(contract.start_date)} to {day(contract.end_date)}, notice {days(contract.notice_days)}"),
        ("Renewal", contract_terms(contract, item.costs_visible)),
        ("IT owner", escape(names(contract.it_owner)) if contract.it_owner else "—"),
        ("Procurement owner", escape(names(contract.procurement_owner)) if contract.procurement_owner else "—"),
    ]
    if contract.notes:
        pairs.append(("Notes", escape(contract.notes)))
    body = [heading(f"{escape(contract.name)} ({contract.number})"), facts(pairs)]
    if item.requests:
        body.append(text("**Requests**"))
        body += [request_row(request, names) for request in item.requests[:LIST_ROWS]]
    if item.events:
        body.append(text("**History**"))
        body += [text(f"{when(e.at)} {escape(names(e.actor))} {message_markdown(describe_event(e), names)}")
                 for e in item.events[-LIST_ROWS:]]
    return card(body, contract_actions(contract, item.actions))


def contract_actions(contract: Contract, allowed: Allowed | None = None) -> list[dict]:
    """Edit, and the renewal decisions, as the core allows them (``ContractDetails.actions``)."""
    allowed = allowed or Allowed()
    number = contract.id
    actions = []
    if Action.MANAGE_CONTRACT in allowed:
        actions.append(execute("Edit", Verbs.CONTRACT_EDIT, contract=number))
    if Action.START_RENEWAL in allowed:
        actions.append({**execute("Start renewal", Verbs.CONTRACT_RENEW, contract=number), "style": "positive"})
    if Action.MARK_RENEWED in allowed:
        actions.append(execute("Mark renewed", Verbs.CONTRACT_RENEWED, contract=number))
    if Action.MARK_CANCELLED in allowed:
        # Adaptive Cards have no confirm dialog: the button opens a small card that asks first.
        confirm = card([text(f"Notice is given: {escape(contract.name)} runs out on {day(contract.end_date)} "
                             f"and is not renewed.")],
                       [{**execute("Mark cancelled", Verbs.CONTRACT_CANCEL, contract=number),
                         "style": "destructive"}])
        del confirm["$schema"], confirm["version"]
        actions.append({"type": "Action.ShowCard", "title": "Mark cancelled", "card": confirm})
    return actions


# --- the contract form and the renewal form ---------------------------------------------------


def contract_form(values: dict[str, str] | None = None, contract_id: int | None = None,
                  base_currency: str = "USD", errors: dict[str, str] | None = None) -> dict:
    """The contract form: empty to add one, filled in (and carrying the contract's ID) to edit;
    ``errors`` (field → message) shows what to fix."""
    errors = errors or {}
    editing = contract_id is not None
    body = [heading(f"Edit contract {contract_id}" if editing else "New contract")]
    if errors:  # the messages may quote what was typed
        body.append(text("Please fix: " + escape(" ".join(errors.values())), color="Attention"))
    body += form_inputs(CONTRACT_FORM, values, errors, base_currency)
    data = {"contract": contract_id} if editing else {}
    return card(body, [execute("Save" if editing else "Add contract", Verbs.CONTRACT_SAVE, **data)])


def renewal_form(values: dict[str, str], request_id: int, context: str, errors: dict[str, str] | None = None,
                 base_currency: str = "USD") -> dict:
    """Fulfilling a renewal request: the contract's new end date and annual cost, filled in with
    the core's defaults (read back in ``NUMBERS``); ``errors`` (field → message) shows what to fix."""
    errors = errors or {}
    body = [heading(f"Fulfil #{request_id}"), text(escape(context))]
    if errors:
        body.append(text("Please fix: " + escape(" ".join(errors.values())), color="Attention"))
    body += form_inputs(RENEWAL_FORM, values, errors, base_currency, numbers=True)
    return card(body, [execute("Fulfil and renew", Verbs.RENEWAL, request=request_id)])
