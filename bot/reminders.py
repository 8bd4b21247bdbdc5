"""Reminders: who must act on what, and when a reminder is due.

A reminder is identified by its kind, its subject (a contract or a request), its
*episode* (what the threshold counts from: the notice deadline, the last activity, the
moment a request became new, the needed-by date) and the threshold reached. The ledger
(``storage.schedule``) records each one per person, so a threshold fires once; a new
episode (a renewed contract's next deadline, a claim that went quiet again) starts afresh.

Nothing here touches the database or a chat platform.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot import digest
from bot.clock import iso
from bot.contracts import Contract, missed_text, seats_text
from bot.format import day, money
from bot.people import looks_like_chat_user
from bot.requests import Request, Status
from bot.markup import mention

SNOOZE_DAYS = 3
# The threshold of the one reminder about a missed notice deadline.
MISSED = "missed"


class Kind(StrEnum):
    NOTICE = "notice"  # a contract's notice deadline is near: to its IT and procurement owners
    STALE = "stale"  # a claim with no activity: to its owner
    UNCLAIMED = "unclaimed"  # nobody claimed a request for a business day: to procurement
    NEEDED_BY = "needed_by"  # needed within days and not fulfilled: to owner and requester

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.NOTICE: "Notice deadline",
    Kind.STALE: "Quiet claim",
    Kind.UNCLAIMED: "Unclaimed",
    Kind.NEEDED_BY: "Needed soon",
}


@dataclass(frozen=True)
class Reminder:
    kind: Kind
    person: str
    subject: str  # "contract:3" or "request:12"
    episode: str
    threshold: str
    days: int  # notice: days left; stale: days quiet; unclaimed: days waiting; needed_by: days left (<0 overdue)
    request: Request | None = None
    contract: Contract | None = None
    costs_visible: bool = True
    id: int | None = None  # the ledger entry, once decided; buttons carry it

    @property
    def subject_id(self) -> int:
        return int(self.subject.partition(":")[2])


@dataclass(frozen=True)
class LedgerEntry:
    """One decision of the schedule: a digest slot, a sweep, or one reminder to one person."""

    id: int
    kind: str
    subject: str
    episode: str
    threshold: str
    person: str
    wake: str
    decided_at: datetime
    attempts: int
    last_attempt_at: datetime | None
    sending_by: str | None
    sending_until: datetime | None
    last_error: str | None
    delivered_at: datetime | None

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None


@dataclass(frozen=True)
class Mark:
    """A person's "Snooze 3 days" or "Done" on one reminder (kind, subject, episode)."""

    kind: str
    subject: str
    episode: str
    person: str
    snoozed_until: datetime | None
    done_at: datetime | None


@dataclass(frozen=True)
class Marked:
    """What a click on Snooze or Done left: the reminder's state for its person, and whether
    this click changed it (a second click, or Snooze after Done, changes nothing)."""

    snoozed_until: datetime | None
    done: bool
    changed: bool

    def already_text(self, tz: ZoneInfo, asked: str) -> str:
        """The answer to a click that changed nothing (``asked``: "snooze" or "done")."""
        if self.done:
            if asked == "snooze":
                return "You already marked this reminder done, so there is nothing to snooze; nothing was changed."
            return "You already marked this reminder done; nothing was changed."
        return (f"This reminder is already snoozed until {until_text(self.snoozed_until, tz)}; "
                f"nothing was changed.")


def subject_of(contract: Contract | None = None, request: Request | None = None) -> str:
    return f"contract:{contract.id}" if contract is not None else f"request:{request.id}"


# --- thresholds ------------------------------------------------------------------------------


def notice_threshold(days_left: int, thresholds: Iterable[int]) -> int | None:
    """The nearest threshold already reached, or ``None``.

    At 25 days before the deadline with thresholds 90/60/30/7 that is 30: data that arrives
    late still warns once, and 90 and 60 are never sent after the fact. A deadline that has
    passed warns no more."""
    if days_left < 0:
        return None
    reached = [threshold for threshold in thresholds if days_left <= threshold]
    return min(reached) if reached else None


def business_day_after(moment: datetime, tz: ZoneInfo) -> datetime:
    """``moment`` plus one business day: Saturdays and Sundays do not count."""
    local = moment.astimezone(tz)
    start = local
    if start.weekday() >= 5:  # a weekend request starts counting on Monday morning
        start = datetime.combine(start.date() + timedelta(days=7 - start.weekday()), time(0), tz)
    end = start + timedelta(days=1)
    while end.weekday() >= 5:
        end += timedelta(days=1)
    return end


def snooze_end(now: datetime, tz: ZoneInfo, days: int = SNOOZE_DAYS) -> datetime:
    """The start of the day ``days`` days from today where the team works: the sweep that
    morning brings the reminder back."""
    today = now.astimezone(tz).date()
    return datetime.combine(today + timedelta(days=days), time(0), tz)


