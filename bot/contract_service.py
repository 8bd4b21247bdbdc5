"""The contract calendar's rules, enforced in one place for every platform.

Each change runs in one write transaction that checks permission and state, saves the
contract and appends one audit event (subject ``contract``). Procurement members and a
contract's owners may change it; anyone may view it; procurement adds and imports.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from bot.calendar import UID_DOMAIN, contract_calendar
from bot.clock import Clock, today
from bot.contracts import (
    Contract,
    ContractDetails,
    ContractInput,
    ContractStatus,
    Deadline,
    OwnerResolver,
    FIELDS,
    KEEP,
    contract_form,
    parse_contract,
)
from bot.contract_sheets import export_rows, format_csv, parse_sheet, read_sheet
from bot.contract_calendar import SYSTEM, ContractCalendar, RollResult, audited_fields, save
from bot.money import DEFAULT_LOCALE
from bot.sheets import read_csv, read_table, write_xlsx
from bot.errors import BadInput, InvalidTransition, NotFound
from bot.events import RequestChanged
from bot.people import looks_like_chat_user, typed_user
from bot.notifier import LinkedContract
from bot.permissions import Action, Roles, authorize
from bot.requests import DETAILS_MAX, Request, Status
from bot.visibility import Place
from bot.request_service import RequestService
from storage import Store
from storage import contracts as repo
from storage.requests import add_event, events_for

# Finds the chat user with an e-mail address (Slack: users.lookupByEmail); None if nobody.
EmailResolver = Callable[[str], "str | None"]


class PersonByEmail(Protocol):
    def person_for_email(self, email: str) -> str | None:
        """The person Tandem met on any platform with this e-mail address."""

@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    warnings: tuple[str, ...] = ()  # how the file was read: an encoding guessed, columns left out

    def __str__(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"

    @property
    def report(self) -> str:
        """The counts and every warning, one per line."""
        return "\n".join([str(self), *self.warnings])


@dataclass(frozen=True)
class Renewal:
    contract: Contract
    request: Request


class ContractService:
    def __init__(
        self,
        store: Store,
        roles: Roles,
        clock: Clock,
        tz: ZoneInfo,
        calendar: ContractCalendar,
        requests: RequestService,
        people: PersonByEmail,
        resolve_email: EmailResolver | None = None,
        base_currency: str = "USD",
        hide_costs: bool = False,
        locale: str = DEFAULT_LOCALE,
        date_order: str | None = None,
        calendar_domain: str = UID_DOMAIN,
        notice_days: tuple[int, ...] = (),
    ):
        self.store = store
        self.roles = roles
        self.clock = clock
        self.tz = tz
        self.contracts = calendar
        self.requests = requests
        self.people = people
        self.resolve_email = resolve_email
        self.base_currency = base_currency
        self.hide_costs = hide_costs
        self.locale = locale  # how amounts are written when the person's own locale is not known
        self.date_order = date_order  # DMY or MDY for text dates in files; None: only unambiguous ones
        self.calendar_domain = calendar_domain  # the .ics UIDs' domain
        self.notice_days = notice_days  # the .ics alarms: one at each notice threshold

    def today(self) -> date:
        return today(self.clock, self.tz)

    # --- reading -------------------------------------------------------------------------

    def get(self, contract_id: int) -> Contract:
        self._roll_if_new_day()
        contract = repo.get_contract(self.store.db, contract_id)
        if contract is None:
            raise NotFound(f"There is no contract {contract_id}.")
        return contract

    def show(self, actor: str, contract_id: int, place: Place = Place.PRIVATE) -> ContractDetails:
        """The contract, its history and its linked requests, as ``actor`` may see them in
        ``place`` (a confidential linked request shows only its number, category, status, owner)."""
        contract = self.get(contract_id)
        authorize(self.roles, actor, Action.VIEW)
        db = self.store.db
        item = ContractDetails(
            contract,
            events_for(db, "contract", contract_id),
            repo.linked_requests(db, contract_id),
            self.today(),
            costs_visible=self.costs_visible(actor),
        )
        return self.requests.visibility.contract_details(actor, item, place)

    def all(self) -> list[Contract]:
        self._roll_if_new_day()
        return repo.list_contracts(self.store.db)

    def owned_by(self, user: str) -> list[Contract]:
        """Contracts in force that ``user`` owns (IT or procurement side)."""
        self._roll_if_new_day()
        in_force = tuple(status for status in ContractStatus if status.in_force)
        return repo.list_contracts(self.store.db, in_force, owner=user)

    def upcoming(self, actor: str, days: int = 90) -> list[Deadline]:
        """Missed notice deadlines first (passed, the contract still runs), then those from
        today to ``days`` ahead, soonest first, of contracts still awaiting a decision."""
        return self.upcoming_page(actor, days, limit=None)[0]

    def upcoming_page(self, actor: str, days: int = 90, limit: int | None = None) -> tuple[list[Deadline], int]:
        """``upcoming``, the first ``limit`` of them, and how many there are in all: selected
        and paged in the database, so a list that shows 48 builds 48."""
        authorize(self.roles, actor, Action.VIEW)
        now = self.today()
        self._roll_if_new_day()
        waiting = tuple(status for status in ContractStatus if status.awaits_decision)
        contracts, total = repo.awaiting_decision_page(self.store.db, now, now + timedelta(days=days), waiting, limit)
        return [Deadline(contract, contract.notice_deadline, contract.days_left(now)) for contract in contracts], total

    def missed(self, day: date | None = None) -> list[Contract]:
        """Contracts awaiting a decision whose notice deadline has passed while they still
        run (until the end date rolls or expires them), after the daily roll."""
        day = day or self.today()
        self._roll_if_new_day()
        waiting = tuple(status for status in ContractStatus if status.awaits_decision)
        passed = repo.notice_deadlines_between(self.store.db, date.min, day - timedelta(days=1), waiting)
        return [contract for contract in passed if contract.missed(day)]

    def awaiting_decision(self, first: date, last: date) -> list[Contract]:
        """The missed ones (as of ``first``) and those whose notice deadline is from ``first`` to ``last``."""
        return self.missed(first) + self.deadlines_between(first, last)

    def deadlines_between(self, first: date, last: date) -> list[Contract]:
        """Contracts awaiting a decision (active or renewing) whose notice deadline falls from
        ``first`` to ``last``, after the daily roll."""
        self._roll_if_new_day()
        waiting = tuple(status for status in ContractStatus if status.awaits_decision)
        return repo.notice_deadlines_between(self.store.db, first, last, waiting)

    def costs_visible(self, actor: str) -> bool:
        """With ``TANDEM_HIDE_COSTS``, contract costs are shown only to procurement and admins."""
        return self.requests.visibility.costs_visible(actor)

    def active_for_vendor(self, vendor: str) -> Contract | None:
        return self.contracts.active_for_vendor(vendor)

    def contract_id_for_vendor(self, vendor: str) -> int | None:
        return self.contracts.contract_id_for_vendor(vendor)

    def linked(self, request: Request) -> LinkedContract | None:
        return self.contracts.linked(request)

    def edit_form(self, actor: str, contract_id: int) -> dict[str, str]:
        """The contract's current values for an edit form, after checking ``actor`` may edit."""
        contract = self.get(contract_id)
        self._authorize_change(actor, contract)
        return contract_form(contract)

    def check_can_add(self, actor: str) -> None:
        authorize(self.roles, actor, Action.ADD_CONTRACT)

    # --- changing ------------------------------------------------------------------------

    def add(self, actor: str, form: dict, locale: str | None = None) -> Contract:
        authorize(self.roles, actor, Action.ADD_CONTRACT)
        data = parse_contract(form, self.base_currency, self._owner_resolver(), locale=locale or self.locale)
        now = self.clock.now()
        with self.store.write() as db:
            existing = repo.find_by_name(db, data.vendor, data.product)
            if existing is not None:
                raise BadInput(
                    f"There is already a contract for {existing.name} ({existing.number}); edit it instead.",
                    field="product",
                )
            contract = repo.insert_contract(db, _new_contract(data, now))
            add_event(db, "contract", contract.id, now, actor, "added", {}, audited_fields(contract))
        return contract

    def edit(self, actor: str, contract_id: int, form: dict, locale: str | None = None) -> Contract:
        data = parse_contract(form, self.base_currency, self._owner_resolver(), locale=locale or self.locale)
        now = self.clock.now()
        with self.store.write() as db:
            before = self._load(db, contract_id)
            self._authorize_change(actor, before)
            other = repo.find_by_name(db, data.vendor, data.product)
            if other is not None and other.id != before.id:
                raise BadInput(f"There is already a contract for {other.name} ({other.number}).", field="product")
            after = _reactivated(_with_input(before, data), self.today())
            if audited_fields(after) == audited_fields(before):
                return before
            self._save(db, before, dataclasses.replace(after, updated_at=now), actor, "edited")
        return self.get(contract_id)

    def cancel(self, actor: str, contract_id: int) -> Contract:
        """Marks a contract cancelled: notice is given, it runs out at its end date."""
        return self._move(actor, contract_id, ContractStatus.CANCELLED, "cancelled")

    def request_changed(self, event: RequestChanged) -> None:
        """Fulfilling a renewal request decides the renewal: its contract, still renewing, is
        marked renewed (by Tandem, naming the request), and rolls into its next term at its
        end date. New terms (end date, cost) are set with ``contract edit``."""
        request = self.requests.get(event.request_id)
        if request.status is not Status.FULFILLED or request.contract_id is None:
            return
        with self.store.write() as db:
            before = repo.get_contract(db, request.contract_id)
            if before is None or before.status is not ContractStatus.RENEWING:
                return
            after = dataclasses.replace(before, status=ContractStatus.RENEWED, updated_at=self.clock.now())
            self._save(db, before, after, SYSTEM, f"renewed ({request.number} fulfilled)")

    def mark_renewed(self, actor: str, contract_id: int) -> Contract:
        """The renewal is decided: at its end date the contract rolls into the next term."""
        return self._move(actor, contract_id, ContractStatus.RENEWED, "renewed")

    def start_renewal(self, actor: str, contract_id: int) -> Renewal:
        """Marks the contract renewing and opens a request linked to it (its card is posted)."""
        now = self.clock.now()
        with self.store.write() as db:
            before = self._load(db, contract_id)
            self._authorize_change(actor, before)
            if before.status is ContractStatus.RENEWING:
                open_ = [r for r in repo.linked_requests(db, contract_id) if r.is_open]
                where = f" in request {open_[0].number}" if open_ else ""
                raise InvalidTransition(f"{before.name} ({before.number}) is already being renewed{where}.")
            if before.status is not ContractStatus.ACTIVE:
                raise InvalidTransition(
                    f"{before.name} ({before.number}) is {before.status.value}; only an active contract can start a renewal."
                )
            # Claim the renewal first, so two people pressing the button at once open one request.
            after = dataclasses.replace(before, status=ContractStatus.RENEWING, updated_at=now)
            self._save(db, before, after, actor, "renewal started")
        try:
            request = self.requests.create(actor, self._renewal_form(after), contract_id=contract_id)
        except Exception:
            with self.store.write() as db:
                current = self._load(db, contract_id)
                back = dataclasses.replace(current, status=before.status, updated_at=self.clock.now())
                self._save(db, current, back, SYSTEM, "renewal not started")
            raise
        return Renewal(self.get(contract_id), request)

    def roll(self, day: date | None = None) -> RollResult:
        return self.contracts.roll(day)

    def import_csv(self, actor: str, text: str, *, locale: str | None = None,
                   date_order: str | None = None) -> ImportResult:
        """Imports a contracts CSV given as text (see ``import_file``)."""
        authorize(self.roles, actor, Action.ADD_CONTRACT)  # procurement imports, as it adds contracts
        return self._import(actor, read_sheet(lambda: read_csv(text)), locale, date_order)

    def import_file(self, actor: str, data: bytes, name: str = "", *, locale: str | None = None,
                    date_order: str | None = None) -> ImportResult:
        """Imports a contracts file (.csv in any common dialect and encoding, or .xlsx), all
        or nothing (``ImportRejected`` lists every problem by spreadsheet row and column).

        A row whose vendor and product match a stored contract (case-insensitively)
        updates it; other rows add contracts. Amounts written as text are read in
        ``locale``, text dates in ``date_order`` (both default to the configured ones)."""
        authorize(self.roles, actor, Action.ADD_CONTRACT)  # procurement imports, as it adds contracts
        return self._import(actor, read_sheet(lambda: read_table(data, name)), locale, date_order)

    def _import(self, actor: str, table, locale: str | None, date_order: str | None) -> ImportResult:
        # Validate (and look owners up) before taking the write lock.
        sheet = parse_sheet(table, self.base_currency, self._owner_resolver(), locale=locale or self.locale,
                            date_order=date_order or self.date_order)
        rows = sheet.rows
        now = self.clock.now()
        day = self.today()
        added = updated = unchanged = 0
        with self.store.write() as db:
            for row in rows:
                data = row.contract
                before = repo.find_by_name(db, data.vendor, data.product)
                if before is None:
                    contract = repo.insert_contract(db, _new_contract(data, now))
                    add_event(db, "contract", contract.id, now, actor, "imported", {}, audited_fields(contract))
                    added += 1
                    continue
                after = _reactivated(_with_input(before, data), day)
                if audited_fields(after) == audited_fields(before):
                    unchanged += 1
                    continue
                self._save(db, before, dataclasses.replace(after, updated_at=now), actor, "updated by import")
                updated += 1
        return ImportResult(added, updated, unchanged, tuple(sheet.warnings) + _unreachable(rows))

    def export_csv(self, *, excel: bool = False) -> str:
        """Every contract in the import format; importing it back gives the same contracts.
        ``excel`` starts it with the byte-order mark Excel needs to read UTF-8."""
        return ("\ufeff" if excel else "") + format_csv(self.all())

    def export_xlsx(self) -> bytes:
        """Every contract as an .xlsx workbook in the import format, dates and numbers typed."""
        return write_xlsx(FIELDS, export_rows(self.all()))

    def record_seats(self, actor: str, contract_id: int, used: int) -> Contract:
        """``/procure contract seats N USED``: the seats in use now (procurement and the
        contract's owners), in the contract's history."""
        if not 0 <= used <= 1_000_000:
            raise BadInput("Seats in use are a whole number from 0 to 1,000,000.")
        now = self.clock.now()
        with self.store.write() as db:
            before = self._load(db, contract_id)
            self._authorize_change(actor, before)
            if before.seats is None:
                raise BadInput(f"{before.name} ({before.number}) has no licensed seats; give them first "
                               f"(`contract edit {before.id}`).")
            after = dataclasses.replace(before, seats_used=used, updated_at=now)
            self._save(db, before, after, actor, "seats recorded")
        return after

    def calendar(self, actor: str, person: Callable[[str], str] = lambda user: user) -> bytes:
        """The contract calendar as an ``.ics`` file (costs only for those who may see them)."""
        authorize(self.roles, actor, Action.VIEW)
        return self.ics(include_costs=self.costs_visible(actor), person=person)

    def ics(self, *, include_costs: bool, person: Callable[[str], str] = lambda user: user) -> bytes:
        """Every contract's notice deadline and end date as iCalendar, with alarms at the
        notice thresholds (no permission check: callers decide who gets it)."""
        return contract_calendar(self.all(), include_costs=include_costs, person=person, domain=self.calendar_domain,
                                 alarms=self.notice_days)

    # --- internals -----------------------------------------------------------------------

    def _roll_if_new_day(self) -> None:
        self.contracts.roll_if_new_day()

    def _load(self, db, contract_id: int) -> Contract:
        contract = repo.get_contract(db, contract_id)
        if contract is None:
            raise NotFound(f"There is no contract {contract_id}.")
        return contract

    def _authorize_change(self, actor: str, contract: Contract) -> None:
        self.requests.visibility.require(actor, Action.MANAGE_CONTRACT, contract)

    def _save(self, db, before: Contract, after: Contract, actor: str, action: str) -> None:
        save(db, before, after, actor, action)

    def _move(self, actor: str, contract_id: int, target: ContractStatus, action: str) -> Contract:
        now = self.clock.now()
        with self.store.write() as db:
            before = self._load(db, contract_id)
            self._authorize_change(actor, before)
            if before.status is target:
                raise InvalidTransition(f"{before.name} ({before.number}) is already {target.value}.")
            if not before.status.in_force:
                raise InvalidTransition(f"{before.name} ({before.number}) is {before.status.value}; it can no longer change status.")
            after = dataclasses.replace(before, status=target, updated_at=now)
            self._save(db, before, after, actor, action)
        return after

    def _owner_resolver(self) -> OwnerResolver:
        """User IDs are kept; an e-mail address is the platforms' user with it (each address
        looked up once per form or file), else the person Tandem met with it; with no
        platform to look it up in, an unknown address is kept as it is."""
        cache: dict[str, str | None] = {}

        def resolve(text: str) -> str | None:
            if user := typed_user(text):
                return user
            email = text.lower()
            if email not in cache:
                found = self.resolve_email(email) if self.resolve_email is not None else None
                found = found or self.people.person_for_email(email)
                cache[email] = found or (email if self.resolve_email is None else None)
            return cache[email]

        return resolve

    def _renewal_form(self, contract: Contract) -> dict[str, str]:
        """The need a renewal starts with: the contract's vendor, seats and cost, needed by
        its notice deadline (or its end date once the deadline has passed)."""
        now = self.today()
        needed_by = next((day for day in (contract.notice_deadline, contract.end_date) if day >= now), None)
        left = contract.days_left(now)
        urgency = "critical" if left <= 7 else "high" if left <= 30 else "normal"
        renew = f"auto-renews for {contract.term_months} months" if contract.auto_renew else "does not auto-renew"
        details = (
            f"Renewal of {contract.number}: {contract.name} ends {contract.end_date} ({renew}); "
            f"notice deadline {contract.notice_deadline}."
        )
        if contract.notes:
            details += f"\nNotes: {contract.notes}"
        if len(details) > DETAILS_MAX:  # long notes are cut, so the renewal request still validates
            details = details[: DETAILS_MAX - 1] + "…"
        return {
            "title": f"Renew {contract.name}"[:150],
            "details": details,
            "category": "other",
            "quantity": str(contract.seats or 1),
            "estimated_cost": str(contract.annual_cost) if contract.annual_cost else "",
            "currency": contract.currency,
            "needed_by": needed_by.isoformat() if needed_by else "",
            "urgency": urgency,
            "sensitivity": "internal",
            "preferred_vendor": contract.vendor,
        }


