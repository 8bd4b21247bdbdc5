"""Block Kit for the schedule: the digest, reminder DMs, and a reminder's new state.

User text goes through ``escape``; every list stays inside one 3,000-character section and
ends with "…and N more"; a message never exceeds 50 blocks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.models.views import View
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)

from bot.contracts import missed_text
from bot.forms import sourcing_form, systems_left_out
from bot.money import DEFAULT_LOCALE
from bot.digest import Digest, Waiting
from bot.format import day, money, sentence
from bot.reminders import MISSED, Kind, Reminder, days_left, until_text
from bot.requests import Status
from bot.notifier import Briefing
from handlers.slack.blocks import (
    MESSAGE_BLOCKS,
    SECTION_TEXT,
    clip,
    escape,
    escape_message,
    fallback,
    mention,
    more,
    mrkdwn,
    plain,
    status_text,
)
from handlers.slack.form_blocks import form_inputs
from handlers.slack.contract_blocks import owners, terms
from handlers.slack.health_blocks import digest_section
from handlers.slack.ids import Actions, BriefingActions, ContractActions, ReminderActions, Views

LIST_ROWS = 10  # rows per digest list before "…and N more"
LINE_TEXT = 280
QUIET = (":sunny: All quiet: no notice deadlines coming up, nothing waiting on anyone, and no requests "
         "opened or fulfilled this week.")


# --- the digest ----------------------------------------------------------------------------


def digest_text(digest: Digest, preview: bool = False) -> str:
    """The notification text that goes with the digest's blocks."""
    return fallback(("Preview — " if preview else "") + digest.summary())


def digest_blocks(digest: Digest, preview: bool = False) -> list[Block]:
    title = "Digest preview" if preview else "Tandem digest"
    blocks: list[Block] = [HeaderBlock(text=plain(f"{title} · {digest.today:%a %d %b %Y}", 150))]
    if preview:
        blocks.append(ContextBlock(elements=[mrkdwn(
            "Only you see this preview; the channel gets the digest on schedule.")]))
    health = digest_section(digest.health) if digest.health is not None else []
    health += scorecard_blocks(digest.scorecard)
    if digest.is_empty:
        return (blocks + [SectionBlock(text=mrkdwn(QUIET))] + health)[:MESSAGE_BLOCKS]
    if digest.missed:
        lines = [f"• *{escape(item.contract.vendor)} — {escape(item.contract.product)}*: "
                 f"{escape(item.what(digest.costs_visible))}" for item in digest.missed]
        blocks.append(listing(":rotating_light: *Missed notice deadlines — the contract still runs*", lines))
    upcoming = [item for item in digest.deadlines if not item.missed]
    if upcoming:
        lines = [deadline_line(item.contract, item.notice_deadline, item.days_left, digest.costs_visible)
                 for item in upcoming]
        blocks.append(listing(f":spiral_calendar_pad: *Notice deadlines in the next {digest.horizon_days} days*", lines))
    if digest.unclaimed:
        lines = [f"• {headline(item)} — waiting {_days(item.days)} · requested by {mention(item.request.requester)}"
                 for item in digest.unclaimed]
        blocks.append(listing(":inbox_tray: *Waiting to be claimed*", lines))
    if digest.stale:
        lines = [f"• {headline(item)} — {mention(item.request.owner)} · no activity for {_days(item.days)} · "
                 f"{status_text(item.request.status)}" for item in digest.stale]
        blocks.append(listing(f":hourglass: *Claimed, quiet for {digest.stale_days}+ days*", lines))
    if digest.needed_soon:
        lines = [f"• {headline(item)} — needed {days_left(item.days)} · "
                 f"{mention(item.request.owner) if item.request.owner else '_unclaimed_'} · "
                 f"{status_text(item.request.status)}" for item in digest.needed_soon]
        blocks.append(listing(":alarm_clock: *Needed within 3 days or overdue*", lines))
    blocks += [DividerBlock(), SectionBlock(text=mrkdwn(":bar_chart: *The week in numbers*\n" + week_line(digest)))]
    blocks += health
    blocks.append(ContextBlock(elements=[mrkdwn("`/procure digest` previews this any time · "
                                                "`/procure contracts` lists every deadline")]))
    return blocks[:MESSAGE_BLOCKS]


