"""Block Kit for the contract calendar: deadline lists, contract details and the contract form."""

from __future__ import annotations

from decimal import Decimal

from slack_sdk.models.blocks import (
    Block,
)
from slack_sdk.models.views import View

from handlers.slack.kit import ActionsBlock, ButtonElement, ConfirmObject, ContextBlock, DividerBlock, HeaderBlock, SectionBlock

from bot.contracts import Contract, ContractDetails, Deadline, missed_text, seats_text
from bot.permissions import Action, Allowed
from bot.format import day, describe_event, money, when
from bot.format import days_left as format_days_left
from bot.money import DEFAULT_LOCALE, format_amount
from bot.forms import CONTRACT_FORM, RENEWAL_FORM
from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    escape,
    escape_message,
    escape_within,
    mention,
    more,
    mrkdwn,
    plain,
    section_lines,
    status_text,
)
from handlers.slack.form_blocks import form_inputs
from handlers.slack.ids import ContractActions, Views


def days_left(days: int) -> str:
    """Bold while the deadline is close enough to act on."""
    text = format_days_left(days)
    return f"*{text}*" if 0 <= days <= 30 else text


def terms(contract: Contract, costs_visible: bool) -> str:
    parts = [f"auto-renews ({contract.term_months} mo)" if contract.auto_renew else "no auto-renew"]
    if costs_visible:
        parts.append(f"{money(contract.annual_cost, contract.currency)}/yr" if contract.annual_cost is not None
                     else "no annual cost given")
    if contract.seats:
        parts.append(escape(seats_text(contract)) or f"{contract.seats:,} seats")
    return " · ".join(parts)


def owners(contract: Contract) -> str:
    return f"IT {owner(contract.it_owner)} · procurement {owner(contract.procurement_owner)}"


def owner(user: str | None) -> str:
    if not user:
        return "_no owner_"
    return mention(user) if user[:1] in "UW" and "@" not in user else escape(user)


def contract_row(contract: Contract, line: str, button: bool = True) -> SectionBlock:
    text = f"*{escape(contract.vendor)} — {escape(contract.product)}* ({contract.number})\n{line}"
    accessory = ButtonElement(text=plain("Open"), action_id=ContractActions.OPEN, value=str(contract.id)) if button else None
    return SectionBlock(text=mrkdwn(text), accessory=accessory)


def deadline_list(deadlines: list[Deadline], days: int, costs_visible: bool, total: int | None = None) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=plain(f"Notice deadlines in the next {days} days", 150))]
    if not deadlines:
        return blocks + [SectionBlock(text=mrkdwn("No notice deadlines coming up. :sparkles:"))]
    room = MESSAGE_BLOCKS - len(blocks) - 1
    shown = deadlines[:room]
    for item in shown:
        contract = item.contract
        if item.missed:
            line = f":rotating_light: *Missed:* {escape(item.what(costs_visible))}\n{owners(contract)}"
        else:
            line = (f":spiral_calendar_pad: notice by *{day(item.notice_deadline)}* ({days_left(item.days_left)}) · "
                    f"ends {day(contract.end_date)} · {terms(contract, costs_visible)}\n{owners(contract)}")
        blocks.append(contract_row(contract, line))
    return blocks + more(len(shown), max(total or 0, len(deadlines)))


def contract_actions(contract: Contract, allowed: Allowed | None) -> list[ButtonElement]:
    """The contract's buttons: the actions the core allows (``ContractDetails.actions``)."""
    allowed = allowed or Allowed()
    value = str(contract.id)
    buttons = []
    if Action.MANAGE_CONTRACT in allowed:
        buttons.append(ButtonElement(text=plain("Edit"), action_id=ContractActions.EDIT, value=value))
    if Action.START_RENEWAL in allowed:
        buttons.append(ButtonElement(text=plain("Start renewal"), action_id=ContractActions.RENEW, value=value,
                                     style="primary"))
    if Action.MARK_RENEWED in allowed:
        buttons.append(ButtonElement(text=plain("Mark renewed"), action_id=ContractActions.RENEWED, value=value))
    if Action.MARK_CANCELLED in allowed:
        buttons.append(ButtonElement(
            text=plain("Mark cancelled"), action_id=ContractActions.CANCEL, value=value, style="danger",
            confirm=ConfirmObject(title="Mark cancelled?",
                                  # A confirm's text holds 300 characters, counted after escaping.
                                  text=f"Notice is given: {escape_within(contract.name, 200)} runs out "
                                       f"on {day(contract.end_date)} and is not renewed.",
                                  confirm="Mark cancelled", deny="Keep it"),
        ))
    return buttons


