"""Each request's card on each platform: the platform's own reference to it.

A row is (request, platform, conversation, message): Slack's channel and message ``ts``,
Teams' thread conversation (``channel;messageid=…``) and activity ID, the shell's channel
and counter. The core never looks inside a reference; the platform that made it reads it.
Functions take the database first; those that change rows expect ``Store.write()``.
"""

from __future__ import annotations

from sqlite_utils import Database

from bot.requests import CardRef
from storage.db import select


def cards_of(db: Database, request_id: int) -> dict[str, CardRef]:
    """The request's card on each platform that has one, by platform name."""
    return {row["platform"]: CardRef(row["conversation"], row["message_id"])
            for row in select(db, "select platform, conversation, message_id from cards where request_id = ? "
                                "order by platform", [request_id])}


def card_of(db: Database, request_id: int, platform: str) -> CardRef | None:
    return cards_of(db, request_id).get(platform)


def save_card(db: Database, request_id: int, platform: str, card: CardRef) -> None:
    db["cards"].upsert({"request_id": request_id, "platform": platform, "conversation": card.conversation,
                        "message_id": card.message_id}, pk=("request_id", "platform"))


def forget_card(db: Database, request_id: int, platform: str) -> None:
    """The card's message is dead: the next change posts a new one."""
    db.execute("delete from cards where request_id = ? and platform = ?", [request_id, platform])


def request_for(db: Database, platform: str, conversation: str, message_id: str | None = None) -> int | None:
    """The request whose card is this message (or, without ``message_id``, whose card's
    thread is this conversation), None when it is no card of Tandem's."""
    if message_id is None:
        rows = list(select(db, "select request_id from cards where platform = ? and conversation = ?",
                             [platform, conversation]))
    else:
        rows = list(select(db, "select request_id from cards where platform = ? and conversation = ? "
                             "and message_id = ?", [platform, conversation, message_id]))
    return rows[0]["request_id"] if rows else None
