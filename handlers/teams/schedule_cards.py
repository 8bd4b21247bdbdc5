"""Adaptive Cards for the schedule: the digest, reminder DMs and a reminder's new state, and
briefings (the sync meeting's agenda, action item reminders, the scorecard) with the sourcing
map check's form."""

from __future__ import annotations

import json

from bot import markup
from bot.digest import Digest, Waiting
from bot.format import day
from bot.forms import sourcing_form as sourcing_form_fields, systems_left_out
from bot.notifier import Briefing
from bot.reminders import Kind, Reminder, describe
from bot.reminders import days_left as needed_in
from handlers.teams.cards import (
    LIST_ROWS,
    Names,
    card,
    days,
    escape,
    execute,
    form_inputs,
    heading,
    message_markdown,
    more,
    plain_names,
    teams_words,
    text,
)
from handlers.teams.contract_cards import contract_terms, days_left
from handlers.teams.ids import Verbs


# --- the digest and reminders --------------------------------------------------------------------------


def digest_card(digest: Digest, names: Names = plain_names, preview: bool = False) -> dict:
    title = "Digest preview (only you see this)" if preview else "Tandem digest"
    body = [heading(f"{title} · {digest.today:%a %d %b %Y}")]
    if digest.is_empty:
        body.append(text("All quiet: no notice deadlines coming up, nothing waiting on anyone, "
                         "and no requests opened or fulfilled this week."))
        return card(body)
    if digest.missed:
        body += listing("Missed notice deadlines — the contract still runs", [
            f"**{escape(d.contract.name)}**: {escape(d.what(digest.costs_visible))}" for d in digest.missed])
    upcoming = [d for d in digest.deadlines if not d.missed]
    if upcoming:
        body += listing(f"Notice deadlines in the next {digest.horizon_days} days", [
            f"{day(d.notice_deadline)} · **{days_left(d.days_left)}** · {escape(d.contract.name)} · "
            f"{contract_terms(d.contract, digest.costs_visible)}" for d in upcoming])
    if digest.unclaimed:
        body += listing("Waiting to be claimed", [
            f"{waiting_head(w)} — waiting {days(w.days)} · requested by {escape(names(w.request.requester))}"
            for w in digest.unclaimed])
    if digest.stale:
        body += listing(f"Claimed, quiet for {digest.stale_days}+ days", [
            f"{waiting_head(w)} — {escape(names(w.request.owner))} · no activity for {days(w.days)}"
            for w in digest.stale])
    if digest.needed_soon:
        body += listing("Needed within 3 days or overdue", [
            f"{waiting_head(w)} — needed {needed_in(w.days)} · "
            f"{escape(names(w.request.owner)) if w.request.owner else 'unclaimed'} · {w.request.status.label}"
            for w in digest.needed_soon])
    numbers = " · ".join(f"{what} {number}" for what, number in digest.week.figures())
    body.append(text("**The week in numbers:** " + numbers))
    return card(body)


def waiting_head(item: Waiting) -> str:
    request = item.request
    return f"**{request.number}** {'🔒 ' if request.redacted else ''}{escape(request.title)}"


def listing(title: str, rows: list[str]) -> list[dict]:
    items = [text(f"**{title}** ({len(rows)})")] + [text(row, spacing="Small") for row in rows[:LIST_ROWS]]
    return items + more(min(len(rows), LIST_ROWS), len(rows))


def reminders_card(reminders: list[Reminder], names: Names = plain_names) -> dict:
    """One DM with all of a person's reminders, each with Open, Snooze 3 days and Done."""
    count = len(reminders)
    body = [heading(f"{count} thing{'s' if count != 1 else ''} need{'s' if count == 1 else ''} you")]
    for reminder in reminders[:LIST_ROWS]:
        line = message_markdown(describe(reminder), names)
        actions = [open_action(reminder)]
        if reminder.id is not None:
            actions += [execute("Snooze 3 days", Verbs.SNOOZE, reminder=reminder.id),
                        execute("Done", Verbs.DONE, reminder=reminder.id)]
        body.append({"type": "Container", "separator": True, "id": reminder_item(reminder.id), "items": [
            text(f"**{reminder.kind.label}:** {line}"), {"type": "ActionSet", "actions": actions}]})
    body += more(min(count, LIST_ROWS), count)
    return card(body)


