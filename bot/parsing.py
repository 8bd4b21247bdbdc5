"""What people type into forms, commands and spreadsheets read as values: amounts in their
locale, costs with a currency, whole numbers, currencies and dates. Each parser adds a
message to ``errors`` for its field, so a form can show every problem at once."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from bot.errors import BadInput
from bot.text import clean_text
from bot.money import DEFAULT_LOCALE, LIMIT, Amount, format_amount, parse_money, parse_whole, to_cents

def parse_amount(form: dict, name: str, label: str, errors: dict, *, locale: str = DEFAULT_LOCALE,
                 zero_allowed: bool = False) -> Amount | None:
    """An optional money amount as written in ``locale``, maybe with a currency symbol or code:
    a positive number (or zero, if allowed) below a trillion, in cents. A problem goes into
    ``errors`` (see ``bot.money.parse_money``)."""
    given = form.get(name)
    if isinstance(given, (int, float, Decimal)) and not isinstance(given, bool):
        amount = _typed_amount(given, label, errors, name)  # a spreadsheet's number: no locale to guess
        if amount is None:
            return None
    else:
        raw = clean_text(given, 50)
        if not raw:
            return None
        try:
            amount = parse_money(raw, locale, label=label)
        except BadInput as error:
            errors[name] = error.message
            return None
    if abs(amount.value) >= LIMIT:
        errors[name] = f"{label} is too large."
        return None
    value = to_cents(amount.value)
    if value < 0 or (value == 0 and not zero_allowed):
        errors[name] = f"{label} cannot be negative." if zero_allowed else f"{label} must be more than 0."
        return None
    return Amount(value, amount.currency)


def _typed_amount(given, label: str, errors: dict, name: str) -> Amount | None:
    value = Decimal(repr(round(given, 6))) if isinstance(given, float) else Decimal(given)
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        errors[name] = f"{label} {given!r} has more decimals than cents; round it to cents."
        return None
    return Amount(value, None)


def parse_cost(form: dict, name: str, label: str, errors: dict, default_currency: str, *,
               locale: str = DEFAULT_LOCALE, zero_allowed: bool = False) -> tuple[Decimal | None, str]:
    """An amount and its currency. The currency field wins when given; a symbol or code in
    the amount fills a blank one; both given and different is refused, never guessed."""
    amount = parse_amount(form, name, label, errors, locale=locale, zero_allowed=zero_allowed)
    written = amount.currency if amount else None
    chosen = clean_text(form.get("currency"), 10)
    currency = parse_currency(form, written or default_currency, errors)
    if written and chosen and currency != written and "currency" not in errors:
        errors[name] = (f"{label} is written in {written} but the currency is {currency}; "
                        f"make them match (or leave the currency blank).")
    return (amount.value if amount else None), currency


def parse_quantity(form: dict, name: str, errors: dict, *, locale: str, what: str, unit: str,
                   minimum: int, maximum: int, default: int | None, required: bool = True) -> int | None:
    """A whole number as written in ``locale`` (``1,000`` or ``1.000``) within limits."""
    given = form.get(name)
    if isinstance(given, float) and given.is_integer():
        given = int(given)  # a spreadsheet's whole number
    raw = str(given) if isinstance(given, int) and not isinstance(given, bool) else clean_text(given, 50)
    if not raw:
        if default is None and required:
            errors[name] = f"Give {what[0].lower() + what[1:]} in {unit}."
        return default
    value = parse_whole(raw, locale)
    if value is None or not minimum <= value <= maximum:
        largest = format_amount(Decimal(maximum), locale)
        if unit:
            errors[name] = f"{what} must be a whole number of {unit} from {minimum} to {largest}."
        elif value is not None and value > maximum:
            errors[name] = f"{what} must be at most {largest}."
        else:
            errors[name] = f"{what} must be a whole number of at least {minimum}."
        return None
    return value


def parse_currency(form: dict, default: str, errors: dict) -> str:
    currency = (clean_text(form.get("currency"), 10) or default).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        errors["currency"] = "Currency must be a 3-letter code like USD or EUR."
    return currency


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(f"{text!r} is not a date; use YYYY-MM-DD, for example 2027-03-31.") from None


def parse_number(text: str) -> int:
    """A request or contract number as users type it: ``12`` or ``#12``."""
    cleaned = text.strip().lstrip("#")
    if not cleaned.isdecimal() or len(cleaned) > 9 or int(cleaned) < 1:
        raise BadInput(f"{text[:40]!r} is not a request number; use a number like 12 or #12.")
    return int(cleaned)
