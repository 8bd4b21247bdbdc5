"""The contract calendar as iCalendar (``.ics``), for any calendar app to subscribe to.

One all-day event per notice deadline and per end date. UIDs are stable and under the
configured domain (``contract-<id>-notice@<domain>``, ``contract-<id>-end@<domain>``) and
DTSTAMP is the contract's last change, so a re-export updates events in a subscribed
calendar instead of duplicating them, and an unchanged calendar exports byte for byte the
same. Each notice deadline carries an alarm at each of the notice thresholds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from icalendar import Alarm, Calendar, Event

from bot.contracts import Contract, ContractStatus
from bot.format import money

PRODID = "-//Tandem//Contract calendar//EN"
UID_DOMAIN = "tandem.localhost"  # the default of TANDEM_CALENDAR_DOMAIN


def notice_uid(contract: Contract, domain: str = UID_DOMAIN) -> str:
    return f"contract-{contract.id}-notice@{domain}"


def end_uid(contract: Contract, domain: str = UID_DOMAIN) -> str:
    return f"contract-{contract.id}-end@{domain}"


def contract_calendar(
    contracts: Iterable[Contract],
    *,
    include_costs: bool = True,
    person: Callable[[str], str] = lambda user: user,
    name: str = "Tandem contract calendar",
    domain: str = UID_DOMAIN,
    alarms: Iterable[int] = (),
) -> bytes:
    """Notice deadlines of contracts awaiting a decision (active, renewing), and end dates of
    contracts that still run (including cancelled ones, which run out on that day). Each
    notice deadline has an alarm ``alarms`` days before it (the notice thresholds)."""
    alarms = sorted(set(alarms), reverse=True)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for contract in contracts:
        details = _description(contract, include_costs, person)
        if contract.status.awaits_decision:
            renews = (
                f"it renews for {contract.term_months} months on {contract.end_date} unless notice is given"
                if contract.auto_renew else f"it ends on {contract.end_date}"
            )
            event = _event(
                notice_uid(contract, domain),
                contract.notice_deadline,
                f"Notice deadline: {contract.name}",
                f"Last day to cancel or renegotiate {contract.name}; {renews}.\n{details}",
                contract,
            )
            for days in alarms:
                event.add_component(_alarm(days, contract))
            cal.add_component(event)
        if contract.status.in_force or contract.status is ContractStatus.CANCELLED:
            what = "cancelled, runs out" if contract.status is ContractStatus.CANCELLED else (
                f"auto-renews for {contract.term_months} months" if contract.auto_renew else "does not auto-renew"
            )
            cal.add_component(
                _event(
                    end_uid(contract, domain),
                    contract.end_date,
                    f"Contract ends: {contract.name}",
                    f"{contract.name} ends ({what}).\n{details}",
                    contract,
                )
            )
    return cal.to_ical()


def _event(uid: str, day: date, summary: str, description: str, contract: Contract) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", contract.updated_at)
    event.add("last-modified", contract.updated_at)
    event.add("dtstart", day)  # a date, not a datetime: an all-day event
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    event.add("categories", ["Tandem", "Contracts"])
    return event


def _alarm(days: int, contract: Contract) -> Alarm:
    """A reminder ``days`` before the (all-day) notice deadline starts."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(days=-days))
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    alarm.add("description", f"Notice deadline {when}: {contract.name}")
    return alarm


def _description(contract: Contract, include_costs: bool, person: Callable[[str], str]) -> str:
    lines = [
        f"Vendor: {contract.vendor}",
        f"Product: {contract.product}",
        f"Ends: {contract.end_date} · notice period {contract.notice_days} days "
        f"(deadline {contract.notice_deadline})",
        f"Status: {contract.status.value}",
        f"IT owner: {person(contract.it_owner) if contract.it_owner else 'none'}",
        f"Procurement owner: {person(contract.procurement_owner) if contract.procurement_owner else 'none'}",
    ]
    if include_costs:
        cost = money(contract.annual_cost, contract.currency) if contract.annual_cost is not None else "not given"
        lines.append(f"Annual cost: {cost}")
    if contract.seats:
        lines.append(f"Seats: {contract.seats:,}")
    if contract.notes:
        lines.append(f"Notes: {contract.notes}")
    lines.append(f"Tandem {contract.number}")
    return "\n".join(lines)
