"""Tandem is added to a team, a group chat or someone's personal chat: it says hello.

Every activity's conversation reference is stored before any handler runs (``app.py``),
so the install is what makes the channel and the people reachable for digests, cards and
reminder DMs later.
"""

from __future__ import annotations

from microsoft_agents.activity import ConversationUpdateTypes
from microsoft_agents.hosting.core import TurnContext, TurnState

from handlers.teams import cards, home
from handlers.teams.notifier import card_activity


def register(bot) -> None:
    @bot.teams.conversation_update(ConversationUpdateTypes.MEMBERS_ADDED)
    async def added(context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        me = activity.recipient.id if activity.recipient else None
        if any(member.id == me for member in activity.members_added or []):
            await context.send_activity(card_activity(cards.help_card(), "Tandem is here"))
            conversation = activity.conversation
            if conversation is not None and (conversation.conversation_type or "personal") == "personal":
                actor = await bot.directory.actor(context)
                await context.send_activity(await home.home_activity(bot, context, actor))
