"""Repository functions for sync meetings, their decisions and action items."""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from bot.clock import iso


def _dt(value):
    return datetime.fromisoformat(value) if value else None


def meeting_for_slot(db: Database, slot: str):
    from bot.sync import Meeting

    row = next(db.query("select * from sync_meetings where slot = ?", [slot]), None)
    return Meeting(row["id"], row["slot"], _dt(row["at"]), _dt(row["agenda_at"])) if row else None


def add_meeting(db: Database, slot: str, at: datetime, agenda_at: datetime):
    db.execute("insert or ignore into sync_meetings (slot, at, agenda_at) values (?, ?, ?)",
               [slot, iso(at), iso(agenda_at)])
    return meeting_for_slot(db, slot)


def meetings_between(db: Database, first: datetime, last: datetime) -> list:
    from bot.sync import Meeting

    return [Meeting(row["id"], row["slot"], _dt(row["at"]), _dt(row["agenda_at"]))
            for row in db.query("select * from sync_meetings where at >= ? and at <= ? order by at",
                                [iso(first), iso(last)])]


def add_decision(db: Database, meeting_id: int | None, text: str, by: str, at: datetime):
    from bot.sync import SyncDecision

    table = db["sync_decisions"]
    table.insert({"meeting_id": meeting_id, "text": text, "by": by, "at": iso(at)})
    return SyncDecision(table.last_pk, meeting_id, text, by, at)


def decisions_between(db: Database, first: datetime, last: datetime) -> list:
    from bot.sync import SyncDecision

    return [SyncDecision(row["id"], row["meeting_id"], row["text"], row["by"], _dt(row["at"]))
            for row in db.query("select * from sync_decisions where at >= ? and at <= ? order by at, id",
                                [iso(first), iso(last)])]


def _action(row):
    from bot.sync import ActionItem

    return ActionItem(row["id"], row["meeting_id"], row["person"], row["text"],
                      date.fromisoformat(row["due"]) if row["due"] else None, row["created_by"],
                      _dt(row["created_at"]), _dt(row["done_at"]), row["done_by"])


def add_action(db: Database, meeting_id: int | None, person: str, text: str, due: date | None, by: str,
               at: datetime):
    table = db["action_items"]
    table.insert({"meeting_id": meeting_id, "person": person, "text": text,
                  "due": due.isoformat() if due else None, "created_by": by, "created_at": iso(at)})
    return get_action(db, table.last_pk)


def get_action(db: Database, action_id: int):
    row = next(db.query("select * from action_items where id = ?", [action_id]), None)
    return _action(row) if row else None


def open_actions(db: Database) -> list:
    return [_action(row) for row in
            db.query("select * from action_items where done_at is null order by coalesce(due, '9999'), id")]


def actions_created_between(db: Database, first: datetime, last: datetime) -> list:
    return [_action(row) for row in db.query(
        "select * from action_items where created_at >= ? and created_at <= ? order by id", [iso(first), iso(last)])]


def mark_done(db: Database, action_id: int, by: str, at: datetime) -> bool:
    return db.execute("update action_items set done_at = ?, done_by = ? where id = ? and done_at is null",
                      [iso(at), by, action_id]).rowcount == 1
