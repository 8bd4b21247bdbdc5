"""Readable text for the local shell: what the bot would post, without Slack."""

from __future__ import annotations


from bot import markup
from bot.contracts import Contract, ContractDetails, Deadline, seats_text
from bot.format import day, days_left, describe_event, filed_line, money, summary, when
from bot.notifier import LinkedContract
from bot.options import together_facts
from bot.permissions import Action, Allowed
from bot.requests import Note, Request, RequestDetails
from bot.request_service import Page

def mentions(text: str, names: dict[str, str]) -> str:
    """One of the core's messages with the people it names (``markup.mention``) as ``@name``."""
    return markup.render(text, lambda user: "@" + names.get(user, user))


def note_words(note: Note, names: dict[str, str]) -> str:
    """A note from chat in words: @name, #channel, label (url)."""
    return markup.plain(note.parts, lambda user: names.get(user, user)) if note.parts else note.text


def person(user: str | None, names: dict[str, str]) -> str:
    if not user:
        return "nobody"
    return "@" + names.get(user, user)


def card(request: Request, names: dict[str, str], linked: LinkedContract | None = None) -> str:
    names_of = lambda user: person(user, names)  # noqa: E731
    owner = f"claimed by {person(request.owner, names)}" if request.owner else "unclaimed"
    if request.redacted:
        return "\n".join([
            f"┌ {request.number} 🔒 {request.title} — {request.status.label}",
            f"│ {request.category.value} · {owner}",
            "│ details, justification and cost: only the requester, procurement and admins",
            *[f"│ {label[0].lower()}{label[1:]}: {value}" for label, value in together_facts(request.together, names_of)],
            "└ " + " ".join(f"[{label}]" for label in card_actions(request)),
        ])
    lines = [
        f"┌ {request.number} {request.title} — {request.status.label}",
        f"│ {summary(request)}",
        f"│ requested by {person(request.requester, names)} · {owner}",
    ]
    filed = filed_line(request, names_of)
    if filed:
        lines.append(f"│ {filed[0].lower()}{filed[1:]}")
    if request.preferred_vendor:
        lines.append(f"│ preferred vendor: {request.preferred_vendor}")
    if request.details:
        lines.append(f"│ why: {request.details}")
    if linked:
        lines.append(f"│ under contract: {linked_line(linked)}")
    if request.approval:
        lines.append(f"│ approval: {approval_line(request.approval, names)}")
    lines += [f"│ {label[0].lower()}{label[1:]}: {value}" for label, value in together_facts(request.together, names_of)]
    lines.append("└ " + " ".join(f"[{label}]" for label in card_actions(request)))
    return "\n".join(lines)


def approval_line(approval, names: dict[str, str]) -> str:
    state = {"needed": "needed before approved", "open": "waiting for the approvers", "approved": "approved",
             "rejected": "rejected"}[approval.state]
    text = f"{state} ({approval.why})" if approval.state in ("needed", "open") else state
    for decision in approval.decisions:
        verb = "approved" if decision.approved else "rejected"
        text += f"; {person(decision.approver, names)} {verb}" + (f": {decision.reason}" if decision.reason else "")
    return text


def linked_line(linked: LinkedContract) -> str:
    if linked.days_left >= 0:
        left = f"{linked.days_left} days left"
    else:
        left = f"passed {-linked.days_left} days ago"
    renew = "auto-renews" if linked.auto_renew else "does not auto-renew"
    return (f"{linked.vendor} {linked.product} (contract {linked.id}), notice deadline {day(linked.notice_deadline)}"
            f" ({left}), ends {day(linked.end_date)}, {renew}")


def card_actions(request: Request) -> list[str]:
    """The buttons the core allows where the card is shown (``Request.actions``)."""
    allowed = request.actions or Allowed()
    actions = []
    if Action.UNCLAIM in allowed:
        actions.append("Unclaim")
    if Action.CLAIM in allowed:
        actions.append("Claim")
    if Action.CHANGE_STATUS in allowed and allowed.statuses:
        actions.append("Change status: " + "/".join(s.value for s in allowed.statuses))
    if Action.COMMENT in allowed:
        actions.append("Add note")
    if Action.VIEW in allowed and request.redacted:
        actions.append("Open")
    return actions


