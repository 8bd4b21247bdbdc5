"""Reminder cards' *Snooze 3 days* and *Done*: the choice is recorded by the core and the
card is rewritten in place, that reminder's buttons replaced by its new state (as in Slack).

Teams sends back only the clicked button's data, so the card as sent is kept
(``teams_reminder_cards``, by message ID); the invoke's answer is the card with the new
state, which Teams shows in place of the old one. A card Tandem no longer has (sent before
this version) gets the state as a short message instead. A click that changes nothing (Snooze
or Done a second time, Snooze after Done) is answered with a message; the card stays.
"""

from __future__ import annotations

import asyncio

from microsoft_agents.hosting.core import TurnContext, TurnState

from bot.errors import NotFound
from bot.reminders import Marked, until_text
from handlers.teams import replays, schedule_cards
from storage import teams as repo
from handlers.teams.ids import Verbs
from handlers.teams.replies import card_response, message_response, refusal

DONE_TEXT = "✅ Done — no more reminders about this for you."


def snoozed_text(until, tz) -> str:
    return f"💤 Snoozed — I'll remind you again on {until_text(until, tz)}."


def register(bot) -> None:
    core, directory = bot.core, bot.directory
    tz = core.settings.tz

    def answer(card_id: str | None, entry_id: int, marked: Marked, asked: str):
        """The card rewritten with the reminder's new state; a click that changed nothing
        (a second one) is answered with a message and leaves the card as it is."""
        if not marked.changed:
            return message_response(marked.already_text(tz, asked))
        state = DONE_TEXT if marked.done else snoozed_text(marked.snoozed_until, tz)
        with core.store.write() as db:  # read and rewritten at once: two reminders of one card keep both states
            content = repo.reminder_card(db, card_id) if card_id else None
            rewritten = schedule_cards.reminder_marked(content, entry_id, state) if content else None
            if rewritten is None:
                return message_response(state)
            repo.update_reminder_card(db, card_id, rewritten, core.clock.now())
        return card_response(rewritten)

    def on(verb: Verbs, choose, asked: str):
        @bot.agent.adaptive_card.action_execute(str(verb))
        async def handler(context: TurnContext, state: TurnState, data: dict):
            if not await replays.first_time(core.replays, context):
                return message_response(replays.ALREADY_DONE)
            try:
                actor = await directory.actor(context)
                entry_id = reminder_id(data or {})
                card_id = context.activity.reply_to_id

                def run():
                    return answer(card_id, entry_id, choose(actor, entry_id), asked)

                return await asyncio.to_thread(run)
            except Exception as error:  # the one error path
                return message_response(refusal(error))

    on(Verbs.SNOOZE, core.schedule.snooze, "snooze")
    on(Verbs.DONE, core.schedule.done, "done")


def reminder_id(data: dict) -> int:
    value = str(data.get("reminder", ""))
    if not value.isdigit():
        raise NotFound("That reminder no longer exists.")
    return int(value)
