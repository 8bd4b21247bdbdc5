"""Forms in the shell: a form's fields (``bot.forms``) become questions asked one at a time,
with the current value or the default in brackets; what the core refuses is asked again."""

from __future__ import annotations

from bot import dispatch
from bot.errors import BadInput
from bot.forms import CONTRACT_FORM, NEED_FORM, RENEWAL_FORM, Field, FieldKind, sourcing_form, systems_left_out
from handlers.shell import render
from handlers.shell.ids import PERSONAS


def questions(form: tuple[Field, ...]) -> list[tuple[str, str, tuple[str, ...]]]:
    """A form's fields (``bot.forms``) as the shell's questions: name, what is asked, choices.
    A person may also be named by the persona the shell plays."""
    def asked(f: Field) -> str:
        hint = f"{', '.join(PERSONAS)}, or {f.hint}" if f.kind is FieldKind.PERSON else f.hint
        return f"{f.label} ({hint})" if hint else f.label
    return [(f.name, asked(f), f.choices) for f in form]

RENEWAL_QUESTIONS = questions(RENEWAL_FORM)
REQUEST_QUESTIONS = questions(NEED_FORM)
CONTRACT_QUESTIONS = questions(CONTRACT_FORM)


def ask_need(console, title: str, request_id: int | None = None, values: dict[str, str] | None = None) -> None:
    """Asks the need form's questions: to post a new need, or to edit ``request_id`` (its
    current ``values`` are the defaults)."""
    editing = request_id is not None
    if editing:
        console.say(f"Edit #{request_id} — Enter keeps [the current value]; '.' cancels.")
        defaults = dict(values or {})
    else:
        console.say("New IT need — answer each question; Enter keeps [the default]; '.' cancels.")
        defaults = {f.name: f.default for f in NEED_FORM if f.default}
        limit = next(f.max_length for f in NEED_FORM if f.name == "title") or len(title)
        # A title typed after /need is offered as the form's default only as long as the field takes,
        # as Slack's and Teams' forms fill it in.
        shown = title if len(title) <= limit else title[: limit - 1] + "…"
        defaults.update(title=shown, currency=console.core.settings.base_currency)
    form = dict(defaults)
    pending = [q for q in REQUEST_QUESTIONS]
    while True:
        for key, question, options in pending:
            choices = f" ({'/'.join(options)})" if options else ""
            default = f" [{form.get(key)}]" if form.get(key) else ""
            answer = console.ask(f"  {question}{choices}{default}: ")
            if answer is None or answer.strip() == ".":
                console.ephemeral("Cancelled; nothing was changed." if editing else "Cancelled; nothing was posted.")
                return
            if answer.strip():
                form[key] = answer.strip()
        try:
            if editing:
                request = console.core.requests.edit(console.user, request_id, form)
            else:
                request = console.core.requests.create(console.user, form)
        except BadInput as error:
            for key, message in error.errors.items():
                console.say(f"  ✗ {message}")
                refused = form.pop(key, None)
                if key in defaults and defaults[key] != refused:  # never offer again what was refused
                    form[key] = defaults[key]
            pending = [q for q in REQUEST_QUESTIONS if q[0] in error.errors] or REQUEST_QUESTIONS
            continue
        if editing:
            console.ephemeral(f"Saved {request.number} {request.title}; its card is updated.")
        else:
            console.ephemeral(f"Posted {request.number} {request.title} in {console.channel_name}.")
        return


