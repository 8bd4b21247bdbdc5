"""Listeners for requests: /need, /procure, card buttons and the need and note modals.

Each listener validates and acks on the thread that answers Slack, then opens its modal on
the forms lane or calls one service and renders on the work lane (``handlers.slack.work``). Errors go to the one error handler in ``handlers.slack.errors``.
"""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot import commands, dispatch
from bot.commands import Command
from bot.clock import today
from bot.core import Core
from bot.format import viewing
from bot.requests import parse_note, parse_request
from bot.parsing import parse_number
from handlers.slack import blocks, form_blocks, forms, replies, shortcuts
from handlers.slack.ids import PLATFORM, Actions, Views
from handlers.slack.notifier import SlackNotifier
from handlers.slack.people import command_text
from handlers.slack.people import SlackLocales
from handlers.slack.errors import Task, guarded


# What to tell a requester when the card could not be posted, by Slack's error code.
CARD_FAILURES = {
    "not_in_channel": "Tandem is not in the channel yet (an admin can fix this with /invite @Tandem)",
    "channel_not_found": "the channel in TANDEM_CHANNEL does not exist or Tandem cannot see it (ask an admin)",
    "is_archived": "the channel is archived (ask an admin to unarchive it or change TANDEM_CHANNEL)",
    "invalid_auth": "Tandem's Slack token is not valid any more (ask an admin)",
    "ratelimited": "Slack is busy right now",
}


