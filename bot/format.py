"""Plain-text formatting shared by every platform's renderer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal

from bot.money import DEFAULT_LOCALE, format_amount

from bot.requests import Event, Request
from bot.markup import mention


# Whose locale amounts are shown in: the viewer's, while a private view is rendered for them
# (``viewing``); otherwise the shared one, ``TANDEM_LOCALE`` (the channel, cards, the digest).
_VIEWER: ContextVar[str | None] = ContextVar("tandem_viewer_locale", default=None)
_SHARED = [DEFAULT_LOCALE]


def set_shared_locale(locale: str) -> None:
    """``TANDEM_LOCALE``: how amounts are shown where everyone reads (set once at start-up)."""
    _SHARED[0] = locale


@contextmanager
def viewing(locale: str | None) -> Iterator[None]:
    """Amounts rendered inside are shown in ``locale`` (the viewer's, for a private view:
    an ephemeral answer, a modal, the App Home, a DM, a Teams personal chat)."""
    token = _VIEWER.set(locale)
    try:
        yield
    finally:
        _VIEWER.reset(token)


def money(amount: Decimal | None, currency: str) -> str:
    """``EUR 25,000.50`` for an en_US viewer, ``EUR 25.000,50`` for a de_DE one (Babel)."""
    if amount is None:
        return "no estimate"
    return f"{currency} {format_amount(amount, _VIEWER.get() or _SHARED[0])}"


def day(value: date | None) -> str:
    return value.isoformat() if value else "—"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def days_left(days: int) -> str:
    """Time to a deadline: "today", "12 days left", "passed 3 days ago"."""
    if days == 0:
        return "today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} left"
    return f"passed {-days} day{'s' if days != -1 else ''} ago"


def sentence(text: str) -> str:
    """``text`` with its first letter upper-case (the rest as it is: USD stays USD)."""
    return text[:1].upper() + text[1:]


def summary(request: Request) -> str:
    """One line of key fields: category, quantity, cost, needed-by, urgency, data."""
    parts = [request.category.value, f"qty {request.quantity}", money(request.estimated_cost, request.currency)]
    if request.needed_by:
        parts.append(f"needed by {day(request.needed_by)}")
    parts.append(f"urgency {request.urgency.value}")
    parts.append(f"data {request.sensitivity.value}")
    return " · ".join(parts)


def filed_line(request: Request, name: Callable[[str], str]) -> str | None:
    """What a card says of a need a workflow filed: on whose behalf, and who ran it when that
    was someone else (``name`` writes a person the platform's way); ``None`` otherwise."""
    if not request.workflow_runner:
        return None
    line = f"Filed by a workflow on behalf of {name(request.requester)}"
    if request.workflow_runner != request.requester:
        line += f", run by {name(request.workflow_runner)}"
    return line


def describe_event(event: Event) -> str:
    """A readable line for one audit event (without who and when)."""
    if event.action == "created" and event.after.get("filed_by") == "workflow":
        return f"filed the {event.subject} through a workflow on behalf of {_shown('requester', event.after.get('requester'))}"
    if event.action in ("created", "added", "imported"):
        return f"{event.action} the {event.subject}"
    if event.action == "commented":
        return "added a comment"
    if event.action == "comment deleted":
        return "deleted a comment"
    if event.action in _TOGETHER:
        return _together(event.action, event.after)
    changes = []
    for name in sorted(set(event.before) | set(event.after)):
        old, new = (_shown(name, side.get(name)) for side in (event.before, event.after))
        changes.append(f"{name}: {old} → {new}")
    detail = "; ".join(changes)
    return f"{event.action} ({detail})" if detail else event.action


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name in ("owner", "requester", "it_owner", "procurement_owner"):
        return mention(value)
    return str(value)


_TOGETHER = ("option added", "rated", "signed off", "decided", "decision reopened", "checked", "unchecked")


def _together(action: str, after: dict) -> str:
    """Options, sign-offs and risk checks; a redacted event (no details) says only what happened."""
    option = after.get("option")
    if action == "option added":
        if not option:
            return "added an option"
        return f"added option {option}: {after.get('vendor')} · {money(Decimal(after['price']), after['currency'])}"
    if action == "rated":
        scores = " ".join(f"{k} {v}" for k, v in after.items() if k != "option")
        return f"rated option {option}: {scores}" if option else "rated an option"
    if action == "signed off":
        return f"signed off option {option}: {after.get('rationale', '')}" if option else "signed off an option"
    if action == "decided":
        return f"decided together: option {option}" if option else "decided together"
    if action == "decision reopened":
        return "reopened the decision (the sign-offs differ)"
    verb = "ticked" if action == "checked" else "unticked"
    return f"{verb} risk check {after['check']}" if after.get("check") else f"{verb} a risk check"