def reminder_item(entry_id: int | None) -> str:
    return f"reminder-{entry_id}"


def reminder_marked(content: dict, entry_id: int, state: str) -> dict | None:
    """The reminders card with one reminder's Snooze and Done replaced by its new state, or
    None when the card does not show that reminder."""
    marked = json.loads(json.dumps(content))
    for item in marked.get("body", []):
        if item.get("id") != reminder_item(entry_id):
            continue
        kept = []
        for element in item["items"]:
            if element.get("type") == "ActionSet":
                element["actions"] = [action for action in element["actions"]
                                      if action.get("verb") not in (Verbs.SNOOZE, Verbs.DONE)]
                if not element["actions"]:
                    continue
            if element.get("id") == "state":
                continue
            kept.append(element)
        item["items"] = [*kept, {**text(state, isSubtle=True), "id": "state"}]
        return marked
    return None


def reminders_summary(reminders: list[Reminder]) -> str:
    count = len(reminders)
    return f"Tandem: {count} reminder{'s' if count != 1 else ''} for you"


def open_action(reminder: Reminder) -> dict:
    if reminder.kind is Kind.NOTICE:
        return execute("Open", Verbs.CONTRACT_OPEN, contract=reminder.subject_id)
    return execute("Open", Verbs.OPEN, request=reminder.subject_id)


# --- briefings (the sync meeting's agenda, action item reminders, the scorecard) ---------------


def briefing_card(briefing: Briefing, names: Names = plain_names) -> dict:
    """One heading, then each part's title and lines; user text shown as typed."""
    body = [heading(escape(briefing.title))]
    for part in briefing.sections:
        body.append(text(f"**{escape(part.title)}**", spacing="Medium"))
        shown = [f"- {briefing_line(line, names)}" for line in part.lines[:LIST_ROWS]]
        more = part.more + max(0, len(part.lines) - LIST_ROWS)
        if more:
            shown.append(f"…and {more} more")
        body.append(text("\n".join(shown) if shown else escape(part.empty), isSubtle=not shown))
    if briefing.footer:  # Tandem's own hint: commands as they are typed in Teams
        footer = briefing.footer.replace("/procure ", "").replace("`", "")
        body.append(text(briefing_line(footer, names), isSubtle=True))
    buttons = [{**execute(button.label, Verbs.BRIEFING, command=button.command),
                **({"style": "positive"} if button.primary else {})} for button in briefing.buttons]
    return card(body, buttons or None)


def sourcing_form(values: dict[str, str] | None, errors: dict[str, str] | None = None) -> dict:
    """The sourcing map check's *Change* form (``bot.forms.sourcing_form``), filled in with the
    stances as they are; ``errors`` (field → message) shows what to fix."""
    errors = errors or {}
    body = [heading("Sourcing map"), text("IT's stance per category and system: keep in-house, open to a supplier, or "
                                          "supplier-managed. Saving confirms every stance you leave as it is.")]
    if more := systems_left_out(values or {}):
        body.append(text(escape(teams_words(more)), isSubtle=True))
    if errors:
        body.append(text("Please fix: " + escape(" ".join(errors.values())), color="Attention"))
    body += form_inputs(sourcing_form_fields(values or {}), values, errors, "")
    return card(body, [execute("Save", Verbs.SOURCING)])


def add_briefing(content: dict, briefing: Briefing, names: Names = plain_names) -> dict:
    """``content`` (a card, the digest's) with ``briefing`` (the month's scorecard) below it."""
    body = briefing_card(briefing, names)["body"]
    body[0] = {**body[0], "separator": True, "spacing": "Large"}
    content["body"] += body
    return content


def briefing_line(line: str, names: Names = plain_names) -> str:
    """A core line naming people (``markup.mention``): names in, everything else escaped."""
    return markup.render(line, lambda person: escape(names(person)), escape)
