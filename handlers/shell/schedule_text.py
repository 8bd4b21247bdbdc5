"""Readable text for the schedule: the digest, reminder DMs and the health check, as the
shell (and the command line's previews) print them."""

from __future__ import annotations

from bot import health
from bot.digest import Digest, Waiting
from bot.format import day
from bot.notifier import Briefing
from bot.reminders import Reminder, describe
from bot.reminders import days_left as needed_in
from handlers.shell.render import contract_terms, days_left, mentions, person

LIST_ROWS = 10


def digest(item: Digest, names: dict[str, str], title: str = "Tandem digest") -> str:
    lines = [f"┌ {title} · {item.today:%a %d %b %Y}"]
    if item.is_empty:
        lines.append("│ All quiet: no notice deadlines coming up, nothing waiting on anyone, "
                     "and no requests opened or fulfilled this week.")
        return "\n".join(lines + _health(item, names) + ["└"])
    if item.missed:
        rows = [f"{d.contract.vendor} {d.contract.product}: {d.what(item.costs_visible)}" for d in item.missed]
        lines += _listing("MISSED notice deadlines — the contract still runs", rows)
    upcoming = [d for d in item.deadlines if not d.missed]
    if upcoming:
        rows = [f"{day(d.notice_deadline)}  {days_left(d.days_left):<13} {d.contract.vendor} {d.contract.product}"
                f" · {contract_terms(d.contract, item.costs_visible)}" for d in upcoming]
        lines += _listing(f"Notice deadlines in the next {item.horizon_days} days", rows)
    if item.unclaimed:
        rows = [f"{_head(w)} — waiting {_days(w.days)} · requested by {person(w.request.requester, names)}"
                for w in item.unclaimed]
        lines += _listing("Waiting to be claimed", rows)
    if item.stale:
        rows = [f"{_head(w)} — {person(w.request.owner, names)} · no activity for {_days(w.days)} · "
                f"{w.request.status.label}" for w in item.stale]
        lines += _listing(f"Claimed, quiet for {item.stale_days}+ days", rows)
    if item.needed_soon:
        rows = [f"{_head(w)} — needed {needed_in(w.days)} · "
                f"{person(w.request.owner, names) if w.request.owner else 'unclaimed'} · {w.request.status.label}"
                for w in item.needed_soon]
        lines += _listing("Needed within 3 days or overdue", rows)
    lines.append("│ The week in numbers: " + " · ".join(f"{what} {number}" for what, number in item.week.figures()))
    return "\n".join(lines + _health(item, names) + ["└"])


def _health(item: Digest, names: dict[str, str]) -> list[str]:
    lines = [] if item.health is None else [f"│ {line}" for line in health.lines(item.health)]
    if item.scorecard is not None:  # the month's scorecard, inside the digest's frame
        lines += [f"│ {line}" for line in briefing(item.scorecard, names).splitlines()]
    return lines


def survey(item: health.HealthCheck) -> str:
    """The health check DM: the statements and how to answer them in the shell."""
    lines = [f"the {item.label} health check — how well do IT and procurement work together? "
             "Rate each statement from 1 (strongly disagree) to 5 (strongly agree):"]
    lines += [f"  {n}. {statement.text}" for n, statement in enumerate(health.STATEMENTS, start=1)]
    lines.append(f"  [Take the 1-minute check: /procure health answer {health.EXAMPLE} [comment]] — six scores in "
                 "this order, then a comment if you like.")
    lines.append(f"  Anonymous: scores are stored without your name and shown only as averages, from "
                 f"{health.MIN_ANSWERS} answers up (/procure health).")
    return "\n".join(lines)


def reminders(items: list[Reminder], names: dict[str, str]) -> str:
    count = len(items)
    lines = [f"{count} thing{'s' if count != 1 else ''} need{'s' if count == 1 else ''} you:"]
    for reminder in items:
        text = mentions(describe(reminder), names)
        lines.append(f"  • {reminder.kind.label}: {text}")
        if reminder.id is not None:  # a preview has no buttons: nothing was recorded
            lines.append(f"    [Open] [Snooze 3 days: /snooze {reminder.id}] [Done: /done {reminder.id}]")
    return "\n".join(lines)


def _listing(title: str, rows: list[str]) -> list[str]:
    lines = [f"│ {title} ({len(rows)}):"] + [f"│   {row}" for row in rows[:LIST_ROWS]]
    if len(rows) > LIST_ROWS:
        lines.append(f"│   …and {len(rows) - LIST_ROWS} more")
    return lines


def _head(item: Waiting) -> str:
    request = item.request
    return f"{request.number} {'🔒 ' if request.redacted else ''}{request.title}"


def _days(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''}"


def briefing(item: Briefing, names: dict[str, str]) -> str:
    """The sync meeting's agenda, an action item reminder or the scorecard, as text."""
    lines = [f"┌ {item.title}"]
    for part in item.sections:
        lines.append(f"│ {part.title}")
        lines += [f"│   • {mentions(line, names)}" for line in part.lines] or [f"│   {part.empty}"]
        if part.more:
            lines.append(f"│   …and {part.more} more")
    if item.footer:
        lines.append(f"│ {mentions(item.footer, names)}")
    if item.buttons:  # a button is the command it runs, typed
        lines.append("│ " + " ".join(f"[{button.label}: /procure {button.command}]" for button in item.buttons))
    return "\n".join(lines + ["└"])
