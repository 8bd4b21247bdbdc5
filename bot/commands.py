"""Parsing ``/procure`` text into typed commands, shared by every platform.

A malformed command raises ``BadInput`` whose message includes the usage line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import health, options, sourcing, sync
from bot.errors import BadInput
from bot.requests import Category
from bot.parsing import parse_number
from bot.request_service import LIST_SCOPES

USAGE = {
    "help": "help",
    "list": "list [open|mine|unclaimed|all] [category]",
    "show": "show N",
    "claim": "claim N",
    "unclaim": "unclaim N",
    "status": "status N <status>",
    "note": "note N <text>",
    "cancel": "cancel N",
    "edit": "edit N",
    "approve": "approve N",
    "reject": "reject N <reason>",
    "contracts": "contracts [days]",
    "contract": "contract add | contract import | contract show|edit|renew|renewed|cancel N | contract seats N <seats in use>",
    "calendar": "calendar [link|rotate]",
    "digest": "digest",
    "stats": "stats [weeks]",
    "health": "health | health answer <six scores 1-5> [comment] | health send",
    "option": "option N <vendor> | <price> [currency] | [terms] | [months] | [quote link]",
    "options": "options N",
    "rate": "rate N <option> fit|risk|cost|terms <1-5> …",
    "choose": "choose N <option> <why, in one line>",
    "rules": "rules",
    "agenda": "agenda",
    "decide": "decide <text>",
    "action": "action @person <text> [by YYYY-MM-DD] | action done N",
    "actions": "actions",
    "check": "check N <check number>",
    "uncheck": "uncheck N <check number>",
    "doctor": "doctor",
    "scorecard": "scorecard",
    "sourcing": "sourcing | sourcing set <category> in-house|open|managed | sourcing set system <name> in-house|open|managed | sourcing clear <category> | sourcing clear system <name> | sourcing confirm | sourcing change",
}

HELP = """*Tandem* — IT needs and the contract calendar, shared by IT and procurement.
`/need [title]` — post a new IT need (opens a form)
`/procure list [open|mine|unclaimed|all] [category]` — list requests
`/procure show N` — details, comments and history of request N
`/procure claim N` · `unclaim N` — take a request, or give it back (procurement)
`/procure status N <status>` — move a request on (procurement); a renewal's `fulfilled` asks the contract's new end date and cost (or `status N fulfilled end=YYYY-MM-DD cost=AMOUNT`); `status N ordered 11500 USD` records the order price for the savings
`/procure note N <text>` — add a note; it also goes into the card's thread
`/procure cancel N` — cancel a request (its requester or procurement)
`/procure edit N` — edit your need (opens its form, filled in); an edit answers a request awaiting IT
`/procure approve N` · `reject N <reason>` — decide on a request that needs approval (approvers)
`/procure contracts [days]` — notice deadlines in the next days (default 90)
`/procure contract add` · `contract show N` — the contract calendar
`/procure contract seats N 62` — record the seats in use; before the notice deadline the reminder says "62 of 150 seats used — negotiate down"
`/procure contract import` — import a .csv or .xlsx contracts file (procurement); or drop the file in a DM to Tandem
`/procure contract edit N` · `renew N` · `renewed N` · `cancel N` — edit a contract, start its renewal (opens a linked request), mark it renewed or cancelled (procurement and the contract's owners)
`/procure calendar` — the calendar as an .ics file in a DM · `calendar link` — a URL to subscribe to from Outlook or Google Calendar · `calendar rotate` — a new URL, the old one stops working (admins)
`/procure digest` — preview the digest in a DM
`/procure stats [weeks]` — cycle times and throughput
`/procure health` — the monthly IT–procurement health check: results from 3 answers up, never tied to names
`/procure health answer 4 5 3 4 2 5 [comment]` — answer this month's check by command (scores in the order of the statements)
`/procure health send` — send this month's check now to whoever has not had it (admins)
`/procure option N Zoom | 12000 USD | net 30 | 12 | https://…` — add an option to a request (procurement)
`/procure options N` — the options, how each side rated them, and who signed off which
`/procure rate N A fit 4 risk 2` — rate an option: fit and risk (IT), cost and terms (procurement), 1–5
`/procure choose N A <why>` — sign off an option; the requester and the owner decide together
`/procure rules` — IT's risk rules: the checks each data class needs before ordering
`/procure check N 1` · `uncheck N 1` — tick a risk check on a request (IT)
`/procure sourcing` — the sourcing map: IT's stance per category (keep in-house, open to a supplier, supplier-managed) and the opportunities · `sourcing set software open` · `sourcing set system Salesforce managed` · `sourcing clear system Salesforce` · `sourcing confirm` · `sourcing change` (a form; IT owners and admins)
`/procure scorecard` — the six health-check statements measured from the work, beside how people rated them, with the largest gap called out (and a chart in your DMs)
`/procure doctor` — check the set-up: tokens, scopes, channel, user groups, database, schedule (admins)
`/procure agenda` — the next sync meeting's agenda as it stands (it is posted TANDEM_SYNC_LEAD before the meeting)
`/procure decide <text>` — record a decision of the sync meeting
`/procure action @person <text> [by YYYY-MM-DD]` — record an action item; `action done N` when it is done
`/procure actions` — the open action items
Statuses: new → claimed → sourcing → approved → ordered → fulfilled, plus on_hold, awaiting_it, cancelled; `status N resume` returns a paused request to where it was."""


@dataclass(frozen=True)
class Command:
    name: str
    number: int | None = None
    arg: str | None = None
    extra: str | None = None


def usage(name: str) -> str:
    return f"Usage: `/procure {USAGE[name]}`"


def parse(text: str) -> Command:
    words = (text or "").replace("\x00", "").split()
    if not words:
        return Command("help")
    name, rest = words[0].lower(), words[1:]
    if name not in USAGE:
        shown = words[0][:40]
        raise BadInput(f"I don't know `{shown}`. Try `/procure help`.\n{_all_usage()}")
    try:
        return _PARSERS[name](name, rest, text)
    except BadInput as exc:
        raise BadInput(f"{exc.message}\n{usage(name)}") from None


def _all_usage() -> str:
    return "\n".join(f"`/procure {line}`" for line in USAGE.values())


def _no_args(name, rest, text) -> Command:
    if rest:
        raise BadInput(f"`{name}` takes no arguments.")
    return Command(name)


def _numbered(name, rest, text) -> Command:
    if len(rest) != 1:
        raise BadInput(f"`{name}` needs exactly one request number.")
    return Command(name, parse_number(rest[0]))


def _list(name, rest, text) -> Command:
    scope, category = "open", None
    for word in rest:
        lowered = word.lower()
        if lowered in LIST_SCOPES:
            scope = lowered
        elif lowered in {c.value for c in Category}:
            category = lowered
        else:
            options = ", ".join(c.value for c in Category)
            raise BadInput(f"{word[:40]!r} is neither a list ({', '.join(LIST_SCOPES)}) nor a category ({options}).")
    return Command(name, arg=scope, extra=category)


def _status(name, rest, text) -> Command:
    if len(rest) > 2 and rest[1].lower() == "fulfilled":
        # A renewal's new term: ``end=YYYY-MM-DD cost=AMOUNT``, read by ``bot.renewals``.
        return Command(name, parse_number(rest[0]), arg="fulfilled", extra=text.split(None, 3)[3].strip())
    if len(rest) > 2 and rest[1].lower() == "ordered":
        # The order price, for the savings: everything after the word ``ordered``.
        return Command(name, parse_number(rest[0]), arg="ordered", extra=text.split(None, 3)[3].strip())
    if len(rest) != 2:
        raise BadInput("`status` needs a request number and a status (and, for `ordered`, the price if you like).")
    return Command(name, parse_number(rest[0]), arg=rest[1].lower())


def _note(name, rest, text, what: str = "the note") -> Command:
    if not rest:
        raise BadInput(f"`{name}` needs a request number and {what}.")
    number = parse_number(rest[0])
    # Keep the text's own spacing: take everything after the number.
    body = text.split(None, 2)[2].strip() if len(text.split(None, 2)) == 3 else ""
    if not body:
        raise BadInput(f"Write {what} after the request number.")
    return Command(name, number, arg=body)


def _days(name, rest, text, default: int, unit: str, maximum: int) -> Command:
    if not rest:
        return Command(name, arg=str(default))
    if len(rest) != 1 or not rest[0].isdecimal() or not 1 <= int(rest[0]) <= maximum:
        raise BadInput(f"`{name}` takes a number of {unit} from 1 to {maximum}.")
    return Command(name, arg=str(int(rest[0])))


CALENDAR_ACTIONS = ("link", "rotate")


def _calendar(name, rest, text) -> Command:
    if not rest:
        return Command(name)
    if len(rest) == 1 and rest[0].lower() in CALENDAR_ACTIONS:
        return Command(name, arg=rest[0].lower())
    raise BadInput("Use `calendar` (the .ics file), `calendar link` (subscribe) or `calendar rotate` (admins).")


CONTRACT_ACTIONS = ("show", "edit", "renew", "renewed", "cancel")


def _contract(name, rest, text) -> Command:
    action = rest[0].lower() if rest else ""
    if action == "seats":
        if len(rest) != 3 or not rest[2].replace(",", "").isdecimal():
            raise BadInput("`contract seats` needs a contract number and the seats in use, like `contract seats 3 62`.")
        return Command(name, _contract_number(rest[1]), arg="seats", extra=str(int(rest[2].replace(",", ""))))
    if action == "add" and len(rest) == 1:
        return Command(name, arg="add")
    if action == "import":
        # A path is for the shell, which reads local files; chat opens the import form.
        path = text.split(None, 2)[2].strip() if len(text.split(None, 2)) == 3 else None
        return Command(name, arg="import", extra=path)
    if action in CONTRACT_ACTIONS and len(rest) == 2:
        return Command(name, _contract_number(rest[1]), arg=action)
    if action in CONTRACT_ACTIONS:
        raise BadInput(f"`contract {action}` needs exactly one contract number.")
    raise BadInput("Use `contract add`, `contract import`, or `contract show`, `edit`, `renew`, `renewed` or `cancel` with a contract number.")


def _health(name, rest, text) -> Command:
    action = rest[0].lower() if rest else ""
    if not rest:
        return Command(name)
    if action == "send" and len(rest) == 1:
        return Command(name, arg="send")
    if action == "answer":
        # Keep the comment's own spacing: take everything after the word ``answer``.
        answer = text.split(None, 2)[2] if len(text.split(None, 2)) == 3 else ""
        health.parse_answer(answer)  # refused here, with the usage line, when malformed
        return Command(name, arg="answer", extra=answer)
    raise BadInput("Use `health` for the results, `health answer` followed by six scores, or `health send`.")


def _option(name, rest, text) -> Command:
    command = _note(name, rest, text, what="the option (vendor | price | terms | months | quote link)")
    return Command(name, command.number, arg=command.arg)


def _rate(name, rest, text) -> Command:
    if len(rest) < 3:
        raise BadInput("`rate` needs a request number, an option letter and scores.")
    ratings = options.parse_ratings(rest[2:])
    return Command(name, parse_number(rest[0]), arg=options.parse_letter(rest[1]),
                   extra=" ".join(f"{aspect} {score}" for aspect, score in ratings.items()))


def _choose(name, rest, text) -> Command:
    if len(rest) < 2:
        raise BadInput("`choose` needs a request number, an option letter and why, in one line.")
    parts = text.split(None, 3)
    rationale = parts[3].strip() if len(parts) == 4 else ""
    if not rationale:
        raise BadInput("Say in one line why you choose it, after the option letter.")
    return Command(name, parse_number(rest[0]), arg=options.parse_letter(rest[1]), extra=rationale)


def _check(name, rest, text) -> Command:
    if len(rest) < 2:
        raise BadInput(f"`{name}` needs a request number and the check's number (or name).")
    return Command(name, parse_number(rest[0]), arg=text.split(None, 2)[2].strip())


def _rest(name, rest, text, what: str) -> Command:
    body = text.split(None, 1)[1].strip() if len(text.split(None, 1)) == 2 else ""
    if not body:
        raise BadInput(f"Write {what} after `{name}`.")
    return Command(name, arg=body)


def _action(name, rest, text) -> Command:
    if rest and rest[0].lower() == "done":
        if len(rest) != 2:
            raise BadInput("`action done` needs the action item's number.")
        return Command(name, parse_number(rest[1]), arg="done")
    command = _rest(name, rest, text, "who and what")
    sync.parse_action(command.arg)  # refused here, with the usage line, when malformed
    return Command(name, arg="add", extra=command.arg)


def _sourcing(name, rest, text) -> Command:
    action = rest[0].lower() if rest else ""
    if not rest:
        return Command(name)
    if action == "confirm" and len(rest) == 1:
        return Command(name, arg="confirm")
    if action == "confirm" and len(rest) == 2 and re.fullmatch(r"\d{4}-Q[1-4]", rest[1].upper()):
        return Command(name, arg="confirm", extra=rest[1].upper())  # the quarterly check's button
    if action == "change" and len(rest) == 1:
        return Command(name, arg="change")
    if action == "set" and len(rest) >= 4 and rest[1].lower() == "system":
        system = sourcing.parse_system(" ".join(rest[2:-1]))
        return Command(name, arg="set", extra=f"{system} {sourcing.parse_stance(rest[-1])}")
    if action == "set" and len(rest) == 3:
        return Command(name, arg="set", extra=f"{sourcing.parse_category(rest[1])} {sourcing.parse_stance(rest[2])}")
    if action == "clear" and len(rest) >= 3 and rest[1].lower() == "system":
        return Command(name, arg="clear", extra=sourcing.parse_system(" ".join(rest[2:])))
    if action == "clear" and len(rest) == 2:
        return Command(name, arg="clear", extra=sourcing.parse_category(rest[1]))
    raise BadInput("Use `sourcing` for the map, `sourcing set <category> in-house|open|managed`, "
                   "`sourcing set system <name> in-house|open|managed`, `sourcing clear <category>`, "
                   "`sourcing clear system <name>`, `sourcing confirm`, or `sourcing change` (the form).")


def _contract_number(text: str) -> int:
    try:
        return parse_number(text)
    except BadInput:
        raise BadInput(f"{text[:40]!r} is not a contract number; use a number like 3.") from None


_PARSERS = {
    "help": _no_args,
    "list": _list,
    "show": _numbered,
    "claim": _numbered,
    "unclaim": _numbered,
    "status": _status,
    "note": _note,
    "cancel": _numbered,
    "edit": _numbered,
    "approve": _numbered,
    "reject": lambda n, r, t: _note(n, r, t, what="the reason"),
    "contracts": lambda n, r, t: _days(n, r, t, 90, "days", 3650),
    "contract": _contract,
    "calendar": lambda n, r, t: _calendar(n, r, t),
    "digest": _no_args,
    "stats": lambda n, r, t: _days(n, r, t, 8, "weeks", 104),
    "health": _health,
    "option": _option,
    "options": _numbered,
    "rate": _rate,
    "choose": _choose,
    "rules": _no_args,
    "agenda": _no_args,
    "decide": lambda n, r, t: _rest(n, r, t, "the decision"),
    "action": _action,
    "actions": _no_args,
    "check": _check,
    "uncheck": _check,
    "doctor": _no_args,
    "sourcing": _sourcing,
    "scorecard": _no_args,
}