def register(app: App, core: Core, notifier: SlackNotifier, locales: SlackLocales) -> None:
    settings = core.settings
    service = core.requests

    @app.command("/need")
    @guarded
    def need(ack: Ack, command: dict, client: WebClient, work: Task) -> None:
        ack()
        user = command["user_id"]
        modal = form_blocks.request_modal(command.get("text", "").strip(), settings.base_currency,
                                  locale=locales.cached(user) or settings.locale)
        work.form(lambda: client.views_open(trigger_id=command["trigger_id"], view=modal))
        work.later(lambda: locales(user))  # known by the time the form comes back

    @app.view(Views.NEED)
    @guarded
    def need_submitted(ack: Ack, body: dict, view: dict, work: Task) -> None:
        user = body["user"]["id"]
        locale = locales.known(user)  # the person's own way of writing amounts, never asked before the ack
        forms.submitted(ack, view, work, lambda form, source: lambda: create(user, form, locale, source),
                        validate=lambda form: parse_need(form, locale), metadata=shortcuts.Source.load)

    def create(user: str, form: dict, locale: str, source: shortcuts.Source | None = None) -> None:
        request = service.create(user, form, locale=locale)
        if source is not None:  # sent from a message: answer in its thread
            shortcuts.answer_source(core, notifier, source, request)
        card = core.cards.of(request.id).get(PLATFORM)
        if card is None:
            why = CARD_FAILURES.get(notifier.last_failure() or "", "Slack did not accept it")
            notifier.send_dm(user, f":warning: Your need {request.number} *{blocks.escape(request.title)}* is saved, "
                                   f"but its card could not be posted in <#{settings.channel}>: {why}. It will be "
                                   f"posted with the next change to the request.")
            return
        link = notifier.permalink(card)
        where = f"<{link}|{request.number}>" if link else request.number
        notifier.send_dm(user, f":white_check_mark: Your need {where} *{blocks.escape(request.title)}* is posted "
                               f"in <#{settings.channel}>. Procurement will pick it up there.")

    def tell_card_problem(user: str, problem) -> None:
        if problem is not None:
            why = CARD_FAILURES.get(problem.reason, f"Slack said {problem.reason}")
            notifier.send_dm(user, f":warning: Your change to {problem.number} is saved, but its card could not be "
                                   f"posted in <#{settings.channel}>: {why}. It is posted with the next change.")

    def pressed(user: str, command: Command) -> None:
        """A card button (or the note form) runs its command through ``dispatch`` like a typed one;
        its answer is the card itself, so the person hears only of a card that could not be posted."""
        _, problem = dispatch.watched(core, user, command, locale=locales(user))
        tell_card_problem(user, problem)

    @app.command("/procure")
    @guarded
    def procure(ack: Ack, command: dict, respond: Respond, client: WebClient, work: Task) -> None:
        ack()
        user = command["user_id"]
        parsed = commands.parse(command_text(command.get("text", "")))

        def run() -> None:
            # Amounts typed in the command, and a form filled in with amounts, are in the person's
            # locale, looked up now (a cached answer is instant): the form reads back what it showed.
            locale = locales(user)
            reply = dispatch.run(core, user, parsed, locale=locale)
            replies.deliver(reply, user=user, trigger_id=command.get("trigger_id"), respond=respond, client=client,
                            notifier=notifier, settings=settings, locale=locale)

        if dispatch.opens_form(parsed):
            work.form(run)
        else:
            work.later(run)

    @app.view(Views.NEED_EDIT)
    @guarded
    def need_edited(ack: Ack, body: dict, view: dict, work: Task) -> None:
        user = body["user"]["id"]
        locale = locales.known(user)
        forms.submitted(ack, view, work, lambda form, number: lambda: edit(user, number, form, locale),
                        validate=lambda form: parse_need(form, locale), metadata=parse_number)

    def parse_need(form: dict, locale: str) -> None:
        parse_request(form, today(core.clock, settings.tz), settings.base_currency, locale)

    def edit(user: str, number: int, form: dict, locale: str) -> None:
        request = service.edit(user, number, form, locale=locale)
        notifier.send_dm(user, f":white_check_mark: Your changes to {request.number} *{blocks.escape(request.title)}* "
                               f"are saved; its card is updated.")

    @app.action(Actions.EDIT)
    @guarded
    def edit_request(ack: Ack, body: dict, action: dict, client: WebClient, work: Task) -> None:
        ack()
        command, user = Command("edit", parse_number(action["value"])), body["user"]["id"]

        def ask() -> None:
            locale = locales(user)
            reply = dispatch.run(core, user, command, locale=locale)  # refused unless the core lets them edit it
            view = replies.form_view(reply, settings, locale)
            if (body.get("container") or {}).get("type") == "view":  # clicked in the details modal
                client.views_push(trigger_id=body["trigger_id"], view=view)
            else:
                client.views_open(trigger_id=body["trigger_id"], view=view)

        work.form(ask)

    @app.action(Actions.CLAIM)
    @guarded
    def claim(ack: Ack, body: dict, action: dict, work: Task) -> None:
        ack()
        command = Command("claim", parse_number(action["value"]))
        work.later(lambda: pressed(body["user"]["id"], command))

    @app.action(Actions.UNCLAIM)
    @guarded
    def unclaim(ack: Ack, body: dict, action: dict, work: Task) -> None:
        ack()
        command = Command("unclaim", parse_number(action["value"]))
        work.later(lambda: pressed(body["user"]["id"], command))

    @app.action(Actions.STATUS)
    @guarded
    def change_status(ack: Ack, body: dict, action: dict, client: WebClient, work: Task) -> None:
        ack()
        number, _, status = action["selected_option"]["value"].partition(":")
        user = body["user"]["id"]
        command = Command("status", parse_number(number), arg=status)
        if not dispatch.opens_form(command):
            work.later(lambda: pressed(user, command))
            return

        def fulfil() -> None:  # a renewal request asks for its contract's new term first
            locale = locales(user)
            reply, problem = dispatch.watched(core, user, command, locale=locale)
            if isinstance(reply, dispatch.OpenForm):
                replies.deliver(reply, user=user, trigger_id=body.get("trigger_id"), respond=None, client=client,
                                notifier=notifier, settings=settings, locale=locale)
            tell_card_problem(user, problem)

        work.form(fulfil)

    @app.action(Actions.ADD_NOTE)
    @guarded
    def add_note(ack: Ack, body: dict, action: dict, client: WebClient, work: Task) -> None:
        ack()
        command, user = Command("note", parse_number(action["value"])), body["user"]["id"]

        def ask() -> None:
            reply = dispatch.run(core, user, command)  # refused unless the core lets them add a note
            client.views_open(trigger_id=body["trigger_id"], view=replies.form_view(reply, settings, settings.locale))

        work.form(ask)

    @app.view(Views.NOTE)
    @guarded
    def note_submitted(ack: Ack, body: dict, view: dict, work: Task) -> None:
        user = body["user"]["id"]
        forms.submitted(ack, view, work, lambda form, number: lambda: pressed(user, Command(
            "note", number, arg=parse_note(form))), validate=parse_note, metadata=parse_number)

    @app.action(Actions.OPEN)
    @guarded
    def open_request(ack: Ack, body: dict, action: dict, client: WebClient, work: Task) -> None:
        ack()
        command = Command("show", parse_number(action["value"]))

        def show() -> None:
            user = body["user"]["id"]
            reply = dispatch.run(core, user, command)
            assert isinstance(reply, dispatch.Shown)
            with viewing(locales(user)):  # amounts as this person writes them
                view = form_blocks.details_modal(reply.details, core.contracts.linked(reply.details.request))
            client.views_open(trigger_id=body["trigger_id"], view=view)

        work.form(show)

