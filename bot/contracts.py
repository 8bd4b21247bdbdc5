"""The contract calendar's domain: contracts, notice deadlines, the roll-forward rule,
form validation (spreadsheets are ``bot.contract_sheets``).

Dates here are calendar dates (``datetime.date``), never datetimes: a notice deadline is
a day, and "today" is the date where the team works (``bot.clock.today``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from bot.errors import BadInput, Problem
from bot.format import money
from bot.permissions import Allowed
from bot.money import DEFAULT_LOCALE
from bot.people import typed_user
from bot.requests import Event, Request
from bot.text import clean_line, clean_text
from bot.parsing import parse_cost, parse_date, parse_quantity


class ContractStatus(StrEnum):
    ACTIVE = "active"
    RENEWING = "renewing"  # a renewal request is under way
    RENEWED = "renewed"  # renewal decided; at the end date the next term begins
    CANCELLED = "cancelled"  # notice given; the contract runs out and is not renewed
    EXPIRED = "expired"  # ended without renewal

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def in_force(self) -> bool:
        """The contract still runs on into a next term (or may): a need for its vendor links to it."""
        return self in (ContractStatus.ACTIVE, ContractStatus.RENEWING, ContractStatus.RENEWED)

    @property
    def awaits_decision(self) -> bool:
        """Its notice deadline still matters: someone must decide to renew or cancel."""
        return self in (ContractStatus.ACTIVE, ContractStatus.RENEWING)


@dataclass(frozen=True)
class Contract:
    id: int
    vendor: str
    product: str
    it_owner: str | None
    procurement_owner: str | None
    start_date: date | None
    end_date: date
    notice_days: int
    auto_renew: bool
    term_months: int
    annual_cost: Decimal | None
    currency: str
    seats: int | None
    notes: str
    status: ContractStatus
    created_at: datetime
    updated_at: datetime
    # The end date its terms are counted from: the one a person set, before any roll. None
    # until the first roll (terms then count from ``end_date``).
    term_from: date | None = None
    seats_used: int | None = None  # seats in use, as last recorded (flexible contracts)

    @property
    def number(self) -> str:
        return f"contract {self.id}"

    @property
    def name(self) -> str:
        return f"{self.vendor} {self.product}"

    @property
    def notice_deadline(self) -> date:
        return notice_deadline(self.end_date, self.notice_days)

    @property
    def owners(self) -> tuple[str, ...]:
        return tuple(owner for owner in (self.it_owner, self.procurement_owner) if owner)

    def days_left(self, today: date) -> int:
        """Days until the notice deadline; 0 on the day itself, negative once it has passed."""
        return (self.notice_deadline - today).days

    def missed(self, today: date) -> bool:
        """Still awaiting a decision, its notice deadline has passed and it has not ended:
        the moment to talk to the vendor at once (until the end date rolls or expires it)."""
        return self.status.awaits_decision and self.notice_deadline < today <= self.end_date


@dataclass(frozen=True)
class Deadline:
    """A notice deadline coming up, or missed (``days_left`` < 0: passed, the contract still
    runs), as listed by ``/procure contracts`` and the digest; missed ones come first."""

    contract: Contract
    notice_deadline: date
    days_left: int

    @property
    def missed(self) -> bool:
        return self.days_left < 0

    def what(self, costs_visible: bool = True) -> str:
        """A missed deadline in one sentence (see ``missed_text``)."""
        return missed_text(self.contract, self.notice_deadline - timedelta(days=self.days_left), costs_visible)


def seats_text(contract: Contract) -> str:
    """How many of the licensed seats are in use, and what that means before a renewal:
    "62 of 150 seats used — negotiate down"; empty when either number is unknown."""
    if contract.seats is None or contract.seats_used is None:
        return ""
    text = f"{contract.seats_used:,} of {contract.seats:,} seats used"
    if contract.seats_used < contract.seats:
        return text + " — negotiate down"
    if contract.seats_used > contract.seats:
        return text + " — more than licensed; settle the true-up before renewing"
    return text


def unused_seat_cost(contract: Contract) -> Decimal | None:
    """The annual cost of the seats not in use (annual cost × unused / licensed), in the
    contract's currency; None when seats, seats in use or the cost are unknown."""
    if contract.seats is None or contract.seats_used is None or contract.annual_cost is None or not contract.seats:
        return None
    unused = max(0, contract.seats - contract.seats_used)
    return (contract.annual_cost * unused / contract.seats).quantize(Decimal("0.01"))


