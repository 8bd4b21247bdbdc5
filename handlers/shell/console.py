"""The local shell: try Tandem with no Slack workspace.

Type ``/need`` and ``/procure`` exactly as in Slack, switch who you are (``/as buyer``)
and where you are (``/in channel`` or ``/in dm``), and see what the bot would post. Forms
become questions (``handlers.shell.forms``); what the bot posts is printed by
``handlers.shell.notifier``. It drives the same services as Slack.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TextIO, assert_never

from bot import commands, dispatch, markup
from bot import health
from bot.core import Core
from bot.errors import BadInput, DomainError
from bot.reminders import until_text
from bot.parsing import parse_number
from bot.stats import summary
from handlers.shell import forms as shell_forms
from handlers.shell import imports as shell_imports
from handlers.shell import render, schedule_text
from handlers.shell.notifier import channel_label

log = logging.getLogger(__name__)

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
                shell_forms.ask_need(self, rest.strip())
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
            shell_forms.ask_renewal(self, reply)
        elif reply.form == "sourcing":
            shell_forms.ask_sourcing(self, reply)
        elif reply.form == "need":
            shell_forms.ask_need(self, "", reply.subject_id, reply.values)
        elif reply.form == "contract":
            shell_forms.ask_contract(self, reply.subject_id, reply.values)
        else:
            raise LookupError(f"the shell has no form {reply.form!r}")

    def schedule(self, word: str, rest: str) -> None:
        service = self.core.schedule
        if word == "/digest":
            text = schedule_text.digest(service.preview(now := self.core.clock.now(), now), self.names,
                                        title="The digest the channel would get now")
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
