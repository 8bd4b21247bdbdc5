"""Shared targets' service: records savings at ``ordered`` and measures each target by month.

The rules (what is measured, how) are in ``bot.targets``; this module reads the database.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from bot.approvals import to_base
from bot.clock import Clock
from bot.config import Settings
from bot.money import Amount
from bot.options import joint_decision
from bot.requests import Request
from bot.targets import MonthResult, Saving, by_month, months_between
from storage import Store
from storage import options as options_repo
from storage import requests as requests_repo
from storage import targets as repo
from storage.requests import add_event

log = logging.getLogger(__name__)


class TargetService:
    def __init__(self, store: Store, clock: Clock, settings: Settings):
        self.store = store
        self.clock = clock
        self.settings = settings
        self.targets = settings.targets
        self.tz = settings.tz

    def record_order(self, db, request: Request, now: datetime, actor: str, price: Amount | None = None) -> None:
        """Called in the transaction that moves ``request`` to ``ordered``: records what was
        saved (once per request) when there is a baseline and a final price in the base currency."""
        options = options_repo.options_for(db, request.id)
        decided = _decided(db, request)
        baseline = basis = final = None
        if options:
            first = options[0]
            baseline, basis = to_base(first.price, first.currency, self.settings), "first quote"
        elif request.estimated_cost is not None:
            baseline, basis = to_base(request.estimated_cost, request.currency, self.settings), "estimate"
        if price is not None:
            final = to_base(price.value, price.currency or self.settings.base_currency, self.settings)
        elif decided is not None:
            chosen = next(option for option in options if option.letter == decided)
            final = to_base(chosen.price, chosen.currency, self.settings)
        elif request.estimated_cost is not None and not options:
            final = baseline  # ordered at the estimate: nothing saved, nothing lost
        if baseline is None or final is None:
            log.info("%s ordered without a saving recorded (no baseline or final price in %s)", request.number,
                     self.settings.base_currency)
            return
        saving = Saving(request.id, request.category.value, baseline, final, basis, now)
        if repo.add_saving(db, saving):
            add_event(db, "request", request.id, now, actor, "saving recorded", {},
                      {"baseline": str(baseline), "final": str(final), "basis": basis,
                       "currency": self.settings.base_currency})

    def savings_between(self, first: datetime, last: datetime) -> list[Saving]:
        return repo.savings_between(self.store.db, first, last)

    def by_month(self, first: date, last: date) -> list[MonthResult]:
        """Every configured target against the actual, for each month from ``first`` to ``last``."""
        if not self.targets.any:
            return []
        months = months_between(first, last)
        start = datetime.combine(first.replace(day=1), time(0), self.tz)
        end = datetime.combine(last + timedelta(days=1), time(0), self.tz)
        db = self.store.db
        requests = requests_repo.requests_touching(db, start)
        events = requests_repo.events_for_requests(db, [request.id for request in requests])
        return by_month(self.targets, requests, events, repo.savings_between(db, start, end), months, self.tz)


def _decided(db, request: Request) -> str | None:
    decided, _ = joint_decision(request, tuple(options_repo.signoffs_for(db, request.id)))
    return decided
