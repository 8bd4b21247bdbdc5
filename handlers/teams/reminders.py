"""Reminder cards' *Snooze 3 days* and *Done*: the choice is recorded by the core and the
card is rewritten in place, that reminder's buttons replaced by its new state (as in Slack).

Teams sends back only the clicked button's data, so the card as sent is kept
(``teams_reminder_cards``, by message ID); the invoke's answer is the card with the new
state, which Teams shows in place of the old one. A card Tandem no longer has (sent before
this version) gets the state as a short message instead.
"""

from __future__ import annotations

import asyncio

from microsoft_agents.hosting.core import TurnContext, TurnState

from bot.errors import NotFound
from bot.reminders import until_text
from handlers.teams import cards, replays
from handlers.teams import store as repo
from handlers.teams.ids import Verbs
from handlers.teams.replies import card_response, message_response, refusal

DONE_TEXT = "✅ Done — no more reminders about this for you."


def snoozed_text(until, tz) -> str:
    return f"💤 Snoozed — I'll remind you again on {until_text(until, tz)}."


def register(bot) -> None:
    core, directory = bot.core, bot.directory
    tz = core.settings.tz

    def rewrite(card_id: str | None, entry_id: int, state: str):
        content = repo.reminder_card(core.store.db, card_id) if card_id else None
        marked = cards.reminder_marked(content, entry_id, state) if content else None
        if marked is None:
            return message_response(state)
        with core.store.write() as db:
            repo.save_reminder_card(db, card_id, "", marked, core.clock.now())
        return card_response(marked)

    def on(verb: Verbs, choose):
        @bot.agent.adaptive_card.action_execute(str(verb))
        async def handler(context: TurnContext, state: TurnState, data: dict):
            if not await replays.first_time(core.replays, context):
                return message_response(replays.ALREADY_DONE)
            try:
                actor = await directory.actor(context)
                entry_id = reminder_id(data or {})
                card_id = context.activity.reply_to_id

                def run():
                    return rewrite(card_id, entry_id, choose(actor, entry_id))

                return await asyncio.to_thread(run)
            except Exception as error:  # the one error path
                return message_response(refusal(error))

    on(Verbs.SNOOZE, lambda actor, entry_id: snoozed_text(core.schedule.snooze(actor, entry_id), tz))
    on(Verbs.DONE, lambda actor, entry_id: (core.schedule.done(actor, entry_id), DONE_TEXT)[1])


def reminder_id(data: dict) -> int:
    value = str(data.get("reminder", ""))
    if not value.isdigit():
        raise NotFound("That reminder no longer exists.")
    return int(value)
