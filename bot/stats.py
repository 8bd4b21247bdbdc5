"""Stats: how requests flow from ask to fulfilled, and whose court they wait in.

Everything is computed from the requests and their audit events, so the numbers can be
recomputed by anyone from the raw log.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.errors import BadInput
from bot.permissions import Action, authorize
from bot.requests import Event, Request, Status
from storage import requests as repo

DAY = 86400.0

# Whose court a request is in, by status.
IT_COURT = (Status.AWAITING_IT,)
PAUSED = (Status.ON_HOLD,)


@dataclass(frozen=True)
class Week:
    start: date  # the Monday, in the team's time zone
    opened: int
    fulfilled: int


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile of a set of durations, in days."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, days: list[float]) -> "Spread":
        if not days:
            return cls(0, None, None)
        ordered = sorted(days)
        p90 = ordered[0] if len(ordered) == 1 else statistics.quantiles(ordered, n=10, method="inclusive")[-1]
        return cls(len(ordered), statistics.median(ordered), p90)


@dataclass(frozen=True)
class Stats:
    weeks: list[Week]
    to_claim: Spread
    to_fulfil: Spread
    by_category: dict[str, tuple[Spread, Spread]]  # category → (to claim, to fulfil)
    it_days: float  # time requests spent waiting on IT (awaiting_it), summed, in days
    procurement_days: float  # time they spent with procurement (open, not paused, not awaiting IT)
    paused_days: float
    first_day: date
    last_day: date
    notes: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)  # each side's measures of success (bot.targets)
    by_month: list = field(default_factory=list)  # bot.targets.MonthResult: target against actual

    @property
    def opened(self) -> int:
        return sum(week.opened for week in self.weeks)

    @property
    def fulfilled(self) -> int:
        return sum(week.fulfilled for week in self.weeks)

    @property
    def is_empty(self) -> bool:
        return self.opened == 0 and self.fulfilled == 0 and self.it_days == 0 and self.procurement_days == 0


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def window(now: datetime, tz: ZoneInfo, weeks: int) -> tuple[datetime, list[date]]:
    """The start instant (UTC) of the last ``weeks`` weeks, this one included, and their Mondays."""
    this_monday = week_start(now.astimezone(tz).date())
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    start = datetime.combine(mondays[0], datetime.min.time(), tzinfo=tz).astimezone(timezone.utc)
    return start, mondays


def compute(requests: list[Request], events: dict[int, list[Event]], now: datetime, tz: ZoneInfo,
            weeks: int = 8) -> Stats:
    """Stats over the last ``weeks`` weeks from requests and their audit events."""
    start, mondays = window(now, tz, weeks)
    opened: dict[date, int] = defaultdict(int)
    fulfilled: dict[date, int] = defaultdict(int)
    to_claim: list[float] = []
    to_fulfil: list[float] = []
    claim_by_category: dict[str, list[float]] = defaultdict(list)
    fulfil_by_category: dict[str, list[float]] = defaultdict(list)
    courts = {"it": 0.0, "procurement": 0.0, "paused": 0.0}

    for request in requests:
        history = sorted(events.get(request.id, []), key=lambda e: (e.at, e.id))
        if request.created_at >= start:
            opened[week_start(request.created_at.astimezone(tz).date())] += 1
            claimed = next((e.at for e in history if e.action == "claimed"), None)
            if claimed is not None:
                days = (claimed - request.created_at).total_seconds() / DAY
                to_claim.append(days)
                claim_by_category[request.category.value].append(days)
        if request.status is Status.FULFILLED and request.closed_at and request.closed_at >= start:
            fulfilled[week_start(request.closed_at.astimezone(tz).date())] += 1
            days = (request.closed_at - request.created_at).total_seconds() / DAY
            to_fulfil.append(days)
            fulfil_by_category[request.category.value].append(days)
        for status, begin, end in timeline(request, history, now):
            overlap = (min(end, now) - max(begin, start)).total_seconds()
            if overlap <= 0 or not status.is_open:
                continue
            court = "it" if status in IT_COURT else "paused" if status in PAUSED else "procurement"
            courts[court] += overlap / DAY

    categories = sorted(set(claim_by_category) | set(fulfil_by_category))
    return Stats(
        weeks=[Week(monday, opened.get(monday, 0), fulfilled.get(monday, 0)) for monday in mondays],
        to_claim=Spread.of(to_claim),
        to_fulfil=Spread.of(to_fulfil),
        by_category={c: (Spread.of(claim_by_category[c]), Spread.of(fulfil_by_category[c])) for c in categories},
        it_days=courts["it"],
        procurement_days=courts["procurement"],
        paused_days=courts["paused"],
        first_day=mondays[0],
        last_day=now.astimezone(tz).date(),
    )


def timeline(request: Request, history: list[Event], now: datetime) -> list[tuple[Status, datetime, datetime]]:
    """The request's statuses as (status, from, until) intervals, rebuilt from its audit events."""
    spans = []
    status, since = Status.NEW, request.created_at
    for event in history:
        new = event.after.get("status")
        if not new or new == status.value:
            continue
        spans.append((status, since, event.at))
        status, since = Status(new), event.at
    spans.append((status, since, now if status.is_open else since))
    return spans


