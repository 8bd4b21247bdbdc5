"""Wiring: the one place that builds the core's services from settings.

Each service is given what it needs when it is built, so nothing can be forgotten: the
order below is the order of their dependencies. Changes to requests reach the cards and
personal views through ``Core.events`` (``bot.events.RequestChanged``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.approvals import ApprovalService, approval_waiting
from bot.calendar_feed import CalendarFeed
from bot.cards import Cards, CardThreads
from bot.mirrors import ThreadMirrors
from bot.chart import flow_chart
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.contract_calendar import SYSTEM, ContractCalendar
from bot.contract_service import ContractService, EmailResolver
from bot.doctor import Check, Probe, core_checks, run_probes
from bot.events import Events
from bot.health_service import HealthService
from bot.notifier import CardNotifier, Notifier
from bot.option_service import OptionService
from bot.options import Together
from bot.people_service import People
from bot.permissions import GroupResolver, Roles
from bot.request_service import RequestService
from bot.format import set_shared_locale
from bot.renewals import Renewals
from bot.replays import Replays
from bot.risk import RiskService
from bot.schedule_service import ScheduleService, default_holder
from bot.scorecard import ScorecardService
from bot.sourcing import SourcingService
from bot.stats import StatsService
from bot.target_service import TargetService
from bot.sync import SyncService
from bot.visibility import NOBODY, Place, Visibility
from storage import Store


# The name a lone notifier's cards are kept under (a core built for tests or one console).
DEFAULT_PLATFORM = "chat"


@dataclass
class Core:
    settings: Settings
    store: Store
    clock: Clock
    events: Events
    people: People
    roles: Roles
    requests: RequestService
    contracts: ContractService
    stats: StatsService
    approvals: ApprovalService
    schedule: ScheduleService
    health: HealthService
    options: OptionService
    risk: RiskService
    visibility: Visibility
    feed: CalendarFeed
    replays: Replays
    sync: SyncService
    targets: TargetService
    sourcing: SourcingService
    scorecard: ScorecardService
    cards: Cards  # each request's card on each platform (every platform alike)
    notifier: Notifier  # reaching people: DMs, and the shared channel's digests and briefings
    renewals: Renewals  # fulfilling a renewal request sets its contract's new term
    # `tandem doctor`'s probes of each platform serving this core.
    doctor_probes: list[tuple[str, Probe]] = field(default_factory=list)

    def diagnose(self) -> list[Check]:
        """`/procure doctor`: the core's own checks, then each platform's."""
        return core_checks(self.settings, self.clock.now()) + run_probes(self.doctor_probes)

    def close(self) -> None:
        self.replays.close()
        self.store.close()


def build_core(
    settings: Settings,
    notifier: Notifier,
    clock: Clock | None = None,
    groups: GroupResolver | None = None,
    roles: Roles | None = None,
    resolve_email: EmailResolver | None = None,
    holder: str | None = None,
    probes: Sequence[tuple[str, Probe]] = (),
    card_platforms: Mapping[str, CardNotifier] | None = None,
) -> Core:
    """``resolve_email`` finds the chat user for an e-mail address (contract owners given as
    e-mail addresses); without it, such owners are stored as the e-mail address itself.
    ``roles`` replaces the role entries of ``settings`` (the command line acts as an admin).
    ``probes`` are ``tandem doctor``'s checks of the platforms serving this core.
    ``card_platforms`` are the platforms that show request cards, by name; by default the
    notifier's own cards (as platform ``chat``) when it shows cards, otherwise none."""
    clock = clock or SystemClock()
    set_shared_locale(settings.locale)  # amounts where everyone reads; private views use the viewer's
    store = Store(settings.db_path)
    events = Events()
    # A person's accounts on every platform, and their e-mail address, count as them.
    people = People(store, clock)
    roles = (roles or Roles(settings.procurement, settings.admins, groups)).with_people(people)
    # What each viewer may see in each place and which actions they may take, decided once.
    visibility = Visibility(roles, settings.approvers or roles.admins, approval_open=approval_waiting(store),
                            hide_costs=settings.hide_costs)
    if card_platforms is None:
        card_platforms = {DEFAULT_PLATFORM: notifier} if isinstance(notifier, CardNotifier) else {}
    threads = CardThreads(store, card_platforms)
    calendar = ContractCalendar(store, clock, settings.tz)
    approvals = ApprovalService(store, roles, clock, settings, notifier, threads, events, visibility)
    options = OptionService(store, roles, clock, settings.base_currency, events, visibility, settings.locale)
    risk = RiskService(store, roles, clock, settings.risk_checks, events, visibility)
    # Each side's measures of success; savings are recorded as a request is ordered.
    targets = TargetService(store, clock, settings)
    # Ordering needs a joint decision (when there are options) and every risk check ticked.
    requests = RequestService(store, threads, roles, clock, settings.tz, events, approvals, calendar,
                              visibility, order_gates=(options.check_order, risk.check_order),
                              order_hooks=(targets.record_order,),
                              base_currency=settings.base_currency, locale=settings.locale,
                              mirrors=ThreadMirrors(store, card_platforms, visibility, people.display_name))
    contracts = ContractService(
        store, roles, clock, settings.tz, calendar, requests, people,
        resolve_email=resolve_email, base_currency=settings.base_currency, hide_costs=settings.hide_costs,
        locale=settings.locale, date_order=settings.date_order,
        calendar_domain=settings.calendar_domain, notice_days=settings.notice_days,
    )
    # Cards show the contract a request is linked to (or its vendor's), its approval state,
    # and how the decision is made together (options, risk checks).
    cards = Cards(store, card_platforms, visibility, linked=calendar.linked, approval=approvals.summary,
                  together=lambda request, redacted: _together(options, risk, request, redacted))
    events.subscribe(cards.request_changed)
    events.subscribe(contracts.request_changed)  # a fulfilled renewal request marks its contract renewed
    stats = StatsService(store, roles, clock, settings.tz, targets)
    holder = holder or default_holder()
    sourcing = SourcingService(store, notifier, clock, settings, visibility, holder)
    health = HealthService(store, notifier, roles, clock, settings, holder=holder)
    scorecard = ScorecardService(store, roles, clock, settings, contracts, risk, sourcing, visibility, notifier,
                                 holder)
    # The first digest of each month carries the scorecard as the channel may see it.
    schedule = ScheduleService(store, notifier, roles, clock, settings, contracts,
                               chart=lambda: flow_chart(stats.stats(SYSTEM, weeks=8)),
                               health=health.digest_section,
                               scorecard=lambda now: scorecard.briefing(NOBODY, Place.CHANNEL, now), holder=holder)
    return Core(settings=settings, store=store, clock=clock, events=events, people=people, roles=roles,
                requests=requests, contracts=contracts, stats=stats, approvals=approvals, schedule=schedule,
                health=health, options=options, risk=risk, visibility=visibility, replays=Replays(store, clock),
                notifier=notifier,
                doctor_probes=list(probes),
                feed=CalendarFeed(store, roles, clock, contracts, settings.public_url, settings.hide_costs),
                sync=SyncService(store, notifier, roles, clock, settings, contracts, health, holder=holder),
                targets=targets, cards=cards,
                sourcing=sourcing,
                scorecard=scorecard,
                renewals=Renewals(store, requests, clock, settings.base_currency, settings.locale))


def _together(options: OptionService, risk: RiskService, request, redacted: bool) -> Together | None:
    together = dataclasses.replace(options.together(request, redacted), checks=risk.checks(request),
                                   sensitivity=request.sensitivity.value)
    return together or None
