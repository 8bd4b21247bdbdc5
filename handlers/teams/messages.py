"""Messages to the bot: the same commands as Slack's ``/procure`` (``list mine``, ``claim 12``,
…), ``need [title]`` for the need form, and the card threads' replies recorded as comments.

Teams delivers every message of a channel where the app is installed (the manifest's
``ChannelMessage.Read.Group``): a message in a card's thread that does not @mention Tandem
is a comment on that request (stored once per message id, edits and deletes applied,
nothing posted back); one that mentions Tandem is a command (or, if it is none, a
comment); elsewhere in a channel only messages that mention Tandem are read.

Answers with details never land in a channel: there, the answer goes to the person's
personal chat with Tandem (Teams' equivalent of Slack's "only visible to you") and the
channel gets a short pointer. Each handler turns the activity into plain values, runs the
core in a worker thread and answers with one message.
"""

from __future__ import annotations

import asyncio
import logging

from microsoft_agents.activity import Activity, ActivityTypes
from microsoft_agents.hosting.core import TurnContext, TurnState

from bot import commands, dispatch
from bot.errors import BadInput
from bot.fanout import preferring
from bot.format import viewing
from bot.money import safe_locale
from bot.notifier import NotifyError
from handlers.teams import cards, files, home, imports, mentions, replays
from storage import teams as repo
from handlers.teams.notifier import PLATFORM, card_activity, text_activity
from handlers.teams.people import ACTOR
from handlers.teams.cards import NUMBERS
from handlers.teams.replies import refusal, render

log = logging.getLogger(__name__)

SENT_PRIVATELY = "I sent you the answer in your personal chat with Tandem."
NOT_REACHED = ("I could not reach your personal chat with Tandem, and answers with details are not shown in a "
               "channel: open Tandem in Teams (Apps → Tandem) and ask there.")


def comment_id(message_id: str) -> str:
    """A Teams message's identity: a retried delivery carries the same one, so it is stored once."""
    return f"teams:{message_id}"


def register(bot) -> None:
    core, notifier, directory = bot.core, bot.notifier, bot.directory

    def run(actor: str, command: commands.Command, locale: str) -> Activity:
        """``locale`` is the Teams client's: amounts typed are read, and shown back, its way."""
        with preferring(core.notifier, PLATFORM):
            # The forms' costs go into number inputs, which take plain numbers.
            reply = dispatch.run(core, actor, command, locale=NUMBERS if dispatch.opens_form(command) else locale)
            with viewing(locale):  # every answer here is read in private (a channel's goes to the personal chat)
                return render(core, notifier, actor, reply, help_=command.name == "help")

    def comment(actor: str, request_id: int, text: str, message_id: str) -> None:
        core.requests.note(actor, request_id, text, source="thread", external_id=comment_id(message_id))

    async def answer(context: TurnContext, actor: str | None, activity: Activity, private: bool) -> None:
        """In a personal chat: the answer. In a channel: the answer in the personal chat, a pointer here."""
        if not private or actor is None:
            await context.send_activity(activity)
            return
        try:
            await asyncio.to_thread(notifier.send_activity_to, actor, activity)
        except NotifyError as error:
            log.info("a channel answer could not go to the personal chat: %s", error)
            await context.send_activity(text_activity(NOT_REACHED))
            return
        await context.send_activity(text_activity(SENT_PRIVATELY))

    @bot.teams.activity(ActivityTypes.message)
    async def on_message(context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        if activity.from_property and activity.recipient and activity.from_property.id == activity.recipient.id:
            return  # Tandem's own message (a note or a copy of a Slack reply): never stored back
        if not await replays.first_time(core.replays, context):
            return  # Teams sent this message again: it was handled the first time
        said = mentions.read(activity)
        kind = (activity.conversation.conversation_type or repo.PERSONAL) if activity.conversation else repo.PERSONAL
        in_channel = kind != repo.PERSONAL
        # The request whose card's thread this is (None outside cards' threads).
        thread = await asyncio.to_thread(core.cards.request_for, PLATFORM, activity.conversation.id) \
            if in_channel else None
        if in_channel and not said.to_bot:
            if thread is not None and said.comment and activity.id:
                try:
                    await asyncio.to_thread(comment, await directory.actor(context), thread,
                                            said.comment, activity.id)
                except Exception as error:  # the one error path, told to the author alone
                    await answer(context, context.turn_state.get(ACTOR), text_activity(refusal(error)), True)
            return  # channel chat that is not for Tandem (the app reads the whole channel)
        sent = imports.sent_file(activity) if not in_channel else None
        if sent is not None:  # a contracts file sent in the personal chat: imported like Slack's
            actor = None
            try:
                actor = await directory.actor(context)
                text = await imports.import_sent(core, actor, activity, *sent, notifier.file_hosts)
            except Exception as error:  # refused (not procurement, not a spreadsheet, …) or failed
                text = refusal(error)
            await context.send_activity(text_activity(text))
            return
        if not said.command:
            return  # a card's Action.Submit from elsewhere, or an attachment alone: nothing to do
        actor = None
        try:
            actor = await directory.actor(context)
            word, _, rest = said.command.partition(" ")
            if word.lower() == "home" and not rest.strip():
                await answer(context, actor, await home.home_activity(bot, context, actor), in_channel)
                return
            if word.lower() == "need":
                form = cards.request_form({"title": rest.strip()}, core.settings.base_currency)
                await answer(context, actor, card_activity(form, "New IT need"), in_channel)
                return
            text = said.command
            if word.lower() == "action" and said.people:  # action @person …: the person a mention names
                text = await directory.with_people(context, said)
            try:
                command = commands.parse(text)
            except BadInput:
                if thread is None:
                    raise
                await asyncio.to_thread(comment, actor, thread, said.comment, activity.id)
                return
            locale = safe_locale(getattr(activity, "locale", None), core.settings.locale)
            reply = await asyncio.to_thread(run, actor, command, locale)
            if in_channel and command.name == "calendar" and not command.arg and core.settings.public_url:
                # File consent works only in a personal chat (where the file went): the channel gets the feed.
                link = await asyncio.to_thread(core.feed.url, actor)
                await context.send_activity(files.calendar_link_activity(link))
                return
            await answer(context, actor, reply, in_channel and command.name != "help")
        except Exception as error:  # the one error path: refused, or logged and "nothing was changed"
            await answer(context, actor, text_activity(refusal(error)), in_channel)

    @bot.teams.messages.edit
    async def on_edit(context: TurnContext, state: TurnState) -> None:
        """A reply edited in a card's thread: the stored comment follows."""
        said = mentions.read(context.activity)
        if context.activity.id and said.comment:
            await asyncio.to_thread(core.requests.record_thread_edit, comment_id(context.activity.id), said.comment)

    @bot.teams.messages.delete
    async def on_delete(context: TurnContext, state: TurnState) -> None:
        """A reply deleted in a card's thread: its comment is deleted too."""
        if context.activity.id:
            await asyncio.to_thread(core.requests.record_thread_delete, comment_id(context.activity.id))
