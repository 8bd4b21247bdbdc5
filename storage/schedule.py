"""Repository functions for the schedule: the ledger, the lease, reminder marks, and the
activity the digest and reminders are computed from.

Each takes the database first. Functions that change rows expect to run inside
``Store.write()``, so a decision and its record commit together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.clock import iso
from bot.reminders import LedgerEntry, Mark
from bot.requests import Request, Status
from storage.requests import row_to_request
from storage.db import select


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# --- the ledger --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """What makes a ledger entry unique."""

    kind: str
    subject: str
    episode: str
    threshold: str
    person: str = ""
    wake: str = ""


def row_to_entry(row: dict) -> LedgerEntry:
    return LedgerEntry(
        id=row["id"],
        kind=row["kind"],
        subject=row["subject"],
        episode=row["episode"],
        threshold=row["threshold"],
        person=row["person"],
        wake=row["wake"],
        decided_at=_dt(row["decided_at"]),
        attempts=row["attempts"],
        last_attempt_at=_dt(row["last_attempt_at"]),
        sending_by=row["sending_by"],
        sending_until=_dt(row["sending_until"]),
        last_error=row["last_error"],
        delivered_at=_dt(row["delivered_at"]),
    )


_KEY_WHERE = "kind = ? and subject = ? and episode = ? and threshold = ? and person = ? and wake = ?"


def _key_params(key: Key) -> list[str]:
    return [key.kind, key.subject, key.episode, key.threshold, key.person, key.wake]


def find(db: Database, key: Key) -> LedgerEntry | None:
    rows = list(select(db, f"select * from ledger where {_KEY_WHERE}", _key_params(key)))
    return row_to_entry(rows[0]) if rows else None


def get(db: Database, entry_id: int) -> LedgerEntry | None:
    rows = list(select(db, "select * from ledger where id = ?", [entry_id]))
    return row_to_entry(rows[0]) if rows else None


def sendable(entry: LedgerEntry | None, now: datetime, retry_after: datetime | None = None) -> bool:
    """Whether an entry may be sent now: new, or not delivered, not in flight and (when
    ``retry_after`` is given) last tried before it."""
    if entry is None:
        return True
    if entry.delivered or (entry.sending_until is not None and entry.sending_until > now):
        return False
    return retry_after is None or entry.last_attempt_at is None or entry.last_attempt_at <= retry_after


def claim(db: Database, key: Key, holder: str, now: datetime, hold_until: datetime,
          retry_after: datetime | None = None) -> LedgerEntry | None:
    """Records the decision to send ``key`` and marks it in flight by ``holder`` until
    ``hold_until``. Returns the entry, or ``None`` when it was delivered already, is in
    flight elsewhere, or was tried too recently. Run it inside ``Store.write()``."""
    entry = find(db, key)
    if not sendable(entry, now, retry_after):
        return None
    if entry is None:
        # Plain SQL: a sweep decides thousands of these, and ``Table.insert`` checks the table
        # and builds its statement again for every row.
        db.execute(
            "insert into ledger (kind, subject, episode, threshold, person, wake, decided_at, attempts,"
            " last_attempt_at, sending_by, sending_until) values (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)",
            [*_key_params(key), iso(now), iso(now), holder, iso(hold_until)],
        )
    else:
        db.execute(
            "update ledger set attempts = attempts + 1, last_attempt_at = ?, sending_by = ?, sending_until = ? "
            "where id = ?",
            [iso(now), holder, iso(hold_until), entry.id],
        )
    return find(db, key)


def delivered(db: Database, entry_ids: Iterable[int], now: datetime) -> None:
    for entry_id in entry_ids:
        db.execute(
            "update ledger set delivered_at = ?, sending_by = null, sending_until = null, last_error = null "
            "where id = ?",
            [iso(now), entry_id],
        )


def failed(db: Database, entry_ids: Iterable[int], error: str) -> None:
    """The platform refused: the entries stay undelivered and free for the next attempt."""
    for entry_id in entry_ids:
        db.execute(
            "update ledger set sending_by = null, sending_until = null, last_error = ? where id = ?",
            [error[:500], entry_id],
        )


def entries(db: Database, kind: str | None = None) -> list[LedgerEntry]:
    if kind is None:
        rows = select(db, "select * from ledger order by id")
    else:
        rows = select(db, "select * from ledger where kind = ? order by id", [kind])
    return [row_to_entry(row) for row in rows]


# --- the lease -------------------------------------------------------------------------------------


def count_delivered(db: Database, kind: str, subject: str, episode: str) -> int:
    """How many people a message of ``kind`` about ``subject`` in ``episode`` reached."""
    return db.execute("select count(*) from ledger where kind = ? and subject = ? and episode = ? "
                      "and delivered_at is not null", [kind, subject, episode]).fetchone()[0]


def last_delivered(db: Database, kind: str) -> tuple[str, datetime] | None:
    """The slot (``threshold``) and time of the latest ``kind`` delivered, if any was."""
    row = db.execute("select threshold, delivered_at from ledger where kind = ? and delivered_at is not null "
                     "order by delivered_at desc limit 1", [kind]).fetchone()
    return (row[0], datetime.fromisoformat(row[1])) if row else None


def take_lease(db: Database, name: str, holder: str, now: datetime, until: datetime) -> bool:
    """Takes or renews the lease ``name`` for ``holder`` until ``until``, unless someone
    else holds it and it has not lapsed. Run it inside ``Store.write()``."""
    rows = list(select(db, "select * from lease where name = ?", [name]))
    if rows and rows[0]["holder"] != holder and _dt(rows[0]["expires_at"]) > now:
        return False
    acquired = rows[0]["acquired_at"] if rows and rows[0]["holder"] == holder else iso(now)
    db["lease"].upsert(
        {"name": name, "holder": holder, "acquired_at": acquired, "renewed_at": iso(now), "expires_at": iso(until)},
        pk="name",
    )
    return True


def release_lease(db: Database, name: str, holder: str) -> None:
    db.execute("delete from lease where name = ? and holder = ?", [name, holder])


def lease_renewed_at(db: Database, name: str) -> datetime | None:
    """When the lease ``name`` was last taken or renewed (by anyone), if it is held or lapsed."""
    rows = list(select(db, "select renewed_at from lease where name = ?", [name]))
    return _dt(rows[0]["renewed_at"]) if rows else None


def lease_holder(db: Database, name: str, now: datetime) -> str | None:
    rows = list(select(db, "select holder, expires_at from lease where name = ?", [name]))
    if rows and _dt(rows[0]["expires_at"]) > now:
        return rows[0]["holder"]
    return None


# --- snooze and done --------------------------------------------------------------------------------


def row_to_mark(row: dict) -> Mark:
    return Mark(row["kind"], row["subject"], row["episode"], row["person"], _dt(row["snoozed_until"]),
                _dt(row["done_at"]))


def marks(db: Database) -> dict[tuple[str, str, str, str], Mark]:
    return {
        (mark.kind, mark.subject, mark.episode, mark.person): mark
        for mark in (row_to_mark(row) for row in select(db, "select * from reminder_marks"))
    }


def mark(db: Database, kind: str, subject: str, episode: str, person: str) -> Mark | None:
    rows = select(db, "select * from reminder_marks where kind = ? and subject = ? and episode = ? and person = ?",
                    [kind, subject, episode, person])
    return next((row_to_mark(row) for row in rows), None)


def set_mark(db: Database, kind: str, subject: str, episode: str, person: str, now: datetime, *,
             snoozed_until: datetime | None = None, done: bool = False) -> Mark:
    db["reminder_marks"].upsert(
        {
            "kind": kind, "subject": subject, "episode": episode, "person": person,
            "snoozed_until": iso(snoozed_until) if snoozed_until else None,
            "done_at": iso(now) if done else None,
            "updated_at": iso(now),
        },
        pk=("kind", "subject", "episode", "person"),
    )
    return mark(db, kind, subject, episode, person)


# --- what the digest and reminders are computed from -------------------------------------------------


OPEN = tuple(status.value for status in Status if status.is_open)


def open_requests(db: Database) -> list[Request]:
    marks_ = ", ".join("?" for _ in OPEN)
    rows = select(db, f"select * from requests where status in ({marks_}) order by id", list(OPEN))
    return [row_to_request(row) for row in rows]


def recent_requests(db: Database, since: datetime) -> list[Request]:
    """Requests opened, claimed or closed at or after ``since``."""
    at = iso(since)
    rows = select(
        db,
        "select * from requests where id in (select id from requests where created_at >= ? union all"
        " select id from requests where claimed_at >= ? union all select id from requests where closed_at >= ?)"
        " order by id",
        [at, at, at],
    )
    return [row_to_request(row) for row in rows]


def last_activity(db: Database) -> dict[int, datetime]:
    """Each open request's latest activity: its latest audit event or comment.

    Only open requests are looked at (through the indexes on each one's events and
    comments), so the cost follows the open requests, not the whole history."""
    marks_ = ", ".join("?" for _ in OPEN)
    rows = db.execute(
        "select id,"
        " (select max(at) from events where subject = 'request' and subject_id = requests.id),"
        " (select max(at) from comments where request_id = requests.id)"
        f" from requests where status in ({marks_})",
        list(OPEN),
    ).fetchall()
    return {
        request_id: datetime.fromisoformat(max(at for at in (event_at, comment_at) if at))
        for request_id, event_at, comment_at in rows
        if event_at or comment_at
    }


def new_since(db: Database) -> dict[int, datetime]:
    """When each open request last became new: created, or unclaimed."""
    marks_ = ", ".join("?" for _ in OPEN)
    rows = db.execute(
        "select id, (select max(at) from events where subject = 'request' and subject_id = requests.id"
        " and action in ('created', 'unclaimed'))"
        f" from requests where status in ({marks_})",
        list(OPEN),
    ).fetchall()
    return {request_id: datetime.fromisoformat(at) for request_id, at in rows if at}
