"""Block Kit for Slack, built from small functions with slack-sdk's block models.

All user text passes through ``escape`` so no title can ping ``@channel`` or forge a link,
and every list stays inside Block Kit limits, ending with "and N more".
"""

from __future__ import annotations


from slack_sdk.models.blocks import (
    Block,
)
from slack_sdk.models.views import View

from handlers.slack.kit import mrkdwn_text, plain_text, ActionsBlock, ButtonElement, ContextBlock, DividerBlock, HeaderBlock, Option, SectionBlock, StaticSelectElement

from bot import markup
from bot.format import day, describe_event, filed_line, money, when
from bot.notifier import LinkedContract
from bot.options import Together, decision_line, option_line
from bot.permissions import Action, Allowed
from bot.requests import ApprovalSummary, Note, Request, RequestDetails, Status
from bot.request_service import Page
from handlers.slack.ids import Actions, ApprovalActions

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # modals and App Home
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FALLBACK_TEXT = 3000

STATUS_EMOJI = {
    Status.NEW: ":new:",
    Status.CLAIMED: ":raising_hand:",
    Status.SOURCING: ":mag:",
    Status.APPROVED: ":white_check_mark:",
    Status.ORDERED: ":package:",
    Status.FULFILLED: ":tada:",
    Status.ON_HOLD: ":double_vertical_bar:",
    Status.AWAITING_IT: ":speech_balloon:",
    Status.CANCELLED: ":no_entry_sign:",
}


# --- text --------------------------------------------------------------------------------


def escape(text: str | None) -> str:
    """Escapes user text for mrkdwn: ``&``, ``<`` and ``>`` (Slack's three control characters)."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_within(text: str | None, limit: int) -> str:
    """``escape``d ``text`` in at most ``limit`` characters: cut before a character whose escape
    would not fit (escaping can make text five times longer), ending in "…"."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    kept, used = [], 1  # room for the "…"
    for character in text or "":
        piece = escape(character)
        if used + len(piece) > limit:
            break
        kept.append(piece)
        used += len(piece)
    return "".join(kept) + "…"


def escape_message(text: str) -> str:
    """One of the core's messages as mrkdwn: the people it names (``markup.mention``) as live
    mentions, everything else (the user text it quotes too) escaped."""
    return markup.render(text, lambda person: f"<@{person}>", escape)


def note_markup(note: Note) -> str:
    """A note as Slack shows it: people, channels and links from chat stay live, its words
    are escaped, and a broadcast it carried is words (``@here``), never sent again."""
    if not note.parts:
        return escape(note.text)
    out = []
    for part in note.parts:
        if isinstance(part, markup.Person):
            out.append(f"<@{part.id}>")
        elif isinstance(part, markup.Channel):
            out.append(f"<#{part.id}|{escape(part.name)}>" if part.name else f"<#{part.id}>")
        elif isinstance(part, markup.Link):
            out.append(f"<{escape(part.url)}|{escape(part.label)}>" if part.label else f"<{escape(part.url)}>")
        elif isinstance(part, markup.Broadcast):
            out.append(escape("@" + part.name))
        else:
            out.append(escape(part.text))
    return "".join(out)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mention(user: str | None) -> str:
    return f"<@{user}>" if user else "_unclaimed_"


def mrkdwn(text: str) -> dict:
    return mrkdwn_text(clip(text, SECTION_TEXT))


def plain(text: str, limit: int = 75) -> dict:
    return plain_text(clip(text, limit))


def status_text(status: Status) -> str:
    return f"{STATUS_EMOJI[status]} {status.label}"


def headline(request: Request) -> str:
    return f"{request.number} {escape(request.title)}"


def fallback(text: str) -> str:
    """The notification text that accompanies blocks."""
    return clip(text, FALLBACK_TEXT)


def more(shown: int, total: int) -> list[Block]:
    if total <= shown:
        return []
    return [ContextBlock(elements=[mrkdwn(f"…and {total - shown} more")])]


# --- the request card --------------------------------------------------------------------


