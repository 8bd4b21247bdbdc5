"""Repository functions for the sourcing map: IT's stance per category."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.clock import iso


def stances(db: Database) -> dict:
    from bot.sourcing import Stance, StanceEntry

    return {row["category"]: StanceEntry(row["category"], Stance(row["stance"]), row["set_by"],
                                         datetime.fromisoformat(row["set_at"]),
                                         datetime.fromisoformat(row["confirmed_at"]))
            for row in db.query("select * from sourcing_stances order by category")}


def set_stance(db: Database, category: str, stance, by: str, at: datetime) -> None:
    db["sourcing_stances"].upsert({"category": category, "stance": stance.value, "set_by": by, "set_at": iso(at),
                                   "confirmed_at": iso(at)}, pk="category")


def clear_stance(db: Database, category: str) -> bool:
    """Removes the stance on ``category`` (a category or a system's key); False when there was none."""
    return db.execute("delete from sourcing_stances where category = ?", [category]).rowcount > 0


def confirm_all(db: Database, at: datetime) -> int:
    return db.execute("update sourcing_stances set confirmed_at = ?", [iso(at)]).rowcount


def spend_by_category(db: Database, since: datetime) -> list[dict]:
    """Requests posted since ``since`` and not cancelled: id, category, cost, currency, sensitivity."""
    return list(db.query(
        "select id, category, estimated_cost, currency, sensitivity, requester from requests "
        "where created_at >= ? and status != 'cancelled'", [iso(since)]))