def contract_details(item: ContractDetails, with_actions: bool = True, limit: int = MESSAGE_BLOCKS) -> list[Block]:
    contract = item.contract
    left = f" ({days_left(contract.days_left(item.today))})" if contract.status.awaits_decision else ""
    fields = [
        mrkdwn(f"*Status*\n{contract.status.label}"),
        mrkdwn(f"*Notice deadline*\n{day(contract.notice_deadline)}{left}"),
        mrkdwn(f"*Term*\n{day(contract.start_date)} → {day(contract.end_date)}"),
        mrkdwn(f"*Notice period*\n{contract.notice_days} days"),
        mrkdwn(f"*Renewal*\n{terms(contract, item.costs_visible)}"),
        mrkdwn(f"*Owners*\n{owners(contract)}"),
    ]
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"*{escape(contract.vendor)} — {escape(contract.product)}* ({contract.number})"),
                     fields=fields),
    ]
    if contract.notes:
        blocks.append(SectionBlock(text=mrkdwn("*Notes*\n" + escape(contract.notes))))
    buttons = contract_actions(contract, item.actions) if with_actions else []
    if buttons:
        blocks.append(ActionsBlock(block_id=f"contract_{contract.id}", elements=buttons))
    requests = [f"• {r.number} {escape(r.title)} — {status_text(r.status)}" for r in item.requests]
    blocks += section_lines("Linked requests", requests)
    history = [f"• {when(e.at)} {mention(e.actor) if e.actor[:1] in 'UW' else escape(e.actor)} "
               f"{escape_message(describe_event(e))}" for e in item.events]
    blocks += section_lines("History", history)
    if len(blocks) > limit:
        blocks = blocks[: limit - 1] + [ContextBlock(elements=[mrkdwn("…the rest is cut to fit")])]
    return blocks


def _amount_text(value: str | None, locale: str) -> str | None:
    """A stored amount as the person would write it, so the filled-in form reads back the same."""
    return format_amount(Decimal(value), locale) if value else None


def contract_modal(values: dict[str, str] | None = None, contract_id: int | None = None,
                   base_currency: str = "USD", *, locale: str = DEFAULT_LOCALE) -> View:
    values = dict(values or {})
    values["annual_cost"] = _amount_text(values.get("annual_cost"), locale)  # as the person writes amounts
    blocks = form_inputs(CONTRACT_FORM, values, base_currency=base_currency, locale=locale)
    editing = contract_id is not None
    return View(
        type="modal",
        callback_id=Views.CONTRACT,
        private_metadata=str(contract_id) if editing else "",
        title=plain(f"Edit contract {contract_id}" if editing else "New contract", 24),
        submit=plain("Save" if editing else "Add contract", 24),
        close=plain("Cancel", 24),
        blocks=blocks,
    )


def contract_details_modal(item: ContractDetails) -> View:
    return View(type="modal", callback_id=Views.CONTRACT_DETAILS, title=plain(f"Contract {item.contract.id}", 24),
                close=plain("Close", 24), blocks=contract_details(item, with_actions=False, limit=100))


def home_contracts(contracts: list[Contract], today, limit: int = 15) -> list[Block]:
    blocks: list[Block] = [DividerBlock(), SectionBlock(text=mrkdwn(f"*Contracts you own* ({len(contracts)})"))]
    if not contracts:
        return blocks + [ContextBlock(elements=[mrkdwn("Nothing here.")])]
    ordered = sorted(contracts, key=lambda c: (not c.missed(today), c.notice_deadline))
    for contract in ordered[:limit]:
        left = f" ({days_left(contract.days_left(today))})" if contract.status.awaits_decision else ""
        line = f"{contract.status.label} · notice by {day(contract.notice_deadline)}{left}"
        if contract.missed(today):
            line = f":rotating_light: *Missed:* {escape(missed_text(contract, today))}"
        blocks.append(contract_row(contract, line))
    return blocks + more(min(limit, len(ordered)), len(ordered))


def renewal_modal(values: dict[str, str], request_id: int, context: str, base_currency: str,
                  locale: str = DEFAULT_LOCALE) -> View:
    """Fulfilling a renewal request: the contract's new end date and annual cost, filled in
    with the core's defaults (the end date plus the term, the current cost). Cancel changes nothing."""
    return View(
        type="modal",
        callback_id=Views.RENEWAL,
        private_metadata=str(request_id),
        title=plain(f"Fulfil #{request_id}", 24),
        submit=plain("Fulfil and renew", 24),
        close=plain("Cancel", 24),
        blocks=[
            SectionBlock(text=mrkdwn(escape(context))),
            *form_inputs(RENEWAL_FORM, values, base_currency=base_currency, locale=locale),
        ],
    )