def scorecard_blocks(scorecard: Briefing | None) -> list[Block]:
    """The month's scorecard under the digest (the first digest of a month carries it)."""
    if scorecard is None:
        return []
    return [DividerBlock()] + briefing_blocks(scorecard)


def deadline_line(contract, notice_deadline, left: int, costs_visible: bool) -> str:
    when = "*today*" if left == 0 else f"*{left} days left*" if left <= 30 else f"{left} days left"
    return (f"• *{day(notice_deadline)}* ({when}) *{escape(contract.vendor)} — {escape(contract.product)}* "
            f"· {terms(contract, costs_visible)}")


def headline(item: Waiting) -> str:
    request = item.request
    lock = ":lock: " if request.redacted else ""
    return f"*{request.number}* {lock}{escape(request.title)}"


def week_line(digest: Digest) -> str:
    line = " · ".join(f"{what} *{number}*" for what, number in digest.week.figures())
    return line[:1].upper() + line[1:]


def listing(title: str, lines: list[str], rows: int = LIST_ROWS) -> SectionBlock:
    """A titled list in one section: at most ``rows`` lines and 3,000 characters, then
    "…and N more"."""
    text = f"{title} ({len(lines)})"
    shown = 0
    for line in lines[:rows]:
        line = clip(line, LINE_TEXT)
        if len(text) + len(line) + 40 > SECTION_TEXT:
            break
        text += "\n" + line
        shown += 1
    if shown < len(lines):
        text += f"\n…and {len(lines) - shown} more"
    return SectionBlock(text=mrkdwn(text))


def _days(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''}"


# --- reminders -------------------------------------------------------------------------------

# Each reminder takes two blocks (text with an Open button, then Snooze and Done).
BLOCKS_PER_REMINDER = 2


def reminders_text(reminders: list[Reminder]) -> str:
    count = len(reminders)
    kinds = sorted({reminder.kind.label.lower() for reminder in reminders})
    return fallback(f"Tandem: {count} reminder{'s' if count != 1 else ''} for you ({', '.join(kinds)})")


def reminder_blocks(reminders: list[Reminder]) -> list[Block]:
    count = len(reminders)
    intro = (f":wave: *{count} thing{'s' if count != 1 else ''} need{'s' if count == 1 else ''} you.* "
             "Snooze one for 3 days, or mark it done to stop hearing about it.")
    blocks: list[Block] = [SectionBlock(text=mrkdwn(intro))]
    room = (MESSAGE_BLOCKS - 2) // BLOCKS_PER_REMINDER
    shown = reminders[:room]
    for reminder in shown:
        blocks.append(SectionBlock(text=mrkdwn(reminder_line(reminder)), accessory=open_button(reminder)))
        blocks.append(ActionsBlock(block_id=item_block(reminder.id), elements=[
            ButtonElement(text=plain("Snooze 3 days"), action_id=ReminderActions.SNOOZE, value=str(reminder.id)),
            ButtonElement(text=plain("Done"), action_id=ReminderActions.DONE, value=str(reminder.id), style="primary"),
        ]))
    return blocks + more(len(shown), count)


def item_block(entry_id: int | None) -> str:
    return f"reminder_{entry_id}"


def open_button(reminder: Reminder) -> ButtonElement:
    if reminder.contract is not None:
        return ButtonElement(text=plain("Open"), action_id=ContractActions.OPEN, value=str(reminder.contract.id))
    return ButtonElement(text=plain("Open"), action_id=Actions.OPEN, value=str(reminder.request.id))


