"""Slack's own rows: each person's DM channel, as ``conversations.open`` gave it.

Functions take the database first; those that change rows expect ``Store.write()``.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.clock import iso


def dm_channel(db: Database, user: str) -> str | None:
    row = db.execute("select channel from slack_dm_channels where user_id = ?", [user]).fetchone()
    return row[0] if row else None


def save_dm_channel(db: Database, user: str, channel: str, at: datetime) -> None:
    db["slack_dm_channels"].upsert({"user_id": user, "channel": channel, "opened_at": iso(at)}, pk="user_id")


def forget_dm_channel(db: Database, user: str) -> None:
    db.execute("delete from slack_dm_channels where user_id = ?", [user])
