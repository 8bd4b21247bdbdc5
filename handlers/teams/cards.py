"""Adaptive Cards for Teams, from small builder functions: the building blocks every card is
made of, help, the need form and the request cards. The contract calendar's cards are in
``contract_cards``; the digest's, reminders' and briefings' in ``schedule_cards``.

Cards are plain dictionaries in the Adaptive Cards 1.5 schema (the version Teams renders).
User text is escaped so a title cannot format, link or mention; lists say "…and N more"
instead of growing past what a Teams message holds. People are shown by name through
``Names`` (a person's display name, from the people the bot has met).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

from bot import commands, markup
from bot.forms import NEED_FORM, NOTE_FORM, REJECT_FORM, Field, FieldKind
from bot.format import day, describe_event, filed_line, summary, when
from bot.notifier import LinkedContract
from bot.options import together_facts
from bot.permissions import Action, Allowed
from bot.requests import ApprovalSummary, Note, Request, RequestDetails
from bot.request_service import Page
from handlers.teams.ids import Inputs, Verbs

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
# Rows per list: a Teams message carries about 28 KB, so long lists end with "…and N more".
LIST_ROWS = 15
TEXT_MAX = 2000

Names = Callable[["str | None"], str]


def plain_names(user: str | None) -> str:
    return user or "nobody"


def note_words(note: Note, names: Names = plain_names) -> str:
    """A note from chat in words: @name, #channel, label (url)."""
    return markup.plain(note.parts, names) if note.parts else note.text


# --- building blocks ------------------------------------------------------------------------

# The markdown Adaptive Cards render (bold, italic, links) and what could pass for HTML.
_MARKDOWN = re.compile(r"([\\`*_\[\]()<>~#])")


def escape(text: str | None) -> str:
    """User text shown as it was typed: no markdown, links or HTML take effect."""
    return _MARKDOWN.sub(r"\\\1", text or "")


_EMPHASIS = re.compile(r"^\*([^*\n]+)\*$")
# In the core's messages, what could bold, link or pass for HTML; "#1" and "(…)" stay as written.
_MESSAGE_MARKDOWN = re.compile(r"([\\`*_\[\]<>~])")


def _escape_message(text: str) -> str:
    return _MESSAGE_MARKDOWN.sub(r"\\\1", text)


_SLASH = re.compile(r"/procure\s+|/need\b")


def teams_words(text: str) -> str:
    """The core's wording as Teams users type it: ``/procure claim 12`` is ``claim 12``,
    ``/need`` is ``need``."""
    return _SLASH.sub(lambda m: "" if m.group(0).startswith("/procure") else "need", text)


def message_text(text: str, names: Names = plain_names) -> str:
    """The core's messages (which may name people, ``markup.mention``) as plain text, in Teams' words."""
    return teams_words(markup.render(text, names)).replace("`", "")


def message_markdown(text: str, names: Names = plain_names) -> str:
    """The core's messages as card text: the user text they quote (titles, notes) and people's
    names cannot bold or link, a person it names becomes their name, and a line the core set in
    bold (``*Tandem doctor*``) stays bold."""

    def line(value: str) -> str:
        value = value.replace("`", "")
        bold = _EMPHASIS.match(value)
        inner = bold.group(1) if bold else value
        shown = markup.render(inner, lambda person: _escape_message(names(person)), _escape_message)
        return f"**{shown}**" if bold else shown

    return "\n".join(line(value) for value in teams_words(text).split("\n"))