def summary(stats: Stats) -> list[str]:
    """The stats as plain lines, for any platform to dress up."""
    def days(value: float | None) -> str:
        return "—" if value is None else f"{value:.1f} d"

    def spread(s: Spread) -> str:
        return f"median {days(s.median)}, p90 {days(s.p90)} (n={s.count})"

    lines = [f"{stats.first_day} – {stats.last_day}: {stats.opened} opened, {stats.fulfilled} fulfilled"]
    lines.append("Per week (opened/fulfilled): " + ", ".join(
        f"{w.start.strftime('%d %b')} {w.opened}/{w.fulfilled}" for w in stats.weeks))
    lines.append(f"Time to claim: {spread(stats.to_claim)}")
    lines.append(f"Time to fulfil: {spread(stats.to_fulfil)}")
    for category, (claim, fulfil) in stats.by_category.items():
        lines.append(f"  {category}: claim {days(claim.median)} / fulfil {days(fulfil.median)} (median)")
    total = stats.it_days + stats.procurement_days
    if total:
        lines.append(f"Whose court: waiting on IT {stats.it_days:.1f} d ({stats.it_days / total:.0%}), "
                     f"on procurement {stats.procurement_days:.1f} d ({stats.procurement_days / total:.0%})"
                     + (f"; on hold {stats.paused_days:.1f} d" if stats.paused_days else ""))
    if stats.targets:
        lines.append("Shared targets: " + "; ".join(stats.targets))
        for side in ("IT", "procurement"):
            results = [result for result in stats.by_month if result.side == side]
            if results:
                lines.append(f"{side[0].upper()}{side[1:]}'s targets by month (target against actual):")
                lines += [f"  {result.line}" for result in results]
        if not stats.by_month:
            lines.append("No claims, fulfilled needs or orders to measure against the targets yet.")
    return lines


class StatsService:
    def __init__(self, store, roles, clock, tz: ZoneInfo, targets=None):
        self.store = store
        self.roles = roles
        self.clock = clock
        self.tz = tz
        self.targets = targets  # TargetService: the shared targets against the actual, by month

    def stats(self, actor: str, weeks: int = 8) -> Stats:
        authorize(self.roles, actor, Action.VIEW)
        if not 1 <= weeks <= 104:
            raise BadInput("Stats cover 1 to 104 weeks.")
        now = self.clock.now()
        start, _ = window(now, self.tz, weeks)
        db = self.store.db
        requests = repo.requests_touching(db, start)
        events = repo.events_for_requests(db, [request.id for request in requests])
        stats = compute(requests, events, now, self.tz, weeks)
        if self.targets is None or not self.targets.targets.any:
            return stats
        return dataclasses.replace(stats, targets=self.targets.targets.lines(),
                                   by_month=self.targets.by_month(stats.first_day, stats.last_day))
