"""Shared targets: how each side measures success, configured once and shown to both.

IT measures procurement by how fast its needs are fulfilled: ``TANDEM_TARGET_FULFIL_DAYS``
(days from posted to fulfilled, per category). Procurement measures itself by how fast it
answers and what it saves: ``TANDEM_TARGET_CLAIM_DAYS`` (business days from posted to
claimed) and ``TANDEM_TARGET_SAVINGS`` (percent saved against the first quote or the need's
estimate). Savings are recorded when a request reaches ``ordered``: the chosen option's price
(or the order price given with ``status N ordered PRICE``) against the first option's price,
or the estimate when there were no options.

The stats (``/procure stats``) show each target against the actual, by month, and the
scorecard (``bot.scorecard``) how many were met. Nothing here touches a chat platform.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from bot.requests import Category, Event, Request, Status

IT, PROCUREMENT = "IT", "procurement"
ANY = "*"  # the fulfil target of categories not named


@dataclass(frozen=True)
class Targets:
    claim_days: int | None = 1  # business days from posted to claimed
    fulfil_days: Mapping[str, int] = field(default_factory=dict)  # category (or ANY) → days to fulfilled
    savings_percent: Decimal | None = None  # saved against the first quote or the estimate

    def fulfil_for(self, category: str) -> int | None:
        return self.fulfil_days.get(category, self.fulfil_days.get(ANY))

    @property
    def any(self) -> bool:
        return self.claim_days is not None or bool(self.fulfil_days) or self.savings_percent is not None

    def lines(self) -> list[str]:
        """The targets as both sides read them."""
        lines = []
        fulfil = ", ".join(f"{'other' if name == ANY else name} {days} d" for name, days in self.fulfil_days.items())
        if fulfil:
            lines.append(f"IT: needs fulfilled within {fulfil} of being posted")
        if self.claim_days is not None:
            lines.append(f"Procurement: needs claimed within {_bd(self.claim_days)} of being posted")
        if self.savings_percent is not None:
            lines.append(f"Procurement: {_percent(self.savings_percent)} saved against the first quote or estimate")
        return lines


def parse_fulfil(text: str | None) -> dict[str, int]:
    """``software=10,hardware=15`` (days per category); a bare number is every other category's.
    Raises ``ValueError`` with a message naming the bad part."""
    targets: dict[str, int] = {}
    categories = {c.value for c in Category}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, days = part.partition("=")
        name, days = (name.strip().lower(), days.strip()) if sep else (ANY, name.strip())
        if name not in categories and name != ANY:
            raise ValueError(f"{name!r} is not a category ({', '.join(sorted(categories))})")
        if not days.isdecimal() or not 1 <= int(days) <= 3650:
            raise ValueError(f"{part!r} is not CATEGORY=DAYS with days from 1 to 3650 (for example software=10)")
        if name in targets:
            raise ValueError(f"{'the default' if name == ANY else name} is given twice")
        targets[name] = int(days)
    return targets


def parse_percent(text: str | None) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text.strip().removesuffix("%").strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a percentage like 5 or 7.5%") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(f"{text!r} is not a percentage from 0 to 100")
    return value


# --- business days -------------------------------------------------------------------------------


def business_days(start: datetime, end: datetime, tz: ZoneInfo) -> float:
    """Days from ``start`` to ``end`` not counting Saturdays and Sundays (in the team's zone)."""
    start, end = start.astimezone(tz), end.astimezone(tz)
    if end <= start:
        return 0.0
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if day.weekday() < 5:
            begin = max(start, datetime.combine(day, time(0), tz))
            finish = min(end, datetime.combine(day + timedelta(days=1), time(0), tz))
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds() / 86400


# --- savings -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Saving:
    """Recorded when a request reaches ``ordered``, in the base currency."""

    request_id: int
    category: str
    baseline: Decimal  # the first quote, or the need's estimate
    final: Decimal  # the chosen option, or the order price
    basis: str  # "first quote" or "estimate"
    at: datetime

    @property
    def saved(self) -> Decimal:
        return self.baseline - self.final


# --- target against actual, by month -------------------------------------------------------------------


@dataclass(frozen=True)
class MonthResult:
    """One target in one month: how many of ``count`` met it, and the actual (a median, or
    the percent saved)."""

    side: str
    measure: str  # "time to claim", "time to fulfil · software", "savings"
    target: str
    month: str  # "2026-11"
    met: int
    count: int
    actual: str

    @property
    def line(self) -> str:
        return f"{self.month} {self.measure}: {self.met} of {self.count} met, {self.actual} (target {self.target})"


def month_of(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


def months_between(first: date, last: date) -> list[str]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def claim_times(requests: Iterable[Request], events: Mapping[int, list[Event]], tz: ZoneInfo) \
        -> list[tuple[Request, datetime, float]]:
    """Each claimed request with when it was first claimed and the business days it took."""
    found = []
    for request in requests:
        history = sorted(events.get(request.id, []), key=lambda e: (e.at, e.id))
        claimed = next((e.at for e in history if e.action == "claimed"), None)
        if claimed is not None:
            found.append((request, claimed, business_days(request.created_at, claimed, tz)))
    return found


def fulfil_times(requests: Iterable[Request]) -> list[tuple[Request, datetime, float]]:
    return [(r, r.closed_at, (r.closed_at - r.created_at).total_seconds() / 86400) for r in requests
            if r.status is Status.FULFILLED and r.closed_at is not None]


def by_month(targets: Targets, requests: list[Request], events: Mapping[int, list[Event]],
             savings: list[Saving], months: list[str], tz: ZoneInfo) -> list[MonthResult]:
    """Each configured target against the actual, for each of ``months`` with data, IT's
    targets first."""
    results: list[MonthResult] = []
    wanted = set(months)
    fulfilled = [(r, at, days) for r, at, days in fulfil_times(requests) if month_of(at, tz) in wanted]
    for category in sorted({r.category.value for r, _, _ in fulfilled}):
        limit = targets.fulfil_for(category)
        if limit is None:
            continue
        grouped = _group([(at, days) for r, at, days in fulfilled if r.category.value == category], tz)
        for month in months:
            if month in grouped:
                days = grouped[month]
                results.append(MonthResult(IT, f"time to fulfil · {category}", f"≤ {limit} d", month,
                                           sum(1 for d in days if d <= limit), len(days),
                                           f"median {statistics.median(days):.1f} d"))
    if targets.claim_days is not None:
        grouped = _group([(at, days) for _, at, days in claim_times(requests, events, tz)
                          if month_of(at, tz) in wanted], tz)
        for month in months:
            if month in grouped:
                days = grouped[month]
                results.append(MonthResult(PROCUREMENT, "time to claim", f"≤ {_bd(targets.claim_days)}", month,
                                           sum(1 for d in days if d <= targets.claim_days), len(days),
                                           f"median {statistics.median(days):.1f} business days"))
    if targets.savings_percent is not None:
        per_month: dict[str, list[Saving]] = defaultdict(list)
        for saving in savings:
            per_month[month_of(saving.at, tz)].append(saving)
        for month in months:
            if month in per_month:
                items = per_month[month]
                percent = saved_percent(items)
                results.append(MonthResult(PROCUREMENT, "savings", _percent(targets.savings_percent), month,
                                           int(percent >= targets.savings_percent), 1,
                                           f"{_percent(percent)} saved on {len(items)} order"
                                           f"{'s' if len(items) != 1 else ''}"))
    return results


def saved_percent(savings: Iterable[Saving]) -> Decimal:
    items = list(savings)
    baseline = sum((s.baseline for s in items), Decimal(0))
    if not baseline:
        return Decimal(0)
    return (sum((s.saved for s in items), Decimal(0)) * 100 / baseline).quantize(Decimal("0.1"))


def _group(items: list[tuple[datetime, float]], tz: ZoneInfo) -> dict[str, list[float]]:
    grouped: dict[str, list[float]] = defaultdict(list)
    for at, days in items:
        grouped[month_of(at, tz)].append(days)
    return grouped


def _bd(days: int) -> str:
    return f"{days} business day{'s' if days != 1 else ''}"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f}%"