def request_list(page: Page, title: str, names: dict[str, str]) -> str:
    if not page.items:
        return f"{title}: nothing here."
    lines = [f"{title} ({page.total}):"]
    for request in page.items:
        owner = person(request.owner, names) if request.owner else "unclaimed"
        lines.append(f"  {request.number:>5}  {request.status.value:<11} {request.title}  ({request.category.value}, {owner})")
    if page.total > len(page.items):
        lines.append(f"  …and {page.total - len(page.items)} more")
    return "\n".join(lines)


def details(item: RequestDetails, names: dict[str, str]) -> str:
    request = item.request
    lines = [card(request, names)]
    lines.append(f"  created {when(request.created_at)} · updated {when(request.updated_at)}"
                 f" · needed by {day(request.needed_by)}")
    if item.notes:
        lines.append("  Comments:")
        lines += [f"    {when(c.at)} {person(c.author, names)}: {note_words(c, names)}" for c in item.notes]
    lines.append("  History:")
    lines += [f"    {when(e.at)} {person(e.actor, names)} {mentions(describe_event(e), names)}" for e in item.events]
    return "\n".join(lines)


# --- contracts -----------------------------------------------------------------------------


def contract_terms(contract: Contract, costs_visible: bool = True) -> str:
    """Auto-renewal, cost and seats in one line."""
    parts = [f"auto-renews for {contract.term_months} months" if contract.auto_renew else "does not auto-renew"]
    if costs_visible:
        parts.append(f"{money(contract.annual_cost, contract.currency)} a year" if contract.annual_cost is not None
                     else "no annual cost given")
    if contract.seats:
        parts.append(seats_text(contract) or f"{contract.seats:,} seats")
    return " · ".join(parts)


def owners(contract: Contract, names: dict[str, str]) -> str:
    return (f"IT owner {person(contract.it_owner, names)} · "
            f"procurement owner {person(contract.procurement_owner, names)}")


def contract_list(deadlines: list[Deadline], days: int, names: dict[str, str], costs_visible: bool = True,
                  total: int | None = None) -> str:
    if not deadlines:
        return f"No notice deadlines in the next {days} days."
    total = max(total or 0, len(deadlines))
    lines = [f"Notice deadlines in the next {days} days ({total}):"]
    for item in deadlines:
        contract = item.contract
        if item.missed:
            lines.append(f"  MISSED  {contract.name}  (contract {contract.id}, {contract.status.value}): "
                         f"{item.what(costs_visible)}")
        else:
            lines.append(f"  {day(item.notice_deadline)}  {days_left(item.days_left):<13} {contract.name}"
                         f"  (contract {contract.id}, {contract.status.value})")
        lines.append(f"      ends {day(contract.end_date)} · {contract_terms(contract, costs_visible)}")
        lines.append(f"      {owners(contract, names)}")
    if total > len(deadlines):
        lines.append(f"  …and {total - len(deadlines)} more")
    return "\n".join(lines)


CONTRACT_BUTTONS = ((Action.MANAGE_CONTRACT, "Edit"), (Action.START_RENEWAL, "Start renewal"),
                    (Action.MARK_RENEWED, "Mark renewed"), (Action.MARK_CANCELLED, "Mark cancelled"))


def contract_actions(item: ContractDetails) -> list[str]:
    """The contract's buttons the core allows (``ContractDetails.actions``)."""
    allowed = item.actions or Allowed()
    return [label for action, label in CONTRACT_BUTTONS if action in allowed]


def contract_details(item: ContractDetails, names: dict[str, str]) -> str:
    contract = item.contract
    left = f" ({days_left(contract.days_left(item.today))})" if contract.status.awaits_decision else ""
    start = f"{day(contract.start_date)} → " if contract.start_date else "ends "
    lines = [
        f"┌ Contract {contract.id}: {contract.vendor} — {contract.product} · {contract.status.label}",
        f"│ {start}{day(contract.end_date)} · notice {contract.notice_days} days · "
        f"notice deadline {day(contract.notice_deadline)}{left}",
        f"│ {contract_terms(contract, item.costs_visible)}",
        f"│ {owners(contract, names)}",
    ]
    if contract.notes:
        lines.append(f"│ notes: {contract.notes}")
    lines.append("└ " + " ".join(f"[{label}]" for label in contract_actions(item)))
    if item.requests:
        lines.append("  Linked requests:")
        lines += [f"    {r.number} {r.title} — {r.status.label}" for r in item.requests]
    lines.append("  History:")
    lines += [f"    {when(e.at)} {person(e.actor, names)} {mentions(describe_event(e), names)}" for e in item.events]
    return "\n".join(lines)