def missed_text(contract: Contract, today: date, costs_visible: bool = True) -> str:
    """What a missed notice deadline means, in one sentence: "notice deadline passed 3 days
    ago; it auto-renews on 2026-12-20 for 12 months, USD 5,000 — talk to the vendor now"."""
    ago = -contract.days_left(today)
    cost = ""
    if costs_visible and contract.annual_cost is not None:
        cost = f", {money(contract.annual_cost, contract.currency)}"
    if contract.auto_renew:
        what = f"it auto-renews on {contract.end_date} for {contract.term_months} months{cost}"
    else:
        what = f"it ends on {contract.end_date} without renewal{cost}"
    return f"notice deadline passed {ago} day{'s' if ago != 1 else ''} ago; {what} — talk to the vendor now"


@dataclass(frozen=True)
class ContractDetails:
    """A contract with what is shown alongside it: its history and the requests linked to it."""

    contract: Contract
    events: list[Event]
    requests: list[Request]
    today: date
    costs_visible: bool = True
    # What the viewer may do with the contract where it is shown (``bot.visibility``).
    actions: Allowed | None = None


# --- dates ----------------------------------------------------------------------------------


def notice_deadline(end_date: date, notice_days: int) -> date:
    """The last day to cancel or renegotiate: the end date minus the notice period."""
    return end_date - timedelta(days=notice_days)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, safe at month ends.

    A day that does not exist in the target month becomes that month's last day
    (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year). A contract that ends on the last
    day of a month keeps ending on the last day (Feb 28, 2027 + 12 months = Feb 29, 2028),
    as a term running "to the end of February" does.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    at_month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return date(year, month, last if at_month_end else min(day.day, last))


@dataclass(frozen=True)
class Rolled:
    """What the daily roll does to one contract: a new end date, or expiry."""

    end_date: date
    status: ContractStatus

    @property
    def expired(self) -> bool:
        return self.status is ContractStatus.EXPIRED


def roll_forward(contract: Contract, today: date) -> Rolled | None:
    """The roll-forward rule, for a contract whose end date has passed (``end_date < today``).

    An auto-renewing contract, or one whose renewal was decided (``renewed``), moves on by
    whole terms until its end date is today or later and becomes ``active`` for the new
    term. Any other contract still in force is ``expired``. Cancelled and expired contracts,
    and contracts that have not ended yet, are left alone (``None``).
    """
    if contract.end_date >= today or not contract.status.in_force:
        return None
    if contract.auto_renew or contract.status is ContractStatus.RENEWED:
        # Always count whole terms from the end date a person set, never from the previous
        # roll's, so month ends never drift (Jan 30 → Feb 28 → Mar 30, not Mar 31).
        origin = contract.term_from or contract.end_date
        terms = 1
        end = add_months(origin, contract.term_months)
        while end <= contract.end_date or end < today:
            terms += 1
            end = add_months(origin, contract.term_months * terms)
        return Rolled(end, ContractStatus.ACTIVE)
    return Rolled(contract.end_date, ContractStatus.EXPIRED)


# --- the form -------------------------------------------------------------------------------

FIELDS = (
    "vendor",
    "product",
    "it_owner",
    "procurement_owner",
    "start_date",
    "end_date",
    "notice_days",
    "auto_renew",
    "term_months",
    "annual_cost",
    "currency",
    "seats",
    "notes",
    "seats_used",
)
# Columns a file may leave out: a re-import without them keeps what is stored.
OPTIONAL_COLUMNS = ("seats_used",)
# The columns every file has (the export adds the optional ones after them).
CSV_HEADER = ",".join(name for name in FIELDS if name not in OPTIONAL_COLUMNS)
# ``ContractInput.seats_used`` when the form or file did not carry the field: keep the stored value.
KEEP = -1

