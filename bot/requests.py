"""The request (IT need) domain: its fields, its status flow and input validation."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from bot.errors import BadInput, InvalidTransition
from bot.money import DEFAULT_LOCALE, format_plain
from bot.parsing import parse_cost, parse_date, parse_quantity
from bot.permissions import Allowed
from bot.text import clean_line, clean_text


class Status(StrEnum):
    NEW = "new"
    CLAIMED = "claimed"
    SOURCING = "sourcing"
    APPROVED = "approved"
    ORDERED = "ordered"
    FULFILLED = "fulfilled"
    ON_HOLD = "on_hold"
    AWAITING_IT = "awaiting_it"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in (Status.FULFILLED, Status.CANCELLED)


STATUS_LABELS = {
    Status.NEW: "New",
    Status.CLAIMED: "Claimed",
    Status.SOURCING: "Sourcing",
    Status.APPROVED: "Approved",
    Status.ORDERED: "Ordered",
    Status.FULFILLED: "Fulfilled",
    Status.ON_HOLD: "On hold",
    Status.AWAITING_IT: "Awaiting IT",
    Status.CANCELLED: "Cancelled",
}

# The main line of the flow; each step may only move to the next one.
FLOW = (Status.NEW, Status.CLAIMED, Status.SOURCING, Status.APPROVED, Status.ORDERED, Status.FULFILLED)
# States that pause the flow and later resume where they were.
PAUSES = (Status.ON_HOLD, Status.AWAITING_IT)


class Category(StrEnum):
    HARDWARE = "hardware"
    SOFTWARE = "software"
    SAAS = "saas"
    TELECOM = "telecom"
    SERVICES = "services"
    OTHER = "other"


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


class Sensitivity(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    RESTRICTED = "restricted"


@dataclass(frozen=True)
class CardRef:
    """Where one platform shows a request's card, in that platform's own terms: the
    conversation and the message in it (Slack: channel and ``ts``; Teams: the card's thread
    and the activity ID). The core stores it per platform (``storage.cards``) and hands it
    back to the platform that made it; it never reads inside."""

    conversation: str
    message_id: str


@dataclass(frozen=True)
class Decision:
    approver: str
    approved: bool
    reason: str
    at: datetime


@dataclass(frozen=True)
class Round:
    id: int
    request_id: int
    opened_at: datetime
    opened_by: str
    state: str  # open, approved, rejected
    why: str  # why approval is needed
    decisions: tuple["Decision", ...] = ()


@dataclass(frozen=True)
class ApprovalSummary:
    """What a card shows about approval."""

    why: str
    state: str  # needed, open, approved, rejected
    approvers: tuple[str, ...]
    decisions: tuple[Decision, ...] = ()


@dataclass(frozen=True)
class Request:
    id: int
    title: str
    details: str
    category: Category
    quantity: int
    estimated_cost: Decimal | None
    currency: str
    needed_by: date | None
    urgency: Urgency
    sensitivity: Sensitivity
    preferred_vendor: str
    contract_id: int | None
    requester: str
    owner: str | None
    status: Status
    resume_status: Status | None
    created_at: datetime
    updated_at: datetime
    claimed_at: datetime | None = None
    closed_at: datetime | None = None
    # Set when a workflow step filed the need on the requester's behalf: who ran the workflow.
    workflow_runner: str | None = None
    # True for a copy stripped to number, category, status and owner (see ``redact``);
    # never stored.
    redacted: bool = False
    # The approval state shown on the card; filled in when the card is rendered, never stored.
    approval: ApprovalSummary | None = None
    # Options, sign-offs and risk checks shown on the card (``bot.options.Together``); like
    # ``approval``, filled in when the card is rendered, never stored.
    together: object | None = None
    # What the viewer may do with it where it is shown (``bot.visibility``); never stored.
    actions: Allowed | None = None

    @property
    def number(self) -> str:
        return f"#{self.id}"

    @property
    def is_open(self) -> bool:
        return self.status.is_open

    @property
    def is_confidential(self) -> bool:
        return self.sensitivity in (Sensitivity.CONFIDENTIAL, Sensitivity.RESTRICTED)


@dataclass(frozen=True)
class Event:
    """One row of the append-only audit log."""

    id: int
    subject: str  # "request" or "contract"
    subject_id: int
    at: datetime
    actor: str
    action: str
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Note:
    id: int
    request_id: int
    at: datetime
    author: str
    text: str  # the words (people as @id, links as "label (url)"): exports, search, fallbacks
    source: str  # "thread", "command", "shell"
    parts: tuple = ()  # bot.markup parts when the note came from chat with people, channels or links


@dataclass(frozen=True)
class Mirror:
    """A copy of a thread reply that Tandem posted in another platform's card thread (a
    reply in Slack's thread shown in Teams' and the other way round), so its edit and its
    deletion can follow."""

    platform: str
    conversation: str
    message_id: str


@dataclass(frozen=True)
class RequestDetails:
    """A request with what is shown alongside it: notes and history."""

    request: Request
    notes: list[Note]
    events: list[Event]


# --- confidential needs ----------------------------------------------------------------

CONFIDENTIAL_TITLE = "Confidential request"
# Audit fields anyone may see about a confidential request.
PUBLIC_FIELDS = ("status", "owner", "category")


def shown_with(request: Request, actions: Allowed) -> Request:
    """``request`` carrying ``actions`` (what a viewer may do where it is shown). The same
    as ``dataclasses.replace(request, actions=actions)`` without running ``__init__`` again:
    a list does this for every row, and ``actions`` is never stored or validated."""
    shown = object.__new__(Request)
    shown.__dict__.update(request.__dict__)
    shown.__dict__["actions"] = actions
    return shown


def redact(request: Request) -> Request:
    """A confidential request as everyone may see it: number, category, status and owner."""
    if not request.is_confidential or request.redacted:
        return request
    return replace(
        request, title=CONFIDENTIAL_TITLE, details="", quantity=0, estimated_cost=None, needed_by=None,
        preferred_vendor="", urgency=Urgency.NORMAL, redacted=True,
    )


def redact_details(item: RequestDetails) -> RequestDetails:
    """History keeps only who changed status, owner or category, and when; notes are hidden."""
    events = [
        replace(event, before={k: v for k, v in event.before.items() if k in PUBLIC_FIELDS},
                after={k: v for k, v in event.after.items() if k in PUBLIC_FIELDS})
        for event in item.events
    ]
    return RequestDetails(redact(item.request), [], events)


# --- the status flow -------------------------------------------------------------------


def next_statuses(request: Request) -> list[Status]:
    """Statuses a procurement member may move ``request`` to with a status change.

    Claiming (new → claimed) and unclaiming (claimed → new) are separate actions.
    """
    status = request.status
    if not status.is_open:
        return []
    if status in PAUSES:
        resume = request.resume_status or Status.CLAIMED
        allowed = [resume]
        if status is Status.AWAITING_IT:
            allowed.append(Status.ON_HOLD)
        return allowed + [Status.CANCELLED]
    allowed = []
    if status is not Status.NEW:
        allowed.append(FLOW[FLOW.index(status) + 1])
        allowed.append(Status.AWAITING_IT)
    allowed += [Status.ON_HOLD, Status.CANCELLED]
    return allowed


def check_transition(request: Request, target: Status) -> None:
    allowed = next_statuses(request)
    if target in allowed:
        return
    if not request.is_open:
        raise InvalidTransition(f"{request.number} is {request.status.label.lower()}; it can no longer change.")
    if target is Status.CLAIMED and request.status is Status.NEW:
        raise InvalidTransition(f"Use `claim {request.id}` to take {request.number}.")
    if target is request.status:
        raise InvalidTransition(f"{request.number} is already {target.label.lower()}.")
    names = ", ".join(f"`{s.value}`" for s in allowed)
    hint = " Claim it first to start sourcing." if request.status is Status.NEW else ""
    raise InvalidTransition(
        f"{request.number} cannot move from {request.status.value} to {target.value}. "
        f"Allowed next: {names}.{hint}"
    )


# --- input ------------------------------------------------------------------------------

TITLE_MAX = 150
DETAILS_MAX = 3000
VENDOR_MAX = 100
NOTE_MAX = 3000
QUANTITY_MAX = 1_000_000


@dataclass(frozen=True)
class RequestInput:
    """A validated new-need (or edit) form."""

    title: str
    details: str
    category: Category
    quantity: int
    estimated_cost: Decimal | None
    currency: str
    needed_by: date | None
    urgency: Urgency
    sensitivity: Sensitivity
    preferred_vendor: str = ""


# Characters that change how text is shown without being seen: bidirectional controls
# (U+202A-202E, U+2066-2069, U+200E/F; an override can make "exe.pdf" read "fdp.exe") and
# zero-width characters (U+200B, U+200C, U+2060, U+FEFF, U+180E), which make two names that
# look alike compare different. A zero-width joiner (U+200D) is kept only inside an emoji
# sequence (👩‍💻), where it belongs.
def parse_request(form: dict, today: date, default_currency: str, locale: str = DEFAULT_LOCALE) -> RequestInput:
    """Validates a need form given as plain strings; raises ``BadInput`` with one message
    per bad field so forms can show them inline."""
    errors: dict[str, str] = {}

    title = clean_line(form.get("title"), 10_000)
    if not title:
        errors["title"] = "Give the need a short title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title under {TITLE_MAX} characters."

    details = clean_text(form.get("details"), 100_000)
    if len(details) > DETAILS_MAX:
        errors["details"] = f"Keep the details under {DETAILS_MAX} characters."

    category = _choice(form.get("category"), Category, "category", errors, required=True)
    # Blank (even only spaces) means the default.
    urgency = _choice(form.get("urgency"), Urgency, "urgency", errors) or Urgency.NORMAL
    sensitivity = _choice(form.get("sensitivity"), Sensitivity, "sensitivity", errors) or Sensitivity.INTERNAL

    quantity = parse_quantity(form, "quantity", errors, locale=locale, what="Quantity", unit="",
                              minimum=1, maximum=QUANTITY_MAX, default=1) or 1

    estimated_cost, currency = parse_cost(form, "estimated_cost", "Estimated cost", errors, default_currency,
                                          locale=locale)

    needed_by = None
    raw_date = clean_text(form.get("needed_by"), 50)
    if raw_date:
        try:
            needed_by = parse_date(raw_date)
        except BadInput as exc:
            errors["needed_by"] = exc.message
        else:
            if needed_by < today:
                errors["needed_by"] = "The needed-by date is in the past."

    vendor = clean_line(form.get("preferred_vendor"), 10_000)
    if len(vendor) > VENDOR_MAX:
        errors["preferred_vendor"] = f"Keep the vendor name under {VENDOR_MAX} characters."

    if errors:
        first = next(iter(errors.values()))
        raise BadInput(first, errors=errors)
    return RequestInput(
        title=title,
        details=details,
        category=category,
        quantity=quantity,
        estimated_cost=estimated_cost,
        currency=currency,
        needed_by=needed_by,
        urgency=urgency,
        sensitivity=sensitivity,
        preferred_vendor=vendor,
    )


def need_form(request: Request, locale: str = DEFAULT_LOCALE) -> dict[str, str]:
    """A need as the plain strings of its form, to prefill an edit form: the cost written as
    ``locale`` writes it (ungrouped, ``7500,50`` in de_DE: also what a number input takes in
    en_US), so submitting the form unchanged reads it back the same."""
    cost = request.estimated_cost
    return {
        "title": request.title,
        "details": request.details,
        "category": request.category.value,
        "quantity": str(request.quantity),
        "estimated_cost": format_plain(cost, locale) if cost is not None else "",
        "currency": request.currency if cost is not None else "",
        "needed_by": request.needed_by.isoformat() if request.needed_by else "",
        "urgency": request.urgency.value,
        "sensitivity": request.sensitivity.value,
        "preferred_vendor": request.preferred_vendor or "",
    }


def _choice(value, enum, name: str, errors: dict, required: bool = False):
    text = clean_text(value, 50).lower()
    if not text:
        if required:
            errors[name] = f"Choose a {name}."
        return None
    try:
        return enum(text)
    except ValueError:
        options = ", ".join(member.value for member in enum)
        errors[name] = f"{name.capitalize()} must be one of: {options}."
        return None


def parse_note(form: dict[str, str]) -> str:
    """A note form's text (``bot.forms.NOTE_FORM``), cleaned and checked before anything is saved."""
    text = clean_text(form.get("note"), 100_000)
    if not text:
        raise BadInput("Write a note first.", field="note")
    if len(text) > NOTE_MAX:
        raise BadInput(f"Keep notes under {NOTE_MAX} characters.", field="note")
    return text
