"""The local shell: try Tandem with no Slack workspace.

Type ``/need`` and ``/procure`` exactly as in Slack, switch who you are (``/as buyer``)
and where you are (``/in channel`` or ``/in dm``), and see what the bot would post. Forms
become questions. It drives the same services as Slack.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, assert_never

from bot import commands, dispatch, forms, markup
from bot import health
from bot.core import Core
from bot.digest import Digest
from bot.errors import BadInput, DomainError
from bot.health import HealthCheck
from bot.notifier import Briefing, CardRef, LinkedContract
from bot.reminders import Reminder, until_text
from bot.forms import CONTRACT_FORM, NEED_FORM, RENEWAL_FORM, Field, FieldKind
from bot.requests import Request
from bot.parsing import parse_number
from bot.stats import summary
from handlers.shell import imports as shell_imports
from handlers.shell import render, schedule_text

log = logging.getLogger(__name__)

# The shell's name as a platform: its cards are kept under it (``storage.cards``).
PLATFORM = "shell"

# Who the shell can play when no one is named: one of each role.
PERSONAS = {
    "it": "U0SHELLIT",
    "buyer": "U0SHELLBUY",
    "admin": "U0SHELLADM",
}

SHELL_HELP = """Shell commands:
  /need [title]            post a new IT need (answers the form's questions)
  /procure <subcommand>    as in Slack; /procure help lists them
  /reply N <text>          reply in request N's card thread (recorded as a comment)
  /as <name or U-id>       switch who you are (it, buyer, admin, or any Slack user ID)
  /in channel | /in dm     switch where you are
  /who                     who and where you are, and everyone's role
  /digest                  the digest the channel would get now (nothing is sent)
  /remind                  run the reminder sweep now (each reminder once, as scheduled ones)
  /snooze N  /done N       snooze reminder N for 3 days, or stop it (yours only)
  /health [answer 4 5 3 4 2 5 [comment] | send]
                           the health check, as /procure health: results, answer, send now (admins)
  /help  /quit"""

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


def channel_label(channel: str | None) -> str:
    if not channel:
        return "#it-procurement"
    return channel if channel.startswith("#") else "#" + channel


class ShellNotifier:
    """Prints what the bot would post in Slack."""

    def __init__(self, channel_name: str, write: Callable[[str], None], names: dict[str, str],
                 files: Path | None = None):
        self.channel_name = channel_name
        self.write = write
        self.names = names
        self.files = files  # where files "sent" in the shell are written (None: only announced)

    def post_card(self, request: Request, linked: LinkedContract | None = None) -> CardRef:
        self.write(f"[{self.channel_name}] Tandem posted a card:\n{render.card(request, self.names, linked)}")
        return CardRef(self.channel_name, f"card-{request.id}")

    def update_card(self, card: CardRef, request: Request, linked: LinkedContract | None = None) -> None:
        self.write(f"[{self.channel_name}] card {request.number} updated:\n{render.card(request, self.names, linked)}")

    def post_in_thread(self, card: CardRef, text: str, author: str) -> None:
        number = card.message_id.removeprefix("card-")
        who = render.person(author, self.names)
        self.write(f"[{self.channel_name} › thread of #{number}] Tandem: {who} added a note: {text}")

    def mirror_note(self, card, request, text: str, author: str, origin: str) -> list:
        return []  # the shell is the only platform here: there is no other thread to copy a reply to

    def edit_mirror(self, mirror, request, text: str, author: str, origin: str) -> None:
        pass

    def delete_mirror(self, mirror) -> None:
        pass

    def send_dm(self, user: str, text: str) -> None:
        self.write(f"[DM to {render.person(user, self.names)}] Tandem: {render.mentions(text, self.names)}")

    def send_file(self, user: str, filename: str, content: bytes, title: str) -> None:
        self.write(f"[DM to {render.person(user, self.names)}] Tandem sent a file: {self._save(filename, content)}"
                   f" — {title}")

    def ask_approval(self, approver: str, request: Request, why) -> None:
        self.write(f"[DM to {render.person(approver, self.names)}] Tandem: approval needed for {request.number} "
                   f"{request.title}: it needs approval because {why}. Answer with /procure approve "
                   f"{request.id} or /procure reject {request.id} <reason>.")

    def post_digest(self, digest: Digest) -> None:
        self.write(f"[{self.channel_name}] Tandem posted the digest:\n{schedule_text.digest(digest, self.names)}")
        if digest.chart:
            self.write(f"[{self.channel_name} › thread of the digest] Tandem attached tandem-flow.png "
                       f"({len(digest.chart):,} bytes; `tandem stats --png FILE` writes it locally)")
        if digest.scorecard is not None and digest.scorecard.chart:
            self.write(f"[{self.channel_name} › thread of the digest] Tandem attached "
                       f"{self._save('tandem-scorecard.png', digest.scorecard.chart)}")

    def _save(self, filename: str, content: bytes) -> str:
        """``filename`` as the shell shows a file: its size, and where it was saved (``tandem-files/``)."""
        where = ""
        if self.files is not None:
            self.files.mkdir(parents=True, exist_ok=True)
            path = self.files / Path(filename).name
            path.write_bytes(content)
            where = f", saved as {path}"
        return f"{filename} ({len(content)} bytes{where})"

    def send_digest_preview(self, user: str, digest: Digest) -> None:
        text = schedule_text.digest(digest, self.names, title="Digest preview (only you see this)")
        self.write(f"[DM to {render.person(user, self.names)}] Tandem:\n{text}")

    def send_reminders(self, user: str, reminders: list[Reminder]) -> None:
        text = schedule_text.reminders(reminders, self.names)
        self.write(f"[DM to {render.person(user, self.names)}] Tandem: {text}")

    def send_health_check(self, user: str, survey: HealthCheck) -> None:
        self.write(f"[DM to {render.person(user, self.names)}] Tandem: {schedule_text.survey(survey)}")

    def post_briefing(self, briefing: Briefing) -> None:
        self.write(f"[{self.channel_name}] Tandem posted:\n{schedule_text.briefing(briefing, self.names)}")

    def send_briefing(self, user: str, briefing: Briefing) -> None:
        self.write(f"[DM to {render.person(user, self.names)}] Tandem:\n{schedule_text.briefing(briefing, self.names)}")


class Shell:
    def __init__(self, core: Core, stdin: TextIO, stdout: TextIO, names: dict[str, str], user: str,
                 notifier=None):
        self.core = core
        self.notifier = notifier or core.notifier
        self.stdin = stdin
        self.stdout = stdout
        self.names = names
        self.user = user
        self.where = "channel"
        self.history: Path | None = None  # set by ``line_editing``

    def line_editing(self, history: Path) -> None:
        """Turns on readline's editing and history (a person at a terminal), kept in ``history``."""
        import readline

        self.history = history
        try:
            readline.read_history_file(history)
        except (FileNotFoundError, PermissionError, OSError):
            pass
        readline.set_history_length(1000)

    def save_history(self) -> None:
        if self.history is None:
            return
        import readline

        try:
            readline.write_history_file(self.history)
        except OSError as error:
            log.warning("could not save the shell history to %s: %s", self.history, error)

    # --- input and output ---------------------------------------------------------------

    def say(self, text: str) -> None:
        self.stdout.write(render.mentions(text, self.names) + "\n")
        self.stdout.flush()

    def ephemeral(self, text: str) -> None:
        self.say("(only you can see this) " + text.replace("\n", "\n  "))

    def ask(self, prompt: str) -> str | None:
        """One line of input; None at the end of input or on Ctrl-C (which cancels a form, and
        leaves the shell at its prompt)."""
        if self.history is not None:
            try:
                return input(prompt)  # readline: editing, the arrows, history
            except EOFError:
                return None
            except KeyboardInterrupt:
                self.stdout.write("\n")
                return None
        self.stdout.write(prompt)
        self.stdout.flush()
        try:
            line = self.stdin.readline()
        except KeyboardInterrupt:
            self.stdout.write("\n")
            return None
        if not line:
            return None
        line = line.rstrip("\n")
        if not self.stdin.isatty():
            self.stdout.write(line + "\n")  # piped input: echo it so the transcript reads well
        return line

    @property
    def prompt(self) -> str:
        where = self.channel_name if self.where == "channel" else "DM with Tandem"
        return f"{render.person(self.user, self.names)} in {where} › "

    @property
    def channel_name(self) -> str:
        return channel_label(self.core.settings.channel)

    # --- the loop -------------------------------------------------------------------------

    def run(self) -> None:
        self.say("Tandem local shell. Type /help for commands, /quit to leave (or Ctrl-D; Ctrl-C cancels a form).")
        self.say(self.roster())
        try:
            while True:
                line = self.ask(self.prompt)
                if line is None:
                    self.say("Bye.")
                    return
                if not self.handle(line.strip()):
                    return
        except KeyboardInterrupt:  # Ctrl-C while a command ran: leave cleanly
            self.say("\nBye.")
        finally:
            self.save_history()

    def handle(self, line: str) -> bool:
        """Handles one line; returns False when the user wants to leave."""
        if not line:
            return True
        word, _, rest = line.partition(" ")
        word = word.lower()
        try:
            if word in ("/quit", "/exit"):
                return False
            elif word == "/help":
                self.say(SHELL_HELP)
            elif word == "/as":
                self.switch_user(rest.strip())
            elif word == "/in":
                self.switch_place(rest.strip().lower())
            elif word == "/who":
                self.say(self.roster())
            elif word == "/need":
                self.need(rest.strip())
            elif word == "/procure":
                self.procure(rest)
            elif word == "/reply":
                self.reply(rest)
            elif word in ("/digest", "/remind", "/snooze", "/done"):
                self.schedule(word, rest.strip())
            elif word == "/health":
                self.procure(f"health {rest}")
            elif word.startswith("/"):
                self.ephemeral(f"{word} is not a command here. Type /help.")
            elif self.where == "dm":
                self.say("Tandem: I answer /need and /procure commands. Try /procure help.")
            else:
                self.say("(a message in the channel; to discuss a request, use /reply N <text>)")
        except DomainError as error:
            self.ephemeral(error.message)
        except Exception:
            log.exception("shell command failed: %s", word)
            self.ephemeral("Something went wrong; nothing was changed. The error is in the log.")
        return True

    def roster(self) -> str:
        lines = [f"You are {render.person(self.user, self.names)} ({self.core.roles.role_of(self.user).value}); people:"]
        for name, user in self.names_by_persona().items():
            lines.append(f"  /as {name:<7} {user}  {self.core.roles.role_of(user).value}")
        return "\n".join(lines)

    def names_by_persona(self) -> dict[str, str]:
        return {name: user for user, name in self.names.items()}

    def switch_user(self, who: str) -> None:
        personas = self.names_by_persona()
        if who in personas:
            self.user = personas[who]
        elif who.upper().startswith(("U", "W")) and who[1:].isalnum():
            self.user = who.upper()
        else:
            raise BadInput(f"Say /as followed by one of {', '.join(personas)} or a Slack user ID like U0123ABCD.")
        self.say(f"You are now {render.person(self.user, self.names)} ({self.core.roles.role_of(self.user).value}).")

    def switch_place(self, where: str) -> None:
        if where not in ("channel", "dm"):
            raise BadInput("Say /in channel or /in dm.")
        self.where = where
        self.say(f"You are now in the {'channel' if where == 'channel' else 'DM with Tandem'}.")

    # --- commands ---------------------------------------------------------------------------

    def need(self, title: str, request_id: int | None = None, values: dict[str, str] | None = None) -> None:
        """Asks the need form's questions: to post a new need, or to edit ``request_id`` (its
        current ``values`` are the defaults)."""
        editing = request_id is not None
        if editing:
            self.say(f"Edit #{request_id} — Enter keeps [the current value]; '.' cancels.")
            defaults = dict(values or {})
        else:
            self.say("New IT need — answer each question; Enter keeps [the default]; '.' cancels.")
            defaults = {f.name: f.default for f in NEED_FORM if f.default}
            limit = next(f.max_length for f in NEED_FORM if f.name == "title") or len(title)
            # A title typed after /need is offered as the form's default only as long as the field takes,
            # as Slack's and Teams' forms fill it in.
            shown = title if len(title) <= limit else title[: limit - 1] + "…"
            defaults.update(title=shown, currency=self.core.settings.base_currency)
        form = dict(defaults)
        pending = [q for q in REQUEST_QUESTIONS]
        while True:
            for key, question, options in pending:
                choices = f" ({'/'.join(options)})" if options else ""
                default = f" [{form.get(key)}]" if form.get(key) else ""
                answer = self.ask(f"  {question}{choices}{default}: ")
                if answer is None or answer.strip() == ".":
                    self.ephemeral("Cancelled; nothing was changed." if editing else "Cancelled; nothing was posted.")
                    return
                if answer.strip():
                    form[key] = answer.strip()
            try:
                if editing:
                    request = self.core.requests.edit(self.user, request_id, form)
                else:
                    request = self.core.requests.create(self.user, form)
            except BadInput as error:
                for key, message in error.errors.items():
                    self.say(f"  ✗ {message}")
                    refused = form.pop(key, None)
                    if key in defaults and defaults[key] != refused:  # never offer again what was refused
                        form[key] = defaults[key]
                pending = [q for q in REQUEST_QUESTIONS if q[0] in error.errors] or REQUEST_QUESTIONS
                continue
            if editing:
                self.ephemeral(f"Saved {request.number} {request.title}; its card is updated.")
            else:
                self.ephemeral(f"Posted {request.number} {request.title} in {self.channel_name}.")
            return

    def contract_form(self, contract_id: int | None, values: dict[str, str] | None) -> None:
        """Asks the contract form's questions: to add a contract, or to edit ``contract_id``."""
        editing = contract_id is not None
        if editing:
            self.say(f"Edit contract {contract_id} — Enter keeps [the current value]; '-' clears it; '.' cancels.")
            defaults = dict(values or {})
        else:
            self.say("New contract — answer each question; Enter keeps [the default]; '.' cancels.")
            defaults = {f.name: f.default for f in CONTRACT_FORM if f.default}
            defaults["currency"] = self.core.settings.base_currency
            if self.core.roles.is_procurement(self.user):
                defaults["procurement_owner"] = self.user
        form = dict(defaults)
        personas = self.names_by_persona()
        pending = list(CONTRACT_QUESTIONS)
        while True:
            for key, question, options in pending:
                choices = f" ({'/'.join(options)})" if options else ""
                shown = form.get(key)
                if shown and key.endswith("_owner"):
                    shown = render.person(shown, self.names).removeprefix("@")
                default = f" [{shown}]" if shown else ""
                answer = self.ask(f"  {question}{choices}{default}: ")
                if answer is None or answer.strip() == ".":
                    self.ephemeral("Cancelled; nothing was changed.")
                    return
                answer = answer.strip()
                if answer == "-":
                    form[key] = ""
                elif answer:
                    form[key] = personas.get(answer.removeprefix("@"), answer) if key.endswith("_owner") else answer
            try:
                if editing:
                    contract = self.core.contracts.edit(self.user, contract_id, form)
                else:
                    contract = self.core.contracts.add(self.user, form)
            except BadInput as error:
                if not error.errors:
                    raise
                for key, message in error.errors.items():
                    self.say(f"  ✗ {message}")
                    form[key] = defaults.get(key, "") if editing else ""
                pending = [q for q in CONTRACT_QUESTIONS if q[0] in error.errors] or CONTRACT_QUESTIONS
                continue
            verb = "Saved" if editing else "Added"
            self.ephemeral(f"{verb} contract {contract.id}: {contract.name}, notice deadline "
                           f"{contract.notice_deadline} (ends {contract.end_date}).")
            return

    def renewal_form(self, reply: dispatch.OpenForm) -> None:
        """Fulfilling a renewal request: asks the contract's new end date and cost."""
        self.say(reply.context + " Enter keeps [the default]; '.' cancels.")
        form = dict(reply.values or {})
        pending = list(RENEWAL_QUESTIONS)
        while True:
            for key, question, _ in pending:
                default = f" [{form.get(key)}]" if form.get(key) else ""
                answer = self.ask(f"  {question}{default}: ")
                if answer is None or answer.strip() == ".":
                    self.ephemeral("Cancelled; nothing was changed.")
                    return
                if answer.strip():
                    form[key] = answer.strip()
            try:
                contract = self.core.renewals.fulfil(self.user, reply.subject_id, form)
            except BadInput as error:
                if not error.errors:
                    raise
                for message in error.errors.values():
                    self.say(f"  ✗ {message}")
                pending = [q for q in RENEWAL_QUESTIONS if q[0] in error.errors] or RENEWAL_QUESTIONS
                continue
            self.ephemeral(dispatch.renewed_text(self.core.requests.get(reply.subject_id), contract))
            return

    def sourcing_form(self, reply: dispatch.OpenForm) -> None:
        """The sourcing map check's *Change* form: IT's stance on each category, asked in turn."""
        self.say("IT's stance per category and system (in-house, open or managed). Enter keeps [the stance]; '.' cancels.")
        form = dict(reply.values or {})
        if more := forms.systems_left_out(form):
            self.say(more)
        pending = list(forms.sourcing_form(form))
        while True:
            for field in pending:
                default = f" [{form.get(field.name)}]" if form.get(field.name) else ""
                answer = self.ask(f"  {field.label}{default}: ")
                if answer is None or answer.strip() == ".":
                    self.ephemeral("Cancelled; nothing was changed.")
                    return
                if answer.strip():
                    form[field.name] = answer.strip()
            try:
                applied = self.core.sourcing.apply(self.user, form)
            except BadInput as error:
                if not error.errors:
                    raise
                for message in error.errors.values():
                    self.say(f"  ✗ {message}")
                pending = [field for field in forms.sourcing_form(form) if field.name in error.errors]
                continue
            self.ephemeral(applied.text())
            return

    def procure(self, text: str) -> None:
        # "@buyer" names a person the shell plays, as a mention does in Slack.
        ids = {name: user for user, name in self.names.items()}
        text = re.sub(r"(?<!\S)@(\w+)", lambda m: markup.mention(ids[m[1]]) if m[1] in ids else m[0], text)
        parsed = commands.parse(text)
        if (parsed.name, parsed.arg) == ("contract", "import") and parsed.extra:  # a local file
            self.ephemeral(shell_imports.run(self.core, self.user, parsed.extra))
            return
        self.show(dispatch.run(self.core, self.user, parsed))

    def show(self, reply: dispatch.Reply) -> None:
        """What a command came to, as the shell shows it: text, a file in the DM, or a form's questions."""
        match reply:
            case dispatch.Said() | dispatch.Changed() | dispatch.Told() | dispatch.ContractChanged():
                self.ephemeral(reply.text)
            case dispatch.BriefingShown():
                self.ephemeral(schedule_text.briefing(reply.briefing, self.names))
                if reply.briefing.chart:
                    self.notifier.send_file(self.user, "tandem-scorecard.png", reply.briefing.chart,
                                            reply.briefing.title)
            case dispatch.Shown():
                self.ephemeral(render.details(reply.details, self.names))
            case dispatch.Listed():
                self.ephemeral(render.request_list(reply.page, reply.title, self.names))
            case dispatch.ContractsListed():
                self.ephemeral(render.contract_list(reply.deadlines, reply.days, self.names, reply.costs_visible,
                                                    reply.total))
            case dispatch.ContractShown():
                self.ephemeral(render.contract_details(reply.details, self.names))
            case dispatch.SendFile():
                self.notifier.send_file(self.user, reply.filename, reply.content, reply.title)
                self.ephemeral(reply.text)
            case dispatch.StatsShown():
                self.ephemeral("\n".join(summary(reply.stats)))
                self.notifier.send_file(self.user, reply.filename, reply.chart, "Requests per week and whose court "
                                        "(tandem stats --png FILE writes it locally)")
            case dispatch.HealthShown():
                self.ephemeral("\n".join(health.lines(reply.results)))
            case dispatch.OpenForm():
                self.open_form(reply)
            case _:
                assert_never(reply)

    def open_form(self, reply: dispatch.OpenForm) -> None:
        if reply.form == "contract_import":
            shell_imports.ask_and_run(self, reply.values or {})
        elif reply.form == "renewal":
            self.renewal_form(reply)
        elif reply.form == "sourcing":
            self.sourcing_form(reply)
        elif reply.form == "need":
            self.need("", reply.subject_id, reply.values)
        elif reply.form == "contract":
            self.contract_form(reply.subject_id, reply.values)
        else:
            raise LookupError(f"the shell has no form {reply.form!r}")

    def schedule(self, word: str, rest: str) -> None:
        service = self.core.schedule
        if word == "/digest":
            text = schedule_text.digest(service.digest(), self.names, title="The digest the channel would get now")
            self.ephemeral(text + "\nNothing was sent; it is posted on TANDEM_DIGEST_CRON.")
            return
        if word == "/remind":
            result = service.sweep()
            self.ephemeral(str(result) if result.sent or result.failed else "No reminders are due now.")
            return
        if not rest.lstrip("#").isdigit():
            raise BadInput(f"Say {word} followed by the reminder's number, for example {word} 3.")
        entry_id = int(rest.lstrip("#"))
        tz = self.core.settings.tz
        if word == "/snooze":
            marked = service.snooze(self.user, entry_id)
            self.ephemeral(f"Snoozed reminder {entry_id}: it comes back on {until_text(marked.snoozed_until, tz)}."
                           if marked.changed else marked.already_text(tz, "snooze"))
        else:
            marked = service.done(self.user, entry_id)
            self.ephemeral(f"Reminder {entry_id} is done; no more reminders about it for you."
                           if marked.changed else marked.already_text(tz, "done"))

    def reply(self, text: str) -> None:
        number, _, body = text.strip().partition(" ")
        if not number or not body.strip():
            raise BadInput("Say /reply N <text>, for example /reply 1 The quote is attached.")
        request_id = parse_number(number)
        who = render.person(self.user, self.names)
        self.say(f"[{self.channel_name} › thread of #{request_id}] {who}: {body.strip()}")
        self.core.requests.note(self.user, request_id, body, source="thread")