def request_card(request: Request, linked: LinkedContract | None = None) -> list[Block]:
    if request.redacted:
        return confidential_card(request)
    fields = [
        mrkdwn(f"*Status*\n{status_text(request.status)}"),
        mrkdwn(f"*Owner*\n{mention(request.owner)}"),
        mrkdwn(f"*Requested by*\n{mention(request.requester)}"),
        mrkdwn(f"*Category*\n{request.category.value}"),
        mrkdwn(f"*Quantity*\n{request.quantity}"),
        mrkdwn(f"*Estimated cost*\n{money(request.estimated_cost, request.currency)}"),
        mrkdwn(f"*Needed by*\n{day(request.needed_by)}"),
        mrkdwn(f"*Urgency · data*\n{request.urgency.value} · {request.sensitivity.value}"),
    ]
    if request.preferred_vendor:
        fields.append(mrkdwn(f"*Preferred vendor*\n{clip(escape(request.preferred_vendor), FIELD_TEXT - 20)}"))
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"*{headline(request)}*"), fields=fields),
    ]
    if request.details:
        blocks.append(SectionBlock(text=mrkdwn("*Why*\n" + clip(escape(request.details), SECTION_TEXT - 10))))
    filed = filed_line(request, mention)
    if filed:
        blocks.append(ContextBlock(elements=[mrkdwn(f":zap: {filed}")]))
    if linked:
        blocks.append(ContextBlock(elements=[mrkdwn(":page_facing_up: Under contract: " + linked_text(linked))]))
    if request.approval:
        blocks.append(ContextBlock(elements=[mrkdwn(approval_text(request.approval))]))
    blocks += together_blocks(request.together)
    actions = card_actions(request)
    if actions:
        blocks.append(ActionsBlock(block_id=f"card_{request.id}", elements=actions))
    blocks.append(ContextBlock(elements=[mrkdwn(f"Updated {when(request.updated_at)} · reply in the thread to discuss")]))
    return blocks


def confidential_card(request: Request) -> list[Block]:
    """What the shared channel sees of a confidential request: number, category, status, owner."""
    fields = [
        mrkdwn(f"*Status*\n{status_text(request.status)}"),
        mrkdwn(f"*Owner*\n{mention(request.owner)}"),
        mrkdwn(f"*Category*\n{request.category.value}"),
    ]
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"*:lock: {headline(request)}*"), fields=fields),
        ContextBlock(elements=[mrkdwn("Details, justification and cost are shown only to the requester, "
                                      "procurement and admins: use *Open*.")]),
    ]
    if request.approval:
        blocks.append(ContextBlock(elements=[mrkdwn(APPROVAL_STATES[request.approval.state])]))
    blocks += together_blocks(request.together)
    actions = card_actions(request)
    if actions:
        blocks.append(ActionsBlock(block_id=f"card_{request.id}", elements=actions))
    return blocks


def together_blocks(together: Together | None) -> list[Block]:
    """The options (one line each), the decision with who signed off, and the checklist."""
    if not together:
        return []
    blocks: list[Block] = []
    if together.options:
        lines = [escape(option_line(option)) + (f" · <{escape(option.quote)}|quote>" if option.quote else "")
                 for option in together.options]
        blocks.append(SectionBlock(text=mrkdwn(clip("*Options*\n" + "\n".join(lines), SECTION_TEXT))))
        decision = (":handshake: " if together.decided else ":scales: ") + decision_line(together)
        for signoff in together.signoffs:
            decision += f" · {mention(signoff.person)} chose {signoff.letter}: {escape(clip(signoff.rationale, 200))}"
        if together.awaiting and together.signoffs:
            decision += " · waiting for " + " and ".join(mention(person) for person in together.awaiting)
        blocks.append(ContextBlock(elements=[mrkdwn(clip(decision, SECTION_TEXT))]))
    if together.checks:
        items = " · ".join(
            f"{':white_check_mark:' if check.done else ':white_large_square:'} {check.number}. {escape(check.name)}"
            + (f" ({mention(check.done_by)})" if check.done else "")
            for check in together.checks)
        blocks.append(ContextBlock(elements=[mrkdwn(clip(
            f":shield: *Risk checks* ({together.sensitivity} data): {items}", SECTION_TEXT))]))
    return blocks


