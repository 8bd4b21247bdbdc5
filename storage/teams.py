"""Teams' own rows: the conversations the bot may write to, and its reminder cards.

Conversation references are kept when someone talks to the bot or installs it (a
``conversationUpdate``), so digests, cards and reminder DMs can be sent proactively later.
Functions take the database first; those that change rows expect ``Store.write()``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.clock import iso

PERSONAL, CHANNEL, GROUP = "personal", "channel", "groupChat"


@dataclass(frozen=True)
class Conversation:
    id: str
    kind: str  # personal, channel, groupChat
    tenant_id: str | None
    service_url: str
    user_id: str | None  # the Teams user (29:…) of a personal conversation
    team_id: str | None
    reference: dict  # a ConversationReference as JSON


def base_conversation(conversation_id: str) -> str:
    """A channel conversation without the thread part (``;messageid=…``)."""
    return conversation_id.split(";messageid=")[0]


def reminder_card(db: Database, activity_id: str) -> dict | None:
    """A reminder card Tandem sent (its Adaptive Card content), by the message's ID."""
    rows = list(db.query("select content from teams_reminder_cards where activity_id = ?", [activity_id]))
    return json.loads(rows[0]["content"]) if rows else None


def save_reminder_card(db: Database, activity_id: str, conversation_id: str, content: dict, now: datetime) -> None:
    db["teams_reminder_cards"].upsert({"activity_id": activity_id, "conversation_id": conversation_id,
                                       "content": json.dumps(content), "updated_at": iso(now)}, pk="activity_id")


def update_reminder_card(db: Database, activity_id: str, content: dict, now: datetime) -> None:
    db["teams_reminder_cards"].update(activity_id, {"content": json.dumps(content), "updated_at": iso(now)})


def mark_removed(db: Database, conversation_ids: list[str], now: datetime | None) -> int:
    """Tandem was removed from these conversations (``now``), or added back (``None``)."""
    if not conversation_ids:
        return 0
    marks = ",".join("?" for _ in conversation_ids)
    cursor = db.execute(f"update teams_conversations set removed_at = ? where id in ({marks})",
                        [iso(now) if now else None, *conversation_ids])
    return cursor.rowcount


def known_teams(db: Database) -> set[str]:
    return {row["team_id"] for row in db.query("select distinct team_id from teams_conversations "
                                               "where team_id is not null")}


def adopt_channel(db: Database, channel_id: str, like: str, team_id: str | None, now: datetime) -> None:
    """Records ``channel_id`` as a channel of ``team_id`` (``None``: a team not known yet),
    reached like the conversation ``like``; a channel whose team is known stays as it is."""
    found = conversation(db, like)
    if found is None or conversation(db, channel_id) is not None and conversation(db, channel_id).team_id:
        return
    reference = {**found.reference, "conversation": {"id": channel_id, "conversationType": CHANNEL,
                                                      "tenantId": found.tenant_id, "isGroup": True}}
    save_conversation(db, Conversation(channel_id, CHANNEL, found.tenant_id, found.service_url, None, team_id,
                                       reference), now)


def removed(db: Database, conversation_id: str) -> bool:
    rows = list(db.query("select removed_at from teams_conversations where id = ?", [conversation_id]))
    return bool(rows and rows[0]["removed_at"])


def removed_channels(db: Database) -> list[str]:
    return [row["id"] for row in db.query("select id from teams_conversations where removed_at is not null "
                                          "and kind != ?", [PERSONAL])]


def team_conversations(db: Database, team_id: str) -> list[str]:
    """Every conversation Tandem knows in a team (its channels)."""
    return [row["id"] for row in db.query("select id from teams_conversations where team_id = ? or id = ?",
                                          [team_id, team_id])]


def _conversation(row: dict) -> Conversation:
    return Conversation(row["id"], row["kind"], row["tenant_id"], row["service_url"], row["user_id"], row["team_id"],
                        json.loads(row["reference"]))


