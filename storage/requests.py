"""Repository functions for requests, the audit log and notes.

Each takes the database first and returns plain dataclasses from ``bot.requests``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlite_utils import Database

from bot import markup
from bot.clock import iso
from bot.requests import Category, Note, Event, Request, Sensitivity, Status, Urgency
from storage.db import select


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# Stored values to their enum members: a dictionary lookup, where ``Status(value)`` runs
# the enum machinery for each of a list's rows.
_CATEGORIES = {member.value: member for member in Category}
_URGENCIES = {member.value: member for member in Urgency}
_SENSITIVITIES = {member.value: member for member in Sensitivity}
_STATUSES = {member.value: member for member in Status}


def row_to_request(row: dict) -> Request:
    return Request(
        id=row["id"],
        title=row["title"],
        details=row["details"] or "",
        category=_CATEGORIES.get(row["category"]) or Category(row["category"]),
        quantity=row["quantity"],
        estimated_cost=Decimal(row["estimated_cost"]) if row["estimated_cost"] else None,
        currency=row["currency"],
        needed_by=date.fromisoformat(row["needed_by"]) if row["needed_by"] else None,
        urgency=_URGENCIES.get(row["urgency"]) or Urgency(row["urgency"]),
        sensitivity=_SENSITIVITIES.get(row["sensitivity"]) or Sensitivity(row["sensitivity"]),
        preferred_vendor=row["preferred_vendor"] or "",
        contract_id=row["contract_id"],
        requester=row["requester"],
        owner=row["owner"],
        status=_STATUSES.get(row["status"]) or Status(row["status"]),
        resume_status=(_STATUSES.get(row["resume_status"]) or Status(row["resume_status"])) if row["resume_status"] else None,
        created_at=_dt(row["created_at"]),
        updated_at=_dt(row["updated_at"]),
        claimed_at=_dt(row["claimed_at"]),
        closed_at=_dt(row["closed_at"]),
        workflow_runner=row.get("workflow_runner"),
    )


def request_to_row(request: Request) -> dict:
    """The storable form of a request's fields (without ``id``)."""
    if request.redacted:
        raise ValueError(f"refusing to store the redacted copy of request #{request.id}")
    return {
        "title": request.title,
        "details": request.details,
        "category": request.category.value,
        "quantity": request.quantity,
        "estimated_cost": str(request.estimated_cost) if request.estimated_cost is not None else None,
        "currency": request.currency,
        "needed_by": request.needed_by.isoformat() if request.needed_by else None,
        "urgency": request.urgency.value,
        "sensitivity": request.sensitivity.value,
        "preferred_vendor": request.preferred_vendor,
        "contract_id": request.contract_id,
        "requester": request.requester,
        "owner": request.owner,
        "status": request.status.value,
        "resume_status": request.resume_status.value if request.resume_status else None,
        "created_at": iso(request.created_at),
        "updated_at": iso(request.updated_at),
        "claimed_at": iso(request.claimed_at) if request.claimed_at else None,
        "closed_at": iso(request.closed_at) if request.closed_at else None,
        "workflow_runner": request.workflow_runner,
    }


def insert_request(db: Database, request: Request) -> Request:
    row = request_to_row(request)
    table = db["requests"]
    table.insert(row)
    return get_request(db, table.last_pk)


def save_request(db: Database, request: Request) -> Request:
    db["requests"].update(request.id, request_to_row(request))
    return request


def get_request(db: Database, request_id: int) -> Request | None:
    rows = list(select(db, "select * from requests where id = ?", [request_id]))
    return row_to_request(rows[0]) if rows else None


@dataclass(frozen=True)
class RequestFilter:
    statuses: tuple[Status, ...] = ()
    requester: str | None = None
    owner: str | None = None
    category: str | None = None
    involving: str | None = None  # requested or claimed by this user


def list_requests(db: Database, where: RequestFilter, limit: int = 50, offset: int = 0) -> tuple[list[Request], int]:
    """Matching requests, newest first, and how many match in all."""
    clauses, params = [], []
    if where.statuses:
        clauses.append(f"status in ({', '.join('?' for _ in where.statuses)})")
        params += [s.value for s in where.statuses]
    if where.requester:
        clauses.append("requester = ?")
        params.append(where.requester)
    if where.owner:
        clauses.append("owner = ?")
        params.append(where.owner)
    if where.category:
        clauses.append("category = ?")
        params.append(where.category)
    if where.involving:
        clauses.append("(requester = ? or owner = ?)")
        params += [where.involving, where.involving]
    sql_where = " where " + " and ".join(clauses) if clauses else ""
    total = db.execute(f"select count(*) from requests{sql_where}", params).fetchone()[0]
    # The page is chosen from the index (IDs only), then only its rows are read.
    page = f"select id from requests{sql_where} order by id desc limit ? offset ?"
    rows = select(db, f"select * from requests where id in ({page}) order by id desc", params + [limit, offset])
    return [row_to_request(row) for row in rows], total


# --- the audit log -----------------------------------------------------------------------


