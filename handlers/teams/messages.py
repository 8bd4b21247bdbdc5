"""Messages to the bot: the same commands as ``/procure`` (``list mine``, ``claim 12``, …),
``need [title]`` for the need form, and replies in a card's thread recorded as comments.

In a channel Teams only delivers messages that @mention the bot; the mention is removed
before the text is read. Each handler turns the activity into plain values, runs the core
in a worker thread and answers with one message.
"""

from __future__ import annotations

import asyncio

from microsoft_agents.activity import ActivityTypes
from microsoft_agents.hosting.core import TurnContext, TurnState

from bot import commands, dispatch
from bot.errors import BadInput
from bot.fanout import preferring
from handlers.teams import cards
from handlers.teams import store as repo
from handlers.teams.notifier import PLATFORM, card_activity
from handlers.teams.replies import refusal, render


def register(bot) -> None:
    core, notifier, directory = bot.core, bot.notifier, bot.directory

    def run(actor: str, command: commands.Command):
        with preferring(core.requests.notifier, PLATFORM):
            reply = dispatch.run(core, actor, command)
            return render(core, notifier, actor, reply, help_=command.name == "help")

    def comment(actor: str, request_id: int, text: str, message_id: str) -> str:
        core.requests.comment(actor, request_id, text, source="thread", external_id=f"teams:{message_id}")
        return "Noted on the request."

    @bot.teams.activity(ActivityTypes.message)
    async def on_message(context: TurnContext, state: TurnState) -> None:
        text = (context.activity.text or "").strip()
        if not text:
            return  # a card's Action.Submit from elsewhere, or an attachment alone: nothing to do
        try:
            actor = await directory.actor(context)
            word, _, rest = text.partition(" ")
            if word.lower() == "need":
                form = cards.need_form({"title": rest.strip()}, core.settings.base_currency)
                await context.send_activity(card_activity(form, "New IT need"))
                return
            thread = await asyncio.to_thread(repo.card_by_thread, core.store.db, context.activity.conversation.id)
            try:
                command = commands.parse(text)
            except BadInput:
                if thread is None:
                    raise
                answer = await asyncio.to_thread(comment, actor, thread.request_id, text, context.activity.id)
                await context.send_activity(answer)
                return
            await context.send_activity(await asyncio.to_thread(run, actor, command))
        except Exception as error:  # the one error path: refused, or logged and "nothing was changed"
            await context.send_activity(refusal(error))