def save_conversation(db: Database, conversation: Conversation, now: datetime) -> None:
    db["teams_conversations"].upsert(
        {"id": conversation.id, "kind": conversation.kind, "tenant_id": conversation.tenant_id,
         "service_url": conversation.service_url, "user_id": conversation.user_id, "team_id": conversation.team_id,
         "reference": json.dumps(conversation.reference), "updated_at": iso(now)},
        pk="id",
    )


def conversation(db: Database, conversation_id: str) -> Conversation | None:
    rows = list(db.query("select * from teams_conversations where id = ?", [conversation_id]))
    return _conversation(rows[0]) if rows else None


def personal(db: Database, user_ids: list[str]) -> Conversation | None:
    """The most recent one-to-one conversation with any of ``user_ids``."""
    if not user_ids:
        return None
    marks = ",".join("?" for _ in user_ids)
    rows = list(db.query(f"select * from teams_conversations where kind = ? and user_id in ({marks}) "
                         f"order by updated_at desc limit 1", [PERSONAL, *user_ids]))
    return _conversation(rows[0]) if rows else None


def latest(db: Database, tenant_id: str | None = None) -> Conversation | None:
    """The conversation heard from last (in ``tenant_id`` when given): its service URL
    reaches the tenant's Teams."""
    where, args = ("and tenant_id = ?", [tenant_id]) if tenant_id else ("", [])
    rows = list(db.query(f"select * from teams_conversations where removed_at is null {where} "
                         f"order by updated_at desc limit 1", args))
    return _conversation(rows[0]) if rows else None


# --- files offered in a personal chat, and images channel cards show ----------------------------------

OFFERED, UPLOADING, SENT, DECLINED, FAILED = "offered", "uploading", "sent", "declined", "failed"


@dataclass(frozen=True)
class OfferedFile:
    token: str
    person: str
    conversation_id: str | None
    filename: str
    title: str
    content: bytes
    state: str


def offer_file(db: Database, token: str, person: str, filename: str, title: str, content: bytes,
               now: datetime) -> None:
    db["teams_files"].insert({"token": token, "person": person, "conversation_id": None, "filename": filename,
                              "title": title, "content": content, "state": OFFERED, "created_at": iso(now),
                              "updated_at": iso(now)})


def offered_in(db: Database, token: str, conversation_id: str) -> None:
    db["teams_files"].update(token, {"conversation_id": conversation_id})


def offered_file(db: Database, token: str) -> OfferedFile | None:
    rows = list(db.query("select * from teams_files where token = ?", [token]))
    if not rows:
        return None
    row = rows[0]
    return OfferedFile(row["token"], row["person"], row["conversation_id"], row["filename"], row["title"] or "",
                       row["content"] or b"", row["state"])


def move_file(db: Database, token: str, from_state: str, to_state: str, now: datetime) -> bool:
    """Moves a file from one state to another; False when it was not in ``from_state`` (a second
    click lost the race). Content is dropped once the file is sent or declined."""
    keep = to_state in (OFFERED, UPLOADING)
    cursor = db.execute(f"update teams_files set state = ?, updated_at = ?{'' if keep else ', content = null'} "
                        f"where token = ? and state = ?", [to_state, iso(now), token, from_state])
    return cursor.rowcount == 1


def prune_files(db: Database, before: datetime) -> None:
    db.execute("delete from teams_files where created_at < ?", [iso(before)])


def save_image(db: Database, token: str, content: bytes, now: datetime) -> None:
    db["teams_images"].insert({"token": token, "content": content, "created_at": iso(now)})


def image(db: Database, token: str) -> bytes | None:
    rows = list(db.query("select content from teams_images where token = ?", [token]))
    return rows[0]["content"] if rows else None


def prune_images(db: Database, before: datetime) -> None:
    db.execute("delete from teams_images where created_at < ?", [iso(before)])
