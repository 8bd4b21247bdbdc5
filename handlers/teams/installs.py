"""Tandem is added to a team, a group chat or someone's personal chat: it says hello; it is
removed (``conversationUpdate`` with the bot in ``membersRemoved``, or ``installationUpdate``
remove): it stops posting there, logs one clear line, and ``/healthz`` says the Teams
channel is unreachable until it is added back.

Every activity's conversation reference is stored before any handler runs (``app.py``),
so the install is what makes the channel and the people reachable for digests, cards and
reminder DMs later.
"""

from __future__ import annotations

import asyncio
import logging

from microsoft_agents.activity import ConversationUpdateTypes
from microsoft_agents.hosting.core import TurnContext, TurnState

from handlers.teams import cards, home
from storage import teams as repo
from handlers.teams.notifier import card_activity
from handlers.teams.people import channel_data

log = logging.getLogger("tandem")


def where(activity) -> list[str]:
    """The conversations an install or removal is about: every channel of the team (a team
    event), or the chat itself."""
    return [repo.base_conversation(activity.conversation.id)] if activity.conversation else []


def register(bot) -> None:
    core = bot.core

    def mark(activity, removed: bool) -> int:
        team = (channel_data(activity).get("team") or {}).get("id")
        ids = where(activity)
        channel = core.settings.teams_channel
        with core.store.write() as db:
            if team:
                alone = repo.known_teams(db) <= {team}
                if channel and alone:
                    # Reached like the only team Tandem knows, even if no one spoke there yet; its team
                    # is left unknown until an activity from the channel itself names it.
                    repo.adopt_channel(db, channel, ids[0], None, core.clock.now())
                ids = set(ids) | set(repo.team_conversations(db, team))
                shared = repo.conversation(db, channel) if channel else None
                if shared is not None and shared.team_id is None and (alone or not removed):
                    # The shared channel's team is unknown: it goes with the team only when that is the
                    # one team Tandem knows (removed), or with any team it is added to (back).
                    ids.add(channel)
                ids = sorted(ids)
            return repo.mark_removed(db, ids, core.clock.now() if removed else None)

    async def removed(context: TurnContext) -> None:
        activity = context.activity
        count = await asyncio.to_thread(mark, activity, True)
        team = channel_data(activity).get("team") or {}
        place = f"the team {team.get('name') or team.get('id')}" if team else f"the chat {where(activity)[0]}"
        log.warning("Tandem was removed from %s in Teams: it no longer posts there (%d conversation%s); add the "
                    "app again to resume", place, count, "" if count == 1 else "s")

    async def readded(context: TurnContext) -> None:
        await asyncio.to_thread(mark, context.activity, False)

    @bot.teams.conversation_update(ConversationUpdateTypes.MEMBERS_REMOVED)
    async def members_removed(context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        me = activity.recipient.id if activity.recipient else None
        if any(member.id == me for member in activity.members_removed or []):
            await removed(context)

    @bot.teams.installation_update()
    async def installation(context: TurnContext, state: TurnState) -> None:
        action = (context.activity.action or "").lower()
        if action.startswith("remove"):
            await removed(context)
        elif action.startswith("add"):
            await readded(context)

    @bot.teams.conversation_update(ConversationUpdateTypes.MEMBERS_ADDED)
    async def added(context: TurnContext, state: TurnState) -> None:
        activity = context.activity
        me = activity.recipient.id if activity.recipient else None
        if any(member.id == me for member in activity.members_added or []):
            await readded(context)
            await context.send_activity(card_activity(cards.help_card(), "Tandem is here"))
            conversation = activity.conversation
            if conversation is not None and (conversation.conversation_type or "personal") == "personal":
                actor = await bot.directory.actor(context)
                await context.send_activity(await home.home_activity(bot, context, actor))
