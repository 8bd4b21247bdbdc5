"""Readable text for the local shell: what the bot would post, without Slack."""

from __future__ import annotations

import re

from bot.format import day, describe_event, summary, when
from bot.notifier import LinkedContract
from bot.requests import Request, RequestDetails, next_statuses
from bot.services import Page

_MENTION = re.compile(r"<@([A-Z0-9]+)>")


def mentions(text: str, names: dict[str, str]) -> str:
    """Turns ``<@U123>`` into ``@name`` for people the shell knows."""
    return _MENTION.sub(lambda m: "@" + names.get(m.group(1), m.group(1)), text)


def person(user: str | None, names: dict[str, str]) -> str:
    if not user:
        return "nobody"
    return "@" + names.get(user, user)


def card(request: Request, names: dict[str, str], linked: LinkedContract | None = None) -> str:
    owner = f"claimed by {person(request.owner, names)}" if request.owner else "unclaimed"
    lines = [
        f"┌ {request.number} {request.title} — {request.status.label}",
        f"│ {summary(request)}",
        f"│ requested by {person(request.requester, names)} · {owner}",
    ]
    if request.preferred_vendor:
        lines.append(f"│ preferred vendor: {request.preferred_vendor}")
    if request.details:
        lines.append(f"│ why: {request.details}")
    if linked:
        lines.append(f"│ under contract: {linked_line(linked)}")
    lines.append("└ " + " ".join(f"[{label}]" for label in card_actions(request)))
    return "\n".join(lines)


def linked_line(linked: LinkedContract) -> str:
    if linked.days_left >= 0:
        left = f"{linked.days_left} days left"
    else:
        left = f"passed {-linked.days_left} days ago"
    renew = "auto-renews" if linked.auto_renew else "does not auto-renew"
    return (f"{linked.vendor} {linked.product} (contract {linked.id}), notice deadline {day(linked.notice_deadline)}"
            f" ({left}), ends {day(linked.end_date)}, {renew}")


def card_actions(request: Request) -> list[str]:
    if not request.is_open:
        return ["Add note"]
    actions = ["Unclaim" if request.owner else "Claim"]
    if next_statuses(request):
        actions.append("Change status: " + "/".join(s.value for s in next_statuses(request)))
    actions.append("Add note")
    return actions


def request_list(page: Page, title: str, names: dict[str, str]) -> str:
    if not page.items:
        return f"{title}: nothing here."
    lines = [f"{title} ({page.total}):"]
    for request in page.items:
        owner = person(request.owner, names) if request.owner else "unclaimed"
        lines.append(f"  {request.number:>5}  {request.status.value:<11} {request.title}  ({request.category.value}, {owner})")
    if page.total > len(page.items):
        lines.append(f"  …and {page.total - len(page.items)} more")
    return "\n".join(lines)


def details(item: RequestDetails, names: dict[str, str]) -> str:
    request = item.request
    lines = [card(request, names)]
    lines.append(f"  created {when(request.created_at)} · updated {when(request.updated_at)}"
                 f" · needed by {day(request.needed_by)}")
    if item.comments:
        lines.append("  Comments:")
        lines += [f"    {when(c.at)} {person(c.author, names)}: {c.text}" for c in item.comments]
    lines.append("  History:")
    lines += [f"    {when(e.at)} {person(e.actor, names)} {describe_event(e)}" for e in item.events]
    return "\n".join(lines)