def _unreachable(rows) -> tuple[str, ...]:
    """Owners stored as e-mail addresses that match no chat account: they get no reminders."""
    rows_of: dict[str, list[int]] = {}
    for row in rows:
        for owner in (row.contract.it_owner, row.contract.procurement_owner):
            if owner and not looks_like_chat_user(owner):
                rows_of.setdefault(owner, []).append(row.line)
    if not rows_of:
        return ()
    shown = "; ".join(f"{owner} (row{'s' if len(lines) > 1 else ''} {', '.join(map(str, sorted(set(lines))))})"
                      for owner, lines in sorted(rows_of.items())[:20])
    more = f"; and {len(rows_of) - 20} more" if len(rows_of) > 20 else ""
    return (f"These owners match no chat account, so they get no reminders until the contract names their chat "
            f"user (or the file is imported with Slack connected): {shown}{more}.",)


def _new_contract(data: ContractInput, now) -> Contract:
    values = dataclasses.asdict(data)
    if values["seats_used"] == KEEP:
        values["seats_used"] = None
    return Contract(id=0, **values, status=ContractStatus.ACTIVE, created_at=now, updated_at=now)


def _with_input(before: Contract, data: ContractInput) -> Contract:
    """``before`` with a form's or a file's values; a new end date or term is where the terms
    are counted from again."""
    values = dataclasses.asdict(data)
    if values["seats_used"] == KEEP:  # a form or file without the field keeps what is stored
        values["seats_used"] = before.seats_used
    after = dataclasses.replace(before, **values)
    if (after.end_date, after.term_months) != (before.end_date, before.term_months):
        after = dataclasses.replace(after, term_from=None)
    return after


def _reactivated(contract: Contract, day: date) -> Contract:
    """An expired contract given an end date that has not passed runs again."""
    if contract.status is ContractStatus.EXPIRED and contract.end_date >= day:
        return dataclasses.replace(contract, status=ContractStatus.ACTIVE)
    return contract
