"""The digest: what the shared channel should know at a glance, built from plain data.

Nothing here touches the database or a chat platform; ``bot.schedule_service`` gathers the data and
each platform renders the ``Digest`` its own way.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.contracts import Contract, Deadline
from bot.health import HealthResults
from bot.notifier import Briefing
from bot.requests import Request, Status

# A needed-by date this close (or already passed) is called out.
NEEDED_SOON_DAYS = 3
# The week in numbers covers this much time up to the digest.
WEEK = timedelta(days=7)
# Claimed requests that count as "in procurement's hands": a pause (on hold, awaiting IT) is
# deliberate and never stale.
WORKING_STATUSES = (Status.CLAIMED, Status.SOURCING, Status.APPROVED, Status.ORDERED)


@dataclass(frozen=True)
class Waiting:
    """A request that waits on someone, and for how long.

    ``days`` is the age for an unclaimed request, the days without activity for a stale
    claim, and the days until its needed-by date for one needed soon (negative: overdue).
    """

    request: Request
    days: int


@dataclass(frozen=True)
class WeekNumbers:
    opened: int
    fulfilled: int
    median_to_claim: timedelta | None  # over requests claimed this week
    median_to_fulfil: timedelta | None  # over requests fulfilled this week

    @property
    def is_empty(self) -> bool:
        return not self.opened and not self.fulfilled and self.median_to_claim is None

    def figures(self) -> list[tuple[str, str]]:
        """The week in numbers as (what, how many) pairs, in the order every platform shows them;
        a median is left out when nothing was claimed or fulfilled."""
        figures = [("opened", str(self.opened)), ("fulfilled", str(self.fulfilled))]
        if self.median_to_claim is not None:
            figures.append(("median time to claim", duration(self.median_to_claim)))
        if self.median_to_fulfil is not None:
            figures.append(("median time to fulfil", duration(self.median_to_fulfil)))
        return figures


@dataclass(frozen=True)
class Digest:
    today: date
    horizon_days: int  # notice deadlines are listed this many days ahead
    stale_days: int
    deadlines: list[Deadline]  # soonest first
    unclaimed: list[Waiting]  # oldest first
    stale: list[Waiting]  # longest without activity first
    needed_soon: list[Waiting]  # soonest (most overdue) first
    week: WeekNumbers
    costs_visible: bool
    chart: bytes | None = None  # the weeks' flow as a PNG (bot.chart), attached when posted
    health: HealthResults | None = None  # the health check that went out in the week before, if any
    # The month's scorecard (with its chart), carried by the first digest posted in a month.
    scorecard: Briefing | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.deadlines or self.unclaimed or self.stale or self.needed_soon) and self.week.is_empty

    @property
    def missed(self) -> list[Deadline]:
        return [item for item in self.deadlines if item.missed]

    def summary(self) -> str:
        """One line: what the digest holds (a notification's text)."""
        parts = [
            _count(len(self.missed), "missed notice deadline"),
            _count(len(self.deadlines) - len(self.missed), "notice deadline"),
            _count(len(self.unclaimed), "unclaimed request"),
            _count(len(self.stale), "quiet claim"),
            _count(len(self.needed_soon), "need due soon", "needs due soon"),
        ]
        parts = [part for part in parts if part]
        if parts:
            return "Tandem digest: " + ", ".join(parts)
        if self.is_empty:
            return "Tandem digest: all quiet this week."
        return f"Tandem digest: {self.week.opened} opened, {self.week.fulfilled} fulfilled this week."


def _count(n: int, one: str, many: str | None = None) -> str:
    if not n:
        return ""
    return f"{n} {one}" if n == 1 else f"{n} {many or one + 's'}"


# --- who waits on whom -------------------------------------------------------------------


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def unclaimed(requests: Iterable[Request], new_since: Mapping[int, datetime], today: date,
              tz: ZoneInfo) -> list[Waiting]:
    """New requests nobody has claimed, oldest first, with their age in days.

    ``new_since`` says when each became new (created, or last unclaimed)."""
    items = []
    for request in requests:
        if request.status is Status.NEW:
            since = new_since.get(request.id, request.created_at)
            items.append((since, Waiting(request, (today - local_day(since, tz)).days)))
    return [item for _, item in sorted(items, key=lambda pair: (pair[0], pair[1].request.id))]


def stale(requests: Iterable[Request], activity: Mapping[int, datetime], today: date, tz: ZoneInfo,
          stale_days: int) -> list[Waiting]:
    """Claimed requests with no activity (audit event or comment) for ``stale_days`` days,
    longest quiet first."""
    items = []
    for request in requests:
        if request.status not in WORKING_STATUSES or not request.owner:
            continue
        last = activity.get(request.id, request.updated_at)
        idle = (today - local_day(last, tz)).days
        if idle >= stale_days:
            items.append(Waiting(request, idle))
    return sorted(items, key=lambda item: (-item.days, item.request.id))


def needed_soon(requests: Iterable[Request], today: date, within: int = NEEDED_SOON_DAYS) -> list[Waiting]:
    """Open requests whose needed-by date is within ``within`` days or has passed."""
    items = [
        Waiting(request, (request.needed_by - today).days)
        for request in requests
        if request.is_open and request.needed_by is not None and (request.needed_by - today).days <= within
    ]
    return sorted(items, key=lambda item: (item.days, item.request.id))


def upcoming_deadlines(contracts: Iterable[Contract], today: date, horizon_days: int) -> list[Deadline]:
    """Missed notice deadlines (at the top: passed, the contract still runs), then those from
    today to ``horizon_days`` ahead, of contracts awaiting a decision."""
    items = [
        Deadline(contract, contract.notice_deadline, contract.days_left(today))
        for contract in contracts
        if contract.missed(today) or (contract.status.awaits_decision and 0 <= contract.days_left(today) <= horizon_days)
    ]
    return sorted(items, key=lambda item: (item.notice_deadline, item.contract.vendor.casefold(), item.contract.id))


def week_numbers(requests: Iterable[Request], now: datetime) -> WeekNumbers:
    """Opened and fulfilled in the seven days up to ``now``, and the median time from
    opening to claim and to fulfilment of those claimed and fulfilled in that week."""
    since = now - WEEK
    opened = fulfilled = 0
    to_claim: list[float] = []
    to_fulfil: list[float] = []
    for request in requests:
        if since <= request.created_at <= now:
            opened += 1
        if request.claimed_at and since <= request.claimed_at <= now:
            to_claim.append((request.claimed_at - request.created_at).total_seconds())
        if request.status is Status.FULFILLED and request.closed_at and since <= request.closed_at <= now:
            fulfilled += 1
            to_fulfil.append((request.closed_at - request.created_at).total_seconds())
    return WeekNumbers(opened, fulfilled, _median(to_claim), _median(to_fulfil))


def _median(seconds: list[float]) -> timedelta | None:
    return timedelta(seconds=statistics.median(seconds)) if seconds else None


def build(
    *,
    requests: list[Request],
    contracts: list[Contract],
    activity: Mapping[int, datetime],
    new_since: Mapping[int, datetime],
    recent: list[Request],
    now: datetime,
    tz: ZoneInfo,
    horizon_days: int,
    stale_days: int,
    costs_visible: bool,
    shown: Callable[[Request], Request] = lambda request: request,
) -> Digest:
    """``requests`` are the open requests; ``recent`` those opened, claimed or closed this week.
    ``shown`` turns a request into what the digest's readers may see of it (a confidential
    one, redacted)."""
    today = local_day(now, tz)

    def visible(items: list[Waiting]) -> list[Waiting]:
        return [Waiting(shown(item.request), item.days) for item in items]

    return Digest(
        today=today,
        horizon_days=horizon_days,
        stale_days=stale_days,
        deadlines=upcoming_deadlines(contracts, today, horizon_days),
        unclaimed=visible(unclaimed(requests, new_since, today, tz)),
        stale=visible(stale(requests, activity, today, tz, stale_days)),
        needed_soon=visible(needed_soon(requests, today)),
        week=week_numbers(recent, now),
        costs_visible=costs_visible,
    )


def duration(span: timedelta) -> str:
    """A time span as people say it: ``under an hour``, ``5 h``, ``3.5 days``."""
    hours = span.total_seconds() / 3600
    if hours < 1:
        return "under an hour"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.1f} days"
