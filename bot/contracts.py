"""The contract calendar's domain: contracts, notice deadlines, the roll-forward rule,
form validation and the CSV format.

Dates here are calendar dates (``datetime.date``), never datetimes: a notice deadline is
a day, and "today" is the date where the team works (``bot.clock.today``).
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from bot.errors import BadInput
from bot.requests import Event, Request, clean_text, parse_amount, parse_currency, parse_date


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


@dataclass(frozen=True)
class Deadline:
    """A notice deadline coming up, as listed by ``/procure contracts``."""

    contract: Contract
    notice_deadline: date
    days_left: int


@dataclass(frozen=True)
class ContractDetails:
    """A contract with what is shown alongside it: its history and the requests linked to it."""

    contract: Contract
    events: list[Event]
    requests: list[Request]
    today: date
    costs_visible: bool = True


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
        terms = 1
        end = add_months(contract.end_date, contract.term_months)
        while end < today:
            terms += 1
            # Always count from the original end date, so month ends never drift.
            end = add_months(contract.end_date, contract.term_months * terms)
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
)
CSV_HEADER = ",".join(FIELDS)

VENDOR_MAX = 100
PRODUCT_MAX = 100
NOTES_MAX = 3000
NOTICE_MAX = 3650
TERM_MAX = 120
DEFAULT_TERM_MONTHS = 12

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_YES = ("yes", "y", "true", "1")
_NO = ("no", "n", "false", "0")

# Turns what someone typed as an owner into the identity stored (a Slack user ID, or an
# e-mail address when no directory is configured); ``None`` means nobody matches.
OwnerResolver = Callable[[str], "str | None"]


def looks_like_user_id(text: str) -> bool:
    return bool(_USER_ID.match(text))


def looks_like_email(text: str) -> bool:
    return bool(_EMAIL.match(text))


def plain_owner(text: str) -> str | None:
    """The resolver used without a directory: user IDs and e-mail addresses are kept as they are."""
    if looks_like_user_id(text.upper()):
        return text.upper()
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


def match_key(name: str) -> str:
    """How vendor and product names are compared: case-insensitive, spacing ignored."""
    return " ".join(name.split()).casefold()


def parse_contract(form: dict, default_currency: str, resolve_owner: OwnerResolver = plain_owner) -> ContractInput:
    """Validates a contract form given as plain strings; raises ``BadInput`` with one message
    per bad field (``errors``), so forms can show them inline and CSV import can name the column."""
    errors: dict[str, str] = {}

    vendor = clean_text(form.get("vendor"), 10_000)
    if not vendor:
        errors["vendor"] = "Name the vendor."
    elif len(vendor) > VENDOR_MAX:
        errors["vendor"] = f"Keep the vendor name under {VENDOR_MAX} characters."

    product = clean_text(form.get("product"), 10_000)
    if not product:
        errors["product"] = "Name the product or service."
    elif len(product) > PRODUCT_MAX:
        errors["product"] = f"Keep the product name under {PRODUCT_MAX} characters."

    owners = {}
    for name in ("it_owner", "procurement_owner"):
        raw = clean_text(form.get(name), 200).removeprefix("@")
        owners[name] = None
        if not raw:
            continue
        if not (looks_like_user_id(raw.upper()) or looks_like_email(raw)):
            errors[name] = f"Unknown owner {raw[:40]!r}: use a Slack user ID like U0123ABCD or an e-mail address."
            continue
        resolved = resolve_owner(raw)
        if resolved is None:
            errors[name] = (
                f"Unknown owner: no Slack user has the e-mail address {raw}." if "@" in raw
                else f"Unknown owner: there is no Slack user {raw}."
            )
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

    annual_cost = parse_amount(form, "annual_cost", "Annual cost", errors, example="12000", zero_allowed=True)
    currency = parse_currency(form, default_currency, errors)

    seats = _whole(form, "seats", errors, minimum=1, maximum=1_000_000, default=None,
                   what="Seats", unit="seats", required=False)

    notes = clean_text(form.get("notes"), 100_000)
    if len(notes) > NOTES_MAX:
        errors["notes"] = f"Keep the notes under {NOTES_MAX} characters."

    if errors:
        first = next(iter(errors.values()))
        raise BadInput(first, errors=errors)
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


def _whole(form, name, errors, *, minimum, maximum, default, what, unit, required=True) -> int | None:
    raw = clean_text(form.get(name), 50)
    if not raw:
        if default is None and required:
            errors[name] = f"Give {what[0].lower() + what[1:]} in {unit}."
        return default
    if not raw.isdecimal() or not minimum <= int(raw) <= maximum:
        errors[name] = f"{what} must be a whole number of {unit} from {minimum} to {maximum:,}."
        return None
    return int(raw)


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
    }


# --- CSV ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvProblem:
    """One reason a CSV file was refused: where (line, column) and why."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.message}"