VENDOR_MAX = 100
PRODUCT_MAX = 100
NOTES_MAX = 3000
NOTICE_MAX = 3650
TERM_MAX = 120
DEFAULT_TERM_MONTHS = 12

_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_YES = ("yes", "y", "true", "1")
_NO = ("no", "n", "false", "0")

# Turns what someone typed as an owner into the identity stored (a Slack user ID, or an
# e-mail address when no directory is configured); ``None`` means nobody matches.
OwnerResolver = Callable[[str], "str | None"]


# The codes of an owner that names nobody (``Problem.code``; the parameter is named in brackets).
OWNER_NOT_A_PERSON = "contract.owner.not_a_person"  # neither a user ID nor an e-mail address [owner]
OWNER_EMAIL_UNKNOWN = "contract.owner.email_unknown"  # no user has the address [email]
OWNER_USER_UNKNOWN = "contract.owner.user_unknown"  # no such user [user]


def looks_like_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def plain_owner(text: str) -> str | None:
    """The resolver used without a directory: user IDs and e-mail addresses are kept as they are."""
    if user := typed_user(text):
        return user
    if looks_like_email(text):
        return text.lower()
    return None


@dataclass(frozen=True)
class ContractInput:
    """A validated contract form (add, edit, or one CSV row)."""

    vendor: str
    product: str
    it_owner: str | None
    procurement_owner: str | None
    start_date: date | None
    end_date: date
    notice_days: int
    auto_renew: bool
    term_months: int
    annual_cost: Decimal | None
    currency: str
    seats: int | None
    notes: str
    seats_used: int | None = KEEP


def match_key(name: str) -> str:
    """How vendor and product names are compared: case-insensitive, spacing ignored, and
    invisible characters (zero-width, bidirectional controls) left out."""
    return " ".join(clean_line(name, 10_000).split()).casefold()


