"""The forms, as data: which fields the need, contract, renewal and note forms have, in which order,
with their labels, kinds, choices, limits, defaults and whether they are required.

Decided once, here, from the domain's own limits (``bot.requests``, ``bot.contracts``), so a
form cannot offer what the parser refuses. Each platform maps a field's kind to its own
widget (Slack's Block Kit inputs, Teams' Adaptive Card inputs, the shell's questions); none
writes a label or a limit of its own. The parsers (``parse_request``, ``parse_contract``)
read the values back by ``Field.name``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from bot import contracts, requests


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"  # several lines
    CHOICE = "choice"  # one of ``choices``
    WHOLE = "whole"  # a whole number between ``minimum`` and ``maximum``
    AMOUNT = "amount"  # an amount as the person writes it (their locale, maybe a currency sign)
    CURRENCY = "currency"  # a three-letter code
    DATE = "date"
    PERSON = "person"  # a chat user (a picker where the platform has one) or an e-mail address


@dataclass(frozen=True)
class Field:
    name: str  # what the parser reads
    label: str
    kind: FieldKind
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int | None = None  # for text kinds
    minimum: int | None = None  # for whole numbers
    maximum: int | None = None
    default: str | None = None  # shown when nothing was typed yet
    example: str = ""  # a placeholder, where the platform shows one
    hint: str = ""  # what to write, where a platform asks in plain text (the shell)

    @staticmethod
    def choice_label(value: str) -> str:
        return value.replace("_", " ").capitalize()


CURRENCY_MAX = 3
AMOUNT_MAX = 30  # characters: "1.234.567,89 €" and the like
EMAIL_MAX = 200  # an owner typed as an e-mail address or user ID
SEATS_MAX = 1_000_000


def _choices(enum) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


NEED_FORM: tuple[Field, ...] = (
    Field("title", "What do you need?", FieldKind.TEXT, required=True, max_length=requests.TITLE_MAX,
          example="50 Zoom licences"),
    Field("details", "Why? (business justification)", FieldKind.LONG_TEXT, max_length=requests.DETAILS_MAX),
    Field("category", "Category", FieldKind.CHOICE, required=True, choices=_choices(requests.Category)),
    Field("quantity", "Quantity", FieldKind.WHOLE, required=True, minimum=1, maximum=requests.QUANTITY_MAX, default="1"),
    Field("estimated_cost", "Estimated cost", FieldKind.AMOUNT, max_length=AMOUNT_MAX, hint="blank if unknown"),
    Field("currency", "Currency", FieldKind.CURRENCY, max_length=CURRENCY_MAX),
    Field("needed_by", "Needed by", FieldKind.DATE, hint="YYYY-MM-DD, blank if no date"),
    Field("urgency", "Urgency", FieldKind.CHOICE, required=True, choices=_choices(requests.Urgency), default="normal"),
    Field("sensitivity", "Data sensitivity", FieldKind.CHOICE, required=True, choices=_choices(requests.Sensitivity),
          default="internal"),
    Field("preferred_vendor", "Preferred vendor", FieldKind.TEXT, max_length=requests.VENDOR_MAX, hint="blank if none"),
)

CONTRACT_FORM: tuple[Field, ...] = (
    Field("vendor", "Vendor", FieldKind.TEXT, required=True, max_length=contracts.VENDOR_MAX),
    Field("product", "Product or service", FieldKind.TEXT, required=True, max_length=contracts.PRODUCT_MAX),
    Field("it_owner", "IT owner", FieldKind.PERSON, max_length=EMAIL_MAX, example="name@example.com",
          hint="a user ID or e-mail address; blank if none"),
    Field("procurement_owner", "Procurement owner", FieldKind.PERSON, max_length=EMAIL_MAX, example="name@example.com",
          hint="a user ID or e-mail address; blank if none"),
    Field("start_date", "Start date", FieldKind.DATE, hint="YYYY-MM-DD, blank if unknown"),
    Field("end_date", "End date", FieldKind.DATE, required=True, hint="YYYY-MM-DD"),
    Field("notice_days", "Notice period (days)", FieldKind.WHOLE, required=True, minimum=0, maximum=contracts.NOTICE_MAX,
          default="30"),
    Field("auto_renew", "Auto-renews?", FieldKind.CHOICE, required=True, choices=("yes", "no"), default="yes"),
    Field("term_months", "Renewal term (months)", FieldKind.WHOLE, minimum=1, maximum=contracts.TERM_MAX, default="12"),
    Field("annual_cost", "Annual cost", FieldKind.AMOUNT, max_length=AMOUNT_MAX, hint="blank if unknown"),
    Field("currency", "Currency", FieldKind.CURRENCY, max_length=CURRENCY_MAX),
    Field("seats", "Seats or licences", FieldKind.WHOLE, minimum=1, maximum=SEATS_MAX, hint="blank if none"),
    Field("seats_used", "Seats in use", FieldKind.WHOLE, minimum=0, maximum=SEATS_MAX, hint="blank if unknown"),
    Field("notes", "Notes", FieldKind.LONG_TEXT, max_length=contracts.NOTES_MAX),
)

# Fulfilling a renewal request: the contract's new term (``bot.renewals`` reads it back and fills
# it in: the end date plus the term, the cost as it is).
RENEWAL_FORM: tuple[Field, ...] = (
    Field("end_date", "New end date", FieldKind.DATE, required=True, hint="YYYY-MM-DD"),
    Field("annual_cost", "New annual cost", FieldKind.AMOUNT, max_length=AMOUNT_MAX),
    Field("currency", "Currency", FieldKind.CURRENCY, max_length=CURRENCY_MAX),
)

# A note on a request (``bot.requests.parse_note`` reads it back), asked where a platform adds
# notes by form: Slack's Add note, the box on Teams' card, the shell's question.
NOTE_FORM: tuple[Field, ...] = (
    Field("note", "Note", FieldKind.LONG_TEXT, required=True, max_length=requests.NOTE_MAX,
          example="A note for the request's thread"),
)


# Rejecting a need that waits for approval (``bot.approvals.parse_reason`` reads it back): the
# reason goes to procurement and IT with the need, back in sourcing.
REJECT_FORM: tuple[Field, ...] = (
    Field("reason", "Why? (the need goes back to sourcing)", FieldKind.LONG_TEXT, required=True,
          max_length=requests.NOTE_MAX),
)


def field(form: tuple[Field, ...], name: str) -> Field:
    return next(f for f in form if f.name == name)


STANCE_CHOICES = ("in-house", "open", "managed")  # bot.sourcing.Stance, in the order people read them


SYSTEM_PREFIX = "system:"  # a system's stance is kept under "system:<its name>" (bot.sourcing)
# Systems the *Change* form lists (by name): a Slack modal holds 100 blocks and a Teams card
# about 28 KB, so the form stops here and says how many more there are (``systems_left_out``).
FORM_SYSTEMS = 40


def systems_left_out(names: Iterable[str]) -> str | None:
    """What the *Change* form says of the systems it does not list (``None``: it lists them all)."""
    left = len([name for name in names if name.startswith(SYSTEM_PREFIX)]) - FORM_SYSTEMS
    if left <= 0:
        return None
    return (f"{left} more system{'s are' if left > 1 else ' is'} not in this form and kept as "
            f"{'they are' if left > 1 else 'it is'}; change one with `/procure sourcing set system <name> in-house|open|managed`.")


def sourcing_form(names: Iterable[str] = ()) -> tuple[Field, ...]:
    """The sourcing map check's *Change* form: IT's stance on each category, then on each system
    among ``names`` (the form's values' keys, ``system:<name>``); blank for "not set" (leaving
    one blank keeps it as it is; a stance once set is changed, never removed, here)."""
    categories = tuple(Field(category.value, "SaaS" if category.value == "saas" else category.value.capitalize(),
                             FieldKind.CHOICE, choices=STANCE_CHOICES, hint="in-house, open or managed")
                       for category in requests.Category)
    systems = tuple(Field(name, f"{name.removeprefix(SYSTEM_PREFIX)} (system)", FieldKind.CHOICE,
                          choices=STANCE_CHOICES, hint="in-house, open or managed")
                    for name in sorted(name for name in names if name.startswith(SYSTEM_PREFIX))[:FORM_SYSTEMS])
    return categories + systems

