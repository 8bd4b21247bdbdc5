"""Fulfilling a renewal request decides the contract's new term: its new end date and annual
cost are asked for (defaulting to the end date plus the renewal term, and the current cost) and
set with the request's move to ``fulfilled``, in one transaction.

A request is a renewal while it is linked to a contract that is being renewed (``contract
renew N`` opened it). The contract then runs in its new term: ``active`` again, its next
notice deadline counted from the new end date; the audit log records it as renewed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.clock import Clock
from bot.contract_calendar import save
from bot.contracts import Contract, ContractStatus, add_months
from bot.errors import BadInput, InvalidTransition
from bot.money import DEFAULT_LOCALE, format_plain
from bot.permissions import Action
from bot.request_service import RequestService
from bot.requests import Request, Status, check_transition
from bot.text import clean_text
from bot.parsing import parse_cost, parse_date
from storage import Store
from storage import contracts as repo

# The form's fields (also the keys of ``status N fulfilled end=… cost=…``).
FIELDS = ("end_date", "annual_cost", "currency")
# What ``status N fulfilled`` accepts after the status, as ``key=value``.
KEYS = {"end": "end_date", "cost": "annual_cost", "currency": "currency"}


@dataclass(frozen=True)
class NewTerm:
    end_date: date
    annual_cost: Decimal | None
    currency: str


@dataclass(frozen=True)
class RenewalForm:
    """What the renewal form shows: the contract, and its fields' values (plain strings)."""

    request: Request
    contract: Contract
    values: dict[str, str]


class Renewals:
    def __init__(self, store: Store, requests: RequestService, clock: Clock,
                 base_currency: str = "USD", locale: str = DEFAULT_LOCALE):
        self.store = store
        self.requests = requests
        self.clock = clock
        self.base_currency = base_currency
        self.locale = locale

    def contract_of(self, request: Request) -> Contract | None:
        """The contract ``request`` renews: its linked contract, while that is being renewed."""
        if request.contract_id is None:
            return None
        contract = repo.get_contract(self.store.db, request.contract_id)
        return contract if contract is not None and contract.status is ContractStatus.RENEWING else None

    def form(self, actor: str, request_id: int, locale: str | None = None) -> RenewalForm | None:
        """The form to fulfil a renewal request, once ``actor`` may move it to ``fulfilled``
        now; ``None`` when the request renews no contract (it is fulfilled like any other)."""
        request = self.requests.get(request_id)
        contract = self.contract_of(request)
        if contract is None:
            return None
        self.requests.visibility.require(actor, Action.CHANGE_STATUS, request)
        check_transition(request, Status.FULFILLED)
        cost = contract.annual_cost
        values = {
            "end_date": add_months(contract.end_date, contract.term_months).isoformat(),
            "annual_cost": format_plain(cost, locale or self.locale) if cost is not None else "",
            "currency": contract.currency,
        }
        return RenewalForm(request, contract, values)

    def parse(self, contract: Contract, form: dict, locale: str | None = None) -> NewTerm:
        """The new term from the form; ``BadInput`` with one message per bad field."""
        errors: dict[str, str] = {}
        end = None
        raw = clean_text(form.get("end_date"), 50)
        if not raw:
            errors["end_date"] = "Give the new end date (YYYY-MM-DD)."
        else:
            try:
                end = parse_date(raw)
            except BadInput as error:
                errors["end_date"] = error.message
            else:
                if end <= contract.end_date:
                    errors["end_date"] = (f"The new end date must be after the current one "
                                          f"({contract.end_date.isoformat()}).")
        cost, currency = parse_cost(form, "annual_cost", "Annual cost", errors, contract.currency or self.base_currency,
                                    locale=locale or self.locale)
        if errors:
            raise BadInput(next(iter(errors.values())), errors=errors)
        return NewTerm(end, cost, currency)

    def fulfil(self, actor: str, request_id: int, form: dict, locale: str | None = None) -> Contract:
        """Moves the renewal request to ``fulfilled`` and gives its contract the new term, both
        or neither."""
        request = self.requests.get(request_id)
        contract = self.contract_of(request)
        if contract is None:
            raise InvalidTransition(f"{request.number} renews no contract that is being renewed; "
                                    f"move it to fulfilled without an end date and cost.")
        term = self.parse(contract, form, locale)
        now = self.clock.now()

        def renew(db, before: Request) -> None:
            current = repo.get_contract(db, contract.id)
            if current is None or current.status is not ContractStatus.RENEWING:
                raise InvalidTransition(f"{contract.name} ({contract.number}) is no longer being renewed.")
            after = dataclasses.replace(current, end_date=term.end_date, annual_cost=term.annual_cost,
                                        currency=term.currency, status=ContractStatus.ACTIVE, term_from=None,
                                        updated_at=now)
            save(db, current, after, actor, f"renewed ({before.number} fulfilled)")

        self.requests.change_status(actor, request_id, Status.FULFILLED, also=renew)
        return repo.get_contract(self.store.db, contract.id)


def parse_pairs(text: str) -> dict[str, str]:
    """``end=2028-01-31 cost=12.000,50 currency=EUR`` as the form's fields."""
    form: dict[str, str] = {}
    for word in (text or "").split():
        key, sep, value = word.partition("=")
        if not sep or key.lower() not in KEYS or not value:
            raise BadInput(f"{word[:40]!r} is not understood; after `fulfilled` write `end=YYYY-MM-DD` and "
                           f"`cost=AMOUNT` (and `currency=EUR` if you like).")
        form[KEYS[key.lower()]] = value
    return form