def parse_contract(form: dict, default_currency: str, resolve_owner: OwnerResolver = plain_owner,
                   locale: str = DEFAULT_LOCALE) -> ContractInput:
    """Validates a contract form given as plain strings; raises ``BadInput`` with one message
    per bad field (``errors``), so forms can show them inline and CSV import can name the column."""
    errors: dict[str, str] = {}

    vendor = clean_line(form.get("vendor"), 10_000)
    if not vendor:
        errors["vendor"] = "Name the vendor."
    elif len(vendor) > VENDOR_MAX:
        errors["vendor"] = f"Keep the vendor name under {VENDOR_MAX} characters."

    product = clean_line(form.get("product"), 10_000)
    if not product:
        errors["product"] = "Name the product or service."
    elif len(product) > PRODUCT_MAX:
        errors["product"] = f"Keep the product name under {PRODUCT_MAX} characters."

    owners = {}
    problems: dict[str, Problem] = {}
    for name in ("it_owner", "procurement_owner"):
        raw = clean_text(form.get(name), 200).removeprefix("@")
        owners[name] = None
        if not raw:
            continue
        if not (typed_user(raw) or looks_like_email(raw)):
            errors[name] = f"Unknown owner {raw[:40]!r}: give the owner's e-mail address or user ID."
            problems[name] = Problem(OWNER_NOT_A_PERSON, {"owner": raw})
            continue
        resolved = resolve_owner(raw)
        if resolved is None:
            errors[name] = (
                f"Unknown owner: nobody in chat has the e-mail address {raw}." if "@" in raw
                else f"Unknown owner: there is no user {raw}."
            )
            problems[name] = Problem(OWNER_EMAIL_UNKNOWN, {"email": raw}) if "@" in raw \
                else Problem(OWNER_USER_UNKNOWN, {"user": raw})
        else:
            owners[name] = resolved

    start_date = _date(form, "start_date", errors, required=False)
    end_date = _date(form, "end_date", errors, required=True)
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = f"The end date {end_date} is before the start date {start_date}."

    notice_days = _whole(form, "notice_days", errors, minimum=0, maximum=NOTICE_MAX, default=None,
                         what="The notice period", unit="days")
    if notice_days is not None and start_date and end_date and "end_date" not in errors:
        length = (end_date - start_date).days
        if notice_days > length:
            errors["notice_days"] = (
                f"A {notice_days}-day notice period is longer than the contract "
                f"({start_date} to {end_date} is {length} days)."
            )

    auto_renew = None
    raw_renew = clean_text(form.get("auto_renew"), 20).lower()
    if raw_renew in _YES:
        auto_renew = True
    elif raw_renew in _NO:
        auto_renew = False
    else:
        errors["auto_renew"] = "Auto-renew must be yes or no."

    term_months = _whole(form, "term_months", errors, minimum=1, maximum=TERM_MAX, default=DEFAULT_TERM_MONTHS,
                         what="The renewal term", unit="months")

    annual_cost, currency = parse_cost(form, "annual_cost", "Annual cost", errors, default_currency,
                                       locale=locale, zero_allowed=True)

    seats = _whole(form, "seats", errors, minimum=1, maximum=1_000_000, default=None,
                   what="Seats", unit="seats", required=False, locale=locale)

    seats_used = KEEP
    if "seats_used" in form:
        seats_used = _whole(form, "seats_used", errors, minimum=0, maximum=1_000_000, default=None,
                            what="Seats in use", unit="seats", required=False, locale=locale)

    notes = clean_text(form.get("notes"), 100_000)
    if len(notes) > NOTES_MAX:
        errors["notes"] = f"Keep the notes under {NOTES_MAX} characters."

    if errors:
        first = next(iter(errors.values()))
        raise BadInput(first, errors=errors, field_problems=problems)
    return ContractInput(
        vendor=vendor,
        product=product,
        it_owner=owners["it_owner"],
        procurement_owner=owners["procurement_owner"],
        start_date=start_date,
        end_date=end_date,
        notice_days=notice_days,
        auto_renew=auto_renew,
        term_months=term_months,
        annual_cost=annual_cost,
        currency=currency,
        seats=seats,
        notes=notes,
        seats_used=seats_used,
    )


def _date(form: dict, name: str, errors: dict, required: bool) -> date | None:
    raw = clean_text(form.get(name), 50)
    if not raw:
        if required:
            errors[name] = f"Give the {name.replace('_', ' ')} (YYYY-MM-DD)."
        return None
    try:
        return parse_date(raw)
    except BadInput as exc:
        errors[name] = exc.message
        return None


def _whole(form, name, errors, *, minimum, maximum, default, what, unit, required=True,
           locale=DEFAULT_LOCALE) -> int | None:
    return parse_quantity(form, name, errors, locale=locale, what=what, unit=unit, minimum=minimum,
                          maximum=maximum, default=default, required=required)


def contract_form(contract: Contract) -> dict[str, str]:
    """A contract as the plain strings of its form (to prefill an edit form, or a CSV row)."""
    return {
        "vendor": contract.vendor,
        "product": contract.product,
        "it_owner": contract.it_owner or "",
        "procurement_owner": contract.procurement_owner or "",
        "start_date": contract.start_date.isoformat() if contract.start_date else "",
        "end_date": contract.end_date.isoformat(),
        "notice_days": str(contract.notice_days),
        "auto_renew": "yes" if contract.auto_renew else "no",
        "term_months": str(contract.term_months),
        "annual_cost": str(contract.annual_cost) if contract.annual_cost is not None else "",
        "currency": contract.currency,
        "seats": str(contract.seats) if contract.seats is not None else "",
        "notes": contract.notes,
        "seats_used": str(contract.seats_used) if contract.seats_used is not None else "",
    }