def ask_contract(console, contract_id: int | None, values: dict[str, str] | None) -> None:
    """Asks the contract form's questions: to add a contract, or to edit ``contract_id``."""
    editing = contract_id is not None
    if editing:
        console.say(f"Edit contract {contract_id} — Enter keeps [the current value]; '-' clears it; '.' cancels.")
        defaults = dict(values or {})
    else:
        console.say("New contract — answer each question; Enter keeps [the default]; '.' cancels.")
        defaults = {f.name: f.default for f in CONTRACT_FORM if f.default}
        defaults["currency"] = console.core.settings.base_currency
        if console.core.roles.is_procurement(console.user):
            defaults["procurement_owner"] = console.user
    form = dict(defaults)
    personas = console.names_by_persona()
    pending = list(CONTRACT_QUESTIONS)
    while True:
        for key, question, options in pending:
            choices = f" ({'/'.join(options)})" if options else ""
            shown = form.get(key)
            if shown and key.endswith("_owner"):
                shown = render.person(shown, console.names).removeprefix("@")
            default = f" [{shown}]" if shown else ""
            answer = console.ask(f"  {question}{choices}{default}: ")
            if answer is None or answer.strip() == ".":
                console.ephemeral("Cancelled; nothing was changed.")
                return
            answer = answer.strip()
            if answer == "-":
                form[key] = ""
            elif answer:
                form[key] = personas.get(answer.removeprefix("@"), answer) if key.endswith("_owner") else answer
        try:
            if editing:
                contract = console.core.contracts.edit(console.user, contract_id, form)
            else:
                contract = console.core.contracts.add(console.user, form)
        except BadInput as error:
            if not error.errors:
                raise
            for key, message in error.errors.items():
                console.say(f"  ✗ {message}")
                form[key] = defaults.get(key, "") if editing else ""
            pending = [q for q in CONTRACT_QUESTIONS if q[0] in error.errors] or CONTRACT_QUESTIONS
            continue
        verb = "Saved" if editing else "Added"
        console.ephemeral(f"{verb} contract {contract.id}: {contract.name}, notice deadline "
                       f"{contract.notice_deadline} (ends {contract.end_date}).")
        return


def ask_renewal(console, reply: dispatch.OpenForm) -> None:
    """Fulfilling a renewal request: asks the contract's new end date and cost."""
    console.say(reply.context + " Enter keeps [the default]; '.' cancels.")
    form = dict(reply.values or {})
    pending = list(RENEWAL_QUESTIONS)
    while True:
        for key, question, _ in pending:
            default = f" [{form.get(key)}]" if form.get(key) else ""
            answer = console.ask(f"  {question}{default}: ")
            if answer is None or answer.strip() == ".":
                console.ephemeral("Cancelled; nothing was changed.")
                return
            if answer.strip():
                form[key] = answer.strip()
        try:
            contract = console.core.renewals.fulfil(console.user, reply.subject_id, form)
        except BadInput as error:
            if not error.errors:
                raise
            for message in error.errors.values():
                console.say(f"  ✗ {message}")
            pending = [q for q in RENEWAL_QUESTIONS if q[0] in error.errors] or RENEWAL_QUESTIONS
            continue
        console.ephemeral(dispatch.renewed_text(console.core.requests.get(reply.subject_id), contract))
        return


def ask_sourcing(console, reply: dispatch.OpenForm) -> None:
    """The sourcing map check's *Change* form: IT's stance on each category, asked in turn."""
    console.say("IT's stance per category and system (in-house, open or managed). Enter keeps [the stance]; '.' cancels.")
    form = dict(reply.values or {})
    if more := systems_left_out(form):
        console.say(more)
    pending = list(sourcing_form(form))
    while True:
        for field in pending:
            default = f" [{form.get(field.name)}]" if form.get(field.name) else ""
            answer = console.ask(f"  {field.label}{default}: ")
            if answer is None or answer.strip() == ".":
                console.ephemeral("Cancelled; nothing was changed.")
                return
            if answer.strip():
                form[field.name] = answer.strip()
        try:
            applied = console.core.sourcing.apply(console.user, form)
        except BadInput as error:
            if not error.errors:
                raise
            for message in error.errors.values():
                console.say(f"  ✗ {message}")
            pending = [field for field in sourcing_form(form) if field.name in error.errors]
            continue
        console.ephemeral(applied.text())
        return
