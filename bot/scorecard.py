"""The scorecard: the health check's six statements, each measured from the work itself and
set beside how people rated it, with the largest gap between data and feeling called out.

Over the last ``DAYS`` days:

1. *Procurement is part of IT's planning meetings* — sync meetings held with an agenda, and
   the action items that came due closed on time.
2. *Each side knows how the other measures success* — the shared targets met, per side.
3. *The contract calendar is shared and current* — contracts in force with both owners, and
   notice deadlines seen at least 30 days ahead and not missed (the one rule, ``Contract.missed``).
4. *IT's risk threshold is understood* — needs ordered with every risk check done.
5. *It is clear what IT handles itself and what suppliers handle* — the share of spend in
   categories with a stance, and in categories open to suppliers (the sourcing map).
6. *Requests move from ask to fulfilled quickly* — the check-up itself: health checks that went
   out in the period against those ``TANDEM_HEALTH_CRON`` scheduled in it, and participation in
   the latest (the continuous check-up is how the team hears it).

Each data score is a percentage; a feeling (1–5) is set on the same scale as (score − 1) / 4.
Also summed: the money in unused seats of contracts whose notice deadline is in the next 90
days. Everything is counted, never listed: nothing names a need, and amounts appear only to
those who may see costs (``bot.visibility``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from bot.approvals import to_base
from bot.contracts import ContractStatus, unused_seat_cost
from bot.cron import fire_times
from bot.format import money
from bot.health import MIN_ANSWERS, STATEMENTS
from bot.notifier import Briefing, Section
from bot.permissions import Action, authorize
from bot.requests import Category
from bot.targets import claim_times, fulfil_times, saved_percent
from bot.visibility import Place
from storage import contracts as contracts_repo
from storage import health as health_repo
from storage import requests as requests_repo
from storage import schedule as schedule_repo
from storage import sync as sync_repo
from storage import targets as targets_repo

DAYS = 90
SEEN_AHEAD_DAYS = 30
RENEWAL_DAYS = 90


@dataclass(frozen=True)
class Indicator:
    key: str  # the statement's key (bot.health.STATEMENTS)
    statement: str
    lines: tuple[str, ...]
    data: int | None  # percent, from the work; None when there is nothing to measure
    feeling: float | None = None  # the latest check-up's average, 1–5, from 3 answers up

    @property
    def feeling_percent(self) -> int | None:
        return None if self.feeling is None else round((self.feeling - 1) / 4 * 100)

    @property
    def gap(self) -> int | None:
        if self.data is None or self.feeling_percent is None:
            return None
        return self.data - self.feeling_percent


@dataclass(frozen=True)
class Scorecard:
    first: date
    last: date
    indicators: tuple[Indicator, ...]
    unused_seats: Decimal | None  # in the base currency; None when costs are not shown
    unused_contracts: int
    currency: str
    check_up: str | None  # the round the feelings come from, or None

    @property
    def largest_gap(self) -> Indicator | None:
        found = [item for item in self.indicators if item.gap is not None]
        return max(found, key=lambda item: abs(item.gap), default=None)


def percent(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


class ScorecardService:
    def __init__(self, store, roles, clock, settings, contracts, risk, sourcing, visibility, notifier, holder):
        self.store = store
        self.roles = roles
        self.clock = clock
        self.settings = settings
        self.tz = settings.tz
        self.contracts = contracts  # ContractService: the calendar after the daily roll
        self.risk = risk  # RiskService: a request's checks
        self.sourcing = sourcing  # SourcingService: stances and spend
        self.visibility = visibility
        self.notifier = notifier
        self.holder = holder

    def scorecard(self, viewer: str | None, place: Place = Place.PRIVATE, now: datetime | None = None) -> Scorecard:
        if viewer is not None:
            authorize(self.roles, viewer, Action.VIEW)
        now = now or self.clock.now()
        last = now.astimezone(self.tz).date()
        first = last - timedelta(days=DAYS - 1)
        start = datetime.combine(first, time(0), self.tz)
        results = self._feelings()
        feelings = results.averages if results is not None and results.shown else ()
        items = (self._planning(start, now, last), self._success(start, now), self._calendar(first, last),
                 self._risk(start, now), self._split(viewer, start), self._check_ups(results, start, now))
        indicators = tuple(
            Indicator(statement.key, statement.text, lines, data, feelings[index] if feelings else None)
            for index, (statement, (lines, data)) in enumerate(zip(STATEMENTS, items)))
        unused, count = self._unused_seats(last)
        costs = self.visibility.costs_visible(viewer, place)
        return Scorecard(first, last, indicators, unused if costs else None, count, self.settings.base_currency,
                         results.survey.label if results is not None and results.shown else None)

    # --- the six indicators -------------------------------------------------------------------------

    def _planning(self, start: datetime, now: datetime, today: date):
        db = self.store.db
        meetings = sync_repo.meetings_between(db, start, now)
        due = [item for item in sync_repo.actions_created_between(db, start - timedelta(days=DAYS), now)
               if item.due is not None and start.date() <= item.due < today]
        on_time = [item for item in due if item.done_at is not None
                   and item.done_at.astimezone(self.tz).date() <= item.due]
        lines = (f"{len(meetings)} sync meeting{'s' if len(meetings) != 1 else ''} held with an agenda",
                 f"{len(on_time)} of {len(due)} action items that came due closed on time")
        if not meetings:
            return lines, 0
        return lines, percent(len(on_time), len(due)) if due else 100

    def _success(self, start: datetime, now: datetime):
        targets = self.settings.targets
        db = self.store.db
        requests = requests_repo.requests_touching(db, start)
        events = requests_repo.events_for_requests(db, [request.id for request in requests])
        lines, met, counted = [], 0, 0
        fulfilled = [(r, days) for r, at, days in fulfil_times(requests) if start <= at <= now
                     and targets.fulfil_for(r.category.value) is not None]
        if fulfilled:
            done = sum(1 for r, days in fulfilled if days <= targets.fulfil_for(r.category.value))
            lines.append(f"IT: {done} of {len(fulfilled)} needs fulfilled within target")
            met, counted = met + done, counted + len(fulfilled)
        if targets.claim_days is not None:
            claims = [days for _, at, days in claim_times(requests, events, self.tz) if start <= at <= now]
            if claims:
                done = sum(1 for days in claims if days <= targets.claim_days)
                lines.append(f"Procurement: {done} of {len(claims)} needs claimed within "
                             f"{targets.claim_days} business day{'s' if targets.claim_days != 1 else ''}")
                met, counted = met + done, counted + len(claims)
        if targets.savings_percent is not None:
            savings = targets_repo.savings_between(db, start, now)
            if savings:
                saved = saved_percent(savings)
                reached = saved >= targets.savings_percent
                lines.append(f"Procurement: {saved.normalize():f}% saved against a target of "
                             f"{targets.savings_percent.normalize():f}% ({'met' if reached else 'not met'})")
                met, counted = met + int(reached), counted + 1
        if not counted:
            return ("No targets to measure yet (claims, fulfilled needs, orders).",), None
        return tuple(lines), percent(met, counted)

    def _calendar(self, first: date, today: date):
        in_force = [c for c in self.contracts.all() if c.status.in_force]
        both = sum(1 for c in in_force if c.it_owner and c.procurement_owner)
        waiting = tuple(status for status in ContractStatus)
        passed = [c for c in contracts_repo.notice_deadlines_between(self.store.db, first, today - timedelta(days=1),
                                                                    waiting)]
        missed = [c for c in passed if c.missed(today)]
        ahead = [c for c in passed if not c.missed(today)
                 and c.created_at.astimezone(self.tz).date() <= c.notice_deadline - timedelta(days=SEEN_AHEAD_DAYS)]
        lines = (f"{both} of {len(in_force)} contracts in force have both an IT and a procurement owner",
                 f"{len(ahead)} of {len(passed)} notice deadlines seen at least {SEEN_AHEAD_DAYS} days ahead; "
                 f"{len(missed)} missed")
        shares = [share for share in (percent(both, len(in_force)), percent(len(ahead), len(passed)))
                  if share is not None]
        return lines, round(sum(shares) / len(shares)) if shares else None

    def _risk(self, start: datetime, now: datetime):
        db = self.store.db
        with_checks, done = 0, 0
        for request_id in requests_repo.ordered_between(db, start, now):
            request = requests_repo.get_request(db, request_id)
            checks = self.risk.checks(request) if request is not None else ()
            if checks:
                with_checks += 1
                done += all(check.done for check in checks)
        lines = (f"{done} of {with_checks} needs ordered with risk checks had every check done",)
        return lines, percent(done, with_checks)

    def _split(self, viewer: str | None, start: datetime):
        stances = self.sourcing.category_stances()
        spend = self.sourcing.spend(viewer, start)
        total = sum((s.amount for s in spend), Decimal(0))
        open_ = sum((s.amount for s in spend if s.category in stances and stances[s.category].stance.addressable),
                    Decimal(0))
        placed = sum((s.amount for s in spend if s.category in stances), Decimal(0))
        open_share = percent(int(open_), int(total))
        lines = (f"{len(stances)} of {len(Category)} categories have IT's stance",
                 f"{open_share if open_share is not None else 0}% of spend is in categories open to suppliers")
        return lines, percent(int(placed), int(total)) if total else (percent(len(stances), len(Category)))

    def _check_ups(self, results, start: datetime, now: datetime):
        """The check-up itself: its flow (health checks that went out in the period against those
        ``TANDEM_HEALTH_CRON`` scheduled in it) and participation in the latest; the score is the
        two shares' average."""
        if results is None:
            return ("No health check has gone out yet.",), None
        db = self.store.db
        expected = self.scheduled_check_ups(start, now)
        held = health_repo.rounds_opened_between(db, start, now)
        asked = schedule_repo.count_delivered(db, "health", "survey", results.survey.month)
        answered = health_repo.count_participants(db, results.survey.id)
        flow = (f"{held} of {expected} scheduled health check{'s' if expected != 1 else ''} went out in the last "
                f"{DAYS} days" if expected else f"No health check was scheduled in the last {DAYS} days "
                f"({held} went out)")
        lines = (flow, f"{answered} of {asked} people asked answered the {results.survey.label} health check")
        shares = ([percent(min(held, expected), expected)] if expected else []) + \
            ([percent(answered, asked)] if asked else [])
        return lines, round(sum(shares) / len(shares)) if shares else None

    def scheduled_check_ups(self, start: datetime, now: datetime) -> int:
        """The health checks ``TANDEM_HEALTH_CRON`` scheduled in ``[start, now)``: the months its
        fire times fall in, since a month has one check-up (a later fire time in the same month
        only sends it to whoever has not had it)."""
        return len({fire.astimezone(self.tz).strftime("%Y-%m")
                    for fire in fire_times(self.settings.health_cron, self.tz, start, now)})

    # --- the rest ---------------------------------------------------------------------------------------

    def _feelings(self):
        latest = health_repo.latest_round(self.store.db)
        return None if latest is None else self.health_summary(latest)

    def health_summary(self, survey):
        from bot.health import summarize

        db = self.store.db
        return summarize(survey, health_repo.answers(db, survey.id), None)

    def _unused_seats(self, today: date) -> tuple[Decimal, int]:
        total, count = Decimal(0), 0
        for contract in self.contracts.deadlines_between(today, today + timedelta(days=RENEWAL_DAYS)):
            unused = unused_seat_cost(contract)
            if not unused:
                continue
            base = to_base(unused, contract.currency, self.settings)
            if base is not None:
                total += base
                count += 1
        return total, count

    # --- the briefing -------------------------------------------------------------------------------------

    def briefing(self, viewer: str | None, place: Place = Place.PRIVATE, now: datetime | None = None,
                 chart: bool = True) -> Briefing:
        card = self.scorecard(viewer, place, now)
        return to_briefing(card, chart)