def clip(text: str, limit: int = TEXT_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text(value: str, **style) -> dict:
    return {"type": "TextBlock", "text": clip(value), "wrap": True, **style}


def heading(value: str) -> dict:
    return text(value, size="Medium", weight="Bolder")


def facts(pairs: Iterable[tuple[str, str]]) -> dict:
    return {"type": "FactSet", "facts": [{"title": title, "value": clip(value, 500)} for title, value in pairs]}


def execute(title: str, verb: Verbs, **data) -> dict:
    return {"type": "Action.Execute", "title": title, "verb": str(verb), "data": {"verb": str(verb), **data}}


def card(body: list[dict], actions: list[dict] | None = None) -> dict:
    content = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if actions:
        content["actions"] = actions
    return content


def choices(values: Iterable[str]) -> list[dict]:
    return [{"title": value.replace("_", " "), "value": value} for value in values]


def more(shown: int, total: int) -> list[dict]:
    return [text(f"…and {total - shown} more", isSubtle=True)] if total > shown else []


def days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


# --- help and plain answers -------------------------------------------------------------------

TEAMS_HELP = "Type a command to me (in a channel, @mention me first):"


def help_card() -> dict:
    lines = [line.replace("/procure ", "").replace("/need [title]", "need [title]") for line in
             commands.HELP.splitlines()[1:]]
    return card([heading("Tandem — IT needs and the contract calendar"), text(TEAMS_HELP),
                 *[text(line) for line in lines]])


def said_card(message: str, names: Names = plain_names) -> dict:
    return card([text(message_markdown(message, names))])


# --- forms ---------------------------------------------------------------------------------------

# The locale whose numbers an ``Input.Number`` takes (``7500.5``): forms filled in for editing use it.
NUMBERS = "en_US"

OWNER_HINT = "an e-mail address, or a Teams or Slack user ID"


def whole(value) -> int | None:
    """A number field's value for an ``Input.Number`` (which takes numbers only)."""
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def amount(value) -> int | float | None:
    """A form value as the number an ``Input.Number`` shows, or ``None``."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return int(number) if number.is_integer() else number


def form_input(field: Field, value, error: str | None, base_currency: str, numbers: bool = False) -> dict:
    """One field of a form (``bot.forms``) as the Adaptive Card input for its kind; its ID is
    the field's name, which the core's parser reads. With ``numbers``, amounts are
    ``Input.Number`` (the need form is read back in ``NUMBERS``), otherwise text as typed."""
    if field.kind is FieldKind.AMOUNT and numbers:
        element = {"type": "Input.Number", "min": 0}
        number = amount(value) if value not in (None, "") else None  # what cannot be a number is left empty
        value = None
        if number is not None:
            element["value"] = number
    elif field.kind is FieldKind.CHOICE:
        element = {"type": "Input.ChoiceSet", "choices": choices(field.choices)}
    elif field.kind is FieldKind.WHOLE:
        element = {"type": "Input.Number", "min": field.minimum, "max": field.maximum}
    elif field.kind is FieldKind.DATE:
        element = {"type": "Input.Date"}
    else:
        element = {"type": "Input.Text", "maxLength": field.max_length}
        if field.kind is FieldKind.LONG_TEXT:
            element["isMultiline"] = True
        placeholder = {FieldKind.PERSON: OWNER_HINT, FieldKind.AMOUNT: "7500"}.get(field.kind, field.example)
        if placeholder:
            element["placeholder"] = placeholder
    element = {key: item for key, item in element.items() if item is not None}
    element.update(id=field.name, label=field.label)
    value = value if value not in (None, "") else field.default
    if field.kind is FieldKind.CURRENCY and value in (None, ""):
        value = base_currency  # Teams shows no placeholder hint as plainly: the currency is filled in
    if field.kind is FieldKind.WHOLE:
        value = whole(value) if value not in (None, "") else None  # Input.Number takes numbers only
    if isinstance(value, str) and element.get("maxLength"):
        value = clip(value, element["maxLength"])  # a title typed after `need` fits its input, as in Slack
    if value not in (None, ""):
        element["value"] = value
    if field.required:
        element.update(isRequired=True, errorMessage=error or f"{field.label} is required.")
    elif error:
        element["errorMessage"] = error
    return element


def form_inputs(form: tuple[Field, ...], values: dict[str, str] | None, errors: dict[str, str] | None,
                base_currency: str, numbers: bool = False) -> list[dict]:
    values, errors = values or {}, errors or {}
    return [form_input(field, values.get(field.name), errors.get(field.name), base_currency, numbers)
            for field in form]


def request_form(values: dict[str, str] | None = None, base_currency: str = "USD",
              errors: dict[str, str] | None = None, request_id: int | None = None) -> dict:
    """The "New IT need" form; ``errors`` (field → message) shows what to fix. With
    ``request_id`` the same form edits that need, filled in with ``values``."""
    errors = errors or {}
    body = [heading("New IT need" if request_id is None else f"Edit #{request_id}")]
    if errors:
        body.append(text("Please fix: " + " ".join(errors.values()), color="Attention"))
    body += form_inputs(NEED_FORM, values, errors, base_currency, numbers=True)
    if request_id is not None:
        return card(body, [execute("Save", Verbs.NEED_EDIT, request=request_id)])
    return card(body, [execute("Post the need", Verbs.NEED)])


# --- requests -----------------------------------------------------------------------------------------


def headline(request: Request) -> str:
    lock = "🔒 " if request.redacted else ""
    return f"{request.number} {lock}{escape(request.title)} — {request.status.label}"


def card_summary(request: Request) -> str:
    """The card as one line of text (notifications and the activity's ``summary``)."""
    return f"{request.number} {request.title} — {request.status.label}"


def request_card(request: Request, linked: LinkedContract | None = None, names: Names = plain_names) -> dict:
    """A request's card in the shared channel: key fields, status, owner, and its buttons."""
    owner = f"claimed by {escape(names(request.owner))}" if request.owner else "unclaimed"
    body = [heading(headline(request))]
    if request.redacted:
        body += [text(f"{request.category.value} · {owner}"),
                 text("Details, justification and cost: only the requester, procurement and admins.",
                      isSubtle=True)]
        checks = together_facts(request.together, names)
        if checks:
            body.append(facts([(label, escape(value)) for label, value in checks]))
    else:
        body += [text(escape(summary(request))),
                 text(f"requested by {escape(names(request.requester))} · {owner}")]
        filed = filed_line(request, names)
        if filed:
            body.append(text(escape(filed), isSubtle=True))
        pairs = []
        if request.preferred_vendor:
            pairs.append(("Preferred vendor", escape(request.preferred_vendor)))
        if request.details:
            pairs.append(("Why", escape(request.details)))
        if linked:
            pairs.append(("Under contract", escape(linked_line(linked))))
        if request.approval:
            pairs.append(("Approval", escape(approval_line(request.approval, names))))
        pairs += [(label, escape(value)) for label, value in together_facts(request.together, names)]
        if pairs:
            body.append(facts(pairs))
    body += request_inputs(request)
    return card(body, request_actions(request))


def request_inputs(request: Request) -> list[dict]:
    """The status menu (only the allowed next statuses) and the note box, as the core
    allows them where the card is shown (``Request.actions``)."""
    allowed = request.actions or Allowed()
    inputs = []
    if Action.CHANGE_STATUS in allowed and allowed.statuses:
        inputs.append({"type": "Input.ChoiceSet", "id": Inputs.STATUS, "label": "Change status",
                       "choices": choices(status.value for status in allowed.statuses),
                       "placeholder": "Choose the next status"})
    if Action.COMMENT in allowed:
        note = NOTE_FORM[0]
        inputs.append({"type": "Input.Text", "id": note.name, "label": "Add note", "isMultiline": True,
                       "maxLength": note.max_length, "placeholder": note.example})
    return inputs


def request_actions(request: Request) -> list[dict]:
    """The card's buttons, as the core allows them (``Request.actions``); Open always, as
    it answers in the person's own chat."""
    allowed = request.actions or Allowed()
    number = request.id
    actions = []
    if Action.UNCLAIM in allowed:
        actions.append(execute("Unclaim", Verbs.UNCLAIM, request=number))
    if Action.CLAIM in allowed:
        actions.append(execute("Claim", Verbs.CLAIM, request=number))
    if Action.CHANGE_STATUS in allowed and allowed.statuses:
        actions.append(execute("Change status", Verbs.STATUS, request=number))
    if Action.COMMENT in allowed:
        actions.append(execute("Add note", Verbs.NOTE, request=number))
    actions.append(execute("Open", Verbs.OPEN, request=number))
    return actions


def linked_line(linked: LinkedContract) -> str:
    left = f"{days(linked.days_left)} left" if linked.days_left >= 0 else f"passed {days(-linked.days_left)} ago"
    renew = "auto-renews" if linked.auto_renew else "does not auto-renew"
    return (f"{linked.vendor} {linked.product} (contract {linked.id}), notice deadline {day(linked.notice_deadline)} "
            f"({left}), ends {day(linked.end_date)}, {renew}")


def approval_line(approval: ApprovalSummary, names: Names = plain_names) -> str:
    state = {"needed": "needed before approved", "open": "waiting for the approvers", "approved": "approved",
             "rejected": "rejected"}.get(approval.state, approval.state)
    line = f"{state} ({approval.why})" if approval.state in ("needed", "open") else state
    for decision in approval.decisions:
        verb = "approved" if decision.approved else "rejected"
        line += f"; {names(decision.approver)} {verb}" + (f": {decision.reason}" if decision.reason else "")
    return line


_REASON = REJECT_FORM[0]  # the reason a need is rejected


def approval_card(request: Request, why: str, names: Names = plain_names) -> dict:
    """Asks an approver, in a DM, to approve or reject."""
    body = [heading(f"Approval needed: {headline(request)}"), text(escape(summary(request))),
            text(f"It needs approval because {escape(why)}. Requested by {escape(names(request.requester))}."),
            {"type": "Input.Text", "id": Inputs.REASON, "label": _REASON.label, "isMultiline": True,
             "maxLength": _REASON.max_length}]
    allowed = request.actions or Allowed()
    buttons = [execute(label, verb, request=request.id) for action, label, verb in
               ((Action.APPROVE, "Approve", Verbs.APPROVE), (Action.REJECT, "Reject", Verbs.REJECT))
               if action in allowed]
    return card(body, [*buttons, execute("Open", Verbs.OPEN, request=request.id)])


def request_row(request: Request, names: Names = plain_names) -> dict:
    owner = escape(names(request.owner)) if request.owner else "unclaimed"
    return {"type": "ColumnSet", "columns": [
        {"type": "Column", "width": "stretch",
         "items": [text(f"**{request.number}** {escape(request.title)}"),
                   text(f"{request.status.label} · {request.category.value} · {owner}", isSubtle=True,
                        spacing="None")]},
        {"type": "Column", "width": "auto", "verticalContentAlignment": "Center",
         "items": [{"type": "ActionSet", "actions": [execute("Open", Verbs.OPEN, request=request.id)]}]},
    ]}


def request_list(page: Page, title: str, names: Names = plain_names) -> dict:
    body = [heading(f"{title} ({page.total})")]
    if not page.items:
        body.append(text("Nothing here."))
    body += [request_row(request, names) for request in page.items[:LIST_ROWS]]
    body += more(min(len(page.items), LIST_ROWS), page.total)
    return card(body)


# A Teams message carries about 28 KB: a request's details keep their latest comments and
# changes within these shares of it, and say how many earlier ones are not shown.
COMMENTS_BUDGET = 12_000
HISTORY_BUDGET = 6_000


def latest(rows: list[dict], budget: int, what: str) -> list[dict]:
    """The latest ``rows`` (at most ``LIST_ROWS``) whose JSON fits in ``budget`` characters, in
    their order, after a line saying how many earlier ones are left out."""
    kept: list[dict] = []
    for row in reversed(rows[-LIST_ROWS:]):
        budget -= len(json.dumps(row))  # escaped, as the connector may count it: the larger measure
        if budget < 0:
            break
        kept.insert(0, row)
    left = len(rows) - len(kept)
    return ([text(f"…{left} earlier {what} are not shown here.", isSubtle=True)] if left else []) + kept


def request_details(item: RequestDetails, linked: LinkedContract | None = None, names: Names = plain_names) -> dict:
    request = item.request
    details = request_card(request, linked, names)
    body = details["body"][: -len(request_inputs(request))]
    body.append(text(f"created {when(request.created_at)} · updated {when(request.updated_at)}"
                     f" · needed by {day(request.needed_by)}", isSubtle=True))
    if item.notes:
        body.append(text("**Comments**"))
        body += latest([text(f"{when(c.at)} {escape(names(c.author))}: {escape(note_words(c, names))}")
                        for c in item.notes], COMMENTS_BUDGET, "comments")
    body.append(text("**History**"))
    body += latest([text(f"{when(e.at)} {escape(names(e.actor))} {message_markdown(describe_event(e), names)}")
                    for e in item.events], HISTORY_BUDGET, "changes")
    if request.actions is not None and Action.EDIT in request.actions:  # the core decides who may edit
        return card(body, [execute("Edit", Verbs.EDIT, request=request.id)])
    return card(body)