class ImportRejected(BadInput):
    """A CSV file with at least one bad row; nothing from it was stored."""

    def __init__(self, problems: list[CsvProblem]):
        self.problems = problems
        shown = "\n".join(str(problem) for problem in problems[:20])
        more = f"\n…and {len(problems) - 20} more" if len(problems) > 20 else ""
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"Nothing was imported; the file has {count}:\n{shown}{more}")


@dataclass(frozen=True)
class CsvRow:
    line: int
    contract: ContractInput


def parse_csv(text: str, default_currency: str, resolve_owner: OwnerResolver = plain_owner) -> list[CsvRow]:
    """Parses a whole contracts CSV, or raises ``ImportRejected`` listing every problem.

    The first line is the header (the columns of ``CSV_HEADER``, in any order). Blank lines
    are skipped. Line numbers are the file's own, so a spreadsheet user finds the row.
    """
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[CsvProblem] = []
    try:
        records = _records(reader)
        header_line, header = next(records, (1, []))
    except csv.Error as exc:
        raise ImportRejected([CsvProblem(reader.line_num or 1, None, f"not readable as CSV ({exc}).")]) from None
    columns = [clean_text(name, 100).lower() for name in header]
    missing = [name for name in FIELDS if name not in columns]
    unknown = [name for name in columns if name not in FIELDS]
    if not columns or missing or unknown or len(set(columns)) != len(columns):
        detail = []
        if missing and len(missing) < len(FIELDS):
            detail.append(f"missing {', '.join(missing)}")
        if unknown and len(missing) < len(FIELDS):
            detail.append(f"unknown {', '.join(repr(name[:40]) for name in unknown[:5])}")
        if len(set(columns)) != len(columns):
            detail.append("a column appears twice")
        why = f" ({'; '.join(detail)})" if detail else ""
        raise ImportRejected(
            [CsvProblem(header_line, None, f"the first line must be the header {CSV_HEADER}{why}.")]
        )

    rows: list[CsvRow] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        for line, cells in records:
            if len(cells) != len(columns):
                problems.append(CsvProblem(line, None, f"has {len(cells)} columns; the header has {len(columns)}."))
                continue
            form = dict(zip(columns, cells))
            vendor, product = (clean_text(form[name], 10_000) for name in ("vendor", "product"))
            if vendor and product:
                first = seen.setdefault((match_key(vendor), match_key(product)), line)
                if first != line:
                    shown = f"{vendor[:VENDOR_MAX]} {product[:PRODUCT_MAX]}"
                    problems.append(CsvProblem(line, "vendor", f"{shown} is already on line {first}."))
                    continue
            try:
                rows.append(CsvRow(line, parse_contract(form, default_currency, resolve_owner)))
            except BadInput as error:
                problems += [CsvProblem(line, name, message) for name, message in _in_column_order(error.errors)]
    except csv.Error as exc:
        problems.append(CsvProblem(reader.line_num, None, f"not readable as CSV ({exc})."))
    if problems:
        raise ImportRejected(problems)
    return rows


def _records(reader) -> Iterable[tuple[int, list[str]]]:
    """Non-blank records with the line each starts on (a quoted cell may span lines)."""
    start = 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if any(cell.strip() for cell in cells):
            yield line, cells


def _in_column_order(errors: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(errors.items(), key=lambda item: FIELDS.index(item[0]) if item[0] in FIELDS else len(FIELDS))


def format_csv(contracts: Iterable[Contract]) -> str:
    """The contracts as CSV in the import format; importing it back gives the same data."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for contract in contracts:
        form = contract_form(contract)
        writer.writerow([form[name] for name in FIELDS])
    return out.getvalue()
