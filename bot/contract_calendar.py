"""The contracts as they stand today: the daily roll, the contract in force for a vendor, and
the one audited way a contract is saved (``save``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from bot.clock import Clock, today
from bot.contracts import Contract, ContractInput, ContractStatus, roll_forward
from bot.notifier import LinkedContract
from bot.requests import Request
from storage import Store
from storage import contracts as repo
from storage.requests import add_event

# The actor named in the audit log for what Tandem does by itself (the daily roll).
SYSTEM = "tandem"

_AUDITED = tuple(field.name for field in dataclasses.fields(ContractInput)) + ("status",)



@dataclass(frozen=True)
class RollResult:
    rolled: list[Contract]  # moved forward by their term
    expired: list[Contract]


class ContractCalendar:
    """The contracts as they stand today: rolled forward once a day before anyone reads them.

    The request service reads it (a new need for a vendor under contract is linked to that
    contract; a card shows its deadline) and the contract service builds on it; it needs
    neither, so the two services do not need each other to be built."""

    def __init__(self, store: Store, clock: Clock, tz: ZoneInfo):
        self.store = store
        self.clock = clock
        self.tz = tz
        self._rolled_on: date | None = None

    def today(self) -> date:
        return today(self.clock, self.tz)

    def roll(self, day: date | None = None) -> RollResult:
        """The daily roll: contracts past their end date move forward by their term when they
        auto-renew (or were renewed), and expire otherwise. Safe to run more than once a day."""
        day = day or self.today()
        rolled, expired = [], []
        in_force = tuple(status for status in ContractStatus if status.in_force)
        now = self.clock.now()
        with self.store.write() as db:
            for before in repo.ended_before(db, day, in_force):
                outcome = roll_forward(before, day)
                if outcome is None:
                    continue
                after = dataclasses.replace(before, end_date=outcome.end_date, status=outcome.status, updated_at=now,
                                            term_from=None if outcome.expired else before.term_from or before.end_date)
                if outcome.expired:
                    save(db, before, after, SYSTEM, "expired")
                    expired.append(after)
                else:
                    save(db, before, after, SYSTEM, "rolled forward")
                    rolled.append(after)
        self._rolled_on = day
        return RollResult(rolled, expired)

    def roll_if_new_day(self) -> None:
        """Keeps what people see current even before the daily schedule has run."""
        if self._rolled_on != self.today():
            self.roll()

    def active_for_vendor(self, vendor: str) -> Contract | None:
        """The contract in force for a vendor name (case-insensitive); with several, the one
        whose notice deadline comes first."""
        if not vendor or not vendor.strip():
            return None
        self.roll_if_new_day()
        in_force = tuple(status for status in ContractStatus if status.in_force)
        found = repo.for_vendor(self.store.db, vendor, in_force)
        return min(found, key=lambda c: (c.notice_deadline, c.id)) if found else None

    def contract_id_for_vendor(self, vendor: str) -> int | None:
        contract = self.active_for_vendor(vendor)
        return contract.id if contract else None

    def linked(self, request: Request) -> LinkedContract | None:
        """The contract to show on a request's card: its own linked contract while in force,
        otherwise the contract in force for its preferred vendor."""
        contract = None
        if request.contract_id:
            contract = repo.get_contract(self.store.db, request.contract_id)
            if contract is not None and not contract.status.in_force:
                contract = None
        if contract is None:
            contract = self.active_for_vendor(request.preferred_vendor)
        if contract is None:
            return None
        return LinkedContract(
            id=contract.id,
            vendor=contract.vendor,
            product=contract.product,
            end_date=contract.end_date,
            notice_deadline=contract.notice_deadline,
            days_left=contract.days_left(self.today()),
            auto_renew=contract.auto_renew,
        )


def save(db, before: Contract, after: Contract, actor: str, action: str) -> None:
    """Saves a changed contract with one audit event naming the fields that changed."""
    repo.save_contract(db, after)
    old, new = audited_fields(before), audited_fields(after)
    changed = [name for name in _AUDITED if old[name] != new[name]]
    add_event(db, "contract", after.id, after.updated_at, actor, action,
              {name: old[name] for name in changed}, {name: new[name] for name in changed})


def audited_fields(contract: Contract) -> dict:
    """The audited fields of a contract as plain values (what its events record)."""
    return {name: _plain(getattr(contract, name)) for name in _AUDITED}


def _plain(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value.value if isinstance(value, ContractStatus) else value
    return str(value)
