"""Repository functions for approval rounds and the approvers' decisions."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.clock import iso
from bot.requests import Decision, Round
from storage.db import select


def _round(db: Database, row: dict) -> Round:
    decisions = tuple(
        Decision(d["approver"], bool(d["approved"]), d["reason"] or "", datetime.fromisoformat(d["at"]))
        for d in select(db, "select * from approval_decisions where round_id = ? order by id", [row["id"]])
    )
    return Round(row["id"], row["request_id"], datetime.fromisoformat(row["opened_at"]), row["opened_by"],
                 row["state"], row["why"], decisions)


def latest_round(db: Database, request_id: int) -> Round | None:
    rows = list(select(db, "select * from approval_rounds where request_id = ? order by id desc limit 1", [request_id]))
    return _round(db, rows[0]) if rows else None


def get_round(db: Database, round_id: int) -> Round | None:
    rows = list(select(db, "select * from approval_rounds where id = ?", [round_id]))
    return _round(db, rows[0]) if rows else None


def open_round(db: Database, request_id: int, at: datetime, opened_by: str, why: str) -> Round:
    table = db["approval_rounds"]
    table.insert({"request_id": request_id, "opened_at": iso(at), "opened_by": opened_by, "state": "open", "why": why})
    return get_round(db, table.last_pk)


def close_round(db: Database, round_id: int, state: str) -> None:
    db.execute("update approval_rounds set state = ? where id = ? and state = 'open'", [state, round_id])


def add_decision(db: Database, round_id: int, approver: str, approved: bool, reason: str, at: datetime) -> None:
    """Records a decision; a second decision by the same approver in a round raises IntegrityError."""
    db["approval_decisions"].insert(
        {"round_id": round_id, "approver": approver, "approved": int(approved), "reason": reason, "at": iso(at)}
    )


def open_since(db: Database) -> dict[int, datetime]:
    """The requests with an approval round open, each with when its latest round opened."""
    rows = select(db, "select request_id, max(opened_at) as opened_at from approval_rounds where state = 'open' "
                      "group by request_id")
    return {row["request_id"]: datetime.fromisoformat(row["opened_at"]) for row in rows}