def reminder_line(reminder: Reminder) -> str:
    label = f"*{reminder.kind.label}*"
    if reminder.kind is Kind.NOTICE and reminder.threshold == MISSED:
        contract = reminder.contract
        today = contract.notice_deadline - timedelta(days=reminder.days)
        return (f":rotating_light: *Missed notice deadline* · *{escape(contract.vendor)} — "
                f"{escape(contract.product)}* ({contract.number})\n"
                f"{sentence(escape(missed_text(contract, today, reminder.costs_visible)))}.\n{owners(contract)}")
    if reminder.kind is Kind.NOTICE:
        contract = reminder.contract
        return (f":spiral_calendar_pad: {label} · *{escape(contract.vendor)} — {escape(contract.product)}* "
                f"({contract.number})\nDecide by *{day(contract.notice_deadline)}* ({days_left(reminder.days)}): "
                f"{terms(contract, reminder.costs_visible)}. Renew, renegotiate or cancel before then.\n"
                f"{owners(contract)}")
    request = reminder.request
    head = f"*{request.number} {escape(request.title)}*"
    if reminder.kind is Kind.STALE:
        return (f":hourglass: {label} · {head}\nNo activity for {_days(reminder.days)} "
                f"({status_text(request.status)}). Add a note or move it on.")
    if reminder.kind is Kind.UNCLAIMED:
        return (f":inbox_tray: {label} · {head}\nWaiting {_days(reminder.days)}, requested by "
                f"{mention(request.requester)} · {request.category.value} · "
                f"{money(request.estimated_cost, request.currency)}. Claim it or pass it on.")
    owner = mention(request.owner) if request.owner else "_unclaimed_"
    state = "unclaimed" if request.status is Status.NEW else status_text(request.status)
    return (f":alarm_clock: {label} · {head}\nNeeded by *{day(request.needed_by)}* ({days_left(reminder.days)}); "
            f"still {state} · owner {owner}")


# --- after Snooze or Done -----------------------------------------------------------------------


def snoozed_text(until: datetime, tz: ZoneInfo) -> str:
    return f":zzz: Snoozed — I'll remind you again on {until_text(until, tz)}."


DONE_TEXT = ":white_check_mark: Done — no more reminders about this for you."


def marked(message_blocks: list[dict], entry_id: int, text: str) -> list[Block] | None:
    """The reminder DM's blocks with one reminder's buttons replaced by its new state, or
    None when the message does not show that reminder."""
    found = False
    result: list[Block] = []
    for raw in message_blocks:
        block = Block.parse(raw)
        if block is None:
            continue
        if block.block_id == item_block(entry_id):
            block = ContextBlock(block_id=item_block(entry_id), elements=[mrkdwn(text)])
            found = True
        result.append(block)
    return result if found else None


# --- briefings (the sync meeting's agenda, action item reminders, the scorecard) ---------------


def briefing_blocks(briefing: Briefing) -> list[Block]:
    """A header, then one section per part; user text escaped, Tandem's own mentions kept."""
    blocks: list[Block] = [HeaderBlock(text=plain(briefing.title, 150))]
    for part in briefing.sections[: MESSAGE_BLOCKS - 3]:
        lines = [f"• {escape_message(line)}" for line in part.lines] or [f"_{escape(part.empty)}_"]
        if part.more:
            lines.append(f"…and {part.more} more")
        body = f"*{escape(part.title)}*\n" + "\n".join(lines)
        blocks.append(SectionBlock(text=mrkdwn(clip(body, SECTION_TEXT))))
    if briefing.footer:
        blocks.append(ContextBlock(elements=[mrkdwn(escape_message(briefing.footer))]))
    if briefing.buttons:
        blocks.append(ActionsBlock(block_id=BriefingActions.BLOCK, elements=[
            ButtonElement(text=plain(button.label, 75), action_id=f"{BriefingActions.RUN}_{index}",
                          value=button.command, style="primary" if button.primary else None)
            for index, button in enumerate(briefing.buttons)]))
    return blocks


def sourcing_modal(values: dict[str, str] | None) -> View:
    """The sourcing map check's *Change* form (``bot.forms.sourcing_form``), filled in with the
    stances as they are; saving confirms the rest."""
    return View(type="modal", callback_id=Views.SOURCING, title=plain("Sourcing map", 24), submit=plain("Save", 24),
                close=plain("Cancel", 24), blocks=[
                    SectionBlock(text=mrkdwn("IT's stance per category and system: keep in-house, open to a supplier, or "
                                             "supplier-managed. Saving confirms every stance you leave as it is.")),
                    *([ContextBlock(elements=[mrkdwn(escape(more))])] if (more := systems_left_out(values or {})) else []),
                    *form_inputs(sourcing_form(values or {}), values, base_currency="", locale=DEFAULT_LOCALE)])


def briefing_text(briefing: Briefing) -> str:
    return fallback(escape(briefing.title))