APPROVAL_STATES = {
    "needed": ":scales: Needs approval before *approved*",
    "open": ":hourglass_flowing_sand: Waiting for approval",
    "approved": ":white_check_mark: Approved",
    "rejected": ":x: Approval rejected",
}


def approval_text(approval: ApprovalSummary) -> str:
    text = APPROVAL_STATES[approval.state]
    if approval.state in ("needed", "open"):
        text += f" ({escape(approval.why)})"
    for decision in approval.decisions:
        verb = "approved" if decision.approved else "rejected"
        text += f" · {mention(decision.approver)} {verb} {when(decision.at)}"
        if decision.reason:
            text += f": {escape(clip(decision.reason, 300))}"
    return clip(text, 3000)


def approval_request(request: Request, why: str) -> list[Block]:
    """The DM that asks an approver to decide."""
    value = str(request.id)
    allowed = request.actions or Allowed()
    buttons = []
    if Action.APPROVE in allowed:
        buttons.append(ButtonElement(text=plain("Approve"), action_id=ApprovalActions.APPROVE, value=value,
                                     style="primary"))
    if Action.REJECT in allowed:
        buttons.append(ButtonElement(text=plain("Reject…"), action_id=ApprovalActions.REJECT, value=value,
                                     style="danger"))
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f":scales: *Approval needed:* {headline(request)}\n"
                                 f"It needs approval because {escape(why)}.")),
        *[b for b in request_card(request) if b["type"] != "actions"],
    ]
    if buttons:
        blocks.append(ActionsBlock(block_id=f"approval_{request.id}", elements=buttons))
    return blocks


def linked_text(linked: LinkedContract) -> str:
    if linked.days_left >= 0:
        left = f"*{linked.days_left} days left*"
    else:
        left = f"passed {-linked.days_left} days ago"
    renew = "auto-renews" if linked.auto_renew else "does not auto-renew"
    return (
        f"{escape(linked.vendor)} {escape(linked.product)} (contract {linked.id}) — notice deadline "
        f"{day(linked.notice_deadline)} ({left}), ends {day(linked.end_date)}, {renew}"
    )


def card_actions(request: Request) -> list:
    """The card's buttons: the actions the core allows where the card is shown
    (``Request.actions``, from ``bot.visibility``)."""
    allowed = request.actions
    if allowed is None:
        return []
    value = str(request.id)
    elements: list = []
    if Action.UNCLAIM in allowed:
        elements.append(ButtonElement(text=plain("Unclaim"), action_id=Actions.UNCLAIM, value=value))
    if Action.CLAIM in allowed:
        elements.append(ButtonElement(text=plain("Claim"), action_id=Actions.CLAIM, value=value, style="primary"))
    if Action.CHANGE_STATUS in allowed and allowed.statuses:
        options = [Option(text=plain(status.label), value=f"{request.id}:{status.value}") for status in allowed.statuses]
        elements.append(StaticSelectElement(placeholder=plain("Change status"), action_id=Actions.STATUS, options=options))
    if Action.COMMENT in allowed:
        elements.append(ButtonElement(text=plain("Add note"), action_id=Actions.ADD_NOTE, value=value))
    if Action.VIEW in allowed:
        elements.append(ButtonElement(text=plain("Open"), action_id=Actions.OPEN, value=str(request.id)))
    return elements


def card_text(request: Request) -> str:
    return fallback(f"{headline(request)} — {request.status.label}")


# --- lists and details ---------------------------------------------------------------------


