"""Runs a parsed ``/procure`` command against the services and says what came of it.

Every platform calls ``run`` and renders the reply its own way, so the meaning of a
command is defined once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from bot import commands, doctor, forms, imports, renewals, together
from bot.cards import CardProblem
from bot.commands import Command
from bot.contracts import Contract, ContractDetails, Deadline, seats_text
from bot.chart import flow_chart
from bot.core import Core
from bot.errors import BadInput
from bot.format import money
from bot.health import HealthResults, parse_answer
from bot.markup import quoted
from bot.money import parse_money
from bot.notifier import Briefing, NotifyError
from bot.permissions import Action, authorize
from bot.requests import Request, RequestDetails
from bot.request_service import Page
from bot.sourcing import Stance
from bot.stats import Stats
from bot.visibility import Place


@dataclass(frozen=True)
class Said:
    text: str


@dataclass(frozen=True)
class Changed:
    request: Request
    text: str


@dataclass(frozen=True)
class Shown:
    details: RequestDetails


@dataclass(frozen=True)
class Listed:
    page: Page
    title: str


@dataclass(frozen=True)
class OpenForm:
    """Open a form: ``need``, ``contract``, ``renewal`` (a renewal request's new term) or ``note`` (on
    ``subject_id``, whose number and title are the ``context``). To edit, ``subject_id`` names the request or
    contract and ``values`` holds its current values (the form's field names to plain strings)."""

    form: str
    subject_id: int | None = None
    values: dict[str, str] | None = None
    context: str = ""  # a line shown above the fields (the renewal form: which contract, its current term)


@dataclass(frozen=True)
class ContractsListed:
    """Notice deadlines within ``days``, soonest first."""

    deadlines: list[Deadline]  # the first LIST_LIMIT
    days: int
    costs_visible: bool = True
    total: int | None = None  # how many there are in all (None: all are in ``deadlines``)

    @property
    def more(self) -> int:
        return (self.total or 0) - len(self.deadlines) if self.total else 0


@dataclass(frozen=True)
class ContractShown:
    details: ContractDetails


@dataclass(frozen=True)
class ContractChanged:
    """A contract changed; ``request`` is the renewal request when one was opened."""

    contract: Contract
    text: str
    request: Request | None = None


@dataclass(frozen=True)
class SendFile:
    """A file for the user, sent as a direct message (``Notifier.send_file``)."""

    filename: str
    content: bytes
    title: str
    text: str


@dataclass(frozen=True)
class StatsShown:
    """Stats as text, and the chart as a PNG that platforms send as a file."""

    stats: Stats
    chart: bytes

    filename = "tandem-flow.png"


@dataclass(frozen=True)
class HealthShown:
    """The latest health check round: its results, or one line below 3 answers."""

    results: HealthResults


@dataclass(frozen=True)
class Told:
    """A message that quotes user text (an action item, a decision): platforms escape it and
    render only the people the core named (``markup.mention``)."""

    text: str


@dataclass(frozen=True)
class BriefingShown:
    """A briefing shown to the person who asked (the next agenda, open action items, the
    scorecard); its chart, if any, goes to them as a file."""

    briefing: Briefing


Reply = Told | BriefingShown | HealthShown | StatsShown | Said | Changed | Shown | Listed | OpenForm | ContractsListed | ContractShown | ContractChanged | SendFile

CALENDAR_FILE = "tandem-contracts.ics"
# The most rows a list reply carries; more are counted ("…and N more"). Slack shows 48 in one
# message (50 blocks less a header and the count), Teams and the shell fewer.
LIST_LIMIT = 48

LIST_TITLES = {
    "open": "Open requests",
    "mine": "Your open requests and claims",
    "unclaimed": "Unclaimed requests",
    "all": "All requests",
}


# Commands whose reply is a form: a platform opens it at once, ahead of other work, while the
# person's trigger (Slack's lasts 3 s) is still alive.
FORM_COMMANDS = {("contract", "add"), ("contract", "edit"), ("contract", "import"), ("edit", None),
                 ("sourcing", "change"), ("note", None)}
# What a briefing's button (``bot.notifier.Button``) may run: a click runs its command for whoever
# clicked, under the same rules as typing it, and nothing else a forged click might name.
BUTTON_COMMANDS = {("sourcing", "confirm"), ("sourcing", "change")}


def opens_form(command: Command) -> bool:
    """Whether the reply may be a form (``status N fulfilled`` asks a renewal's new term)."""
    renewal = command.name == "status" and command.arg == "fulfilled" and not command.extra
    return renewal or (command.name, command.arg) in FORM_COMMANDS


def run(core: Core, actor: str, command: Command, place: Place = Place.PRIVATE, locale: str | None = None) -> Reply:
    """Runs ``command`` for ``actor``; what the reply shows is cut to ``actor`` in ``place``
    (where the answer will be read: ``Place.PRIVATE`` for an ephemeral answer or a DM).
    ``locale`` is how ``actor`` writes amounts, when the platform knows it (forms are filled
    in that way); otherwise ``TANDEM_LOCALE``."""
    reply, problem = watched(core, actor, command, place, locale)
    if problem is not None and isinstance(reply, (Changed, ContractChanged)):
        reply = dataclasses.replace(reply, text=f"{reply.text}\n{problem.text()}")
    return reply


def watched(core: Core, actor: str, command: Command, place: Place = Place.PRIVATE,
            locale: str | None = None) -> tuple[Reply, CardProblem | None]:
    """``run``, with the card problem apart from the reply (``None``: every card is up to date),
    for a platform that tells it its own way (a button whose answer is the card itself)."""
    reply, problem = core.cards.watching(lambda: _run(core, actor, command, place, locale))
    return _cut(core, actor, reply, place), problem


def button(text: str) -> Command:
    """The command a briefing's button carries, refused unless it is one a button may run."""
    try:
        command = commands.parse(text)
    except BadInput:
        command = None  # not a command at all: not one Tandem wrote on a button
    if command is None or (command.name, command.arg) not in BUTTON_COMMANDS:
        raise BadInput("That button does nothing now. Type `/procure help` to see what Tandem does.")
    return command


def _cut(core: Core, actor: str, reply: Reply, place: Place) -> Reply:
    """No reply carries a request its reader may not see."""
    view = core.visibility
    if isinstance(reply, Changed):
        return dataclasses.replace(reply, request=view.request(actor, reply.request, place))
    if isinstance(reply, ContractChanged) and reply.request is not None:
        return dataclasses.replace(reply, request=view.request(actor, reply.request, place))
    return reply


def _run(core: Core, actor: str, command: Command, place: Place, locale: str | None = None) -> Reply:
    service = core.requests
    view = core.visibility
    name = command.name
    if name == "help":
        return Said(commands.HELP)
    if name == "list":
        page = service.list(actor, command.arg or "open", command.extra, place=place)
        title = LIST_TITLES[command.arg or "open"]
        if command.extra:
            title += f" · {command.extra}"
        return Listed(page, title)
    if name == "show":
        return Shown(service.show(actor, command.number, place))
    if name == "claim":
        request = view.request(actor, service.claim(actor, command.number), place)
        return Changed(request, f"You claimed {request.number} {quoted(request.title)}." + core.risk.hint(request))
    if name == "unclaim":
        request = service.unclaim(actor, command.number)
        return Changed(request, f"{request.number} is unclaimed and back in the queue.")
    if name == "status" and command.arg == "fulfilled":
        renewal = _renewal(core, actor, command, locale)
        if renewal is not None:
            return renewal
    if name == "status":
        price = parse_money(command.extra, locale or core.settings.locale, label="The order price") if command.extra else None
        request = service.change_status(actor, command.number, command.arg, price=price)
        hint = core.risk.hint(request) if request.status.value == "sourcing" else ""
        return Changed(request, f"{request.number} is now {request.status.label.lower()}.{hint}")
    if name == "note" and not command.arg:  # a button: the note form, for someone who may add one
        request = service.for_action(actor, command.number, Action.COMMENT)
        return OpenForm("note", subject_id=request.id, context=f"{request.number} {request.title}")
    if name == "note":
        service.note(actor, command.number, command.arg, source="command")
        request = service.get(command.number)
        return Changed(request, f"Note added to {request.number}.")
    if name == "edit":
        return OpenForm("need", subject_id=command.number, values=service.edit_form(actor, command.number, locale))
    if name == "cancel":
        request = service.cancel(actor, command.number)
        return Changed(request, f"{request.number} is cancelled.")
    if name == "approve":
        request = core.approvals.approve(actor, command.number)
        done = " It is now approved." if request.status.value == "approved" else " Waiting for the other approvers."
        return Changed(request, f"You approved {request.number}.{done}")
    if name == "reject":
        request = core.approvals.reject(actor, command.number, command.arg)
        return Changed(request, f"You rejected {request.number}; it is back in sourcing with your reason.")
    if name == "contracts":
        days = int(command.arg or 90)
        deadlines, total = core.contracts.upcoming_page(actor, days, limit=LIST_LIMIT)
        return ContractsListed(deadlines, days, core.visibility.costs_visible(actor, place), total)
    if name == "contract":
        return _contract(core, actor, command, place)
    if name == "calendar" and command.arg == "link":
        return Said(f"Subscribe to the contract calendar with this link (keep it to the team; anyone with it can read "
                    f"the calendar): {core.feed.url(actor)}\nOutlook: Add calendar → Subscribe from web. Google "
                    f"Calendar: Other calendars → From URL. Each notice deadline has alarms at "
                    f"{', '.join(str(d) for d in core.settings.notice_days)} days.")
    if name == "calendar" and command.arg == "rotate":
        url = core.feed.rotate(actor)
        return Said(f"The calendar has a new subscription link; the old one stopped working. Share the new one: {url}")
    if name == "calendar":
        content = core.contracts.calendar(actor)
        return SendFile(CALENDAR_FILE, content, "Tandem contract calendar",
                        f"The contract calendar ({CALENDAR_FILE}) is in your DMs; import it into any calendar app.")
    if name == "digest":
        try:
            core.schedule.preview_digest(actor)
        except NotifyError as error:
            return Said(f"I could not send you the digest preview ({error}); please try again.")
        return Said("The digest preview is in your DMs.")
    if name == "stats":
        stats = core.stats.stats(actor, int(command.arg or 8))
        return StatsShown(stats, flow_chart(stats))
    if name == "health":
        return _health(core, actor, command)
    if name == "doctor":
        authorize(core.roles, actor, Action.ADMINISTER)
        return Said("*Tandem doctor*\n" + doctor.report(core.diagnose()))
    if name == "scorecard":
        return BriefingShown(core.scorecard.briefing(actor, place))
    if name == "sourcing":
        return _sourcing(core, actor, command, place)
    if name in together.NAMES:
        return together.run(core, actor, command)
    raise LookupError(f"/procure {name} has no handler")  # the parser and this function disagree


def _sourcing(core: Core, actor: str, command: Command, place: Place) -> Reply:
    if command.arg == "set":
        subject, stance = command.extra.rsplit(" ", 1)
        if subject.startswith(forms.SYSTEM_PREFIX):  # the system as already named, whatever the case
            subject = core.sourcing.system_key(subject.removeprefix(forms.SYSTEM_PREFIX))
        entry = core.sourcing.set(actor, subject, Stance(stance))
        return Said(f"IT's stance on {entry.name}{' (system)' if entry.system else ''} is now: {entry.stance.label}.")
    if command.arg == "clear":
        subject = command.extra
        system = subject.startswith(forms.SYSTEM_PREFIX)
        if system:  # the system as already named, whatever the case
            subject = core.sourcing.system_key(subject.removeprefix(forms.SYSTEM_PREFIX))
        name = subject.removeprefix(forms.SYSTEM_PREFIX) + (" (system)" if system else "")
        if core.sourcing.clear(actor, subject) is None:
            return Said(f"IT has no stance on {name}; nothing was cleared.")
        return Said(f"IT's stance on {name} is cleared; the map shows it as not set."
                    if not system else f"IT's stance on {name} is cleared; the map no longer lists it.")
    if command.arg == "confirm":
        done = core.sourcing.confirm(actor, command.extra or None)
        if not done.changed:
            return Said(f"You already confirmed the stances for {command.extra} on "
                        f"{done.at.astimezone(core.settings.tz):%a %d %b}; nothing was changed.")
        return Said(f"Confirmed {done.count} stance{'s' if done.count != 1 else ''} as they are; thank you.")
    if command.arg == "change":
        return OpenForm("sourcing", values=core.sourcing.change_form(actor))
    return BriefingShown(core.sourcing.map(actor, place))


def _renewal(core: Core, actor: str, command: Command, locale: str | None) -> Reply | None:
    """``status N fulfilled`` of a renewal request: the form asking the contract's new term, or
    (with ``end=… cost=…``) the move and the new term at once. ``None``: not a renewal."""
    if command.extra:
        contract = core.renewals.fulfil(actor, command.number, renewals.parse_pairs(command.extra), locale)
        return ContractChanged(contract, renewed_text(core.requests.get(command.number), contract))
    form = core.renewals.form(actor, command.number, locale)
    if form is None:
        return None
    return OpenForm("renewal", subject_id=command.number, values=form.values, context=renewal_context(form))


def renewal_context(form: renewals.RenewalForm) -> str:
    """The line above the renewal form: which contract, and its term now."""
    contract = form.contract
    cost = money(contract.annual_cost, contract.currency) if contract.annual_cost is not None else "no cost recorded"
    return (f"Fulfilling {form.request.number} renews {contract.name} ({contract.number}), which ends "
            f"{contract.end_date.isoformat()} at {cost} a year. Its new end date and annual cost:")


def renewed_text(request: Request, contract: Contract) -> str:
    cost = f", {money(contract.annual_cost, contract.currency)} a year" if contract.annual_cost is not None else ""
    return (f"{request.number} is fulfilled. {contract.name} ({contract.number}) is renewed: it now runs to "
            f"{contract.end_date.isoformat()}{cost}.")


def _health(core: Core, actor: str, command: Command) -> Reply:
    service = core.health
    if command.arg == "answer":
        scores, comment = parse_answer(command.extra or "")
        survey = service.answer(actor, scores, comment)
        return Said(f"Thank you — your answer to the {survey.label} health check is in. It is stored without your "
                    f"name; results appear from 3 answers up (`/procure health`).")
    if command.arg == "send":
        return Said(str(service.send_now(actor)))
    results = service.results(actor)
    if results is None:
        return Said(service.not_yet())
    return HealthShown(results)


def _contract(core: Core, actor: str, command: Command, place: Place) -> Reply:
    service = core.contracts
    action, number = command.arg, command.number
    if action == "add":
        service.check_can_add(actor)
        return OpenForm("contract")
    if action == "import":
        if command.extra:  # chat never reads a path on Tandem's machine
            raise BadInput("In chat, drop the .csv or .xlsx file in a DM to Tandem, or use `contract import` and "
                           "choose the file in the form.")
        service.check_can_add(actor)
        return OpenForm("contract_import", values={"date_order": imports.default_choice(core.settings.date_order)})
    if action == "show":
        return ContractShown(service.show(actor, number, place))
    if action == "edit":
        return OpenForm("contract", subject_id=number, values=service.edit_form(actor, number))
    if action == "renew":
        renewal = service.start_renewal(actor, number)
        contract, request = renewal.contract, core.visibility.request(actor, renewal.request, place)
        return ContractChanged(contract, f"Renewal of {quoted(contract.name)} started: {request.number} {quoted(request.title)}.",
                               request)
    if action == "seats":
        contract = service.record_seats(actor, number, int(command.extra))
        usage = seats_text(contract)
        return ContractChanged(contract, f"{contract.name} ({contract.number}): {usage}.")
    if action == "renewed":
        contract = service.mark_renewed(actor, number)
        return ContractChanged(contract, f"{quoted(contract.name)} ({contract.number}) is marked renewed; "
                                         f"it runs on into a new term after {contract.end_date}.")
    if action == "cancel":
        contract = service.cancel(actor, number)
        return ContractChanged(contract, f"{quoted(contract.name)} ({contract.number}) is marked cancelled; "
                                         f"it runs out on {contract.end_date}.")
    raise LookupError(f"/procure contract {action} has no handler")
