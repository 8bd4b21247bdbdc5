"""Money as people write it: amounts read and shown in a person's locale, with Babel.

An amount is read strictly in one locale (``25.000,00`` is twenty-five thousand in
``de_DE`` and refused in ``en_US``), may carry a currency symbol or code (``$``, ``€``,
``£``, ``US$``, ``EUR 12``, ``12 EUR``), and is never stored as something other than
what was meant: anything ambiguous (``12.000`` in ``en_US`` could be twelve or twelve
thousand) is refused with what was understood and how to write it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    format_decimal,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    get_territory_currencies,
    parse_decimal,
    parse_pattern,
)

from bot.errors import BadInput

DEFAULT_LOCALE = "en_US"
LIMIT = Decimal("1e12")
CENTS = Decimal("0.01")

# Symbols that name one currency wherever they are written.
SYMBOLS = {
    "US$": "USD", "U$S": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB",
    "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD", "S$": "SGD",
    "R$": "BRL", "MX$": "MXN", "FR.": "CHF", "ZŁ": "PLN", "KČ": "CZK",
}
_SPACES = " \u00a0\u202f\u2009"
_AMOUNT = re.compile(
    r"(?P<before>[^\d\-+−.,]*?)\s*(?P<sign>[-+−]?)\s*(?P<before2>[^\d\-+−.,\s]*?)\s*"
    r"(?P<number>[\d.,'’\u00a0\u202f\u2009 ]*\d[\d.,'’\u00a0\u202f\u2009 ]*?)\s*(?P<after>[^\d]*)",
    re.S,
)


def normal_locale(name: str) -> str:
    """``de-DE``, ``de_de`` or ``de_DE`` → ``de_DE``; raises ``ValueError`` for a locale
    Babel does not know."""
    text = (name or "").strip().replace("-", "_")
    try:
        return str(Locale.parse(text))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"{name!r} is not a locale; use one like en_US, de_DE or fr_FR") from None


def safe_locale(name: str | None, default: str = DEFAULT_LOCALE) -> str:
    """A locale given by a chat platform (``de-DE``, ``en-GB``); ``default`` if missing or unknown."""
    if not name:
        return default
    try:
        return normal_locale(name)
    except ValueError:
        return default


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str | None  # from a symbol or code written with the number; None if none was


def example(locale: str) -> str:
    """How 1,234.56 is written in ``locale``."""
    return format_decimal(Decimal("1234.56"), format="#,##0.00", locale=locale)


def parse_money(text: str, locale: str, *, label: str = "The amount") -> Amount:
    """Reads an amount as written in ``locale`` (raises ``BadInput`` saying what was
    understood and how to write it). Rounded to cents only when it has no more than two
    decimals; more is refused, never guessed."""
    raw = (text or "").strip()
    shown = raw[:40]
    plain = f"1234{get_decimal_symbol(locale)}56"
    how = f"write it like {example(locale)} or {plain} ({locale}), a currency before or after it if you like (EUR {plain})"
    match = _AMOUNT.fullmatch(raw)
    if not match:
        raise BadInput(f"{label} {shown!r} is not an amount; {how}.")
    codes = [_currency(part) for part in (match["before"], match["before2"], match["after"]) if part.strip()]
    if any(code is None for code in codes):
        unknown = next(p.strip() for p in (match["before"], match["before2"], match["after"])
                       if p.strip() and _currency(p) is None)
        raise BadInput(f"{label} {shown!r}: {unknown[:20]!r} is not a currency I know; use a 3-letter code "
                       f"like USD or EUR, or $, €, £.")
    codes = [_dollar(code, locale) for code in codes]
    if len(set(codes)) > 1:
        raise BadInput(f"{label} {shown!r} names two currencies ({' and '.join(sorted(set(codes)))}); give one.")
    number = match["number"].strip(_SPACES)
    value = _number(number, locale)
    if value is None:
        raise BadInput(f"{label} {shown!r} cannot be read as an amount in {locale}; {how}.")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise BadInput(f"{label} {shown!r} is ambiguous: in {locale} it reads as {value}, with more decimals "
                       f"than cents; {how}.")
    if match["sign"] in ("-", "−"):
        value = -value
    return Amount(value, codes[0] if codes else None)


def _number(text: str, locale: str) -> Decimal | None:
    group = get_group_symbol(locale)
    if group in _SPACES:
        text = re.sub(f"[{_SPACES}]", group, text)
    elif group in "'’":
        text = text.replace("’", group).replace("'", group)
    if not re.fullmatch(r"[\d.,'’\u00a0\u202f\u2009 ]+", text):
        return None
    try:
        return parse_decimal(text, locale=locale, strict=True)
    except NumberFormatError:
        pass
    # The form machines write (1234.56): no grouping, a point and at most two decimals.
    # Only where it cannot mean anything else in this locale (it failed strict parsing).
    if re.fullmatch(r"\d+(\.\d{1,2})?", text) and get_decimal_symbol(locale) != ".":
        return Decimal(text)
    return None


def _currency(part: str) -> str | None:
    text = part.strip().upper()
    if re.fullmatch(r"[A-Z]{3}", text):
        return text
    if text == "$":
        return "$"
    return SYMBOLS.get(text)


def _dollar(code: str, locale: str) -> str:
    """``$`` is the local dollar where the locale's own currency is written ``$`` (en_CA →
    CAD, en_AU → AUD), and the US dollar everywhere else."""
    if code != "$":
        return code
    territory = Locale.parse(locale).territory
    for local in get_territory_currencies(territory) if territory else ():
        if get_currency_symbol(local, locale=locale) == "$":
            return local
    return "USD"


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENTS) + 0  # + 0 turns -0.00 into 0.00


# Babel's ``format_decimal`` parses its pattern and its locale on every call; a list shows
# dozens of amounts, so both are parsed once here (the same output, a fraction of the CPU).
_WHOLE, _CENTS = parse_pattern("#,##0"), parse_pattern("#,##0.00")


@lru_cache(maxsize=64)
def _parsed(locale: str) -> Locale:
    return Locale.parse(locale)


@lru_cache(maxsize=4096)
def format_amount(amount: Decimal, locale: str = DEFAULT_LOCALE) -> str:
    """The number part of an amount in ``locale``: whole amounts without decimals (the
    same amounts come back list after list, so the last few thousand are remembered)."""
    whole = amount == amount.to_integral_value()
    return (_WHOLE if whole else _CENTS).apply(amount, _parsed(locale))


def format_plain(amount: Decimal, locale: str = DEFAULT_LOCALE) -> str:
    """An amount as a form shows it to be edited: ``locale``'s decimal sign, no grouping."""
    whole = amount == amount.to_integral_value()
    return format_decimal(amount, format="0" if whole else "0.00", locale=locale)


def parse_whole(text: str, locale: str) -> int | None:
    """A whole number as written in ``locale`` (``1,000`` in en_US, ``1.000`` in de_DE);
    ``None`` if it is not one (a fraction, a sign, a currency, or unreadable)."""
    raw = (text or "").strip()
    if not raw or not raw[0].isdigit():
        return None
    value = _number(raw, locale)
    if value is None or value != value.to_integral_value() or value.as_tuple().exponent < 0:
        return None
    return int(value)