def is_person(user: str | None) -> bool:
    """Reminders go to chat users (Slack or Teams); an owner stored as an e-mail address
    cannot get a DM."""
    return looks_like_chat_user(user)


# --- what is due -------------------------------------------------------------------------------


def due(
    *,
    requests: list[Request],
    contracts: list[Contract],
    activity: Mapping[int, datetime],
    new_since: Mapping[int, datetime],
    procurement: Iterable[str],
    now: datetime,
    tz: ZoneInfo,
    notice_days: Iterable[int],
    stale_days: int,
    costs_visible: Callable[[str], bool] = lambda user: True,
) -> list[Reminder]:
    """Every reminder due now, per person, before the ledger and snoozes are consulted.

    ``requests`` are the open requests; ``contracts`` those awaiting a decision."""
    today = now.astimezone(tz).date()
    found: list[Reminder] = []

    for contract in contracts:
        if not contract.status.awaits_decision:
            continue
        left = contract.days_left(today)
        # A missed deadline (passed, the contract still runs) is one reminder of its own;
        # thresholds not yet reached keep the late-data rule (nearest passed one only).
        threshold = MISSED if contract.missed(today) else notice_threshold(left, notice_days)
        if threshold is None:
            continue
        for person in _people(contract.it_owner, contract.procurement_owner):
            found.append(Reminder(Kind.NOTICE, person, subject_of(contract=contract), contract.notice_deadline.isoformat(),
                                  str(threshold), left, contract=contract, costs_visible=costs_visible(person)))

    for item in digest.stale(requests, activity, today, tz, stale_days):
        request = item.request
        last = activity.get(request.id, request.updated_at)
        found.append(Reminder(Kind.STALE, request.owner, subject_of(request=request), iso(last), str(stale_days),
                              item.days, request=request))

    members = sorted(person for person in procurement if is_person(person))
    for item in digest.unclaimed(requests, new_since, today, tz):
        request = item.request
        since = new_since.get(request.id, request.created_at)
        if now < business_day_after(since, tz):
            continue
        for person in members:
            found.append(Reminder(Kind.UNCLAIMED, person, subject_of(request=request), iso(since), "1 business day",
                                  item.days, request=request))

    for item in digest.needed_soon(requests, today):
        request = item.request
        for person in _people(request.owner, request.requester):
            found.append(Reminder(Kind.NEEDED_BY, person, subject_of(request=request), request.needed_by.isoformat(),
                                  str(digest.NEEDED_SOON_DAYS), item.days, request=request))
    return found


def _people(*users: str | None) -> list[str]:
    seen: list[str] = []
    for user in users:
        if is_person(user) and user not in seen:
            seen.append(user)
    return seen


# --- plain text (the shell and the command line) ----------------------------------------------


def days_left(days: int) -> str:
    if days == 0:
        return "today"
    if days > 0:
        return f"in {days} day{'s' if days != 1 else ''}"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def describe(reminder: Reminder, person: Callable[[str | None], str] = mention) -> str:
    """One readable line: what needs doing and why now."""
    if reminder.kind is Kind.NOTICE and reminder.threshold == MISSED:
        contract = reminder.contract
        return (f"{contract.vendor} {contract.product} (contract {contract.id}): "
                f"{missed_text(contract, contract.notice_deadline - timedelta(days=reminder.days), reminder.costs_visible)}.")
    if reminder.kind is Kind.NOTICE:
        contract = reminder.contract
        renew = f"auto-renews for {contract.term_months} months" if contract.auto_renew else "does not auto-renew"
        cost = ""
        if reminder.costs_visible and contract.annual_cost is not None:
            cost = f", {money(contract.annual_cost, contract.currency)} a year"
        seats = seats_text(contract)
        return (f"{contract.vendor} {contract.product} (contract {contract.id}): notice deadline "
                f"{day(contract.notice_deadline)}, {days_left(reminder.days)} — {renew}{cost}. "
                + (f"{seats[0].upper()}{seats[1:]}. " if seats else "")
                + "Renew, renegotiate or cancel before then.")
    request = reminder.request
    head = f"{request.number} {request.title}"
    if reminder.kind is Kind.STALE:
        return (f"{head}: no activity for {reminder.days} days ({request.status.label.lower()}). "
                f"Add a note or move it on.")
    if reminder.kind is Kind.UNCLAIMED:
        return (f"{head}: unclaimed for {reminder.days} day{'s' if reminder.days != 1 else ''}, "
                f"requested by {person(request.requester)}. Claim it or pass it on.")
    status = "unclaimed" if request.status is Status.NEW else request.status.label.lower()
    return f"{head}: needed by {day(request.needed_by)} ({days_left(reminder.days)}) and still {status}."


def until_text(until: datetime, tz: ZoneInfo) -> str:
    """A snooze's end as people read it: ``Thu 19 Nov``."""
    local: date = until.astimezone(tz).date()
    return local.strftime("%a %d %b").replace(" 0", " ")
