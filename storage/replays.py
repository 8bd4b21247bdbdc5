"""Requests already applied, by a key the platform signs (Slack's trigger ID)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from sqlite_utils import Database

from bot.clock import iso


def first_time(db: Database, keys: list[str], now: datetime, forget_before: datetime) -> bool:
    """Records ``keys``; ``False`` (and nothing recorded) when any was recorded before.
    Run it inside ``Store.write()`` so two processes cannot both see a key first."""
    db.execute("delete from replays where seen_at < ?", [iso(forget_before)])
    try:
        for key in keys:
            db.execute("insert into replays (key, seen_at) values (?, ?)", [key, iso(now)])
    except sqlite3.IntegrityError:
        return False
    return True