def add_event(
    db: Database, subject: str, subject_id: int, at: datetime, actor: str, action: str, before: dict, after: dict
) -> None:
    db["events"].insert(
        {
            "subject": subject,
            "subject_id": subject_id,
            "at": iso(at),
            "actor": actor,
            "action": action,
            "before": json.dumps(before, default=str, sort_keys=True),
            "after": json.dumps(after, default=str, sort_keys=True),
        }
    )


def row_to_event(row: dict) -> Event:
    return Event(
        id=row["id"],
        subject=row["subject"],
        subject_id=row["subject_id"],
        at=_dt(row["at"]),
        actor=row["actor"],
        action=row["action"],
        before=json.loads(row["before"] or "{}"),
        after=json.loads(row["after"] or "{}"),
    )


def events_for(db: Database, subject: str, subject_id: int) -> list[Event]:
    rows = select(db, "select * from events where subject = ? and subject_id = ? order by id", [subject, subject_id])
    return [row_to_event(row) for row in rows]


def events_since(db: Database, since: datetime | None = None):
    if since is None:
        rows = select(db, "select * from events order by id")
    else:
        rows = select(db, "select * from events where at >= ? order by id", [iso(since)])
    return (row_to_event(row) for row in rows)


# --- notes ---------------------------------------------------------------------------------


def add_note(
    db: Database,
    request_id: int,
    at: datetime,
    author: str,
    text: str,
    source: str,
    external_id: str | None = None,
    parts: tuple = (),
) -> Note | None:
    """Stores a comment; returns ``None`` when ``external_id`` was stored before."""
    table = db["comments"]
    try:
        table.insert(
            {
                "request_id": request_id,
                "at": iso(at),
                "author": author,
                "text": text,
                "source": source,
                "external_id": external_id,
                "markup": markup.dumps(parts) if parts else None,
            }
        )
    except sqlite3.IntegrityError:
        if external_id and db.execute("select 1 from comments where external_id = ?", [external_id]).fetchone():
            return None
        raise
    return Note(table.last_pk, request_id, at, author, text, source, parts)


def update_note_text(db: Database, external_id: str, text: str, parts: tuple = ()) -> bool:
    """An edit in chat; a deleted note stays deleted (``True``: the note is known)."""
    cursor = db.execute("update comments set text = case when deleted_at is null then ? else '' end, "
                        "markup = case when deleted_at is null then ? end where external_id = ?",
                        [text, markup.dumps(parts) if parts else None, external_id])
    return cursor.rowcount > 0


def delete_note(db: Database, external_id: str, at: datetime) -> Note | None:
    """A message deleted in chat: its note keeps its row (so a late retry of the original is
    not stored again) but loses its text. Returns the note as it was, if there was one."""
    rows = list(select(db, "select * from comments where external_id = ? and deleted_at is null", [external_id]))
    if not rows:
        return None
    db.execute("update comments set text = '', markup = null, deleted_at = ? where external_id = ?",
               [iso(at), external_id])
    row = rows[0]
    return Note(row["id"], row["request_id"], _dt(row["at"]), row["author"], row["text"], row["source"])


def note_by_external_id(db: Database, external_id: str) -> Note | None:
    """A note from chat that is not deleted, by its message's identity."""
    rows = list(select(db, "select * from comments where external_id = ? and deleted_at is null", [external_id]))
    if not rows:
        return None
    row = rows[0]
    return Note(row["id"], row["request_id"], _dt(row["at"]), row["author"], row["text"], row["source"],
                markup.loads(row["markup"]))


def notes_for(db: Database, request_id: int) -> list[Note]:
    rows = select(db, "select * from comments where request_id = ? and deleted_at is null order by id", [request_id])
    return [
        Note(row["id"], row["request_id"], _dt(row["at"]), row["author"], row["text"], row["source"],
             markup.loads(row["markup"]))
        for row in rows
    ]


def requests_touching(db: Database, since: datetime) -> list[Request]:
    """Requests opened or closed since ``since``, and every one still open."""
    rows = select(
        db, "select * from requests where created_at >= :since or closed_at >= :since or closed_at is null",
        {"since": iso(since)},
    )
    return [row_to_request(row) for row in rows]


def events_for_requests(db: Database, ids: list[int]) -> dict[int, list[Event]]:
    """Audit events of many requests at once, grouped by request."""
    grouped: dict[int, list[Event]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = select(
            db, f"select * from events where subject = 'request' and subject_id in ({', '.join('?' for _ in chunk)})"
            " order by id",
            chunk,
        )
        for row in rows:
            event = row_to_event(row)
            grouped.setdefault(event.subject_id, []).append(event)
    return grouped


def ordered_between(db: Database, start: datetime, end: datetime) -> list[int]:
    """The requests moved to ordered between ``start`` and ``end`` (by their audit events), by ID."""
    rows = select(db, "select distinct subject_id from events where subject = 'request' and at >= ? and at <= ? "
                      "and after like '%\"status\": \"ordered\"%' order by subject_id", [iso(start), iso(end)])
    return [row["subject_id"] for row in rows]