def request_row(request: Request, with_button: bool = True) -> SectionBlock:
    owner = f"owner {mention(request.owner)}" if request.owner else "_unclaimed_"
    cost = "" if request.redacted else f" · {money(request.estimated_cost, request.currency)}"
    lock = ":lock: " if request.redacted else ""
    text = f"*{lock}{headline(request)}*\n{status_text(request.status)} · {request.category.value}{cost} · {owner}"
    accessory = ButtonElement(text=plain("Open"), action_id=Actions.OPEN, value=str(request.id)) if with_button else None
    return SectionBlock(text=mrkdwn(text), accessory=accessory)


def request_list(page: Page, title: str, limit: int = MESSAGE_BLOCKS) -> list[Block]:
    blocks: list[Block] = [HeaderBlock(text=plain(title, 150))]
    if not page.items:
        return blocks + [SectionBlock(text=mrkdwn("Nothing here. :sparkles:"))]
    room = limit - len(blocks) - 1
    shown = page.items[:room]
    blocks += [request_row(request) for request in shown]
    return blocks + more(len(shown), page.total)


def request_details(item: RequestDetails, limit: int = MESSAGE_BLOCKS, linked: LinkedContract | None = None) -> list[Block]:
    request = item.request
    blocks = [b for b in request_card(request, linked) if b["type"] != "actions"]
    if request.actions is not None and Action.EDIT in request.actions:  # the core decides who may edit
        blocks.append(ActionsBlock(elements=[ButtonElement(text=plain("Edit"), action_id=Actions.EDIT,
                                                           value=str(request.id))]))
    lines = [f"• {when(c.at)} {mention(c.author)}: {note_markup(c)}" for c in item.notes]
    blocks += section_lines("Comments", lines)
    lines = [f"• {when(e.at)} {mention(e.actor)} {escape_message(describe_event(e))}" for e in item.events]
    blocks += section_lines("History", lines)
    if len(blocks) > limit:
        blocks = blocks[: limit - 1] + [ContextBlock(elements=[mrkdwn("…the rest is cut to fit; see `/procure show` in a DM")])]
    return blocks


def section_lines(title: str, lines: list[str]) -> list[Block]:
    """Lines packed into as few sections as fit 3000 characters, at most 10 sections."""
    if not lines:
        return []
    blocks: list[Block] = [DividerBlock()]
    chunk = f"*{title}*"
    for index, line in enumerate(lines):
        line = clip(line, 1000)
        if len(chunk) + len(line) + 1 > SECTION_TEXT - 40:
            blocks.append(SectionBlock(text=mrkdwn(chunk)))
            chunk = ""
            if len(blocks) > 10:
                blocks.append(ContextBlock(elements=[mrkdwn(f"…and {len(lines) - index} more")]))
                return blocks
        chunk = f"{chunk}\n{line}" if chunk else line
    blocks.append(SectionBlock(text=mrkdwn(chunk)))
    return blocks


def text_blocks(text: str) -> list[Block]:
    return [SectionBlock(text=mrkdwn(text))]


# --- App Home --------------------------------------------------------------------------------

HOME_SECTION_ROWS = 15


def home_view(sections: list[tuple[str, Page]], footer: str, extra: list[Block] = ()) -> View:
    blocks: list[Block] = [HeaderBlock(text=plain("Tandem", 150)),
                           SectionBlock(text=mrkdwn("IT needs and the contract calendar, shared by IT and procurement. "
                                                    "Post a need with `/need`; see everything with `/procure help`."))]
    for title, page in sections:
        blocks += [DividerBlock(), SectionBlock(text=mrkdwn(f"*{title}* ({page.total})"))]
        if not page.items:
            blocks.append(ContextBlock(elements=[mrkdwn("Nothing here.")]))
            continue
        shown = page.items[:HOME_SECTION_ROWS]
        blocks += [request_row(request) for request in shown]
        blocks += more(len(shown), page.total)
    blocks += list(extra)
    blocks.append(ContextBlock(elements=[mrkdwn(footer)]))
    if len(blocks) > SURFACE_BLOCKS:
        blocks = blocks[: SURFACE_BLOCKS - 1] + [ContextBlock(elements=[mrkdwn("…more in `/procure list`")])]
    return View(type="home", blocks=blocks)
