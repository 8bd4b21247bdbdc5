"""Wiring: the one place that builds the core's services from settings."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from bot.approvals import ApprovalService, approval_waiting
from bot.chart import flow_chart
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.contract_service import SYSTEM, ContractService, EmailResolver
from bot.health_service import HealthService
from bot.notifier import Notifier
from bot.options import OptionService, Together
from bot.people import People
from bot.permissions import GroupResolver, Roles
from bot.rhythm import RhythmService
from bot.risk import RiskService
from bot.calendar_feed import CalendarFeed
from bot.services import RequestService
from bot.stats import InsightsService
from bot.doctor import Check, Probe, core_checks, run_probes
from bot.visibility import Visibility
from storage import Store


@dataclass
class Core:
    settings: Settings
    store: Store
    clock: Clock
    roles: Roles
    requests: RequestService
    contracts: ContractService
    insights: InsightsService
    approvals: ApprovalService
    rhythm: RhythmService
    health: HealthService
    options: OptionService
    risk: RiskService
    visibility: Visibility
    feed: CalendarFeed
    # `tandem doctor`'s probes of each platform serving this core (added by the platform's setup).
    doctor_probes: list[tuple[str, Probe]] = field(default_factory=list)

    def diagnose(self) -> list[Check]:
        """`/procure doctor`: the core's own checks, then each platform's."""
        return core_checks(self.settings, self.clock.now()) + run_probes(self.doctor_probes)

    def close(self) -> None:
        self.store.close()


def build_core(
    settings: Settings,
    notifier: Notifier,
    clock: Clock | None = None,
    groups: GroupResolver | None = None,
    roles: Roles | None = None,
    resolve_email: EmailResolver | None = None,
) -> Core:
    """``resolve_email`` finds the chat user for an e-mail address (contract owners given as
    e-mail addresses); without it, such owners are stored as the e-mail address itself."""
    clock = clock or SystemClock()
    store = Store(settings.db_path)
    roles = roles or Roles(settings.procurement, settings.admins, groups)
    # A person's accounts on every platform, and their e-mail address, count as them.
    roles.people = People(store, clock)
    # What each viewer may see in each place and which actions they may take, decided once.
    visibility = Visibility(roles, settings.approvers or roles.admins, approval_open=approval_waiting(store),
                            hide_costs=settings.hide_costs)
    requests = RequestService(store, notifier, roles, clock, settings.tz, settings.base_currency, settings.locale,
                              visibility)
    contracts = ContractService(
        store, roles, clock, settings.tz, requests,
        resolve_email=resolve_email, base_currency=settings.base_currency, hide_costs=settings.hide_costs,
        locale=settings.locale, date_order=settings.date_order,
        calendar_domain=settings.calendar_domain, notice_days=settings.notice_days,
    )
    # Cards show the contract a request is linked to (or its vendor's), with the notice deadline.
    requests.linked_contract = contracts.linked
    requests.contract_for_vendor = contracts.contract_id_for_vendor
    rhythm = RhythmService(store, notifier, roles, clock, settings, contracts)
    insights = InsightsService(store, roles, clock, settings.tz)
    approvals = ApprovalService(store, roles, clock, settings, notifier, requests.resync_card, visibility)
    requests.approval_gate = approvals.check
    requests.approval_summary = approvals.summary
    rhythm.chart = lambda: flow_chart(insights.stats(SYSTEM, weeks=8))
    health = HealthService(store, notifier, roles, clock, settings, holder=rhythm.holder)
    rhythm.health = health.digest_section
    options = OptionService(store, roles, clock, settings.base_currency, requests.resync_card, requests.can_see,
                            settings.locale)
    risk = RiskService(store, roles, clock, settings.risk_checks, requests.resync_card)
    # Ordering needs a joint decision (when there are options) and every risk check ticked.
    requests.order_gates += [options.check_order, risk.check_order]
    requests.together_summary = lambda request, redacted: _together(options, risk, request, redacted)
    return Core(settings=settings, store=store, clock=clock, roles=roles, requests=requests, contracts=contracts,
                insights=insights, rhythm=rhythm, approvals=approvals, health=health, options=options, risk=risk,
                visibility=visibility,
                feed=CalendarFeed(store, roles, clock, contracts, settings.public_url, settings.hide_costs))


def _together(options: OptionService, risk: RiskService, request, redacted: bool) -> Together | None:
    together = dataclasses.replace(options.together(request, redacted), checks=risk.checks(request),
                                   sensitivity=request.sensitivity.value)
    return together or None
