"""Repository functions for the risk checks IT has ticked on a request."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.clock import iso


def ticks_for(db: Database, request_id: int) -> dict[str, tuple[str, datetime]]:
    """Ticked checks by lower-cased name: who ticked them and when."""
    return {row["name"]: (row["done_by"], datetime.fromisoformat(row["done_at"]))
            for row in db.query("select * from risk_ticks where request_id = ?", [request_id])}


def tick(db: Database, request_id: int, name: str, by: str, at: datetime) -> None:
    db["risk_ticks"].upsert({"request_id": request_id, "name": name, "done_by": by, "done_at": iso(at)},
                            pk=("request_id", "name"))


def untick(db: Database, request_id: int, name: str) -> None:
    db.execute("delete from risk_ticks where request_id = ? and name = ?", [request_id, name])
