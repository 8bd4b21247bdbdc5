"""The calendar subscription feed's secret (one row)."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.clock import iso

ROW = 1


def secret(db: Database) -> str | None:
    rows = list(db.query("select secret from calendar_feed where id = ?", [ROW]))
    return rows[0]["secret"] if rows else None


def set_secret(db: Database, value: str, at: datetime, by: str) -> None:
    db["calendar_feed"].upsert({"id": ROW, "secret": value, "created_at": iso(at), "created_by": by}, pk="id")
