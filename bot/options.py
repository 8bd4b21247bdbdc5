"""Deciding together on a need: options, ratings from both sides, and a joint sign-off.

Procurement adds the options it found (vendor, price, terms, term length, a quote link).
IT rates each option's fit and risk, procurement its cost and terms (1 to 5). The
request's requester and its owner each sign off one option with a one-line rationale; when
both have signed off the same option, that is the joint decision. A request with options
cannot reach ``ordered`` without one (``bot.option_service.OptionService.check_order``). Every step is an
audit event on the request, so who said what and when is in its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from bot.errors import BadInput
from bot.format import money
from bot.money import DEFAULT_LOCALE
from bot.requests import Request
from bot.text import clean_text
from bot.parsing import parse_amount

MAX_OPTIONS = 8
VENDOR_MAX = 100
TERMS_MAX = 200
QUOTE_MAX = 500
RATIONALE_MAX = 200
TERM_MONTHS_MAX = 120
# Who rates what: IT the fit and the risk, procurement the cost and the terms.
IT_ASPECTS = ("fit", "risk")
PROCUREMENT_ASPECTS = ("cost", "terms")
ASPECTS = IT_ASPECTS + PROCUREMENT_ASPECTS
ASPECT_HELP = "fit and risk (IT: 5 = fits best, least risky), cost and terms (procurement: 5 = best)"


@dataclass(frozen=True)
class Option:
    id: int
    request_id: int
    letter: str
    vendor: str
    price: Decimal
    currency: str
    terms: str
    term_months: int | None
    quote: str
    added_by: str
    added_at: datetime
    ratings: tuple[tuple[str, int], ...] = ()  # (aspect, score), in ASPECTS order

    def rating(self, aspect: str) -> int | None:
        return dict(self.ratings).get(aspect)


@dataclass(frozen=True)
class SignOff:
    person: str
    letter: str
    rationale: str
    at: datetime


@dataclass(frozen=True)
class Together:
    """What a request's card shows about deciding together (never stored).

    ``options`` is empty on a redacted card (prices and vendors of a confidential need are
    not for the channel); ``checks`` are the risk checks its data class needs."""

    options: tuple[Option, ...] = ()
    signoffs: tuple[SignOff, ...] = ()
    decided: str | None = None  # the chosen option's letter, once both have signed it off
    awaiting: tuple[str, ...] = ()  # who has not signed off the leading choice yet
    checks: tuple = ()  # bot.risk.Check
    sensitivity: str = ""

    def __bool__(self) -> bool:
        return bool(self.options or self.checks)


def option_line(option: Option) -> str:
    """An option in one line of plain text (platforms escape it): the terms and ratings."""
    parts = [f"{option.letter} · {option.vendor} · {money(option.price, option.currency)}"]
    if option.term_months:
        parts.append(f"{option.term_months} months")
    if option.terms:
        parts.append(option.terms)
    rated = " ".join(f"{aspect} {score}" for aspect, score in option.ratings)
    if rated:
        parts.append(rated)
    return " · ".join(parts)


def decision_line(together: Together) -> str:
    """The decision state in plain words, without people (platforms add who signed off)."""
    if together.decided:
        return f"Decided together: option {together.decided}"
    if together.signoffs:
        return "Waiting for both sign-offs on one option"
    return "No choice signed off yet"


def parse_option(text: str, default_currency: str, locale: str = DEFAULT_LOCALE) -> dict:
    """``vendor | price [currency] | terms | months | quote link`` into plain values; the
    last three are optional. Raises ``BadInput`` naming the part that is wrong."""
    parts = [clean_text(part, 10_000) for part in (text or "").split("|")]
    if len(parts) > 5:
        raise BadInput("An option has at most five parts: vendor | price | terms | months | quote link.")
    parts += [""] * (5 - len(parts))
    vendor, price_text, terms, months_text, quote = parts
    if not vendor:
        raise BadInput("Name the option's vendor first.")
    if len(vendor) > VENDOR_MAX:
        raise BadInput(f"Keep the vendor under {VENDOR_MAX} characters.")
    errors: dict[str, str] = {}
    amount = parse_amount({"price": price_text}, "price", "The price", errors, locale=locale)
    if not price_text:
        errors["price"] = "Give the price after the vendor, like Zoom | 12000 EUR."
    if errors:
        raise BadInput(next(iter(errors.values())))
    price, currency = amount.value, amount.currency or default_currency
    if len(terms) > TERMS_MAX:
        raise BadInput(f"Keep the terms under {TERMS_MAX} characters.")
    months = None
    if months_text:
        cleaned = months_text.lower().removesuffix("months").removesuffix("month").strip()
        if not cleaned.isdecimal() or not 1 <= int(cleaned) <= TERM_MONTHS_MAX:
            raise BadInput(f"The term length is a number of months from 1 to {TERM_MONTHS_MAX}, like 12.")
        months = int(cleaned)
    if quote and (len(quote) > QUOTE_MAX or not quote.lower().startswith(("https://", "http://")) or " " in quote):
        raise BadInput("The quote is a link starting with https:// (attach the file in the card's thread).")
    return {"vendor": vendor, "price": price, "currency": currency, "terms": terms, "term_months": months,
            "quote": quote}


def parse_ratings(words: list[str]) -> dict[str, int]:
    """``fit 4 risk 2`` (or ``fit=4``) into ``{"fit": 4, "risk": 2}``."""
    flat: list[str] = []
    for word in words:
        flat.extend(part for part in word.lower().split("=") if part)
    if not flat or len(flat) % 2:
        raise BadInput(f"Rate with aspect and score pairs, like `fit 4 risk 2`: {ASPECT_HELP}.")
    ratings: dict[str, int] = {}
    for aspect, score in zip(flat[::2], flat[1::2]):
        if aspect not in ASPECTS:
            raise BadInput(f"{aspect[:20]!r} is not something to rate; use {ASPECT_HELP}.")
        if score not in {"1", "2", "3", "4", "5"}:
            raise BadInput(f"Scores are whole numbers from 1 to 5 ({aspect} {score[:10]!r}).")
        ratings[aspect] = int(score)
    return ratings


def parse_letter(text: str) -> str:
    letter = (text or "").strip().upper()
    if len(letter) != 1 or not "A" <= letter <= chr(ord("A") + MAX_OPTIONS - 1):
        raise BadInput(f"{(text or '')[:10]!r} is not an option; options are letters like A or B.")
    return letter


def joint_decision(request: Request, signoffs: tuple[SignOff, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The jointly chosen letter (or ``None``) and who has yet to sign off the leading choice."""
    signers = [person for person in (request.requester, request.owner) if person]
    signers = list(dict.fromkeys(signers))  # a requester who owns the request signs once
    chosen = {signoff.person: signoff.letter for signoff in signoffs if signoff.person in signers}
    if not chosen:
        return None, tuple(signers)
    letters = set(chosen.values())
    if len(chosen) == len(signers) and len(letters) == 1:
        return letters.pop(), ()
    latest = max((s for s in signoffs if s.person in signers), key=lambda s: s.at).letter
    return None, tuple(person for person in signers if chosen.get(person) != latest)




def together_facts(together, names) -> list[tuple[str, str]]:
    """The card's options, decision and risk checks as (label, plain text) pairs, people shown
    by ``names(person)``; for platforms that render facts (Teams) or lines (the shell)."""
    if not together:
        return []
    facts = []
    for option in together.options:
        facts.append((f"Option {option.letter}", option_line(option)[4:] + (f" · quote {option.quote}"
                                                                             if option.quote else "")))
    if together.options:
        line = decision_line(together)
        for signoff in together.signoffs:
            line += f"; {names(signoff.person)} chose {signoff.letter}: {signoff.rationale}"
        if together.awaiting and together.signoffs:
            line += "; waiting for " + " and ".join(names(person) for person in together.awaiting)
        facts.append(("Decision", line))
    if together.checks:
        facts.append((f"Risk checks ({together.sensitivity})", " · ".join(
            f"{'☑' if check.done else '☐'} {check.number}. {check.name}"
            + (f" ({names(check.done_by)})" if check.done else "") for check in together.checks)))
    return facts