def to_briefing(card: Scorecard, chart: bool = True) -> Briefing:
    sections = []
    for item in card.indicators:
        data = "—" if item.data is None else f"{item.data}%"
        feeling = "no results yet" if item.feeling is None else f"{item.feeling:.1f} of 5 ({item.feeling_percent}%)"
        sections.append(Section(item.statement, item.lines + (f"From the work: {data} · how it feels: {feeling}",)))
    seats = (f"{money(card.unused_seats, card.currency)} a year in unused seats of {card.unused_contracts} "
             f"contract{'s' if card.unused_contracts != 1 else ''} whose notice deadline is in the next "
             f"{RENEWAL_DAYS} days — negotiate them down") if card.unused_seats is not None else \
        f"{card.unused_contracts} contract{'s' if card.unused_contracts != 1 else ''} with unused seats come up " \
        f"for renewal in the next {RENEWAL_DAYS} days"
    sections.append(Section("Flexible contracts", (seats,)))
    gap = card.largest_gap
    if gap is not None:
        way = "the work is better than it feels" if gap.gap > 0 else "it feels better than the work shows"
        called = (f"{gap.statement} — from the work {gap.data}%, felt {gap.feeling_percent}%: {way}.",)
    else:
        called = ()
    sections.append(Section("Largest gap between data and feeling", called,
                            empty=f"No check-up results to compare yet (from {MIN_ANSWERS} answers up)."))
    chart_png = None
    if chart:
        from bot.chart import scorecard_chart

        chart_png = scorecard_chart(card)
    footer = f"The last {DAYS} days, {card.first} to {card.last}" + \
        (f"; feelings from the {card.check_up} health check." if card.check_up else ".")
    return Briefing("Scorecard: working together, measured", tuple(sections), footer=footer, chart=chart_png)

