"""A card action or a message Teams sends again (the same activity ID in the same
conversation) is applied once, with the ledger Slack's replays use (``bot.replays``)."""

from __future__ import annotations

import asyncio
import logging

from microsoft_agents.hosting.core import TurnContext

from bot.replays import Replays

log = logging.getLogger(__name__)

ALREADY_DONE = "Tandem already has this; it was done once."


def keys_of(context: TurnContext) -> list[str]:
    activity = context.activity
    conversation = activity.conversation.id if activity.conversation else ""
    return [f"teams:{activity.type}:{conversation}:{activity.id}"] if activity.id else []


async def first_time(replays: Replays, context: TurnContext) -> bool:
    if await asyncio.to_thread(replays.first_time, keys_of(context)):
        return True
    log.info("ignored a repeated Teams %s activity", context.activity.type)
    return False
